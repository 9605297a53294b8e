"""What the API shows of a case: written out field by field, so that nothing personal leaves
by accident. An anonymous case has no citizen block at all, only the chosen pseudonym."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rusmiddel.cases.models import (
    Case,
    Citizen,
    Course,
    Deadline,
    DeadlineKind,
    Decision,
    RegionReferral,
)
from rusmiddel.outcomes.key_facts import key_facts_json as _key_facts
from rusmiddel.outcomes.models import KeyFacts
from rusmiddel.rules import integrated_treatment
from rusmiddel.rules.end_outcomes import goal_met


def _d(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _person(case: Case) -> dict[str, Any]:
    if case.anonymous:
        return {"anonymous": True, "pseudonym": case.pseudonym}
    citizen = case.citizen
    return {
        "anonymous": False,
        # with its id and version: what PATCH /api/citizens/{id} takes
        "citizen": citizen_json(citizen) if citizen else None,
    }


def citizen_json(citizen: Citizen) -> dict[str, Any]:
    return {
        "id": citizen.pk,
        "version": citizen.version,
        "name": citizen.name,
        "cpr": citizen.cpr,
        "birth_date": _d(citizen.birth_date),
        "phone": citizen.phone,
        "email": citizen.email,
        "address": citizen.address,
    }


def case_summary(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "number": case.number,
        "status": case.status,
        "version": case.version,
        "person_role": case.person_role,
        "provider": case.provider.slug if case.provider else None,
        "caseworker": case.caseworker.get_username() if case.caseworker else None,
        "updated_at": _d(case.updated_at),
        **_person(case),
    }


def decision_json(d: Decision, *, replaces: int | None = None) -> dict[str, Any]:
    """A decision; `replaces`: the decision this one corrected (the reverse of the old one's
    `replaced_by_id`, given by the caller, which has it without a query)."""
    return {
        "id": d.pk,
        "offer": d.offer,
        "outcome": d.outcome,
        "evaluation_status": d.evaluation_status,
        "legal_basis": d.legal_basis,
        "reasoning": d.reasoning,
        "override_reason": d.override_reason,
        "provider": d.provider.slug if d.provider else None,
        "free_choice_requested": d.free_choice_requested,
        "free_choice_outcome": d.free_choice_outcome,
        "decided_on": _d(d.decided_on),
        "send_channel": d.send_channel,
        "received_on": _d(d.received_on),
        "complaint_route": d.complaint_route or None,
        "complaint_deadline": _d(d.complaint_deadline),
        "standard_version": d.standard_version,
        # active, withdrawn or corrected: only an active decision is the basis of a course
        "status": d.status,
        "withdrawn_on": _d(d.withdrawn_on),  # the day a withdrawn or corrected one stopped
        "withdrawal_reason": d.withdrawal_reason or None,
        "withdrawal_complaint_deadline": _d(d.withdrawal_complaint_deadline),
        "replaced_by_id": d.replaced_by_id,
        "replaces_id": replaces,
    }


def course_json(c: Course) -> dict[str, Any]:
    return {
        "id": c.pk,
        "offer": c.offer,
        "provider": c.provider.slug if c.provider else None,
        "status": c.status,
        "decision_id": c.decision_id,
        "previous_id": c.previous_id,
        "started_on": _d(c.started_on),
        "ended_on": _d(c.ended_on),
        "end_reason": c.end_reason or None,
        "substance": c.substance or None,
        "outcome": c.outcome or None,
        # the government's goal category the outcome counts as met under (None: no goal met)
        "goal_met": goal_met(c.substance, c.outcome) if c.outcome else None,
        # use, housing and occupation by moment: start, end, follow_up_1, follow_up_6
        "key_facts": {k.moment: key_facts_json(k) for k in c.key_facts.all()},
        "plans": [
            {
                "version": p.version,
                "goal": p.goal,
                "goals_text": p.goals_text,
                "agreed_on": _d(p.agreed_on),
            }
            for p in c.plans.all()
        ],
        "sessions": [
            {
                "id": s.pk,
                "starts_at": _d(s.starts_at),
                "ends_at": _d(s.ends_at),
                "group_id": s.group_id,
                "attendance": s.attendance or None,
            }
            for s in c.sessions.all()
        ],
        "status_reports": [
            {"id": r.pk, "kind": r.kind, "text": r.text, "submitted_on": _d(r.submitted_on)}
            for r in c.status_reports.all()
        ],
        "follow_ups": [
            {
                "id": f.pk,
                "months": f.months,
                "due_on": _d(f.due_on),
                "done_on": _d(f.done_on),
                "channel": f.channel or None,
                "reached": f.reached,
                "outcome": f.outcome or None,
            }
            for f in c.follow_ups.all()
        ],
        "self_payments": [p.calculation for p in c.self_payments.all()],
    }


def key_facts_json(k: KeyFacts) -> dict[str, Any]:
    return {"id": k.pk, "course_id": k.course_id, **_key_facts(k)}


def _n(value: Any) -> float | None:
    return None if value is None else float(value)


def fit_json(course: Course, outcomes: Any) -> dict[str, Any]:
    """A course's FIT (`outcomes.selectors.course_outcomes`): scores as JSON numbers."""
    if outcomes is None:
        return {"course_id": course.pk, "instruments": False, "points": [], "ors": None}
    ors = outcomes.ors
    return {
        "course_id": course.pk,
        "instruments": True,
        "points": [
            {
                "session_id": p.session_id,
                "on": _d(p.on),
                "ors": _n(p.ors),
                "srs": _n(p.srs),
                "alliance_concern": p.alliance_concern,
            }
            for p in outcomes.points
        ],
        "ors": {
            "totals": [float(t) for t in ors.totals],
            "cutoff": ors.cutoff,
            "change": _n(ors.change),
            "reliable_improvement": ors.reliable_improvement,
            "reliable_deterioration": ors.reliable_deterioration,
            "no_reliable_change_flag": ors.no_reliable_change_flag,
        }
        if ors
        else None,
        "srs_cutoff": outcomes.srs_cutoff,
    }


def deadline_json(d: Deadline, today: dt.date) -> dict[str, Any]:
    return {
        "id": d.pk,
        "kind": d.kind,
        "case_id": d.case_id,
        "case_number": d.case.number,
        "due_on": _d(d.due_on),
        "days_left": (d.due_on - today).days,
        "text": d.text,
        "met_on": _d(d.met_on),
        # closed without being met, and why (a guarantee handed over to the region)
        "closed_reason": d.closed_reason or None,
    }


def case_detail(case: Case, today: dt.date) -> dict[str, Any]:
    evaluations = list(case.evaluations.all())
    assessments = list(case.assessments.all())
    # the corrected decision each one replaces (old → new is a column of the old one)
    replaced = {d.replaced_by_id: d.pk for d in case.decisions.all() if d.replaced_by_id}
    return {
        **case_summary(case),
        "municipality": case.municipality.slug,
        "related_case_id": case.related_case_id,
        "contacts": [
            {
                "id": c.pk,
                "received_on": _d(c.received_on),
                "channel": c.channel,
                "contact_by": c.contact_by,
                "referrer": c.referrer,
                "wishes_treatment": c.wishes_treatment,
                "requested_offer": c.requested_offer or None,
                "treatment_guarantee": _d(c.guarantee_due),
                "guarantee_basis": c.guarantee_basis,
                # with any details given that differ from the citizen's stored ones
                "note": c.note,
            }
            for c in case.contacts.all()
        ],
        "assessment": {
            "version": assessments[0].version,
            "facts": assessments[0].facts,
            "sections": assessments[0].sections,
            "recorded_at": _d(assessments[0].recorded_at),
        }
        if assessments
        else None,
        "evaluation": {
            "id": evaluations[0].pk,
            "evaluated_on": _d(evaluations[0].evaluated_on),
            "standard_version": evaluations[0].standard_version,
            "result": evaluations[0].result,
        }
        if evaluations
        else None,
        "decisions": [decision_json(d, replaces=replaced.get(d.pk)) for d in case.decisions.all()],
        "courses": [course_json(c) for c in case.courses.all()],
        "complaints": [
            {
                "id": k.pk,
                "decision_id": k.decision_id,
                "route": k.route,
                "received_on": _d(k.received_on),
                "within_deadline": k.within_deadline,
                "status": k.status,
                "reassess_by": _d(k.reassess_by),
                "reassessed_on": _d(k.reassessed_on),
                "forwarded_to": k.forwarded_to or None,
            }
            for k in case.complaints.all()
        ],
        "deadlines": [deadline_json_on_case(d, case, today) for d in case.deadlines.all()],
        # integrated treatment in the regional psychiatry (SUL § 82 c), if referred
        "region_referral": region_referral_json(referral, case.version, case.deadlines.all())
        if (referral := getattr(case, "region_referral", None))
        else None,
        # changes of the citizen's name or contact details: letters go to the new ones
        "citizen_changes": [
            {"changed_at": _d(n.changed_at), "changes": n.changes}
            for n in case.citizen_notices.all()
        ],
    }


def deadline_json_on_case(d: Deadline, case: Case, today: dt.date) -> dict[str, Any]:
    d.case = case  # already loaded: no query per deadline
    return deadline_json(d, today)


def region_referral_json(
    referral: RegionReferral, case_version: int, deadlines: Any
) -> dict[str, Any]:
    """A referral to integrated treatment (`schemas.RegionReferralOut`); `deadlines` are the
    case's (the handed-over guarantees are among them)."""
    return {
        "case_id": referral.case_id,
        "case_version": case_version,
        "referred_on": _d(referral.referred_on),
        "region": referral.region,
        "note": referral.note,
        "accepted_on": _d(referral.accepted_on),
        "region_start_by": _d(integrated_treatment.start_by(referral.referred_on)),
        "handed_over": [
            {
                "deadline_id": d.pk,
                "due_on": _d(d.due_on),
                "text": d.text,
                "closed_on": _d(d.met_on),
                "closed_reason": d.closed_reason,
            }
            for d in deadlines
            if d.kind == DeadlineKind.TREATMENT_GUARANTEE and d.closed_reason
        ],
    }
