"""FIT on the course: ORS and SRS per session, the trajectory as a chart with the cut-off
lines, and the flags (no reliable improvement, alliance concern). The instruments and their
limits come from the municipality's standard file."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rusmiddel.accounts.permissions import Action, may
from rusmiddel.cases import selectors
from rusmiddel.cases.errors import Conflict, ServiceError
from rusmiddel.cases.models import Course
from rusmiddel.cases.scoping import case_filter
from rusmiddel.outcomes.selectors import course_outcomes
from rusmiddel.outcomes.services import fit_record
from rusmiddel.standards import registry
from rusmiddel.web.pages import query_int, staff_page

#: The chart's drawing area in SVG units: totals 0–40 upwards, sessions left to right.
WIDTH, HEIGHT, LEFT, TOP, BOTTOM = 640, 260, 40, 10, 30


@dataclass(frozen=True)
class Chart:
    ors_points: str  # "x,y x,y …" for <polyline>
    srs_points: str
    ors_cutoff_y: float | None
    srs_cutoff_y: float | None
    ticks: list[tuple[float, int]]  # (y, total) for the axis
    labels: list[tuple[float, str]]  # (x, date) under the axis
    dots: list[tuple[float, float, str]]  # (x, y, title) for ORS points


def _y(total: Decimal | float) -> float:
    return round(TOP + (HEIGHT - TOP - BOTTOM) * (1 - float(total) / 40), 1)


def _chart(outcomes: Any) -> Chart:
    points = outcomes.points
    step = (WIDTH - LEFT - 20) / max(1, len(points) - 1)
    xs = [round(LEFT + i * step, 1) for i in range(len(points))]
    ors = [(x, _y(p.ors)) for x, p in zip(xs, points, strict=True) if p.ors is not None]
    srs = [(x, _y(p.srs)) for x, p in zip(xs, points, strict=True) if p.srs is not None]
    cutoff = outcomes.ors.cutoff if outcomes.ors else None
    return Chart(
        ors_points=" ".join(f"{x},{y}" for x, y in ors),
        srs_points=" ".join(f"{x},{y}" for x, y in srs),
        ors_cutoff_y=_y(cutoff) if cutoff is not None else None,
        srs_cutoff_y=_y(outcomes.srs_cutoff) if outcomes.srs_cutoff is not None else None,
        ticks=[(_y(t), t) for t in (0, 10, 20, 30, 40)],
        labels=[(x, f"{p.on:%d.%m}") for x, p in zip(xs, points, strict=True)],
        dots=[
            (x, y, f"ORS {p.ors}")
            for (x, y), p in zip(ors, [p for p in points if p.ors is not None], strict=True)
        ],
    )


def _course(request: HttpRequest, course_id: int) -> Course:
    q = case_filter(request.user, "case__")
    course = (
        Course.objects.select_related("case__municipality", "case__citizen")
        .filter(q, pk=course_id)
        .first()
        if q is not None
        else None
    )
    if course is None:
        raise Http404("Forløbet findes ikke.")
    return course


def _context(request: HttpRequest, course: Course, errors: dict | None = None) -> dict:
    """The page for a `course` read with `selectors.course_get` (the read logged on its case;
    the page shows only the course's own sessions, so the whole case is not read)."""
    case = course.case
    standard = registry.load(case.municipality.slug, course.started_on).standard
    sessions = course.sessions.only("course", "starts_at").order_by("starts_at", "pk")
    outcomes = course_outcomes(course=course)  # the scores, read once for table and chart
    points = {p.session_id: p for p in outcomes.points} if outcomes else {}
    instruments = standard.outcome_measures.instruments if standard.outcome_measures else []
    opened = query_int(request.GET.get("samtale"))
    rows = []
    for s in sessions:
        totals = [getattr(points.get(s.pk), i.id, None) for i in instruments]
        rows.append(
            {
                # the cells written once here: dozens of rows of filters in the template
                "pk": s.pk,
                "starts_at": f"{timezone.localtime(s.starts_at):%d.%m.%Y %H:%M}",
                "totals": ["–" if t is None else floatformat(t, 1) for t in totals],
                "alliance_concern": s.pk in points and points[s.pk].alliance_concern,
                "open": s.pk in ((errors or {}).get("session"), opened),
            }
        )
    return {
        "case": case,
        "course": course,
        "offer_title": (o.title if (o := standard.offer(course.offer)) else course.offer),
        "instruments": instruments,
        "rows": rows,
        "outcomes": outcomes,
        "chart": _chart(outcomes) if outcomes and outcomes.points else None,
        "may_manage": may(request.user.staff.role, Action.COURSE_MANAGE),
        "errors": errors or {},
        # the one session whose form is open (?samtale=): a form for each of dozens of
        # sessions would be most of the page's weight
        "opened": opened,
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "label_y": HEIGHT - 8,  # the dates under the axis
    }


@staff_page
def course_fit(request: HttpRequest, course_id: int) -> HttpResponse:
    course = selectors.course_get(user=request.user, course_id=course_id, why="FIT")
    return render(request, "web/case/fit.html", _context(request, course))


@require_POST
@staff_page
def course_fit_record(request: HttpRequest, course_id: int, session_id: int) -> HttpResponse:
    """Save the ORS and/or SRS typed for one session (a blank instrument is left alone)."""
    course = _course(request, course_id)
    standard = registry.load(course.case.municipality.slug, course.started_on).standard
    errors: dict[str, str] = {}
    version = query_int(request.POST.get("version")) or 0  # garbled: a stale version, 409
    for instrument in standard.outcome_measures.instruments if standard.outcome_measures else []:
        raw = [
            request.POST.get(f"{instrument.id}-{i}", "").replace(",", ".").strip()
            for i in range(len(instrument.items))
        ]
        if not any(raw):
            continue
        try:
            fit_record(
                actor=request.user,
                session_id=session_id,
                version=version,
                instrument=instrument.id,
                items=raw,
            )
            version += 1
        except Conflict:
            errors[instrument.id] = _("Sagen er ændret af en anden – hent siden igen.")
        except ServiceError as exc:
            errors[instrument.id] = f"{instrument.id.upper()}: {exc.message}"
    if errors:
        course = selectors.course_get(user=request.user, course_id=course.pk, why="FIT")
        context = _context(request, course, {"session": session_id, **errors})
        return render(request, "web/case/fit.html", context, status=422)
    return redirect("web:course_fit", course_id=course.pk)


urlpatterns = [
    path("forloeb/<int:course_id>/fit/", course_fit, name="course_fit"),
    path(
        "forloeb/<int:course_id>/fit/<int:session_id>/",
        course_fit_record,
        name="course_fit_record",
    ),
]
