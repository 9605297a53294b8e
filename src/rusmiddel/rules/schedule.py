"""Group calendars: weekly sessions that skip Danish public holidays and the standard's
closed days.

A weekly series that meets a closed day (Easter Monday, Whit Monday, Christmas, and the days
the standard closes, such as 24 and 31 December) skips it and adds a week at the end, so the
course still delivers the standard's number of sessions. A course with a common stop day
(Helsingør's cocaine and hash stop group) holds the rule's number of sessions (twice) in each
of the weeks counted from the stop day (days 0–6, 7–13), whatever weekday the stop falls on:
a week short of sessions gets extra ones on open working days, as far as possible from the
course's other sessions. The stop day itself may not be a closed day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from rusmiddel.standards.schema import WEEKDAYS, ClosedDays, Offer, Schedule

from .calendar import closed_day_name, is_closed, is_open_day
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


def _regular_days(
    schedule: Schedule, start: dt.date, closed: ClosedDays | None = None
) -> list[dt.date]:
    weekday = WEEKDAYS.index(schedule.weekday) if schedule.weekday else start.weekday()
    day = _first_on_weekday(start, weekday)
    days: list[dt.date] = []
    while len(days) < schedule.sessions:
        if not is_closed(day, closed):
            days.append(day)
        day += dt.timedelta(weeks=1)
    return days


def _spread(day: dt.date, taken: set[dt.date]) -> int:
    """Days to the nearest session already in the course (large: well spread)."""
    return min(abs((day - other).days) for other in taken)


def _extra_days(
    schedule: Schedule, regular: list[dt.date], stop_day: dt.date, closed: ClosedDays | None
) -> list[dt.date]:
    rule = schedule.stop_day
    assert rule is not None
    taken = set(regular)
    extras: list[dt.date] = []
    for week in range(rule.weeks):
        first = stop_day + dt.timedelta(weeks=week)
        days = [first + dt.timedelta(days=i) for i in range(7)]
        held = sum(1 for d in days if d in taken)
        while held < rule.sessions_per_week:
            # the day `extra_session_offset_days` after a regular session in the week, when
            # it is open; else the open day farthest from the other sessions (earliest on a tie)
            preferred = [
                d + dt.timedelta(days=rule.extra_session_offset_days) for d in days if d in regular
            ]
            free = [d for d in days if is_open_day(d, closed) and d not in taken]
            if not free:
                raise InputError(
                    f"--stop-day: the week from {first.isoformat()} has no open day for the "
                    f"{rule.sessions_per_week} sessions the rule asks for"
                )
            chosen = next((d for d in preferred if d in free), None)
            if chosen is None:
                chosen = max(free, key=lambda d: (_spread(d, taken), -d.toordinal()))
            taken.add(chosen)
            extras.append(chosen)
            held += 1
    return extras


def longest_run(schedule: Schedule) -> dt.timedelta:
    """At least the time from a run's start to its last session, whatever the start: up to a
    week to the first weekday, the weekly sessions, a week more for each closed day they
    skip (fewer than one in two weeks, a few running only over Christmas and New Year) and a
    stop day's extra sessions, days after regular ones. Lets a page leave out the calendars of
    runs long over. tests/standards/test_group_runs.py checks it against every start date of
    twenty years."""
    return dt.timedelta(weeks=2 * schedule.sessions + 3, days=14)


def group_sessions(
    offer: Offer,
    start: dt.date,
    stop_day: dt.date | None = None,
    *,
    closed: ClosedDays | None = None,
) -> list[Session]:
    """The session calendar of one run of a group offer starting on or after `start`;
    `closed` is the standard's closed days (`Standard.closed_days`), skipped as holidays
    (InputError when it would run past 9999-12-31)."""
    try:
        return _group_sessions(offer, start, stop_day, closed)
    except OverflowError:
        raise InputError(
            f"--start: a run from {start.isoformat()} would end beyond the last date there is "
            "(9999-12-31)"
        ) from None


def _group_sessions(
    offer: Offer, start: dt.date, stop_day: dt.date | None, closed: ClosedDays | None
) -> list[Session]:
    schedule = offer.schedule
    if schedule is None:
        raise InputError(f"--offer: '{offer.id}' has no group calendar")
    if stop_day is not None and schedule.stop_day is None:
        raise InputError(f"--stop-day: '{offer.id}' has no common stop day")
    regular = _regular_days(schedule, start, closed)
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
        why = closed_day_name(stop_day, closed)
        if why is not None:
            raise InputError(
                f"--stop-day: {stop_day.isoformat()} is a closed day ({why}); choose a day "
                "the group's place is open"
            )
        days += _extra_days(schedule, regular, stop_day, closed)
    return [Session(_at(d, schedule.start_time), _at(d, schedule.end_time)) for d in sorted(days)]
