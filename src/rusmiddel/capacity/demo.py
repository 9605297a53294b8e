"""Capacity for the demo municipalities: a few places and weekly start slots, set tight so the
waitlist shows both starts in time and a warning (groups bring their own seats)."""

from __future__ import annotations

import datetime as dt

from rusmiddel.accounts.models import Municipality, Provider

from .models import Capacity, CapacityKind

#: (municipality, provider, offer, kind, amount)
DEMO_CAPACITY = [
    ("gentofte", "kabs", "ambulant", CapacityKind.WEEKLY_SLOTS, 1),
    ("gentofte", "kabs", "laegesamtale", CapacityKind.WEEKLY_SLOTS, 2),
    ("gentofte", "privat_leverandoer", "dagbehandling", CapacityKind.PLACES, 3),
    (
        "helsingoer",
        "helsingoer_rusmiddelcenter",
        "individuelle_samtaler",
        CapacityKind.WEEKLY_SLOTS,
        1,
    ),
    (
        "helsingoer",
        "helsingoer_rusmiddelcenter",
        "alkoholbehandling_medicinsk",
        CapacityKind.WEEKLY_SLOTS,
        2,
    ),
    ("helsingoer", "privat_doegnbehandling", "doegnbehandling", CapacityKind.PLACES, 3),
]


def capacity_demo_fill(*, today: dt.date) -> int:
    """Create the demo capacity (valid from a year ago, until further notice); returns how many
    rows were made. An administrator's setup, not a case step: no service writes it."""
    municipalities = {m.slug: m for m in Municipality.objects.all()}
    providers = {p.slug: p for p in Provider.objects.all()}
    rows = [
        Capacity(
            municipality=municipalities[m],
            provider=providers[p],
            offer=offer,
            kind=kind,
            amount=amount,
            valid_from=today - dt.timedelta(days=365),
        )
        for m, p, offer, kind, amount in DEMO_CAPACITY
        if m in municipalities and p in providers
    ]
    return len(Capacity.objects.bulk_create(rows))
