"""`rusmiddel bench` end to end, in subprocesses: on the demo data in a fresh SQLite file, and
its load test (gunicorn and locust, loopback only, a few seconds)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow

CONTRACT_PAGE = {"p50_ms", "p95_ms", "queries", "floor_ratio"}
CONTRACT_EXPORT = {"seconds", "rows", "peak_rss_mb"}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    """One demo database for the module: the first bench fills it, the next reuse it."""
    return tmp_path_factory.mktemp("bench")


def _bench(tmp_path, *options: str, timeout: float) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # the scale's own file
    env["RUSMIDDEL_DATA_DIR"] = str(tmp_path)
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the production settings, as the command has
    return subprocess.run(
        [sys.executable, "-m", "rusmiddel.cli", "bench", "--demo-fill", *options],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_bench_on_the_demo_data_gives_the_contract(data_dir):
    done = _bench(data_dir, "--runs", "2", "--no-load", "--json", timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    doc = json.loads(done.stdout)  # only the JSON document on stdout
    assert doc["scale"] == "demo" and doc["database"] == "sqlite"
    assert {"floor", "caseload", "case", "assessment_evaluate", "statistics"} <= set(doc["pages"])
    for name, page in doc["pages"].items():
        assert set(page) == CONTRACT_PAGE, name
        assert all(isinstance(page[k], int | float) for k in CONTRACT_PAGE), (name, page)
    assert doc["pages"][doc["floor"]]["floor_ratio"] == 1.0
    assert all(page["queries"] > 0 for page in doc["pages"].values())  # counted, not lost
    split = doc["cost_split"]  # where the time goes: the database, templates, the rest
    assert set(split) == set(doc["pages"])
    assert split["caseload"]["sql_ms"] > 0 and split["caseload"]["template_ms"] > 0
    assert split["api_due"]["template_ms"] == 0  # JSON: no template rendered
    assert set(doc["exports"]) == {"sib", "nab", "tdi"}
    for name, export in doc["exports"].items():
        assert set(export) >= CONTRACT_EXPORT, name
        assert all(isinstance(export[k], int | float) for k in CONTRACT_EXPORT), (name, export)
    assert doc["evaluate_per_s"] > 0
    assert doc["load"] is None
    assert doc["bars"]["all_pages_200"] is True


def test_bench_on_an_empty_database_says_to_run_synth(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["RUSMIDDEL_DATA_DIR"] = str(tmp_path)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-m", "rusmiddel.cli", "bench", "--no-load", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "rusmiddel synth --scale demo --database sqlite" in done.stderr
    assert done.stdout == ""


@pytest.mark.skipif(
    not all(importlib.util.find_spec(m) for m in ("gunicorn", "locust")),
    reason='gunicorn and locust: pip install -e ".[bench]"',
)
def test_the_load_test_runs_without_errors(data_dir):
    done = _bench(
        data_dir,
        "--runs", "1", "--json", "--only", "caseload", "case", "load",
        "--load-users", "5", "--load-seconds", "3", "--load-workers", "2",
        timeout=150,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    load = json.loads(done.stdout)["load"]
    assert load["users"] == 5 and load["seconds"] == 3
    assert load["requests"] > 0
    assert load["errors"] == 0, load
    assert load["rps"] > 0 and load["p95_ms"] is not None
