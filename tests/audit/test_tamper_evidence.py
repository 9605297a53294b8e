"""Someone with database access cannot shorten or forge the audit log unseen.

The database refuses DELETE of an entry (PostgreSQL and SQLite alike). Past the triggers, as
a table owner could go: an entry appended with a correctly computed SHA-256 does not verify
(the chain is keyed with a key outside the database), and a log deleted whole or cut short
together with its head is found against the anchors `audit anchor` wrote outside the
database. Entries hashed before the chain was keyed still verify, up to their seal."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from audit_support import log, trigger_off
from factories import staff
from rusmiddel.audit.chain import CHAINED_FIELDS, entry_mac
from rusmiddel.audit.models import AuditChain, AuditEntry, Event
from rusmiddel.audit.selectors import audit_verify
from rusmiddel.audit.services import audit_record
from rusmiddel.cli import main


@pytest.fixture
def anchors(settings, tmp_path) -> Path:
    """This test's own anchor folder."""
    settings.RUSMIDDEL_AUDIT_ANCHOR_DIR = tmp_path / "audit-anchors"
    return settings.RUSMIDDEL_AUDIT_ANCHOR_DIR


def plain_sha256(fields: dict) -> str:
    """An entry's hash as anyone can compute it: SHA-256 over its fields as sorted-key JSON
    (the chain's unkeyed format, computed here on its own)."""
    document = {
        name: value.astimezone(dt.UTC).isoformat(timespec="microseconds")
        if isinstance(value, dt.datetime)
        else value
        for name, value in fields.items()
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def append_forged(municipality_id: int | None, hash_of=plain_sha256, **changes) -> AuditEntry:
    """Append an entry after the chain's last one with every link right and `hash_of` its
    fields as hash, as someone with INSERT on the table could (the head follows by trigger)."""
    where = {"municipality_id": municipality_id}
    last = AuditEntry.objects.filter(**where).order_by("-seq").first()
    fields = {name: getattr(last, name) for name in CHAINED_FIELDS}
    fields.update(
        seq=last.seq + 1,
        prev_hash=last.hash,
        at=timezone.now(),
        actor="en_anden",
        why="skjult læsning",
        case_id=4711,
        **changes,
    )
    return AuditEntry.objects.create(**fields, hash=hash_of(fields))


def sql(statement: str, *params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def verify(capsys, *args: str) -> tuple[int, str]:
    code = main(["audit", "verify", *args])
    return code, capsys.readouterr().out


# --- DELETE is refused -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_raw_delete_of_an_entry_is_refused_by_the_database(tenants):
    entries = log(staff("caseworker", "gentofte"), 2)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        sql("DELETE FROM audit_auditentry WHERE id = %s", entries[0].pk)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        sql("DELETE FROM audit_auditentry")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entries[1].pk).delete()
    assert AuditEntry.objects.filter(pk__in=[e.pk for e in entries]).count() == 2


@pytest.mark.django_db(transaction=True)
def test_flush_still_empties_the_log_and_the_triggers_stay(tenants):
    """Emptying every table (the test runner, `synth --reset`) goes past the trigger, as
    TRUNCATE does on PostgreSQL; afterwards DELETE is refused again."""
    log(staff("caseworker", "gentofte"), 2)
    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
    assert not AuditEntry.objects.exists()
    audit_record(actor=None, event=Event.CASE_READ, write=False, municipality_id=7)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        sql("DELETE FROM audit_auditentry")


# --- forgery: the chain is keyed --------------------------------------------------------------


@pytest.mark.django_db
def test_an_entry_appended_with_a_correctly_computed_sha256_is_found(tenants, anchors, capsys):
    actor = staff("caseworker", "gentofte")
    log(actor, 3)
    assert verify(capsys)[0] == 0

    forged = append_forged(actor.staff.municipality_id)

    code, out = verify(capsys, "--municipality", "gentofte")
    assert code == 1
    assert f"gentofte: BROKEN at entry {forged.pk} (seq 4)" in out
    assert "without the audit key" in out


@pytest.mark.django_db
def test_an_entry_hashed_with_another_key_is_found(tenants, anchors, capsys):
    actor = staff("caseworker", "gentofte")
    log(actor, 2)
    forged = append_forged(
        actor.staff.municipality_id, hash_of=lambda f: entry_mac(f, "a-key-that-is-not-ours")
    )
    code, out = verify(capsys)
    assert code == 1 and f"BROKEN at entry {forged.pk} (seq 3)" in out


@pytest.mark.django_db
def test_a_retired_key_verifies_what_it_signed_but_nothing_after_the_new_one(
    tenants, anchors, capsys, settings
):
    actor = staff("caseworker", "gentofte")
    old_key = settings.RUSMIDDEL_AUDIT_KEY
    log(actor, 2)  # under the old key
    settings.RUSMIDDEL_AUDIT_KEY = "a-new-audit-key-after-the-old-one-leaked"
    settings.RUSMIDDEL_AUDIT_KEY_FALLBACKS = [old_key]
    log(actor, 2)  # under the new one
    assert verify(capsys)[0] == 0

    forged = append_forged(actor.staff.municipality_id, hash_of=lambda f: entry_mac(f, old_key))
    code, out = verify(capsys)
    assert code == 1 and f"BROKEN at entry {forged.pk} (seq 5)" in out
    assert "retired audit key" in out


# --- shortening: the anchors ------------------------------------------------------------------


@pytest.mark.django_db
def test_anchor_writes_a_signed_line_per_chain_only_when_it_grew(tenants, anchors, capsys):
    actor = staff("caseworker", "gentofte")
    municipality_id = actor.staff.municipality_id
    log(actor, 3)
    assert main(["audit", "anchor"]) == 0
    assert "gentofte: OK, 3 entries; anchored now at seq 3" in capsys.readouterr().out
    path = anchors / f"chain-{municipality_id}.jsonl"
    (line,) = path.read_text().splitlines()
    written = json.loads(line)
    head = AuditChain.objects.get(key=municipality_id)
    assert (written["seq"], written["hash"], written["name"]) == (3, head.hash, "gentofte")
    assert len(written["sig"]) == 64

    assert main(["audit", "anchor"]) == 0  # nothing new: nothing written
    assert len(path.read_text().splitlines()) == 1
    log(actor, 1)
    assert verify(capsys)[0] == 0  # a chain longer than its anchor is fine
    assert main(["audit", "anchor"]) == 0
    assert [json.loads(x)["seq"] for x in path.read_text().splitlines()] == [3, 4]


@pytest.mark.django_db
def test_the_whole_log_deleted_with_its_head_is_found(tenants, anchors, capsys):
    """Without the anchor what is left verifies: 'OK, 0 entries'."""
    actor = staff("caseworker", "gentofte")
    municipality_id = actor.staff.municipality_id
    log(actor, 3)
    assert main(["audit", "anchor"]) == 0
    capsys.readouterr()

    with trigger_off():
        AuditEntry.objects.filter(municipality_id=municipality_id).delete()
    AuditChain.objects.filter(key=municipality_id).delete()

    code, out = verify(capsys)
    assert code == 1
    assert "gentofte: BROKEN at end: the entries end at seq 0, but seq 3 was anchored" in out
    code, out = verify(capsys, "--municipality", "gentofte")
    assert code == 1 and "BROKEN" in out
    assert main(["audit", "anchor"]) == 1  # a broken chain is never anchored again
    assert len((anchors / f"chain-{municipality_id}.jsonl").read_text().splitlines()) == 1


@pytest.mark.django_db
def test_a_tail_cut_off_with_its_head_moved_back_is_found(tenants, anchors, capsys):
    actor = staff("caseworker", "gentofte")
    municipality_id = actor.staff.municipality_id
    entries = log(actor, 5)
    assert main(["audit", "anchor"]) == 0
    capsys.readouterr()

    with trigger_off():
        AuditEntry.objects.filter(pk__in=[e.pk for e in entries[3:]]).delete()
    AuditChain.objects.filter(key=municipality_id).update(seq=3, hash=entries[2].hash)

    code, out = verify(capsys)
    assert code == 1
    assert "gentofte: BROKEN at end: the entries end at seq 3, but seq 5 was anchored" in out


@pytest.mark.django_db
def test_a_log_rewritten_with_the_key_is_found_against_the_anchor(
    tenants, anchors, capsys, settings
):
    """Someone with the key and the database can rewrite the chain and its head so that it
    verifies: only an anchor written before shows it (docs/security.md)."""
    actor = staff("caseworker", "gentofte")
    municipality_id = actor.staff.municipality_id
    entries = log(actor, 3)
    assert main(["audit", "anchor"]) == 0
    key = settings.RUSMIDDEL_AUDIT_KEY
    with trigger_off():
        prev = entries[0].hash
        for entry in entries[1:]:
            fields = {name: getattr(entry, name) for name in CHAINED_FIELDS}
            fields.update(prev_hash=prev, why="omskrevet")
            prev = entry_mac(fields, key)
            AuditEntry.objects.filter(pk=entry.pk).update(
                why="omskrevet", prev_hash=fields["prev_hash"], hash=prev
            )
    AuditChain.objects.filter(key=municipality_id).update(hash=prev)
    (anchors / f"chain-{municipality_id}.jsonl").rename(anchors / "aside")
    capsys.readouterr()
    assert verify(capsys)[0] == 0  # the chain alone holds
    (anchors / "aside").rename(anchors / f"chain-{municipality_id}.jsonl")

    code, out = verify(capsys)
    assert code == 1
    assert f"BROKEN at entry {entries[2].pk} (seq 3): differs from the entry anchored" in out


@pytest.mark.django_db
def test_an_anchor_line_changed_or_added_without_the_key_breaks_its_chain(tenants, anchors, capsys):
    actor = staff("caseworker", "gentofte")
    municipality_id = actor.staff.municipality_id
    log(actor, 2)
    assert main(["audit", "anchor"]) == 0
    path = anchors / f"chain-{municipality_id}.jsonl"
    line = json.loads(path.read_text())
    with path.open("a") as f:  # an anchor claiming less, to excuse a cut
        f.write(json.dumps({**line, "seq": 1}) + "\n")
    capsys.readouterr()
    code, out = verify(capsys)
    assert code == 1
    assert "anchor file chain-" in out and "line 2: the signature does not match" in out


# --- entries from before the key --------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_entries_hashed_before_the_chain_was_keyed_still_verify_up_to_their_seal():
    """Migration 0009 keeps the plain SHA-256 entries as they are and seals each chain's
    last one: they verify, new entries are keyed after them, and a plain SHA-256 entry
    appended after the seal does not verify."""
    executor = MigrationExecutor(connection)
    leaf = executor.loader.graph.leaf_nodes("audit")
    executor.migrate([("audit", "0008_chain")])
    try:
        old = executor.loader.project_state(("audit", "0008_chain")).apps
        entry_model, chain_model = (
            old.get_model("audit", "AuditEntry"),
            old.get_model("audit", "AuditChain"),
        )
        for key in (42, 0):  # a municipality's chain and the system's
            chain_model.objects.create(key=key, seq=0, hash="0" * 64)
            prev = "0" * 64
            for seq in (1, 2, 3):
                fields = {
                    "seq": seq,
                    "at": timezone.now(),
                    "actor_id": None,
                    "actor": "system",
                    "role": "",
                    "municipality_id": key or None,
                    "event": "case_read",
                    "write": False,
                    "case_id": seq,
                    "object_type": "",
                    "object_id": None,
                    "why": "før nøglen",
                    "old": None,
                    "new": {"n": seq},
                    "prev_hash": prev,
                }
                prev = plain_sha256(fields)
                entry_model.objects.create(**fields, hash=prev)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(leaf)

    reports = audit_verify()
    assert [(r.key, r.entries, r.ok) for r in reports] == [(0, 3, True), (42, 3, True)]
    head = AuditChain.objects.get(key=42)
    assert head.sealed_seq == 3 and len(head.seal) == 64

    audit_record(actor=None, event=Event.CASE_READ, write=False, case_id=9, municipality_id=42)
    (report,) = audit_verify(municipality_id=42)
    assert report.ok and report.entries == 4

    forged = append_forged(42)
    (report,) = audit_verify(municipality_id=42)
    assert (report.broken.entry_id, report.broken.seq) == (forged.pk, 5)
    # a plain entry inside the sealed part is no way round it either
    (report,) = audit_verify(municipality_id=0)
    assert report.ok
    AuditChain.objects.filter(key=0).update(sealed_seq=4)
    append_forged(None)
    (report,) = audit_verify(municipality_id=0)
    assert not report.ok and "seal" in report.broken.reason
