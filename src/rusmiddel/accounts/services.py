"""Tenants and staff: municipalities and providers come from the standard files."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction

from rusmiddel.audit.models import Event
from rusmiddel.audit.services import audit_record
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
    actor=None,
):
    """A staff user with one role in one municipality (provider staff: at one provider of
    that municipality); audited, with `actor` (None: the system, e.g. the CLI) as the author."""
    if role not in Role.values:
        raise ValueError(f"role: unknown role '{role}' (one of {', '.join(Role.values)})")
    if provider is not None and not provider.municipalities.filter(pk=municipality.pk).exists():
        raise ValueError(f"provider: '{provider.slug}' is not a provider of {municipality.slug}")
    first, _, last = full_name.partition(" ")
    user = get_user_model().objects.create_user(
        username=username, password=password, first_name=first, last_name=last
    )
    profile = StaffProfile.objects.create(
        user=user, municipality=municipality, role=role, provider=provider
    )
    audit_record(
        actor=actor,
        event=Event.STAFF_CREATED,
        write=True,
        obj=profile,
        municipality_id=municipality.pk,
        new={"username": username, "role": role, "provider": provider.slug if provider else None},
    )
    return user


@transaction.atomic
def user_set_active(*, actor, user, active: bool):
    """Let a staff user log in again, or not (users are never deleted: the log names them).

    Only an administrator of the user's municipality may; nobody deactivates themself."""
    staff = getattr(actor, "staff", None)
    target = getattr(user, "staff", None)
    if staff is None or staff.role != Role.ADMINISTRATOR:
        raise PermissionError("only an administrator manages users")
    if target is None or target.municipality_id != staff.municipality_id:
        raise LookupError("no such user in this municipality")
    if user.pk == actor.pk and not active:
        raise ValueError("user: you cannot deactivate yourself")
    old = user.is_active
    if old != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            event=Event.STAFF_ACTIVE_CHANGED,
            write=True,
            obj=target,
            old={"username": user.get_username(), "active": old},
            new={"username": user.get_username(), "active": active},
        )
    return user
