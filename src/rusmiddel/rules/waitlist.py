"""Waitlists and start proposals: pure rules, no Django.

`waitlist_order` sorts the citizens granted an offer but not started by the keys the
standard's `waitlist.order` names. `proposals` then walks that order and gives each the
earliest start that fits the capacity left, the citizen's free choice of provider and the age
bands; whoever cannot start before the treatment guarantee runs out gets a warning with the
days left and what would place them (another provider, one more place, slot or group seat).

Capacity comes in three kinds (`Line.kind`):
- `places`: at most `amount` courses at once (a course holds its place for its expected length);
- `weekly_slots`: at most `amount` starts (first sessions) per ISO week;
- `group`: one run of a group with `amount` seats; a start is one of its meeting days: the
  first only, unless the standard gives the offer rolling intake (løbende optag).

Proposals are made at a moment (`now`, Europe/Copenhagen), not only on a day: a start whose
first session or meeting begins less than `LEAD_TIME` after now is never proposed (nor
booked: `line_admits`), so a booking made at 21:35 is not for 10.00 the same morning.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from .calendar import age_on, is_working_day
from .schedule import COPENHAGEN

#: The order when a standard says nothing: the legal deadline, then who waited longest.
DEFAULT_ORDER: tuple[str, ...] = ("guarantee_days_left", "waiting_days")
#: How far ahead proposals are searched (eight weeks past the guarantee of a new contact).
HORIZON_DAYS = 70
#: A course past its expected length is assumed to end within a week (it still holds its place).
OVERDUE_GRACE_DAYS = 7
#: The first individual session of a start booked on a place or a weekly slot (the therapist
#: moves it if need be); a group start is the run's meeting that day.
FIRST_SESSION = (dt.time(10, 0), dt.time(11, 0))
#: A start is proposed, and booked, only when its first session or meeting begins at least
#: this long after now. The confirmation goes out by Digital Post when the booking commits;
#: the citizen must be able to read it (or be told on the phone) and get there, often by bus
#: across the municipality or after arranging to leave work or school. Two hours covers that
#: for a same-day start booked early in the morning; anything shorter is a time the citizen
#: cannot be expected to reach.
LEAD_TIME = dt.timedelta(hours=2)
_LAST = 10**6


@dataclass(frozen=True)
class Waiting:
    """One citizen granted an offer and not yet started on it."""

    key: int  # the decision's id
    case_id: int
    offer: str
    waiting_since: dt.date  # the first contact with a wish for treatment
    guarantee_due: dt.date | None  # None: the offer is not covered by the guarantee
    earliest: dt.date  # no start before (the decision's date)
    priorities: tuple[str, ...] = ()  # the standard's priority groups the citizen is in
    birth_date: dt.date | None = None
    wish: str | None = None  # the provider chosen under free choice: the only one allowed
    # places: how long this citizen's course would hold its place (the offer's typical
    # duration for their age); None: the line's `length_days`
    length_days: int | None = None


@dataclass(frozen=True)
class Line:
    """Capacity for one offer at one provider (see the module doc for the kinds)."""

    key: str  # "capacity:<id>" or "group:<id>"
    offer: str
    provider: str
    kind: str  # places | weekly_slots | group
    amount: int
    valid_from: dt.date
    valid_until: dt.date | None = None
    age_min: int | None = None
    age_max: int | None = None
    length_days: int = 90  # places: how long a course holds its place (unless its citizen's own)
    # places: (start, expected end) of each course holding or booked to hold a place
    busy: tuple[tuple[dt.date, dt.date], ...] = ()
    starts: tuple[dt.date, ...] = ()  # weekly_slots: starts already booked
    taken: int = 0  # group: seats already taken
    meetings: tuple[dt.date, ...] = ()  # group: the run's meeting days
    rolling: bool = False  # group: may join at any meeting
    # group: when the first session of each meeting day begins (aligned with `meetings`);
    # empty: unknown, so a meeting counts as begun when its day has
    meeting_starts: tuple[dt.datetime, ...] = ()


def slot_start(line: Line, day: dt.date) -> dt.datetime:
    """When a start on `day` on `line` begins: the group's meeting that day, else the first
    individual session (`FIRST_SESSION`)."""
    if line.kind == "group":
        for meeting, begins in zip(line.meetings, line.meeting_starts, strict=False):
            if meeting == day:
                return begins
        return dt.datetime.combine(day, dt.time.min, tzinfo=COPENHAGEN)
    return dt.datetime.combine(day, FIRST_SESSION[0], tzinfo=COPENHAGEN)


def earliest_moment(now: dt.datetime | None) -> dt.datetime | None:
    """The earliest a proposed or booked start may begin, seen from `now` (None: a caller
    that knows only the day, so only the day counts)."""
    return None if now is None else now + LEAD_TIME


@dataclass(frozen=True)
class Remedy:
    """What would start a late citizen in time: `another_provider` (free choice set aside,
    only if the citizen wishes) or `one_more` place, slot or seat on `line`."""

    kind: str  # another_provider | one_more
    line: Line
    start: dt.date


@dataclass(frozen=True)
class Proposal:
    waiting: Waiting
    line: Line | None  # None: nothing fits within the horizon
    start: dt.date | None
    in_time: bool  # starts on or before the guarantee's last day (always True without one)
    days_left: int | None  # days left on the guarantee today
    remedies: tuple[Remedy, ...] = field(default=())  # what would place a late one in time


def _priority_rank(item: Waiting, ranks: dict[str, int]) -> int:
    return min((ranks[p] for p in item.priorities if p in ranks), default=_LAST)


def sort_key(
    item: Waiting, *, today: dt.date, order: Sequence[str], ranks: dict[str, int]
) -> tuple[int, ...]:
    """The tuple a waitlist sorts by; the case id breaks a full tie so the order is stable."""
    values = {
        "guarantee_days_left": ((item.guarantee_due - today).days if item.guarantee_due else _LAST),
        "priority": _priority_rank(item, ranks),
        "waiting_days": -(today - item.waiting_since).days,
    }
    return (*(values[k] for k in order), item.case_id, item.key)


def waitlist_order(
    items: Iterable[Waiting],
    *,
    today: dt.date,
    order: Sequence[str] | None,
    priorities: dict[str, dict[str, int]],
) -> list[Waiting]:
    """The waiting citizens in the standard's order. `priorities` maps offer id → {priority
    id: rank} (a priority group counts only for the offers the standard lists it for)."""
    keys = tuple(order or DEFAULT_ORDER)
    return sorted(
        items,
        key=lambda w: sort_key(w, today=today, order=keys, ranks=priorities.get(w.offer, {})),
    )


# --- capacity, as it is used up by the proposals made so far ----------------------------------


@dataclass
class _Use:
    """What a line has left as proposals are made (a mutable copy of `Line`'s occupancy)."""

    line: Line
    today: dt.date
    horizon: dt.date
    extra: int = 0  # what-if: one more place, slot or seat
    busy: list[tuple[dt.date, dt.date]] = field(default_factory=list)
    week_starts: Counter = field(default_factory=Counter)
    taken: int = 0
    not_before: dt.datetime | None = None  # no start beginning earlier (`earliest_moment`)

    @classmethod
    def of(
        cls,
        line: Line,
        today: dt.date,
        horizon: dt.date,
        extra: int = 0,
        not_before: dt.datetime | None = None,
    ) -> _Use:
        floor = today + dt.timedelta(days=OVERDUE_GRACE_DAYS)
        # a course past its expected length still holds its place for a grace period
        busy = [(s, max(e, floor)) if s <= today else (s, e) for s, e in line.busy]
        weeks = Counter(d.isocalendar()[:2] for d in line.starts)
        return cls(line, today, horizon, extra, busy, weeks, line.taken, not_before)

    def _reachable(self, day: dt.date) -> bool:
        return self.not_before is None or slot_start(self.line, day) >= self.not_before

    @property
    def amount(self) -> int:
        return self.line.amount + self.extra

    def _open(self, day: dt.date) -> bool:
        line = self.line
        return line.valid_from <= day and (line.valid_until is None or day <= line.valid_until)

    def _places_free(self, start: dt.date, length: int) -> bool:
        end = start + dt.timedelta(days=length)
        # the most courses at once in [start, end) occurs at some course's start (or ours)
        checks = [start] + [s for s, _ in self.busy if start < s < end]
        return all(sum(1 for s, e in self.busy if s <= t < e) < self.amount for t in checks)

    def candidates(self, earliest: dt.date, length: int | None = None) -> Iterable[dt.date]:
        """The days a start fits from `earliest` on; a place is held for `length` days (the
        line's `length_days` when None)."""
        line = self.line
        length = length or line.length_days
        if line.kind == "group":
            if self.taken >= self.amount:
                return
            days = line.meetings if line.rolling else line.meetings[:1]
            yield from (
                d
                for d in days
                if earliest <= d <= self.horizon and self._open(d) and self._reachable(d)
            )
            return
        day = earliest
        while day <= self.horizon:
            if is_working_day(day) and self._open(day) and self._reachable(day):
                if line.kind == "weekly_slots":
                    if self.week_starts[day.isocalendar()[:2]] < self.amount:
                        yield day
                elif self._places_free(day, length):
                    yield day
            day += dt.timedelta(days=1)

    def take(self, start: dt.date, length: int | None = None) -> None:
        if self.line.kind == "group":
            self.taken += 1
        elif self.line.kind == "weekly_slots":
            self.week_starts[start.isocalendar()[:2]] += 1
        else:
            days = length or self.line.length_days
            self.busy.append((start, start + dt.timedelta(days=days)))


def age_fits(item: Waiting, line: Line, band: tuple[int | None, int | None], on: dt.date) -> bool:
    bands = [band, (line.age_min, line.age_max)]
    if all(lo is None and hi is None for lo, hi in bands):
        return True
    if item.birth_date is None:
        return False  # a band we cannot check is a band we could break
    age = age_on(item.birth_date, on)
    return all((lo is None or age >= lo) and (hi is None or age <= hi) for lo, hi in bands)


def _earliest(
    item: Waiting,
    uses: Sequence[_Use],
    *,
    today: dt.date,
    bands: dict[str, tuple[int | None, int | None]],
    free_choice: bool = True,
) -> tuple[_Use, dt.date] | None:
    best: tuple[_Use, dt.date] | None = None
    earliest = max(today, item.earliest)
    band = bands.get(item.offer, (None, None))
    for use in uses:
        line = use.line
        if line.offer != item.offer or (free_choice and item.wish and line.provider != item.wish):
            continue
        for day in use.candidates(earliest, item.length_days):
            if best is not None and day >= best[1]:
                break
            if age_fits(item, line, band, day):
                best = (use, day)
                break
    return best


def proposals(
    ordered: Sequence[Waiting],
    lines: Sequence[Line],
    *,
    today: dt.date,
    now: dt.datetime | None = None,
    age_bands: dict[str, tuple[int | None, int | None]] | None = None,
    horizon_days: int = HORIZON_DAYS,
) -> list[Proposal]:
    """Each waiting citizen's earliest start, in the waitlist's order: the first in the list
    chooses first, and what they take is gone for the rest. A start never exceeds a line's
    capacity, never falls outside the offer's (or the line's) age band for the citizen's age
    on the start day, never lies at another provider than the one chosen under free choice,
    and never begins less than `LEAD_TIME` after `now` (the moment of `today` the proposals
    are made; None: only the day counts). `age_bands` maps offer id → (min, max), whole years
    inclusive."""
    bands = age_bands or {}
    horizon = today + dt.timedelta(days=horizon_days)
    not_before = earliest_moment(now)
    uses = [_Use.of(line, today, horizon, not_before=not_before) for line in lines]
    result = []
    for item in ordered:
        found = _earliest(item, uses, today=today, bands=bands)
        days_left = (item.guarantee_due - today).days if item.guarantee_due else None
        if found is None:
            result.append(
                Proposal(item, None, None, False, days_left, _remedies(item, uses, today, bands))
            )
            continue
        use, start = found
        use.take(start, item.length_days)
        in_time = item.guarantee_due is None or start <= item.guarantee_due
        remedies = () if in_time else _remedies(item, uses, today, bands)
        result.append(Proposal(item, use.line, start, in_time, days_left, remedies))
    return result


def _remedies(
    item: Waiting, uses: Sequence[_Use], today: dt.date, bands: dict[str, tuple]
) -> tuple[Remedy, ...]:
    """What would start `item` within the guarantee: another provider (free choice set
    aside), or one more place, slot or seat on one of the offer's lines."""
    due = item.guarantee_due
    if due is None:
        return ()
    found: list[Remedy] = []
    if item.wish:
        other = _earliest(item, uses, today=today, bands=bands, free_choice=False)
        if other and other[1] <= due and other[0].line.provider != item.wish:
            found.append(Remedy("another_provider", other[0].line, other[1]))
    for use in uses:
        if use.line.offer != item.offer or (item.wish and use.line.provider != item.wish):
            continue
        more = replace(
            use, extra=use.extra + 1, busy=list(use.busy), week_starts=Counter(use.week_starts)
        )
        hit = _earliest(item, [more], today=today, bands=bands)
        if hit and hit[1] <= due:
            found.append(Remedy("one_more", use.line, hit[1]))
    return tuple(found)


def line_admits(
    line: Line,
    start: dt.date,
    *,
    today: dt.date,
    now: dt.datetime | None = None,
    length_days: int | None = None,
) -> bool:
    """Whether `line` can take one more start on `start` with what it holds now (the check a
    booking repeats under the line's row lock): not before `LEAD_TIME` after `now`, for a
    course holding a place `length_days` (the line's when None)."""
    if start < today:
        return False
    use = _Use.of(line, today, max(start, today), not_before=earliest_moment(now))
    return start in set(use.candidates(start, length_days))


def guarantee_share(items: Sequence[Proposal]) -> tuple[int, int]:
    """(started in time, covered by the guarantee) among the proposals."""
    covered = [p for p in items if p.waiting.guarantee_due is not None]
    return sum(1 for p in covered if p.in_time), len(covered)
