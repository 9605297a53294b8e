"""Every bad line of an instrument is found at once (not only the first), with what is wrong
with it, so the form can tell each one next to its line."""

from __future__ import annotations

import pytest

from rusmiddel.rules.outcomes import (
    MISSING,
    NOT_A_NUMBER,
    OUT_OF_RANGE,
    TOO_MANY_DECIMALS,
    FitInputError,
    FitProblem,
    fit_problems,
    fit_total,
)
from rusmiddel.standards.registry import load
from support import TODAY


@pytest.fixture(scope="module")
def ors():
    return load("helsingoer", TODAY).standard.instrument("ors")


def test_every_bad_line_is_found_with_what_is_wrong(ors):
    assert fit_problems(ors, ["11", "5.55", "x", " "]) == [
        FitProblem(0, OUT_OF_RANGE, "11"),
        FitProblem(1, TOO_MANY_DECIMALS, "5.55"),
        FitProblem(2, NOT_A_NUMBER, "x"),
        FitProblem(3, MISSING, ""),
    ]
    assert fit_problems(ors, ["NaN", "Infinity", "-0.1", "10"]) == [
        FitProblem(0, NOT_A_NUMBER, "NaN"),
        FitProblem(1, NOT_A_NUMBER, "Infinity"),
        FitProblem(2, OUT_OF_RANGE, "-0.1"),
    ]
    assert fit_problems(ors, [0, 10, "7.5", 3.2]) == []


def test_the_total_refuses_with_all_of_them(ors):
    with pytest.raises(FitInputError) as bad:
        fit_total(ors, ["11", "2", "x", "3"])
    assert [p.index for p in bad.value.problems] == [0, 2]
    assert str(bad.value).startswith("items[0]: 11 is outside 0–10")
    assert "items[2]: 'x' is not a number" in str(bad.value)
