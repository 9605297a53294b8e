"""Warnings ahead of deadlines: what `rusmiddel due [--notify]` runs from cron every morning.

Each kind of deadline is warned a number of days ahead; a deadline is warned once. The
warning goes to the case's caseworker, or, where there is none, to the staff who can see
the case and act on it (therapists and substance consultants of the municipality, or the
provider's staff); authority roles are never told of anonymous cases.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from rusmiddel.accounts.models import Role, StaffProfile

from .models import Deadline, DeadlineKind, Notification

#: How many days ahead each kind is warned about (the guarantee is only 14 days long).
WARN_DAYS = {
    DeadlineKind.TREATMENT_GUARANTEE: 3,
    DeadlineKind.COMPLAINT_REASSESSMENT: 7,
    DeadlineKind.FOLLOW_UP: 7,
    DeadlineKind.STATUS_REPORT: 7,
}
ACTING_ROLES = (Role.THERAPIST, Role.SUBSTANCE_CONSULTANT, Role.CASEWORKER)


@dataclass(frozen=True)
class DueRow:
    municipality: str
    case_number: str
    kind: str
    due_on: dt.date
    days_left: int
    text: str


def due_rows(*, today: dt.date, horizon_days: int = 14) -> list[DueRow]:
    """Every open deadline in every municipality due within the horizon (overdue included)."""
    rows = (
        Deadline.objects.filter(
            met_on__isnull=True, due_on__lte=today + dt.timedelta(days=horizon_days)
        )
        .select_related("municipality", "case")
        .order_by("municipality__slug", "due_on", "pk")
    )
    return [
        DueRow(
            d.municipality.slug, d.case.number, d.kind, d.due_on, (d.due_on - today).days, d.text
        )
        for d in rows
    ]


def _recipients(deadlines: list[Deadline]) -> dict[int, list[int]]:
    """Deadline id → user ids to warn, in three queries whatever the number of deadlines."""
    municipalities = {d.municipality_id for d in deadlines}
    providers = {d.provider_id for d in deadlines if d.provider_id}
    staff = StaffProfile.objects.filter(
        Q(municipality_id__in=municipalities, role__in=ACTING_ROLES)
        | Q(provider_id__in=providers, role=Role.PROVIDER_STAFF),
        user__is_active=True,
    ).values_list("user_id", "municipality_id", "role", "provider_id")
    by_municipality: dict[int, list[tuple[int, str]]] = defaultdict(list)
    by_provider: dict[int, list[int]] = defaultdict(list)
    for user_id, municipality_id, role, provider_id in staff:
        if role == Role.PROVIDER_STAFF:
            by_provider[provider_id].append(user_id)
        else:
            by_municipality[municipality_id].append((user_id, role))
    result = {}
    for d in deadlines:
        if d.caseworker_id and not d.anonymous:
            result[d.pk] = [d.caseworker_id]
            continue
        treatment = [
            u
            for u, role in by_municipality[d.municipality_id]
            if role != Role.CASEWORKER or not d.anonymous
        ]
        result[d.pk] = by_provider.get(d.provider_id, []) + treatment
    return result


@transaction.atomic
def due_notify(*, today: dt.date) -> int:
    """Warn about every open deadline inside its warning window not warned before; returns the
    number of warnings made. Safe to run more than once a day."""
    window = Q()
    for kind, days in WARN_DAYS.items():
        window |= Q(kind=kind, due_on__lte=today + dt.timedelta(days=days))
    deadlines = list(
        Deadline.objects.select_for_update()
        .filter(window, met_on__isnull=True, warned_at__isnull=True)
        .order_by("pk")
    )
    if not deadlines:
        return 0
    recipients = _recipients(deadlines)
    made = Notification.objects.bulk_create(
        [
            Notification(recipient_id=user_id, deadline=d)
            for d in deadlines
            for user_id in dict.fromkeys(recipients[d.pk])
        ],
        ignore_conflicts=True,
    )
    Deadline.objects.filter(pk__in=[d.pk for d in deadlines]).update(warned_at=timezone.now())
    return len(made)
