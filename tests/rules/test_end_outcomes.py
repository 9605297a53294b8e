"""The government's outcome goals per substance (drugs: drug-free, reduced, stabilised;
alcohol: alcohol-free, reduced, referred) and the course's substance (DESIGN.md, Ending;
REGISTERS.md, SIB and NAB)."""

from __future__ import annotations

import pytest

from rusmiddel.rules.end_outcomes import (
    course_substance,
    goal_met,
    outcome_validate,
    outcomes_for,
    primary_substance,
)
from rusmiddel.rules.errors import InputError
from rusmiddel.standards.registry import load
from support import TODAY


def test_each_substance_has_its_three_goals_then_the_four_non_goal_endings():
    non_goals = ("unchanged", "dropped_out", "moved", "deceased")
    assert outcomes_for("drugs") == ("substance_free", "reduced", "stabilised", *non_goals)
    assert outcomes_for("alcohol") == ("substance_free", "reduced", "referred", *non_goals)


def test_an_unknown_substance_may_end_with_any_outcome():
    assert set(outcomes_for("")) == set(outcomes_for("drugs")) | set(outcomes_for("alcohol"))


@pytest.mark.parametrize(
    ("substance", "outcome"),
    [("drugs", "referred"), ("alcohol", "stabilised"), ("drugs", "cured"), ("", "cured")],
)
def test_an_outcome_outside_the_substances_categories_is_refused_naming_the_field(
    substance, outcome
):
    with pytest.raises(InputError, match=rf"^outcome: '{outcome}' is not one of "):
        outcome_validate(substance, outcome)


@pytest.mark.parametrize(
    ("substance", "outcome"),
    [("drugs", "stabilised"), ("alcohol", "referred"), ("alcohol", "deceased"), ("", "referred")],
)
def test_an_outcome_in_the_substances_categories_is_accepted(substance, outcome):
    assert outcome_validate(substance, outcome) == outcome


@pytest.mark.parametrize(
    ("substance", "outcome", "met"),
    [
        ("drugs", "substance_free", "substance_free"),
        ("drugs", "stabilised", "stabilised"),
        ("alcohol", "referred", "referred"),
        ("alcohol", "reduced", "reduced"),
        ("drugs", "referred", None),  # not a drug goal
        ("alcohol", "stabilised", None),  # not an alcohol goal
        ("drugs", "unchanged", None),
        ("alcohol", "dropped_out", None),
        ("", "substance_free", None),  # no substance: no goal to count against
    ],
)
def test_goal_met_counts_only_the_substances_own_goals(substance, outcome, met):
    assert goal_met(substance, outcome) == met


def _facts(*substances, primary=None):
    return {
        "use": {
            "substances": [
                {"substance": s, **({"primary": True} if s == primary else {})} for s in substances
            ]
        }
    }


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (_facts("alcohol", "cannabis", primary="alcohol"), "alcohol"),
        (_facts("alcohol", "cannabis", primary="cannabis"), "drugs"),
        (_facts("prescribed_medicine", primary="prescribed_medicine"), "drugs"),
        (_facts("alcohol"), "alcohol"),  # the only one listed is the primary one
        (_facts("alcohol", "cocaine"), ""),  # two, none marked primary
        ({}, ""),
        (None, ""),
    ],
)
def test_the_primary_substance_of_the_assessment(facts, expected):
    assert primary_substance(facts) == expected


def test_an_offer_for_one_substance_decides_whatever_the_assessment_says():
    alcohol_facts = _facts("alcohol", primary="alcohol")
    assert course_substance(["drugs"], alcohol_facts) == "drugs"
    assert course_substance(["alcohol"], _facts("cocaine", primary="cocaine")) == "alcohol"


def test_an_offer_for_both_takes_the_assessments_primary_substance():
    assert course_substance(["drugs", "alcohol"], _facts("alcohol", primary="alcohol")) == "alcohol"
    assert course_substance(["drugs", "alcohol"], _facts("cannabis", primary="cannabis")) == "drugs"
    assert course_substance(["drugs", "alcohol"], {}) == ""


@pytest.mark.parametrize(
    ("municipality", "offer", "expected"),
    [
        ("gentofte", "ambulant", "drugs"),  # Gentofte's standard covers drugs only
        ("helsingoer", "kokain_hashstop", "drugs"),
        ("helsingoer", "alkoholbehandling_medicinsk", "alcohol"),
    ],
)
def test_the_seed_standards_single_substance_offers(municipality, offer, expected):
    chosen = load(municipality, TODAY).standard.offer(offer)
    assert course_substance(chosen.substances, _facts("alcohol", primary="alcohol")) == expected
