"""FIT errors as a therapist meets them: every bad line of ORS and SRS told at once, in
Danish, next to its line and in the summary at the top (which names the instrument and the
line); what was typed stays in every field; nothing is saved until all of it can be, and an
instrument left blank is left alone."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from factories import granted_course, staff
from rusmiddel.cases import services
from rusmiddel.cases.errors import Invalid
from rusmiddel.cases.models import Case
from rusmiddel.outcomes.models import FitScore
from rusmiddel.outcomes.services import fit_record

pytestmark = pytest.mark.django_db

START = dt.date(2026, 12, 1)


def _course_with_sessions(municipality: str, sessions: int):
    actor = staff("therapist", municipality)
    case, course = granted_course(actor, on=START, offer="individuelle_samtaler")
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


def _error_of(html: str, field_id: str) -> str:
    found = re.search(
        rf'<span class="form-error-message" id="{field_id}_error"><span class="sr-only">'
        r"Fejl: </span>([^<]+)</span>",
        html,
    )
    assert found, field_id
    tag = re.search(rf'<input[^>]*id="{field_id}"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in tag and f'aria-describedby="{field_id}_error"' in tag
    return found.group(1)


def _value_of(html: str, field_id: str) -> str:
    tag = re.search(rf'<input[^>]*id="{field_id}"[^>]*>', html).group(0)
    value = re.search(r'\svalue="([^"]*)"', tag)
    return value.group(1) if value else ""


def test_four_bad_lines_are_all_told_in_danish_next_to_each_and_the_values_kept(tenants, client):
    actor, case, course, (session,) = _course_with_sessions("helsingoer", 1)
    client.force_login(actor)
    typed = {"ors-0": "11", "ors-1": "5,55", "ors-2": "x", "ors-3": "", "srs-0": "9"}
    typed |= {"srs-1": "9", "srs-2": "12", "srs-3": "9"}
    response = _post(client, course, session, **typed)
    assert response.status_code == 422
    html = response.content.decode()
    ids = {name: f"fit-{session.pk}-{name}" for name in typed}
    # every bad line has its own error next to it, in Danish
    assert _error_of(html, ids["ors-0"]) == "11 ligger uden for 0–10."
    assert _error_of(html, ids["ors-1"]) == "5,55 har mere end 1 decimal."
    assert _error_of(html, ids["ors-2"]) == "“x” er ikke et tal. Skriv et tal fra 0 til 10."
    assert _error_of(html, ids["ors-3"]) == "Udfyld linjen med et tal fra 0 til 10."
    assert _error_of(html, ids["srs-2"]) == "12 ligger uden for 0–10."
    assert f'id="{ids["srs-0"]}_error"' not in html
    assert " is " not in html.split('id="form-fejl"')[1].split("</form>")[0]  # no English
    # and what was typed is still in every field, the good and the bad
    for name, value in typed.items():
        assert _value_of(html, ids[name]) == value, name
    # the summary at the top lists all five, each naming instrument and line, linked
    summary = html.split('id="form-fejl"')[1].split("</div>\n</div>")[0]
    assert "Der er 5 fejl i formularen" in summary
    assert (
        f'<a class="function-link" href="#{ids["ors-1"]}">ORS, Interpersonelt (familie og '
        "nære relationer): 5,55 har mere end 1 decimal.</a>"
    ) in summary
    assert f'href="#{ids["srs-2"]}">SRS, Tilgang eller metode' in summary
    # and nothing is saved, not even the lines that were right
    assert not FitScore.objects.exists()


def test_a_blank_instrument_is_left_alone_and_the_other_saved(tenants, client):
    actor, case, course, (session,) = _course_with_sessions("helsingoer", 1)
    client.force_login(actor)
    response = _post(client, course, session, **{f"ors-{i}": "6,5" for i in range(4)})
    assert response.status_code == 302
    (score,) = FitScore.objects.all()
    assert (score.instrument, score.total) == ("ors", Decimal("26.0"))


def test_a_stale_page_saves_neither_instrument_and_keeps_what_was_typed(tenants, client):
    actor, case, course, (session,) = _course_with_sessions("helsingoer", 1)
    client.force_login(actor)
    typed = {f"ors-{i}": "5" for i in range(4)} | {f"srs-{i}": "9,5" for i in range(4)}
    version = Case.objects.get(pk=course.case_id).version
    response = client.post(
        f"/forloeb/{course.pk}/fit/{session.pk}/", {"version": version - 1, **typed}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Sagen er ændret af en anden" in html and "Intet er gemt" in html
    assert _value_of(html, f"fit-{session.pk}-srs-3") == "9,5"
    assert not FitScore.objects.exists()


def test_the_service_names_every_bad_line_in_danish(tenants):
    actor, case, course, (session,) = _course_with_sessions("helsingoer", 1)
    with pytest.raises(Invalid) as bad:
        fit_record(
            actor=actor,
            session_id=session.pk,
            version=Case.objects.get(pk=case.pk).version,
            instrument="ors",
            items=["11", "5.55", "x", ""],
        )
    assert bad.value.field == "items[0]"
    assert bad.value.message == (
        "ORS: Linje 1 (Individuelt (personlig trivsel)): 11 ligger uden for 0–10. "
        "Linje 2 (Interpersonelt (familie og nære relationer)): 5.55 har mere end 1 decimal. "
        "Linje 3 (Socialt (arbejde, skole, venskaber)): “x” er ikke et tal. Skriv et tal fra "
        "0 til 10. Linje 4 (Samlet (generel følelse af velbefindende)): Udfyld linjen med et "
        "tal fra 0 til 10."
    )
    with pytest.raises(Invalid) as short:
        fit_record(
            actor=actor,
            session_id=session.pk,
            version=Case.objects.get(pk=case.pk).version,
            instrument="ors",
            items=["5", "5"],
        )
    assert short.value.field == "items" and short.value.message.startswith("ORS har 4 linjer")
