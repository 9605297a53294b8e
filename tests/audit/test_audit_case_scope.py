"""The audit log of one case (`GET /api/audit?case_id=`, the viewer's `/log/?case=`) answers
404 for another municipality's case, as every other foreign id does, and writes nothing into
the reader's audit chain (issue 17, item 10). A case of the reader's own municipality that was
erased under the retention rules still shows its entries."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import Api
from factories import staff
from rusmiddel.audit.models import AuditEntry, Event
from rusmiddel.audit.services import audit_record
from rusmiddel.cases import services

NONEXISTENT = 987_654_321


def new_case(municipality: str) -> int:
    caseworker = staff("caseworker", municipality)
    case = services.case_create(
        actor=caseworker,
        received_on=dt.date(2026, 11, 24),
        channel="phone",
        citizen_cpr="0702921234",
        citizen_name="Mette Jensen",
    )
    return case.pk


@pytest.fixture
def foreign_case(tenants) -> int:
    return new_case("gentofte")


@pytest.mark.parametrize("role", ["head_of_unit", "administrator"])
def test_another_municipalitys_case_is_not_found_and_not_logged(tenants, foreign_case, role):
    # given a reader of Helsingør's log and a Gentofte case
    reader = Api(staff(role, "helsingoer"))
    entries = AuditEntry.objects.count()
    # when they ask for that case's log
    status, body = reader.get("/audit", case_id=foreign_case)
    # then it is not found, exactly as an id that does not exist, and nothing is logged
    assert status == 404 and body["error"]["code"] == "not_found", body
    ghost_status, ghost = reader.get("/audit", case_id=NONEXISTENT)
    assert ghost_status == 404
    assert body["error"]["message"].replace(str(foreign_case), "<id>") == ghost["error"][
        "message"
    ].replace(str(NONEXISTENT), "<id>")
    assert AuditEntry.objects.count() == entries
    helsingoer = tenants["helsingoer"].pk
    assert not AuditEntry.objects.filter(case_id=foreign_case, municipality_id=helsingoer)


def test_the_log_viewer_answers_404_too(tenants, foreign_case, client):
    client.force_login(staff("head_of_unit", "helsingoer"))
    entries = AuditEntry.objects.count()
    response = client.get(f"/log/?case={foreign_case}")
    assert response.status_code == 404
    assert AuditEntry.objects.count() == entries


def test_the_own_municipalitys_case_is_shown_and_the_read_logged(tenants):
    case_id = new_case("helsingoer")
    reader = Api(staff("head_of_unit", "helsingoer"))
    status, body = reader.get("/audit", case_id=case_id)
    assert status == 200 and {i["event"] for i in body["items"]} >= {"case_created"}
    read = AuditEntry.objects.filter(event=Event.AUDIT_READ).latest("pk")
    assert read.case_id == case_id and read.municipality_id == tenants["helsingoer"].pk


def test_an_erased_case_of_the_own_municipality_still_shows_its_entries(tenants):
    # given the entries of a case erased under the retention rules (the case row is gone)
    audit_record(
        actor=None,
        event=Event.CASE_ERASED,
        write=True,
        case_id=NONEXISTENT,
        municipality_id=tenants["helsingoer"].pk,
    )
    # then Helsingør's reader sees them, and Gentofte's does not
    status, body = Api(staff("administrator", "helsingoer")).get("/audit", case_id=NONEXISTENT)
    assert status == 200 and [i["event"] for i in body["items"]] == ["case_erased"]
    status, _ = Api(staff("administrator", "gentofte")).get("/audit", case_id=NONEXISTENT)
    assert status == 404
