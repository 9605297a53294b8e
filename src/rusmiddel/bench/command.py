"""`rusmiddel bench`: one run over a scale's database (see the package docstring)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Any

EXIT_NO_DATA = 2


def run(args: argparse.Namespace) -> int:
    from . import env

    started = time.perf_counter()
    quiet = args.json

    def log(message: str) -> None:  # progress: stderr with --json, else stdout
        print(message, file=sys.stderr if quiet else sys.stdout, flush=True)

    url = env.prepare(args.database, args.scale)
    if args.demo_fill and args.database == "postgres":
        env.create_postgres_database(url)
    env.setup_django()
    from . import exports, load, pages, report, subjects
    from .evaluation import facts_of, per_second

    today = _today()
    if args.demo_fill:
        _demo_fill(today, log)
    if not subjects.has_cases():
        print(
            f"bench: no cases in the {args.scale} database ({args.database}): run "
            f"`rusmiddel synth --scale {args.scale} --database {args.database}` first",
            file=sys.stderr,
        )
        return EXIT_NO_DATA
    try:
        chosen = subjects.choose()
    except subjects.NoData as exc:
        print(f"bench: nothing to measure: {exc}", file=sys.stderr)
        return EXIT_NO_DATA
    log(
        f"bench: {args.scale} on {args.database}: municipality {chosen.municipality.slug}, "
        f"case {chosen.case.number}, course {chosen.course.pk}, "
        + ", ".join(f"{r} {u.username}" for r, u in chosen.users.items())
    )

    plan = pages.plan(chosen, today)
    kinds = {p.name: p.kind for p in plan}
    only = set(args.only or [])
    measured_plan = [p for p in plan if not only or p.name in only or p.kind == "floor"]
    log(f"pages ({args.runs} runs each):")
    timings = pages.measure(measured_plan, chosen, args.runs, log)
    floor_name = next(p.name for p in plan if p.kind == "floor")
    floor_p95 = timings[floor_name].p95_ms

    doc: dict[str, Any] = {
        "scale": args.scale,
        "database": args.database,
        "pages": {n: report.page_entry(t, floor_p95) for n, t in timings.items()},
        "cost_split": {n: report.cost_split(t) for n, t in timings.items()},
        "exports": {},
        "evaluate_per_s": None,
        "floor": floor_name,
        "floor_path": next(p.path for p in plan if p.kind == "floor"),
        "runs": args.runs,
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "municipality": chosen.municipality.slug,
    }

    def wants(part: str) -> bool:
        return not only or part in only

    if wants("exports"):
        year = args.year or today.year - 1
        log(f"register extracts, {year}, every municipality (one process each):")
        doc["exports"] = exports.run(year, log)
    if wants("evaluate"):
        doc["evaluate_per_s"] = per_second(chosen.municipality.slug, facts_of(chosen.case), today)
        log(f"rule engine: {doc['evaluate_per_s']:.0f} evaluations/s")

    load_skipped = False
    doc["load"] = None
    if not args.no_load and wants("load"):
        missing = load.missing_tools()
        if missing:
            log(
                f"bench: WARNING: load test skipped, {', '.join(missing)} missing: "
                f"{load.INSTALL_HINT}"
            )
            load_skipped = True
        else:
            log("load test:")
            try:
                doc["load"] = load.run(
                    plan,
                    chosen.users,
                    n_users=args.load_users,
                    seconds=args.load_seconds,
                    workers=args.load_workers,
                    log=log,
                )
            except Exception as exc:  # one line, not a traceback
                log(f"bench: load test failed: {exc!r}"[:600])
                load_skipped = True

    baseline = _baseline(args)
    doc["bars"] = report.bars(doc, kinds, baseline)
    if baseline is not None:
        for line in report.query_differences(doc, baseline):
            log(f"queries differ from the demo scale: {line}")
    doc["seconds"] = round(time.perf_counter() - started, 1)
    if not only:  # a partial run is no baseline for the next
        _save(doc, args)

    if args.json:
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    else:
        print()
        print(report.table(doc))
    failed = [n for n, p in doc["pages"].items() if p.get("error")]
    failed += [f"export {n}" for n, e in doc["exports"].items() if e.get("error")]
    if failed:
        print(f"bench: FAILED: {', '.join(failed)} (see the errors above)", file=sys.stderr)
        return 1
    if load_skipped:
        return 1
    if args.check and any(v is False for v in doc["bars"].values()):
        failing = [n for n, v in doc["bars"].items() if v is False]
        print(f"bench: bars failing: {', '.join(failing)}", file=sys.stderr)
        return 1
    return 0


def _today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


def _demo_fill(today: dt.date, log) -> None:
    """Migrate and fill the demo data into an empty database (the bench's own smoke test)."""
    from django.core.management import call_command

    from rusmiddel.demo_data import demo_fill

    from .subjects import has_cases

    if has_cases():
        return
    log("bench: migrating and filling the demo data")
    call_command("migrate", verbosity=0)
    demo_fill(today=today)


def _results_file(database: str, scale: str) -> Path:
    from rusmiddel.synth import target

    return target.data_dir() / f"bench-{database}-{scale}.json"


def _save(doc: dict[str, Any], args: argparse.Namespace) -> None:
    """Keep the latest run per database and scale: the demo run is the query-count baseline."""
    path = _results_file(args.database, args.scale)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    except OSError:
        pass  # a read-only data directory: the result is on stdout anyway


def _baseline(args: argparse.Namespace) -> dict[str, Any] | None:
    """The demo-scale run to compare query counts with: --baseline, else the saved one."""
    if args.baseline:
        return json.loads(Path(args.baseline).read_text(encoding="utf-8"))
    if args.scale == "demo":
        return None
    for database in (args.database, "postgres", "sqlite"):
        path = _results_file(database, "demo")
        if path.exists():
            return json.loads(path.read_text(encoding="utf-8"))
    return None


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scale", choices=("demo", "municipality", "national"), default="demo")
    p.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    p.add_argument("--json", action="store_true", help="one JSON document on stdout")
    p.add_argument("--runs", type=int, default=30, help="timed requests per page (default 30)")
    p.add_argument("--no-load", action="store_true", help="skip the load test")
    p.add_argument("--load-seconds", type=int, default=60)
    p.add_argument("--load-users", type=int, default=50)
    p.add_argument("--load-workers", type=int, default=3, help="gunicorn workers (default 3)")
    p.add_argument("--year", type=int, help="register extract year (default: last full year)")
    p.add_argument(
        "--only",
        nargs="+",
        metavar="NAME",
        help="only these pages (the floor always) or parts: exports, evaluate, load",
    )
    p.add_argument("--baseline", help="a demo-scale bench JSON to compare query counts with")
    p.add_argument("--check", action="store_true", help="exit 1 when a bar fails")
    p.add_argument("--demo-fill", action="store_true", help=argparse.SUPPRESS)
