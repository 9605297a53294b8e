"""The national register extracts: for each register, a year of every municipality streamed
to /dev/null by a fresh Python process of its own, which reports its time, its rows and its
own peak resident memory (so each export's memory is measured apart from the bench's)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

REGISTERS = ("sib", "nab", "tdi")


def run(year: int, log, registers=REGISTERS, timeout: float = 180) -> dict[str, dict]:
    results: dict[str, dict] = {}
    for register in registers:
        cmd = [sys.executable, "-m", "rusmiddel.bench.exports", register, str(year)]
        start = time.perf_counter()
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            results[register] = {
                "seconds": None,
                "rows": None,
                "peak_rss_mb": None,
                "error": f"no answer in {timeout:.0f} s",
            }
            log(f"  {register}: ERROR timed out")
            continue
        wall = time.perf_counter() - start
        lines = done.stdout.strip().splitlines()
        if done.returncode != 0 or not lines:
            tail = " | ".join(done.stderr.strip().splitlines()[-3:])
            results[register] = {
                "seconds": None,
                "rows": None,
                "peak_rss_mb": None,
                "error": f"exit {done.returncode}: {tail}"[:600],
            }
            log(f"  {register}: ERROR {results[register]['error']}")
            continue
        result = json.loads(lines[-1])
        result["process_seconds"] = round(wall, 2)  # with interpreter and Django start
        results[register] = result
        log(
            f"  {register} {year}: {result['rows']} rows in {result['seconds']:.2f} s, "
            f"peak RSS {result['peak_rss_mb']:.0f} MB"
        )
    return results


def _child(register: str, year: int) -> None:
    """The extract of every municipality (the national year), as `registers extract`
    streams it, then one JSON line on stdout. Records with problems are written too
    (--include-invalid): the cost of a full year, however complete the dataset is."""
    import resource

    import django

    django.setup()
    from rusmiddel.accounts.models import Municipality
    from rusmiddel.reporting.registers import ExportCount, register_export

    # before the export: what Django and the app's imports hold already
    baseline_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    count = ExportCount()
    written = 0
    with open(os.devnull, "wb") as out:
        for municipality in Municipality.objects.order_by("slug"):
            for chunk in register_export(
                municipality=municipality,
                register=register,
                year=year,
                count=count,
                include_invalid=True,
            ):
                out.write(chunk)
                written += len(chunk)
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(
        json.dumps(
            {
                "seconds": round(seconds, 3),
                "rows": count.exported,
                "peak_rss_mb": round(peak_kb / 1024, 1),
                "baseline_rss_mb": round(baseline_kb / 1024, 1),
                "bytes": written,
            }
        )
    )


if __name__ == "__main__":
    _child(sys.argv[1], int(sys.argv[2]))
