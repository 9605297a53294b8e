"""The core path in a real browser, clicking like a person: a citizen applies for treatment,
the caseworker finds the case on the due list, assesses it with the live evaluation panel,
decides, and the decision letter lands in the outbox. axe-core checks every page on the way."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from browser_support import axe_violations, log_in
from factories import staff
from rusmiddel.cases.models import Case
from rusmiddel.letters.models import Delivery, Letter

pytestmark = pytest.mark.django_db(transaction=True)


def test_citizen_applies_caseworker_assesses_and_decides_letter_is_sent(
    page, live_server, tenants, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    caseworker = staff("caseworker", "gentofte")

    # A citizen applies on the municipality's public page
    page.goto(f"{live_server.url}/borger/gentofte/soeg/")
    assert axe_violations(page) == []
    page.get_by_label("Dit fulde navn").fill("Mette Jensen")
    page.get_by_label("CPR-nummer").fill("070292-1234")
    page.get_by_label("Hvilket tilbud ønsker du?").select_option("ambulant")
    page.get_by_label(re.compile("Jeg giver samtykke")).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Send ansøgning").click()
    receipt = page.locator("main").inner_text()
    case = Case.objects.get(citizen__cpr="0702921234")
    assert case.number in receipt and "Behandlingen skal være sat i gang senest" in receipt
    assert axe_violations(page) == []

    # The caseworker finds it on the due list (the treatment guarantee runs)
    log_in(page, live_server, caseworker.username)
    page.get_by_role("link", name="Frister").first.click()
    page.wait_for_load_state()
    assert case.number in page.locator("main").inner_text()
    assert axe_violations(page) == []
    page.get_by_role("link", name=case.number).first.click()
    page.wait_for_load_state()
    assert "Mette Jensen" in page.locator("main").inner_text()
    assert axe_violations(page) == []

    # Assessment: the live panel follows the facts as they are entered
    page.goto(f"{live_server.url}/sager/{case.pk}/udredning/")
    page.get_by_label("Forbrugets omfang").select_option("problematic")
    # Gentofte's standard is drug treatment: the substances decide the target group
    page.locator("input[name='use__substances'][value='cannabis']").check()
    page.locator("input[name='use__harms_daily_life'][value='ja']").check()
    page.locator("input[name='person__pregnant'][value='nej']").check()
    panel = page.locator("[aria-live='polite']").first
    panel.get_by_text("Kan bevilges").first.wait_for()
    assert axe_violations(page) == []
    with page.expect_navigation():
        page.get_by_role("button", name="Gem udredningen").click()
    assert case.assessments.count() == 1

    # Decision with the complaint guidance previewed, then the letter
    page.goto(f"{live_server.url}/sager/{case.pk}/afgoerelse/")
    page.get_by_label("Tilbud", exact=True).select_option("ambulant")
    page.get_by_label("Bevilget").check()
    page.get_by_text("Klagefrist").first.wait_for()
    assert axe_violations(page) == []
    with page.expect_navigation():
        page.get_by_role("button", name="Gem afgørelsen og send brevet").click()
    decision = case.decisions.get()
    assert decision.outcome == "granted" and decision.decided_on == timezone.localdate()
    letter = Letter.objects.get(case=case, kind="decision")
    assert Delivery.objects.get(letter=letter).status == "sent"
    sent = list((tmp_path / "outbox" / "gentofte").glob(f"{case.number}-decision-*.pdf"))
    assert len(sent) == 1 and sent[0].read_bytes().startswith(b"%PDF")
    assert axe_violations(page) == []
