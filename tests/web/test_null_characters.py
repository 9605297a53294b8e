"""Text holding NUL (0x00) is bad input, refused before any query: PostgreSQL cannot store or
compare such text, so it once ended as a server error on GET /api/cases?status=… (found by
schemathesis in CI)."""

from __future__ import annotations

import json

import pytest

from rusmiddel.cases.models import Case


@pytest.mark.django_db
def test_a_query_parameter_with_nul_answers_422_naming_it_on_the_api(client):
    answer = client.get("/api/cases", {"status": "open\x00", "limit": 5})
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["field"] == "status" and error["code"] == "invalid"
    assert "NUL" in error["message"]


@pytest.mark.django_db
def test_a_json_field_with_nul_answers_422_naming_its_path_and_writes_nothing(client):
    body = {"received_on": "2026-11-24", "citizen": {"cpr": "0702921234", "name": "Mette\x00"}}
    answer = client.post("/api/cases", json.dumps(body), content_type="application/json")
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == "citizen.name"
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_nul_in_a_list_item_is_named_by_its_index(client):
    body = {"items": [{"text": "ok"}, {"text": "a\x00b"}]}
    answer = client.post("/api/cases", json.dumps(body), content_type="application/json")
    assert answer.json()["error"]["field"] == "items.1.text"


@pytest.mark.django_db
def test_a_page_with_nul_in_its_query_answers_400_in_danish(client):
    answer = client.get("/sager/", {"q": "ab\x00"})
    assert answer.status_code == 400
    assert "Feltet »q« indeholder et ugyldigt tegn" in answer.content.decode()


@pytest.mark.django_db
def test_clean_input_passes_through(client):
    assert client.get("/api/cases", {"status": "open"}).status_code == 401  # on to the API auth
