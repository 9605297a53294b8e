"""The waitlist forecast is kept in the cache under its inputs: a kept result is the one a
new simulation gives, and any change of input is a new simulation."""

from __future__ import annotations

import dataclasses
import hashlib

from django.core.cache import cache

from factories import staff
from rusmiddel.audit.models import Event
from rusmiddel.audit.services import audit_reads, audit_record
from rusmiddel.capacity import selectors
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


def test_the_writes_mark_moves_with_each_write_and_with_a_block_of_reads(tenants, monkeypatch):
    """The counts the waitlist keeps in the cache are kept under `writes_mark`: a write is a
    new mark at once; reads keep it, until the range it looks over moves on a block."""
    monkeypatch.setattr(selectors, "MARK_BLOCK", 4)
    head = staff("head_of_unit", "helsingoer")
    municipality = head.staff.municipality_id
    assert selectors.writes_mark(municipality) == ""  # nothing logged yet

    def read(n: int = 1) -> None:
        audit_reads(actor=head, event=Event.CASE_LIST, case_ids=[7] * n, why="venteliste")

    def write() -> None:
        audit_record(actor=head, event=Event.CAPACITY_CREATED, write=True)

    write()  # seq 1
    first = selectors.writes_mark(municipality)
    read(5)  # seq 2–6: the write is still in the range looked over (seq 1–6)
    assert selectors.writes_mark(municipality) == first
    write()  # seq 7
    second = selectors.writes_mark(municipality)
    assert second not in ("", first)
    read(8)  # seq 8–15: the range is seq 9–15, with no write: the mark of a quiet range
    quiet = selectors.writes_mark(municipality)
    assert quiet.startswith("quiet:") and quiet != second
    read()  # seq 16: a new block, a new range (seq 13–16)
    assert selectors.writes_mark(municipality) not in (quiet, second)
