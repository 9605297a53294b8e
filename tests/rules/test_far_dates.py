"""Date arithmetic near the end of the calendar (issue 17): a far date typed by mistake
(9999-12-31) made `add_months` and the deadlines overflow into OverflowError or ValueError,
a server error in the API and the web and a traceback from the CLI. The rules now tell it as
bad input (InputError, which every caller already handles), naming the date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from rusmiddel import rules
from rusmiddel.cli import main
from rusmiddel.rules import InputError, RulesError, calendar
from rusmiddel.standards.registry import load

LAST = dt.date(9999, 12, 31)  # a Friday


def _standard():
    return load("gentofte", dt.date(2026, 11, 24)).standard


def _group_offer():
    compiled = load("helsingoer", dt.date(2026, 11, 24))
    return next(o for o in compiled.standard.offers if o.schedule is not None)


ARITHMETIC: list[tuple[str, Callable[[], object]]] = [
    ("a month after the last day", lambda: rules.add_months(LAST, 1)),
    ("six months after 9999-07-01", lambda: rules.add_months(dt.date(9999, 7, 1), 6)),
    ("a day after the last day", lambda: calendar.add_days(LAST, 1)),
    ("working days after the last day", lambda: rules.add_working_days(LAST, 1)),
    ("received by post", lambda: rules.received_on(LAST, "post")),
    ("received by Quickpost", lambda: rules.received_on(LAST, "quickpost")),
    ("a complaint deadline", lambda: rules.deadline_in_weeks(LAST, 4)),
    ("the treatment guarantee", lambda: rules.treatment_guarantee(_standard(), LAST, None)),
    ("the follow-ups", lambda: rules.follow_ups(_standard(), LAST)),
    ("a group calendar", lambda: rules.group_sessions(_group_offer(), dt.date(9999, 12, 1))),
]


@pytest.mark.parametrize(("compute",), [pytest.param(c, id=n) for n, c in ARITHMETIC])
def test_arithmetic_past_the_last_date_is_an_input_error(compute):
    with pytest.raises(InputError) as refused:
        compute()
    assert "9999" in str(refused.value)
    assert isinstance(refused.value, RulesError)


def test_arithmetic_up_to_the_last_date_still_works():
    assert rules.add_months(dt.date(9999, 10, 31), 2) == LAST
    assert calendar.add_days(dt.date(9999, 12, 30), 1) == LAST
    assert rules.deadline_in_weeks(dt.date(9999, 12, 3), 4).date == LAST
    assert calendar.next_working_day(LAST) == LAST  # a Friday


@pytest.mark.parametrize(
    "argv",
    [
        ["deadlines", "--municipality", "gentofte", "--date", "9999-12-31", "--event", "contact"],
        [
            "deadlines",
            "--municipality",
            "gentofte",
            "--date",
            "9999-12-31",
            "--event",
            "course_ended",
        ],
        [
            "deadlines",
            "--municipality",
            "gentofte",
            "--date",
            "9999-12-31",
            "--event",
            "decision_sent",
            "--channel",
            "post",
        ],
    ],
    ids=["contact", "course ended", "decision sent by post"],
)
def test_the_cli_answers_a_far_date_with_one_line_and_exit_2(capsys, argv):
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "9999-12-31" in err and "Traceback" not in err
