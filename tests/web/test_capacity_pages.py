"""Administration of capacity (places and weekly start slots per provider and offer): the list
and the form for a new line, one line's form, errors on the form under the field they name
with nothing lost and nothing written, 403 for roles without CAPACITY_MANAGE, 404 for another
municipality's line, and a query count that does not grow with the lines."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from factories import staff
from rusmiddel.accounts.models import Municipality, Provider
from rusmiddel.audit.models import AuditEntry, Event
from rusmiddel.capacity.models import Capacity

pytestmark = pytest.mark.django_db

LIST = "/administration/kapacitet/"
CENTER = "helsingoer_rusmiddelcenter"
#: The most queries the list makes, whatever the number of lines.
MAX_LIST_QUERIES = 7  # measured: 6


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def a_line(municipality: str = "helsingoer", **kw) -> Capacity:
    values = {
        "provider": Provider.objects.get(slug=CENTER if municipality == "helsingoer" else "kabs"),
        "offer": "individuelle_samtaler" if municipality == "helsingoer" else "ambulant",
        "kind": "weekly_slots",
        "amount": 2,
        "valid_from": dt.date(2026, 1, 1),
    }
    return Capacity.objects.create(
        municipality=Municipality.objects.get(slug=municipality), **{**values, **kw}
    )


def new_line(**overrides) -> dict[str, str]:
    data = {
        "offer": "doegnbehandling",
        "provider": "privat_doegnbehandling",
        "kind": "places",
        "amount": "4",
        "valid_from": "2027-01-01",
        "valid_until": "",
        "age_min": "",
        "age_max": "",
    }
    return {**data, **overrides}


def change(**overrides) -> dict[str, str]:
    data = {
        "kind": "weekly_slots",
        "amount": "3",
        "valid_from": "2026-01-01",
        "valid_until": "2027-06-30",
        "age_min": "",
        "age_max": "",
    }
    return {**data, **overrides}


@pytest.mark.parametrize("role", ["administrator", "head_of_unit"])
def test_the_lines_are_listed_with_a_form_for_a_new_one(tenants, role):
    line = a_line()
    a_line("gentofte", amount=7)  # not Helsingør's
    response = client_for(staff(role, "helsingoer")).get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="/administration/kapacitet/{line.pk}/"' in html
    assert "Individuelle samtaler" in html and "Helsingør Rusmiddelcenter" in html
    assert "2 opstartstider pr. uge" in html and "indtil videre" in html
    assert "KABS" not in html and "/administration/kapacitet/" + str(line.pk + 1) not in html
    assert '<option value="doegnbehandling">' in html
    assert '<option value="kokain_hashstop">' not in html  # given in groups: the runs' seats


def test_the_administration_home_and_the_waitlist_link_to_capacity(tenants):
    home = client_for(staff("administrator", "helsingoer")).get("/administration/")
    assert f'href="{LIST}"' in home.content.decode()
    head = client_for(staff("head_of_unit", "helsingoer")).get("/venteliste/")
    assert f'href="{LIST}"' in head.content.decode()
    therapist = client_for(staff("therapist", "helsingoer")).get("/venteliste/")
    assert f'href="{LIST}"' not in therapist.content.decode()


def test_a_head_of_unit_creates_a_line_and_it_is_logged(tenants):
    head = staff("head_of_unit", "helsingoer")
    client = client_for(head)
    response = client.post(LIST, new_line(valid_until="2027-12-31"))
    assert response.status_code == 302 and response["Location"] == LIST
    line = Capacity.objects.get()
    assert (line.offer, line.provider.slug, line.kind, line.amount) == (
        "doegnbehandling",
        "privat_doegnbehandling",
        "places",
        4,
    )
    assert (line.valid_from, line.valid_until) == (dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    assert line.municipality.slug == "helsingoer"
    entry = AuditEntry.objects.get(event=Event.CAPACITY_CREATED)
    assert (entry.actor, entry.object_id, entry.write) == (head.username, line.pk, True)
    assert entry.new["amount"] == 4 and entry.new["provider"] == "privat_doegnbehandling"
    assert "Kapaciteten for Døgnbehandling" in client.get(LIST).content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"valid_until": "2026-12-31"}, "valid_until", "Slutdatoen ligger før startdatoen."),
        ({"offer": "findes_ikke"}, "offer", "Vælg et af standardens tilbud."),
        ({"offer": ""}, "offer", "Vælg tilbuddet."),
        ({"provider": CENTER}, "provider", "leverer ikke"),  # residential: private only
        ({"provider": "kabs"}, "provider", "Vælg en af kommunens leverandører."),
        ({"amount": "0"}, "amount", "Der skal være mindst 1 plads eller opstartstid."),
        ({"amount": "mange"}, "amount", "Skriv antallet som et helt tal."),
        ({"kind": "beds"}, "kind", "Vælg pladser eller opstartstider pr. uge."),
        ({"valid_from": "1. jan"}, "valid_from", "Datoen er ikke gyldig"),
        (
            {"offer": "individuelle_samtaler", "provider": CENTER, "age_min": "18"},
            "age_min",
            "Tilbuddet er fra 25 år",
        ),
        ({"age_min": "30", "age_max": "25"}, "age_max", "Højeste alder ligger under laveste"),
    ],
)
def test_a_bad_form_names_the_field_keeps_the_input_and_writes_nothing(
    tenants, overrides, field, message
):
    data = new_line(**overrides)
    response = client_for(staff("administrator", "helsingoer")).post(LIST, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'id="id_{field}_error"' in html and f'href="#id_{field}"' in html
    assert "Der er 1 fejl i formularen" in html
    if field != "amount":
        assert f'value="{data["amount"]}"' in html  # what was typed stays
    assert not Capacity.objects.exists()
    assert not AuditEntry.objects.filter(write=True).exists()


def test_a_line_is_changed_on_its_own_page_and_the_change_is_logged(tenants):
    line = a_line()
    client = client_for(staff("head_of_unit", "helsingoer"))
    page = client.get(f"{LIST}{line.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="2"' in html and 'value="2026-01-01"' in html
    assert "Ret kapaciteten for Individuelle samtaler hos Helsingør Rusmiddelcenter" in html
    response = client.post(f"{LIST}{line.pk}/", change())
    assert response.status_code == 302 and response["Location"] == LIST
    line.refresh_from_db()
    assert (line.amount, line.valid_until) == (3, dt.date(2027, 6, 30))
    entry = AuditEntry.objects.get(event=Event.CAPACITY_CHANGED)
    assert entry.old == {"amount": 2, "valid_until": None}
    assert entry.new == {"amount": 3, "valid_until": "2027-06-30"}


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"valid_until": "2025-12-31"}, "valid_until", "Slutdatoen ligger før startdatoen."),
        ({"amount": "0"}, "amount", "Der skal være mindst 1 plads eller opstartstid."),
        ({"age_min": "20"}, "age_min", "Tilbuddet er fra 25 år"),
    ],
)
def test_a_bad_change_is_shown_on_the_form_and_writes_nothing(tenants, overrides, field, message):
    line = a_line()
    data = change(**overrides)
    response = client_for(staff("administrator", "helsingoer")).post(f"{LIST}{line.pk}/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and f'id="id_{field}_error"' in html
    assert f'value="{data["valid_from"]}"' in html  # what was typed stays
    line.refresh_from_db()
    assert (line.amount, line.valid_until, line.age_min) == (2, None, None)
    assert not AuditEntry.objects.filter(event=Event.CAPACITY_CHANGED).exists()


def test_another_municipalitys_line_is_not_found(tenants):
    line = a_line()
    client = client_for(staff("administrator", "gentofte"))
    assert client.get(f"{LIST}{line.pk}/").status_code == 404
    assert client.post(f"{LIST}{line.pk}/", change()).status_code == 404
    line.refresh_from_db()
    assert line.amount == 2


@pytest.mark.parametrize(
    "role", ["caseworker", "therapist", "substance_consultant", "provider_staff"]
)
def test_roles_without_capacity_manage_are_refused(tenants, role):
    line = a_line()
    provider = CENTER if role == "provider_staff" else None
    client = client_for(staff(role, "helsingoer", provider=provider))
    assert client.get(LIST).status_code == 403
    assert client.post(LIST, new_line()).status_code == 403
    assert client.get(f"{LIST}{line.pk}/").status_code == 403
    assert client.post(f"{LIST}{line.pk}/", change()).status_code == 403
    assert Capacity.objects.count() == 1
    line.refresh_from_db()
    assert line.amount == 2


def test_the_list_makes_as_many_queries_for_one_line_as_for_many(tenants):
    client = client_for(staff("administrator", "helsingoer"))
    a_line()
    client.get(LIST)  # warm the session and the standard's cache
    with CaptureQueriesContext(connection) as one:
        assert client.get(LIST).status_code == 200
    for n in range(12):
        a_line(amount=n + 1, valid_from=dt.date(2026, 2, 1) + dt.timedelta(days=n))
    with CaptureQueriesContext(connection) as many:
        assert client.get(LIST).status_code == 200
    assert len(one) == len(many) <= MAX_LIST_QUERIES
