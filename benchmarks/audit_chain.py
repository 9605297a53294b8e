"""The cost of the audit log's hash chain per write: a chained `audit_record` (lock the
head, hash, insert; a trigger moves the head) against a plain INSERT of the same entry, each
in its own transaction, and a chained list read of 50 cases against a plain bulk INSERT.

    DATABASE_URL=postgres://… RUSMIDDEL_DEBUG=1 .venv/bin/python benchmarks/audit_chain.py

Writes to the database it is given (use a scratch one): entries cannot be deleted.
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rusmiddel.config.settings")
import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from rusmiddel.audit.models import AuditEntry, Event  # noqa: E402
from rusmiddel.audit.services import audit_reads, audit_record  # noqa: E402

N = 1000
KEY = 999_999  # a chain of its own


class Actor:
    pk = 1
    staff = None

    def get_username(self) -> str:
        return "benchmark"


def per_write(label: str, write) -> float:
    start = time.perf_counter()
    for i in range(N):
        with transaction.atomic():
            write(i)
    ms = (time.perf_counter() - start) / N * 1000
    print(f"{label:44} {ms:6.3f} ms")
    return ms


def main() -> None:
    call_command("migrate", verbosity=0)
    actor = Actor()
    new = {"status": "decided", "offer": "ambulant"}
    seq = iter(range(10**12, 10**13))  # the plain rows sit outside every chain

    def plain(i: int) -> None:
        AuditEntry.objects.create(
            actor_id=1,
            actor="benchmark",
            municipality_id=KEY + 1,
            event=Event.CASE_READ,
            write=True,
            case_id=i,
            new=new,
            seq=next(seq),
            prev_hash="",
            hash="",
        )

    def chained(i: int) -> None:
        audit_record(
            actor=actor,
            event=Event.CASE_READ,
            write=True,
            case_id=i,
            new=new,
            municipality_id=KEY,
        )

    def plain_list(i: int) -> None:
        AuditEntry.objects.bulk_create(
            AuditEntry(
                actor_id=1,
                actor="benchmark",
                municipality_id=KEY + 1,
                event=Event.CASE_LIST,
                write=False,
                case_id=c,
                seq=next(seq),
            )
            for c in range(50)
        )

    def chained_list(i: int) -> None:
        audit_reads(actor=actor, event=Event.CASE_LIST, case_ids=range(50))

    print(f"{connection.vendor}, {N} transactions each")
    a = per_write("plain INSERT, one entry", plain)
    b = per_write("chained audit_record, one entry", chained)
    print(f"{'  chain cost per write':44} {b - a:6.3f} ms")
    a = per_write("plain bulk INSERT, 50 entries", plain_list)
    b = per_write("chained audit_reads, 50 entries", chained_list)
    print(f"{'  chain cost per list read':44} {b - a:6.3f} ms")


if __name__ == "__main__":
    main()
