"""Complaints (klager): registered along the decision's route, reassessed by the
municipality and forwarded if upheld."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from rusmiddel import rules
from rusmiddel.accounts.permissions import Action
from rusmiddel.audit.models import Event
from rusmiddel.audit.services import audit_record

from ..errors import Invalid
from ..models import (
    Complaint,
    ComplaintStatus,
    DeadlineKind,
    DecisionStatus,
)
from ._common import (
    bump,
    deadline_add,
    deadlines_meet,
    event_date_check,
    locked_case,
    locked_child,
    standard_on,
)


def complaint_receive(
    *,
    actor: Any,
    case_id: int,
    version: int,
    decision_id: int,
    received_on: dt.date,
    text: str,
) -> Complaint:
    """Register a complaint of a decision along its route; the municipality must reassess
    (and forward, if it upholds the decision) within the route's weeks (four)."""
    if not text.strip():
        raise Invalid("Skriv hvad klagen går ud på.", field="text")
    with transaction.atomic():
        case = locked_case(
            actor=actor, case_id=case_id, version=version, action=Action.COMPLAINT_HANDLE
        )
        decision = case.decisions.filter(pk=decision_id).first()
        if decision is None:
            raise Invalid(f"Afgørelse {decision_id} findes ikke på sagen.", field="decision_id")
        if decision.status == DecisionStatus.CORRECTED:  # the complaint is of the new one
            raise Invalid(
                f"Afgørelsen er ændret ved afgørelse {decision.replaced_by_id}: registrér klagen "
                "over den.",
                field="decision_id",
            )
        # a withdrawn decision: the complaint is of the withdrawal, with its own deadline
        deadline = (
            decision.withdrawal_complaint_deadline
            if decision.status == DecisionStatus.WITHDRAWN
            else decision.complaint_deadline
        )
        compiled = standard_on(case.municipality.slug, decision.decided_on)
        route = compiled.standard.complaint_route(decision.complaint_route or None)
        if route is None or not route.appealable:
            raise Invalid(
                "Der er ikke klageadgang over denne afgørelse"
                + (f": {route.deadline_text}" if route else " (anonym behandling)."),
                field="decision_id",
            )
        event_date_check(
            received_on,
            field="received_on",
            what="Klagens modtagelse",
            follows=((decision.decided_on, "afgørelsen"),),
        )
        reassess_by = rules.deadline_in_weeks(received_on, rules.reassessment_weeks(route)).date
        complaint = Complaint.objects.create(
            case=case,
            decision=decision,
            route=route.id,
            received_on=received_on,
            within_deadline=deadline is None or received_on <= deadline,
            text=text.strip(),
            reassess_by=reassess_by,
            recorded_by=actor,
        )
        if route.reassessment:
            deadline_add(
                case,
                kind=DeadlineKind.COMPLAINT_REASSESSMENT,
                due_on=reassess_by,
                text=f"Genvurdér klagen og send den evt. videre senest {reassess_by:%d.%m.%Y}",
                source=complaint,
            )
        bump(case)
        audit_record(
            actor=actor,
            event=Event.COMPLAINT_RECEIVED,
            write=True,
            case_id=case.pk,
            obj=complaint,
            new={"route": route.id, "within_deadline": complaint.within_deadline},
        )
    return complaint


def complaint_reassess(
    *,
    actor: Any,
    complaint_id: int,
    version: int,
    reassessed_on: dt.date,
    upheld: bool,
    text: str,
) -> Complaint:
    """The municipality's reassessment: changed in the citizen's favour, or upheld and
    forwarded to the route's next instance (Ankestyrelsen)."""
    if not text.strip():
        raise Invalid("Skriv genvurderingen.", field="text")
    with transaction.atomic():
        complaint, case = locked_child(
            Complaint,
            actor=actor,
            pk=complaint_id,
            version=version,
            action=Action.COMPLAINT_HANDLE,
            path="case__",
            what="Klage",
        )
        if complaint.status != ComplaintStatus.RECEIVED:
            raise Invalid("Klagen er allerede genvurderet.", field="complaint_id")
        event_date_check(
            reassessed_on,
            field="reassessed_on",
            what="Genvurderingens dato",
            follows=((complaint.received_on, "klagens modtagelse"),),
        )
        compiled = standard_on(case.municipality.slug, complaint.decision.decided_on)
        route = compiled.standard.complaint_route(complaint.route)
        complaint.status = ComplaintStatus.FORWARDED if upheld else ComplaintStatus.CHANGED
        complaint.forwarded_to = (route.forwards_to or "") if upheld and route else ""
        complaint.reassessed_on = reassessed_on
        complaint.reassessment_text = text.strip()
        complaint.save()
        deadlines_meet(
            case, DeadlineKind.COMPLAINT_REASSESSMENT, reassessed_on, source_id=complaint.pk
        )
        bump(case)
        audit_record(
            actor=actor,
            event=Event.COMPLAINT_REASSESSED,
            write=True,
            case_id=case.pk,
            obj=complaint,
            new={"status": complaint.status, "forwarded_to": complaint.forwarded_to},
        )
    return complaint
