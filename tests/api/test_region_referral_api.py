"""The JSON API for integrated treatment in the regional psychiatry (SUL § 82 c): refer
(`POST /cases/{id}/region-referral`), record the region's receipt (`…/acceptance`), and the
referral, the region's 14 days and the guarantees handed over on the case. See
tests/cases/test_region_referral.py for the rules; here the API's answers and errors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from case_world import FACTS
from rusmiddel.api.api import api as ninja_api
from rusmiddel.cases.models import Case

DUAL = {**FACTS["gentofte"], "health": {"psychiatric_disorder": "requires_treatment"}}
REGION = "Psykiatrisk Center Nordsjælland"


def version(case_id: int) -> int:
    return Case.objects.values_list("version", flat=True).get(pk=case_id)


@pytest.fixture
def worker(as_role):
    return as_role("caseworker", "gentofte")


@pytest.fixture
def case_id(worker) -> int:
    """A Gentofte case asking for the doctor's consultation (SUL § 142), assessed with a
    mental illness that requires treatment and a substance problem."""
    status, case = worker.post(
        "/cases",
        {
            "received_on": "2026-11-02",
            "channel": "phone",
            "citizen": {"cpr": "0702921234", "name": "Mette Jensen"},
            "requested_offer": "laegesamtale",
        },
    )
    assert status == 201, case
    status, evaluation = worker.post(
        f"/cases/{case['id']}/assessments",
        {"version": case["version"], "facts": DUAL, "on": "2026-11-02"},
    )
    assert status == 201, evaluation
    assert "refer_integrated_treatment" in [a["id"] for a in evaluation["actions"]]
    return case["id"]


def test_refer_then_record_the_regions_receipt(worker, case_id):
    # when the caseworker refers
    status, body = worker.post(
        f"/cases/{case_id}/region-referral",
        {"version": version(case_id), "referred_on": "2026-11-10", "region": REGION},
    )
    # then the referral with the region's 14 days, nothing handed over yet
    assert status == 201, body
    assert body == {
        "case_id": case_id,
        "case_version": version(case_id),
        "referred_on": "2026-11-10",
        "region": REGION,
        "note": "",
        "accepted_on": None,
        "region_start_by": "2026-11-24",
        "handed_over": [],
    }
    status, case = worker.get(f"/cases/{case_id}")
    assert case["region_referral"]["referred_on"] == "2026-11-10"
    [guarantee] = case["deadlines"]
    assert (guarantee["met_on"], guarantee["closed_reason"]) == (None, None)

    # when the region has received the citizen
    status, body = worker.post(
        f"/cases/{case_id}/region-referral/acceptance",
        {"version": version(case_id), "accepted_on": "2026-11-13"},
    )
    # then the SUL § 142 guarantee is handed over, with the reason
    assert status == 200, body
    assert body["accepted_on"] == "2026-11-13"
    [handed] = body["handed_over"]
    assert handed["deadline_id"] == guarantee["id"]
    assert (handed["due_on"], handed["closed_on"]) == ("2026-11-16", "2026-11-13")
    assert "sundhedslovens §§ 141 og 142 gælder ikke længere" in handed["closed_reason"]
    status, case = worker.get(f"/cases/{case_id}")
    assert case["region_referral"] == {**body, "case_version": case["version"]}
    [guarantee] = case["deadlines"]
    assert guarantee["met_on"] == "2026-11-13"
    assert guarantee["closed_reason"] == handed["closed_reason"]


def test_a_case_without_a_referral_says_null(worker, case_id):
    assert worker.get(f"/cases/{case_id}")[1]["region_referral"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"referred_on": "tomorrow", "region": REGION}, "referred_on"),
        ({"referred_on": "2024-08-31", "region": REGION}, "referred_on"),
        ({"referred_on": "2026-11-10", "region": " "}, "region"),
        ({"referred_on": "10.11.2026", "region": REGION}, "referred_on"),  # the schema's
        ({"referred_on": "2026-11-10"}, "region"),
        ({"referred_on": "2026-11-10", "region": REGION, "unit": "x"}, "unit"),
    ],
)
def test_a_referral_that_cannot_be_answers_422_naming_the_field(worker, case_id, body, field):
    if body["referred_on"] == "tomorrow":
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        body = {**body, "referred_on": tomorrow.isoformat()}
    before = version(case_id)
    status, answer = worker.post(f"/cases/{case_id}/region-referral", {"version": before, **body})
    assert status == 422, answer
    assert answer["error"]["field"] == field
    assert answer["error"]["message"]
    assert version(case_id) == before


def test_the_receipt_before_a_referral_a_stale_version_and_a_role_that_may_not(
    worker, case_id, as_role
):
    status, answer = worker.post(
        f"/cases/{case_id}/region-referral/acceptance",
        {"version": version(case_id), "accepted_on": "2026-11-13"},
    )
    assert (status, answer["error"]["field"]) == (422, "accepted_on")
    status, answer = worker.post(
        f"/cases/{case_id}/region-referral",
        {"version": version(case_id) - 1, "referred_on": "2026-11-10", "region": REGION},
    )
    assert (status, answer["error"]["code"]) == (409, "conflict")
    head = as_role("head_of_unit", "gentofte")
    status, answer = head.post(
        f"/cases/{case_id}/region-referral",
        {"version": version(case_id), "referred_on": "2026-11-10", "region": REGION},
    )
    assert (status, answer["error"]["code"]) == (403, "forbidden")
    other = as_role("caseworker", "helsingoer")
    status, answer = other.post(
        f"/cases/{case_id}/region-referral",
        {"version": version(case_id), "referred_on": "2026-11-10", "region": REGION},
    )
    assert (status, answer["error"]["code"]) == (404, "not_found")


def test_the_openapi_document_gives_both_answers_a_schema():
    paths = ninja_api.get_openapi_schema(path_prefix="/api")["paths"]
    for path, status in (
        ("/api/cases/{case_id}/region-referral", "201"),
        ("/api/cases/{case_id}/region-referral/acceptance", "200"),
    ):
        responses = {str(code): r for code, r in paths[path]["post"]["responses"].items()}
        answer = responses[status]["content"]["application/json"]
        assert answer["schema"] == {"$ref": "#/components/schemas/RegionReferralOut"}
