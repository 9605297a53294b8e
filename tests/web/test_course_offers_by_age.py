"""The case page's course start offers what the case may start on: a granted decision, or an
offer the standard lets start without one (treatment: false) — never one whose age band the
citizen is outside: a 16-year-old is not offered "Pårørendegruppe (fra 25 år)"."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from factories import staff
from rusmiddel.cases import services
from rusmiddel.cases.errors import Invalid
from rusmiddel.cases.models import Course


def cpr_for_age(age: int) -> str:
    """A CPR number of someone `age` years old today (born on 1 January; 4: the 2000s for
    years 00–36, 1900s otherwise)."""
    year = timezone.localdate().year - age
    century = "4" if year >= 2000 else "1"
    return f"0101{year % 100:02d}{century}234"


def case_of(age: int):
    caseworker = staff("caseworker", "helsingoer")
    case = services.case_create(
        actor=caseworker,
        received_on=timezone.localdate() - dt.timedelta(days=3),
        channel="phone",
        citizen_cpr=cpr_for_age(age),
        citizen_name=f"Borger {age}",
    )
    return case


def offers_on_the_page(case) -> dict[str, str]:
    client = Client()
    client.force_login(staff("therapist", "helsingoer"))
    page = client.get(f"/sager/{case.pk}/").content.decode()
    select = re.search(r'<select[^>]*name="basis".*?</select>', page, re.S).group(0)
    return dict(re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select))


def test_a_16_year_old_is_not_offered_groups_closed_by_age(tenants):
    # given a 16-year-old's case with no decision yet
    offered = offers_on_the_page(case_of(16))
    # then the youth offers that need no decision are there
    assert "ounge_adhoc_gruppe" in offered
    # and none the citizen is too young (or too old) for
    for closed in ("paaroerendegruppe", "voksne_boern_gruppe", "en_bedre_hverdag", "boernegruppe"):
        assert f"o{closed}" not in offered, closed
    assert not any("Pårørendegruppe" in title for title in offered.values())


def test_a_40_year_old_is_offered_the_adult_groups_not_the_youth_ones(tenants):
    offered = offers_on_the_page(case_of(40))
    assert "opaaroerendegruppe" in offered and "oen_bedre_hverdag" in offered
    assert "ounge_adhoc_gruppe" not in offered and "ovoksne_boern_gruppe" not in offered
    # offers without an age band stay
    assert "oforaeldreaftner" in offered


def test_a_start_on_an_offer_closed_by_age_is_refused_naming_the_field(tenants):
    case = case_of(16)
    therapist = staff("therapist", "helsingoer")
    client = Client()
    client.force_login(therapist)
    response = client.post(
        f"/sager/{case.pk}/forloeb/start/",
        {
            "version": case.version,
            "basis": "opaaroerendegruppe",
            "started_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code in (400, 422)
    assert not Course.objects.filter(case=case).exists()
    # and the service refuses it too (the API starts courses on an offer directly)
    with pytest.raises(Invalid) as refused:
        services.course_start(
            actor=therapist,
            case_id=case.pk,
            version=case.version,
            started_on=timezone.localdate(),
            offer="paaroerendegruppe",
        )
    assert refused.value.field == "offer"
    assert "ikke for borgerens alder (16 år" in refused.value.message
