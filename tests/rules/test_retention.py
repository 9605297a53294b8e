"""Retention rules (the standard's `retention`): a case is due for erasure on the day exactly
the rule's months after the day it counts from, not the day before; the first rule that fits
the case decides; a running course is never erased for inactivity."""

from __future__ import annotations

import datetime as dt

import pytest

from rusmiddel.rules.retention import CaseActivity, retention_due, rule_for
from rusmiddel.standards.registry import load

D = dt.date


def _retention(municipality: str = "helsingoer"):
    retention = load(municipality, D(2026, 12, 1)).standard.retention
    assert retention is not None and retention.periods_are_examples
    return retention


def _case(*, last: dt.date, anonymous=False, active=False, ended=None) -> CaseActivity:
    return CaseActivity(1, "HELSINGOER-2024-000001", anonymous, last, active, ended)


@pytest.mark.parametrize("municipality", ["gentofte", "helsingoer"])
def test_anonymous_counselling_goes_24_months_after_the_last_activity(municipality):
    retention = _retention(municipality)
    case = _case(anonymous=True, last=D(2024, 3, 15))
    assert retention_due(retention, [case], D(2026, 3, 14)) == []
    (erasure,) = retention_due(retention, [case], D(2026, 3, 15))
    assert (erasure.rule, erasure.counted_from, erasure.due_on) == (
        "anonymous_counselling",
        D(2024, 3, 15),
        D(2026, 3, 15),
    )
    assert retention_due(retention, [case], D(2027, 1, 1)) == [erasure]


def test_an_ended_course_is_kept_five_years_from_its_end_not_from_the_last_write():
    retention = _retention()
    case = _case(last=D(2024, 9, 1), ended=D(2024, 2, 29))  # written to after the end
    assert rule_for(retention, case)[0].id == "ended_course"
    assert retention_due(retention, [case], D(2029, 2, 27)) == []
    (erasure,) = retention_due(retention, [case], D(2029, 2, 28))  # no 29th in 2029
    assert (erasure.rule, erasure.due_on) == ("ended_course", D(2029, 2, 28))


def test_a_running_course_is_never_due_and_a_case_without_one_counts_from_its_last_write():
    retention = _retention()
    running = _case(last=D(2010, 1, 1), active=True)
    assert rule_for(retention, running) is None
    assert retention_due(retention, [running], D(2040, 1, 1)) == []
    never_treated = _case(last=D(2024, 1, 31))
    assert retention_due(retention, [never_treated], D(2029, 1, 30)) == []
    (erasure,) = retention_due(retention, [never_treated], D(2029, 1, 31))
    assert erasure.rule == "named_without_course"
