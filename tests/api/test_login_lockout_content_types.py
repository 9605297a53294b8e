"""POST /api/auth/token counts every failed attempt towards the lockout, whatever the request's
content type and whether or not its body can be read (issue 17, item 2).

A JSON body sent as `multipart/form-data` without a boundary once made axes fail while
recording the wrong password (it read the body as a form), so nothing was counted: twenty
wrong guesses, then the right password got a token."""

from __future__ import annotations

import json

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client

from factories import PASSWORD, staff
from rusmiddel.accounts.models import ApiToken

LIMIT = settings.AXES_FAILURE_LIMIT
IP = "192.0.2.1"


@pytest.fixture
def user(tenants):
    return staff("caseworker")


def post(body: str | bytes, content_type: str, ip: str = IP):
    return Client().post("/api/auth/token", body, content_type=content_type, REMOTE_ADDR=ip)


def login(username: str, password: str) -> str:
    return json.dumps({"username": username, "password": password})


def failures(username: str | None, ip: str = IP) -> int:
    attempt = AccessAttempt.objects.filter(username=username, ip_address=ip).first()
    return attempt.failures_since_start if attempt else 0


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) == {"code", "field", "message"} and error["message"]
    return error


def test_twenty_wrong_guesses_as_multipart_without_a_boundary_lock_the_user_out(user):
    # given twenty wrong passwords in a JSON body labelled multipart/form-data, no boundary
    for attempt in range(1, 21):
        response = post(login(user.username, "wrong-password"), "multipart/form-data")
        # then each is a JSON refusal that counts, until the pair is locked out
        if attempt < LIMIT:
            assert assert_json_error(response, 422)["field"] == "password"
        else:
            assert assert_json_error(response, 429)["code"] == "locked_out"
    # when the right password follows, in either content type
    for content_type in ("multipart/form-data", "application/json"):
        response = post(login(user.username, PASSWORD), content_type)
        # then it is refused all the same, and no token was ever issued
        assert assert_json_error(response, 429)["code"] == "locked_out"
    assert not ApiToken.objects.filter(user=user).exists()


@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/form-data",
        "multipart/form-data; boundary=nothing-like-the-body",
        "application/x-www-form-urlencoded",
        "text/plain",
        "application/octet-stream",
        "application/json",
    ],
)
def test_every_wrong_password_counts_whatever_the_content_type(user, content_type):
    for _ in range(LIMIT - 1):
        assert_json_error(post(login(user.username, "wrong-password"), content_type), 422)
    assert failures(user.username) == LIMIT - 1
    assert_json_error(post(login(user.username, "wrong-password"), content_type), 429)
    assert_json_error(post(login(user.username, PASSWORD), "application/json"), 429)


def test_what_axes_keeps_of_such_an_attempt_reads_no_form(user):
    post(login(user.username, "wrong-password"), "multipart/form-data")
    attempt = AccessAttempt.objects.get(username=user.username)
    assert attempt.post_data == "" and "wrong-password" not in attempt.post_data


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda u: {"username": u, "password": 12345678}, "password"),  # wrong type
        (lambda u: {"username": u}, "password"),  # missing
        (lambda u: {"username": u, "password": "x", "admin": True}, "admin"),  # unknown key
    ],
    ids=["wrong-type", "missing-password", "unknown-key"],
)
def test_a_body_the_endpoint_cannot_read_counts_for_the_username_it_names(user, make, field):
    # given bodies it refuses, naming the user
    for attempt in range(1, LIMIT + 1):
        response = post(json.dumps(make(user.username)), "application/json")
        # then each is a JSON error naming the field, and counts for that user and address
        if attempt < LIMIT:
            assert assert_json_error(response, 422)["field"] == field
            assert failures(user.username) == attempt
    assert assert_json_error(response, 429)["code"] == "locked_out"
    # so the right password is refused too
    assert_json_error(post(login(user.username, PASSWORD), "application/json"), 429)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"{not json", "body"),
        (b'{"username": "someone", "password": "cut o', "body"),  # no JSON: nobody named
        (b"\xff\xfe garbage", "body"),
        (b"", "body"),
        (b"[]", "body"),
        (b'"a string"', "body"),
        (b'{"username": 42, "password": "x"}', "username"),
    ],
    ids=["not-json", "cut-off", "not-utf8", "empty", "a-list", "a-string", "username-not-text"],
)
def test_a_body_naming_no_username_counts_against_the_address(user, body, field):
    # given bodies that name nobody, as multipart without a boundary (the form is never read)
    for attempt in range(1, LIMIT + 1):
        response = post(body, "multipart/form-data")
        if attempt < LIMIT:
            assert assert_json_error(response, 422)["field"] == field
    # then they count against the address, without a username, up to the lockout
    assert failures(None) == LIMIT
    assert assert_json_error(response, 429)["code"] == "locked_out"
    assert_json_error(post(body, "application/json"), 429)
    # another address, and the user's own log-in, are not touched
    assert_json_error(post(body, "application/json", ip="198.51.100.7"), 422)
    assert post(login(user.username, PASSWORD), "application/json").status_code == 200


def test_a_username_too_long_for_any_user_is_refused_and_counted_against_the_address(user):
    response = post(login("x" * 151, "wrong-password"), "multipart/form-data")
    assert assert_json_error(response, 422)["field"] == "username"
    assert failures(None) == 1


@pytest.mark.parametrize("content_type", ["application/json", "multipart/form-data"])
def test_a_nul_character_in_the_username_is_refused_not_a_server_error(user, content_type):
    # PostgreSQL cannot hold NUL: it must never reach the user table or axes' records
    body = json.dumps({"username": user.username + "\x00", "password": "wrong-password"})
    assert_json_error(post(body, content_type), 422)
