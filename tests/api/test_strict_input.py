"""Strict types and sane bounds on every field of the API (issue 17, items 6 and 7): far dates,
lone surrogates, ids beyond 64 bits and bodies over 2.5 MB once answered 500 or Django's HTML
400; a yes/no as "yes", a date as a number, a time without its zone, a session of ten years
and a name of a megabyte were accepted. Each now answers 422 (413 for the body) with the API's
error naming the field, and writes nothing.

Given the populated world of tests/case_world.py, when a valid request of each kind is sent
with one value made loose or out of bounds, then the answer names that value's field and no
row, audit entry or case version changes. The controls: the same kinds of value inside the
bounds are accepted.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import pytest

from case_world import (
    ENDPOINT_CALLS,
    NOW,
    _version,
    assert_error,
    assert_unchanged,
    path_for,
    snapshot,
    world_fixture,  # noqa: F401 - the `world` fixture
)
from rusmiddel.cases import limits
from rusmiddel.cases.models import Case, Citizen

MUNICIPALITY = "gentofte"

CASES = ("POST", "/cases")
CONTACT = ("POST", "/cases/{case_id}/contacts")
ASSESSMENT = ("POST", "/cases/{case_id}/assessments")
DECISION = ("POST", "/cases/{case_id}/decisions")
COURSE = ("POST", "/cases/{case_id}/courses")
COMPLAINT = ("POST", "/cases/{case_id}/complaints")
REASSESS = ("POST", "/complaints/{complaint_id}/reassessment")
SESSION = ("POST", "/courses/{course_id}/sessions")
STATUS = ("POST", "/courses/{course_id}/status-reports")
SELF_PAYMENT = ("POST", "/courses/{course_id}/self-payment")
END = ("POST", "/courses/{course_id}/end")
FOLLOW_UP = ("POST", "/follow-ups/{follow_up_id}")
FIT = ("POST", "/sessions/{session_id}/fit")

NAMED = {
    "received_on": "2026-11-24",
    "channel": "digital_post",
    "citizen": {"cpr": "0702921234", "name": "Mette Jensen"},
}


def _unix(moment: str) -> int:
    return int(dt.datetime.fromisoformat(moment).timestamp())


def _body(endpoint, bundle, version: int, changes: dict[str, Any]) -> dict[str, Any]:
    """The valid body of `endpoint` with `changes` (a callable value is given the version)."""
    base = dict(NAMED) if endpoint == CASES else ENDPOINT_CALLS[endpoint].body(bundle, version)
    for key, value in changes.items():
        base[key] = value(version) if callable(value) else value
    return base


def _send(api, endpoint, bundle, changes: dict[str, Any]) -> tuple[int, Any]:
    body = _body(endpoint, bundle, _version(bundle.case_id), changes)
    return api.post(path_for(endpoint[1], ENDPOINT_CALLS[endpoint], bundle), body)


LOOSE: list[tuple[str, tuple[str, str], dict[str, Any], str]] = [
    # --- dates far out: once 500 where a deadline was computed from them --------------------
    ("received 9999-12-31", CASES, {"received_on": "9999-12-31"}, "received_on"),
    ("received 1899-12-31", CASES, {"received_on": "1899-12-31"}, "received_on"),
    ("contact 9999-12-31", CONTACT, {"received_on": "9999-12-31"}, "received_on"),
    ("evaluated 9999-12-31", ASSESSMENT, {"on": "9999-12-31"}, "on"),
    (
        "decided 9999-12-31, sent by post",
        DECISION,
        {"decided_on": "9999-12-31", "send_channel": "post"},
        "decided_on",
    ),
    ("course started 9999-12-31", COURSE, {"started_on": "9999-12-31"}, "started_on"),
    ("status report 9999-12-31", STATUS, {"submitted_on": "9999-12-31"}, "submitted_on"),
    ("course ended 9999-12-31", END, {"ended_on": "9999-12-31"}, "ended_on"),
    ("follow-up 9999-12-31", FOLLOW_UP, {"done_on": "9999-12-31"}, "done_on"),
    ("complaint 9999-12-31", COMPLAINT, {"received_on": "9999-12-31"}, "received_on"),
    (
        "session 9999-12-31, late in the day west of Greenwich",
        SESSION,
        {"starts_at": "9999-12-31T22:00:00-05:00", "ends_at": "9999-12-31T23:00:00-05:00"},
        "starts_at",
    ),
    # --- text no database can hold: once 500 on both databases --------------------------------
    ("lone surrogate in a note", CASES, {"note": "Ring efter kl. 12 \ud800"}, "note"),
    (
        "lone low surrogate in the name",
        CASES,
        {"citizen": {"cpr": "0702921234", "name": "Mette \udc00"}},
        "citizen.name",
    ),
    ("lone surrogate in a session note", SESSION, {"note": "\udfff"}, "note"),
    (
        "lone surrogate in the facts",
        ASSESSMENT,
        {"facts": {"wishes": {"requested_offer": "\ud83d"}}},
        "facts.wishes.requested_offer",
    ),
    # --- no length limits: a 1 MB name was accepted --------------------------------------------
    (
        "a name of a megabyte",
        CASES,
        {"citizen": {"cpr": "0702921234", "name": "x" * 1_000_000}},
        "citizen.name",
    ),
    (
        "a name of 201 characters",
        CASES,
        {"citizen": {"cpr": "0702921234", "name": "x" * (limits.NAME + 1)}},
        "citizen.name",
    ),
    (
        "an address of 301 characters",
        CASES,
        {"citizen": {"cpr": "0702921234", "name": "A", "address": "x" * 301}},
        "citizen.address",
    ),
    ("a note of 10,001 characters", CONTACT, {"note": "x" * (limits.TEXT + 1)}, "note"),
    ("a status of 10,001 characters", STATUS, {"text": "x" * (limits.TEXT + 1)}, "text"),
    ("an offer id of 61 characters", DECISION, {"offer": "x" * 61}, "offer"),
    # --- yes/no only as true or false: "yes" was read as true ------------------------------------
    ('anonymous as "yes"', CASES, {"anonymous": "yes"}, "anonymous"),
    ("wishes treatment as 1", CASES, {"wishes_treatment": 1}, "wishes_treatment"),
    ('reached as "true"', FOLLOW_UP, {"reached": "true"}, "reached"),
    ("upheld as 0", REASSESS, {"upheld": 0}, "upheld"),
    ('keeps rent as "false"', SELF_PAYMENT, {"keeps_rent": "false"}, "keeps_rent"),
    # --- a date only as the text ÅÅÅÅ-MM-DD, a time only with its zone -------------------------
    ("the integer 20261124 as a date", CASES, {"received_on": 20261124}, "received_on"),
    (
        "a date as a Unix time of midnight",
        CASES,
        {"received_on": _unix("2026-11-24T00:00:00+00:00")},
        "received_on",
    ),
    ("a date with a time", CASES, {"received_on": "2026-11-24T00:00:00"}, "received_on"),
    (
        "a session at a Unix time",
        SESSION,
        {"starts_at": _unix("2027-01-12T09:00:00+00:00")},
        "starts_at",
    ),
    (
        "a session without a time zone",
        SESSION,
        {"starts_at": "2027-01-12T10:00:00", "ends_at": "2027-01-12T11:00:00"},
        "starts_at",
    ),
    # --- a session lasts at most a day ---------------------------------------------------------
    ("a session of ten years", SESSION, {"ends_at": "2037-01-12T11:00:00+01:00"}, "ends_at"),
    ("a session of 25 hours", SESSION, {"ends_at": "2027-01-13T11:00:00+01:00"}, "ends_at"),
    # --- numbers: strict and within a database row ---------------------------------------------
    ("the version as text", CONTACT, {"version": str}, "version"),
    ("the version beyond 64 bits", CONTACT, {"version": 2**64}, "version"),
    ("a decision id beyond 64 bits", COURSE, {"decision_id": 2**64}, "decision_id"),
    ("a decision id of 0", COURSE, {"decision_id": 0}, "decision_id"),
    ("days as text", SELF_PAYMENT, {"days": "30"}, "days"),
    ("a million days", SELF_PAYMENT, {"days": 10**6}, "days"),
]


@pytest.mark.parametrize(
    ("endpoint", "changes", "field"), [pytest.param(*c[1:], id=c[0]) for c in LOOSE]
)
def test_loose_or_far_input_is_refused_naming_the_field(world, as_role, endpoint, changes, field):
    bundle = world.referred(MUNICIPALITY)
    therapist = as_role("therapist", MUNICIPALITY)
    version, citizens = _version(bundle.case_id), Citizen.objects.count()
    before = snapshot()

    answer = _send(therapist, endpoint, bundle, changes)

    assert_error(answer, 422, "invalid", field)
    assert_unchanged(before, snapshot())
    assert _version(bundle.case_id) == version and Citizen.objects.count() == citizens


@pytest.mark.parametrize(
    ("items", "field"),
    [([True, 5, 5, 5], "items.0"), ([5, float("nan"), 5, 5], "items.1"), (["5"] * 21, "items")],
    ids=["a score as true", "a score as NaN", "21 scores"],
)
def test_fit_scores_are_numbers_and_few(world, as_role, items, field):
    bundle = world.referred("helsingoer")  # its standard has the FIT instruments
    therapist = as_role("therapist", "helsingoer")
    before = snapshot()
    assert_error(_send(therapist, FIT, bundle, {"items": items}), 422, "invalid", field)
    assert_unchanged(before, snapshot())


@pytest.mark.parametrize(
    ("role", "path", "params", "field"),
    [
        ("caseworker", "/due", {"caseworker_id": 2**64}, "caseworker_id"),
        ("caseworker", "/due", {"caseworker_id": -1}, "caseworker_id"),
        ("caseworker", "/cases", {"after": 2**64}, "after"),
        ("caseworker", "/cases", {"status": "x" * 61}, "status"),
        ("head_of_unit", "/audit", {"case_id": 2**64}, "case_id"),
        ("head_of_unit", "/audit", {"after": 2**64}, "after"),
    ],
    ids=["caseworker beyond 64 bits", "negative caseworker", "after", "status", "case", "audit"],
)
def test_query_parameters_are_bounded(world, as_role, role, path, params, field):
    """caseworker_id beyond 64 bits once answered 500 on SQLite."""
    api = as_role(role, MUNICIPALITY)
    before = snapshot()
    assert_error(api.get(path, **params), 422, "invalid", field)
    assert_unchanged(before, snapshot())


def test_a_lone_surrogate_in_a_query_parameter_is_named(world, as_role):
    """A client can have its query string decoded with another charset (the request's
    Content-Type says which); `unicode_escape` turns \\ud800 into a lone surrogate."""
    caseworker = as_role("caseworker", MUNICIPALITY)
    response = caseworker.client.get(
        "/api/cases",
        QUERY_STRING="status=a%5Cud800",
        CONTENT_TYPE="text/plain; charset=unicode_escape",
    )
    assert_error((response.status_code, response.json()), 422, "invalid", "status")


@pytest.mark.parametrize("content_type", ["application/json", "text/plain"])
def test_a_body_over_the_limit_gets_the_apis_json_error(world, as_role, settings, content_type):
    """Once Django's HTML 400; now 413 with the API's error, whatever the content type."""
    caseworker = as_role("caseworker", MUNICIPALITY)
    body = json.dumps({**NAMED, "note": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE})
    before = snapshot()

    response = caseworker.client.post("/api/cases", body, content_type=content_type)

    assert response["Content-Type"] == "application/json"
    assert_error((response.status_code, response.json()), 413, "too_large", "body")
    assert "2,5 MB" in response.json()["error"]["message"]
    assert_unchanged(before, snapshot())


def test_a_surrogate_in_a_body_of_another_content_type_is_named(world, as_role):
    """The API reads every body as JSON, so the check does too (NUL included)."""
    caseworker = as_role("caseworker", MUNICIPALITY)
    for text in ("a\ud800", "a\x00"):
        body = json.dumps({**NAMED, "note": text})
        response = caseworker.client.post("/api/cases", body, content_type="text/plain")
        assert_error((response.status_code, response.json()), 422, "invalid", "note")
    assert not Case.objects.filter(contacts__note__startswith="a").exists()


# --- the controls: inside the bounds is accepted ----------------------------------------------

ACCEPTED: list[tuple[str, tuple[str, str], dict[str, Any]]] = [
    (
        "a surrogate pair (an emoji) in the name",
        CASES,
        {"citizen": {"cpr": "0702921234", "name": "Mette 😀"}},
    ),
    ("a name of 200 characters", CASES, {"citizen": {"cpr": "0702921234", "name": "x" * 200}}),
    # (a far date ahead is refused: no contact is received after today)
    ("received today", CASES, {"received_on": NOW.date().isoformat()}),
    ("a note of 10,000 characters", CONTACT, {"note": "x" * limits.TEXT}),
    (
        "a session in UTC with fractions of a second",
        SESSION,
        {"starts_at": "2027-01-12T09:00:00Z", "ends_at": "2027-01-12T10:00:00.5+00:00"},
    ),
    (
        "a session of 24 hours",
        SESSION,
        {"starts_at": "2027-01-12T10:00:00+01:00", "ends_at": "2027-01-13T10:00:00+01:00"},
    ),
    ("a follow-up reached: true", FOLLOW_UP, {"reached": True}),
    ("income as text", SELF_PAYMENT, {"monthly_income_dkk": "21500.50"}),
]


@pytest.mark.parametrize(("endpoint", "changes"), [pytest.param(*c[1:], id=c[0]) for c in ACCEPTED])
def test_input_inside_the_bounds_is_accepted(world, as_role, endpoint, changes):
    bundle = world.referred(MUNICIPALITY)
    therapist = as_role("therapist", MUNICIPALITY)
    status, answer = _send(therapist, endpoint, bundle, changes)
    assert status in (200, 201), answer
    if "citizen" in changes:
        assert answer["citizen"]["name"] == changes["citizen"]["name"]


def test_a_letter_to_a_name_of_the_longest_length_renders_quickly(world, as_role):
    """A 1 MB name once took 8.6 s to render as the contact receipt; the longest name now
    accepted renders like any other."""
    from rusmiddel.letters.models import Letter

    caseworker = as_role("caseworker", MUNICIPALITY)
    started = time.perf_counter()
    status, case = caseworker.post(
        "/cases", {**NAMED, "citizen": {"cpr": "0702921234", "name": "Æ" * limits.NAME}}
    )
    elapsed = time.perf_counter() - started
    assert status == 201, case
    assert Letter.objects.filter(case_id=case["id"], kind="contact_receipt").exists()
    assert elapsed < 5, f"{elapsed:.1f} s"


@pytest.mark.parametrize("text", ["a\ud800", "\udfffb", "a\x00b"])
def test_the_text_types_refuse_what_no_database_can_hold_on_their_own(text):
    """The check at the door refuses it before the schemas; the types refuse it as well, so
    they stay whole wherever they are used."""
    from pydantic import ValidationError

    from rusmiddel.api import schemas

    with pytest.raises(ValidationError) as refused:
        schemas.CaseCreateIn.model_validate({**NAMED, "note": text})
    (error,) = refused.value.errors()
    assert error["loc"] == ("note",)  # pydantic-core refuses lone surrogates in str itself
    assert error["type"] in ("unstorable", "string_unicode")
    assert schemas.CaseCreateIn.model_validate({**NAMED, "note": "Godt 😀"}).note == "Godt 😀"
