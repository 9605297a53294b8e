"""The treatment guarantee kept or not: one definition for every figure that counts it.

SEL § 101, stk. 4 and SUL § 141, stk. 2: treatment starts at most 14 days after the first
contact with a wish for treatment. The guarantee date is a maximum, never moved later, so a
request is decided by its guarantee date alone:

* `met`: treatment started on or before the guarantee date;
* `missed`: treatment started, after the guarantee date;
* `pending_overdue`: the guarantee date has passed and treatment has not started (a booked
  start still to come counts as not started): the guarantee was not kept, whatever happens
  next, so it counts with `missed` and is never left out;
* `pending`: the guarantee date has not passed and treatment has not started: not decided
  yet, not counted.

Share kept = met / (met + missed + pending_overdue), per month of the guarantee date (so a
month's figure no longer changes once its last day has passed).

Requests less than 10 days apart are one request, as in the national statistics: a request
on the same case less than `MERGE_DAYS` days after an earlier one, made while treatment had
not started on that earlier one, is merged into it and keeps the earlier (first) guarantee
date (a maximum: never moved later by asking again). Without the merge, a citizen who rings
twice would count twice, and a late start could count as kept on the second call's later date.

`reporting.statistics` counts the same in SQL (one query); tests check that both agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

#: Requests less than this many days apart are one request (the national statistics' rule).
MERGE_DAYS = 10


class Outcome(StrEnum):
    MET = "met"
    MISSED = "missed"  # started after the guarantee date
    PENDING_OVERDUE = "pending_overdue"  # the guarantee date has passed without a start
    PENDING = "pending"  # not started, the guarantee date not passed: not counted yet


#: The outcomes that count as the guarantee not kept.
NOT_KEPT = (Outcome.MISSED, Outcome.PENDING_OVERDUE)


def guarantee_outcome(
    contact_date: dt.date, guarantee_date: dt.date, started_on: dt.date | None, today: dt.date
) -> Outcome:
    """The outcome of one request on `today`. `started_on` is the day treatment started (the
    course's start that met the request), or None; a start after `today` (booked, not yet
    happened) or before the request itself (an earlier course) is no start for it."""
    started = started_on is not None and contact_date <= started_on <= today
    if started:
        return Outcome.MET if started_on <= guarantee_date else Outcome.MISSED
    return Outcome.PENDING_OVERDUE if today > guarantee_date else Outcome.PENDING


@dataclass(frozen=True)
class Request:
    """A contact with a wish for treatment and its guarantee date."""

    key: int  # the contact's id: breaks a tie of two requests on one day
    case: int
    received_on: dt.date
    guarantee_date: dt.date
    started_on: dt.date | None  # the day treatment started on it (its deadline's met_on)


def merged(requests: Iterable[Request]) -> list[Request]:
    """The requests that count, each request merged into an earlier one on its case that came
    less than `MERGE_DAYS` days before and had not started by the time it came (chains
    merge into their first request)."""
    items = sorted(requests, key=lambda r: (r.case, r.received_on, r.key))
    kept = []
    for i, r in enumerate(items):
        earlier = (
            e
            for e in items[:i]
            if e.case == r.case
            and (r.received_on - e.received_on).days < MERGE_DAYS
            and (e.started_on is None or e.started_on > r.received_on)
        )
        if next(earlier, None) is None:
            kept.append(r)
    return kept


@dataclass(frozen=True)
class Tally:
    met: int = 0
    missed: int = 0
    pending_overdue: int = 0
    pending: int = 0

    @property
    def counted(self) -> int:
        """The requests decided: kept or not (`pending` is not)."""
        return self.met + self.missed + self.pending_overdue

    @property
    def not_kept(self) -> int:
        return self.missed + self.pending_overdue

    @property
    def share(self) -> float | None:
        """Kept in per cent, one decimal; None when nothing is decided yet."""
        return round(100 * self.met / self.counted, 1) if self.counted else None

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.met + other.met,
            self.missed + other.missed,
            self.pending_overdue + other.pending_overdue,
            self.pending + other.pending,
        )


def tally(outcomes: Iterable[Outcome]) -> Tally:
    counts = {o: 0 for o in Outcome}
    for o in outcomes:
        counts[o] += 1
    return Tally(
        counts[Outcome.MET],
        counts[Outcome.MISSED],
        counts[Outcome.PENDING_OVERDUE],
        counts[Outcome.PENDING],
    )


def guarantee_tally(requests: Iterable[Request], *, today: dt.date) -> Tally:
    """Every request counted once (after the merge) by its outcome on `today`."""
    return tally(
        guarantee_outcome(r.received_on, r.guarantee_date, r.started_on, today)
        for r in merged(requests)
    )
