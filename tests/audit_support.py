"""Helpers for the audit log's tamper tests: going past the append-only triggers as someone
with the table owner's rights could, and writing entries to tamper with."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection

from rusmiddel.audit.models import AuditEntry, Event
from rusmiddel.audit.services import audit_record


@contextmanager
def trigger_off():
    """Set the append-only triggers aside (PostgreSQL: DISABLE TRIGGER; SQLite: dropped and
    created again from their own text)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_append_only")
            triggers = []
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                "AND tbl_name = 'audit_auditentry' AND name LIKE 'audit_append_only%'"
            )
            triggers = cursor.fetchall()
            assert triggers, "no append-only trigger to set aside"
            for name, _ in triggers:
                cursor.execute(f"DROP TRIGGER {name}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_append_only")
            for _, sql in triggers:
                cursor.execute(sql)


def log(actor, n: int, *, old=None) -> list[AuditEntry]:
    """`n` entries logged by `actor`, as stored (oldest first)."""
    for i in range(n):
        audit_record(
            actor=actor,
            event=Event.CASE_READ,
            write=False,
            case_id=1000 + i,
            why=f"læst {i}",
            old=old,
            new={"n": i, "tekst": "æøå", "b": [1, 2.5, None]},
        )
    mine = AuditEntry.objects.filter(municipality_id=actor.staff.municipality_id)
    return list(mine.order_by("-seq")[:n])[::-1]
