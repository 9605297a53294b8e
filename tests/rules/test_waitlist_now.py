"""Proposals are made at a moment, not only on a day: no start is proposed whose first
session (or group meeting) has begun or begins less than `LEAD_TIME` from now. Late in the
day the next working day is proposed; on a Friday evening the Monday; before Easter the
Tuesday after it."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from rusmiddel.rules import waitlist as wl
from rusmiddel.rules.schedule import COPENHAGEN

D = dt.timedelta


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=COPENHAGEN)


def slots(**kw) -> wl.Line:
    return wl.Line(
        key=kw.pop("key", "capacity:1"),
        offer="ambulant",
        provider="a",
        kind=kw.pop("kind", "weekly_slots"),
        amount=kw.pop("amount", 5),
        valid_from=dt.date(2026, 1, 1),
        **kw,
    )


def person(key: int = 1, since: dt.date = dt.date(2026, 3, 1)) -> wl.Waiting:
    return wl.Waiting(
        key=key,
        case_id=key,
        offer="ambulant",
        waiting_since=since,
        guarantee_due=None,
        earliest=since,
    )


def first_start(now: dt.datetime, line: wl.Line | None = None) -> dt.date | None:
    (p,) = wl.proposals([person()], [line or slots()], today=now.date(), now=now)
    return p.start


def test_late_in_the_day_the_next_working_day_is_proposed():
    tuesday = dt.date(2026, 11, 24)
    assert first_start(at(tuesday, 21, 35)) == tuesday + D(days=1)


def test_on_a_friday_evening_the_monday_is_proposed():
    friday = dt.date(2026, 11, 27)
    assert first_start(at(friday, 21, 35)) == dt.date(2026, 11, 30)


def test_before_easter_the_first_working_day_after_it_is_proposed():
    # Maundy Thursday 2 April, Good Friday 3 April and Easter Monday 6 April 2026
    wednesday = dt.date(2026, 4, 1)
    assert first_start(at(wednesday, 21, 35)) == dt.date(2026, 4, 7)


def test_the_same_day_only_while_the_first_session_is_at_least_the_lead_time_ahead():
    monday = dt.date(2026, 11, 30)
    begins = dt.datetime.combine(monday, wl.FIRST_SESSION[0], tzinfo=COPENHAGEN)
    assert first_start(begins - wl.LEAD_TIME) == monday
    assert first_start(begins - wl.LEAD_TIME + D(minutes=1)) == monday + D(days=1)
    line = slots()
    assert wl.line_admits(line, monday, today=monday, now=begins - wl.LEAD_TIME)
    assert not wl.line_admits(line, monday, today=monday, now=at(monday, 9, 30))
    assert not wl.line_admits(line, monday, today=monday, now=at(monday, 21, 35))


def test_a_group_meeting_counts_from_its_own_time():
    monday = dt.date(2026, 11, 30)
    meetings = tuple(monday + D(days=7 * n) for n in range(4))
    group = slots(
        key="group:1",
        kind="group",
        meetings=meetings,
        meeting_starts=tuple(at(d, 16) for d in meetings),
        rolling=True,
    )
    assert first_start(at(monday, 13, 59), group) == monday  # 16.00 is 2 h 1 min away
    assert first_start(at(monday, 14, 30), group) == monday + D(days=7)
    assert not wl.line_admits(group, monday, today=monday, now=at(monday, 14, 30))
    # a run that takes no one after its first meeting has nothing left once it has begun
    closed = slots(
        key="group:2", kind="group", meetings=meetings, meeting_starts=group.meeting_starts
    )
    assert first_start(at(monday, 17), closed) is None


@settings(max_examples=100, deadline=None)
@given(
    day=st.dates(dt.date(2026, 1, 5), dt.date(2027, 12, 20)),
    minutes=st.integers(0, 24 * 60 - 1),
    kind=st.sampled_from(["places", "weekly_slots", "group"]),
)
def test_no_proposal_ever_begins_before_now_and_the_lead_time(day, minutes, kind):
    now = at(day, 0) + D(minutes=minutes)
    meetings = tuple(day - D(days=3) + D(days=n) for n in range(10))
    line = slots(
        kind=kind,
        meetings=meetings if kind == "group" else (),
        meeting_starts=tuple(at(d, 9 + n % 8) for n, d in enumerate(meetings))
        if kind == "group"
        else (),
        rolling=True,
    )
    people = [person(k, since=day - D(days=5)) for k in range(1, 4)]
    for p in wl.proposals(people, [line], today=day, now=now):
        if p.start is not None:
            assert wl.slot_start(line, p.start) >= now + wl.LEAD_TIME
            assert wl.line_admits(line, p.start, today=day, now=now)
