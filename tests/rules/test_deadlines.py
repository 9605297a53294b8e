"""Deadlines: Justitsministeriets vejledning nr. 9533 af 26. juni 2018 om beregning af
klagefrister, the 14-day treatment guarantee (SEL § 101, stk. 4) and follow-ups."""

import datetime as dt

import pytest

from rusmiddel.rules import InputError, deadline_in_weeks, received_on

D = dt.date


@pytest.mark.parametrize(
    ("received", "deadline", "moved_from"),
    [
        (D(2026, 11, 24), D(2026, 12, 22), None),  # Tuesday to Tuesday, four weeks
        (D(2026, 11, 28), D(2026, 12, 28), D(2026, 12, 26)),  # 2. juledag (a Saturday)
        (D(2026, 11, 29), D(2026, 12, 28), D(2026, 12, 27)),  # a Sunday
        (D(2027, 2, 25), D(2027, 3, 30), D(2027, 3, 25)),  # Skærtorsdag → after Easter
        (D(2027, 2, 28), D(2027, 3, 30), D(2027, 3, 28)),  # Easter Sunday
        (D(2026, 4, 16), D(2026, 5, 15), D(2026, 5, 14)),  # Ascension → Friday after
        (D(2028, 2, 1), D(2028, 2, 29), None),  # leap day is an ordinary Tuesday
    ],
)
def test_complaint_deadline_four_weeks_moved_off_closed_days(received, deadline, moved_from):
    result = deadline_in_weeks(received, 4)
    assert result.date == deadline
    assert result.adjusted_from == moved_from


def test_the_day_of_receipt_is_not_counted():
    # 1 week from Monday is the next Monday, not the Sunday before.
    assert deadline_in_weeks(D(2026, 11, 23), 1).date == D(2026, 11, 30)


@pytest.mark.parametrize(
    ("channel", "sent", "received"),
    [
        ("digital_post", D(2026, 12, 24), D(2026, 12, 24)),  # available the same day
        ("post", D(2026, 11, 24), D(2026, 12, 2)),  # six working days
        ("post", D(2026, 12, 18), D(2026, 12, 29)),  # over Christmas
        ("quickpost", D(2026, 12, 23), D(2026, 12, 25)),  # two days, whatever the day
    ],
)
def test_received_by_channel(channel, sent, received):
    assert received_on(sent, channel) == received


def test_unknown_channel_names_the_option():
    with pytest.raises(InputError, match="--channel"):
        received_on(D(2026, 11, 24), "pigeon")
