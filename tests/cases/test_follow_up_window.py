"""Follow-ups within their window, and an ending that cancels what comes after it (issue 19,
item 10). Both the one- and the six-month follow-up could be recorded on the end date, and an
ended course kept its future sessions (one marked "Mødt").

A follow-up is recorded from `FOLLOW_UP_EARLY_DAYS` (14) days before its due date, never
after today (rules/deadlines.py says why). The clock stands on a leap day, 29 February 2028,
the one-month follow-up's due date of a course ended 31 January 2028 (months clamp to the
month's end).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from case_world import assert_error
from conftest import Api
from factories import END_KEY_FACTS, START_KEY_FACTS, staff
from rusmiddel.audit.models import AuditEntry
from rusmiddel.cases import services
from rusmiddel.cases.errors import Invalid
from rusmiddel.cases.models import Case, Course, FollowUp, Session
from rusmiddel.rules import FOLLOW_UP_EARLY_DAYS, follow_up_earliest
from support import COPENHAGEN, noon

TODAY = dt.date(2028, 2, 29)
ENDED = dt.date(2028, 1, 31)
DUE_1 = dt.date(2028, 2, 29)  # 31 January + 1 month, clamped to the month's end
DUE_6 = dt.date(2028, 7, 31)
STARTED = dt.date(2027, 12, 13)

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(noon(TODAY), tick=False)]


def _v(case_id: int) -> int:
    return Case.objects.values_list("version", flat=True).get(pk=case_id)


@pytest.fixture
def caseworker(tenants):
    return staff("caseworker", "gentofte")


def _course(actor, *, cpr: str = "0702921234") -> Course:
    case = services.case_create(
        actor=actor,
        received_on=dt.date(2027, 12, 1),
        channel="phone",
        citizen_cpr=cpr,
        citizen_name="Mette Jensen",
    )
    services.assessment_record(
        actor=actor, case_id=case.pk, version=1, facts={}, on=dt.date(2027, 12, 2)
    )
    decision = services.decision_record(
        actor=actor,
        case_id=case.pk,
        version=2,
        offer="ambulant",
        outcome="granted",
        decided_on=dt.date(2027, 12, 6),
        provider="kabs",
        override_reason="Udredes i forløbet",
    )
    return services.course_start(
        actor=actor,
        case_id=case.pk,
        version=3,
        started_on=STARTED,
        decision_id=decision.pk,
        **START_KEY_FACTS,
    )


def _end(actor, course: Course, on: dt.date = ENDED) -> dict[int, FollowUp]:
    follow_ups = services.course_end(
        actor=actor,
        course_id=course.pk,
        version=_v(course.case_id),
        ended_on=on,
        reason="completed",
        outcome="reduced",
        final_report="Gennemført",
        **END_KEY_FACTS,
    )
    return {f.months: f for f in follow_ups}


def _record(actor, follow_up: FollowUp, done_on: dt.date) -> FollowUp:
    return services.follow_up_record(
        actor=actor,
        follow_up_id=follow_up.pk,
        version=_v(follow_up.course.case_id),
        done_on=done_on,
        channel="phone",
        reached=False,
    )


# --- the window --------------------------------------------------------------------------------


def test_the_window_opens_two_weeks_before_the_due_date():
    assert FOLLOW_UP_EARLY_DAYS == 14
    assert follow_up_earliest(DUE_1) == dt.date(2028, 2, 15)
    assert follow_up_earliest(dt.date(2028, 3, 1)) == dt.date(2028, 2, 16)  # over 29 February


def test_neither_follow_up_is_recorded_on_the_end_date(caseworker):
    follow_ups = _end(caseworker, _course(caseworker))
    assert (follow_ups[1].due_on, follow_ups[6].due_on) == (DUE_1, DUE_6)

    for months, opens in ((1, "15.02.2028"), (6, "17.07.2028")):
        with pytest.raises(Invalid) as refused:
            _record(caseworker, follow_ups[months], ENDED)
        assert refused.value.field == "done_on"
        assert f"kan tidligst registreres {opens}, 14 dage før fristen" in refused.value.message
    assert not FollowUp.objects.filter(done_on__isnull=False).exists()


def test_a_follow_up_is_recorded_from_the_first_day_of_its_window(caseworker):
    one = _end(caseworker, _course(caseworker))[1]
    with pytest.raises(Invalid, match=r"tidligst registreres 15\.02\.2028"):
        _record(caseworker, one, dt.date(2028, 2, 14))
    assert _record(caseworker, one, dt.date(2028, 2, 15)).done_on == dt.date(2028, 2, 15)


def test_a_follow_up_is_recorded_on_its_due_date_the_leap_day_and_late(caseworker, time_machine):
    one = _end(caseworker, _course(caseworker))[1]
    assert _record(caseworker, one, DUE_1).done_on == DUE_1
    # overdue is still done: a month late
    six = FollowUp.objects.get(course=one.course, months=6)
    time_machine.move_to(noon(dt.date(2028, 8, 31)), tick=False)
    assert _record(caseworker, six, dt.date(2028, 8, 31)).done_on == dt.date(2028, 8, 31)


def test_a_follow_up_is_not_dated_after_today(caseworker):
    one = _end(caseworker, _course(caseworker))[1]
    error = assert_error(
        Api(caseworker).post(
            f"/follow-ups/{one.pk}",
            {
                "version": _v(one.course.case_id),
                "done_on": "2028-03-01",
                "channel": "phone",
                "reached": False,
            },
        ),
        422,
        "invalid",
        "done_on",
    )
    assert error["message"] == (
        "done_on: Opfølgningens dato (01.03.2028) kan ikke ligge efter i dag (29.02.2028)."
    )


def test_the_api_names_the_window(caseworker):
    six = _end(caseworker, _course(caseworker))[6]
    error = assert_error(
        Api(caseworker).post(
            f"/follow-ups/{six.pk}",
            {
                "version": _v(six.course.case_id),
                "done_on": TODAY.isoformat(),
                "channel": "phone",
                "reached": False,
            },
        ),
        422,
        "invalid",
        "done_on",
    )
    assert error["message"] == (
        "done_on: Opfølgningen efter 6 måneder kan tidligst registreres 17.07.2028, 14 dage før "
        "fristen 31.07.2028 (du skrev 29.02.2028)."
    )


def test_the_follow_up_form_shows_the_window_by_the_date(caseworker):
    six = _end(caseworker, _course(caseworker))[6]
    client = Client()
    client.force_login(caseworker)

    response = client.post(
        f"/opfoelgning/{six.pk}/",
        {
            "version": _v(six.course.case_id),
            "done_on": TODAY.isoformat(),
            "channel": "phone",
            "reached": "nej",
        },
    )

    assert response.status_code == 422
    body = response.content.decode()
    assert f'<span class="form-error-message" id="fu-{six.pk}-done_on-error">' in body
    assert "Opfølgningen efter 6 måneder kan tidligst registreres 17.07.2028" in body
    # the list says when each follow-up can be recorded
    listed = client.get("/opfoelgning/").content.decode()
    assert "Kan registreres fra 17.07.2028." in listed
    assert "Kan registreres fra 15.02.2028." not in listed  # the one-month is open today


# --- the ending cancels what comes after it ------------------------------------------------


def _session(actor, course: Course, at: dt.datetime) -> Session:
    return services.session_record(
        actor=actor,
        course_id=course.pk,
        version=_v(course.case_id),
        starts_at=at,
        ends_at=at + dt.timedelta(hours=1),
    )


def test_ending_a_course_cancels_its_later_sessions_and_keeps_the_rest(caseworker):
    course = _course(caseworker)
    came = _session(caseworker, course, noon(dt.date(2028, 2, 21)))
    services.attendance_record(
        actor=caseworker, session_id=came.pk, version=_v(course.case_id), attendance="attended"
    )
    on_the_day = _session(caseworker, course, noon(dt.date(2028, 2, 28)))
    # half past midnight on 29 February, Copenhagen: 28 February in UTC, the day after the end
    after_midnight = _session(
        caseworker, course, dt.datetime(2028, 2, 29, 0, 30, tzinfo=COPENHAGEN)
    )
    next_week = _session(caseworker, course, noon(dt.date(2028, 3, 7)))

    _end(caseworker, course, on=dt.date(2028, 2, 28))

    attendance = dict(Session.objects.filter(course=course).values_list("pk", "attendance"))
    assert attendance == {
        came.pk: "attended",
        on_the_day.pk: "",
        after_midnight.pk: "cancelled",
        next_week.pk: "cancelled",
    }
    entry = AuditEntry.objects.get(event="course_ended", object_id=course.pk)
    assert entry.new["sessions_cancelled"] == 2


def test_attendance_on_a_session_after_the_end_is_refused(caseworker):
    course = _course(caseworker)
    after = _session(caseworker, course, noon(dt.date(2028, 2, 29)) - dt.timedelta(hours=2))
    _end(caseworker, course, on=dt.date(2028, 2, 28))

    error = assert_error(
        Api(caseworker).post(
            f"/sessions/{after.pk}/attendance",
            {"version": _v(course.case_id), "attendance": "attended"},
        ),
        422,
        "invalid",
        "attendance",
    )
    assert error["message"] == (
        "Samtalen den 29.02.2028 ligger efter forløbets afslutning (28.02.2028) og er aflyst."
    )
    assert Session.objects.get(pk=after.pk).attendance == "cancelled"


def test_a_change_of_offer_cancels_the_old_courses_later_sessions(caseworker):
    course = _course(caseworker)
    later = _session(caseworker, course, noon(dt.date(2028, 3, 7)))
    other = services.decision_record(
        actor=caseworker,
        case_id=course.case_id,
        version=_v(course.case_id),
        offer="dagbehandling",
        outcome="granted",
        decided_on=dt.date(2028, 2, 20),
        override_reason="Behov for mere støtte",
    )

    services.offer_change(
        actor=caseworker,
        course_id=course.pk,
        version=_v(course.case_id),
        decision_id=other.pk,
        changed_on=dt.date(2028, 2, 28),
    )

    assert Session.objects.get(pk=later.pk).attendance == "cancelled"
