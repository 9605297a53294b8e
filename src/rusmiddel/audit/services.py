"""Writing the audit log. Services call `audit_record` inside their own transaction, so a
write and its audit entry commit together or not at all.

Every append goes through `_append`: it locks the head of the municipality's chain
(`AuditChain`, SELECT … FOR UPDATE), numbers the new entries and hashes them with the audit
key (`chain.entry_mac`; the key is in the environment, never in the database) and inserts
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

from django.db import connection, transaction
from django.utils import timezone

from .anchors import Anchor, anchor_write
from .chain import GENESIS, entry_mac
from .keys import audit_key
from .models import AuditChain, AuditEntry, Event
from .selectors import ChainReport, audit_verify


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


def _append(common: dict[str, Any], varying: Sequence[dict[str, Any]]) -> None:
    """Chain and insert one entry per item of `varying` (its fields over `common`'s), all of
    one municipality, in one transaction and one INSERT."""
    if not varying:
        return
    key = chain_key(common["municipality_id"])
    with transaction.atomic(savepoint=False):
        head = _lock_head(key)
        common = {**common, "at": timezone.now()}
        seq, prev, key = head.seq, head.hash, audit_key()
        rows = []
        for fields in varying:
            seq += 1
            row = {**fields, "seq": seq, "prev_hash": prev}
            row["hash"] = prev = entry_mac({**common, **row}, key)
            rows.append(row)
        if connection.vendor == "postgresql":
            _insert_unnest(common, rows)  # the trigger moves the head
        else:
            AuditEntry.objects.bulk_create([AuditEntry(**common, **row) for row in rows])


def _insert_unnest(common: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    """INSERT … SELECT the common values once and the varying ones as one array per column.
    A list read's fifty entries differ only in case, place and hashes; bulk_create prepared
    every field of every row and built a model for each, milliseconds a page."""
    meta, quote = AuditEntry._meta, connection.ops.quote_name
    varying = list(rows[0])
    fixed = [meta.get_field(name) for name in common]
    arrays = [meta.get_field(name) for name in varying]
    columns = ", ".join(quote(f.column) for f in fixed + arrays)
    unnest = ", ".join(f"%s::{f.db_type(connection)}[]" for f in arrays)
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) "
        f"SELECT {', '.join(['%s'] * len(fixed) + [f'u.{quote(f.column)}' for f in arrays])} "
        f"FROM unnest({unnest}) AS u({', '.join(quote(f.column) for f in arrays)})"
    )
    params = [f.get_db_prep_save(common[f.name], connection) for f in fixed]
    params += [[row[f.name] for row in rows] for f in arrays]  # ints and hex text as they are
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


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
) -> None:
    """One entry: who (and in which role), what, which case, why, and old/new values."""
    _append(
        {
            **_who(actor, municipality_id),
            "event": event,
            "write": write,
            "case_id": case_id,
            "object_type": type(obj).__name__ if obj is not None else "",
            "object_id": getattr(obj, "pk", None),
            "why": why[:200],
            "old": old,
            "new": new,
        },
        [{}],
    )


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
    common = {
        **_who(actor, municipality_id),
        "event": event,
        "write": False,
        "object_type": "",
        "object_id": None,
        "why": why[:200],
        "old": None,
        "new": None,
    }
    _append(common, [{"case_id": case_id} for case_id in case_ids])


def audit_anchor(*, municipality_id: int | None = None) -> list[tuple[ChainReport, Anchor | None]]:
    """Verify every chain (or the one of `municipality_id`) and anchor the end of each that
    holds and has grown since its last anchor (`anchors`: a signed line in a file outside the
    database). A broken chain is never anchored. Per chain: its report, and the anchor written
    now (None: none written). Raises OSError when the anchor folder cannot be written."""
    from rusmiddel.accounts.models import Municipality

    names = dict(Municipality.objects.values_list("pk", "slug"))
    done: list[tuple[ChainReport, Anchor | None]] = []
    for report in audit_verify(municipality_id=municipality_id):
        written = None
        if report.ok and report.entries > (report.anchor.seq if report.anchor else 0):
            written = anchor_write(
                key=report.key,
                seq=report.entries,
                hash_=report.last_hash,
                name=names.get(report.key, "system" if report.key == 0 else ""),
            )
        done.append((report, written))
    return done
