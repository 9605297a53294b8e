"""Staff intake in a real browser (issue 19, items 1, 6 and 12): a caseworker logs in and lands
on Mine sager, clicks "Ny henvendelse", types a CPR number that is not one (told, nothing
lost), then a valid one, and lands on the new case with its treatment-guarantee date; a second
call about the same citizen offers the open case, and the contact goes onto it. A case opened
by the citizen is taken with "Tag sagen". axe-core checks every state of the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from browser_support import axe_violations, log_in
from factories import staff
from rusmiddel import rules
from rusmiddel.cases import services
from rusmiddel.cases.models import Case
from rusmiddel.standards import registry

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_caseworker_registers_a_phone_call_and_lands_on_the_case(
    page, live_server, tenants, settings, tmp_path
):
    settings.DATA_DIR = tmp_path  # the contact receipt's file outbox
    caseworker = staff("caseworker", "gentofte")
    today = timezone.localdate()

    log_in(page, live_server, caseworker.username)
    assert page.locator("h1").inner_text() == "Mine sager"  # not Kvalitetsstandarder
    with page.expect_navigation():
        page.get_by_role("link", name="Ny henvendelse").click()
    assert page.locator("h1").inner_text() == "Ny henvendelse"
    assert axe_violations(page) == []

    # A GP calls; the CPR number is mistyped (31 February)
    page.get_by_label("CPR-nummer").fill("310292-1234")
    page.get_by_label("Navn").fill("Mette Jensen")
    page.get_by_role("textbox", name="Telefon").fill("22 33 44 55")
    page.get_by_label("Fagperson").check()
    page.get_by_label("Henvist af").fill("Lægehuset Strandvejen")
    page.get_by_label("Hvad ønskes?").select_option("ambulant")
    page.get_by_label("Notat").fill("Egen læge ringer på borgerens vegne.")
    with page.expect_navigation():
        page.get_by_role("button", name="Gem henvendelsen").click()
    summary = page.get_by_role("alert")
    assert "CPR-nummeret '310292-1234' er ikke gyldigt" in summary.inner_text()
    assert page.evaluate("document.activeElement.id") == "form-fejl"  # focus on the summary
    # nothing typed is lost
    assert page.get_by_label("CPR-nummer").input_value() == "310292-1234"
    assert page.get_by_label("Navn").input_value() == "Mette Jensen"
    assert page.get_by_label("Henvist af").input_value() == "Lægehuset Strandvejen"
    assert page.get_by_label("Hvad ønskes?").input_value() == "ambulant"
    assert page.get_by_label("Notat").input_value() == "Egen læge ringer på borgerens vegne."
    assert page.get_by_label("Fagperson").is_checked()
    assert not Case.objects.exists()
    assert axe_violations(page) == []

    # The number corrected: the case is opened and the caseworker lands on it
    page.get_by_label("CPR-nummer").fill("070292-1234")
    with page.expect_navigation():
        page.get_by_role("button", name="Gem henvendelsen").click()
    case = Case.objects.get(citizen__cpr="0702921234")
    assert page.url == f"{live_server.url}/sager/{case.pk}/"
    standard = registry.load("gentofte", today).standard
    due = rules.treatment_guarantee(standard, today, standard.offer("ambulant"))
    main = page.locator("main").inner_text()
    assert f"Sag {case.number} er oprettet med henvendelsen." in main
    assert f"behandlingen skal være i gang senest {due:%d.%m.%Y}" in main
    assert "Henvist af: Lægehuset Strandvejen." in main
    assert case.caseworker == caseworker
    assert axe_violations(page) == []

    # The citizen calls again the next morning: the open case is offered
    page.get_by_role("link", name="Mine sager").first.click()
    page.wait_for_load_state()
    with page.expect_navigation():
        page.get_by_role("link", name="Ny henvendelse").click()
    page.get_by_label("CPR-nummer").fill("0702921234")
    page.get_by_label("Notat").fill("Borgeren ringer selv og spørger til ventetiden.")
    with page.expect_navigation():
        page.get_by_role("button", name="Gem henvendelsen").click()
    assert "Borgeren har allerede 1 åben sag" in page.locator("main").inner_text()
    assert page.get_by_role("link", name=case.number).is_visible()
    assert axe_violations(page) == []
    page.get_by_label(f"Tilføj henvendelsen til sag {case.number}").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Gem henvendelsen").click()
    assert page.url == f"{live_server.url}/sager/{case.pk}/"
    assert f"Henvendelsen er tilføjet sag {case.number}." in page.locator("main").inner_text()
    assert case.contacts.count() == 2 and Case.objects.count() == 1


def test_a_caseworker_takes_a_case_the_citizen_opened(
    page, live_server, tenants, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    case = services.self_service_apply(
        municipality="gentofte",
        received_on=timezone.localdate() - dt.timedelta(days=1),
        anonymous=False,
        name="Mette Jensen",
        cpr="0702921234",
        phone="22 33 44 55",
        email="mette@example.dk",
        requested_offer="ambulant",
        consent=True,
    )
    caseworker = staff("caseworker", "gentofte")
    caseworker.first_name, caseworker.last_name = "Sara", "Sagsbehandler"
    caseworker.save()

    log_in(page, live_server, caseworker.username)
    page.goto(f"{live_server.url}/sager/{case.pk}/")
    details = page.locator("#sagsoplysninger").inner_text()
    assert "22 33 44 55" in details and "mette@example.dk" in details
    assert "Ikke tildelt" in details
    assert axe_violations(page) == []
    with page.expect_navigation():
        page.get_by_role("button", name="Tag sagen").click()
    assert "Du har taget sagen." in page.locator("main").inner_text()
    assert "Sara Sagsbehandler" in page.locator("#sagsoplysninger").inner_text()
    assert page.get_by_role("button", name="Giv sagen fra dig").is_visible()
    case.refresh_from_db()
    assert case.caseworker == caseworker
    assert axe_violations(page) == []
