"""POST /api/auth/token with the optional TOTP second factor: staff with a confirmed device
send the current code as `otp`; a missing, wrong or replayed code gets no token."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from factories import PASSWORD, staff


def code_for(device: TOTPDevice) -> str:
    device.refresh_from_db()
    value = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{value:0{device.digits}d}"


def token(username: str, **extra) -> tuple[int, dict]:
    body = json.dumps({"username": username, "password": PASSWORD, **extra})
    response = Client().post("/api/auth/token", body, content_type="application/json")
    return response.status_code, response.json()


@pytest.fixture
def user(tenants):
    return staff("caseworker")


@pytest.fixture
def device(user):
    return TOTPDevice.objects.create(user=user, name="TOTP", confirmed=True)


@pytest.fixture(autouse=True)
def no_throttle(settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def test_without_a_device_the_password_is_enough(user):
    status, body = token(user.username)
    assert status == 200 and len(body["token"]) > 20


def test_with_a_device_the_code_is_required(user, device):
    status, body = token(user.username)
    assert status == 422 and body["error"]["field"] == "otp" and "token" not in body


def test_a_wrong_code_gets_no_token(user, device):
    code = code_for(device)
    wrong = f"{(int(code) + 500_000) % 10**6:06d}"
    status, body = token(user.username, otp=wrong)
    assert status == 422 and body["error"]["field"] == "otp" and "token" not in body


def test_the_right_code_gets_a_token_once(user, device):
    code = code_for(device)
    status, body = token(user.username, otp=code)
    assert status == 200 and len(body["token"]) > 20
    status, body = token(user.username, otp=code)  # replayed
    assert status == 422 and body["error"]["field"] == "otp"


def test_required_otp_without_a_device_is_refused(user, settings):
    settings.RUSMIDDEL_REQUIRE_OTP = True
    status, body = token(user.username)
    assert status == 403 and body["error"]["field"] == "otp"
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_the_token_endpoint_documents_the_otp_field(client):
    schema = client.get("/api/openapi.json").json()
    token_in = schema["components"]["schemas"]["TokenIn"]
    assert "otp" in token_in["properties"] and token_in["required"] == ["username", "password"]


def test_a_session_write_needs_the_csrf_token_and_a_bearer_token_does_not(user):
    # given a browser session without the CSRF token
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    response = browser.post("/api/cases", "{}", content_type="application/json")
    assert response.status_code == 403 and "CSRF" in response.json()["error"]["message"]
    # a bearer token is not sent by the browser on its own, so it needs no CSRF token
    key = token(user.username)[1]["token"]
    response = Client(enforce_csrf_checks=True).post(
        "/api/cases", "{}", content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
    )
    assert response.status_code == 422  # past authentication: the empty body is refused
