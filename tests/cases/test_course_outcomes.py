"""The outcome at the end in the government's categories per substance, follow-up answers
against them, and the same key facts (use, housing, occupation) at start, end and
follow-up (issue 7; DESIGN.md, Course and Ending; REGISTERS.md, SIB/NAB and TDI)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.apps import apps

from factories import END_KEY_FACTS, START_KEY_FACTS, staff
from rusmiddel.audit.models import AuditEntry
from rusmiddel.cases import services
from rusmiddel.cases.errors import Invalid
from rusmiddel.cases.models import Case, Course, FollowUp
from rusmiddel.outcomes.models import KeyFacts
from support import AFTER_THE_EVENTS

#: The tests record events up to a year ahead of the real today: on a clock after them.
pytestmark = pytest.mark.time_machine(AFTER_THE_EVENTS, tick=False)

START = dt.date(2026, 12, 1)
ENDED = dt.date(2027, 3, 1)

ALCOHOL = {
    "use": {"substances": [{"substance": "alcohol", "primary": True}, {"substance": "cannabis"}]},
    "social": {"housing": "own", "occupation": "sick_leave"},
}
COCAINE = {
    "use": {"substances": [{"substance": "cocaine", "primary": True}]},
    "social": {"housing": "rented", "occupation": "employed"},
}


def _v(case_id: int) -> int:
    return Case.objects.values_list("version", flat=True).get(pk=case_id)


def _case(actor, facts: dict[str, Any], *, cpr: str = "0702921234") -> Case:
    case = services.case_create(
        actor=actor, received_on=START, channel="walk_in", citizen_cpr=cpr, citizen_name="M J"
    )
    services.assessment_record(actor=actor, case_id=case.pk, version=1, facts=facts, on=START)
    return case


def _grant(actor, case: Case, offer: str) -> int:
    return services.decision_record(
        actor=actor,
        case_id=case.pk,
        version=_v(case.pk),
        offer=offer,
        outcome="granted",
        decided_on=START,
        override_reason="Udredes i forløbet",
    ).pk


def _start(actor, case: Case, offer: str, **key_facts: str) -> Course:
    decision_id = _grant(actor, case, offer)
    return services.course_start(
        actor=actor,
        case_id=case.pk,
        version=_v(case.pk),
        started_on=START,
        decision_id=decision_id,
        **key_facts,
    )


def _end(actor, course: Course, outcome: str, reason: str = "completed", **key_facts: str):
    return services.course_end(
        actor=actor,
        course_id=course.pk,
        version=_v(course.case_id),
        ended_on=ENDED,
        reason=reason,
        outcome=outcome,
        final_report="Afsluttet",
        **key_facts,
    )


def _facts(course: Course) -> dict[str, tuple[str, str, str, dt.date]]:
    return {
        k.moment: (k.use_frequency, k.housing, k.occupation, k.recorded_on)
        for k in KeyFacts.objects.filter(course=course)
    }


def _nothing_written(case: Case, version: int) -> None:
    assert _v(case.pk) == version


@pytest.fixture
def therapist(tenants):
    return staff("therapist", "helsingoer")


# --- the start -------------------------------------------------------------------------------


def test_an_offer_for_both_substances_takes_the_assessments_primary_alcohol(therapist):
    # Given an assessment naming alcohol as the primary substance
    case = _case(therapist, ALCOHOL)
    # When individual talks (drugs and alcohol) start with the use in the last 30 days
    course = _start(therapist, case, "individuelle_samtaler", use_frequency="days_4_6")
    # Then the course is an alcohol course and its start facts take housing and occupation
    # from the assessment
    assert course.substance == "alcohol"
    assert _facts(course) == {"start": ("days_4_6", "own", "sick_leave", START)}
    entry = AuditEntry.objects.get(event="course_started", object_id=course.pk)
    assert entry.new["substance"] == "alcohol"
    assert entry.new["key_facts"]["use_frequency"] == "days_4_6"


def test_a_single_substance_offer_decides_the_substance(therapist):
    course = _start(therapist, _case(therapist, ALCOHOL), "kokain_hashstop", **START_KEY_FACTS)
    assert course.substance == "drugs"
    assert _facts(course)["start"][:3] == ("daily", "rented", "unemployed")  # given wins


@pytest.mark.parametrize(
    ("facts", "given", "field"),
    [
        (COCAINE, {}, "use_frequency"),
        ({"use": COCAINE["use"]}, {"use_frequency": "daily"}, "housing"),
        (COCAINE, {"use_frequency": "sometimes"}, "use_frequency"),
        (COCAINE, {"use_frequency": "daily", "occupation": "astronaut"}, "occupation"),
    ],
)
def test_treatment_cannot_start_without_its_key_facts(therapist, facts, given, field):
    case = _case(therapist, facts)
    decision_id = _grant(therapist, case, "individuelle_samtaler")
    version = _v(case.pk)
    with pytest.raises(Invalid) as error:
        services.course_start(
            actor=therapist,
            case_id=case.pk,
            version=version,
            started_on=START,
            decision_id=decision_id,
            **given,
        )
    assert error.value.field == field
    assert not Course.objects.filter(case=case).exists()
    _nothing_written(case, version)


def test_a_relatives_group_starts_without_key_facts(therapist):
    # A group for relatives is no treatment of the person's own use: nothing to measure
    case = _case(therapist, {})
    course = services.course_start(
        actor=therapist,
        case_id=case.pk,
        version=_v(case.pk),
        started_on=START,
        offer="paaroerendegruppe",
    )
    assert _facts(course) == {}
    _end(therapist, course, "unchanged")  # and ends without them
    assert _facts(course) == {}


# --- the end ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "offer", "outcome"),
    [
        (ALCOHOL, "individuelle_samtaler", "stabilised"),  # a drug goal
        (COCAINE, "kokain_hashstop", "referred"),  # an alcohol goal
    ],
)
def test_an_outcome_outside_the_substances_categories_is_refused(therapist, facts, offer, outcome):
    course = _start(therapist, _case(therapist, facts), offer, use_frequency="daily")
    version = _v(course.case_id)
    with pytest.raises(Invalid) as error:
        _end(therapist, course, outcome, **END_KEY_FACTS)
    assert error.value.field == "outcome"
    assert "(en af substance_free, reduced, " in error.value.message
    _nothing_written(course.case, version)
    assert Course.objects.get(pk=course.pk).status == "active"


def test_an_alcohol_course_ends_referred_with_its_end_facts(therapist):
    course = _start(
        therapist, _case(therapist, ALCOHOL), "individuelle_samtaler", use_frequency="daily"
    )
    follow_ups = _end(therapist, course, "referred", **END_KEY_FACTS)
    assert len(follow_ups) == 2
    assert _facts(course)["end"] == ("weekly_or_less", "rented", "employed", ENDED)
    entry = AuditEntry.objects.get(event="course_ended", object_id=course.pk)
    assert (entry.new["outcome"], entry.new["key_facts"]["moment"]) == ("referred", "end")


def test_a_course_cannot_end_without_the_end_facts_while_the_citizen_can_be_asked(therapist):
    course = _start(therapist, _case(therapist, COCAINE), "kokain_hashstop", use_frequency="daily")
    version = _v(course.case_id)
    with pytest.raises(Invalid) as error:
        _end(therapist, course, "dropped_out", reason="dropped_out")
    assert error.value.field == "use_frequency"
    _nothing_written(course.case, version)


@pytest.mark.parametrize(("reason", "outcome"), [("moved", "moved"), ("deceased", "deceased")])
def test_moved_away_or_deceased_ends_without_end_facts(therapist, reason, outcome):
    course = _start(therapist, _case(therapist, COCAINE), "kokain_hashstop", use_frequency="daily")
    _end(therapist, course, outcome, reason=reason)
    assert set(_facts(course)) == {"start"}


def test_housing_and_occupation_filled_in_by_a_form_alone_record_nothing(therapist):
    # The ending form fills in housing and occupation as last recorded; the use decides
    course = _start(therapist, _case(therapist, COCAINE), "kokain_hashstop", use_frequency="daily")
    _end(therapist, course, "deceased", reason="deceased", housing="rented", occupation="retired")
    assert set(_facts(course)) == {"start"}
    relative = services.course_start(
        actor=therapist,
        case_id=(case := _case(therapist, COCAINE, cpr="0803851234")).pk,
        version=_v(case.pk),
        started_on=START,
        offer="paaroerendegruppe",
        housing="rented",
    )
    assert _facts(relative) == {}


def test_no_key_facts_are_recorded_for_a_deceased_citizen(therapist):
    course = _start(therapist, _case(therapist, COCAINE), "kokain_hashstop", use_frequency="daily")
    with pytest.raises(Invalid) as error:
        _end(therapist, course, "deceased", reason="deceased", **END_KEY_FACTS)
    assert error.value.field == "use_frequency"


def test_a_course_started_before_substances_gets_its_substance_when_it_ends(therapist):
    # Given a course of an offer for both whose substance was never set
    course = _start(
        therapist, _case(therapist, ALCOHOL), "individuelle_samtaler", use_frequency="daily"
    )
    Course.objects.filter(pk=course.pk).update(substance="")
    # When it ends, its outcome is checked against the substance derived now
    with pytest.raises(Invalid):
        _end(therapist, Course.objects.get(pk=course.pk), "stabilised", **END_KEY_FACTS)
    _end(therapist, Course.objects.get(pk=course.pk), "referred", **END_KEY_FACTS)
    assert Course.objects.get(pk=course.pk).substance == "alcohol"


def test_the_data_migration_fills_the_substance_it_can_derive(therapist):
    from importlib import import_module

    fill = import_module("rusmiddel.cases.migrations.0007_course_substance_fill").fill
    alcohol = _start(
        therapist, _case(therapist, ALCOHOL), "individuelle_samtaler", use_frequency="daily"
    )
    unknown = _start(
        therapist,
        _case(therapist, {"social": COCAINE["social"]}, cpr="0803851234"),
        "individuelle_samtaler",
        use_frequency="daily",
    )
    drugs = _start(
        therapist, _case(therapist, {}, cpr="1111811234"), "kokain_hashstop", **START_KEY_FACTS
    )
    Course.objects.update(substance="")
    fill(apps, None)
    assert dict(Course.objects.values_list("pk", "substance")) == {
        alcohol.pk: "alcohol",
        unknown.pk: "",  # no primary substance assessed: left blank, derived at the end
        drugs.pk: "drugs",
    }


# --- the follow-ups --------------------------------------------------------------------------


def _follow_up(therapist, facts=COCAINE, offer="kokain_hashstop") -> FollowUp:
    course = _start(therapist, _case(therapist, facts), offer, use_frequency="daily")
    return _end(therapist, course, "reduced", **END_KEY_FACTS)[0]


def _answer(actor, f: FollowUp, **kw: Any) -> FollowUp:
    args = {"done_on": dt.date(2027, 4, 1), "channel": "phone", "reached": True} | kw
    return services.follow_up_record(
        actor=actor, follow_up_id=f.pk, version=_v(f.course.case_id), **args
    )


def test_a_reached_follow_up_records_its_moments_key_facts(therapist):
    f = _follow_up(therapist)
    _answer(therapist, f, outcome="stabilised", **START_KEY_FACTS)
    assert _facts(f.course)["follow_up_1"] == ("daily", "rented", "unemployed", dt.date(2027, 4, 1))
    entry = AuditEntry.objects.get(event="follow_up_recorded", object_id=f.pk)
    assert entry.new["key_facts"]["moment"] == "follow_up_1"


def test_the_six_month_follow_up_records_its_own_moment(therapist):
    six = _follow_up(therapist).course.follow_ups.get(months=6)
    _answer(therapist, six, done_on=dt.date(2027, 9, 1), outcome="substance_free", **END_KEY_FACTS)
    assert set(_facts(six.course)) == {"start", "end", "follow_up_6"}


@pytest.mark.parametrize(
    ("answer", "field"),
    [
        ({"outcome": "referred", **END_KEY_FACTS}, "outcome"),  # an alcohol goal on drugs
        ({"outcome": "reduced"}, "use_frequency"),  # reached, no key facts
        ({"outcome": "reduced", **END_KEY_FACTS, "housing": "castle"}, "housing"),
        ({"reached": False, **END_KEY_FACTS}, "use_frequency"),  # not reached: nothing to say
    ],
)
def test_a_follow_up_answer_is_refused_naming_the_field(therapist, answer, field):
    f = _follow_up(therapist)
    version = _v(f.course.case_id)
    with pytest.raises(Invalid) as error:
        _answer(therapist, f, **answer)
    assert error.value.field == field
    _nothing_written(f.course.case, version)
    assert FollowUp.objects.get(pk=f.pk).done_on is None


def test_a_follow_up_of_a_citizen_who_has_moved_needs_no_key_facts(therapist):
    f = _follow_up(therapist, ALCOHOL, "individuelle_samtaler")
    _answer(therapist, f, outcome="moved")
    assert "follow_up_1" not in _facts(f.course)


# --- change of offer -------------------------------------------------------------------------


def test_a_change_of_offer_carries_the_latest_key_facts_to_the_new_course(therapist):
    case = _case(therapist, ALCOHOL)
    course = _start(therapist, case, "individuelle_samtaler", use_frequency="daily")
    decision_id = _grant(therapist, case, "kokain_hashstop")
    new = services.offer_change(
        actor=therapist,
        course_id=course.pk,
        version=_v(case.pk),
        decision_id=decision_id,
        changed_on=dt.date(2027, 1, 4),
    )
    assert (course.substance, new.substance) == ("alcohol", "drugs")
    assert _facts(new) == {"start": ("daily", "own", "sick_leave", START)}  # as measured
    assert set(_facts(course)) == {"start"}  # a transfer is no ending with end facts


def test_key_facts_given_at_a_change_of_offer_end_the_old_course_and_start_the_new(therapist):
    case = _case(therapist, COCAINE)
    course = _start(therapist, case, "individuelle_samtaler", use_frequency="daily")
    changed = dt.date(2027, 1, 4)
    decision_id = _grant(therapist, case, "kokain_hashstop")
    new = services.offer_change(
        actor=therapist,
        course_id=course.pk,
        version=_v(case.pk),
        decision_id=decision_id,
        changed_on=changed,
        **END_KEY_FACTS,
    )
    measured = ("weekly_or_less", "rented", "employed", changed)
    assert _facts(course)["end"] == measured
    assert _facts(new) == {"start": measured}
