"""The waitlist forecast is kept in the cache under its inputs: a kept result is the one a
new simulation gives, and any change of input is a new simulation."""

from __future__ import annotations

import dataclasses
import hashlib

from django.core.cache import cache

from rusmiddel.capacity.selectors import simulated
from rusmiddel.rules import forecast as fc

SCENARIO = fc.Scenario(
    arrivals_per_day=0.4,
    mean_stay_days=60.0,
    places=20,
    occupied_days_left=(3, 10, 40),
    waited_days=(2, 9),
    guarantee_days=14,
)


def _key(scenario: fc.Scenario, runs: int) -> str:
    return "forecast:" + hashlib.sha256(repr((scenario, runs, fc.DAYS)).encode()).hexdigest()


def test_a_kept_forecast_is_what_a_new_simulation_gives():
    cache.clear()
    first = simulated(SCENARIO, runs=5)
    assert cache.get(_key(SCENARIO, 5)) == first
    assert simulated(SCENARIO, runs=5) == first == fc.simulate(SCENARIO, runs=5)


def test_another_input_is_simulated_anew():
    cache.clear()
    base = simulated(SCENARIO, runs=5)
    busier = dataclasses.replace(SCENARIO, arrivals_per_day=1.5, waited_days=(2, 9, 30))
    assert cache.get(_key(busier, 5)) is None
    assert simulated(busier, runs=5) == fc.simulate(busier, runs=5) != base
    assert simulated(SCENARIO, runs=6) == fc.simulate(SCENARIO, runs=6)
