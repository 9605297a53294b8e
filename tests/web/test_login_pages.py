"""The optional TOTP second factor (web/login_pages.py): one step without a device, two with
one; enrolment with a QR code made on the server; real codes from the device's key."""

from __future__ import annotations

import base64
import re
import time

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from factories import PASSWORD, staff
from rusmiddel.web.login_pages import PENDING


def code_for(device: TOTPDevice, *, steps: int = 0) -> str:
    """The device's code now (or `steps` periods away), as the user's app shows it."""
    device.refresh_from_db()
    value = totp(device.bin_key, device.step, device.t0, device.digits, device.drift + steps)
    return f"{value:0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    """A code no period within the device's tolerance accepts."""
    valid = {code_for(device, steps=s) for s in range(-2, 3)}
    return next(c for c in (f"{n:06d}" for n in range(1000, 10**6, 7919)) if c not in valid)


def enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="TOTP", confirmed=True)


def log_in(client: Client, user, next_url: str = "") -> object:
    data = {"username": user.username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post("/log-ind/", data)


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def user(tenants):
    return staff("caseworker")


@pytest.fixture(autouse=True)
def no_throttle(settings):
    """django-otp delays the next try after a wrong code; the tests type the next one at once."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def test_without_a_device_the_login_is_one_step(user, client):
    response = log_in(client, user)
    assert response.status_code == 302 and response.url == "/sager/" and logged_in(client)


def test_with_a_device_the_password_alone_logs_nobody_in(user, client):
    enrolled(user)
    response = log_in(client, user)
    assert response.status_code == 302 and response.url == "/log-ind/kode/"
    assert not logged_in(client)
    assert client.get("/sager/").status_code == 302  # still sent to log in
    page = client.get("/log-ind/kode/").content.decode()
    assert 'autocomplete="one-time-code"' in page and "<svg" not in page.split("<main")[-1]


def test_the_right_code_logs_in_verified_and_keeps_next(user, client):
    device = enrolled(user)
    log_in(client, user, next_url="/frister/")
    response = client.post("/log-ind/kode/", {"otp": code_for(device)})
    assert response.status_code == 302 and response.url == "/frister/"
    assert logged_in(client)
    assert "Denne session er bekræftet" in client.get("/konto/to-trin/").content.decode()
    assert PENDING not in client.session


def test_a_wrong_code_is_refused(user, client):
    device = enrolled(user)
    log_in(client, user)
    response = client.post("/log-ind/kode/", {"otp": wrong_code(device)})
    assert response.status_code == 422 and not logged_in(client)
    assert "Koden er forkert" in response.content.decode()
    assert client.post("/log-ind/kode/", {"otp": code_for(device)}).status_code == 302


def test_a_replayed_code_is_refused(user, client):
    device = enrolled(user)
    code = code_for(device)
    log_in(client, user)
    assert client.post("/log-ind/kode/", {"otp": code}).status_code == 302
    client.post("/log-ud/")
    # when the same code is typed again (someone watched, or it was phished)
    again = Client()
    log_in(again, user)
    response = again.post("/log-ind/kode/", {"otp": code})
    assert response.status_code == 422 and not logged_in(again)


def test_wrong_codes_count_towards_the_lockout(user, client):
    device = enrolled(user)
    log_in(client, user)
    wrong = wrong_code(device)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/log-ind/kode/", {"otp": wrong})
    attempt = AccessAttempt.objects.get(username=user.username)
    assert wrong not in attempt.post_data and "otp=" in attempt.post_data  # masked, not kept
    response = client.post("/log-ind/kode/", {"otp": code_for(device)})
    assert response.status_code == 429 and not logged_in(client)
    assert log_in(Client(), user).status_code == 429  # the password step too


def test_the_code_step_expires(user, client):
    device = enrolled(user)
    log_in(client, user)
    session = client.session
    session[PENDING] = {**session[PENDING], "at": time.time() - 301}
    session.save()
    response = client.post("/log-ind/kode/", {"otp": code_for(device)})
    assert response.status_code == 302 and response.url == "/log-ind/" and not logged_in(client)


def test_the_code_step_without_a_password_step_goes_back_to_log_in(client):
    assert client.get("/log-ind/kode/").url == "/log-ind/"


def test_enrolment_shows_the_secret_and_a_qr_code_made_on_the_server(user, client):
    client.force_login(user)
    page = client.get("/konto/to-trin/").content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    secret = re.search(r'id="otp-secret">([A-Z2-7]+)<', page).group(1)
    assert f"secret={secret}" in page and "otpauth://totp/Rusmiddel" in page
    svg = page[page.index('id="otp-qr"') :]
    svg = svg[svg.index("<svg") : svg.index("</svg>")]
    assert "<path" in svg and "style=" not in svg
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)  # no inline script (strict CSP)
    assert secret == base64.b32encode(device.bin_key).decode().rstrip("=")


def test_enrolment_is_confirmed_by_a_right_code_only(user, client):
    client.force_login(user)
    client.get("/konto/to-trin/")
    device = TOTPDevice.objects.get(user=user)
    refused = client.post("/konto/to-trin/", {"action": "confirm", "otp": wrong_code(device)})
    assert refused.status_code == 422 and not TOTPDevice.objects.get(user=user).confirmed
    response = client.post("/konto/to-trin/", {"action": "confirm", "otp": code_for(device)})
    assert response.status_code == 302
    assert TOTPDevice.objects.get(user=user).confirmed
    # from now on the log-in asks for the code
    assert log_in(Client(), user).url == "/log-ind/kode/"


def test_removing_the_device_needs_a_current_code(user, client):
    device = enrolled(user)
    client.force_login(user)
    client.post("/konto/to-trin/", {"action": "remove", "otp": wrong_code(device)})
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    client.post("/konto/to-trin/", {"action": "remove", "otp": code_for(device)})
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert log_in(Client(), user).url == "/sager/"


def test_required_otp_makes_everyone_enrol_at_log_in(user, client, settings):
    settings.RUSMIDDEL_REQUIRE_OTP = True
    response = log_in(client, user)
    assert response.url == "/log-ind/kode/" and not logged_in(client)
    page = client.get("/log-ind/kode/").content.decode()
    assert "Opsæt to-trinsbekræftelse" in page and 'id="otp-qr"' in page
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert client.post("/log-ind/kode/", {"otp": code_for(device)}).status_code == 302
    assert logged_in(client) and TOTPDevice.objects.get(user=user).confirmed
    # and it cannot be switched off
    client.post("/konto/to-trin/", {"action": "remove", "otp": code_for(device, steps=1)})
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def test_the_session_is_renewed_at_log_in_and_ended_at_log_out(user, client):
    device = enrolled(user)
    client.get("/log-ind/")
    log_in(client, user)
    before = client.session.session_key
    client.post("/log-ind/kode/", {"otp": code_for(device)})
    assert logged_in(client) and client.session.session_key != before  # no fixation
    client.post("/log-ud/")
    assert not logged_in(client) and client.get("/sager/").status_code == 302


def test_the_code_step_sends_nobody_to_another_site(user, client):
    device = enrolled(user)
    log_in(client, user, next_url="https://evil.example/")
    response = client.post("/log-ind/kode/", {"otp": code_for(device)})
    assert response.status_code == 302 and response.url == "/sager/"  # Mine sager
