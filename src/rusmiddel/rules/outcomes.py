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


def fit_total(instrument: Instrument, items: list[float | str]) -> tuple[list[Decimal], Decimal]:
    """The item scores as decimals and their total; InputError names the bad item."""
    if not isinstance(items, list) or len(items) != len(instrument.items):
        raise InputError(
            f"items: {instrument.id.upper()} has {len(instrument.items)} lines "
            f"({'; '.join(instrument.items)}), got {len(items) if isinstance(items, list) else 0}"
        )
    step = Decimal(1).scaleb(-instrument.decimals)
    scores = []
    for i, raw in enumerate(items):
        try:
            value = Decimal(str(raw))
        except InvalidOperation:
            raise InputError(f"items[{i}]: '{raw}' is not a number") from None
        if not (instrument.item_min <= value <= instrument.item_max):
            raise InputError(
                f"items[{i}]: {value} is outside {instrument.item_min:g}–{instrument.item_max:g} "
                f"({instrument.items[i]})"
            )
        if value != value.quantize(step):
            raise InputError(f"items[{i}]: {value} has more than {instrument.decimals} decimal(s)")
        scores.append(value.quantize(step))
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
