"""The public self-service pages (/borger/<kommune>/…): a citizen applies for treatment or
turns to an anonymous offer without logging in; errors are told next to the field in Danish
with nothing typed lost; the receipt sits behind a signed link that expires; every form is
CSRF-protected (the limit on accepted applications per client: test_citizen_limits.py)."""

from __future__ import annotations

import datetime as dt
import re
import time
from unittest import mock

import pytest
from django.core import signing
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from factories import staff
from rusmiddel.audit.models import AuditEntry
from rusmiddel.cases.models import Case, Citizen, Contact, Deadline
from rusmiddel.letters.compose import danish_date
from rusmiddel.web.citizen import RECEIPT_SALT, receipt_token

pytestmark = pytest.mark.django_db

CPR = "0702921234"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def _counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in (Case, Citizen, Contact, Deadline, AuditEntry)}


def _named_form(**overrides) -> dict[str, str]:
    return {
        "name": "Mette Jensen",
        "cpr": "070292-1234",
        "phone": "12 34 56 78",
        "email": "mette@example.dk",
        "address": "Bernstorffsvej 1, 2900 Hellerup",
        "requested_offer": "ambulant",
        "note": "Jeg vil gerne stoppe med kokain.",
        "consent": "on",
        **overrides,
    }


def _cpr_for_age(age: int) -> str:
    """A CPR number of someone who turned `age` today (century digit 4: born 2000–2036)."""
    born = timezone.localdate()
    born = born.replace(year=born.year - age, day=min(born.day, 28))
    return f"{born:%d%m%y}4321"


def _html(response) -> str:
    return response.content.decode()


def _error_next_to(html: str, field: str) -> str:
    """The error message shown for `field`, after checking the input points at it."""
    match = re.search(
        rf'<span class="form-error-message" id="id_{field}_error">'
        r'<span class="sr-only">Fejl: </span>([^<]+)</span>',
        html,
    )
    assert match, f"no error shown for {field}"
    tag = re.search(rf'<(?:input|select|textarea)[^>]*\sid="id_{field}(?:_0)?"[^>]*>', html)
    assert tag, field
    if 'type="radio"' not in tag.group(0):
        assert 'aria-invalid="true"' in tag.group(0)
        assert re.search(rf'aria-describedby="[^"]*id_{field}_error', tag.group(0))
    else:
        assert re.search(rf'<fieldset aria-describedby="[^"]*id_{field}_error', html)
    # and in the summary at the top, as a link to the field
    assert re.search(rf'<a class="function-link" href="#id_{field}(?:_0)?">', html)
    return match.group(1)


def _value_kept(html: str, field: str, value: str) -> bool:
    tag = re.search(rf'<input[^>]*\sname="{field}"[^>]*>', html)
    return tag is not None and f'value="{value}"' in tag.group(0)


# --- the pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize("municipality", ["gentofte", "helsingoer"])
def test_the_start_page_offers_both_ways_in_without_login(tenants, client, municipality):
    html = _html(client.get(f"/borger/{municipality}/"))
    assert "Søg om behandling" in html and "Anonym henvendelse" in html
    assert f'href="/borger/{municipality}/soeg/"' in html
    assert f'href="/borger/{municipality}/anonym/"' in html


@pytest.mark.parametrize("path", ["", "soeg/", "anonym/", "kvittering/abc/"])
def test_an_unknown_municipality_is_not_found(tenants, client, path):
    response = client.get(f"/borger/atlantis/{path}")
    assert response.status_code == 404
    assert "Siden findes ikke" in _html(response)


@pytest.mark.parametrize(
    "path", ["/borger/gentofte/", "/borger/gentofte/soeg/", "/borger/helsingoer/anonym/"]
)
def test_the_pages_are_danish_dkfds_without_inline_style_or_script(tenants, client, path):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = _html(response)
    assert '<html lang="da">' in html
    assert not re.search(r"<style[\s>]|\sstyle\s*=|\son[a-z]+\s*=", html, re.I)
    for attributes, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.I | re.S):
        assert "src=" in attributes and not body.strip()
    for target in re.findall(r'<label[^>]*\sfor="([^"]+)"', html):
        assert f'id="{target}"' in html, target


def test_the_application_form_lists_the_treatment_offers_that_are_not_anonymous(tenants, client):
    html = _html(client.get("/borger/gentofte/soeg/"))
    options = re.findall(r'<option value="([^"]*)"', html)
    assert options[0] == ""  # "don't know": the offer is optional
    assert "ambulant" in options and "substitution" in options
    assert "anonym_ambulant" not in options and "raadgivning" not in options
    assert "artikel 9" in html and "helbredsoplysninger" in html  # what and why, GDPR art. 9
    assert 'class="form-checkbox"' in html and 'name="consent"' in html


def test_the_anonymous_page_tells_where_to_turn_and_how(tenants, client):
    html = _html(client.get("/borger/helsingoer/anonym/"))
    assert "Anonymt gruppebehandlingstilbud" in html
    assert "4186 9624" in html  # Helsingør's group phone number, from the standard
    assert "Helsingør Rusmiddelcenter" in html
    assert 'name="cpr"' not in html and 'name="name"' not in html
    assert 'name="provider"' not in html  # one place only: nothing to choose
    gentofte = _html(client.get("/borger/gentofte/anonym/"))
    assert "KABS" in gentofte and "Gladsaxe Rusmiddelcenter" in gentofte
    assert 'value="gladsaxe_rusmiddelcenter"' in gentofte  # two places: the citizen chooses


# --- a named application -----------------------------------------------------------------------


def test_a_named_application_opens_a_case_and_shows_the_receipt(tenants, client):
    today = timezone.localdate()
    response = client.post("/borger/gentofte/soeg/", _named_form())
    assert response.status_code == 302
    assert response["Location"].startswith("/borger/gentofte/kvittering/")

    case = Case.objects.get()
    contact = case.contacts.get()
    assert (contact.channel, contact.recorded_by_id, contact.received_on) == (
        "self_service",
        None,
        today,
    )
    assert contact.guarantee_due == today + dt.timedelta(days=14)
    assert (case.citizen.cpr, case.citizen.name, case.caseworker_id) == (
        CPR,
        "Mette Jensen",
        None,
    )
    entry = AuditEntry.objects.get(event="case_created", case_id=case.pk)
    assert (entry.actor, entry.why) == ("system", "selvbetjening")

    receipt = client.get(response["Location"])
    assert receipt.status_code == 200
    html = _html(receipt)
    assert case.number in html
    assert danish_date(today) in html
    assert f"Behandlingen skal være sat i gang senest {danish_date(contact.guarantee_due)}" in html
    assert "39 98 00 00" in html and "Bernstorffsvej 161" in html  # from Gentofte's standard
    assert CPR not in html and "070292" not in html  # the link could be passed on


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"cpr": "3102921234"}, "cpr", "CPR-nummeret er ikke gyldigt"),
        ({"consent": ""}, "consent", "Du skal give samtykke"),
        ({"requested_offer": "no_such_offer"}, "requested_offer", "Vælg et af tilbuddene"),
        ({"name": ""}, "name", "Skriv dit fulde navn"),
        ({"email": "ikke-en-adresse"}, "email", "gyldig e-mailadresse"),
    ],
)
def test_an_input_error_is_told_next_to_the_field_and_keeps_what_was_typed(
    tenants, client, overrides, field, message
):
    before = _counts()
    response = client.post(
        "/borger/gentofte/soeg/", _named_form(**overrides), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    html = _html(response)
    assert message in _error_next_to(html, field)
    assert "<title>Fejl:" in html
    assert 'class="alert alert-error"' in html  # the summary at the top
    typed = _named_form(**overrides)
    for name in ("name", "phone", "email", "address"):
        if name != field:
            assert _value_kept(html, name, typed[name]), name
    assert "Jeg vil gerne stoppe med kokain.</textarea>" in html
    if field != "cpr":
        assert _value_kept(html, "cpr", "070292-1234")
    if field != "consent":
        assert re.search(r'<input[^>]*name="consent"[^>]*checked', html)
    if field != "requested_offer":
        assert re.search(r'<option value="ambulant" selected>', html)
    assert _counts() == before


def test_a_young_person_is_told_about_parents_and_family_services_before_sending(tenants, client):
    cpr = _cpr_for_age(16)
    first = client.post("/borger/helsingoer/soeg/", _named_form(cpr=cpr, requested_offer=""))
    assert first.status_code == 200
    html = _html(first)
    assert "Du er under 18 år" in html
    assert "Familierådgivningen" in html and "samtykke" in html
    assert (
        "For unge under 18 år vil der altid være tale om et samarbejde med forældrene og "
        "Familierådgivningen, der begge skal give samtykke til behandlingen." in html
    )
    assert "Bekræft og send" in html
    assert re.search(r'<input type="hidden" name="confirm_under_18" value="True"', html)
    assert not Case.objects.exists()  # nothing sent yet

    confirmed = client.post(
        "/borger/helsingoer/soeg/",
        _named_form(cpr=cpr, requested_offer="", confirm_under_18="True"),
    )
    assert confirmed.status_code == 302
    assert Case.objects.get().citizen.cpr == cpr

    gentofte = _html(client.post("/borger/gentofte/soeg/", _named_form(cpr=_cpr_for_age(16))))
    assert "Børn og Familie" in gentofte  # Gentofte's standard names its own department

    adult = client.post("/borger/gentofte/soeg/", _named_form(cpr=_cpr_for_age(18)))
    assert adult.status_code == 302  # 18 today: no notice, sent at once


# --- the anonymous form ------------------------------------------------------------------------


def test_an_anonymous_self_referral_to_helsingoers_group(tenants, client):
    response = client.post(
        "/borger/helsingoer/anonym/",
        {"pseudonym": "Kim", "requested_offer": "anonym_gruppe", "note": "Hash"},
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.anonymous, case.citizen_id, case.pseudonym) == (True, None, "Kim")
    assert case.provider.slug == "helsingoer_rusmiddelcenter"
    assert case.contacts.get().guarantee_due is None

    html = _html(client.get(response["Location"]))
    assert case.number in html
    assert "Behandlingen skal være sat i gang" not in html  # no guarantee (SEL § 101 a)
    assert "4186 9624" in html and "Helsingør Rusmiddelcenter" in html
    assert "Kim" not in html  # nothing that points at the person


def test_an_anonymous_self_referral_reaches_the_chosen_provider_only(tenants, client, as_role):
    response = client.post(
        "/borger/gentofte/anonym/",
        {
            "pseudonym": "Kim",
            "requested_offer": "anonym_ambulant",
            "provider": "gladsaxe_rusmiddelcenter",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.provider.slug, case.citizen_id) == ("gladsaxe_rusmiddelcenter", None)
    provider_staff = as_role("provider_staff", "gentofte", "gladsaxe_rusmiddelcenter")
    assert provider_staff.get(f"/cases/{case.pk}")[0] == 200
    assert as_role("provider_staff", "gentofte", "kabs").get(f"/cases/{case.pk}")[0] == 404
    assert as_role("caseworker", "gentofte").get(f"/cases/{case.pk}")[0] == 404

    client.post(
        "/borger/gentofte/anonym/", {"pseudonym": "Bo", "requested_offer": "anonym_ambulant"}
    )
    assert Case.objects.get(pseudonym="Bo").provider.slug == "kabs"  # the first one named


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"requested_offer": "ambulant"}, "requested_offer", "Vælg et af de anonyme tilbud"),
        ({"requested_offer": ""}, "requested_offer", "Vælg det tilbud"),
        ({"pseudonym": ""}, "pseudonym", "Skriv det kaldenavn"),
        ({"provider": "gentofte_rusmiddelkonsulent"}, "provider", "giver ikke tilbuddet"),
        ({"birth_date": "31.02.2000"}, "birth_date", "dag.måned.år"),
    ],
)
def test_the_anonymous_form_refuses_what_it_cannot_take(tenants, client, data, field, message):
    before = _counts()
    typed = {"pseudonym": "Kim", "requested_offer": "anonym_ambulant", "note": "Hjælp", **data}
    response = client.post("/borger/gentofte/anonym/", typed)
    assert response.status_code == 200
    html = _html(response)
    assert message in _error_next_to(html, field)
    if field != "pseudonym":
        assert _value_kept(html, "pseudonym", "Kim")
    assert "Hjælp</textarea>" in html
    assert _counts() == before


def test_a_young_person_cannot_join_an_adult_anonymous_offer(tenants, client):
    born = timezone.localdate().replace(year=timezone.localdate().year - 16, day=1)
    response = client.post(
        "/borger/helsingoer/anonym/",
        {"pseudonym": "Kim", "requested_offer": "anonym_gruppe", "birth_date": f"{born:%d.%m.%Y}"},
    )
    assert response.status_code == 200
    html = _html(response)
    assert "er for borgere fra 18 år" in _error_next_to(html, "requested_offer")
    # no notice of parents' consent for an offer the young person cannot have anyway
    assert "skal give samtykke" not in html
    assert not Case.objects.exists()


# --- the receipt -------------------------------------------------------------------------------


def _receipt_path(case: Case, token: str | None = None) -> str:
    return f"/borger/{case.municipality.slug}/kvittering/{token or receipt_token(case)}/"


def _a_case(client) -> Case:
    client.post("/borger/gentofte/soeg/", _named_form())
    return Case.objects.get()


def test_a_tampered_receipt_link_is_not_found(tenants, client):
    case = _a_case(client)
    token = receipt_token(case)
    assert client.get(_receipt_path(case, token)).status_code == 200

    forged = signing.dumps({"case": case.pk}, salt="another-salt")
    # another case's id under this link's signature
    payload = signing.b64_encode(f'{{"case":{case.pk + 1}}}'.encode()).decode()
    other_payload = ":".join([payload, *token.split(":")[1:]])
    for bad in (token[:-1] + ("A" if token[-1] != "A" else "B"), forged, other_payload, "x"):
        response = client.get(_receipt_path(case, bad))
        assert response.status_code == 404, bad
        assert "Kvitteringen findes ikke" in _html(response)
    # a good link, but for another municipality's address
    assert client.get(f"/borger/helsingoer/kvittering/{token}/").status_code == 404


def test_a_receipt_link_expires_after_a_day(tenants, client):
    case = _a_case(client)
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 24 * 3600 - 60):
        old = signing.dumps({"case": case.pk}, salt=RECEIPT_SALT)
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 23 * 3600):
        recent = signing.dumps({"case": case.pk}, salt=RECEIPT_SALT)
    assert client.get(_receipt_path(case, old)).status_code == 404
    assert client.get(_receipt_path(case, recent)).status_code == 200


# --- abuse: CSRF ---------------------------------------------------------------------------------


def test_the_forms_need_the_csrf_token(tenants):
    browser = Client(enforce_csrf_checks=True)
    assert browser.post("/borger/gentofte/soeg/", _named_form()).status_code == 403
    assert (
        browser.post(
            "/borger/helsingoer/anonym/", {"pseudonym": "Kim", "requested_offer": "anonym_gruppe"}
        ).status_code
        == 403
    )
    assert not Case.objects.exists()

    page = _html(browser.get("/borger/gentofte/soeg/"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = browser.post(
        "/borger/gentofte/soeg/", {**_named_form(), "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert Case.objects.count() == 1


def test_staff_logged_in_use_the_same_public_form(tenants, client):
    client.force_login(staff("caseworker", "gentofte"))
    assert client.post("/borger/gentofte/soeg/", _named_form()).status_code == 302
    contact = Contact.objects.get()
    assert contact.recorded_by_id is None  # the citizen's own application, not the caseworker's
