"""Two-step log-in in a real browser: enrol a TOTP device (QR code and secret, no inline code
under the strict CSP), log in again with the code, and the lockout page; axe on each."""

from __future__ import annotations

import pytest
from django.conf import settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from browser_support import axe_violations, log_in
from factories import staff

pytestmark = pytest.mark.django_db(transaction=True)


def code_for(device: TOTPDevice, steps: int = 0) -> str:
    device.refresh_from_db()
    value = totp(device.bin_key, device.step, device.t0, device.digits, device.drift + steps)
    return f"{value:0{device.digits}d}"


def test_a_caseworker_enrols_and_then_logs_in_with_a_code(page, live_server, tenants):
    user = staff("caseworker", "gentofte")
    log_in(page, live_server, user.username)
    page.get_by_role("link", name="To-trinsbekræftelse").first.click()
    assert page.locator("#otp-qr svg").is_visible()  # the QR code, drawn on the server
    assert axe_violations(page) == []
    device = TOTPDevice.objects.get(user=user)
    page.get_by_label("Kode fra din app").fill(code_for(device))
    with page.expect_navigation():
        page.get_by_role("button", name="Slå to-trinsbekræftelse til").click()
    assert "slået til" in page.get_by_role("status").inner_text()

    # a new log-in: the password leads to the code step, the code to the staff pages
    page.context.clear_cookies()
    log_in(page, live_server, user.username)
    assert page.url.endswith("/log-ind/kode/")
    assert axe_violations(page) == []
    page.get_by_label("Kode").fill(code_for(device, steps=1))  # the next period's code
    with page.expect_navigation():
        page.get_by_role("button", name="Log ind").click()
    assert "Sagsbehandler" in page.locator("header").inner_text()


def test_the_lockout_is_told_in_danish(page, live_server, tenants):
    user = staff("therapist", "helsingoer")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(page, live_server, user.username, password="forkert")
    log_in(page, live_server, user.username)
    alert = page.locator("#login-locked").inner_text()
    assert "for mange mislykkede forsøg" in alert
    assert axe_violations(page) == []
