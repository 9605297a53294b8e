"""Writing the audit log. Services call `audit_record` inside their own transaction, so a
write and its audit entry commit together or not at all.

Every append goes through `_append`: it locks the head of the municipality's chain
(`AuditChain`, SELECT … FOR UPDATE), numbers and hashes the new entries in Python and inserts
them in one INSERT; a database trigger moves the head to the last of them (migration
`0008_chain`). One query more per append, whatever the number of entries. The lock is held
until the caller's transaction commits, so appends to one chain take turns; a unique
(municipality, seq) constraint refuses a fork should they ever not.

Why a head row and not a PostgreSQL advisory lock: the row lock works the same on any
database with row locks, the head holds the last hash (no search for the chain's end), and
`audit verify` holds the chain's end to it, so entries cut off the end show too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from .chain import CHAINED_FIELDS, GENESIS, entry_hash
from .models import AuditChain, AuditEntry, Event


def chain_key(municipality_id: int | None) -> int:
    """The chain an entry of `municipality_id` belongs to (0: entries without one)."""
    return municipality_id or 0


def _lock_head(key: int) -> AuditChain:
    head = AuditChain.objects.select_for_update().filter(key=key).first()
    if head is None:  # the chain's first entry: make its head (a concurrent maker wins)
        AuditChain.objects.bulk_create(
            [AuditChain(key=key, seq=0, hash=GENESIS)], ignore_conflicts=True
        )
        head = AuditChain.objects.select_for_update().get(key=key)
    return head


def _append(entries: Sequence[AuditEntry]) -> list[AuditEntry]:
    """Chain and insert `entries` (all of one municipality), in one transaction."""
    if not entries:
        return []
    key = chain_key(entries[0].municipality_id)
    assert all(chain_key(e.municipality_id) == key for e in entries), "one chain per append"
    with transaction.atomic(savepoint=False):
        head = _lock_head(key)
        now = timezone.now()
        seq, prev = head.seq, head.hash
        for entry in entries:
            seq += 1
            entry.at, entry.seq, entry.prev_hash = now, seq, prev
            entry.hash = prev = entry_hash({f: getattr(entry, f) for f in CHAINED_FIELDS})
        return AuditEntry.objects.bulk_create(entries)  # the trigger moves the head


def _who(actor: Any, municipality_id: int | None) -> dict[str, Any]:
    """The acting user's fields of an entry (actor None: the system, which then names the
    municipality)."""
    staff = getattr(actor, "staff", None) if actor is not None else None
    return {
        "actor_id": getattr(actor, "pk", None),
        "actor": actor.get_username() if actor is not None else "system",
        "role": staff.role if staff else "",
        "municipality_id": municipality_id or (staff.municipality_id if staff else None),
    }


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
    entry = AuditEntry(
        **_who(actor, municipality_id),
        event=event,
        write=write,
        case_id=case_id,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=getattr(obj, "pk", None),
        why=why[:200],
        old=old,
        new=new,
    )
    return _append([entry])[0]


def audit_reads(
    *,
    actor: Any,
    event: Event,
    case_ids: Iterable[int],
    why: str = "",
    municipality_id: int | None = None,
) -> None:
    """One entry per case read in a list, written in a single INSERT (actor None: the
    system, e.g. a command-line export, which then names the municipality)."""
    who = _who(actor, municipality_id)
    _append(
        [
            AuditEntry(**who, event=event, write=False, case_id=case_id, why=why[:200])
            for case_id in case_ids
        ]
    )
