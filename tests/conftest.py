"""Fixtures shared across the suite: tenants from the standard files, staff, API clients."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from factories import staff
from support import TODAY


@pytest.fixture
def tenants(db):
    from rusmiddel.accounts.services import tenants_sync

    return {m.slug: m for m in tenants_sync(on=TODAY)}


class Api:
    """A logged-in JSON client: `api.post(path, body)` answers (status, json)."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self.client = Client()
        self.client.force_login(user)

    def _answer(self, response) -> tuple[int, Any]:
        body = json.loads(response.content) if response.content else None
        return response.status_code, body

    def get(self, path: str, **params: Any) -> tuple[int, Any]:
        return self._answer(self.client.get(f"/api{path}", params))

    def post(self, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        return self._answer(
            self.client.post(f"/api{path}", json.dumps(body), content_type="application/json")
        )

    def patch(self, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        return self._answer(
            self.client.patch(f"/api{path}", json.dumps(body), content_type="application/json")
        )


@pytest.fixture
def as_role(tenants):
    """`as_role("caseworker", "gentofte")` → an Api client for a new user in that role."""

    def make(role: str, municipality: str = "gentofte", provider: str | None = None) -> Api:
        return Api(staff(role, municipality, provider))

    return make
