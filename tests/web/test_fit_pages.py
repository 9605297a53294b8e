"""FIT on the course page: scores typed per session, the chart with its cut-off lines, flags."""

from __future__ import annotations

import datetime as dt

import pytest

from factories import granted_course, staff
from rusmiddel.cases import services
from rusmiddel.cases.models import Case
from rusmiddel.outcomes.models import FitScore
from support import AFTER_THE_EVENTS

#: The sessions lie ahead of the real today: FIT is recorded on a clock after them.
pytestmark = pytest.mark.time_machine(AFTER_THE_EVENTS, tick=False)

START = dt.date(2026, 12, 1)


def _course_with_sessions(municipality: str, sessions: int):
    actor = staff("therapist", municipality)
    offer = "individuelle_samtaler" if municipality == "helsingoer" else "ambulant"
    case, course = granted_course(actor, on=START, offer=offer)
    made = []
    for n in range(sessions):
        start = dt.datetime(2026, 12, 2, 9, tzinfo=dt.UTC) + dt.timedelta(weeks=n)
        made.append(
            services.session_record(
                actor=actor,
                course_id=course.pk,
                version=Case.objects.get(pk=case.pk).version,
                starts_at=start,
                ends_at=start + dt.timedelta(hours=1),
            )
        )
    return actor, case, course, made


def _post(client, course, session, **values):
    version = Case.objects.get(pk=course.case_id).version
    return client.post(f"/forloeb/{course.pk}/fit/{session.pk}/", {"version": version, **values})


@pytest.mark.django_db
def test_scores_typed_per_session_draw_the_chart_and_raise_the_flag(tenants, client):
    actor, case, course, sessions = _course_with_sessions("helsingoer", 4)
    client.force_login(actor)
    for n, session in enumerate(sessions):
        ors = {f"ors-{i}": f"{4 + n * 0.25:.1f}".replace(".", ",") for i in range(4)}
        srs = {f"srs-{i}": "9" for i in range(4)}
        response = _post(client, course, session, **ors, **srs)
        assert response.status_code == 302, response.content.decode()[:500]
    assert FitScore.objects.filter(session__course=course).count() == 8
    page = client.get(f"/forloeb/{course.pk}/fit/").content.decode()
    assert "<polyline" in page and "ORS klinisk grænse 25" in page and "SRS grænse 36" in page
    assert "Ingen pålidelig forbedring efter 4 samtaler" in page  # 16 → 19: only 3 points
    assert "style=" not in page and "<script>" not in page  # nothing inline (CSP)


@pytest.mark.django_db
def test_a_bad_score_is_refused_with_the_line_named_and_nothing_saved(tenants, client):
    actor, case, course, (session,) = _course_with_sessions("helsingoer", 1)
    client.force_login(actor)
    response = _post(
        client, course, session, **{"ors-0": "5", "ors-1": "11", "ors-2": "5", "ors-3": "5"}
    )
    assert response.status_code == 422
    assert "11 ligger uden for 0–10." in response.content.decode()
    assert not FitScore.objects.exists()


@pytest.mark.django_db
def test_fit_is_not_offered_where_the_standard_names_no_instrument(tenants, client):
    actor, case, course, _ = _course_with_sessions("gentofte", 1)
    client.force_login(actor)
    page = client.get(f"/forloeb/{course.pk}/fit/").content.decode()
    assert "nævner ingen måleredskaber" in page
    other = staff("therapist", "helsingoer")
    client.force_login(other)
    assert client.get(f"/forloeb/{course.pk}/fit/").status_code == 404


@pytest.mark.django_db
def test_each_sessions_form_is_a_link_away(tenants, client):
    actor, case, course, (one, two) = _course_with_sessions("helsingoer", 2)
    client.force_login(actor)
    page = client.get(f"/forloeb/{course.pk}/fit/").content.decode()
    assert 'name="ors-0"' not in page  # no form until asked for
    link = f'<a href="?samtale={one.pk}#fit-form-{one.pk}" hx-get="?samtale={one.pk}"'
    assert link in page and f'hx-select="#fit-form-{one.pk}"' in page
    opened = client.get(f"/forloeb/{course.pk}/fit/", {"samtale": one.pk}).content.decode()
    assert (
        f'name="ors-0" inputmode="decimal" class="form-input input-width-xs" autofocus '
        f'id="fit-{one.pk}-ors-0">'
    ) in opened
    assert f'id="fit-{two.pk}-ors-0"' not in opened and f'hx-get="?samtale={two.pk}"' in opened
    for bad in ("x", "²", "-1"):  # ignored: no form open
        body = client.get(f"/forloeb/{course.pk}/fit/", {"samtale": bad}).content.decode()
        assert 'name="ors-0"' not in body
