"""`rusmiddel retention run`: per municipality, the cases whose retention period has run out
are listed (--dry-run) or erased with everything under them, in one transaction, with an
audit entry per erased case; the audit log itself is kept, and its chain still holds."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Max

from factories import END_KEY_FACTS, START_KEY_FACTS, granted_course, staff
from rusmiddel.audit.models import AuditEntry
from rusmiddel.audit.selectors import audit_verify
from rusmiddel.cases import services
from rusmiddel.cases.models import Case, Citizen, Contact, Course
from rusmiddel.cli import main
from rusmiddel.letters.models import Delivery, Letter
from rusmiddel.privacy.graph import case_held, rows_of
from rusmiddel.privacy.services import retention_run
from rusmiddel.rules import add_months

TZ = ZoneInfo("Europe/Copenhagen")
ENDED = dt.date(2026, 11, 30)  # the named course's end: kept 60 months (example value)


def _last_write(case_id: int) -> dt.date:
    last = AuditEntry.objects.filter(case_id=case_id, write=True).aggregate(m=Max("at"))["m"]
    return last.astimezone(TZ).date()


def _held(case_id: int) -> int:
    return sum(rows_of(h, [case_id]).count() for h in case_held())


@pytest.fixture
def cases(tenants):
    """An anonymous counselling case, a named case whose course has ended, and a named case
    in a running course, all in Helsingør."""
    therapist = staff("therapist", "helsingoer")
    anonymous = services.case_create(
        actor=therapist,
        received_on=dt.date(2026, 11, 2),
        channel="walk_in",
        anonymous=True,
        pseudonym="Ravn",
        requested_offer="anonym_gruppe",
    )
    ended, course = granted_course(
        therapist, on=dt.date(2026, 11, 2), offer="kokain_hashstop", cpr="0702921234"
    )
    services.course_end(
        actor=therapist,
        course_id=course.pk,
        version=Case.objects.get(pk=ended.pk).version,
        ended_on=ENDED,
        reason="completed",
        outcome="reduced",
        final_report="Gennemført",
        **END_KEY_FACTS,
    )
    running, _ = granted_course(
        therapist, on=dt.date(2026, 11, 2), offer="kokain_hashstop", cpr="0101801234"
    )
    assert START_KEY_FACTS  # the courses started with their key facts
    return anonymous, ended, running


@pytest.mark.django_db
def test_the_day_before_nothing_is_due_and_on_the_day_the_dry_run_lists_without_erasing(cases):
    anonymous, ended, running = cases
    anonymous_due = add_months(_last_write(anonymous.pk), 24)

    (report,) = retention_run(on=anonymous_due - dt.timedelta(days=1), dry_run=True)[1:]
    assert report.municipality == "helsingoer" and report.erased == []

    before = AuditEntry.objects.count()
    (report,) = retention_run(on=anonymous_due, dry_run=True)[1:]
    assert [(e.number, e.rule) for e in report.erased] == [
        (anonymous.number, "anonymous_counselling")
    ]
    assert Case.objects.filter(pk=anonymous.pk).exists() and report.rows == {}
    assert AuditEntry.objects.count() == before  # a dry run writes nothing


@pytest.mark.django_db
def test_a_due_case_goes_with_everything_under_it_and_leaves_an_audit_entry(cases):
    anonymous, ended, running = cases
    on = add_months(ENDED, 60)
    assert _held(ended.pk) > 5 and Letter.objects.filter(case=ended).exists()
    citizen = ended.citizen_id

    (report,) = retention_run(on=on - dt.timedelta(days=1), dry_run=False)[1:]
    assert [e.number for e in report.erased] == [anonymous.number]  # long due by then
    assert Case.objects.filter(pk=ended.pk).exists()

    (report,) = retention_run(on=on, dry_run=False)[1:]
    assert [(e.number, e.rule, e.due_on) for e in report.erased] == [
        (ended.number, "ended_course", on)
    ]
    assert not Case.objects.filter(pk=ended.pk).exists()
    assert _held(ended.pk) == 0
    assert not Citizen.objects.filter(pk=citizen).exists()  # no case left
    assert not Course.objects.filter(case_id=ended.pk).exists()
    assert report.rows["cases.Case"] == 1 and report.rows["letters.Delivery"] >= 1
    # the running course stays, whatever the date
    assert Case.objects.filter(pk=running.pk).exists()
    assert retention_run(on=dt.date(2099, 1, 1), dry_run=True)[1].erased == []
    # the audit log keeps the case's entries, adds one for the erasure, and still verifies
    entry = AuditEntry.objects.get(case_id=ended.pk, event="case_erased")
    assert (entry.write, entry.actor, entry.object_type, entry.object_id) == (
        True,
        "system",
        "Case",
        ended.pk,
    )
    assert entry.new["rule"] == "ended_course" and entry.old == {"number": ended.number}
    assert AuditEntry.objects.filter(case_id=ended.pk, event="case_created").exists()
    assert all(r.ok for r in audit_verify())
    assert Contact.objects.filter(case=running).exists()
    assert not Delivery.objects.filter(letter__case_id=ended.pk).exists()


@pytest.mark.django_db
def test_the_command_reports_per_municipality_and_rule(cases, capsys):
    anonymous, ended, running = cases
    on = add_months(_last_write(anonymous.pk), 24).isoformat()
    assert main(["retention", "run", "--dry-run", "--on", on]) == 0
    out = capsys.readouterr().out
    assert "helsingoer: 1 cases would be erased" in out
    assert "anonymous_counselling: 1" in out and anonymous.number in out
    assert "gentofte: 0 cases would be erased" in out
    assert Case.objects.filter(pk=anonymous.pk).exists()

    assert main(["retention", "run", "--on", on, "--municipality", "helsingoer"]) == 0
    assert "helsingoer: 1 cases erased" in capsys.readouterr().out
    assert not Case.objects.filter(pk=anonymous.pk).exists()
    assert main(["retention", "run", "--on", "2026-13-01"]) == 2
    assert "--on" in capsys.readouterr().err
