"""Measure `evaluate`: in-process (per call, standard already loaded), loading a standard
(cold, parse + validate + compile), and the whole `rusmiddel evaluate` process.

    .venv/bin/python benchmarks/evaluate.py [--runs 2000] [--process-runs 15]

Prints a table of medians; not part of the test run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import statistics
import subprocess
import sys
import time

from rusmiddel.demo import SAMPLE_FACTS
from rusmiddel.rules import evaluate
from rusmiddel.standards import registry
from rusmiddel.standards.loader import load_file

ON = dt.date(2026, 11, 24)


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--process-runs", type=int, default=15)
    args = parser.parse_args()
    exe = shutil.which("rusmiddel") or f"{sys.prefix}/bin/rusmiddel"
    print(
        f"{'municipality':12} {'facts':7} {'offers':>6} {'in-process':>12} "
        f"{'load (cold)':>12} {'whole process':>14}"
    )
    for m in registry.municipalities():
        compiled = registry.load(m, ON)
        path = compiled.path
        load_ms = median_ms(timed(lambda p=path: load_file(p), 20))
        for label, facts in (("{}", {}), ("sample", SAMPLE_FACTS)):
            per_call = median_ms(timed(lambda f=facts, c=compiled: evaluate(c, f, ON), args.runs))
            payload = json.dumps(facts)
            process = median_ms(
                timed(
                    lambda p=payload, m=m: subprocess.run(
                        [exe, "evaluate", "--municipality", m, "--on", ON.isoformat(), "-"],
                        input=p,
                        capture_output=True,
                        text=True,
                        check=True,
                    ),
                    args.process_runs,
                )
            )
            print(
                f"{m:12} {label:7} {len(compiled.standard.offers):6} {per_call:10.3f}ms "
                f"{load_ms:10.1f}ms {process:12.1f}ms"
            )


if __name__ == "__main__":
    main()
