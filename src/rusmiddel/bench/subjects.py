"""What the bench looks at, chosen by query so that it works on any dataset (synth at every
scale, the demo data): the busiest municipality, a user per role there, the caseworker's
busiest named case in course, a course of it, a group."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

BENCH_SLUG = "koebenhavn"  # the synth bench municipality, at every scale
ROLES = ("caseworker", "therapist", "head_of_unit", "administrator")


class NoData(Exception):
    """The database holds nothing to measure (not migrated, or no cases)."""


@dataclass
class Subjects:
    municipality: Any
    users: dict[str, Any]  # role -> user
    case: Any
    course: Any
    group: Any | None


def has_cases() -> bool:
    from django.db import DatabaseError

    from rusmiddel.cases.models import Case

    try:
        return Case.objects.exists()
    except DatabaseError:  # no such database or tables
        return False


def choose() -> Subjects:
    from django.db.models import Count, Q

    from rusmiddel.accounts.models import Municipality, StaffProfile
    from rusmiddel.cases.models import Case, Course
    from rusmiddel.groups.models import Group

    municipality = Municipality.objects.filter(slug=BENCH_SLUG, cases__isnull=False).first()
    if municipality is None:
        municipality = (
            Municipality.objects.annotate(n=Count("cases")).filter(n__gt=0).order_by("-n", "pk")
        ).first()
    if municipality is None:
        raise NoData("no cases")
    staff = StaffProfile.objects.filter(municipality=municipality).select_related("user")
    users: dict[str, Any] = {}
    for role in ROLES:
        people = staff.filter(role=role, user__is_active=True)
        if role == "caseworker":
            # the one with the most open cases: the heaviest caseload page
            people = people.annotate(
                n=Count("user__cases", filter=~Q(user__cases__status="ended"))
            ).order_by("-n", "pk")
        else:
            people = people.order_by("pk")
        profile = people.first()
        if profile is None:
            raise NoData(f"no active {role} in {municipality.slug}")
        users[role] = profile.user
    cases = Case.objects.filter(municipality=municipality, anonymous=False)
    ranked = cases.annotate(n=Count("courses__sessions")).order_by("-n", "pk")
    case = (
        ranked.filter(caseworker=users["caseworker"], status="in_course").first()
        or ranked.filter(status="in_course").first()
        or ranked.first()
    )
    course = (
        Course.objects.filter(case=case).annotate(n=Count("sessions")).order_by("-n", "-pk")
    ).first() or (
        Course.objects.filter(case__municipality=municipality)
        .annotate(n=Count("sessions"))
        .order_by("-n", "pk")
        .first()
    )
    if case is None or course is None:
        raise NoData(f"no named case with a course in {municipality.slug}")
    group = (
        Group.objects.filter(municipality=municipality)
        .annotate(n=Count("session"))
        .order_by("-n", "pk")
        .first()
    )
    return Subjects(municipality, users, case, course, group)
