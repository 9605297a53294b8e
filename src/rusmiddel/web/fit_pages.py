"""FIT on the course: ORS and SRS per session, the trajectory as a chart with the cut-off
lines, and the flags (no reliable improvement, alliance concern). The instruments and their
limits come from the municipality's standard file."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from rusmiddel.accounts.permissions import Action, may
from rusmiddel.cases import selectors
from rusmiddel.cases.errors import ServiceError
from rusmiddel.cases.models import Course
from rusmiddel.cases.scoping import case_filter
from rusmiddel.outcomes.selectors import course_outcomes
from rusmiddel.outcomes.services import fit_problem_text, fit_record
from rusmiddel.rules.outcomes import fit_problems
from rusmiddel.standards import registry
from rusmiddel.standards.schema import Instrument
from rusmiddel.web.case_forms import CaseForm
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


class FitForm(CaseForm):
    """The ORS and SRS of one session: a field per line of each of the standard's
    instruments, named `<instrument>-<n>`. An instrument left blank is left alone; one begun
    must be filled in, and every bad line is told next to it in Danish (the rules' check,
    `rules.outcomes.fit_problems`), with what was typed kept."""

    def __init__(
        self, *args: Any, instruments: list[Instrument], session_id: int, **kwargs: Any
    ) -> None:
        # ids unique on the page: a form of one session at a time, but its id says which
        super().__init__(*args, auto_id=f"fit-{session_id}-%s", **kwargs)
        self.session_id = session_id
        self.instruments = instruments
        for instrument in instruments:
            for n, item in enumerate(instrument.items):
                self.fields[f"{instrument.id}-{n}"] = forms.CharField(
                    label=item,
                    required=False,
                    widget=forms.TextInput(
                        attrs={"inputmode": "decimal", "class": "form-input input-width-xs"}
                    ),
                )
        self.scores: dict[str, list[str]] = {}  # what to record, per instrument, when valid

    def groups(self) -> list[tuple[Instrument, list[forms.BoundField]]]:
        """Each instrument with its lines' fields, for a fieldset each."""
        return [(i, [self[f"{i.id}-{n}"] for n in range(len(i.items))]) for i in self.instruments]

    def summary(self) -> list[tuple[str, str]]:
        """Every error, each naming its instrument and line (the lines' messages alike)."""
        rows = [("", str(m)) for m in self.non_field_errors()]
        for instrument, fields in self.groups():
            for bound in fields:
                for message in bound.errors:
                    label = f"{instrument.id.upper()}, {bound.label}"
                    rows.append((bound.auto_id, f"{label}: {message}"))
        return rows

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for instrument in self.instruments:
            names = [f"{instrument.id}-{n}" for n in range(len(instrument.items))]
            typed = [(data.get(name) or "").strip() for name in names]
            if not any(typed):
                continue
            items = [t.replace(",", ".") for t in typed]  # a Danish decimal comma
            problems = fit_problems(instrument, items)
            for problem in problems:
                text = fit_problem_text(instrument, problem, typed[problem.index])
                self.add_error(names[problem.index], text)
            if not problems:
                self.scores[instrument.id] = items
        return data


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


def _context(request: HttpRequest, course: Course, form: FitForm | None = None) -> dict:
    """The page for a `course` read with `selectors.course_get` (the read logged on its case;
    the page shows only the course's own sessions, so the whole case is not read). `form`:
    the session's form sent back with its errors."""
    case = course.case
    standard = registry.load(case.municipality.slug, course.started_on).standard
    sessions = list(course.sessions.only("course", "starts_at").order_by("starts_at", "pk"))
    outcomes = course_outcomes(course=course)  # the scores, read once for table and chart
    points = {p.session_id: p for p in outcomes.points} if outcomes else {}
    instruments = standard.outcome_measures.instruments if standard.outcome_measures else []
    opened = query_int(request.GET.get("samtale"))
    if form is None and opened is not None and any(s.pk == opened for s in sessions):
        form = FitForm(
            instruments=instruments, session_id=opened, initial={"version": case.version}
        )
        if instruments:  # the form was asked for: type at once
            form.fields[f"{instruments[0].id}-0"].widget.attrs["autofocus"] = True
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
                "open": form is not None and s.pk == form.session_id,
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
        "form": form,
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
    """Save the ORS and/or SRS typed for one session (a blank instrument is left alone): all
    of it or, with every error told next to its line and what was typed kept, nothing."""
    course = _course(request, course_id)
    standard = registry.load(course.case.municipality.slug, course.started_on).standard
    instruments = standard.outcome_measures.instruments if standard.outcome_measures else []
    form = FitForm(request.POST, instruments=instruments, session_id=session_id)
    if form.is_valid():
        version = form.cleaned_data["version"]
        try:
            with transaction.atomic():  # ORS and SRS together, or neither
                for instrument_id, items in form.scores.items():
                    fit_record(
                        actor=request.user,
                        session_id=session_id,
                        version=version,
                        instrument=instrument_id,
                        items=items,
                    )
                    version += 1
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            return redirect("web:course_fit", course_id=course.pk)
    course = selectors.course_get(user=request.user, course_id=course.pk, why="FIT")
    return render(request, "web/case/fit.html", _context(request, course, form), status=422)


urlpatterns = [
    path("forloeb/<int:course_id>/fit/", course_fit, name="course_fit"),
    path(
        "forloeb/<int:course_id>/fit/<int:session_id>/",
        course_fit_record,
        name="course_fit_record",
    ),
]
