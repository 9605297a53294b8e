"""The OpenAPI document and its page are served, and describe every endpoint."""

import pytest


@pytest.mark.django_db
def test_openapi_document_lists_the_case_endpoints(client, tenants):
    from factories import staff

    client.force_login(staff("caseworker", "gentofte"))
    schema = client.get("/api/openapi.json").json()
    paths = set(schema["paths"])
    assert {"/api/cases", "/api/cases/{case_id}", "/api/due", "/api/audit"} <= paths
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert b"swagger-ui-bundle.js" in page.content and b"cdn" not in page.content.lower()
