"""FIT (ORS/SRS) and key facts through the JSON API, and the outcome categories per substance
at the course's end (Helsingør's standard: its individual talks cover drugs and alcohol)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from case_world import assert_error
from factories import END_KEY_FACTS, START_KEY_FACTS, granted_course
from rusmiddel.cases import services
from rusmiddel.cases.models import Case
from support import AFTER_THE_EVENTS

#: The tests record events ahead of the real today: on a clock after them.
pytestmark = pytest.mark.time_machine(AFTER_THE_EVENTS, tick=False)

START = dt.date(2026, 12, 1)


def _v(case_id: int) -> int:
    return Case.objects.values_list("version", flat=True).get(pk=case_id)


@pytest.fixture
def therapy(as_role):
    api = as_role("therapist", "helsingoer")
    case, course = granted_course(api.user, on=START, offer="individuelle_samtaler")
    return api, case, course


def _sessions(api, case, course, n: int) -> list[int]:
    ids = []
    for week in range(n):
        start = dt.datetime(2026, 12, 2, 9, tzinfo=dt.UTC) + dt.timedelta(weeks=week)
        ids.append(
            services.session_record(
                actor=api.user,
                course_id=course.pk,
                version=_v(case.pk),
                starts_at=start,
                ends_at=start + dt.timedelta(hours=1),
            ).pk
        )
    return ids


def test_fit_scores_are_recorded_per_session_and_read_as_a_trajectory(therapy):
    api, case, course = therapy
    first, second = _sessions(api, case, course, 2)
    # When ORS is scored at two sessions, six points apart, and SRS low at the second
    for session, items in ((first, [4, 5, 5, 4]), (second, [6, 6.5, 6.5, 5])):
        status, body = api.post(
            f"/sessions/{session}/fit",
            {"version": _v(case.pk), "instrument": "ors", "items": items},
        )
        assert status == 201, body
    assert body["total"] == 24.0
    status, _ = api.post(
        f"/sessions/{second}/fit",
        {"version": _v(case.pk), "instrument": "srs", "items": [8, 8, 9, 9]},
    )
    assert status == 201
    # Then the course's FIT shows both sessions, reliable improvement and the alliance flag
    status, fit = api.get(f"/courses/{course.pk}/fit")
    assert status == 200, fit
    assert [(p["session_id"], p["ors"], p["srs"]) for p in fit["points"]] == [
        (first, 18.0, None),
        (second, 24.0, 34.0),
    ]
    assert fit["points"][1]["alliance_concern"] is True  # below 36
    assert fit["ors"]["change"] == 6.0 and fit["ors"]["reliable_improvement"] is True
    assert fit["ors"]["cutoff"] == 25


def test_a_bad_fit_score_names_the_item_and_a_stale_version_answers_409(therapy):
    api, case, course = therapy
    (session,) = _sessions(api, case, course, 1)
    version = _v(case.pk)
    bad = api.post(
        f"/sessions/{session}/fit",
        {"version": version, "instrument": "ors", "items": [1, 2, 11, 3]},
    )
    assert_error(bad, 422, "invalid", "items[2]")
    stale = api.post(
        f"/sessions/{session}/fit",
        {"version": version - 1, "instrument": "ors", "items": [1, 2, 3, 3]},
    )
    assert_error(stale, 409, "conflict", "version")
    assert _v(case.pk) == version


def test_the_fit_read_makes_the_same_queries_for_2_and_12_sessions(therapy):
    api, case, course = therapy

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            status, _ = api.get(f"/courses/{course.pk}/fit")
        assert status == 200
        return len(ctx.captured_queries)

    def score(n: int) -> None:
        for session in _sessions(api, case, course, n):
            status, _ = api.post(
                f"/sessions/{session}/fit",
                {"version": _v(case.pk), "instrument": "ors", "items": [5, 5, 5, 5]},
            )
            assert status == 201

    score(2)
    few = queries()
    score(10)
    assert queries() == few


def test_an_alcohol_course_ends_in_the_alcohol_categories_with_its_key_facts(as_role):
    api = as_role("therapist", "helsingoer")
    case = services.case_create(
        actor=api.user,
        received_on=START,
        channel="walk_in",
        citizen_cpr="0702921234",
        citizen_name="A B",
    )
    facts = {"use": {"substances": [{"substance": "alcohol", "primary": True}]}}
    services.assessment_record(actor=api.user, case_id=case.pk, version=1, facts=facts, on=START)
    decision = services.decision_record(
        actor=api.user,
        case_id=case.pk,
        version=2,
        offer="individuelle_samtaler",
        outcome="granted",
        decided_on=START,
        override_reason="Udredes i forløbet",
    )
    status, course = api.post(
        f"/cases/{case.pk}/courses",
        {"version": 3, "started_on": "2026-12-01", "decision_id": decision.pk, **START_KEY_FACTS},
    )
    assert status == 201, course
    assert course["substance"] == "alcohol"
    end = {
        "ended_on": "2027-03-01",
        "reason": "completed",
        "final_report": "Henvist til alkoholbehandling i psykiatrien",
        **END_KEY_FACTS,
    }
    # A drug goal is refused naming the field; the alcohol goal 'referred' is taken
    refused = api.post(
        f"/courses/{course['id']}/end", {"version": 4, "outcome": "stabilised", **end}
    )
    assert_error(refused, 422, "invalid", "outcome")
    status, _ = api.post(
        f"/courses/{course['id']}/end", {"version": 4, "outcome": "referred", **end}
    )
    assert status == 200
    # …and the end's facts are corrected through the key-facts endpoint
    status, row = api.post(
        f"/courses/{course['id']}/key-facts",
        {
            "version": 5,
            "moment": "end",
            "recorded_on": "2027-03-01",
            **END_KEY_FACTS,
            "use_frequency": "not_used",
        },
    )
    assert status == 201, row
    status, full = api.get(f"/cases/{case.pk}")
    read = full["courses"][0]
    assert (read["outcome"], read["goal_met"]) == ("referred", "referred")
    assert read["key_facts"]["end"]["use_frequency"] == "not_used"
    assert read["key_facts"]["start"]["use_frequency"] == "daily"
