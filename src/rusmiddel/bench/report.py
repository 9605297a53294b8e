"""The bench's JSON document, its bars (pass/fail) and the table. Pure: no Django."""

from __future__ import annotations

from typing import Any

PAGE_P95_MS = 100.0  # every staff page (and API call)
FLOOR_FACTOR = 3.0  # ... and at most this many times the floor
REPORT_P95_MS = 300.0  # statistics and the register report
EXPORT_SECONDS = 30.0  # a national year's register extract
EXPORT_RSS_MB = 200.0


def page_entry(timing: Any, floor_p95: float | None) -> dict[str, Any]:
    ratio = None
    if timing.p95_ms is not None and floor_p95:
        ratio = round(timing.p95_ms / floor_p95, 2)
    entry = {
        "p50_ms": timing.p50_ms,
        "p95_ms": timing.p95_ms,
        "queries": timing.queries,
        "floor_ratio": ratio,
    }
    if timing.error:
        entry["error"] = timing.error
    return entry


def _all(values: list[bool | None]) -> bool | None:
    """False if any fails; None (not measured) if nothing was measured."""
    known = [v for v in values if v is not None]
    if not known:
        return None
    return all(known) and len(known) == len(values)


def bars(doc: dict[str, Any], kinds: dict[str, str], baseline: dict[str, Any] | None) -> dict:
    """Pass (True), fail (False) or not measured (None) per bar. `kinds` says what each page
    is (floor, page, api, report); `baseline` is a demo-scale run to compare query counts."""
    pages = doc.get("pages", {})
    staff = {n: p for n, p in pages.items() if kinds.get(n) in ("page", "api")}
    reports = {n: p for n, p in pages.items() if kinds.get(n) == "report"}

    def p95_under(entries, limit):
        return (
            _all(
                [
                    None if e.get("error") or e["p95_ms"] is None else e["p95_ms"] <= limit
                    for e in entries.values()
                ]
            )
            if entries
            else None
        )

    def errors_free(entries):
        return not any(e.get("error") for e in entries.values())

    result: dict[str, bool | None] = {
        "all_pages_200": errors_free(pages) if pages else None,
        "staff_pages_p95_le_100ms": p95_under(staff, PAGE_P95_MS),
        "staff_pages_le_3x_floor": _all(
            [
                None if e.get("floor_ratio") is None else e["floor_ratio"] <= FLOOR_FACTOR
                for e in staff.values()
            ]
        )
        if staff
        else None,
        "statistics_p95_le_300ms": p95_under(reports, REPORT_P95_MS),
    }
    if baseline is not None and baseline.get("pages"):
        base = baseline["pages"]
        shared = [n for n in pages if n in base and base[n].get("queries") is not None]
        result["queries_same_as_demo"] = (
            _all(
                [
                    None
                    if pages[n].get("queries") is None
                    else pages[n]["queries"] == base[n]["queries"]
                    for n in shared
                ]
            )
            if shared
            else None
        )
    else:
        result["queries_same_as_demo"] = None
    exports = doc.get("exports", {})
    result["register_extract_le_30s_200mb"] = (
        _all(
            [
                None
                if e.get("seconds") is None or e.get("peak_rss_mb") is None
                else e["seconds"] <= EXPORT_SECONDS and e["peak_rss_mb"] <= EXPORT_RSS_MB
                for e in exports.values()
            ]
        )
        if exports
        else None
    )
    load = doc.get("load")
    result["load_zero_errors"] = None if not load else load["errors"] == 0
    return result


def query_differences(doc: dict[str, Any], baseline: dict[str, Any]) -> list[str]:
    base = baseline.get("pages", {})
    return [
        f"{n}: {base[n]['queries']} -> {p['queries']}"
        for n, p in doc.get("pages", {}).items()
        if n in base and p.get("queries") is not None and p["queries"] != base[n].get("queries")
    ]


def cost_split(timing: Any) -> dict[str, float] | None:
    """Where a page's median request goes: the database driver, the templates, and the rest,
    Python (middleware, views, the ORM building queries and models). Kept apart from the
    page entries, whose keys the issue fixes."""
    if timing.p50_ms is None or timing.sql_ms is None or timing.template_ms is None:
        return None
    rest = max(0.0, timing.p50_ms - timing.sql_ms - timing.template_ms)
    return {"sql_ms": timing.sql_ms, "template_ms": timing.template_ms, "rest_ms": round(rest, 2)}


def _f(value: Any, fmt: str = "8.1f") -> str:
    return format(value, fmt) if isinstance(value, int | float) else f"{'–':>{fmt.split('.')[0]}}"


def _with_error(line: str, entry: dict[str, Any]) -> str:
    """A table line, with the page's or export's error after it when it failed."""
    return f"{line}  ERROR {entry['error']}" if entry.get("error") else line


def table(doc: dict[str, Any]) -> str:
    out = [
        f"rusmiddel bench: scale {doc['scale']}, database {doc['database']}, "
        f"{doc.get('runs')} runs per page, floor {doc.get('floor')}",
        "",
        f"{'page':24} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'× floor':>8}"
        f"   {'sql ms':>8} {'tmpl ms':>8} {'rest ms':>8}",
    ]
    for name, p in doc["pages"].items():
        split = doc.get("cost_split", {}).get(name) or {}
        line = (
            f"{name:24} {_f(p['p50_ms'])} {_f(p['p95_ms'])} {_f(p['queries'], '8d')} "
            f"{_f(p['floor_ratio'], '8.2f')}   {_f(split.get('sql_ms'))} "
            f"{_f(split.get('template_ms'))} {_f(split.get('rest_ms'))}"
        )
        out.append(_with_error(line, p))
    if doc.get("exports"):
        out += ["", f"{'export':24} {'seconds':>8} {'rows':>10} {'peak MB':>8}"]
        for name, e in doc["exports"].items():
            line = (
                f"{name:24} {_f(e['seconds'], '8.2f')} {_f(e['rows'], '10d')} "
                f"{_f(e['peak_rss_mb'])}"
            )
            out.append(_with_error(line, e))
    out += ["", f"rule engine: {_f(doc.get('evaluate_per_s'), '.0f')} evaluations/s"]
    load = doc.get("load")
    if load:
        out.append(
            f"load: {load['users']} users for {load['seconds']} s: {load['requests']} requests, "
            f"{load['rps']} req/s, p50 {load['p50_ms']} ms, p95 {load['p95_ms']} ms, "
            f"{load['errors']} errors"
        )
    else:
        out.append("load: not run")
    out += ["", "bars:"]
    for name, ok in doc.get("bars", {}).items():
        mark = "pass" if ok else ("not measured" if ok is None else "FAIL")
        out.append(f"  {name:34} {mark}")
    return "\n".join(out)
