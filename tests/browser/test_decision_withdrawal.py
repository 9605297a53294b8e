"""A caseworker withdraws one decision and corrects another in a real browser, from the case's
timeline: the reason is required, the withdrawn decision is struck through with its own entry
and letter, and the corrected one points to the decision that replaces it. axe-core checks the
decision page, the correction page and the case page after."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from browser_support import axe_violations, log_in
from factories import granted_waiting, staff
from rusmiddel.cases.models import Decision, DecisionStatus
from rusmiddel.letters.models import Letter

pytestmark = pytest.mark.django_db(transaction=True)


def _timeline_entry(page, decision_id: int):
    return page.locator(f"#afgoerelse-{decision_id}")


def test_a_caseworker_withdraws_a_decision_from_the_timeline(page, live_server, tenants):
    caseworker = staff("caseworker", "gentofte")
    today = timezone.localdate()
    case, decision = granted_waiting(
        caseworker,
        cpr="0702921234",
        offer="ambulant",
        contact_on=today - dt.timedelta(days=3),
        provider="kabs",
    )
    log_in(page, live_server, caseworker.username)
    page.goto(f"{live_server.url}/sager/{case.pk}/")
    with page.expect_navigation():
        _timeline_entry(page, decision.pk).get_by_role(
            "link", name="Ret eller tilbagekald afgørelsen"
        ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Afgørelse: Ambulant behandling")
    assert axe_violations(page) == []

    # the reason is required: sent without it, nothing is withdrawn
    with page.expect_navigation():
        page.get_by_role("button", name="Tilbagekald afgørelsen og send brevet").click()
    expect(page.get_by_role("alert")).to_contain_text("Begrundelse for tilbagekaldelsen")
    assert Decision.objects.get(pk=decision.pk).status == DecisionStatus.ACTIVE

    page.get_by_label("Begrundelse for tilbagekaldelsen").fill(
        "Bevillingen byggede på en forkert oplysning om boligen."
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Tilbagekald afgørelsen og send brevet").click()
    expect(page.locator("main")).to_contain_text("Afgørelsen er tilbagekaldt")
    entry = _timeline_entry(page, decision.pk)
    expect(entry.locator("del")).to_have_text("Ambulant behandling: bevilget")
    expect(entry.locator(".badge")).to_have_text("Tilbagekaldt")
    withdrawal = page.locator(f"#tilbagekaldelse-{decision.pk}")
    expect(withdrawal).to_contain_text("forkert oplysning om boligen")
    expect(withdrawal.get_by_role("link", name="Brevet om tilbagekaldelsen (PDF)")).to_be_visible()
    # no course can start on it: it is not offered as a basis any more
    expect(page.locator("main")).not_to_contain_text(f"Afgørelse {decision.decided_on:%d.%m.%Y}")
    assert axe_violations(page) == []
    assert Letter.objects.filter(case=case, kind="decision_withdrawal").count() == 1


def test_a_caseworker_corrects_a_decision(page, live_server, tenants):
    caseworker = staff("caseworker", "gentofte")
    today = timezone.localdate()
    case, decision = granted_waiting(
        caseworker,
        cpr="0702921234",
        offer="ambulant",
        contact_on=today - dt.timedelta(days=3),
        provider="kabs",
    )
    log_in(page, live_server, caseworker.username)
    page.goto(f"{live_server.url}/sager/{case.pk}/afgoerelser/{decision.pk}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Ret afgørelse", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ret afgørelse")
    # filled in with the decision corrected
    expect(page.get_by_label("Tilbud", exact=True)).to_have_value("ambulant")
    expect(page.get_by_label("Leverandør", exact=True)).to_have_value("kabs")
    assert axe_violations(page) == []

    page.get_by_label("Afslag", exact=True).check()
    page.get_by_label("Begrundelse for ændringen").fill("Borgeren er ikke i målgruppen.")
    # the preview shows the new decision's reasoning before it is saved
    expect(page.locator("#decision-preview")).to_contain_text("ikke bevilget")
    with page.expect_navigation():
        page.get_by_role("button", name="Gem den ændrede afgørelse og send brevet").click()
    expect(page.locator("main")).to_contain_text("Afgørelsen er ændret")
    new = Decision.objects.get(replaces=decision)
    assert new.outcome == "refused"
    expect(_timeline_entry(page, decision.pk).locator("del")).to_be_visible()
    expect(_timeline_entry(page, decision.pk).locator(".badge")).to_have_text("Ændret")
    fresh = _timeline_entry(page, new.pk)
    expect(fresh).to_contain_text("Netop gemt")
    expect(fresh).to_contain_text("Ændrer afgørelsen af")
    expect(fresh).to_contain_text("Borgeren er ikke i målgruppen.")
    expect(page.get_by_role("link", name="Åbn afgørelsesbrevet (PDF)")).to_have_attribute(
        "href", f"/api/letters/{Letter.objects.get(case=case, kind='decision_corrected').pk}/pdf"
    )
    assert axe_violations(page) == []
