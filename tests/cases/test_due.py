"""What falls due: the due list and `rusmiddel due [--notify]` warnings ahead of deadlines."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from factories import END_KEY_FACTS, START_KEY_FACTS, staff
from rusmiddel.cases import services
from rusmiddel.cases.due import due_notify
from rusmiddel.cases.models import Notification
from rusmiddel.cli import main
from support import noon

CONTACT = dt.date(2026, 11, 24)  # guarantee due 8 December


def _named_case(actor):
    return services.case_create(
        actor=actor,
        received_on=CONTACT,
        channel="phone",
        citizen_cpr="0702921234",
        citizen_name="Mette Jensen",
    )


@pytest.mark.django_db
def test_the_guarantee_is_warned_three_days_ahead_once_and_to_the_caseworker(tenants):
    caseworker = staff("caseworker", "gentofte")
    other = staff("caseworker", "gentofte")
    case = _named_case(caseworker)

    # Four days before the guarantee runs out: nothing yet
    assert due_notify(today=dt.date(2026, 12, 4)) == 0
    # Three days before: the case's caseworker is warned, nobody else
    assert due_notify(today=dt.date(2026, 12, 5)) == 1
    assert list(Notification.objects.values_list("recipient", flat=True)) == [caseworker.pk]
    assert not Notification.objects.filter(recipient=other).exists()
    # Once only, however often cron runs
    assert due_notify(today=dt.date(2026, 12, 6)) == 0
    assert Notification.objects.get().deadline.case_id == case.pk


@pytest.mark.django_db
@pytest.mark.time_machine(noon(dt.date(2027, 3, 25)), tick=False)  # the day warned
def test_an_anonymous_case_is_never_warned_to_the_authority(tenants):
    therapist = staff("therapist", "helsingoer")
    caseworker = staff("caseworker", "helsingoer")
    anonymous = services.case_create(
        actor=therapist,
        received_on=CONTACT,
        channel="walk_in",
        anonymous=True,
        pseudonym="Ravn",
        requested_offer="anonym_gruppe",
    )
    course = services.course_start(
        actor=therapist,
        case_id=anonymous.pk,
        version=1,
        started_on=CONTACT,
        offer="anonym_gruppe",
        **START_KEY_FACTS,
    )
    services.course_end(
        actor=therapist,
        course_id=course.pk,
        version=2,
        ended_on=dt.date(2027, 3, 1),
        reason="completed",
        outcome="reduced",
        final_report="Gennemført",
        **END_KEY_FACTS,
    )
    # Anonymous treatment has no guarantee; its follow-up (1 April) is warned a week ahead
    assert due_notify(today=dt.date(2027, 3, 25)) == 1
    assert Notification.objects.get().recipient_id == therapist.pk
    assert not Notification.objects.filter(recipient=caseworker).exists()


@pytest.mark.django_db
def test_the_due_command_lists_days_left_and_overdue(tenants, capsys):
    _named_case(staff("caseworker", "gentofte"))
    assert main(["due", "--json", "--today", "2026-12-10", "--notify"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [(i["kind"], i["due_on"], i["days_left"]) for i in doc["items"]] == [
        ("treatment_guarantee", "2026-12-08", -2)
    ]
    assert doc["warnings_made"] == 1
    assert main(["due", "--today", "2026-12-10"]) == 0
    assert "OVERSKREDET" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_due_list_in_the_api_shows_days_left(as_role):
    api = as_role("caseworker", "gentofte")
    status, case = api.post(
        "/cases",
        {
            "received_on": "2026-11-24",
            "channel": "phone",
            "citizen": {"cpr": "0702921234", "name": "Mette Jensen"},
        },
    )
    assert status == 201, case
    status, due = api.get("/due", days=400)
    assert status == 200
    mine = [i for i in due["items"] if i["case_id"] == case["id"]]
    assert [(i["kind"], i["due_on"]) for i in mine] == [("treatment_guarantee", "2026-12-08")]
    today = dt.date.fromisoformat(due["today"])
    assert mine[0]["days_left"] == (dt.date(2026, 12, 8) - today).days
