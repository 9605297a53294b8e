"""Decisions (afgørelser): grant or refuse an offer on the stored evaluation, with reasoning
(forvaltningsloven §§ 22–24) and the complaint deadline of the decision's route: from the
offer and the citizen's substances in the assessment evaluated (`rules.complaint_routes`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from rusmiddel import rules
from rusmiddel.accounts.permissions import Action
from rusmiddel.audit.models import Event
from rusmiddel.audit.services import audit_record
from rusmiddel.letters.services import (
    letter_for_correction,
    letter_for_decision,
    letter_for_withdrawal,
)
from rusmiddel.standards.citations import with_seed_wording
from rusmiddel.standards.schema import Offer, Standard

from ..errors import Invalid
from ..models import (
    Case,
    CaseStatus,
    Course,
    CourseStatus,
    Decision,
    DecisionOutcome,
    DecisionStatus,
    FreeChoiceOutcome,
)
from ._common import (
    bump,
    case_assign,
    event_date_check,
    locked_case,
    locked_child,
    offer_in,
    provider_in,
    standard_on,
    today,
)


def decision_reasoning(
    offer: Offer,
    offer_result: dict[str, Any],
    outcome: str,
    note: str,
    *,
    standard: Standard | None = None,
) -> str:
    """Forvaltningsloven §§ 22–24: the legal rules, the main facts and the assessment. With
    the `standard`, each citation carries the seed's own wording where it differs."""
    verb = "bevilget" if outcome == DecisionOutcome.GRANTED else "ikke bevilget"
    bases = with_seed_wording(standard, offer.legal_basis) if standard else offer.legal_basis
    met = [r["text"] for r in offer_result["reasons"] if r["met"] is True]
    failed = [r["text"] for r in offer_result["reasons"] if r["met"] is False]
    unknown = [r["text"] for r in offer_result["reasons"] if r["met"] is None]
    lines = [
        f"Du er {verb} {offer.title}.",
        f"Afgørelsen er truffet efter {', '.join(bases)}.",
    ]
    if met:
        lines.append("Vi har lagt vægt på, at: " + "; ".join(met) + ".")
    if failed:
        lines.append("Betingelserne er ikke opfyldt, fordi det ikke er tilfældet, at: ")
        lines[-1] += "; ".join(failed) + "."
    if unknown:
        lines.append("Vi mangler oplysninger om: " + "; ".join(unknown) + ".")
    if note.strip():
        lines.append(note.strip())
    return "\n".join(lines)


def decision_record(
    *,
    actor: Any,
    case_id: int,
    version: int,
    offer: str,
    outcome: str,
    decided_on: dt.date,
    send_channel: str = "digital_post",
    provider: str | None = None,
    free_choice_requested: str = "",
    free_choice_outcome: str = FreeChoiceOutcome.NOT_REQUESTED,
    override_reason: str = "",
    note: str = "",
    send_letter: bool = True,  # False: the caller sends its own (a correction's letter)
) -> Decision:
    """Grant or refuse one offer on the latest evaluation. Granting an offer the evaluation
    does not find eligible needs an override reason; no reason lifts an action of the
    standard that blocks grants (e.g. a minor's missing consent). The complaint route
    follows the offer and the citizen's substances in the evaluated assessment, its deadline
    how the letter is sent."""
    if outcome not in DecisionOutcome.values:
        raise Invalid(f"Ukendt udfald '{outcome}' (granted eller refused).", field="outcome")
    if send_channel not in rules.CHANNELS:
        raise Invalid(
            f"Ukendt forsendelse '{send_channel}' (en af {', '.join(rules.CHANNELS)}).",
            field="send_channel",
        )
    if free_choice_outcome not in FreeChoiceOutcome.values:
        raise Invalid(f"Ukendt udfald '{free_choice_outcome}'.", field="free_choice_outcome")
    if free_choice_requested and free_choice_outcome == FreeChoiceOutcome.NOT_REQUESTED:
        raise Invalid(
            "Borgeren har ønsket et andet tilbud: angiv om ønsket imødekommes.",
            field="free_choice_outcome",
        )
    with transaction.atomic():
        case = locked_case(
            actor=actor, case_id=case_id, version=version, action=Action.DECISION_RECORD
        )
        evaluation = case.evaluations.order_by("-created_at", "-id").first()
        if evaluation is None:
            raise Invalid("Sagen er ikke udredt: registrér udredningen først.", field="offer")
        compiled = standard_on(case.municipality.slug, evaluation.evaluated_on)
        chosen = offer_in(compiled, offer)
        result = evaluation.offer_result(offer)
        blockers = rules.grant_blockers(compiled, offer, evaluation.result)
        if outcome == DecisionOutcome.GRANTED and blockers:
            raise Invalid(
                f"{chosen.title} kan ikke bevilges, heller ikke ved at fravige visitationen, "
                "så længe dette udestår: " + " ".join(blockers),
                field="outcome",
            )
        if (
            outcome == DecisionOutcome.GRANTED
            and result["status"] != "eligible"
            and not override_reason.strip()
        ):
            raise Invalid(
                f"{chosen.title} kan ikke bevilges efter visitationen "
                f"({result['status']}); skriv en begrundelse for at fravige den.",
                field="override_reason",
            )
        # dated ahead, the letter would go out with a complaint deadline months away and no
        # course could start before it
        event_date_check(
            decided_on,
            field="decided_on",
            what="Afgørelsens dato",
            follows=((evaluation.evaluated_on, "udredningen"),),
        )
        received = rules.received_on(decided_on, send_channel)
        facts = evaluation.assessment.facts
        routes = rules.complaint_routes(compiled.standard, chosen, facts)
        deadline = rules.complaint_deadline(compiled.standard, chosen, received, facts)
        chosen_provider = provider_in(provider, case.municipality) or case.provider
        decision = Decision.objects.create(
            case=case,
            evaluation=evaluation,
            offer=offer,
            outcome=outcome,
            evaluation_status=result["status"],
            reasoning=decision_reasoning(chosen, result, outcome, note, standard=compiled.standard),
            override_reason=override_reason.strip(),
            legal_basis=list(chosen.legal_basis),
            provider=chosen_provider,
            free_choice_requested=free_choice_requested,
            free_choice_outcome=free_choice_outcome,
            decided_on=decided_on,
            sent_on=decided_on,
            send_channel=send_channel,
            received_on=received,
            complaint_route=routes.route_id,
            complaint_deadline=deadline.date if deadline else None,
            standard_version=evaluation.standard_version,
            decided_by=actor,
        )
        if outcome == DecisionOutcome.GRANTED and chosen_provider and not case.provider_id:
            case_assign(case, provider=chosen_provider)
        if case.caseworker_id is None and actor.staff.role == "caseworker":
            case_assign(case, caseworker=actor)
        if send_letter:
            letter_for_decision(decision=decision, actor=actor)
        bump(case, status=CaseStatus.DECIDED if case.status in ("contact", "assessment") else None)
        audit_record(
            actor=actor,
            event=Event.DECISION_RECORDED,
            write=True,
            case_id=case.pk,
            obj=decision,
            new={
                "offer": offer,
                "outcome": outcome,
                "evaluation_status": result["status"],
                "override_reason": decision.override_reason,
                "complaint_route": routes.route_id,
                "complaint_deadline": deadline.date.isoformat() if deadline else None,
            },
        )
    return decision


# --- withdrawal and correction ------------------------------------------------------------------
# A decision found wrong is withdrawn (tilbagekaldt) or corrected (a new decision replaces it).
# Either way it stays on the case, in its timeline and in the log, and no longer counts as the
# basis of a course or a place on the waitlist. The reading of the law: docs/decisions.md.

#: How a decision that no longer stands is named in a sentence.
NO_LONGER = {DecisionStatus.WITHDRAWN: "tilbagekaldt", DecisionStatus.CORRECTED: "ændret"}


def _changeable(*, actor: Any, decision_id: int, version: int) -> tuple[Decision, Case]:
    """The decision, with its case locked at the version the actor saw, if it still stands.
    The same roles withdraw and correct as decide."""
    decision, case = locked_child(
        Decision,
        actor=actor,
        pk=decision_id,
        version=version,
        action=Action.DECISION_RECORD,
        path="case__",
        what="Afgørelse",
    )
    if decision.status != DecisionStatus.ACTIVE:
        raise Invalid(
            f"Afgørelsen er allerede {NO_LONGER[DecisionStatus(decision.status)]} "
            f"({decision.withdrawn_on:%d.%m.%Y}).",
            field="decision_id",
        )
    return decision, case


def _resting(decision: Decision) -> list[Course]:
    """The active courses that rest on the decision."""
    return list(
        Course.objects.filter(decision=decision, status=CourseStatus.ACTIVE).order_by("started_on")
    )


def _course_named(course: Course, case: Case) -> str:
    compiled = standard_on(case.municipality.slug, course.started_on)
    offer = compiled.standard.offer(course.offer)
    return f"{offer.title if offer else course.offer} (startet {course.started_on:%d.%m.%Y})"


def _dated(on: dt.date | None, decision: Decision, field: str) -> dt.date:
    """The day of the withdrawal or correction: not before the decision, not after today."""
    day = on or today()
    event_date_check(
        day, field=field, what="Datoen", follows=((decision.decided_on, "afgørelsen"),)
    )
    return day


def decision_withdraw(
    *,
    actor: Any,
    decision_id: int,
    version: int,
    reason: str,
    withdrawn_on: dt.date | None = None,
    send_channel: str = "digital_post",
) -> Decision:
    """Withdraw a decision (tilbagekaldelse) with a reason, from `withdrawn_on` (today if
    left out). Refused while an active course rests on it: end that course first. The
    citizen gets a letter with the reason and complaint guidance along the decision's route,
    the withdrawal being a decision of its own, with its own deadline."""
    if not reason.strip():
        raise Invalid("Skriv hvorfor afgørelsen tilbagekaldes.", field="reason")
    if send_channel not in rules.CHANNELS:
        raise Invalid(
            f"Ukendt forsendelse '{send_channel}' (en af {', '.join(rules.CHANNELS)}).",
            field="send_channel",
        )
    with transaction.atomic():
        decision, case = _changeable(actor=actor, decision_id=decision_id, version=version)
        day = _dated(withdrawn_on, decision, "withdrawn_on")
        resting = _resting(decision)
        if resting:
            raise Invalid(
                f"Forløbet {_course_named(resting[0], case)} bygger på afgørelsen: afslut "
                "forløbet, før afgørelsen tilbagekaldes.",
                field="decision_id",
            )
        route = standard_on(case.municipality.slug, decision.decided_on).standard.complaint_route(
            decision.complaint_route or None
        )
        received = rules.received_on(day, send_channel)
        deadline = (
            rules.deadline_in_weeks(received, route.deadline_weeks).date
            if route is not None and route.appealable and route.deadline_weeks
            else None
        )
        decision.status = DecisionStatus.WITHDRAWN
        decision.withdrawn_on = day
        decision.withdrawn_at = timezone.now()
        decision.withdrawn_by = actor
        decision.withdrawal_reason = reason.strip()
        decision.withdrawal_complaint_deadline = deadline
        decision.save(
            update_fields=[
                "status",
                "withdrawn_on",
                "withdrawn_at",
                "withdrawn_by",
                "withdrawal_reason",
                "withdrawal_complaint_deadline",
            ]
        )
        standing = case.decisions.filter(status=DecisionStatus.ACTIVE).exists()
        # no decision stands any more: the case waits for one again
        waits = case.status == CaseStatus.DECIDED and not standing
        bump(case, status=CaseStatus.ASSESSMENT if waits else None)
        letter_for_withdrawal(decision=decision, actor=actor, received=received)
        audit_record(
            actor=actor,
            event=Event.DECISION_WITHDRAWN,
            write=True,
            case_id=case.pk,
            obj=decision,
            old={"status": DecisionStatus.ACTIVE},
            new={
                "status": decision.status,
                "withdrawn_on": day.isoformat(),
                "reason": decision.withdrawal_reason,
                "complaint_deadline": deadline.isoformat() if deadline else None,
            },
        )
    return decision


#: What a correction may change, as the audit log names it.
CORRECTED_FIELDS = (
    "offer",
    "outcome",
    "provider_id",
    "free_choice_requested",
    "free_choice_outcome",
    "override_reason",
    "reasoning",
)


def decision_correct(
    *,
    actor: Any,
    decision_id: int,
    version: int,
    reason: str,
    decided_on: dt.date | None = None,
    offer: str | None = None,
    outcome: str | None = None,
    send_channel: str = "digital_post",
    provider: str | None = None,
    free_choice_requested: str | None = None,
    free_choice_outcome: str | None = None,
    override_reason: str | None = None,
    note: str = "",
) -> Decision:
    """Correct a decision: a new decision (dated `decided_on`, today if left out) on the
    latest evaluation replaces it, with its own reasoning and complaint deadline, and the old
    one is marked corrected, pointing to it. What is left out is as in the old decision (the
    note: none). An active course on the old decision moves to the new one if that grants
    the same offer; otherwise the correction is refused until the course has ended. The
    citizen gets the new decision in full, saying what changed and why (`Ændret afgørelse`)."""
    if not reason.strip():
        raise Invalid("Skriv hvorfor afgørelsen ændres.", field="reason")
    with transaction.atomic():
        old, case = _changeable(actor=actor, decision_id=decision_id, version=version)
        day = _dated(decided_on, old, "decided_on")
        offer = offer or old.offer
        outcome = outcome or old.outcome
        resting = _resting(old)
        if resting and (outcome != DecisionOutcome.GRANTED or offer != old.offer):
            raise Invalid(
                f"Forløbet {_course_named(resting[0], case)} bygger på afgørelsen: den ændrede "
                "afgørelse skal bevilge samme tilbud, ellers skal forløbet afsluttes først.",
                field="offer" if offer != old.offer else "outcome",
            )
        new = decision_record(
            actor=actor,
            case_id=case.pk,
            version=case.version,
            offer=offer,
            outcome=outcome,
            decided_on=day,
            send_channel=send_channel,
            provider=provider if provider is not None else getattr(old.provider, "slug", None),
            free_choice_requested=old.free_choice_requested
            if free_choice_requested is None
            else free_choice_requested,
            free_choice_outcome=free_choice_outcome or old.free_choice_outcome,
            override_reason=old.override_reason if override_reason is None else override_reason,
            note=note,
            send_letter=False,
        )
        old.status = DecisionStatus.CORRECTED
        old.replaced_by = new
        old.withdrawn_on = day
        old.withdrawn_at = timezone.now()
        old.withdrawn_by = actor
        old.withdrawal_reason = reason.strip()
        old.save(
            update_fields=[
                "status",
                "replaced_by",
                "withdrawn_on",
                "withdrawn_at",
                "withdrawn_by",
                "withdrawal_reason",
            ]
        )
        moved = [c.pk for c in resting]
        Course.objects.filter(pk__in=moved).update(decision=new)
        letter_for_correction(decision=new, replaced=old, actor=actor)
        audit_record(
            actor=actor,
            event=Event.DECISION_CORRECTED,
            write=True,
            case_id=case.pk,
            obj=old,
            old={"status": DecisionStatus.ACTIVE, **{f: getattr(old, f) for f in CORRECTED_FIELDS}},
            new={
                "status": old.status,
                "replaced_by": new.pk,
                "reason": old.withdrawal_reason,
                "complaint_deadline": new.complaint_deadline.isoformat()
                if new.complaint_deadline
                else None,
                "courses_moved": moved,
                **{f: getattr(new, f) for f in CORRECTED_FIELDS},
            },
        )
    return new
