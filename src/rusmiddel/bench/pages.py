"""The pages and API calls measured, and their server time: Django's test client in this
process, so a request's time is the whole server side (middleware, session, permissions,
queries, template, audit writes) without the network."""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from .subjects import Subjects

FLOOR_PATH = "/om/"  # a trivial authenticated staff page: the floor
FLOOR_FALLBACK = "/api/me"
PAGE_BUDGET_S = 20.0  # timed runs of one page stop after this long (the bench stays < 10 min)
SPLIT_RUNS = 5  # requests whose time is split into SQL, template and the rest (median)


@dataclass
class Page:
    name: str
    role: str
    path: str
    kind: str = "page"  # page, api, report (statistics and registers), floor
    method: str = "GET"
    data: dict[str, Any] | None = None  # POST body, filled in before timing
    weight: int = 0  # share in the load test (0: not requested there)


@dataclass
class Timing:
    p50_ms: float | None = None
    p95_ms: float | None = None
    queries: int | None = None
    sql_ms: float | None = None  # median time in the database driver's execute
    template_ms: float | None = None  # median time rendering templates
    error: str | None = None
    samples: list[float] = field(default_factory=list)


def floor_path() -> str:
    from django.urls import Resolver404, resolve

    try:
        resolve(FLOOR_PATH)
    except Resolver404:
        return FLOOR_FALLBACK
    return FLOOR_PATH


def plan(s: Subjects, today: dt.date) -> list[Page]:
    """Every page measured, as the user whose work it is. Weights: a working day's mix, the
    caseload and the case page most."""
    case, course = s.case.pk, s.course.pk
    year = today.year - 1
    search = s.case.number[-5:]  # part of a case number, as typed in the search field
    pages = [
        Page("floor", "caseworker", floor_path(), kind="floor", weight=1),
        Page("caseload", "caseworker", "/sager/", weight=10),
        Page("search", "caseworker", f"/sager/soeg/?q={search}", weight=3),
        Page("due", "caseworker", "/frister/", weight=4),
        Page("follow_ups", "therapist", "/opfoelgning/", weight=2),
        Page("complaints", "caseworker", "/klager/", weight=1),
        Page("case", "caseworker", f"/sager/{case}/", weight=10),
        Page("assessment", "caseworker", f"/sager/{case}/udredning/", weight=3),
        Page(
            "assessment_evaluate",
            "caseworker",
            f"/sager/{case}/udredning/vurdering/",
            method="POST",
        ),
        Page("decision", "caseworker", f"/sager/{case}/afgoerelse/", weight=2),
        Page("course", "therapist", f"/forloeb/{course}/", weight=6),
        Page("fit", "therapist", f"/forloeb/{course}/fit/", weight=2),
        Page("groups_week", "therapist", "/grupper/", weight=3),
    ]
    if s.group is not None:
        pages.append(Page("group", "therapist", f"/grupper/{s.group.pk}/", weight=2))
    pages += [
        Page("waitlist", "head_of_unit", "/venteliste/", weight=1),
        Page("api_case", "caseworker", f"/api/cases/{case}", kind="api", weight=2),
        Page("api_due", "caseworker", "/api/due", kind="api", weight=2),
        Page("statistics", "head_of_unit", "/statistik/", kind="report", weight=1),
        Page("statistics_csv", "head_of_unit", "/statistik/statistik.csv", kind="report"),
        Page(
            "register_report",
            "administrator",
            f"/administration/indberetning/?register=sib&year={year}",
            kind="report",
        ),
    ]
    return pages


class _FormFields(HTMLParser):
    """The fields of the form whose hx-post contains `marker`, as a browser would send them."""

    def __init__(self, marker: str) -> None:
        super().__init__(convert_charrefs=True)
        self.marker = marker
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._select_multiple = False
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = self.marker in a.get("hx-post", "")
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((name, a.get("value", "on")))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self.fields.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select, self._select_multiple, self._options = name, "multiple" in a, []
        elif tag == "option" and self._select is not None:
            self._options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select is not None:
            chosen = [v for v, selected in self._options if selected]
            if not chosen and not self._select_multiple and self._options:
                chosen = [self._options[0][0]]
            self.fields += [(self._select, v) for v in chosen]
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, "".join(self._text).removeprefix("\n")))
            self._textarea = None


def form_data(html: str, marker: str) -> dict[str, list[str]]:
    parser = _FormFields(marker)
    parser.feed(html)
    data: dict[str, list[str]] = {}
    for name, value in parser.fields:
        data.setdefault(name, []).append(value)
    return data


def percentile(samples: list[float], q: float) -> float:
    """Nearest rank: the smallest sample with at least q of all at or below it."""
    ordered = sorted(samples)
    rank = max(1, -(-len(ordered) * q // 1))  # ceil(n * q), at least 1
    return ordered[int(rank) - 1]


def _error(page: Page, response: Any) -> str:
    body = response.content[:2000].decode("utf-8", "replace").strip().splitlines()[:5]
    where = response.get("Location", "")
    lines = " | ".join(line.strip() for line in body if line.strip())
    return f"{page.method} {page.path} -> {response.status_code} {where}: {lines}"[:600]


def measure(pages: list[Page], subjects: Subjects, runs: int, log) -> dict[str, Timing]:
    """Warm each page up, time `runs` requests without query capture, then count its queries
    in one more request. A page answering anything but 200 is recorded as an error."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    clients: dict[str, Client] = {}
    for role, user in subjects.users.items():
        clients[role] = Client(raise_request_exception=False)  # a 500 is a result here
        clients[role].force_login(user)
    results: dict[str, Timing] = {}
    for page in pages:
        client = clients[page.role]
        if page.method == "POST" and page.data is None:
            page.data = _preview_data(client, page)

        def request(client=client, page=page):
            if page.method == "POST":
                return client.post(page.path, page.data, HTTP_HX_REQUEST="true")
            return client.get(page.path)

        try:
            timing = _time(page, request, runs, connection, CaptureQueriesContext, log)
        except Exception as exc:  # e.g. the database went away: report it, go on
            timing = Timing(error=f"{page.method} {page.path}: {exc!r}"[:600])
        results[page.name] = timing
        if timing.error:
            log(f"  {page.name:22} ERROR {timing.error}")
        else:
            log(
                f"  {page.name:22} p50 {timing.p50_ms:7.1f} ms  p95 {timing.p95_ms:7.1f} ms  "
                f"{timing.queries:3d} queries  (sql {timing.sql_ms:.1f} ms, "
                f"templates {timing.template_ms:.1f} ms)"
            )
    return results


def _time(page: Page, request, runs: int, connection, capture, log) -> Timing:
    response = request()  # warm-up: caches, templates, the standard loaded
    if response.status_code != 200:
        return Timing(error=_error(page, response))
    samples = []
    began = time.perf_counter()
    for _ in range(runs):
        start = time.perf_counter()
        response = request()
        samples.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            return Timing(error=_error(page, response))
        if start - began > PAGE_BUDGET_S:  # a very slow page must not stall the bench
            log(f"  {page.name}: only {len(samples)} runs in {PAGE_BUDGET_S:.0f} s")
            break
    with capture(connection) as queries:
        response = request()
    if response.status_code != 200:
        return Timing(error=_error(page, response))
    counted = len(queries)  # now: the next request's start empties the connection's log
    sql_ms, template_ms = _split(request, connection)
    return Timing(
        p50_ms=round(statistics.median(samples), 2),
        p95_ms=round(percentile(samples, 0.95), 2),
        queries=counted,
        sql_ms=sql_ms,
        template_ms=template_ms,
        samples=samples,
    )


def _split(request, connection) -> tuple[float, float]:
    """Where a request's time goes: in the database driver (every query's execute and
    fetch), rendering templates (Django's and Jinja2's), and (the rest of p50) Python:
    middleware, views, the ORM building queries and models. Medians of SPLIT_RUNS requests,
    timed apart from the p50/p95 runs so the instruments cost those nothing."""
    from django.template.backends import django as django_backend
    from django.template.backends import jinja2 as jinja2_backend

    spent = {"sql": 0.0, "template": 0.0}

    def timed(kind: str, call):
        start = time.perf_counter()
        try:
            return call()
        finally:
            spent[kind] += time.perf_counter() - start

    def sql(execute, sql, params, many, context):
        return timed("sql", lambda: execute(sql, params, many, context))

    backends = (django_backend.Template, jinja2_backend.Template)
    originals = [b.render for b in backends]

    def render_of(original):
        def render(self, *args, **kwargs):
            return timed("template", lambda: original(self, *args, **kwargs))

        return render

    sql_samples, template_samples = [], []
    try:
        for backend, original in zip(backends, originals, strict=True):
            backend.render = render_of(original)
        with connection.execute_wrapper(sql):
            for _ in range(SPLIT_RUNS):
                spent.update(sql=0.0, template=0.0)
                request()
                sql_samples.append(spent["sql"] * 1000)
                template_samples.append(spent["template"] * 1000)
    finally:
        for backend, original in zip(backends, originals, strict=True):
            backend.render = original
    return (
        round(statistics.median(sql_samples), 2),
        round(statistics.median(template_samples), 2),
    )


def _preview_data(client: Any, page: Page) -> dict[str, list[str]]:
    """The assessment form as the page renders it (the case's recorded facts): what the
    page's htmx POST sends when a field changes."""
    form_page = page.path.removesuffix("vurdering/")
    response = client.get(form_page)
    if response.status_code != 200:
        print(f"bench: {form_page} answered {response.status_code}", file=sys.stderr)
        return {}
    return form_data(response.content.decode("utf-8"), "/udredning/vurdering/")
