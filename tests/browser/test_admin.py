"""Administration in a real browser: the users and standard pages, with a form error and a
checked file, have no serious or critical WCAG 2.1 AA violations."""

from __future__ import annotations

import pytest

from browser_support import axe_violations, log_in
from factories import staff
from rusmiddel.standards.registry import PACKAGE_DATA

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_administrator_uses_the_users_and_standard_pages(page, live_server, tenants):
    staff("therapist", "helsingoer")
    log_in(page, live_server, staff("administrator", "helsingoer").username)
    page.get_by_role("link", name="Administration").first.click()
    page.get_by_role("link", name="Brugere").first.click()
    assert page.locator("h1").inner_text() == "Brugere"
    assert axe_violations(page) == []

    page.get_by_label("Brugernavn").fill("ny_behandler")
    page.get_by_label("Fulde navn").fill("Lone Nielsen")
    page.get_by_label("Rolle").select_option("therapist")
    page.get_by_label("Adgangskode", exact=True).fill("kort")
    page.get_by_label("Gentag adgangskode").fill("kort")
    with page.expect_navigation():
        page.get_by_role("button", name="Opret bruger").click()
    assert page.get_by_label("Brugernavn").input_value() == "ny_behandler"
    assert page.get_by_label("Adgangskode", exact=True).get_attribute("aria-invalid") == "true"
    assert axe_violations(page) == []

    page.goto(f"{live_server.url}/administration/standard/")
    assert "Gælder i dag" in page.locator("main").inner_text()
    assert axe_violations(page) == []
    page.get_by_label("Standardfil (YAML)").set_input_files(
        str(PACKAGE_DATA / "helsingoer" / "2024-01-01.yaml")
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Kontrollér filen").click()
    assert "Filen er gyldig" in page.locator("main").inner_text()
    assert axe_violations(page) == []
