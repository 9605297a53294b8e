"""Tenants and staff: municipalities and providers come from the standard files."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction

from rusmiddel.standards import registry

from .models import Municipality, Provider, Role, StaffProfile


@transaction.atomic
def tenants_sync(*, on: dt.date) -> list[Municipality]:
    """A Municipality for every standard in force on `on`, with the providers it names."""
    result = []
    for slug in registry.municipalities():
        standard = registry.load(slug, on).standard
        municipality, _ = Municipality.objects.update_or_create(
            slug=slug, defaults={"name": standard.municipality.name}
        )
        for p in standard.providers:
            provider, _ = Provider.objects.update_or_create(
                slug=p.id, defaults={"name": p.name, "kind": p.kind}
            )
            provider.municipalities.add(municipality)
        result.append(municipality)
    return result


@transaction.atomic
def staff_create(
    *,
    username: str,
    password: str,
    municipality: Municipality,
    role: str,
    provider: Provider | None = None,
    full_name: str = "",
):
    """A staff user with one role in one municipality (provider staff: at one provider)."""
    if role not in Role.values:
        raise ValueError(f"role: unknown role '{role}' (one of {', '.join(Role.values)})")
    first, _, last = full_name.partition(" ")
    user = get_user_model().objects.create_user(
        username=username, password=password, first_name=first, last_name=last
    )
    StaffProfile.objects.create(user=user, municipality=municipality, role=role, provider=provider)
    return user
