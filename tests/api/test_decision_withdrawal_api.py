"""POST /api/decisions/{decision_id}/withdrawal and /correction: the answers, the case as the
API shows it afterwards, and the refusals (a stale version, a role that may not decide, another
municipality's decision, no reason, a course resting on the decision)."""

from __future__ import annotations

import datetime as dt

import pytest

from factories import START_KEY_FACTS, granted_waiting
from rusmiddel.api.api import api
from rusmiddel.cases.models import Case

pytestmark = pytest.mark.django_db

CONTACT = dt.date(2026, 11, 24)
REASON = "Afgørelsen byggede på en forkert oplysning."


@pytest.fixture
def caseworker(as_role):
    return as_role("caseworker", "gentofte")


@pytest.fixture
def decision(caseworker):
    _, decision = granted_waiting(
        caseworker.user, cpr="0702921234", offer="ambulant", contact_on=CONTACT, provider="kabs"
    )
    return decision


def _v(decision) -> int:
    return Case.objects.values_list("version", flat=True).get(pk=decision.case_id)


def _withdraw(client, decision, **body):
    return client.post(
        f"/decisions/{decision.pk}/withdrawal",
        {"version": _v(decision), "reason": REASON, "withdrawn_on": "2026-12-01", **body},
    )


def _correct(client, decision, **body):
    return client.post(
        f"/decisions/{decision.pk}/correction",
        {"version": _v(decision), "reason": REASON, "decided_on": "2026-12-01", **body},
    )


def test_withdrawal_answers_the_withdrawn_decision_and_the_case_shows_it(caseworker, decision):
    status, body = _withdraw(caseworker, decision)
    assert status == 200, body
    assert body["id"] == decision.pk and body["status"] == "withdrawn"
    assert body["withdrawn_on"] == "2026-12-01" and body["withdrawal_reason"] == REASON
    assert body["withdrawal_complaint_deadline"] == "2026-12-29"
    assert body["replaced_by_id"] is None and body["replaces_id"] is None
    status, case = caseworker.get(f"/cases/{decision.case_id}")
    [shown] = case["decisions"]
    assert shown["status"] == "withdrawn" and case["status"] == "assessment"
    status, letters = caseworker.get(f"/cases/{decision.case_id}/letters")
    assert "decision_withdrawal" in {item["kind"] for item in letters["items"]}
    # no course starts on it
    status, refused = caseworker.post(
        f"/cases/{decision.case_id}/courses",
        {
            "version": case["version"],
            "started_on": "2026-12-02",
            "decision_id": decision.pk,
            **START_KEY_FACTS,
        },
    )
    assert status == 422 and refused["error"]["field"] == "decision_id", refused


def test_correction_answers_the_new_decision_pointing_to_the_old(caseworker, decision):
    status, body = _correct(caseworker, decision, outcome="refused", send_channel="post")
    assert status == 201, body
    assert body["id"] != decision.pk and body["replaces_id"] == decision.pk
    assert (body["status"], body["outcome"], body["decided_on"]) == (
        "active",
        "refused",
        "2026-12-01",
    )
    assert body["complaint_deadline"] == "2027-01-06"  # received 9 December, four weeks on
    status, case = caseworker.get(f"/cases/{decision.case_id}")
    by_id = {d["id"]: d for d in case["decisions"]}
    assert by_id[decision.pk]["status"] == "corrected"
    assert by_id[decision.pk]["replaced_by_id"] == body["id"]
    assert by_id[body["id"]]["replaces_id"] == decision.pk


def test_refusals(as_role, caseworker, decision):
    status, body = _withdraw(caseworker, decision, version=_v(decision) - 1)
    assert (status, body["error"]["code"], body["error"]["field"]) == (409, "conflict", "version")
    status, body = _correct(as_role("substance_consultant", "gentofte"), decision)
    assert (status, body["error"]["code"]) == (403, "forbidden")
    status, body = _withdraw(as_role("provider_staff", "gentofte", "kabs"), decision)
    assert (status, body["error"]["code"]) == (403, "forbidden")
    status, body = _withdraw(as_role("caseworker", "helsingoer"), decision)
    assert (status, body["error"]["code"]) == (404, "not_found")
    status, body = _correct(caseworker, decision, reason="")
    assert (status, body["error"]["field"]) == (422, "reason")
    status, body = caseworker.post(
        f"/decisions/{decision.pk}/withdrawal", {"version": _v(decision)}
    )
    assert (status, body["error"]["field"]) == (422, "reason")
    status, case = caseworker.get(f"/cases/{decision.case_id}")
    assert case["decisions"][0]["status"] == "active"


def test_withdrawal_is_refused_while_a_course_rests_on_the_decision(caseworker, decision):
    status, course = caseworker.post(
        f"/cases/{decision.case_id}/courses",
        {
            "version": _v(decision),
            "started_on": "2026-12-02",
            "decision_id": decision.pk,
            **START_KEY_FACTS,
        },
    )
    assert status == 201, course
    status, body = _withdraw(caseworker, decision, withdrawn_on="2026-12-03")
    assert (status, body["error"]["field"]) == (422, "decision_id")
    assert "Ambulant behandling (startet 02.12.2026)" in body["error"]["message"]


def test_the_answers_are_documented():
    document = api.get_openapi_schema(path_prefix="/api")
    paths, schemas = document["paths"], document["components"]["schemas"]
    for path, code in (("withdrawal", "200"), ("correction", "201")):
        operation = paths[f"/api/decisions/{{decision_id}}/{path}"]["post"]
        responses = {str(k): v for k, v in operation["responses"].items()}
        schema = responses[code]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/DecisionOut"}
        body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        assert "reason" in schemas[body.rsplit("/", 1)[1]]["required"]
