"""Recording FIT per session and reading the course's trajectory (Helsingør's standard)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from factories import granted_course, staff
from rusmiddel.audit.models import AuditEntry
from rusmiddel.cases import services
from rusmiddel.cases.errors import Conflict, Invalid
from rusmiddel.cases.models import Case
from rusmiddel.outcomes.models import FitScore
from rusmiddel.outcomes.selectors import course_outcomes
from rusmiddel.outcomes.services import fit_record
from support import AFTER_THE_EVENTS

#: The tests record events up to a year ahead of the real today: on a clock after them.
pytestmark = pytest.mark.time_machine(AFTER_THE_EVENTS, tick=False)

START = dt.date(2026, 12, 1)


def _course(municipality: str):
    actor = staff("therapist", municipality)
    offer = "individuelle_samtaler" if municipality == "helsingoer" else "ambulant"
    case, course = granted_course(actor, on=START, offer=offer)
    return actor, case, course


def _session(actor, case, course, week: int):
    start = dt.datetime(2026, 12, 2, 9, tzinfo=dt.UTC) + dt.timedelta(weeks=week)
    return services.session_record(
        actor=actor,
        course_id=course.pk,
        version=Case.objects.get(pk=case.pk).version,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
    )


def _fit(actor, case, session, instrument, items):
    return fit_record(
        actor=actor,
        session_id=session.pk,
        version=Case.objects.get(pk=case.pk).version,
        instrument=instrument,
        items=items,
    )


@pytest.mark.django_db
def test_ors_and_srs_per_session_give_the_trajectory_and_its_flags(tenants):
    actor, case, course = _course("helsingoer")  # born 1992: an adult, cut-off 25
    ors = [[4, 5, 5, 4], [4.5, 5, 5, 4.5], [5, 5, 5.5, 4.5], [5, 5.5, 5.5, 5]]
    srs = [[9, 9, 9, 9], [9, 9, 9, 9.5], [9, 9, 9.5, 9.5], [8, 8.5, 9, 9]]
    for week, (o, s) in enumerate(zip(ors, srs, strict=True)):
        session = _session(actor, case, course, week)
        _fit(actor, case, session, "ors", o)
        _fit(actor, case, session, "srs", s)
    result = course_outcomes(course=course)
    assert [p.ors for p in result.points] == [Decimal(18), Decimal(19), Decimal(20), Decimal(21)]
    assert [p.alliance_concern for p in result.points] == [False, False, False, True]  # 34.5
    assert result.ors.cutoff == 25 and result.ors.change == Decimal(3)
    assert result.ors.no_reliable_change_flag  # four sessions without 5 points' improvement
    assert result.srs_cutoff == 36
    assert AuditEntry.objects.filter(case_id=case.pk, event="fit_recorded").count() == 8


@pytest.mark.django_db
def test_a_correction_replaces_the_score_and_bad_input_names_the_item(tenants):
    actor, case, course = _course("helsingoer")
    session = _session(actor, case, course, 0)
    _fit(actor, case, session, "ors", [4, 4, 4, 4])
    _fit(actor, case, session, "ors", [5, 5, 5, 5])
    assert FitScore.objects.get(session=session, instrument="ors").total == Decimal(20)
    version = Case.objects.get(pk=case.pk).version
    with pytest.raises(Invalid) as bad:
        _fit(actor, case, session, "ors", [5, 5, 11, 5])
    assert bad.value.field == "items[2]" and "0–10" in bad.value.message
    with pytest.raises(Conflict):
        fit_record(
            actor=actor,
            session_id=session.pk,
            version=version - 1,
            instrument="ors",
            items=[1, 1, 1, 1],
        )
    assert Case.objects.get(pk=case.pk).version == version  # nothing written
    assert FitScore.objects.get(session=session, instrument="ors").total == Decimal(20)


@pytest.mark.django_db
def test_a_municipality_without_fit_in_its_standard_refuses_with_the_field(tenants):
    actor, case, course = _course("gentofte")
    session = _session(actor, case, course, 0)
    with pytest.raises(Invalid) as refused:
        _fit(actor, case, session, "ors", [5, 5, 5, 5])
    assert refused.value.field == "instrument" and "ingen" in refused.value.message
    assert course_outcomes(course=course) is None
