"""`rules.longest_run` holds for every group offer of the seed standards and every start date
of twenty years (public holidays and the standard's closed days skipped): no run meets after
its start plus that span. Grupper leaves out the calendars
of runs started longer ago than that (tests/web/test_group_pages.py shows the page)."""

from __future__ import annotations

import datetime as dt

import pytest

from rusmiddel.rules import group_sessions, is_closed, longest_run
from rusmiddel.rules.schedule import _regular_days
from rusmiddel.standards import registry

FIRST, LAST = dt.date(2020, 1, 1), dt.date(2039, 12, 31)


def _group_offers():
    for municipality in ("gentofte", "helsingoer"):
        standard = registry.load(municipality, dt.date(2026, 6, 1)).standard
        yield from ((o, standard.closed_days) for o in standard.offers if o.schedule is not None)


CALENDARS = list(_group_offers())
OFFERS = [o for o, _ in CALENDARS]


def test_the_seeds_have_group_offers_with_and_without_a_stop_day():
    assert len(OFFERS) >= 3
    assert any(o.schedule.stop_day is not None for o in OFFERS)


@pytest.mark.parametrize(("offer", "closed"), CALENDARS, ids=lambda x: getattr(x, "id", ""))
def test_no_run_meets_after_its_start_plus_the_longest_run(offer, closed):
    span, rule = longest_run(offer.schedule), offer.schedule.stop_day
    longest, start = dt.timedelta(0), FIRST
    while start <= LAST:
        stop = None
        if rule is not None:  # the latest stop day allowed: the most extra sessions last
            first = _regular_days(offer.schedule, start, closed)[0]
            stop = first + dt.timedelta(weeks=rule.stop_day_within_weeks, days=-1)
            while is_closed(stop, closed):  # a stop day may not fall on a closed day
                stop -= dt.timedelta(days=1)
        last = group_sessions(offer, start, stop, closed=closed)[-1].start.date()
        longest = max(longest, last - start)
        start += dt.timedelta(days=1)
    assert longest <= span
    assert longest > span / 3  # a bound near the truth, not one that leaves out nothing
