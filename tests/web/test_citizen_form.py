"""The case page's form for the citizen's name and contact details (issue 17, item 1): shown
to the roles that may change them, posting the citizen's version to `citizen_update`; what
was typed stays in the form when it is refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from factories import staff
from rusmiddel.audit.models import AuditEntry
from rusmiddel.cases import services
from rusmiddel.cases.models import Case, Citizen, CitizenChangeNotice
from support import TODAY

pytestmark = pytest.mark.django_db

FORM = 'action="/sager/{pk}/borger/"'


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _case(provider: str = "kabs") -> Case:
    return services.case_create(
        actor=staff("caseworker"),
        received_on=TODAY,
        channel="phone",
        citizen_cpr="0702921234",
        citizen_name="Mette Jensen",
        citizen_address="Strandvejen 1, 2900 Hellerup",
        citizen_phone="12 34 56 78",
        provider=provider,
    )


def _post(client: Client, case: Case, **fields: Any):
    data = {
        "borger-version": "1",
        "borger-name": "Mette Jensen",
        "borger-address": "Nyvej 2, 2820 Gentofte",
        "borger-phone": "12 34 56 78",
        "borger-email": "",
    }
    data.update({f"borger-{k}": v for k, v in fields.items()})
    return client.post(f"/sager/{case.pk}/borger/", data)


def _rows() -> tuple:
    return (
        list(Citizen.objects.values()),
        CitizenChangeNotice.objects.count(),
        AuditEntry.objects.filter(write=True).count(),
    )


@pytest.mark.parametrize(
    ("role", "provider", "shown"),
    [
        ("caseworker", None, True),
        ("therapist", None, True),
        ("head_of_unit", None, True),
        ("substance_consultant", None, False),
        ("provider_staff", "kabs", False),
    ],
)
def test_the_form_is_shown_to_the_roles_that_may_change_a_citizen(tenants, role, provider, shown):
    case = _case()
    page = _client(staff(role, "gentofte", provider)).get(f"/sager/{case.pk}/").content.decode()
    assert "Strandvejen 1, 2900 Hellerup" in page  # the details, for whoever reads the case
    assert (FORM.format(pk=case.pk) in page) == shown


def test_a_change_is_saved_and_shown_on_the_case(tenants):
    case = _case()
    client = _client(staff("caseworker"))

    response = _post(client, case)

    assert response.status_code == 302
    assert response["Location"] == f"/sager/{case.pk}/#borger"
    citizen = Citizen.objects.get(pk=case.citizen_id)
    assert (citizen.address, citizen.phone, citizen.version) == (
        "Nyvej 2, 2820 Gentofte",
        "12 34 56 78",
        2,
    )
    page = client.get(f"/sager/{case.pk}/").content.decode()
    assert "Borgerens oplysninger er gemt." in page
    assert "Adresse: Strandvejen 1, 2900 Hellerup → Nyvej 2, 2820 Gentofte" in page
    assert 'name="borger-version" value="2"' in page


@pytest.mark.parametrize(
    ("fields", "status", "shown"),
    [
        ({"email": "ikke-en-adresse"}, 422, "Skriv en gyldig e-mailadresse"),
        ({"name": "  "}, 422, "Skriv borgerens navn."),
        ({"version": "0"}, 409, "Intet er gemt"),
        ({"version": ""}, 409, "Intet er gemt"),
    ],
)
def test_a_refused_change_keeps_what_was_typed_and_changes_nothing(tenants, fields, status, shown):
    case = _case()
    before = _rows()
    response = _post(_client(staff("caseworker")), case, **fields)
    assert response.status_code == status
    page = response.content.decode()
    assert shown in page and 'id="borger-fejl"' in page
    assert 'value="Nyvej 2, 2820 Gentofte"' in page  # what was typed
    assert _rows() == before


@pytest.mark.parametrize(
    ("role", "municipality", "provider", "status"),
    [
        ("provider_staff", "gentofte", "kabs", 403),  # sees the case, may not change it
        ("substance_consultant", "gentofte", None, 403),
        ("provider_staff", "gentofte", "gladsaxe_rusmiddelcenter", 404),
        ("caseworker", "helsingoer", None, 404),
        ("administrator", "gentofte", None, 404),
    ],
)
def test_who_may_not_change_a_citizen_is_refused(tenants, role, municipality, provider, status):
    case = _case()
    before = _rows()
    response = _post(_client(staff(role, municipality, provider)), case)
    assert response.status_code == status
    assert _rows() == before


def test_an_anonymous_case_has_no_citizen_to_change(tenants):
    therapist = staff("therapist", "helsingoer")
    case = services.case_create(
        actor=therapist,
        received_on=TODAY,
        channel="walk_in",
        anonymous=True,
        pseudonym="Uglen",
    )
    client = _client(therapist)
    assert FORM.format(pk=case.pk) not in client.get(f"/sager/{case.pk}/").content.decode()
    assert _post(client, case).status_code == 404


def test_the_form_needs_a_post(tenants):
    case = _case()
    assert _client(staff("caseworker")).get(f"/sager/{case.pk}/borger/").status_code == 405
