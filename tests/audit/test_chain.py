"""The audit log's hash chain: every entry hashes its fields and the entry before it, one
chain per municipality; changing, removing or cutting off entries past the append-only
trigger shows in `rusmiddel audit verify`, and concurrent writers leave one unbroken chain."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from audit_support import log, trigger_off
from concurrency_support import database_for_threads, in_thread, race
from factories import staff
from rusmiddel.audit.chain import CHAINED_FIELDS, GENESIS, entry_mac
from rusmiddel.audit.keys import audit_key
from rusmiddel.audit.models import AuditChain, AuditEntry, Event
from rusmiddel.audit.selectors import audit_verify
from rusmiddel.audit.services import audit_reads, audit_record
from rusmiddel.cli import main


def _report(municipality_id):
    (report,) = audit_verify(municipality_id=municipality_id)
    return report


def test_every_field_of_an_entry_but_its_id_and_hash_is_chained():
    fields = {f.name for f in AuditEntry._meta.concrete_fields} - {"id", "hash"}
    assert fields == set(CHAINED_FIELDS)


@pytest.mark.django_db
def test_entries_chain_per_municipality_and_the_head_holds_the_last(tenants):
    gentofte, helsingoer = staff("caseworker", "gentofte"), staff("caseworker", "helsingoer")
    log(gentofte, 2)
    log(helsingoer, 1)
    audit_reads(actor=gentofte, event=Event.CASE_LIST, case_ids=[7, 8, 9])

    chain = list(
        AuditEntry.objects.filter(municipality_id=gentofte.staff.municipality_id).order_by("seq")
    )
    assert [e.seq for e in chain] == [1, 2, 3, 4, 5]
    assert chain[0].prev_hash == GENESIS
    assert [e.case_id for e in chain] == [1000, 1001, 7, 8, 9]  # in the order logged
    assert [e.new for e in chain] == [
        {"n": 0, "tekst": "æøå", "b": [1, 2.5, None]},
        {"n": 1, "tekst": "æøå", "b": [1, 2.5, None]},
        None,
        None,
        None,
    ]
    assert len({e.at for e in chain[2:]}) == 1  # one list read, one moment
    for before, entry in zip(chain, chain[1:], strict=False):
        assert entry.prev_hash == before.hash
    for entry in chain:  # as read back from the database
        assert entry.hash == entry_mac({f: getattr(entry, f) for f in CHAINED_FIELDS}, audit_key())
    head = AuditChain.objects.get(key=gentofte.staff.municipality_id)
    assert (head.seq, head.hash) == (5, chain[-1].hash)
    other = AuditEntry.objects.get(municipality_id=helsingoer.staff.municipality_id)
    assert (other.seq, other.prev_hash) == (1, GENESIS)  # a chain of its own
    assert all(r.ok for r in audit_verify())


@pytest.mark.django_db
def test_a_changed_entry_is_found_and_named(tenants, capsys):
    actor = staff("caseworker", "gentofte")
    municipality_id = actor.staff.municipality_id
    entries = log(actor, 4)
    assert main(["audit", "verify", "--municipality", "gentofte"]) == 0
    assert "gentofte: OK, 4 entries" in capsys.readouterr().out

    with trigger_off():
        AuditEntry.objects.filter(pk=entries[2].pk).update(why="ændret bagefter")

    report = _report(municipality_id)
    assert (report.broken.entry_id, report.broken.seq) == (entries[2].pk, 3)
    assert "content" in report.broken.reason
    assert main(["audit", "verify", "--municipality", "gentofte"]) == 1
    out = capsys.readouterr().out
    assert f"BROKEN at entry {entries[2].pk} (seq 3)" in out
    # the other municipality's chain is not touched
    assert _report(staff("caseworker", "helsingoer").staff.municipality_id).ok


@pytest.mark.django_db
def test_a_rehashed_entry_breaks_the_link_to_the_next(tenants):
    """Recomputing the changed entry's own hash, even with the audit key, does not help: the
    next entry still points at the old one."""
    actor = staff("caseworker", "gentofte")
    entries = log(actor, 3)
    changed = AuditEntry.objects.get(pk=entries[1].pk)
    changed.why = "skjult"
    fields = {f: getattr(changed, f) for f in CHAINED_FIELDS}
    with trigger_off():
        AuditEntry.objects.filter(pk=changed.pk).update(
            why="skjult", hash=entry_mac(fields, audit_key())
        )
    report = _report(actor.staff.municipality_id)
    assert report.broken.entry_id == entries[2].pk
    assert "prev_hash" in report.broken.reason


@pytest.mark.django_db
def test_a_removed_entry_and_a_cut_off_end_are_found(tenants):
    actor = staff("caseworker", "gentofte")
    entries = log(actor, 4)
    municipality_id = actor.staff.municipality_id
    with trigger_off():
        AuditEntry.objects.filter(pk=entries[3].pk).delete()  # the last one
    report = _report(municipality_id)
    assert report.broken.entry_id is None and "cut off" in report.broken.reason
    with trigger_off():
        AuditEntry.objects.filter(pk=entries[1].pk).delete()  # one in the middle
    report = _report(municipality_id)
    assert report.broken.entry_id == entries[2].pk and "missing" in report.broken.reason


@pytest.mark.django_db
def test_verify_with_an_unknown_municipality_exits_2_naming_the_option(tenants, capsys):
    assert main(["audit", "verify", "--municipality", "aarhus"]) == 2
    assert "--municipality" in capsys.readouterr().err


@pytest.mark.django_db
def test_a_list_read_costs_the_same_queries_for_one_case_or_fifty(tenants):
    actor = staff("caseworker", "gentofte")
    audit_reads(actor=actor, event=Event.CASE_LIST, case_ids=[1])  # the head exists

    def queries(n: int) -> int:
        with CaptureQueriesContext(connection) as ctx:  # inside the test's transaction
            audit_reads(actor=actor, event=Event.CASE_LIST, case_ids=range(n))
        return len(ctx.captured_queries)

    assert queries(1) == queries(50) == 2  # lock the head, insert (a trigger moves the head)
    assert _report(actor.staff.municipality_id).entries == 52


WRITERS = 8
APPENDS = 5


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_leave_one_unbroken_chain(tenants, tmp_path):
    """PostgreSQL: appends take turns on the head's row lock; SQLite: on the write lock each
    transaction takes when it begins (settings: IMMEDIATE)."""
    actors = [staff("caseworker", "gentofte") for _ in range(WRITERS)]

    def write(actor):
        def work() -> None:
            for i in range(APPENDS):
                with transaction.atomic():  # as a service: other work, then the entries
                    audit_record(actor=actor, event=Event.CASE_READ, write=False, case_id=i)
                    audit_reads(actor=actor, event=Event.CASE_LIST, case_ids=[i, i + 1])

        return work

    with database_for_threads(tmp_path):
        errors = [e for e in race([write(a) for a in actors]) if e is not None]
        report = in_thread(lambda: _report(actors[0].staff.municipality_id))

    assert errors == []
    assert report.ok, report.broken
    assert report.entries == WRITERS * APPENDS * 3
