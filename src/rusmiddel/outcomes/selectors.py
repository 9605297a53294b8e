"""A course's FIT trajectory with its flags, for the course page and the API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rusmiddel.cases.models import Course
from rusmiddel.rules.calendar import age_on
from rusmiddel.rules.outcomes import Trajectory, alliance_concern, ors_trajectory
from rusmiddel.standards import registry

from .models import FitScore


@dataclass(frozen=True)
class Point:
    session_id: int
    on: dt.date
    ors: Decimal | None
    srs: Decimal | None
    alliance_concern: bool


@dataclass(frozen=True)
class CourseOutcomes:
    points: tuple[Point, ...]
    ors: Trajectory | None
    srs_cutoff: float | None


def _age(course: Course, on: dt.date) -> int | None:
    citizen = course.case.citizen
    if citizen is not None:
        return age_on(citizen.birth_date, on)
    latest = course.case.assessments.order_by("-version").first()
    born = ((latest.facts if latest else {}).get("person") or {}).get("birth_date")
    return age_on(dt.date.fromisoformat(born), on) if born else None


def course_outcomes(*, course: Course) -> CourseOutcomes | None:
    """None when the municipality's standard has no outcome instruments. Two queries."""
    standard = registry.load(course.case.municipality.slug, course.started_on).standard
    if standard.outcome_measures is None:
        return None
    ors, srs = standard.instrument("ors"), standard.instrument("srs")
    by_session: dict[int, dict[str, Any]] = {}
    rows = (
        FitScore.objects.filter(session__course=course)
        .select_related("session")
        .order_by("session__starts_at", "session_id")
    )
    for score in rows:
        entry = by_session.setdefault(score.session_id, {"on": score.session.starts_at.date()})
        entry[score.instrument] = score.total
    points = tuple(
        Point(
            session_id=sid,
            on=e["on"],
            ors=e.get("ors"),
            srs=e.get("srs"),
            alliance_concern=bool(
                srs and e.get("srs") is not None and alliance_concern(srs, e["srs"])
            ),
        )
        for sid, e in by_session.items()
    )
    ors_totals = [p.ors for p in points if p.ors is not None]
    age = _age(course, course.started_on)
    trajectory = ors_trajectory(ors, ors_totals, age) if ors and ors_totals else None
    return CourseOutcomes(
        points=points,
        ors=trajectory,
        srs_cutoff=srs.alliance_concern_below if srs else None,
    )
