"""Om Rusmiddel (/om/): the staff layout with nothing behind it, the benchmark's floor."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from factories import staff

pytestmark = pytest.mark.django_db


def test_about_needs_a_login(client):
    response = client.get("/om/")
    assert response.status_code == 302
    assert response["Location"].startswith("/log-ind/")


def test_about_shows_the_version_role_and_municipality(tenants):
    client = Client()
    client.force_login(staff("head_of_unit", "helsingoer"))
    page = client.get("/om/").content.decode()
    assert "<h1>Om Rusmiddel</h1>" in page
    assert "Leder" in page and "Helsingør Kommune" in page
    assert "0.1.0" in page


def test_about_reads_no_personal_data(tenants):
    """Session, user and staff profile only: a floor must not grow with the data."""
    client = Client()
    client.force_login(staff("caseworker"))
    client.get("/om/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/om/").status_code == 200
    tables = " ".join(q["sql"] for q in queries.captured_queries)
    assert "cases_" not in tables and "audit_" not in tables
