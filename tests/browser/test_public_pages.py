"""Public pages in a real browser: they render, work with the keyboard, and axe-core finds no
serious or critical WCAG 2.1 AA violations."""

from __future__ import annotations

import pytest

from browser_support import axe_violations, log_in
from factories import staff

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    "path", ["/", "/standarder/gentofte/", "/standarder/helsingoer/", "/log-ind/"]
)
def test_public_pages_have_no_serious_accessibility_violations(page, live_server, tenants, path):
    page.goto(f"{live_server.url}{path}")
    assert page.locator("main").is_visible()
    assert axe_violations(page) == []


def test_a_caseworker_logs_in_with_the_keyboard_alone(page, live_server, tenants):
    user = staff("caseworker", "gentofte")
    page.goto(f"{live_server.url}/log-ind/")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.textContent").strip() == "Gå til indhold"
    page.get_by_label("Brugernavn").focus()
    page.keyboard.type(user.username)
    page.keyboard.press("Tab")
    page.keyboard.type("test-password-1")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    header = page.locator("header").inner_text()
    assert "Sagsbehandler" in header and "Gentofte Kommune" in header
    assert axe_violations(page) == []


def test_wrong_password_is_told_in_danish(page, live_server, tenants):
    log_in(page, live_server, staff("therapist", "helsingoer").username, password="forkert")
    assert page.get_by_role("alert").inner_text().startswith("Brugernavn eller adgangskode")


def test_the_content_security_policy_refuses_inline_code(page, live_server, no_csp_violations):
    response = page.goto(f"{live_server.url}/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    ran = page.evaluate(
        """() => { const s = document.createElement('script');
                   s.textContent = 'window.injected = true';
                   document.head.appendChild(s); return window.injected === true; }"""
    )
    assert ran is False
    assert any("script" in line for line in no_csp_violations)  # the browser said why
    no_csp_violations.clear()  # this test's own refusal is the expected one
