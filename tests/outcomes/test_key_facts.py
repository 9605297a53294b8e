"""Recording and correcting a course's key facts (use, housing, occupation) per moment."""

from __future__ import annotations

import datetime as dt

import pytest

from factories import END_KEY_FACTS, granted_course, staff
from rusmiddel.audit.models import AuditEntry
from rusmiddel.cases import services
from rusmiddel.cases.errors import Conflict, Forbidden, Invalid, NotFound
from rusmiddel.cases.models import Case
from rusmiddel.outcomes.models import KeyFacts
from rusmiddel.outcomes.services import key_facts_record
from support import AFTER_THE_EVENTS

#: The tests record events up to a year ahead of the real today: on a clock after them.
pytestmark = pytest.mark.time_machine(AFTER_THE_EVENTS, tick=False)

START = dt.date(2026, 12, 1)
ENDED = dt.date(2027, 2, 26)


def _v(case: Case) -> int:
    return Case.objects.values_list("version", flat=True).get(pk=case.pk)


@pytest.fixture
def world(tenants):
    therapist = staff("therapist", "helsingoer")
    case, course = granted_course(therapist, on=START, offer="kokain_hashstop")
    return therapist, case, course


def _record(actor, case, course, **kw):
    args = {
        "moment": "start",
        "recorded_on": START,
        "use_frequency": "days_2_3",
        "housing": "temporary",
        "occupation": "student",
    } | kw
    return key_facts_record(actor=actor, course_id=course.pk, version=_v(case), **args)


def _rows(course):
    return list(
        KeyFacts.objects.filter(course=course).values_list(
            "moment", "use_frequency", "housing", "occupation"
        )
    )


def test_the_start_facts_are_corrected_with_the_old_values_in_the_log(world):
    therapist, case, course = world
    version = _v(case)
    row = _record(therapist, case, course)
    assert _rows(course) == [("start", "days_2_3", "temporary", "student")]
    assert _v(case) == version + 1
    entry = AuditEntry.objects.get(event="key_facts_recorded", object_id=row.pk)
    assert entry.case_id == case.pk and entry.write
    assert entry.old["use_frequency"] == "daily"  # as recorded when the course started
    assert entry.new["use_frequency"] == "days_2_3"


def test_a_stale_version_writes_nothing(world):
    therapist, case, course = world
    before = _rows(course)
    with pytest.raises(Conflict):
        key_facts_record(
            actor=therapist,
            course_id=course.pk,
            version=_v(case) - 1,
            moment="start",
            recorded_on=START,
            use_frequency="not_used",
            housing="own",
            occupation="retired",
        )
    assert _rows(course) == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"moment": "halfway"}, "moment"),
        ({"moment": "end"}, "moment"),  # the course has not ended
        ({"moment": "follow_up_1"}, "moment"),
        ({"housing": ""}, "housing"),
        ({"occupation": "pirate"}, "occupation"),
    ],
)
def test_bad_key_facts_are_refused_naming_the_field(world, change, field):
    therapist, case, course = world
    before = (_rows(course), _v(case))
    with pytest.raises(Invalid) as error:
        _record(therapist, case, course, **change)
    assert error.value.field == field
    assert (_rows(course), _v(case)) == before


def test_a_follow_ups_facts_need_the_follow_up_done_with_the_citizen_reached(world):
    therapist, case, course = world
    follow_up = services.course_end(
        actor=therapist,
        course_id=course.pk,
        version=_v(case),
        ended_on=ENDED,
        reason="completed",
        outcome="reduced",
        final_report="Gennemført",
        **END_KEY_FACTS,
    )[0]
    with pytest.raises(Invalid):
        _record(therapist, case, course, moment="follow_up_1", recorded_on=dt.date(2027, 3, 29))
    services.follow_up_record(
        actor=therapist,
        follow_up_id=follow_up.pk,
        version=_v(case),
        done_on=dt.date(2027, 3, 29),
        channel="phone",
        reached=False,
    )
    with pytest.raises(Invalid):
        _record(therapist, case, course, moment="follow_up_1", recorded_on=dt.date(2027, 3, 29))
    # …and the end's facts, once ended, can be corrected, not dated before the start
    with pytest.raises(Invalid) as error:
        _record(therapist, case, course, moment="end", recorded_on=dt.date(2026, 11, 1))
    assert error.value.field == "recorded_on"
    _record(therapist, case, course, moment="end", recorded_on=ENDED, use_frequency="not_used")
    assert ("end", "not_used", "temporary", "student") in _rows(course)


def test_the_head_of_unit_may_not_and_the_other_municipality_does_not_see_it(world):
    _, case, course = world
    with pytest.raises(Forbidden):
        _record(staff("head_of_unit", "helsingoer"), case, course)
    with pytest.raises(NotFound):
        _record(staff("therapist", "gentofte"), case, course)
    assert _rows(course) == [("start", "daily", "rented", "unemployed")]
