"""A citizen's failed or held submit in a real browser: focus moves to what the citizen must
read first (the DKFDS error summary, the notice for a young person to confirm, the notice that
a form is held), never to <body>; a link in the error summary moves focus to its field; what
was typed is still in the form."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.utils import timezone

from browser_support import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def _focused(page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.tagName")


def _send(page) -> None:
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


@pytest.mark.parametrize(
    ("path", "fill"),
    [
        ("/borger/gentofte/soeg/", {"Dit fulde navn": "Mette Jensen"}),
        ("/borger/gentofte/anonym/", {"Kaldenavn": "Kim"}),
    ],
)
def test_focus_moves_to_the_error_summary_after_a_failed_submit(
    page, live_server, tenants, path, fill
):
    page.goto(f"{live_server.url}{path}")
    for label, value in fill.items():
        page.get_by_label(label).fill(value)
    _send(page)
    assert _focused(page) == "fejl"
    for label, value in fill.items():
        assert page.get_by_label(label).input_value() == value
    # the summary's first link takes the keyboard to its field
    link = page.locator("#fejl a").first
    target = link.get_attribute("href").lstrip("#")
    link.click()
    assert _focused(page) == target
    assert axe_violations(page) == []


def _apply(page, live_server, cpr: str) -> None:
    page.goto(f"{live_server.url}/borger/gentofte/soeg/")
    page.get_by_label("Dit fulde navn").fill("Mette Jensen")
    page.get_by_label("CPR-nummer").fill(cpr)
    page.get_by_label("Jeg giver samtykke").check()
    _send(page)


def test_focus_moves_to_the_notice_a_young_person_must_confirm(page, live_server, tenants):
    born = timezone.localdate().replace(year=timezone.localdate().year - 16, day=1)
    _apply(page, live_server, f"{born:%d%m%y}4321")
    assert page.get_by_role("button", name="Bekræft og send").is_visible()
    assert _focused(page) == "under-18"


def test_focus_moves_to_the_notice_when_a_valid_form_is_held(
    page, live_server, tenants, monkeypatch
):
    monkeypatch.setattr("rusmiddel.web.citizen.RATE", "1/h")
    _apply(page, live_server, "070292-1234")
    assert "/kvittering/" in page.url
    _apply(page, live_server, "080292-1234")
    assert _focused(page) == "ikke-sendt"
    assert page.get_by_label("CPR-nummer").input_value() == "080292-1234"
    page.screenshot(path="/tmp/cd/held.png", full_page=True)
    assert axe_violations(page) == []
