"""The core path with the keyboard alone: a caseworker logs in, finds the case on Mine sager
by searching, opens the assessment, enters the facts, saves, and records the decision. Only
Tab, Shift+Tab, arrow keys, Space, Enter and typing: no clicks, no filling of fields by the
test. Every element reached with Tab must show its focus."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from browser_support import axe_violations
from factories import PASSWORD, staff
from rusmiddel.cases import services
from rusmiddel.cases.models import Case

pytestmark = pytest.mark.django_db(transaction=True)

#: The most Tab presses a step may take before we call the element unreachable.
MAX_TABS = 80

_FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    return {
        tag: el.tagName.toLowerCase(),
        id: el.id,
        name: el.getAttribute('name') || '',
        value: el.value || '',
        text: (el.innerText || el.textContent || '').trim().replace(/\\s+/g, ' '),
        label: el.labels && el.labels.length ? el.labels[0].innerText.trim() : '',
        visible: outline || style.boxShadow !== 'none',
        focusVisible: el.matches(':focus-visible'),
    };
}"""


def focused(page) -> dict | None:
    return page.evaluate(_FOCUSED)


def tab_to(page, what: str, *, key: str = "Tab", limit: int = MAX_TABS) -> dict:
    """Press Tab until the focused element's id, name, label or text is `what` (its text may
    start with it); it must show its focus. Fails when `what` is not reached in `limit`."""
    seen = []
    for _ in range(limit):
        page.keyboard.press(key)
        el = focused(page)
        if el is None:
            continue
        seen.append(el["id"] or el["text"][:30] or el["name"])
        if what in (el["id"], el["name"], el["label"]) or el["text"].startswith(what):
            assert el["focusVisible"] and el["visible"], f"focus not visible on {el}"
            return el
    raise AssertionError(f"{what!r} not reached with {key}; focus went through {seen}")


def arrow_to(page, name: str, value: str, key: str = "ArrowUp") -> None:
    """In the focused radio group `name`, move with the arrow key until `value` is checked."""
    for _ in range(6):
        checked = page.evaluate(
            f"() => (document.querySelector('input[name=\"{name}\"]:checked') || {{}}).value"
        )
        if checked == value:
            return
        page.keyboard.press(key)
    raise AssertionError(f"{name}={value!r} not reached with {key}")


def enter_and_wait(page) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_a_caseworker_finds_assesses_and_decides_with_the_keyboard_alone(
    page, live_server, tenants, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    caseworker = staff("caseworker", "gentofte")
    case = services.case_create(
        actor=caseworker,
        received_on=timezone.localdate() - dt.timedelta(days=2),
        channel="phone",
        citizen_cpr="0702921234",
        citizen_name="Mette Jensen",
        requested_offer="ambulant",
    )

    # Log in
    page.goto(f"{live_server.url}/log-ind/")
    tab_to(page, "Gå til indhold", limit=1)  # the skip link comes first
    tab_to(page, "id_username")
    page.keyboard.type(caseworker.username)
    tab_to(page, "id_password")
    page.keyboard.type(PASSWORD)
    enter_and_wait(page)

    # Mine sager from the main menu; the skip link then takes focus past the header
    tab_to(page, "Gå til indhold", limit=1)
    tab_to(page, "Mine sager")
    enter_and_wait(page)
    assert page.locator("h1").inner_text() == "Mine sager"
    tab_to(page, "Gå til indhold", limit=1)
    page.keyboard.press("Enter")
    tab_to(page, "Ny henvendelse", limit=1)  # the page's own action first, not the header
    tab_to(page, "case-search", limit=1)  # then the search
    page.keyboard.type("Mette")
    results = page.locator("#search-results")
    results.get_by_role("link", name=case.number).wait_for()
    assert "1 sag fundet" in results.inner_text()
    tab_to(page, case.number)
    enter_and_wait(page)
    assert page.locator("h1").inner_text().startswith(f"Sag {case.number}")

    # The assessment: a select and two radio groups, the live panel following
    tab_to(page, "Udred sagen")
    enter_and_wait(page)
    tab_to(page, "id_use__level")
    page.keyboard.type("Problematisk")
    assert page.locator("#id_use__level").input_value() == "problematic"
    # Gentofte's standard is drug treatment: the substances (before the level) decide
    tab_to(page, "id_use__substances_1", key="Shift+Tab")  # cannabis
    page.keyboard.press("Space")
    assert page.locator("#id_use__substances_1").is_checked()
    tab_to(page, "use__harms_daily_life")
    arrow_to(page, "use__harms_daily_life", "ja")
    tab_to(page, "person__pregnant", key="Shift+Tab")  # the person section comes first
    arrow_to(page, "person__pregnant", "nej")
    page.locator("#evaluation-panel").get_by_text("Kan bevilges").first.wait_for()
    assert axe_violations(page) == []
    tab_to(page, "Gem udredningen")
    enter_and_wait(page)
    assert Case.objects.get(pk=case.pk).assessments.count() == 1

    # The decision: offer, outcome, and save (the letter goes to the outbox)
    tab_to(page, "Træf afgørelse")
    enter_and_wait(page)
    tab_to(page, "id_offer")
    page.keyboard.type("Ambulant")
    assert page.locator("#id_offer").input_value() == "ambulant"
    tab_to(page, "outcome")
    arrow_to(page, "outcome", "granted", key="ArrowDown")
    page.get_by_text("Klagefrist").first.wait_for()
    assert axe_violations(page) == []
    tab_to(page, "Gem afgørelsen og send brevet")
    enter_and_wait(page)
    decision = Case.objects.get(pk=case.pk).decisions.get()
    assert decision.offer == "ambulant" and decision.outcome == "granted"
    assert axe_violations(page) == []
