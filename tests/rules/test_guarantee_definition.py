"""One definition of the treatment guarantee kept (rules/guarantee.py), used by the statistics
page and the waitlist alike: a guarantee date passed without a start is not kept (never
left out), the date is a maximum (not moved past a holiday or a month's end), and requests
less than 10 days apart are one request, as the national statistics count them."""

from __future__ import annotations

import datetime as dt

import pytest

from rusmiddel.rules.calendar import add_days, is_public_holiday, is_working_day
from rusmiddel.rules.guarantee import (
    MERGE_DAYS,
    Outcome,
    Request,
    Tally,
    guarantee_outcome,
    guarantee_tally,
    merged,
)

D = dt.date
MET, MISSED, OVERDUE, PENDING = (
    Outcome.MET,
    Outcome.MISSED,
    Outcome.PENDING_OVERDUE,
    Outcome.PENDING,
)


@pytest.mark.parametrize(
    ("contact", "due", "started", "today", "expected"),
    [
        # started on the guarantee date itself: kept
        (D(2026, 1, 2), D(2026, 1, 16), D(2026, 1, 16), D(2026, 3, 1), MET),
        # a day late: not kept
        (D(2026, 1, 2), D(2026, 1, 16), D(2026, 1, 17), D(2026, 3, 1), MISSED),
        # 46 days past the guarantee date and not started: not kept, not left out
        (D(2026, 1, 2), D(2026, 1, 16), None, D(2026, 3, 3), OVERDUE),
        # the guarantee date not passed: not decided yet
        (D(2026, 1, 2), D(2026, 1, 16), None, D(2026, 1, 10), PENDING),
        # today is the guarantee date: treatment may still start today
        (D(2026, 1, 2), D(2026, 1, 16), None, D(2026, 1, 16), PENDING),
        # the day after the guarantee date: decided, not kept
        (D(2026, 1, 2), D(2026, 1, 16), None, D(2026, 1, 17), OVERDUE),
        # a start booked in time but still to come is no start yet
        (D(2026, 1, 2), D(2026, 1, 16), D(2026, 1, 14), D(2026, 1, 12), PENDING),
        # ... and it is kept once its day has come
        (D(2026, 1, 2), D(2026, 1, 16), D(2026, 1, 14), D(2026, 1, 14), MET),
        # a start booked after the guarantee date, the date passed: not kept already
        (D(2026, 1, 2), D(2026, 1, 16), D(2026, 1, 20), D(2026, 1, 18), OVERDUE),
        # ... and still not kept once it has started
        (D(2026, 1, 2), D(2026, 1, 16), D(2026, 1, 20), D(2026, 1, 21), MISSED),
        # a start before the request (an earlier course) does not meet it
        (D(2026, 1, 2), D(2026, 1, 16), D(2025, 12, 1), D(2026, 3, 1), OVERDUE),
    ],
)
def test_the_outcome_of_one_request(contact, due, started, today, expected):
    assert guarantee_outcome(contact, due, started, today) == expected


def test_at_a_months_end_the_guarantee_date_falls_in_the_next_month():
    # given a contact on 31 January (and one on 31 December, across the year)
    for contact, due in ((D(2026, 1, 31), D(2026, 2, 14)), (D(2025, 12, 31), D(2026, 1, 14))):
        assert add_days(contact, 14) == due
        # then a start on the guarantee date is kept, and the next day is not
        assert guarantee_outcome(contact, due, due, due) == MET
        assert guarantee_outcome(contact, due, due + dt.timedelta(days=1), D(2026, 6, 1)) == MISSED


def test_the_guarantee_date_is_a_maximum_not_moved_past_a_holiday():
    # given a contact on 11 December 2026: 14 days later is Christmas Day, a holiday
    contact = D(2026, 12, 11)
    due = add_days(contact, 14)
    assert due == D(2026, 12, 25) and is_public_holiday(due)
    first_working_day_after = D(2026, 12, 28)
    assert is_working_day(first_working_day_after)
    # then a start on the next working day is not kept: the date is never moved later
    assert guarantee_outcome(contact, due, first_working_day_after, D(2027, 1, 4)) == MISSED
    # and nor is no start at all, from the day after the holiday
    assert guarantee_outcome(contact, due, None, D(2026, 12, 26)) == OVERDUE
    # a start on the last working day before it is kept
    assert guarantee_outcome(contact, due, D(2026, 12, 23), D(2027, 1, 4)) == MET


def test_easter_the_guarantee_runs_through_the_holidays():
    # given a contact on Palm Sunday's eve 2026 (28 March): 14 days later is 11 April,
    # after Maundy Thursday, Good Friday and Easter Monday
    contact = D(2026, 3, 28)
    due = add_days(contact, 14)
    assert due == D(2026, 4, 11)
    assert guarantee_outcome(contact, due, D(2026, 4, 10), D(2026, 4, 30)) == MET
    assert guarantee_outcome(contact, due, D(2026, 4, 13), D(2026, 4, 30)) == MISSED


def R(key, case, received, started=None, days=14):
    return Request(key, case, received, received + dt.timedelta(days=days), started)


def test_requests_less_than_ten_days_apart_are_one_with_the_first_date():
    # given a citizen who asked on 1 February and again on 5 February, started 17 February
    first, second = R(1, 7, D(2026, 2, 1), D(2026, 2, 17)), R(2, 7, D(2026, 2, 5), D(2026, 2, 17))
    # then it is one request, and its guarantee date is the first one's (15 February): missed
    assert merged([second, first]) == [first]
    assert guarantee_tally([first, second], today=D(2026, 3, 1)) == Tally(missed=1)


def test_requests_ten_days_apart_are_two():
    a, b = R(1, 7, D(2026, 2, 1)), R(2, 7, D(2026, 2, 1) + dt.timedelta(days=MERGE_DAYS))
    assert merged([a, b]) == [a, b]
    # nine days apart: one
    c = R(3, 8, D(2026, 2, 1))
    d = R(4, 8, D(2026, 2, 1) + dt.timedelta(days=MERGE_DAYS - 1))
    assert merged([c, d]) == [c]


def test_a_chain_of_requests_merges_into_its_first():
    # 1, 8 and 15 March: each less than ten days after the one before
    chain = [R(1, 7, D(2026, 3, 1)), R(2, 7, D(2026, 3, 8)), R(3, 7, D(2026, 3, 15))]
    assert merged(chain) == chain[:1]


def test_a_request_after_treatment_started_is_a_new_request():
    # given treatment started on 3 March on the first request, and a new wish on 6 March
    started = R(1, 7, D(2026, 3, 1), D(2026, 3, 3))
    again = R(2, 7, D(2026, 3, 6))
    # then the new wish is a request of its own
    assert merged([started, again]) == [started, again]
    assert guarantee_tally([started, again], today=D(2026, 4, 1)) == Tally(met=1, pending_overdue=1)


def test_other_cases_never_merge():
    a, b = R(1, 7, D(2026, 3, 1)), R(2, 8, D(2026, 3, 2))
    assert merged([a, b]) == [a, b]


def test_the_share_counts_a_passed_date_without_a_start_as_not_kept():
    # given 14 kept, 1 started late, 14 passed without a start and 3 not yet due
    t = Tally(met=14, missed=1, pending_overdue=14, pending=3)
    # then the share is of the 29 decided, not of the 15 started
    assert (t.counted, t.not_kept, t.share) == (29, 15, 48.3)
    assert Tally().share is None
    assert Tally(met=1) + Tally(missed=1, pending=2) == Tally(met=1, missed=1, pending=2)
