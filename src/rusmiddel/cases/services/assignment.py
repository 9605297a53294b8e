"""Who holds a case: its caseworker (the authority's sagsbehandler).

A case opened by a caseworker is theirs; one opened by the citizen, a therapist or provider
staff starts without a caseworker ("Ikke tildelt") until a caseworker takes it or the head of
unit gives it to one. The deadlines keep a copy of the caseworker (the due list per
caseworker reads it), so both change together.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from rusmiddel.accounts.models import Role
from rusmiddel.accounts.permissions import ASSIGNS_ANY_CASEWORKER, Action
from rusmiddel.audit.models import Event
from rusmiddel.audit.services import audit_record

from ..errors import Forbidden, Invalid
from ..models import Case

# `_common.case_assign` sets the case's holders (provider, caseworker) and their copies on the
# deadlines, with no checks: this module's `case_assign` is the service around it
from ._common import bump, locked_case
from ._common import case_assign as holders_set


def _name(user: Any) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def assignable_caseworkers(*, municipality_id: int) -> Any:
    """The active caseworkers of the municipality, by name: whom a case can be given to."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True, staff__role=Role.CASEWORKER, staff__municipality_id=municipality_id
        )
        .order_by("first_name", "last_name", "username")
    )


def case_assign(*, actor: Any, case_id: int, version: int, caseworker_id: int | None) -> Case:
    """Give the case to the caseworker `caseworker_id`, or to no one (None).

    A caseworker moves a case only between no one and themselves: takes an unassigned case
    ("Tag sagen") or gives their own back; a case held by another caseworker is the head of
    unit's to move (403). The head of unit (`ASSIGNS_ANY_CASEWORKER`) gives any case to any
    active caseworker of the municipality, or to no one. Anyone else named is refused (422,
    field `caseworker_id`, the same for another municipality's staff as for no one). A case
    already held by the one named: nothing is written. Otherwise, in one transaction: the
    case and its deadlines' copies, the case's version counted and the audit entry with the
    old and new caseworker. A stale `version` answers 409; a case the actor may not see, 404.
    """
    with transaction.atomic():
        case = locked_case(
            actor=actor, case_id=case_id, version=version, action=Action.CASE_ASSIGN
        )
        if caseworker_id == case.caseworker_id:
            return case
        if actor.staff.role not in ASSIGNS_ANY_CASEWORKER:
            if caseworker_id not in (None, actor.pk):
                raise Forbidden(
                    "Du kan kun selv tage en sag; det er lederen, der giver en sag til en anden "
                    "sagsbehandler."
                )
            if case.caseworker_id is not None and case.caseworker_id != actor.pk:
                raise Forbidden(
                    f"Sagen er tildelt {_name(case.caseworker)}; kun en leder kan flytte den."
                )
        assignee = None
        if caseworker_id is not None:
            assignee = assignable_caseworkers(municipality_id=case.municipality_id).filter(
                pk=caseworker_id
            ).first()
            if assignee is None:
                raise Invalid(
                    f"Der er ingen aktiv sagsbehandler med id {caseworker_id} i kommunen.",
                    field="caseworker_id",
                )
        previous = case.caseworker if case.caseworker_id else None
        holders_set(case, caseworker=assignee)
        bump(case)
        audit_record(
            actor=actor,
            event=Event.CASE_ASSIGNED,
            write=True,
            case_id=case.pk,
            obj=case,
            old={
                "caseworker_id": previous.pk if previous else None,
                "caseworker": previous.get_username() if previous else None,
            },
            new={
                "caseworker_id": assignee.pk if assignee else None,
                "caseworker": assignee.get_username() if assignee else None,
            },
        )
    return case
