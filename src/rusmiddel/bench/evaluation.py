"""Evaluations per second of the rule engine: the bench municipality's standard, already
loaded, on the bench case's own recorded facts (the demo's sample facts where it has none)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any


def per_second(slug: str, facts: Any, on: dt.date, budget_s: float = 1.0) -> float:
    from rusmiddel.rules import evaluate
    from rusmiddel.standards import registry

    compiled = registry.load(slug, on)
    for _ in range(20):  # warm-up
        evaluate(compiled, facts, on)
    n = 0
    start = time.perf_counter()
    while (elapsed := time.perf_counter() - start) < budget_s:
        for _ in range(50):
            evaluate(compiled, facts, on)
        n += 50
    return round(n / elapsed, 1)


def facts_of(case: Any) -> Any:
    from rusmiddel.demo import SAMPLE_FACTS

    latest = case.assessments.order_by("-pk").first()
    return latest.facts if latest is not None and latest.facts else SAMPLE_FACTS
