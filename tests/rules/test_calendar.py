"""The Danish calendar: month ends, leap years, public holidays, ages."""

import datetime as dt

import pytest

from rusmiddel.rules import add_months, add_working_days, age_on, is_public_holiday, is_working_day
from rusmiddel.rules.calendar import next_working_day

D = dt.date


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),  # clamped to the month's last day
        (D(2028, 1, 31), 1, D(2028, 2, 29)),  # leap year
        (D(2026, 8, 31), 1, D(2026, 9, 30)),
        (D(2026, 8, 31), 6, D(2027, 2, 28)),
        (D(2027, 8, 31), 6, D(2028, 2, 29)),
        (D(2026, 11, 24), 1, D(2026, 12, 24)),
        (D(2026, 12, 15), 1, D(2027, 1, 15)),  # over the year end
    ],
)
def test_add_months_clamps_to_month_end(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (D(2000, 2, 29), D(2026, 2, 28), 25),  # not yet: no 29 February in 2026
        (D(2000, 2, 29), D(2026, 3, 1), 26),  # a year older on 1 March in a non-leap year
        (D(2000, 2, 29), D(2028, 2, 28), 27),
        (D(2000, 2, 29), D(2028, 2, 29), 28),  # the birthday itself in a leap year
        (D(2008, 11, 24), D(2026, 11, 23), 17),
        (D(2008, 11, 24), D(2026, 11, 24), 18),  # 18 on the 18th birthday
        (D(2026, 11, 24), D(2026, 11, 24), 0),
    ],
)
def test_age_on(born, on, age):
    assert age_on(born, on) == age


@pytest.mark.parametrize(
    "day",
    [
        D(2026, 1, 1),  # Nytårsdag
        D(2026, 4, 2),  # Skærtorsdag
        D(2026, 4, 3),  # Langfredag
        D(2026, 4, 6),  # 2. påskedag
        D(2026, 5, 14),  # Kristi himmelfartsdag
        D(2026, 5, 25),  # 2. pinsedag
        D(2026, 12, 25),
        D(2026, 12, 26),
        D(2027, 3, 29),  # 2. påskedag 2027
    ],
)
def test_danish_public_holidays(day):
    assert is_public_holiday(day)
    assert not is_working_day(day)


def test_store_bededag_abolished_from_2024():
    assert is_public_holiday(D(2023, 5, 5))
    assert not is_public_holiday(D(2024, 4, 26))


def test_friday_after_ascension_is_a_working_day():
    assert is_working_day(D(2026, 5, 15))


def test_weekend_is_not_a_working_day():
    assert not is_working_day(D(2026, 11, 28))  # Saturday
    assert not is_working_day(D(2026, 11, 29))  # Sunday
    assert is_working_day(D(2026, 11, 30))


def test_next_working_day_over_christmas():
    assert next_working_day(D(2026, 12, 25)) == D(2026, 12, 28)
    assert next_working_day(D(2026, 12, 28)) == D(2026, 12, 28)


def test_add_working_days_skips_weekends_and_holidays():
    # Friday 18 December 2026 + 6 working days: 21, 22, 23, 24, (25, 26 holidays), 28, 29.
    assert add_working_days(D(2026, 12, 18), 6) == D(2026, 12, 29)
    # Over Easter 2027: Wed 24 March + 2: Thu 25 and Fri 26 are holidays, Mon 29 too.
    assert add_working_days(D(2027, 3, 24), 2) == D(2027, 3, 31)
