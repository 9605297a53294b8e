"""Measure a register extract: a year of N courses in one municipality, streamed as CSV and
as the register's XML, and the validation report: seconds, rows per second, queries, and
peak memory (Python allocations by tracemalloc, and the process's maximum resident size).

    .venv/bin/python benchmarks/registers.py [--courses 30000]

Fills a throw-away SQLite file (or uses DATABASE_URL: give it an empty database). Prints a
table; not part of the test run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import tempfile
import time
import tracemalloc


def setup() -> None:
    os.environ.setdefault("RUSMIDDEL_DATA_DIR", tempfile.mkdtemp(prefix="rusmiddel-bench-"))
    os.environ.setdefault("RUSMIDDEL_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rusmiddel.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


FACTS = {
    "use": {
        "substances": [
            {"substance": "cocaine", "primary": True},
            {"substance": "cannabis"},
            {"substance": "alcohol"},
        ]
    },
    "history": {"ever_in_contact_with_treatment_system": True},
    "social": {"housing": "rented", "occupation": "employed"},
    "person": {"children_at_home": 1},
}


def fill(n: int) -> None:
    """`n` named drug courses in 2026 in Helsingør, written in batches (no services: speed)."""
    from django.contrib.auth import get_user_model

    from rusmiddel.accounts.services import tenants_sync
    from rusmiddel.cases.models import Assessment, Case, Citizen, Contact, Course
    from rusmiddel.outcomes.models import KeyFacts

    m = next(t for t in tenants_sync(on=dt.date(2026, 1, 1)) if t.slug == "helsingoer")
    user = get_user_model().objects.create_user(username="bench")
    batch = 2000
    for lo in range(0, n, batch):
        size = min(batch, n - lo)
        citizens = Citizen.objects.bulk_create(
            Citizen(municipality=m, cpr=f"{lo + i:010d}", name="B", birth_date=dt.date(1980, 5, 5))
            for i in range(size)
        )
        cases = Case.objects.bulk_create(
            Case(municipality=m, number=f"BENCH-{lo + i:08d}", citizen=c)
            for i, c in enumerate(citizens)
        )
        day = [dt.date(2026, 1, 1) + dt.timedelta(days=(lo + i) % 330) for i in range(size)]
        Contact.objects.bulk_create(
            Contact(
                case=c,
                received_on=day[i],
                channel="phone",
                guarantee_due=day[i] + dt.timedelta(days=14),
            )
            for i, c in enumerate(cases)
        )
        Assessment.objects.bulk_create(
            Assessment(case=c, version=1, facts=FACTS, recorded_by=user) for c in cases
        )
        courses = Course.objects.bulk_create(
            Course(
                case=c,
                offer="kokain_hashstop",
                substance="drugs",
                started_on=day[i] + dt.timedelta(days=7),
                created_by=user,
            )
            for i, c in enumerate(cases)
        )
        KeyFacts.objects.bulk_create(
            KeyFacts(
                course=c,
                moment="start",
                recorded_on=c.started_on,
                use_frequency="daily",
                housing="rented",
                occupation="employed",
                recorded_by=user,
            )
            for c in courses
        )


def measure(label: str, run, rows: int) -> None:
    from django.db import connection, reset_queries

    connection.force_debug_cursor = True
    reset_queries()
    start = time.perf_counter()
    run()
    seconds = time.perf_counter() - start
    queries = len(connection.queries)
    connection.force_debug_cursor = False
    tracemalloc.start()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{label:22} {seconds:8.2f} s {rows / seconds:10.0f} rows/s {queries:5} queries "
        f"{peak / 2**20:8.1f} MB peak alloc {rss:8.1f} MB max RSS"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--courses", type=int, default=30000)
    args = parser.parse_args()
    setup()
    from rusmiddel.accounts.models import Municipality
    from rusmiddel.reporting.registers import register_export, register_report

    start = time.perf_counter()
    fill(args.courses)
    print(f"filled {args.courses} courses in {time.perf_counter() - start:.1f} s")
    m = Municipality.objects.get(slug="helsingoer")

    def export(register: str, fmt: str):
        def run() -> None:
            with open(os.devnull, "wb") as out:
                for chunk in register_export(municipality=m, register=register, year=2026, fmt=fmt):
                    out.write(chunk)

        return run

    for register, fmt in (("sib", "csv"), ("sib", "register"), ("tdi", "csv")):
        measure(f"{register} {fmt}", export(register, fmt), args.courses)
    measure(
        "sib validation report",
        lambda: register_report(municipality=m, register="sib", year=2026),
        args.courses,
    )


if __name__ == "__main__":
    main()
