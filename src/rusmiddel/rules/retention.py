"""Retention: which cases are due for erasure on a day, under the standard's `retention`
rules. Pure: the caller gives each case's activity (`CaseActivity`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from rusmiddel.standards.schema import Retention, RetentionRule

from .calendar import add_months

__all__ = ["CaseActivity", "Erasure", "retention_due", "rule_for"]


@dataclass(frozen=True)
class CaseActivity:
    case_id: int
    number: str
    anonymous: bool
    last_activity: dt.date  # the day of the last write to the case (or its creation)
    course_active: bool  # a course is running: never erased for inactivity
    courses_ended_on: dt.date | None  # the last course's end, when it has courses, all ended


@dataclass(frozen=True)
class Erasure:
    case_id: int
    number: str
    rule: str  # the rule's id
    counted_from: dt.date
    due_on: dt.date  # counted_from + the rule's months: erased on this day or later


def rule_for(retention: Retention, case: CaseActivity) -> tuple[RetentionRule, dt.date] | None:
    """The first rule that fits the case, and the day it counts from; None: no rule fits."""
    kind = "anonymous" if case.anonymous else "named"
    for rule in retention.rules:
        if rule.cases != kind:
            continue
        if rule.counted_from == "course_ended":
            if case.courses_ended_on is not None:
                return rule, case.courses_ended_on
        elif not case.course_active:
            return rule, case.last_activity
    return None


def retention_due(
    retention: Retention, cases: Iterable[CaseActivity], on: dt.date
) -> list[Erasure]:
    """The cases due for erasure on `on`: those whose first fitting rule's period has run
    out (on the day exactly `months` after the day it counts from, or later)."""
    due = []
    for case in cases:
        fit = rule_for(retention, case)
        if fit is None:
            continue
        rule, since = fit
        due_on = add_months(since, rule.months)
        if on >= due_on:
            due.append(Erasure(case.case_id, case.number, rule.id, since, due_on))
    return due
