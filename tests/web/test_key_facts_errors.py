"""The key facts (use, housing, occupation) on the staff forms: the service stops at the first
one missing, the form tells every one missing at once, each next to its field, and what was
typed elsewhere stays."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from factories import granted_course, staff
from rusmiddel.cases import services
from rusmiddel.cases.models import Case

pytestmark = pytest.mark.django_db


def _version(case_id: int) -> int:
    return Case.objects.values_list("version", flat=True).get(pk=case_id)


def _errors(html: str) -> dict[str, str]:
    return dict(
        re.findall(
            r'<span class="form-error-message" id="id_end-(\w+)_error"><span class="sr-only">'
            r"Fejl: </span>([^<]+)</span>",
            html,
        )
    )


def test_ending_a_course_without_the_key_facts_names_all_three(tenants, client):
    therapist = staff("therapist", "gentofte")
    start = timezone.localdate() - dt.timedelta(days=30)
    case, course = granted_course(therapist, on=start, offer="ambulant")
    client.force_login(therapist)
    report = "Borgeren er udeblevet og har ikke svaret."
    end = {
        "end-version": _version(case.pk),
        "end-ended_on": timezone.localdate().isoformat(),
        "end-reason": "dropped_out",
        "end-outcome": "dropped_out",
        "end-final_report": report,
        "end-housing": "",
        "end-occupation": "",
    }
    refused = client.post(f"/forloeb/{course.pk}/afslut/", end)
    assert refused.status_code == 422
    html = refused.content.decode()
    assert _errors(html) == {
        "use_frequency": "Angiv borgerens brug af rusmidler de seneste 30 dage.",
        "housing": "Angiv borgerens boligsituation.",
        "occupation": "Angiv borgerens beskæftigelse.",
    }
    assert f"{report}</textarea>" in html
    assert "Der er 3 fejl i formularen" in html


def test_a_follow_up_with_the_use_but_not_housing_or_occupation_names_both(tenants, client):
    me = staff("caseworker", "gentofte")
    today = timezone.localdate()
    case = services.case_create(
        actor=me,
        received_on=today - dt.timedelta(days=60),
        channel="phone",
        citizen_cpr="0703851000",
        citizen_name="Gorm Fejl",
    )
    course = services.course_start(
        actor=me,
        case_id=case.pk,
        version=_version(case.pk),
        started_on=today - dt.timedelta(days=34),
        offer="raadgivning",
    )
    one, _ = services.course_end(
        actor=me,
        course_id=course.pk,
        version=_version(case.pk),
        ended_on=today - dt.timedelta(days=29),
        reason="completed",
        outcome="reduced",
        final_report="Forløbet er gennemført.",
    )
    client.force_login(me)
    data = {
        "version": _version(case.pk),
        "done_on": today.isoformat(),
        "channel": "phone",
        "reached": "ja",
        "outcome": "reduced",
        "note": "Ringede to gange.",
        "use_frequency": "weekly_or_less",
        "housing": "",
        "occupation": "",
    }
    response = client.post(f"/opfoelgning/{one.pk}/", data)
    assert response.status_code == 422
    html = response.content.decode()
    assert f'id="fu-{one.pk}-housing-error"' in html and "Angiv borgerens boligsituation." in html
    assert f'id="fu-{one.pk}-occupation-error"' in html and "Angiv borgerens beskæftigelse." in html
    assert "Ringede to gange." in html
