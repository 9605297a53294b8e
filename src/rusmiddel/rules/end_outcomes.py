"""The government's outcome goals for a course's ending and its follow-ups, per substance.

Drug treatment (SIB) counts three goals: drug-free, reduced, stabilised; alcohol treatment
(NAB) counts alcohol-free, reduced, and referred on to other treatment. Every course may
also end without reaching a goal: unchanged, dropped out, moved, deceased. Which substance a
course belongs to comes from the offer in the standard (`Offer.substances`) or, for an offer
covering both, from the assessment's primary substance.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .errors import InputError

DRUGS = "drugs"
ALCOHOL = "alcohol"
SUBSTANCES = (DRUGS, ALCOHOL)

#: The goal categories of each substance, in the government's order.
GOALS: dict[str, tuple[str, ...]] = {
    DRUGS: ("substance_free", "reduced", "stabilised"),
    ALCOHOL: ("substance_free", "reduced", "referred"),
}
#: Endings that are no goal, valid for both substances.
NON_GOALS: tuple[str, ...] = ("unchanged", "dropped_out", "moved", "deceased")
#: Endings after which nobody can be asked about use, housing or occupation.
UNREACHABLE: tuple[str, ...] = ("moved", "deceased")


def outcomes_for(substance: str) -> tuple[str, ...]:
    """The outcomes a course of `substance` may end with (its goals, then the non-goals). An
    unknown substance (a course the standard and the assessment say nothing about) may end
    with any of them."""
    if substance in GOALS:
        return GOALS[substance] + NON_GOALS
    return tuple(dict.fromkeys(GOALS[DRUGS] + GOALS[ALCOHOL] + NON_GOALS))


def outcome_validate(substance: str, outcome: str) -> str:
    """`outcome` if a course of `substance` may end with it; InputError naming `outcome`."""
    allowed = outcomes_for(substance)
    if outcome not in allowed:
        raise InputError(f"outcome: '{outcome}' is not one of {', '.join(allowed)}")
    return outcome


def goal_met(substance: str, outcome: str) -> str | None:
    """The goal category the statistics count the outcome as met under, or None (a non-goal
    ending, an outcome of the other substance, or an unknown substance)."""
    return outcome if outcome in GOALS.get(substance, ()) else None


def primary_substance(facts: Mapping[str, Any] | None) -> str:
    """The assessment's primary substance as a course substance: alcohol → alcohol, anything
    else → drugs; "" when the facts name none (one substance listed counts as primary)."""
    listed = ((facts or {}).get("use") or {}).get("substances") or []
    rows = [s for s in listed if isinstance(s, Mapping) and s.get("substance")]
    primary = next((s for s in rows if s.get("primary")), rows[0] if len(rows) == 1 else None)
    if primary is None:
        return ""
    return ALCOHOL if primary["substance"] == "alcohol" else DRUGS


def course_substance(offer_substances: Sequence[str], facts: Mapping[str, Any] | None) -> str:
    """The substance of a course: the offer's single substance, or, for an offer covering
    both, the primary substance of the latest assessment ("" when that names none)."""
    covered = [s for s in SUBSTANCES if s in offer_substances]
    if len(covered) == 1:
        return covered[0]
    if not covered:
        return ""
    return primary_substance(facts)


def citizen_substances(facts: Mapping[str, Any] | None) -> frozenset[str]:
    """The substance groups the assessment names (`use.substances`): alcohol is alcohol,
    every other substance drugs; empty when the facts name none."""
    listed = ((facts or {}).get("use") or {}).get("substances") or []
    return frozenset(
        ALCOHOL if s["substance"] == "alcohol" else DRUGS
        for s in listed
        if isinstance(s, Mapping) and isinstance(s.get("substance"), str)
    )


def treated_substances(
    offer_substances: Sequence[str], facts: Mapping[str, Any] | None
) -> frozenset[str]:
    """What a decision or course on the offer treats: the citizen's substance groups within
    the offer's (an alcohol-only citizen in an offer for both: alcohol); empty when the
    facts name none of the offer's."""
    return citizen_substances(facts) & frozenset(offer_substances)
