"""The FIT page in a real browser: the chart is drawn, and axe-core finds no serious or
critical violations."""

from __future__ import annotations

import datetime as dt

import pytest

from browser_support import axe_violations, log_in
from factories import granted_course, staff
from rusmiddel.cases import services
from rusmiddel.cases.models import Case
from rusmiddel.outcomes.services import fit_record
from support import noon

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_fit_chart_is_drawn_and_accessible(page, live_server, tenants, tmp_path, time_machine):
    time_machine.move_to(noon(dt.date(2027, 1, 1)))  # after the sessions: FIT waits for them
    therapist = staff("therapist", "helsingoer")
    start = dt.date(2026, 12, 1)
    case, course = granted_course(therapist, on=start, offer="individuelle_samtaler")
    for n, (ors, srs) in enumerate([(4, 9), (5, 9), (6.5, 8.5)]):
        at = dt.datetime(2026, 12, 2, 9, tzinfo=dt.UTC) + dt.timedelta(weeks=n)
        session = services.session_record(
            actor=therapist,
            course_id=course.pk,
            version=Case.objects.get(pk=case.pk).version,
            starts_at=at,
            ends_at=at + dt.timedelta(hours=1),
        )
        for instrument, value in (("ors", ors), ("srs", srs)):
            fit_record(
                actor=therapist,
                session_id=session.pk,
                instrument=instrument,
                version=Case.objects.get(pk=case.pk).version,
                items=[value] * 4,
            )
    log_in(page, live_server, therapist.username)
    page.goto(f"{live_server.url}/forloeb/{course.pk}/fit/")
    assert page.locator("svg polyline").count() == 2
    assert "Pålidelig forbedring" in page.locator("main").inner_text()  # 16 → 26
    page.screenshot(path="/tmp/fit.png", full_page=True)
    assert axe_violations(page) == []
