"""Enrolling a course in a group run (issue 19, item 7): one run at a time (a course in two
runs had its sessions doubled on the FIT page), and an enrolment date within the course (not
before its start) and within the run (not after its last meeting).

Helsingør's anonymous group meets on Mondays, 14 times, skipping public holidays: a run from
4 January 2027 meets last on 12 April (Easter Monday, 29 March, skipped).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from case_world import assert_error
from factories import START_KEY_FACTS, staff
from rusmiddel.accounts.models import Municipality, Provider
from rusmiddel.cases import services
from rusmiddel.cases.errors import Invalid
from rusmiddel.cases.models import Case, Course, Session
from rusmiddel.groups.models import Enrolment, Group
from support import noon

TODAY = dt.date(2027, 4, 6)  # a Tuesday, the day after the winter run's 13th meeting
WINTER = dt.date(2027, 1, 4)  # meets last on 12 April
SPRING = dt.date(2027, 3, 15)  # meets 15 and 22 March, 5 and 12 April, … 28 June
LATE_SPRING = dt.date(2027, 4, 19)

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(noon(TODAY), tick=False)]


def _v(case_id: int) -> int:
    return Case.objects.values_list("version", flat=True).get(pk=case_id)


def _run(title: str, starts_on: dt.date) -> Group:
    return Group.objects.create(
        municipality=Municipality.objects.get(slug="helsingoer"),
        provider=Provider.objects.get(slug="helsingoer_rusmiddelcenter"),
        offer="anonym_gruppe",
        title=title,
        starts_on=starts_on,
        seats=10,
    )


def _course(actor, started_on: dt.date = WINTER) -> Course:
    case = services.case_create(
        actor=actor,
        received_on=started_on,
        channel="walk_in",
        citizen_cpr="0702921234",
        citizen_name="Mette Jensen",
    )
    return services.course_start(
        actor=actor,
        case_id=case.pk,
        version=1,
        started_on=started_on,
        offer="anonym_gruppe",
        **START_KEY_FACTS,
    )


def _enrol(actor, course: Course, group: Group, on: dt.date):
    return services.group_enrol(
        actor=actor,
        course_id=course.pk,
        version=_v(course.case_id),
        group_id=group.pk,
        enrolled_on=on,
    )


@pytest.fixture
def therapist(tenants):
    return staff("therapist", "helsingoer")


def _days(course: Course) -> list[dt.date]:
    from django.utils import timezone

    return [timezone.localtime(s.starts_at).date() for s in course.sessions.order_by("starts_at")]


# --- one run at a time -----------------------------------------------------------------------


def test_a_course_in_a_run_is_not_enrolled_in_another_run_meeting_at_the_same_time(therapist):
    course = _course(therapist)
    _enrol(therapist, course, _run("Anonym gruppe vinter 2027", WINTER), WINTER)
    spring = _run("Anonym gruppe forår 2027", SPRING)
    sessions = _days(course)

    with pytest.raises(Invalid) as refused:
        _enrol(therapist, course, spring, TODAY)

    assert refused.value.field == "group_id"
    assert refused.value.message == (
        "Forløbet går allerede på holdet 'Anonym gruppe vinter 2027' (04.01.2027 – 12.04.2027). "
        "Et forløb kan kun gå på ét hold ad gangen: aflys de resterende møder på det hold, "
        "eller tilmeld fra efter 12.04.2027."
    )
    assert _days(course) == sessions  # no meeting booked twice on 12 April
    assert not Enrolment.objects.filter(group=spring).exists()


def test_a_run_after_the_last_meeting_of_the_first_is_the_next_one(therapist):
    course = _course(therapist)
    _enrol(therapist, course, _run("Anonym gruppe vinter 2027", WINTER), WINTER)
    late = _run("Anonym gruppe sen forår 2027", LATE_SPRING)

    _enrol(therapist, course, late, TODAY)  # its first meeting, 19 April, follows 12 April

    days = _days(course)
    assert len(days) == len(set(days)) == 28 and days[13:15] == [
        dt.date(2027, 4, 12),
        LATE_SPRING,
    ]


def test_with_the_first_runs_remaining_meetings_cancelled_the_course_moves_on(therapist):
    course = _course(therapist)
    winter = _run("Anonym gruppe vinter 2027", WINTER)
    _enrol(therapist, course, winter, WINTER)
    spring = _run("Anonym gruppe forår 2027", SPRING)
    last = Session.objects.get(course=course, group=winter, starts_at__date=dt.date(2027, 4, 12))
    # a meeting ahead can be cancelled (attendance waits for the day; cancelling does not)
    services.attendance_record(
        actor=therapist, session_id=last.pk, version=_v(course.case_id), attendance="cancelled"
    )

    _enrol(therapist, course, spring, TODAY)

    held = course.sessions.exclude(attendance="cancelled")
    on_12_april = held.filter(starts_at__date=dt.date(2027, 4, 12))
    assert [s.group_id for s in on_12_april] == [spring.pk]


def test_the_api_names_the_run_the_course_is_in(therapist):
    from conftest import Api

    course = _course(therapist)
    _enrol(therapist, course, _run("Anonym gruppe vinter 2027", WINTER), WINTER)
    spring = _run("Anonym gruppe forår 2027", SPRING)
    error = assert_error(
        Api(therapist).post(
            f"/courses/{course.pk}/enrolments",
            {"version": _v(course.case_id), "group_id": spring.pk, "enrolled_on": "2027-04-06"},
        ),
        422,
        "invalid",
        "group_id",
    )
    assert "'Anonym gruppe vinter 2027'" in error["message"]


def test_the_group_page_shows_it_by_the_course(therapist):
    course = _course(therapist)
    _enrol(therapist, course, _run("Anonym gruppe vinter 2027", WINTER), WINTER)
    spring = _run("Anonym gruppe forår 2027", SPRING)
    client = Client()
    client.force_login(therapist)

    response = client.post(
        f"/grupper/{spring.pk}/tilmeld/",
        {
            "enrol-course": f"{course.pk}-{_v(course.case_id)}",
            "enrol-enrolled_on": TODAY.isoformat(),
        },
    )

    assert response.status_code == 422
    body = response.content.decode()
    assert 'id="id_enrol-course_error"' in body
    assert "Forløbet går allerede på holdet &#x27;Anonym gruppe vinter 2027&#x27;" in body


# --- the enrolment date: within the course and the run ---------------------------------------


def test_an_enrolment_before_the_course_started_is_refused(therapist):
    course = _course(therapist, started_on=dt.date(2027, 3, 29))
    spring = _run("Anonym gruppe forår 2027", SPRING)

    with pytest.raises(Invalid) as refused:
        _enrol(therapist, course, spring, SPRING)

    assert refused.value.field == "enrolled_on"
    assert refused.value.message == (
        "enrolled_on: Tilmeldingens dato (15.03.2027) ligger før forløbets start (29.03.2027)."
    )
    _enrol(therapist, course, spring, dt.date(2027, 3, 29))  # from its start: the next meetings
    assert _days(course)[0] == dt.date(2027, 4, 5)


def test_an_enrolment_after_the_runs_last_meeting_is_refused(therapist):
    course = _course(therapist)
    winter = _run("Anonym gruppe vinter 2027", WINTER)

    with pytest.raises(Invalid) as refused:
        _enrol(therapist, course, winter, dt.date(2027, 4, 13))

    assert refused.value.field == "enrolled_on"
    assert "holdt sit sidste møde 12.04.2027" in refused.value.message
    assert not course.sessions.exists()


def test_a_seat_may_be_booked_ahead_of_a_run_that_has_not_begun(therapist):
    course = _course(therapist)
    late = _run("Anonym gruppe sen forår 2027", LATE_SPRING)

    enrolment = _enrol(therapist, course, late, dt.date(2027, 4, 12))

    assert enrolment.enrolled_on == dt.date(2027, 4, 12)
    assert _days(course)[0] == LATE_SPRING  # signing up before the first meeting is the way in


def test_the_group_page_offers_only_cancelling_a_meeting_ahead(therapist):
    course = _course(therapist)
    winter = _run("Anonym gruppe vinter 2027", WINTER)
    _enrol(therapist, course, winter, WINTER)
    held = Session.objects.get(course=course, starts_at__date=dt.date(2027, 4, 5))
    ahead = Session.objects.get(course=course, starts_at__date=dt.date(2027, 4, 12))
    client = Client()
    client.force_login(therapist)

    body = client.get(f"/grupper/{winter.pk}/").content.decode()

    assert f'id="fremmoede-{held.pk}-attended"' in body
    assert f'id="fremmoede-{ahead.pk}-cancelled"' in body
    assert f'id="fremmoede-{ahead.pk}-attended"' not in body
