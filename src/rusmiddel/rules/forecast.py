"""The waitlist forecast: a small discrete-event simulation (SimPy) of one offer's places.

Citizens arrive as a Poisson stream at the last twelve months' rate of grants, wait in the
waitlist's order for a free place (the guarantee is the same 14 days for everyone, so
"fewest days left" is first come, first served here), hold it for an exponentially
distributed stay with the last twelve months' mean, and leave. The run starts from today's
state: the courses holding places (with their expected days left) and the citizens already
waiting (with their days waited). Each day it counts the waitlist and the places taken;
each start is counted in time when it came within the guarantee. The mean over `runs`
replications with fixed seeds is the forecast, so the same input gives the same figures.

Why SimPy (a maintained discrete-event library) and not a loop of our own: the queue, the
places as a shared resource and the order of simultaneous events are SimPy's `Resource`
and event loop; what is ours is only the model above. A check against the hand-computed
steady state (arrival rate × length of stay = places taken, Little's law) is in
tests/rules/test_forecast.py.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import simpy

DAYS = 56  # eight weeks
RUNS = 40


@dataclass(frozen=True)
class Scenario:
    """One offer's demand and capacity. `places`: courses at once (None: no limit)."""

    arrivals_per_day: float
    mean_stay_days: float
    places: int | None
    occupied_days_left: tuple[float, ...] = ()  # the courses holding places today
    waited_days: tuple[float, ...] = ()  # the citizens waiting today, days waited so far
    guarantee_days: int = 14


@dataclass(frozen=True)
class Week:
    week: int  # 1 … 8
    waiting: float  # mean waitlist length over the week's days
    occupied: float  # mean places taken
    starts: float  # starts in the week (mean per run)
    in_time_share: float | None  # share of the week's starts within the guarantee


@dataclass(frozen=True)
class Result:
    weeks: tuple[Week, ...]
    in_time_share: float | None  # over the whole period
    mean_occupied: float


def _run(s: Scenario, days: int, seed: int, warmup: int) -> tuple[list, list, list]:
    """One replication: per day the waitlist and the places taken, and (day, waited) per start."""
    rng = random.Random(seed)
    env = simpy.Environment()
    # no places at all: one place held for ever by a stand-in, so nobody starts
    blocked = 1 if s.places == 0 else 0
    places = simpy.Resource(env, capacity=s.places or (1 if blocked else 10**9))
    starts: list[tuple[float, float]] = []

    def citizen(waited: float, stay: float):
        asked = env.now
        with places.request() as request:
            yield request
            starts.append((env.now, waited + env.now - asked))
            yield env.timeout(stay)

    def holder(days_left: float):
        with places.request() as request:
            yield request
            yield env.timeout(max(days_left, 0.0))

    def arrivals():
        while s.arrivals_per_day > 0:
            yield env.timeout(rng.expovariate(s.arrivals_per_day))
            env.process(citizen(0.0, rng.expovariate(1 / s.mean_stay_days)))

    if blocked:
        env.process(holder(float("inf")))
    for left in s.occupied_days_left:
        env.process(holder(left))
    for waited in sorted(s.waited_days, reverse=True):  # the longest waiting first
        env.process(citizen(waited, rng.expovariate(1 / s.mean_stay_days)))
    env.process(arrivals())
    daily: list[tuple[int, int]] = []

    def watch():
        while True:
            yield env.timeout(1)
            daily.append((len(places.queue), places.count - blocked))

    env.process(watch())
    env.run(until=warmup + days + 0.5)
    kept = daily[warmup:]
    return [w for w, _ in kept], [o for _, o in kept], [(t - warmup, w) for t, w in starts]


def simulate(
    s: Scenario, *, days: int = DAYS, runs: int = RUNS, seed: int = 1, warmup: int = 0
) -> Result:
    """The mean of `runs` replications over `days` days (after `warmup` days not counted)."""
    weeks = -(-days // 7)
    waiting = [[0.0] * days for _ in range(runs)]
    occupied = [[0.0] * days for _ in range(runs)]
    starts_in: list[list[tuple[int, bool]]] = []
    for r in range(runs):
        w, o, st = _run(s, days, seed + r, warmup)
        for d in range(min(days, len(w))):
            waiting[r][d], occupied[r][d] = w[d], o[d]
        starts_in.append(
            [(int(t // 7), waited <= s.guarantee_days) for t, waited in st if 0 <= t < days]
        )
    out = []
    for k in range(weeks):
        span = range(k * 7, min(days, (k + 1) * 7))
        wk = [x for r in range(runs) for x in (starts_in[r]) if x[0] == k]
        out.append(
            Week(
                week=k + 1,
                waiting=_mean(waiting[r][d] for r in range(runs) for d in span),
                occupied=_mean(occupied[r][d] for r in range(runs) for d in span),
                starts=len(wk) / runs,
                in_time_share=(sum(ok for _, ok in wk) / len(wk)) if wk else None,
            )
        )
    every = [ok for r in starts_in for _, ok in r]
    return Result(
        weeks=tuple(out),
        in_time_share=(sum(every) / len(every)) if every else None,
        mean_occupied=_mean(x for row in occupied for x in row),
    )


def _mean(values) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def what_if(s: Scenario, *, inflow: float = 1.0, fewer_places: int = 0) -> Scenario:
    """The scenario with inflow scaled (1.2: +20 %) and `fewer_places` places taken away
    (one group fewer: that group's seats). Today's courses keep their places."""
    places = None if s.places is None else max(s.places - fewer_places, 0)
    return Scenario(
        arrivals_per_day=s.arrivals_per_day * inflow,
        mean_stay_days=s.mean_stay_days,
        places=places,
        occupied_days_left=s.occupied_days_left,
        waited_days=s.waited_days,
        guarantee_days=s.guarantee_days,
    )


def steady_state_occupancy(arrivals_per_day: float, mean_stay_days: float) -> float:
    """Little's law without a queue: places taken = arrival rate × length of stay."""
    return arrivals_per_day * mean_stay_days


__all__: Sequence[str] = (
    "Result",
    "Scenario",
    "Week",
    "simulate",
    "steady_state_occupancy",
    "what_if",
)
