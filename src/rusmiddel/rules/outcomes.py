"""Outcome measures (FIT): scoring ORS and SRS and reading a course's trajectory.

The instruments, their clinical cut-offs by age, the reliable-change threshold and the
alliance limit come from the municipality's standard file (REGISTERS.md: ORS cut-off 25 for
adults, 28 for ages 13–17, reliable change 5 points; SRS below 36 flags the alliance): the
instruments are licensed per agency, so they are data, not code.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from rusmiddel.standards.schema import Instrument

from .errors import InputError

#: What can be wrong with one line of an instrument (`FitProblem.kind`).
MISSING, NOT_A_NUMBER, OUT_OF_RANGE, TOO_MANY_DECIMALS = (
    "missing",
    "not_a_number",
    "out_of_range",
    "too_many_decimals",
)


@dataclass(frozen=True)
class FitProblem:
    """One bad line of an instrument: its index, what is wrong with it, what was given."""

    index: int
    kind: str  # MISSING | NOT_A_NUMBER | OUT_OF_RANGE | TOO_MANY_DECIMALS
    raw: str


class FitInputError(InputError):
    """Bad lines of an instrument: every one of them in `problems`, not only the first."""

    def __init__(self, message: str, *, problems: list[FitProblem]) -> None:
        super().__init__(message)
        self.problems = problems


def _english(instrument: Instrument, p: FitProblem) -> str:
    if p.kind == MISSING:
        return f"items[{p.index}]: missing ({instrument.items[p.index]})"
    if p.kind == NOT_A_NUMBER:
        return f"items[{p.index}]: '{p.raw}' is not a number"
    if p.kind == OUT_OF_RANGE:
        return (
            f"items[{p.index}]: {p.raw} is outside {instrument.item_min:g}–"
            f"{instrument.item_max:g} ({instrument.items[p.index]})"
        )
    return f"items[{p.index}]: {p.raw} has more than {instrument.decimals} decimal(s)"


def fit_problems(instrument: Instrument, items: list[float | str]) -> list[FitProblem]:
    """Every bad line among `items` (as many as the instrument has), in order: blank, not a
    number, outside the instrument's range, or more decimals than it takes."""
    step = Decimal(1).scaleb(-instrument.decimals)
    found = []
    for i, given in enumerate(items):
        raw = str(given).strip()
        if not raw:
            found.append(FitProblem(i, MISSING, raw))
            continue
        try:
            value = Decimal(raw)
        except InvalidOperation:
            found.append(FitProblem(i, NOT_A_NUMBER, raw))
            continue
        if not value.is_finite():
            found.append(FitProblem(i, NOT_A_NUMBER, raw))
        elif not (instrument.item_min <= value <= instrument.item_max):
            found.append(FitProblem(i, OUT_OF_RANGE, raw))
        elif value != value.quantize(step):
            found.append(FitProblem(i, TOO_MANY_DECIMALS, raw))
    return found


def fit_total(instrument: Instrument, items: list[float | str]) -> tuple[list[Decimal], Decimal]:
    """The item scores as decimals and their total. InputError when the number of lines is
    wrong; FitInputError naming every bad line otherwise."""
    if not isinstance(items, list) or len(items) != len(instrument.items):
        raise InputError(
            f"items: {instrument.id.upper()} has {len(instrument.items)} lines "
            f"({'; '.join(instrument.items)}), got {len(items) if isinstance(items, list) else 0}"
        )
    problems = fit_problems(instrument, items)
    if problems:
        raise FitInputError("; ".join(_english(instrument, p) for p in problems), problems=problems)
    step = Decimal(1).scaleb(-instrument.decimals)
    scores = [Decimal(str(raw).strip()).quantize(step) for raw in items]
    return scores, sum(scores, Decimal(0))


def clinical_cutoff(instrument: Instrument, age: int | None) -> float | None:
    """The cut-off for this age (None: no cut-off for the instrument or the age)."""
    if age is None:
        return None
    for c in instrument.cutoffs:
        if (c.min_age is None or age >= c.min_age) and (c.max_age is None or age <= c.max_age):
            return c.below
    return None


@dataclass(frozen=True)
class Trajectory:
    """How a course's ORS totals developed, and what to flag."""

    totals: tuple[Decimal, ...]
    cutoff: float | None
    change: Decimal | None  # latest minus first
    reliable_improvement: bool
    reliable_deterioration: bool
    no_reliable_change_flag: bool  # after the standard's number of sessions


def ors_trajectory(instrument: Instrument, totals: list[Decimal], age: int | None) -> Trajectory:
    """Reliable change compares the latest total with the first (Jacobson–Truax style, with
    the instrument's own threshold)."""
    change = totals[-1] - totals[0] if len(totals) > 1 else None
    threshold = Decimal(str(instrument.reliable_change)) if instrument.reliable_change else None
    improved = bool(change is not None and threshold is not None and change >= threshold)
    worse = bool(change is not None and threshold is not None and change <= -threshold)
    limit = instrument.flag_no_change_after_sessions
    return Trajectory(
        totals=tuple(totals),
        cutoff=clinical_cutoff(instrument, age),
        change=change,
        reliable_improvement=improved,
        reliable_deterioration=worse,
        no_reliable_change_flag=bool(limit and len(totals) >= limit and not improved),
    )


def alliance_concern(instrument: Instrument, total: Decimal) -> bool:
    """SRS: a total below the standard's limit flags the working alliance."""
    limit = instrument.alliance_concern_below
    return limit is not None and total < Decimal(str(limit))
