"""Administration of group runs (gruppehold): the list and the form for a new run, one run's
form, errors on the form under the field they name, 403 for roles without GROUP_MANAGE, 404
for another municipality's run, and a query count that does not grow with the runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from factories import staff
from rusmiddel.accounts.models import Municipality, Provider
from rusmiddel.audit.models import AuditEntry, Event
from rusmiddel.groups.models import Group

pytestmark = pytest.mark.django_db

LIST = "/administration/grupper/"
MONDAY = dt.date(2027, 3, 15)
#: The most queries the list makes, whatever the number of runs.
MAX_LIST_QUERIES = 7  # measured: 6


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def a_group(municipality: str = "helsingoer", title: str = "Anonym gruppe forår 2027") -> Group:
    return Group.objects.create(
        municipality=Municipality.objects.get(slug=municipality),
        provider=Provider.objects.get(slug="helsingoer_rusmiddelcenter"),
        offer="anonym_gruppe",
        title=title,
        starts_on=MONDAY,
        seats=10,
    )


def new_run(**overrides) -> dict[str, str]:
    data = {
        "offer": "anonym_gruppe",
        "provider": "helsingoer_rusmiddelcenter",
        "title": "Anonym gruppe efterår 2027",
        "starts_on": "2027-09-06",
        "stop_day": "",
        "seats": "8",
    }
    return {**data, **overrides}


@pytest.mark.parametrize("role", ["administrator", "head_of_unit"])
def test_the_runs_are_listed_with_a_form_for_a_new_one(tenants, role):
    group = a_group()
    a_group("gentofte", title="Gentoftes hold")  # not Helsingør's
    response = client_for(staff(role, "helsingoer")).get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert group.title in html and f"/administration/grupper/{group.pk}/" in html
    assert "Gentoftes hold" not in html
    assert '<option value="kokain_hashstop">' in html
    assert '<option value="en_bedre_hverdag">' not in html  # a course, not a group
    assert "mødes hver mandag" in html and "fælles stopdag i de første 4 uger" in html


def test_the_administration_home_and_the_calendar_link_to_the_runs(tenants):
    home = client_for(staff("administrator", "helsingoer")).get("/administration/")
    assert 'href="/administration/grupper/"' in home.content.decode()
    head = client_for(staff("head_of_unit", "helsingoer")).get("/grupper/")
    assert 'href="/administration/grupper/"' in head.content.decode()
    therapist = client_for(staff("therapist", "helsingoer")).get("/grupper/")
    assert 'href="/administration/grupper/"' not in therapist.content.decode()


def test_an_administrator_creates_a_run(tenants):
    admin = staff("administrator", "helsingoer")
    client = client_for(admin)
    response = client.post(LIST, new_run())
    assert response.status_code == 302 and response["Location"] == LIST
    group = Group.objects.get()
    assert (group.offer, group.starts_on, group.seats) == ("anonym_gruppe", dt.date(2027, 9, 6), 8)
    assert group.municipality.slug == "helsingoer"
    assert AuditEntry.objects.get(event=Event.GROUP_CREATED).actor == admin.username
    assert (
        "Gruppeholdet Anonym gruppe efterår 2027 er oprettet." in client.get(LIST).content.decode()
    )


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "Skriv gruppeholdets titel."),
        ({"seats": "0"}, "seats", "Gruppeholdet skal have mindst 1 plads."),
        ({"seats": "mange"}, "seats", "Skriv antallet af pladser som et helt tal."),
        ({"offer": "individuelle_samtaler"}, "offer", "Vælg et af standardens gruppetilbud."),
        ({"provider": "kabs"}, "provider", "Vælg en af kommunens leverandører af gruppetilbud."),
        ({"starts_on": "2027-09-07"}, "starts_on", "Startdatoen skal være en mødedag."),
        ({"starts_on": "7. sep"}, "starts_on", "Datoen er ikke gyldig"),
        ({"stop_day": "2027-09-13"}, "stop_day", "har ingen fælles stopdag"),
        ({"offer": "kokain_hashstop"}, "stop_day", "Skriv den fælles stopdag"),
    ],
)
def test_a_bad_form_names_the_field_and_writes_nothing(tenants, overrides, field, message):
    response = client_for(staff("administrator", "helsingoer")).post(LIST, new_run(**overrides))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'id="id_{field}_error"' in html and f'href="#id_{field}"' in html
    assert 'aria-invalid="true"' in html
    assert "Der er 1 fejl i formularen" in html
    assert Group.objects.count() == 0
    assert not AuditEntry.objects.filter(write=True).exists()


def test_a_run_is_changed_on_its_own_page(tenants):
    group = a_group()
    client = client_for(staff("head_of_unit", "helsingoer"))
    page = client.get(f"{LIST}{group.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="Anonym gruppe forår 2027"' in html and 'value="2027-03-15"' in html
    assert f'href="/grupper/{group.pk}/"' in html  # the head of unit sees the calendar
    response = client.post(
        f"{LIST}{group.pk}/",
        {"title": "Anonym gruppe april", "starts_on": "2027-04-05", "stop_day": "", "seats": "12"},
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert (group.title, group.starts_on, group.seats) == (
        "Anonym gruppe april",
        dt.date(2027, 4, 5),
        12,
    )
    assert AuditEntry.objects.get(event=Event.GROUP_CHANGED).new["seats"] == 12


def test_a_bad_change_is_shown_on_the_form_and_writes_nothing(tenants):
    group = a_group()
    response = client_for(staff("administrator", "helsingoer")).post(
        f"{LIST}{group.pk}/",
        {"title": "Ny titel", "starts_on": "2027-03-29", "stop_day": "", "seats": "10"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Startdatoen skal være en mødedag." in html and 'id="id_starts_on_error"' in html
    assert f'href="/grupper/{group.pk}/"' not in html  # the administrator reads no case
    assert 'value="Ny titel"' in html  # what was typed stays
    group.refresh_from_db()
    assert group.title == "Anonym gruppe forår 2027"
    assert not AuditEntry.objects.filter(event=Event.GROUP_CHANGED).exists()


def test_another_municipalitys_run_is_not_found(tenants):
    group = a_group()
    client = client_for(staff("administrator", "gentofte"))
    assert client.get(f"{LIST}{group.pk}/").status_code == 404
    data = {"title": "X", "starts_on": "2027-03-15", "stop_day": "", "seats": "3"}
    assert client.post(f"{LIST}{group.pk}/", data).status_code == 404
    group.refresh_from_db()
    assert group.title == "Anonym gruppe forår 2027"


@pytest.mark.parametrize(
    "role", ["caseworker", "therapist", "substance_consultant", "provider_staff"]
)
def test_roles_without_group_manage_are_refused(tenants, role):
    group = a_group()
    provider = "helsingoer_rusmiddelcenter" if role == "provider_staff" else None
    client = client_for(staff(role, "helsingoer", provider=provider))
    assert client.get(LIST).status_code == 403
    assert client.post(LIST, new_run()).status_code == 403
    assert client.get(f"{LIST}{group.pk}/").status_code == 403
    data = {"title": "X", "starts_on": "2027-03-15", "stop_day": "", "seats": "3"}
    assert client.post(f"{LIST}{group.pk}/", data).status_code == 403
    assert Group.objects.count() == 1


def test_the_list_makes_as_many_queries_for_one_run_as_for_many(tenants):
    client = client_for(staff("administrator", "helsingoer"))
    a_group()
    client.get(LIST)  # warm the session and the standard's cache
    with CaptureQueriesContext(connection) as one:
        assert client.get(LIST).status_code == 200
    for n in range(12):
        a_group(title=f"Hold {n}")
    with CaptureQueriesContext(connection) as many:
        assert client.get(LIST).status_code == 200
    assert len(one) == len(many) <= MAX_LIST_QUERIES
