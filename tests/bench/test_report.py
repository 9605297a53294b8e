"""The bench's bars: a measurement document in, pass/fail per bar out (no Django, no run)."""

from __future__ import annotations

import copy

from rusmiddel.bench import report
from rusmiddel.bench.pages import Timing, percentile

KINDS = {"floor": "floor", "caseload": "page", "api_due": "api", "statistics": "report"}


def _doc() -> dict:
    return {
        "scale": "national",
        "database": "postgres",
        "runs": 30,
        "floor": "floor",
        "pages": {
            "floor": {"p50_ms": 5.0, "p95_ms": 10.0, "queries": 4, "floor_ratio": 1.0},
            "caseload": {"p50_ms": 15.0, "p95_ms": 25.0, "queries": 9, "floor_ratio": 2.5},
            "api_due": {"p50_ms": 8.0, "p95_ms": 12.0, "queries": 8, "floor_ratio": 1.2},
            "statistics": {"p50_ms": 150.0, "p95_ms": 250.0, "queries": 10, "floor_ratio": 25},
        },
        "exports": {"sib": {"seconds": 12.0, "rows": 90000, "peak_rss_mb": 150.0}},
        "evaluate_per_s": 1000.0,
        "load": {
            "users": 50,
            "seconds": 60,
            "requests": 3000,
            "rps": 50.0,
            "p50_ms": 20,
            "p95_ms": 80,
            "errors": 0,
        },
    }


def _baseline() -> dict:
    return {"pages": {n: {"queries": p["queries"]} for n, p in _doc()["pages"].items()}}


def test_everything_within_the_bars_passes():
    bars = report.bars(_doc(), KINDS, _baseline())
    assert bars == {
        "all_pages_200": True,
        "staff_pages_p95_le_100ms": True,
        "staff_pages_le_3x_floor": True,
        "statistics_p95_le_300ms": True,
        "queries_same_as_demo": True,
        "register_extract_le_30s_200mb": True,
        "load_zero_errors": True,
    }


def _failing(change) -> dict:
    doc = copy.deepcopy(_doc())
    baseline = _baseline()
    change(doc, baseline)
    bars = report.bars(doc, KINDS, baseline)
    return {name for name, ok in bars.items() if ok is False}


def test_each_bar_fails_on_its_own_breach():
    def slow_page(d, b):
        d["pages"]["caseload"].update(p95_ms=120.0, floor_ratio=12.0)

    def above_floor(d, b):
        d["pages"]["api_due"]["floor_ratio"] = 3.5

    def slow_statistics(d, b):
        d["pages"]["statistics"]["p95_ms"] = 301.0

    def more_queries(d, b):
        d["pages"]["case" + "load"]["queries"] = 10

    def slow_export(d, b):
        d["exports"]["sib"]["seconds"] = 31.0

    def big_export(d, b):
        d["exports"]["sib"]["peak_rss_mb"] = 201.0

    def load_errors(d, b):
        d["load"]["errors"] = 1

    def page_error(d, b):
        d["pages"]["caseload"].update(p50_ms=None, p95_ms=None, queries=None, floor_ratio=None)
        d["pages"]["caseload"]["error"] = "GET /sager/ -> 500"

    assert _failing(slow_page) == {"staff_pages_p95_le_100ms", "staff_pages_le_3x_floor"}
    assert _failing(above_floor) == {"staff_pages_le_3x_floor"}
    assert _failing(slow_statistics) == {"statistics_p95_le_300ms"}
    assert _failing(more_queries) == {"queries_same_as_demo"}
    assert _failing(slow_export) == {"register_extract_le_30s_200mb"}
    assert _failing(big_export) == {"register_extract_le_30s_200mb"}
    assert _failing(load_errors) == {"load_zero_errors"}
    # a page that did not answer 200 fails its bars too, not just "not measured"
    assert _failing(page_error) == {
        "all_pages_200",
        "staff_pages_p95_le_100ms",
        "staff_pages_le_3x_floor",
        "queries_same_as_demo",
    }


def test_what_was_not_measured_is_neither_pass_nor_fail():
    doc = _doc()
    doc["load"] = None
    doc["exports"] = {}
    bars = report.bars(doc, KINDS, None)
    assert bars["load_zero_errors"] is None
    assert bars["register_extract_le_30s_200mb"] is None
    assert bars["queries_same_as_demo"] is None


def test_the_table_shows_failing_bars_and_errors():
    doc = _doc()
    doc["pages"]["caseload"]["error"] = "GET /sager/ -> 500: Server Error"
    doc["bars"] = report.bars(doc, KINDS, None)
    text = report.table(doc)
    assert "ERROR GET /sager/ -> 500" in text
    assert "all_pages_200" in text and "FAIL" in text


def test_p95_is_the_nearest_rank():
    samples = [float(i) for i in range(1, 21)]  # 1..20
    assert percentile(samples, 0.95) == 19.0
    assert percentile(samples, 0.5) == 10.0
    assert percentile([7.0], 0.95) == 7.0


def test_the_cost_split_is_what_is_left_of_the_median_outside_sql_and_templates():
    timing = Timing(p50_ms=20.0, p95_ms=25.0, queries=9, sql_ms=6.5, template_ms=4.3)
    assert report.cost_split(timing) == {"sql_ms": 6.5, "template_ms": 4.3, "rest_ms": 9.2}
    assert report.cost_split(Timing(error="GET /sager/ -> 500")) is None
    doc = _doc()
    doc["cost_split"] = {"caseload": report.cost_split(timing)}
    line = next(x for x in report.table(doc).splitlines() if x.startswith("caseload"))
    assert line.split()[-3:] == ["6.5", "4.3", "9.2"]
