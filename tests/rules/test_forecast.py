"""The forecast's simulation (SimPy) against figures computed by hand."""

from __future__ import annotations

import pytest

from rusmiddel.rules.forecast import Scenario, simulate, steady_state_occupancy, what_if

#: A long run's mean occupancy lies within this share of arrival rate × length of stay.
TOLERANCE = 0.05


@pytest.mark.parametrize(("rate", "stay"), [(1.5, 20.0), (0.4, 60.0)])
def test_steady_state_occupancy_is_arrival_rate_times_length_of_stay(rate, stay):
    # given ample places (no queue) and a long run after a warm-up of five stays
    scenario = Scenario(arrivals_per_day=rate, mean_stay_days=stay, places=None)
    # when simulated
    result = simulate(scenario, days=3000, runs=4, warmup=int(5 * stay))
    # then Little's law: 1.5 × 20 = 30 places, 0.4 × 60 = 24 places, within 5 %
    expected = steady_state_occupancy(rate, stay)
    assert expected == pytest.approx(rate * stay)
    assert result.mean_occupied == pytest.approx(expected, rel=TOLERANCE)
    assert result.in_time_share == 1.0  # nobody waits when there is room


def test_too_few_places_make_a_queue_and_late_starts():
    # given 10 places for a demand of 1 × 20 = 20 places, starting full
    full = Scenario(1.0, 20.0, 10, occupied_days_left=tuple(range(2, 22, 2)))
    result = simulate(full)
    # then the waitlist grows week by week and most starts come after the guarantee
    assert result.weeks[-1].waiting > result.weeks[0].waiting > 0
    assert result.weeks[-1].occupied == pytest.approx(10, abs=0.5)
    assert result.weeks[-1].in_time_share < 0.5 < result.weeks[0].in_time_share


def test_the_what_if_of_more_inflow_and_one_group_fewer_is_never_better():
    base = Scenario(0.5, 20.0, 12, occupied_days_left=(5.0, 10.0, 15.0), waited_days=(3.0,))
    worse = what_if(base, inflow=1.2, fewer_places=4)
    assert (worse.arrivals_per_day, worse.places) == (pytest.approx(0.6), 8)
    a, b = simulate(base), simulate(worse)
    assert b.in_time_share <= a.in_time_share
    assert sum(w.waiting for w in b.weeks) >= sum(w.waiting for w in a.weeks)


def test_no_places_at_all_means_nobody_starts_and_the_same_input_gives_the_same_figures():
    none = Scenario(0.3, 30.0, 0, waited_days=(4.0, 9.0))
    result = simulate(none)
    assert all(w.starts == 0 and w.occupied == 0 for w in result.weeks)
    assert result.weeks[-1].waiting > 2
    assert simulate(none) == result
