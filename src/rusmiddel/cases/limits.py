"""Bounds on what may be typed into a case, defined once for the JSON API's schemas and the
web's forms: the length of each kind of text, the range of dates, the largest id.

Each bound is generous for real use and small enough that nothing typed can cost the server
more than a moment (a name of a megabyte once took 8.6 s to render as a letter). The models'
own `max_length` are the upper bound of the short texts.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext_noop

# --- text (characters) ------------------------------------------------------------------------
NAME = 200  # a citizen's name (Citizen.name), a title, a wished provider
ADDRESS = 300  # Citizen.address
PHONE = 30  # Citizen.phone
EMAIL = 254  # RFC 5321's longest address (Citizen.email)
CPR = 20  # ten digits, as typed with a dash or spaces
PSEUDONYM = 60  # an anonymous person's chosen name (Case.pseudonym)
CODE = 60  # the id of an offer, a provider, a role, an instrument or a capacity line
TEXT = 10_000  # notes, goals, status reports, reasons, complaints: a few pages
USERNAME = 150  # Django's User.username
PASSWORD = 4096  # long pass phrases, but not a hash of megabytes
OTP = 16  # a TOTP code (6-8 digits) with room for spaces

#: Text no database can hold: NUL (PostgreSQL cannot store or compare it) and the surrogates
#: U+D800-U+DFFF (UTF-8 cannot encode them; decoded text keeps only lone ones, as a valid pair
#: is one character). Refused wherever text comes in (`web.null_characters`, the API's types).
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable(text: str) -> str | None:
    """The first character of `text` no database can hold, named ("NUL", "U+D800"), or None."""
    found = UNSTORABLE.search(text)
    if found is None:
        return None
    return "NUL" if found[0] == "\x00" else f"U+{ord(found[0]):04X}"


# --- numbers ------------------------------------------------------------------------------------
#: The largest id a database row can have (a signed 64-bit integer, PostgreSQL's bigint and
#: SQLite's INTEGER): anything above cannot name a row, and SQLite cannot even compare it.
MAX_ID = 2**63 - 1
FIT_ITEMS = 20  # lines of a FIT instrument (ORS and SRS have four)
#: The longest session (`services.session_record`): a day; ten years is a typing error.
SESSION_LENGTH = dt.timedelta(hours=24)

# --- dates ----------------------------------------------------------------------------------------
#: The dates a case can hold: from the oldest birth date to well past any deadline. Beyond
#: them a date is a typing error, and near year 9999 the deadlines cannot be computed at all.
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2100, 12, 31)
DATE_RANGE_MESSAGE = gettext_noop("Datoen skal ligge mellem 1900 og 2100.")


def day_in_range(day: dt.date) -> bool:
    """Whether `day` (or a datetime's day) lies between FIRST_DAY and LAST_DAY."""
    return FIRST_DAY.year <= day.year <= LAST_DAY.year
