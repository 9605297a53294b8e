"""FIT (ORS/SRS) against Helsingør's standard, section "Faglig kvalitet og opfølgning –
Monitorering af indsatsen": scores, cut-offs by age, reliable change and the alliance flag."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rusmiddel.rules.errors import InputError
from rusmiddel.rules.outcomes import alliance_concern, clinical_cutoff, fit_total, ors_trajectory
from rusmiddel.standards.registry import load
from support import TODAY


@pytest.fixture(scope="module")
def helsingoer():
    return load("helsingoer", TODAY).standard


def test_gentofte_names_no_outcome_instrument():
    assert load("gentofte", TODAY).standard.outcome_measures is None


def test_ors_total_is_four_lines_of_0_to_10_with_one_decimal(helsingoer):
    ors = helsingoer.instrument("ors")
    scores, total = fit_total(ors, [5.5, "6", 7.2, 3])
    assert total == Decimal("21.7") and scores[1] == Decimal("6.0")
    with pytest.raises(InputError, match=r"^items: ORS has 4 lines"):
        fit_total(ors, [1, 2, 3])
    with pytest.raises(InputError, match=r"^items\[2\]: 10.5 is outside 0–10"):
        fit_total(ors, [1, 2, 10.5, 3])
    with pytest.raises(InputError, match=r"^items\[0\]: 5.25 has more than 1 decimal"):
        fit_total(ors, [5.25, 2, 3, 4])
    with pytest.raises(InputError, match=r"^items\[3\]: 'x' is not a number"):
        fit_total(ors, [1, 2, 3, "x"])


@pytest.mark.parametrize(
    ("age", "cutoff"), [(12, None), (13, 28), (17, 28), (18, 25), (64, 25), (None, None)]
)
def test_ors_clinical_cutoff_by_age(helsingoer, age, cutoff):
    """Cut-off 28 for ages 13–17, 25 for adults; the child version is not configured."""
    assert clinical_cutoff(helsingoer.instrument("ors"), age) == cutoff


@pytest.mark.parametrize(
    ("first", "latest", "improved", "worse"),
    [("20.0", "24.9", False, False), ("20.0", "25.0", True, False), ("30.0", "25.0", False, True)],
)
def test_reliable_change_is_five_points(helsingoer, first, latest, improved, worse):
    t = ors_trajectory(helsingoer.instrument("ors"), [Decimal(first), Decimal(latest)], age=30)
    assert (t.reliable_improvement, t.reliable_deterioration) == (improved, worse)
    assert t.change == Decimal(latest) - Decimal(first)


def test_no_reliable_improvement_after_four_sessions_is_flagged(helsingoer):
    ors = helsingoer.instrument("ors")
    three = [Decimal("18"), Decimal("19"), Decimal("20")]
    assert not ors_trajectory(ors, three, age=30).no_reliable_change_flag  # too early to tell
    assert ors_trajectory(ors, [*three, Decimal("21")], age=30).no_reliable_change_flag
    assert not ors_trajectory(ors, [*three, Decimal("23")], age=30).no_reliable_change_flag


def test_srs_below_36_flags_the_alliance(helsingoer):
    srs = helsingoer.instrument("srs")
    assert alliance_concern(srs, Decimal("35.9"))
    assert not alliance_concern(srs, Decimal("36.0"))
