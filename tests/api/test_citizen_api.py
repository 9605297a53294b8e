"""A citizen's details over the JSON API (issue 17, item 1): `POST /api/cases` with a known
CPR number changes nothing of the citizen, and `PATCH /api/citizens/{id}` changes them at the
citizen's version (from the case's `citizen.version`), for the roles allowed to."""

from __future__ import annotations

from typing import Any

import pytest

from case_world import assert_error
from rusmiddel.audit.models import AuditEntry
from rusmiddel.cases.models import Citizen, CitizenChangeNotice

pytestmark = pytest.mark.django_db

CPR = "0702921234"
CITIZEN = {
    "cpr": CPR,
    "name": "Mette Jensen",
    "address": "Strandvejen 1, 2900 Hellerup",
    "phone": "12 34 56 78",
    "email": "mette@example.dk",
}


def _case(api, citizen: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    body = {
        "received_on": "2026-11-24",
        "channel": "phone",
        "citizen": {**CITIZEN, **(citizen or {})},
        **fields,
    }
    status, case = api.post("/cases", body)
    assert status == 201, case
    return case


def _rows() -> dict[str, Any]:
    return {
        "citizens": list(Citizen.objects.order_by("pk").values()),
        "notices": CitizenChangeNotice.objects.count(),
        "writes": AuditEntry.objects.filter(write=True).count(),
    }


def test_post_cases_with_a_known_cpr_number_leaves_the_citizen_as_it_was(as_role):
    caseworker = as_role("caseworker")
    first = _case(caseworker)

    second = _case(
        as_role("therapist"),
        {"name": "Mette Hansen", "address": "Andet Sted 3", "phone": "", "email": ""},
    )

    assert second["citizen"] == first["citizen"]  # same id, version 1, the stored details
    status, again = caseworker.get(f"/cases/{first['id']}")
    assert status == 200 and again["citizen"] == first["citizen"]
    note = second["contacts"][0]["note"]
    assert "Navn: Mette Hansen" in note and "Adresse: Andet Sted 3" in note
    assert "Telefon" not in note and "E-mail" not in note  # blank: erases and tells nothing


def test_provider_staff_post_a_named_case_only_for_a_citizen_already_theirs(as_role):
    _case(as_role("caseworker"), provider="kabs")
    kabs = as_role("provider_staff", "gentofte", "kabs")
    before = _rows()

    refused = kabs.post(
        "/cases",
        {
            "received_on": "2026-11-24",
            "channel": "walk_in",
            "citizen": {"cpr": "2102901234", "name": "Ny Person"},
        },
    )
    assert_error(refused, 403, "forbidden", None)
    assert _rows() == before

    case = _case(kabs, {"name": "Mette Hansen"}, channel="walk_in")
    assert case["provider"] == "kabs" and case["citizen"]["name"] == "Mette Jensen"


def test_the_case_names_the_citizen_and_its_version_and_patch_changes_every_case(as_role):
    caseworker = as_role("caseworker")
    first = _case(caseworker)
    second = _case(caseworker, requested_offer="ambulant")
    citizen = first["citizen"]
    assert (citizen["version"], second["citizen"]["id"]) == (1, citizen["id"])

    status, changed = caseworker.patch(
        f"/citizens/{citizen['id']}",
        {"version": citizen["version"], "address": "Nyvej 2, 2820 Gentofte", "phone": ""},
    )

    assert status == 200, changed
    assert changed == {
        **citizen,
        "version": 2,
        "address": "Nyvej 2, 2820 Gentofte",
        "phone": "",
    }
    for case in (first, second):
        status, body = caseworker.get(f"/cases/{case['id']}")
        assert body["citizen"] == changed
        assert body["version"] == case["version"]  # the case's own version is untouched
        [notice] = body["citizen_changes"]
        assert notice["changes"] == {
            "address": {"old": "Strandvejen 1, 2900 Hellerup", "new": "Nyvej 2, 2820 Gentofte"},
            "phone": {"old": "12 34 56 78", "new": ""},
        }
        entry = AuditEntry.objects.get(event="citizen_changed", case_id=case["id"])
        assert entry.old == {"address": "Strandvejen 1, 2900 Hellerup", "phone": "12 34 56 78"}
        assert entry.new == {"address": "Nyvej 2, 2820 Gentofte", "phone": ""}


def test_a_stale_citizen_version_answers_409_and_changes_nothing(as_role):
    caseworker = as_role("caseworker")
    citizen = _case(caseworker)["citizen"]
    path = f"/citizens/{citizen['id']}"
    assert caseworker.patch(path, {"version": 1, "phone": "11 11 11 11"})[0] == 200
    before = _rows()

    stale = as_role("head_of_unit").patch(path, {"version": 1, "address": "Gl. Vej 1"})

    assert_error(stale, 409, "conflict", "version")
    assert _rows() == before


def test_another_municipalitys_citizen_is_not_found_like_one_that_does_not_exist(as_role):
    citizen = _case(as_role("caseworker"))["citizen"]
    before = _rows()
    for role in ("caseworker", "therapist", "head_of_unit"):
        helsingoer = as_role(role, "helsingoer")
        body = {"version": 1, "address": "Falsk Vej 1"}
        found = assert_error(
            helsingoer.patch(f"/citizens/{citizen['id']}", body), 404, "not_found", None
        )
        ghost = assert_error(helsingoer.patch("/citizens/987654321", body), 404, "not_found", None)
        assert found["message"].replace(str(citizen["id"]), "<id>") == ghost["message"].replace(
            "987654321", "<id>"
        )
    assert _rows() == before


@pytest.mark.parametrize(
    ("role", "provider", "status"),
    [
        ("substance_consultant", None, 403),
        ("provider_staff", "kabs", 403),
        ("administrator", None, 404),
    ],
)
def test_a_role_that_may_not_change_a_citizen_is_refused(as_role, role, provider, status):
    citizen = _case(as_role("caseworker"), provider="kabs")["citizen"]
    before = _rows()
    answer = as_role(role, "gentofte", provider).patch(
        f"/citizens/{citizen['id']}", {"version": 1, "address": "Falsk Vej 1"}
    )
    assert_error(answer, status, {403: "forbidden", 404: "not_found"}[status], None)
    assert _rows() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"version": 1, "email": "ikke-en-adresse"}, "email"),
        ({"version": 1, "name": " "}, "name"),
        ({"version": 1, "phone": "1" * 31}, "phone"),
        ({"version": 1, "cpr": "0101801234"}, "cpr"),  # the CPR number is never changed
        ({"address": "Nyvej 2"}, "version"),
        ({"version": "en", "address": "Nyvej 2"}, "version"),
    ],
)
def test_bad_input_is_refused_naming_the_field(as_role, body, field):
    caseworker = as_role("caseworker")
    citizen = _case(caseworker)["citizen"]
    before = _rows()
    assert_error(caseworker.patch(f"/citizens/{citizen['id']}", body), 422, "invalid", field)
    assert _rows() == before


def test_an_anonymous_case_shows_no_citizen_and_no_change(as_role):
    kabs = as_role("provider_staff", "gentofte", "kabs")
    body = {
        "received_on": "2026-11-24",
        "channel": "walk_in",
        "anonymous": True,
        "pseudonym": "Ravn",
        "requested_offer": "anonym_ambulant",
    }
    status, case = kabs.post("/cases", body)
    assert status == 201, case
    assert "citizen" not in case and case["citizen_changes"] == []
