"""The audit log viewer: heads of unit and administrators of the municipality only."""

from __future__ import annotations

import datetime as dt

import pytest

from factories import staff
from rusmiddel.cases import services


@pytest.mark.django_db
def test_a_head_of_unit_sees_who_read_and_wrote_a_case(tenants, client):
    caseworker = staff("caseworker", "gentofte")
    case = services.case_create(
        actor=caseworker,
        received_on=dt.date(2026, 11, 24),
        channel="phone",
        citizen_cpr="0702921234",
        citizen_name="Mette Jensen",
    )
    client.force_login(staff("head_of_unit", "gentofte"))
    response = client.get(f"/log/?case={case.pk}")
    assert response.status_code == 200
    html = response.content.decode()
    assert caseworker.username in html and "Sag oprettet" in html
    assert "Mette Jensen" not in html  # the log names the case, not the person

    client.force_login(staff("head_of_unit", "helsingoer"))
    other = client.get(f"/log/?case={case.pk}").content.decode()
    assert caseworker.username not in other  # another municipality's log is not shown


@pytest.mark.django_db
def test_staff_without_the_role_are_refused_and_strangers_sent_to_log_in(tenants, client):
    assert client.get("/log/").status_code == 302
    client.force_login(staff("caseworker", "gentofte"))
    assert client.get("/log/").status_code == 403
    assert client.get("/log/?case=abc").status_code == 403


@pytest.mark.django_db
def test_log_in_page_is_danish_and_logs_in(tenants, client):
    user = staff("therapist", "helsingoer")
    page = client.get("/log-ind/")
    assert "Adgangskode" in page.content.decode()
    response = client.post("/log-ind/", {"username": user.username, "password": "test-password-1"})
    assert response.status_code == 302
    home = client.get("/").content.decode()
    assert "Behandler" in home and "Helsingør" in home
