"""What each letter says, as plain data: the letterhead and complaint guidance come from the
municipality's standard file, the reasoning from the stored evaluation (forvaltningsloven
§§ 22–24: the legal rules, the main facts, the assessment; § 25: complaint guidance with the
body and the deadline as a date)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from rusmiddel import rules
from rusmiddel.cases.models import (
    Case,
    Contact,
    Course,
    Deadline,
    DeadlineKind,
    Decision,
    FollowUp,
    SelfPaymentAssessment,
)
from rusmiddel.rules.calendar import danish_date
from rusmiddel.standards import registry
from rusmiddel.standards.citations import with_seed_wording
from rusmiddel.standards.schema import Standard


def _standard(case: Case, on: dt.date) -> Standard:
    return registry.load(case.municipality.slug, on).standard


def _head(case: Case, standard: Standard, on: dt.date) -> dict[str, Any]:
    m = standard.municipality
    citizen = case.citizen
    return {
        "municipality": {
            "name": m.name,
            "department": m.department,
            "address": m.address,
            "phone": m.phone or "",
            "email": m.email or "",
            "website": m.website or "",
        },
        "recipient": {
            "name": citizen.name if citizen else "",
            "address": citizen.address if citizen else "",
        },
        "case_number": case.number,
        "date": on.isoformat(),
        "date_text": danish_date(on),
    }


def route_letter_text(route: Any) -> str:
    """The route's guidance as a letter says it to the citizen: the standard's `letter_text`
    (its `text` describes the route in the standard's own words, about "borgeren", and may
    say that guidance will follow in the decision), else a plain sentence."""
    if route.letter_text:
        return " ".join(route.letter_text.split())
    if route.appealable:
        return "Er du ikke enig i afgørelsen, kan du klage over den."
    return "Der er ikke klageadgang over afgørelsen."


def _guidance(
    standard: Standard, route_id: str | None, deadline: dt.date | None, received, part: str = ""
):
    """Forvaltningsloven § 25: the complaint guidance of `route_id` for the letter: how to
    complain (`text`), to whom, by when (the deadline as a date where the route counts one)
    and where an upheld decision goes next."""
    route = standard.complaint_route(route_id or None)
    if route is None:
        return None
    guidance = {
        "part": part,
        "weeks": route.deadline_weeks,
        "title": route.title,
        "appealable": route.appealable,
        "text": route_letter_text(route),
        # the standard's own deadline sentence, for a route whose letter text gives none
        "own_text": not route.letter_text,
        "to": route.first_instance + (f", {route.address}" if route.address else ""),
        "deadline_text": " ".join(route.deadline_text.split()),
        "deadline": deadline.isoformat() if deadline else None,
        "deadline_date_text": danish_date(deadline),
        "received_text": danish_date(received),
        "forwards_to": route.forwards_to or "",
        "reassessment_weeks": route.reassessment_weeks if route.reassessment else None,
    }
    return guidance


def _assessment(standard: Standard, texts: dict[str, str]) -> list[dict[str, str]]:
    """The caseworker's description of each element of the standard's assessment, in the
    standard's order (forvaltningsloven § 24: the main considerations of the assessment)."""
    titles = {part.id: part.title for part in standard.assessment_sections()}
    order = [key for key in titles if key in texts] + [key for key in texts if key not in titles]
    return [{"title": titles.get(key, key), "text": texts[key]} for key in order if texts[key]]


def decision_context(decision: Decision) -> dict[str, Any]:
    case = decision.case
    standard = _standard(case, decision.decided_on)
    offer = standard.offer(decision.offer)
    result = decision.evaluation.offer_result(decision.offer) or {"reasons": []}
    assessed = decision.evaluation.assessment.facts
    age = rules.age_on(case.citizen.birth_date, decision.decided_on) if case.citizen else None
    duration = rules.typical_duration(offer, age) if offer else None
    granted = decision.outcome == "granted"
    provider = standard.provider(decision.provider.slug) if decision.provider else None
    facts = [r["text"] for r in result["reasons"] if r["met"] is True]
    against = [r["text"] for r in result["reasons"] if r["met"] is False]
    unknown = [r["text"] for r in result["reasons"] if r["met"] is None]
    guarantee = (
        case.contacts.exclude(guarantee_due=None).order_by("received_on").first()
        if granted and offer and offer.guarantee
        else None
    )
    return {
        **_head(case, standard, decision.decided_on),
        "title": f"Afgørelse om {offer.title if offer else decision.offer}",
        "granted": granted,
        "offer": {
            "title": offer.title if offer else decision.offer,
            "description": " ".join(offer.description.split()) if offer else "",
            "intensity": offer.intensity.text.rstrip(".") if offer and offer.intensity else "",
            "duration": duration.text.rstrip(".") if duration else "",
        },
        # the current citations, each with the seed's own where it differs
        "legal_basis": with_seed_wording(standard, decision.legal_basis),
        "assessment": _assessment(standard, decision.evaluation.assessment.sections or {}),
        "facts": facts,
        "against": against,
        "unknown": unknown,
        "override_reason": decision.override_reason,
        "reasoning": decision.reasoning,
        "provider": {
            "name": provider.name if provider else "",
            "address": (provider.address or "") if provider else "",
            "phone": (provider.phone or "") if provider else "",
        },
        "guarantee_date_text": danish_date(guarantee.guarantee_due) if guarantee else "",
        "free_choice": {
            "text": " ".join(standard.free_choice.text.split()),
            "conditions": [" ".join(c.split()) for c in standard.free_choice.conditions],
            "legal_basis": with_seed_wording(standard, standard.free_choice.legal_basis),
            "requested": decision.free_choice_requested,
            "outcome": decision.free_choice_outcome,
        }
        if granted and offer and not offer.anonymous
        else None,
        "complaint": _guidance(
            standard, decision.complaint_route, decision.complaint_deadline, decision.received_on
        ),
        # the parts of the offer complained of elsewhere (the medical part), whatever the route
        "complaint_parts": [
            _guidance(standard, part_route.id, None, None, part=part.title)
            for part, part_route in (
                rules.complaint_routes(standard, offer, assessed).parts if offer else ()
            )
        ],
        "send_channel": decision.send_channel,
        "decided_by": decision.decided_by.get_full_name() or decision.decided_by.get_username(),
        "standard_version": decision.standard_version,
    }


def _staff_name(user: Any) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def withdrawal_context(decision: Decision, received: dt.date) -> dict[str, Any]:
    """The withdrawal of `decision` (tilbagekaldelse): what was decided and is withdrawn, from
    when, why, and the complaint guidance of the decision's route, counted from `received`."""
    case = decision.case
    standard = _standard(case, decision.decided_on)  # the route's and the offer's version
    offer = standard.offer(decision.offer)
    return {
        **_head(case, _standard(case, decision.withdrawn_on), decision.withdrawn_on),
        "title": "Tilbagekaldelse af afgørelse",
        "granted": decision.outcome == "granted",
        "offer": {"title": offer.title if offer else decision.offer},
        "decided_text": danish_date(decision.decided_on),
        "withdrawn_text": danish_date(decision.withdrawn_on),
        "legal_basis": with_seed_wording(standard, decision.legal_basis),
        "reason": decision.withdrawal_reason,
        "complaint": _guidance(
            standard, decision.complaint_route, decision.withdrawal_complaint_deadline, received
        ),
        "decided_by": _staff_name(decision.withdrawn_by),
    }


def _changes(new: Decision, old: Decision, standard: Standard) -> list[str]:
    """What the correction changed, in the citizen's words."""

    def title(offer_id: str) -> str:
        offer = standard.offer(offer_id)
        return offer.title if offer else offer_id

    def provider(d: Decision) -> str:
        found = standard.provider(d.provider.slug) if d.provider else None
        return found.name if found else (d.provider.name if d.provider else "intet valgt")

    out = []
    if new.offer != old.offer:
        out.append(f"Tilbuddet: {title(old.offer)} er ændret til {title(new.offer)}.")
    if new.outcome != old.outcome:
        out.append(
            "Afgørelsen: afslaget er ændret til en bevilling."
            if new.outcome == "granted"
            else "Afgørelsen: bevillingen er ændret til et afslag."
        )
    if new.provider_id != old.provider_id:
        out.append(f"Behandlingsstedet: {provider(old)} er ændret til {provider(new)}.")
    if (new.free_choice_requested, new.free_choice_outcome) != (
        old.free_choice_requested,
        old.free_choice_outcome,
    ):
        out.append("Svaret på dit ønske om frit valg er ændret.")
    if new.reasoning != old.reasoning or new.override_reason != old.override_reason:
        out.append("Begrundelsen er ændret.")
    return out or ["Afgørelsens indhold er det samme; den er rettet og sendt til dig igen."]


def correction_context(decision: Decision, replaced: Decision) -> dict[str, Any]:
    """The corrected decision in full (`decision_context`), with the decision it replaces,
    what changed and why."""
    context = decision_context(decision)
    standard = _standard(decision.case, decision.decided_on)
    offer = standard.offer(replaced.offer)
    return {
        **context,
        "title": f"Ændret afgørelse om {context['offer']['title']}",
        "replaces": {
            "decided_text": danish_date(replaced.decided_on),
            "offer": offer.title if offer else replaced.offer,
            "reason": replaced.withdrawal_reason,
            "changes": _changes(decision, replaced, standard),
        },
    }


def receipt_context(contact: Contact) -> dict[str, Any]:
    case = contact.case
    standard = _standard(case, contact.received_on)
    return {
        **_head(case, standard, contact.received_on),
        "title": "Kvittering for din henvendelse",
        "received_text": danish_date(contact.received_on),
        "requested_offer": (o.title if (o := standard.offer(contact.requested_offer)) else "")
        if contact.requested_offer
        else "",
        "guarantee_date_text": danish_date(contact.guarantee_due),
        "guarantee_basis": " ".join(contact.guarantee_basis.split()),
        "guarantee_days": standard.deadlines.treatment_guarantee.days,
    }


def follow_up_context(follow_up: FollowUp) -> dict[str, Any]:
    course = follow_up.course
    case = course.case
    standard = _standard(case, course.ended_on)
    channels = {"attendance": "fremmøde", "phone": "telefon", "video": "video"}
    return {
        **_head(case, standard, course.ended_on),
        "title": f"Invitation til opfølgning {follow_up.months} "
        f"måned{'er' if follow_up.months > 1 else ''} efter dit forløb",
        "months": follow_up.months,
        "ended_text": danish_date(course.ended_on),
        "due_text": danish_date(follow_up.due_on),
        "channels": [channels[c] for c in standard.deadlines.follow_up.channels],
        "by": standard.deadlines.follow_up.by,
        "text": " ".join(standard.deadlines.follow_up.text.split()),
    }


def self_payment_context(record: SelfPaymentAssessment) -> dict[str, Any]:
    course = record.course
    case = course.case
    on = record.recorded_at.date() if record.recorded_at else course.started_on
    standard = _standard(case, course.started_on)
    rule = next(r for r in standard.self_payment if r.id == record.rule)
    calc = record.calculation
    return {
        **_head(case, standard, on),
        "title": rule.title,
        "legal_basis": with_seed_wording(standard, rule.legal_basis),
        "text": " ".join(rule.text.split()),
        "days": record.days,
        "keeps_rent": record.keeps_rent,
        "lines": calc["lines"],
        "before_cap_dkk": calc["before_cap_dkk"],
        "cap_dkk": calc["cap_dkk"],
        "total_dkk": calc["total_dkk"],
        "minimum_disposable_dkk": f"{rule.minimum_disposable_per_month_dkk:.2f}",
        "amounts_are_examples": rule.amounts_are_examples,
        "complaint": _guidance(standard, standard.default_complaint_route, None, None),
    }


def booking_context(course: Course, on: dt.date) -> dict[str, Any]:
    """The start booked from the waitlist (written `on`, the day of the booking): the offer,
    where (the provider's name, address and phone from the standard), the first session or
    group meeting with its time, and the treatment guarantee's last day it keeps — or, said
    plainly, misses."""
    case = course.case
    standard = _standard(case, course.started_on)
    offer = standard.offer(course.offer)
    slug = course.provider.slug if course.provider_id else ""
    provider = standard.provider(slug) if slug else None
    first = course.sessions.select_related("group").order_by("starts_at").first()
    begin = timezone.localtime(first.starts_at) if first else None
    end = timezone.localtime(first.ends_at) if first else None
    guarantee = (
        Deadline.objects.filter(
            case=case, kind=DeadlineKind.TREATMENT_GUARANTEE, met_on=course.started_on
        )
        .order_by("due_on")
        .first()
    )
    return {
        **_head(case, standard, on),
        "title": "Bekræftelse af behandlingsstart",
        "offer": {
            "title": offer.title if offer else course.offer,
            "intensity": offer.intensity.text.rstrip(".") if offer and offer.intensity else "",
        },
        "provider": {
            "name": provider.name if provider else (course.provider.name if slug else ""),
            "address": (provider.address or "") if provider else "",
            "phone": (provider.phone or "") if provider else "",
        },
        "start_text": danish_date(course.started_on),
        "first": {
            "date_text": danish_date(begin.date()),
            "time_text": f"kl. {begin:%H.%M}–{end:%H.%M}",
            "group": first.group.title if first.group_id else "",
        }
        if first and begin and end
        else None,
        "guarantee": {
            "date_text": danish_date(guarantee.due_on),
            "kept": course.started_on <= guarantee.due_on,
            "days_late": max((course.started_on - guarantee.due_on).days, 0),
        }
        if guarantee
        else None,
    }
