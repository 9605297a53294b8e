"""The Danish calendar: public holidays, working days, month arithmetic, ages.

Public holidays come from the `holidays` package (Denmark, category public): New Year's
Day, Maundy Thursday, Good Friday, Easter, Ascension Day, Whitsun and Christmas, and
Store Bededag up to 2023, when it was abolished.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
from dateutil.relativedelta import relativedelta

from rusmiddel.standards.schema import ClosedDays

from .errors import InputError


@lru_cache(maxsize=256)
def _holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("DK", years=year)


def holiday_name(day: dt.date) -> str | None:
    """The public holiday on `day` (English name from the holidays package), or None."""
    return _holidays(day.year).get(day)


def is_public_holiday(day: dt.date) -> bool:
    return day in _holidays(day.year)


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday and not a public holiday (a hverdag)."""
    return day.weekday() < 5 and not is_public_holiday(day)


def beyond_the_calendar(day: dt.date, what: str) -> InputError:
    """The error for date arithmetic that would leave the calendar (after 31 December 9999):
    a far date typed by mistake must be told as bad input, not crash as an OverflowError."""
    return InputError(f"{day.isoformat()} + {what} lies beyond the last date there is (9999-12-31)")


def add_days(day: dt.date, days: int) -> dt.date:
    """`day` + `days` days (InputError past year 9999)."""
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        raise beyond_the_calendar(day, f"{days} days") from None


def closed_day_name(day: dt.date, closed: ClosedDays | None = None) -> str | None:
    """What closes `day`: a public holiday (the holidays package's English name) or one of the
    standard's closed days (its Danish name, e.g. 24 December); None on any other day."""
    if closed is not None:
        for c in closed.days:
            if (day.month, day.day) == (c.month, c.day):
                return c.name
    return holiday_name(day)


def is_closed(day: dt.date, closed: ClosedDays | None = None) -> bool:
    """A public holiday or one of the standard's closed days: no group meets."""
    return closed_day_name(day, closed) is not None


def is_open_day(day: dt.date, closed: ClosedDays | None = None) -> bool:
    """A working day that is none of the standard's closed days: a day extra sessions may use."""
    return is_working_day(day) and not is_closed(day, closed)


def next_working_day(day: dt.date) -> dt.date:
    """`day` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day = add_days(day, 1)
    return day


def add_working_days(day: dt.date, count: int) -> dt.date:
    """The `count`-th working day after `day` (`day` itself not counted)."""
    start = day
    while count > 0:
        try:
            day += dt.timedelta(days=1)
        except OverflowError:
            raise beyond_the_calendar(start, f"{count} working days") from None
        if is_working_day(day):
            count -= 1
    return day


def add_months(day: dt.date, months: int) -> dt.date:
    """Months as months, clamped to the month's last day: 31 Jan + 1 month = 28/29 Feb."""
    try:
        return day + relativedelta(months=months)
    except (ValueError, OverflowError):  # dateutil: "year 10000 is out of range"
        raise beyond_the_calendar(day, f"{months} months") from None


def age_on(birth: dt.date, on: dt.date) -> int:
    """Whole years at `on`. Born 29 February: a year older on 1 March in a non-leap year."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


MONTH_NAMES = [
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
]
WEEKDAY_NAMES = ["mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"]


def danish_date(day: dt.date | str | None) -> str:
    """ "24. november 2026", as letters and receipts write a date (Django's "d. M. Y" gives
    "24. Nov. 2026" under the Danish locale)."""
    if day is None:
        return ""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    return f"{day.day}. {MONTH_NAMES[day.month - 1]} {day.year}"
