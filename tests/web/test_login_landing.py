"""Where staff land after logging in (issue 19, item 12): on the day's work, not on the list
of quality standards. Whoever reads cases lands on Mine sager; the administrator, who reads
none, on Administration; a page the log-in was sent from (`next`) still wins, in one step or
two (with a TOTP code)."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from factories import PASSWORD, staff

pytestmark = pytest.mark.django_db


def log_in(client: Client, user, **extra: str):
    return client.post("/log-ind/", {"username": user.username, "password": PASSWORD, **extra})


@pytest.mark.parametrize(
    ("role", "provider", "landing"),
    [
        ("caseworker", None, "/sager/"),
        ("therapist", None, "/sager/"),
        ("substance_consultant", None, "/sager/"),
        ("head_of_unit", None, "/sager/"),
        ("provider_staff", "kabs", "/sager/"),
        ("administrator", None, "/administration/"),
    ],
)
def test_staff_land_on_their_work_after_logging_in(tenants, role, provider, landing):
    client = Client()
    response = log_in(client, staff(role, "gentofte", provider))
    assert response.status_code == 302 and response.url == landing
    assert client.get(response.url).status_code == 200  # a page the role may open


def test_the_page_the_log_in_came_from_still_wins(tenants):
    response = log_in(Client(), staff("caseworker"), next="/frister/")
    assert response.url == "/frister/"


def test_the_code_step_lands_on_mine_sager_too(tenants, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    user = staff("caseworker")
    device = TOTPDevice.objects.create(user=user, name="TOTP", confirmed=True)
    client = Client()
    assert log_in(client, user).url == "/log-ind/kode/"
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    response = client.post("/log-ind/kode/", {"otp": code})
    assert response.status_code == 302 and response.url == "/sager/"


def test_an_administrator_with_a_code_lands_on_administration(tenants, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    user = staff("administrator")
    device = TOTPDevice.objects.create(user=user, name="TOTP", confirmed=True)
    client = Client()
    log_in(client, user)
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    assert client.post("/log-ind/kode/", {"otp": code}).url == "/administration/"
