"""Schemathesis over the API's own OpenAPI document: every operation, with requests generated
from its schema (bounded, seeded), sent through Django's WSGI application with the bearer token
of a therapist in a populated world (tests/case_world.py). No answer may be a server error,
and every answer must conform to what the schema documents.

Half the generated path ids are replaced by the id of a real row of the therapist's own
municipality (a case, a course, a session …), so the generated bodies reach the services and
not only the 404 of an unknown id. Every request runs in a savepoint that is rolled back, so
each one meets the world as it was built.
"""

from __future__ import annotations

import os
import re

import hypothesis.strategies as st
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from case_world import world_fixture  # noqa: F401 - the `world` fixture
from factories import staff
from rusmiddel.accounts.services import api_token_issue
from rusmiddel.api.api import api

#: RUSMIDDEL_FUZZ_DEEP=1 for a longer hunt by hand: more examples, and schemathesis' coverage
#: phase (boundary values and negative cases of every parameter) on top.
DEEP = os.environ.get("RUSMIDDEL_FUZZ_DEEP") == "1"
MAX_EXAMPLES = 150 if DEEP else 25  # per operation: 32 × 25 = 800 requests, under a minute
SEED = 20261201  # the same examples on every run: a failure in CI reproduces locally

CONFIG = schemathesis.config.SchemathesisConfig.from_dict(
    {
        "seed": SEED,
        "phases": {"examples": {"enabled": False}, "coverage": {"enabled": DEEP}},
        "generation": {"max-examples": MAX_EXAMPLES},
    }
)
schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api"), config=CONFIG)
# the schema's document and its page are not operations of the API
schema = schema.exclude(path_regex=r"^/api/(openapi\.json|docs)$")

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
#: The status of every answer, per operation (the figures the report gives).
SENT: dict[str, list[int]] = {}


@pytest.fixture(scope="module")
def app():
    """Django's own WSGI handler, without the signal that would close the test's connection
    at the end of each request (Django's test client disconnects it the same way)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def token(world, django_db_blocker):
    with django_db_blocker.unblock():
        therapist = staff("therapist", "helsingoer")
        return api_token_issue(user=therapist, name="schemathesis")[1]


def _real_id(world, name: str) -> int:
    bundle = world.referred("helsingoer")
    return getattr(bundle, name)


@schema.parametrize()
@schema.given(data=st.data())
# the world is module-scoped and every request rolls back its own savepoint: the function-scoped
# `db` fixture only opens the transaction they run in
@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_api_never_answers_with_a_server_error(case, data, world, token, app, db):
    for name in list(case.path_parameters or {}):
        if re.fullmatch(r"\w+_id", name) and data.draw(st.booleans(), label=f"real {name}"):
            case.path_parameters[name] = _real_id(world, name)
    with transaction.atomic():
        response = case.call(app=app, headers={"Authorization": f"Bearer {token}"})
        transaction.set_rollback(True)
    SENT.setdefault(case.operation.label, []).append(response.status_code)
    case.validate_response(response, checks=CHECKS)


def test_every_operation_was_fuzzed_and_some_requests_succeeded():
    """The control (runs after the fuzzing above): every operation got requests, and enough of
    them got through validation to the services for the fuzzing to mean something."""
    if not SENT:
        pytest.skip("run together with the fuzzing above")
    operations = {result.ok().label for result in schema.get_all_operations()}
    assert set(SENT) == operations
    statuses = [s for answers in SENT.values() for s in answers]
    ok = sum(200 <= s < 300 for s in statuses)
    print(f"schemathesis: {len(statuses)} requests, {ok} 2xx, over {len(SENT)} operations")
    assert ok >= len(SENT)
