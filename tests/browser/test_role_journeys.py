"""The six roles' journeys of issue 19, end to end in Chromium, each as a new user clicks it
and each checked on what the user reads in Danish: the Gentofte caseworker (a phone call to a
withdrawn decision, a decision dated tomorrow refused on its field), the Helsingør therapist (a
16-year-old's consents; an anonymous walk-in), the head of unit (one treatment-guarantee
definition on Statistik and Venteliste; the capacity), provider staff (only their own cases; a
named citizen they do not treat is refused), the citizen (both municipalities' forms, an error
then the receipt; English with its note on Danish offer texts) and Mine sager at 375 px in
English. The live server runs on the real clock, so dates are relative to the real today.

Every page load's time (navigation start to the load event's end) is logged from the page
itself; the slowest five are printed at the end of the module. Timing never fails a test."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from browser_support import axe_violations, log_in
from factories import granted_waiting, staff
from rusmiddel.accounts.models import Municipality, Provider
from rusmiddel.capacity.models import Capacity
from rusmiddel.cases import services
from rusmiddel.cases.models import Case, Decision, DecisionStatus

pytestmark = pytest.mark.django_db(transaction=True)

#: (milliseconds, test, path) of every page load in this module.
LOADS: list[tuple[int, str, str]] = []

# Logged from the page (an init script is not held to the page's CSP): on the load event's
# end, the navigation's duration and the path. A console line, read by the test process.
TIMING = """addEventListener("load", () => setTimeout(() => {
  const n = performance.getEntriesByType("navigation")[0];
  if (n) console.log("rm-load " + Math.round(n.loadEventEnd - n.startTime) + " "
                     + location.pathname + location.search);
}, 0));"""


@pytest.fixture(scope="module", autouse=True)
def _slowest_page_loads(request, tmp_path_factory):
    yield
    slowest = sorted(LOADS, reverse=True)[:5]
    lines = [f"slowest page loads: {path} {ms} ms ({test})" for ms, test, path in slowest]
    (tmp_path_factory.mktemp("timings") / "slowest.txt").write_text("\n".join(lines) + "\n")
    # past the output capture (a hook in a test module is not called), to the terminal
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if capture is not None and reporter is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            for line in lines:
                reporter.write_line(line)


@pytest.fixture(autouse=True)
def _timed(page, request):
    def logged(msg):
        if msg.text.startswith("rm-load "):
            _, ms, path = msg.text.split(" ", 2)
            LOADS.append((int(ms), request.node.name, path))

    page.add_init_script(TIMING)
    page.on("console", logged)
    cache.clear()  # the citizen forms' rate limits
    yield
    cache.clear()


def _submit(page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


def _main(page) -> str:
    return page.locator("main").inner_text()


def _log_out(page) -> None:
    page.context.clear_cookies()


def _set(page, name: str, value: str) -> None:
    """Answer the assessment's fact `name` (a select, or the radio or checkbox of `value`)."""
    field = page.locator(f"[name='{name}']").first
    if field.evaluate("f => f.tagName") == "SELECT":
        field.select_option(value)
    else:
        page.locator(f"input[name='{name}'][value='{value}']").check()


def _cpr_aged(age: int, today: dt.date) -> str:
    """A CPR number of someone who turned `age` on the first of this month."""
    born = today.replace(year=today.year - age, day=1)
    return f"{born:%d%m%y}4321"


# 1 -------------------------------------------------------------------------------------------


def test_gentofte_caseworker_from_a_phone_call_to_a_withdrawn_decision(
    page, live_server, tenants, settings, tmp_path
):
    settings.DATA_DIR = tmp_path  # the letters' file outbox
    today = timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    front_desk = staff("therapist", "gentofte")
    caseworker = staff("caseworker", "gentofte")

    # The front desk takes the phone call: the case opens without a caseworker
    log_in(page, live_server, front_desk.username)
    with page.expect_navigation():
        page.get_by_role("link", name="Ny henvendelse").click()
    page.get_by_role("textbox", name="CPR-nummer").fill("070292-1234")
    page.get_by_label("Navn", exact=True).fill("Mette Jensen")
    page.get_by_label("Hvad ønskes?").select_option("ambulant")
    page.get_by_label("Notat").fill("Borgeren ringer og ønsker ambulant behandling.")
    _submit(page, "Gem henvendelsen")
    case = Case.objects.get(citizen__cpr="0702921234")
    assert f"Sag {case.number} er oprettet med henvendelsen." in _main(page)
    assert "Ikke tildelt" in page.locator("#sagsoplysninger").inner_text()
    _log_out(page)

    # The caseworker takes it
    log_in(page, live_server, caseworker.username)
    page.goto(f"{live_server.url}/sager/{case.pk}/")
    _submit(page, "Tag sagen")
    expect(page.locator("main")).to_contain_text("Du har taget sagen.")

    # The assessment
    page.goto(f"{live_server.url}/sager/{case.pk}/udredning/")
    page.get_by_label("Forbrugets omfang").select_option("problematic")
    page.locator("input[name='use__substances'][value='cannabis']").check()
    page.locator("input[name='use__harms_daily_life'][value='ja']").check()
    page.locator("input[name='person__pregnant'][value='nej']").check()
    page.locator("[aria-live='polite']").first.get_by_text("Kan bevilges").first.wait_for()
    _submit(page, "Gem udredningen")
    assert case.assessments.count() == 1

    # A decision dated tomorrow is refused on its field, what was chosen kept
    page.goto(f"{live_server.url}/sager/{case.pk}/afgoerelse/")
    page.get_by_label("Tilbud", exact=True).select_option("ambulant")
    page.get_by_label("Bevilget").check()
    page.get_by_label("Afgørelsens dato").fill(tomorrow.isoformat())
    _submit(page, "Gem afgørelsen og send brevet")
    refused = (
        f"Afgørelsens dato ({tomorrow:%d.%m.%Y}) kan ikke ligge efter i dag ({today:%d.%m.%Y})."
    )
    expect(page.get_by_role("alert").first).to_contain_text(refused)  # the summary
    expect(page.locator("#id_decided_on_error")).to_contain_text(refused)  # at the field
    assert page.get_by_label("Tilbud", exact=True).input_value() == "ambulant"
    assert not Decision.objects.filter(case=case).exists()

    # Dated today, it is made
    page.get_by_label("Afgørelsens dato").fill(today.isoformat())
    _submit(page, "Gem afgørelsen og send brevet")
    decision = Decision.objects.get(case=case)
    assert decision.decided_on == today

    # Withdrawn from the timeline, with a reason
    page.goto(f"{live_server.url}/sager/{case.pk}/")
    entry = page.locator(f"#afgoerelse-{decision.pk}")
    with page.expect_navigation():
        entry.get_by_role("link", name="Ret eller tilbagekald afgørelsen").click()
    page.get_by_label("Begrundelse for tilbagekaldelsen").fill(
        "Borgeren er flyttet til en anden kommune."
    )
    _submit(page, "Tilbagekald afgørelsen og send brevet")
    expect(page.locator("main")).to_contain_text("Afgørelsen er tilbagekaldt")
    entry = page.locator(f"#afgoerelse-{decision.pk}")
    expect(entry.locator(".badge")).to_have_text("Tilbagekaldt")
    expect(page.locator(f"#tilbagekaldelse-{decision.pk}")).to_contain_text(
        "Borgeren er flyttet til en anden kommune."
    )
    assert Decision.objects.get(pk=decision.pk).status == DecisionStatus.WITHDRAWN


# 2 -------------------------------------------------------------------------------------------


def test_helsingoer_therapist_a_young_persons_consents_and_an_anonymous_walk_in(
    page, live_server, tenants
):
    today = timezone.localdate()
    therapist = staff("therapist", "helsingoer")
    case = services.case_create(
        actor=therapist,
        received_on=today - dt.timedelta(days=2),
        channel="phone",
        citizen_cpr=_cpr_aged(16, today),
        citizen_name="Ung Borger",
        requested_offer="unge_individuel",
    )
    log_in(page, live_server, therapist.username)

    # Without the consents: the offer needs information, naming both
    page.goto(f"{live_server.url}/sager/{case.pk}/udredning/")
    for name, value in [
        ("person__role", "user"),
        ("use__level", "problematic"),
        ("use__substances", "cannabis"),
        ("wishes__goal", "reduction"),
    ]:
        _set(page, name, value)
    offer = page.locator("#tilbud-unge_individuel")
    expect(offer.locator(".badge")).to_have_text("Mangler oplysninger")
    expect(offer).to_contain_text("Forældrene har givet samtykke")
    expect(offer).to_contain_text("Familierådgivningen (Børn og Familie) har givet samtykke")

    # Both recorded: eligible
    page.locator("input[name='consents__parents'][value='ja']").check()
    page.locator("input[name='consents__family_services'][value='ja']").check()
    expect(offer.locator(".badge")).to_have_text("Kan bevilges")
    _submit(page, "Gem udredningen")
    assert case.assessments.count() == 1

    # An anonymous walk-in: the case has no CPR number
    page.goto(f"{live_server.url}/sager/")
    with page.expect_navigation():
        page.get_by_role("link", name="Ny henvendelse").click()
    page.get_by_label("Anonym (SEL § 101 a)").check()
    page.get_by_label("Kaldenavn").fill("Kim")
    page.get_by_label("Hvad ønskes?").select_option("anonym_raadgivning")
    _submit(page, "Gem henvendelsen")
    anonymous = Case.objects.get(anonymous=True)
    assert page.url == f"{live_server.url}/sager/{anonymous.pk}/"
    assert anonymous.citizen_id is None and anonymous.pseudonym == "Kim"
    main = _main(page)
    assert "Kim" in main and "CPR" not in page.locator("#sagsoplysninger").inner_text()


# 3 -------------------------------------------------------------------------------------------


def test_head_of_unit_one_guarantee_definition_and_the_capacity(page, live_server, tenants):
    today = timezone.localdate()
    therapist = staff("therapist", "helsingoer")
    head = staff("head_of_unit", "helsingoer")
    granted_waiting(
        therapist,
        cpr="0101851234",
        offer="individuelle_samtaler",
        contact_on=today - dt.timedelta(days=3),
    )
    granted_waiting(  # its guarantee date passed without a start: not kept
        therapist,
        cpr="0201851234",
        offer="individuelle_samtaler",
        contact_on=today - dt.timedelta(days=70),
    )
    Capacity.objects.create(
        municipality=Municipality.objects.get(slug="helsingoer"),
        provider=Provider.objects.get(slug="helsingoer_rusmiddelcenter"),
        offer="individuelle_samtaler",
        kind="weekly_slots",
        amount=2,
        valid_from=today - dt.timedelta(days=30),
    )
    log_in(page, live_server, head.username)

    # Venteliste: the last 12 months' figure, and the definition
    page.goto(f"{live_server.url}/venteliste/")
    expect(page.locator("#venteliste")).to_be_visible()
    kept = page.locator("#garanti-holdt").inner_text()
    found = re.search(
        r"garantidato (\d\d)\.(\d\d)\.(\d{4})–(\d\d)\.(\d\d)\.(\d{4})\): holdt for (\d+) af (\d+)",
        kept,
    )
    assert found, kept
    d1, m1, y1, d2, m2, y2, met, counted = found.groups()
    assert (met, counted) == ("0", "1"), kept
    definition = page.locator("#garanti-definition").inner_text()
    assert definition.startswith("Behandlingsgarantien er holdt, når behandlingen er startet")

    # Statistik over the same period: the same figure, the same words
    page.goto(f"{live_server.url}/statistik/")
    page.get_by_label("Fra", exact=True).fill(f"{y1}-{m1}-{d1}")
    page.get_by_label("Til", exact=True).fill(f"{y2}-{m2}-{d2}")
    _submit(page, "Vis")
    assert page.locator("#garanti-definition").inner_text() == definition
    total = (
        page.locator("table", has_text="Behandlingsgaranti pr. måned")
        .locator("tr", has_text=re.compile(r"^\s*I alt"))
        .locator("th, td")
        .all_inner_texts()
    )
    assert (total[1], total[4]) == (met, counted), total  # Holdt, Afgjort i alt

    page.goto(f"{live_server.url}/administration/kapacitet/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("main table")).to_contain_text(f"{today - dt.timedelta(days=30):%d.%m.%Y}")


# 4 -------------------------------------------------------------------------------------------


def test_provider_staff_see_their_own_cases_and_cannot_open_one_for_another_providers_citizen(
    page, live_server, tenants
):
    today = timezone.localdate()
    therapist = staff("therapist", "gentofte")

    def referred(cpr: str, name: str, provider: str) -> Case:
        return services.case_create(
            actor=therapist,
            received_on=today - dt.timedelta(days=3),
            channel="digital_post",
            citizen_cpr=cpr,
            citizen_name=name,
            provider=provider,
        )

    ours = referred("0101801234", "Karen KABS", "kabs")
    theirs = referred("0702921234", "Mette Gladsaxe", "gladsaxe_rusmiddelcenter")
    kabs = staff("provider_staff", "gentofte", "kabs")

    log_in(page, live_server, kabs.username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mine sager")
    main = _main(page)
    assert ours.number in main and "Karen KABS" in main
    assert theirs.number not in main and "Mette Gladsaxe" not in main

    with page.expect_navigation():
        page.get_by_role("link", name="Ny henvendelse").click()
    page.get_by_role("textbox", name="CPR-nummer").fill("070292-1234")
    page.get_by_label("Navn", exact=True).fill("Mette Gladsaxe")
    _submit(page, "Gem henvendelsen")
    expect(page.locator("main")).to_contain_text(
        "kun oprette en sag med navn for en borger, der allerede har en sag henvist til jer"
    )
    assert page.get_by_role("textbox", name="CPR-nummer").input_value() == "070292-1234"
    assert Case.objects.count() == 2


# 5 -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("municipality", ["gentofte", "helsingoer"])
def test_a_citizen_applies_after_an_error_and_reads_english(
    page, live_server, tenants, settings, tmp_path, municipality
):
    settings.DATA_DIR = tmp_path
    page.goto(f"{live_server.url}/borger/{municipality}/soeg/")
    page.get_by_label("Dit fulde navn").fill("Mette Jensen")
    page.get_by_label("CPR-nummer").fill("070292-1234")
    _submit(page, "Send ansøgning")  # the consent is not given
    expect(page.locator("#fejl")).to_be_visible()
    expect(page.locator("#fejl")).to_contain_text(
        "Du skal give samtykke, før kommunen kan behandle din ansøgning."
    )
    assert page.get_by_label("Dit fulde navn").input_value() == "Mette Jensen"
    assert page.get_by_label("CPR-nummer").input_value() == "070292-1234"

    page.get_by_label(re.compile("Jeg giver samtykke")).check()
    _submit(page, "Send ansøgning")
    assert "/kvittering/" in page.url
    case = Case.objects.get(citizen__cpr="0702921234")
    expect(page.locator("main")).to_contain_text(case.number)

    # In English, the offers' texts are said to be Danish
    page.goto(f"{live_server.url}/borger/{municipality}/")
    page.locator("#language-select").select_option("en")
    _submit(page, "Skift sprog")
    expect(page.locator("#dansk-tekst")).to_contain_text(
        "quality standard, which is written in Danish, so they are shown in Danish"
    )
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert axe_violations(page) == []


# 6 -------------------------------------------------------------------------------------------


def test_mine_sager_at_375_px_in_english_puts_the_deadline_first(page, live_server, tenants):
    width = 375
    today = timezone.localdate()
    caseworker = staff("caseworker", "gentofte")
    for n in range(2):
        granted_waiting(
            caseworker,
            cpr=f"0{n + 1}0185{n}234",
            offer="ambulant",
            contact_on=today - dt.timedelta(days=3 + n),
        )
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, live_server, caseworker.username)
    page.locator("#language-select").select_option("en")
    _submit(page, "Skift sprog")
    expect(page.get_by_role("heading", level=1)).to_have_text("My cases")

    assert page.evaluate("document.documentElement.scrollWidth") <= width
    deadline = page.locator("main table td.rm-first").first
    expect(deadline).to_be_visible()
    box = deadline.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= width
    tops = deadline.evaluate(
        """cell => [...cell.parentElement.children]
            .filter(c => c.offsetParent !== null)
            .map(c => [c === cell, c.getBoundingClientRect().top])"""
    )
    mine = next(top for is_cell, top in tops if is_cell)
    assert mine == min(top for _, top in tops), tops
    assert axe_violations(page) == []
