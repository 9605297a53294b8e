"""Writing the audit log. Services call `audit_record` inside their own transaction, so a
write and its audit entry commit together or not at all."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .models import AuditEntry, Event


def audit_record(
    *,
    actor: Any,
    event: Event,
    write: bool,
    case_id: int | None = None,
    obj: Any = None,
    why: str = "",
    old: Any = None,
    new: Any = None,
    municipality_id: int | None = None,
) -> AuditEntry:
    """One entry: who (and in which role), what, which case, why, and old/new values."""
    staff = getattr(actor, "staff", None) if actor is not None else None
    return AuditEntry.objects.create(
        actor_id=getattr(actor, "pk", None),
        actor=actor.get_username() if actor is not None else "system",
        role=staff.role if staff else "",
        municipality_id=municipality_id or (staff.municipality_id if staff else None),
        event=event,
        write=write,
        case_id=case_id,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=getattr(obj, "pk", None),
        why=why[:200],
        old=old,
        new=new,
    )


def audit_reads(*, actor: Any, event: Event, case_ids: Iterable[int], why: str = "") -> None:
    """One entry per case read in a list, written in a single INSERT."""
    staff = getattr(actor, "staff", None)
    AuditEntry.objects.bulk_create(
        AuditEntry(
            actor_id=actor.pk,
            actor=actor.get_username(),
            role=staff.role if staff else "",
            municipality_id=staff.municipality_id if staff else None,
            event=event,
            write=False,
            case_id=case_id,
            why=why[:200],
        )
        for case_id in case_ids
    )
