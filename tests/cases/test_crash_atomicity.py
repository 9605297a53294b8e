"""A service that fails halfway leaves nothing half written: the database itself refuses one
of the service's later inserts (a trigger standing in for a crash, a full disk or a lost
connection), and every row the service had already written is gone with it.

The failure is real (the database raises), not a mocked function: the same trigger works on
SQLite and PostgreSQL, and the test's own transaction drops it again.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, connection

from factories import END_KEY_FACTS, granted_course, staff
from rusmiddel.audit.models import AuditEntry
from rusmiddel.cases import services
from rusmiddel.cases.models import (
    Case,
    Course,
    Deadline,
    Decision,
    Evaluation,
    FollowUp,
    StatusReport,
)
from rusmiddel.letters.models import Letter
from rusmiddel.outcomes.models import KeyFacts
from support import AFTER_THE_EVENTS

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 11, 24)


def fail_inserts_into(model) -> None:
    """From now on (in this test's transaction) every INSERT into `model`'s table fails."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION test_simulated_crash() RETURNS trigger AS $$ "
                "BEGIN RAISE EXCEPTION 'simulated crash'; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER test_crash BEFORE INSERT ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION test_simulated_crash()"
            )
        else:
            cursor.execute(
                f"CREATE TRIGGER test_crash BEFORE INSERT ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'simulated crash'); END"
            )


def snapshot(case_id: int) -> dict[str, object]:
    return {
        "version": Case.objects.get(pk=case_id).version,
        "status": Case.objects.get(pk=case_id).status,
        "decisions": Decision.objects.filter(case_id=case_id).count(),
        "evaluations": Evaluation.objects.filter(case_id=case_id).count(),
        "deadlines": Deadline.objects.filter(case_id=case_id).count(),
        "open_deadlines": Deadline.objects.filter(case_id=case_id, met_on=None).count(),
        "letters": Letter.objects.count(),
        "audit": AuditEntry.objects.count(),
        "courses_ended": Course.objects.filter(case_id=case_id, status="ended").count(),
        "follow_ups": FollowUp.objects.filter(course__case_id=case_id).count(),
        "status_reports": StatusReport.objects.filter(course__case_id=case_id).count(),
        "key_facts": KeyFacts.objects.filter(course__case_id=case_id).count(),
    }


def test_a_decision_whose_letter_cannot_be_written_leaves_no_decision(tenants):
    # given a case assessed and ready for a decision
    caseworker = staff("caseworker", "gentofte")
    case = services.case_create(
        actor=caseworker,
        received_on=ON,
        channel="phone",
        citizen_cpr="0702921234",
        citizen_name="Mette Jensen",
    )
    services.assessment_record(actor=caseworker, case_id=case.pk, version=1, facts={}, on=ON)
    before = snapshot(case.pk)
    # when the letter, written after the decision, its evaluation and its deadline, fails
    fail_inserts_into(Letter)
    with pytest.raises(DatabaseError, match="simulated crash"):
        services.decision_record(
            actor=caseworker,
            case_id=case.pk,
            version=2,
            offer="ambulant",
            outcome="granted",
            decided_on=ON,
            override_reason="Udredes i forløbet",
        )
    # then nothing of the decision is left, and the case can still be decided at version 2
    assert snapshot(case.pk) == before


@pytest.mark.time_machine(AFTER_THE_EVENTS, tick=False)  # the ending lies after the real today
def test_an_ending_whose_audit_entry_cannot_be_written_leaves_the_course_running(tenants):
    # given a running course
    therapist = staff("therapist", "helsingoer")
    case, course = granted_course(therapist, on=ON, offer="individuelle_samtaler")
    before = snapshot(case.pk)
    version = before["version"]
    # when the ending's last write, its audit entry, fails
    fail_inserts_into(AuditEntry)
    with pytest.raises(DatabaseError, match="simulated crash"):
        services.course_end(
            actor=therapist,
            course_id=course.pk,
            version=version,
            ended_on=ON + dt.timedelta(days=60),
            reason="completed",
            outcome="reduced",
            final_report="Forløbet er gennemført.",
            **END_KEY_FACTS,
        )
    # then the course still runs: no end, no follow-ups, no final report, no end key facts
    assert snapshot(case.pk) == before
    assert Course.objects.get(pk=course.pk).ended_on is None
