"""Which rows a user may see: every query for personal data starts here."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from rusmiddel.accounts.models import Role
from rusmiddel.accounts.permissions import Action, may, sees_anonymous

from .errors import Forbidden, NotFound
from .models import Case, Deadline


def staff_of(user: Any):
    """The user's StaffProfile, or None (anonymous users, users without a role)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "staff", None)


def case_filter(user: Any, prefix: str = "") -> Q | None:
    """The Q that limits `Case` rows (reached through `prefix`) to what `user` may read;
    None when the user may read no case at all."""
    staff = staff_of(user)
    if staff is None or not may(staff.role, Action.CASE_READ):
        return None
    q = Q(**{f"{prefix}municipality_id": staff.municipality_id})
    if staff.role == Role.PROVIDER_STAFF:
        # a provider may serve several municipalities: its staff see their own one's referrals
        return q & Q(**{f"{prefix}provider_id": staff.provider_id})
    if not sees_anonymous(staff.role):
        return q & Q(**{f"{prefix}anonymous": False})
    # anonymous cases only where the municipality itself treats them (its own centre)
    return q & (
        Q(**{f"{prefix}anonymous": False})
        | Q(**{f"{prefix}provider__isnull": True})
        | Q(**{f"{prefix}provider__kind": "own"})
    )


def visible_cases(user: Any) -> QuerySet[Case]:
    q = case_filter(user)
    return Case.objects.none() if q is None else Case.objects.filter(q)


def visible_deadlines(user: Any) -> QuerySet[Deadline]:
    """Open and met deadlines on cases the user may read (the deadline row carries copies of
    the case's municipality, provider and anonymity, so no join is needed)."""
    q = case_filter(user)
    return Deadline.objects.none() if q is None else Deadline.objects.filter(q)


def require(user: Any, action: Action) -> Any:
    """The user's StaffProfile when the role may do `action`; Forbidden otherwise."""
    staff = staff_of(user)
    if staff is None or not may(staff.role, action):
        role = staff.get_role_display() if staff else "uden rolle"
        raise Forbidden(f"Din rolle ({role}) må ikke udføre denne handling.")
    return staff


def not_found(what: str, ident: Any) -> NotFound:
    return NotFound(f"{what} {ident} findes ikke.", field=None)
