"""Hypothesis aims at the API's bounds (issue 17): into a valid request of every write it puts
one value no field may take — text with a lone surrogate, text longer than any field, an
integer beyond 64 bits, a number that is not finite; for a date a far one, a number or a time;
for a time one without its zone or in a far year; for a yes/no anything but true and false —
and checks the answer is 422 naming that field, and that nothing was written. The read
endpoints get the same kinds of query parameter and never answer with a server error.

Schemathesis (tests/api/test_schemathesis.py) generates from the schema and so mostly inside
it; these strategies stand just outside it. Bounded and seeded: about 20 s, the same examples
on every run.
"""

from __future__ import annotations

import datetime as dt
import json
import math

import hypothesis.strategies as st
import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings

from case_world import (
    ENDPOINT_CALLS,
    _version,
    path_for,
    world_fixture,  # noqa: F401 - the `world` fixture
)
from rusmiddel.audit.models import AuditEntry
from rusmiddel.cases import limits
from rusmiddel.cases.models import Case

FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,  # the same examples on every run: a failure in CI reproduces locally
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

CASES = ("POST", "/cases")
NAMED = {
    "received_on": "2026-11-24",
    "channel": "digital_post",
    "citizen": {"cpr": "0702921234", "name": "Mette Jensen", "address": "Vej 1"},
}
#: Every write with a body of fields (the token has its own tests; the retry takes `{}`).
WRITES = sorted(
    e
    for e, call in ENDPOINT_CALLS.items()
    if e[0] == "POST" and call.body is not None and e != ("POST", "/letters/{letter_id}/retry")
)
BOOLEANS = {"wishes_treatment", "anonymous", "keeps_rent", "reached", "upheld"}

# --- values no field may take ---------------------------------------------------------------------

lone_surrogate = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
with_surrogate = st.tuples(st.text(max_size=20), lone_surrogate, st.text(max_size=20)).map("".join)
too_long = st.tuples(st.text(min_size=1, max_size=8), st.integers(0, 40_000)).map(
    lambda t: t[0] * (limits.TEXT // len(t[0]) + 1) + "x" * t[1]
)
beyond_64_bits = st.one_of(st.integers(min_value=2**63), st.integers(max_value=-(2**63) - 1))
not_finite = st.sampled_from([math.nan, math.inf, -math.inf])
never_valid = st.one_of(with_surrogate, too_long, beyond_64_bits, not_finite)

far_day = st.one_of(
    st.dates(max_value=limits.FIRST_DAY - dt.timedelta(days=1)),
    st.dates(min_value=limits.LAST_DAY + dt.timedelta(days=1)),
)
bad_date = st.one_of(
    far_day.map(dt.date.isoformat),
    st.integers(),  # a number is not a date (pydantic's lax mode read it as a Unix time)
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1)).map(
        dt.datetime.isoformat
    ),
)
bad_moment = st.one_of(
    # without a time zone
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1)).map(
        lambda d: d.isoformat(timespec="seconds")
    ),
    # in a far year, with one
    st.builds(dt.datetime.combine, far_day, st.times(), st.just(dt.UTC)).map(
        lambda d: d.isoformat(timespec="seconds")
    ),
    st.integers(),
)
not_a_boolean = st.one_of(
    st.sampled_from(["yes", "no", "true", "false", "1", "0", "", "ja"]),
    st.integers(),
    st.floats(allow_nan=False),
    st.none(),
)


def bad_value_for(key: str) -> st.SearchStrategy:
    if key in BOOLEANS:
        return st.one_of(never_valid, not_a_boolean)
    if key == "on" or key.endswith("_on"):
        return st.one_of(never_valid, bad_date)
    if key.endswith("_at"):
        return st.one_of(never_valid, bad_moment)
    return never_valid


@st.composite
def loose_requests(draw, bundle_for):
    """(endpoint, body with one bad value, the field the answer must name)."""
    endpoint = draw(st.sampled_from(WRITES), label="endpoint")
    bundle = bundle_for(endpoint)
    version = _version(bundle.case_id)
    body = dict(NAMED) if endpoint == CASES else ENDPOINT_CALLS[endpoint].body(bundle, version)
    body = {**body, "citizen": dict(body["citizen"])} if "citizen" in body else body
    keys = sorted(body) + [f"citizen.{k}" for k in sorted(body.get("citizen", {}))]
    key = draw(st.sampled_from(keys), label="key")
    value = draw(bad_value_for(key.split(".")[-1]), label="value")
    if "." in key:
        body["citizen"][key.split(".")[1]] = value
    else:
        body[key] = value
    return endpoint, bundle, body, key


def _written() -> tuple[int, int]:
    return AuditEntry.objects.filter(write=True).count(), Case.objects.count()


@pytest.fixture
def api_for(as_role):
    """One logged-in client per role for all of a test's examples."""
    made = {}

    def get(role: str, municipality: str):
        if (role, municipality) not in made:
            made[(role, municipality)] = as_role(role, municipality)
        return made[(role, municipality)]

    return get


@FUZZ
@given(data=st.data())
def test_a_value_out_of_bounds_is_refused_naming_its_field(world, api_for, data, db):
    helsingoer = world.referred("helsingoer")  # its standard has FIT and group calendars
    therapist = api_for("therapist", "helsingoer")
    endpoint, bundle, body, key = data.draw(loose_requests(lambda e: helsingoer))
    url = "/api" + path_for(endpoint[1], ENDPOINT_CALLS[endpoint], bundle)
    with transaction.atomic():
        version, before = _version(bundle.case_id), _written()
        response = therapist.client.post(url, json.dumps(body), content_type="application/json")
        answer = response.json()
        after = _version(bundle.case_id), _written()
        transaction.set_rollback(True)
    assert response.status_code == 422, (endpoint, key, answer)
    field = answer["error"]["field"]
    assert field == key or field.startswith((f"{key}.", f"{key}[")), (endpoint, key, answer)
    assert after == (version, before), "a refused request wrote something"


QUERIES = {
    ("caseworker", "/due"): ["days", "caseworker_id", "provider", "after", "limit"],
    ("caseworker", "/cases"): ["after", "limit", "status"],
    ("head_of_unit", "/audit"): ["case_id", "after"],
}
query_value = st.one_of(
    beyond_64_bits,
    st.integers(),
    too_long,
    st.text(st.characters(blacklist_categories=["Cs"]), max_size=30),
    far_day.map(lambda d: f"{d.isoformat()}.{2**70}"),
)


@settings(FUZZ, max_examples=60)
@given(data=st.data())
def test_the_read_endpoints_never_answer_with_a_server_error(world, api_for, data, db):
    role, path = data.draw(st.sampled_from(sorted(QUERIES)), label="endpoint")
    names = data.draw(st.sets(st.sampled_from(QUERIES[(role, path)]), min_size=1), label="names")
    params = {name: data.draw(query_value, label=name) for name in sorted(names)}
    api = api_for(role, "gentofte")
    with transaction.atomic():
        status, answer = api.get(path, **params)
        transaction.set_rollback(True)
    assert status in (200, 422), (path, params, answer)
    if status == 422:
        assert answer["error"]["field"] in names, (params, answer)


def _is_surrogate(c: str) -> bool:
    return 0xD800 <= ord(c) <= 0xDFFF


def _naive_or_far(value: object) -> bool:
    if not isinstance(value, str):
        return isinstance(value, int)
    moment = dt.datetime.fromisoformat(value)
    return moment.tzinfo is None or not limits.day_in_range(moment)


@pytest.mark.parametrize(
    ("strategy", "outside"),
    [
        (far_day, lambda d: not limits.day_in_range(d)),
        (bad_moment, _naive_or_far),
        (with_surrogate, lambda t: any(map(_is_surrogate, t))),
        (too_long, lambda t: len(t) > limits.TEXT),
    ],
    ids=["far day", "time", "surrogate", "too long"],
)
def test_the_strategies_stand_outside_the_bounds(strategy, outside):
    """The control: what the fuzzing sends is out of bounds by construction."""

    @settings(FUZZ, max_examples=30)
    @given(strategy)
    def check(value):
        assert outside(value), value

    check()
