"""Group calendars: weekly sessions that skip Danish public holidays.

A weekly series that meets a public holiday (Easter Monday, Whit Monday, Christmas …)
skips it and adds a week at the end, so the course still delivers the standard's number
of sessions. A course with a common stop day (Helsingør's cocaine and hash stop group)
gets an extra session in each week of the weeks after the stop day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from rusmiddel.standards.schema import WEEKDAYS, Offer, Schedule

from .calendar import is_public_holiday, is_working_day
from .errors import InputError

COPENHAGEN = ZoneInfo("Europe/Copenhagen")


@dataclass(frozen=True, slots=True)
class Session:
    start: dt.datetime  # aware, Europe/Copenhagen
    end: dt.datetime


def _at(day: dt.date, clock: str) -> dt.datetime:
    hour, minute = map(int, clock.split(":"))
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=COPENHAGEN)


def _first_on_weekday(start: dt.date, weekday: int) -> dt.date:
    return start + dt.timedelta(days=(weekday - start.weekday()) % 7)


def _regular_days(schedule: Schedule, start: dt.date) -> list[dt.date]:
    weekday = WEEKDAYS.index(schedule.weekday) if schedule.weekday else start.weekday()
    day = _first_on_weekday(start, weekday)
    days: list[dt.date] = []
    while len(days) < schedule.sessions:
        if not is_public_holiday(day):
            days.append(day)
        day += dt.timedelta(weeks=1)
    return days


def _extra_days(schedule: Schedule, regular: list[dt.date], stop_day: dt.date) -> list[dt.date]:
    rule = schedule.stop_day
    assert rule is not None
    window_end = stop_day + dt.timedelta(weeks=rule.weeks)
    taken = set(regular)
    extras: list[dt.date] = []
    for day in regular:
        if stop_day <= day < window_end:
            extra = day + dt.timedelta(days=rule.extra_session_offset_days)
            while not is_working_day(extra) or extra in taken:
                extra += dt.timedelta(days=1)
            taken.add(extra)
            extras.append(extra)
    return extras


def longest_run(schedule: Schedule) -> dt.timedelta:
    """At least the time from a run's start to its last session, whatever the start: up to a
    week to the first weekday, the weekly sessions, a week more for each public holiday they
    skip (fewer than one in two weeks, two running only over Christmas and New Year) and a
    stop day's extra sessions, days after regular ones. Lets a page leave out the calendars of
    runs long over. tests/standards/test_group_runs.py checks it against every start date of
    twenty years."""
    return dt.timedelta(weeks=2 * schedule.sessions + 3, days=14)


def group_sessions(offer: Offer, start: dt.date, stop_day: dt.date | None = None) -> list[Session]:
    """The session calendar of one run of a group offer starting on or after `start`
    (InputError when it would run past 9999-12-31)."""
    try:
        return _group_sessions(offer, start, stop_day)
    except OverflowError:
        raise InputError(
            f"--start: a run from {start.isoformat()} would end beyond the last date there is "
            "(9999-12-31)"
        ) from None


def _group_sessions(offer: Offer, start: dt.date, stop_day: dt.date | None) -> list[Session]:
    schedule = offer.schedule
    if schedule is None:
        raise InputError(f"--offer: '{offer.id}' has no group calendar")
    if stop_day is not None and schedule.stop_day is None:
        raise InputError(f"--stop-day: '{offer.id}' has no common stop day")
    regular = _regular_days(schedule, start)
    days = list(regular)
    if schedule.stop_day is not None:
        if stop_day is None:
            raise InputError(
                f"--stop-day: required for '{offer.id}' (the common stop day agreed in one of "
                f"the first {schedule.stop_day.stop_day_within_weeks} weeks)"
            )
        first, latest = (
            regular[0],
            regular[0] + dt.timedelta(weeks=schedule.stop_day.stop_day_within_weeks, days=-1),
        )
        if not first <= stop_day <= latest:
            raise InputError(
                f"--stop-day: {stop_day.isoformat()} must lie in the first "
                f"{schedule.stop_day.stop_day_within_weeks} weeks of the course "
                f"({first.isoformat()} to {latest.isoformat()})"
            )
        days += _extra_days(schedule, regular, stop_day)
    return [Session(_at(d, schedule.start_time), _at(d, schedule.end_time)) for d in sorted(days)]
