"""The self-service forms never throw a citizen's valid application away.

Only *accepted* applications count against the limit per client address (`web.citizen.RATE`,
20 an hour per form: a shelter's or a library's shared PC stays under it); a submission with
errors never counts. Once an address has sent its 20, the next valid application is held, not
lost: the form comes back (429) with everything typed still in it, a Danish notice of when it
can be sent and the municipality's phone number, and nothing is written. Every field of both
forms keeps what was typed on every error."""

from __future__ import annotations

import re
import time
import zlib
from types import SimpleNamespace
from unittest import mock

import django_ratelimit.core
import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from rusmiddel.cases.models import Case, Contact
from rusmiddel.web.citizen import RATE

pytestmark = pytest.mark.django_db

PERIOD = 3600


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def _mid_window(ip: str = "127.0.0.1") -> float:
    """A moment in the middle of django-ratelimit's fixed hour window for `ip`."""
    now = int(time.time())
    edge = now - now % PERIOD + zlib.crc32(ip.encode()) % PERIOD
    return float(edge + PERIOD // 2)


def _clock(offset: float = 0):
    return mock.patch.object(
        django_ratelimit.core, "time", SimpleNamespace(time=lambda: _mid_window() + offset)
    )


def _cpr(n: int) -> str:
    """A valid CPR number per n (day n+1 of January 1992)."""
    return f"{n + 1:02d}0192{1000 + n:04d}"


def _named(**overrides) -> dict[str, str]:
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


def _anonymous(**overrides) -> dict[str, str]:
    return {
        "pseudonym": "Kim",
        "requested_offer": "anonym_ambulant",
        "provider": "gladsaxe_rusmiddelcenter",
        "birth_date": "24.11.1990",
        "note": "Hjælp til hash",
        **overrides,
    }


def _html(response) -> str:
    return response.content.decode()


def _input_value(html: str, name: str) -> str | None:
    tag = re.search(rf'<input[^>]*\sname="{name}"[^>]*>', html)
    if tag is None:
        return None
    value = re.search(r'\svalue="([^"]*)"', tag.group(0))
    return value.group(1) if value else ""  # Django leaves out an empty value


def _named_kept(html: str, typed: dict[str, str], *, unless: str = "") -> None:
    """Every field of the named form shows what was typed (except the field `unless`)."""
    for name in ("name", "cpr", "phone", "email", "address"):
        if name != unless:
            assert _input_value(html, name) == typed[name], name
    if unless != "requested_offer":
        assert f'<option value="{typed["requested_offer"]}" selected>' in html
    if unless != "note":
        assert f"{typed['note']}</textarea>" in html
    if unless != "consent":
        assert re.search(r'<input[^>]*name="consent"[^>]*checked', html)


def _anonymous_kept(html: str, typed: dict[str, str], *, unless: str = "") -> None:
    for name in ("pseudonym", "birth_date"):
        if name != unless:
            assert _input_value(html, name) == typed[name], name
    for name in ("requested_offer", "provider"):
        if name != unless:
            assert re.search(
                rf'<input type="radio" name="{name}" value="{typed[name]}"[^>]*checked', html
            ), name
    if unless != "note":
        assert f"{typed['note']}</textarea>" in html


# --- invalid submissions never count -------------------------------------------------------


def test_four_invalid_then_a_valid_application_is_saved(tenants, client):
    with _clock():
        for bad in ({"cpr": "3102921234"}, {"name": ""}, {"consent": ""}, {"email": "x"}):
            assert client.post("/borger/gentofte/soeg/", _named(**bad)).status_code == 200
        assert client.post("/borger/gentofte/soeg/", _named()).status_code == 302
    assert Case.objects.get().citizen.name == "Mette Jensen"


def test_however_many_errors_the_valid_application_is_saved(tenants, client):
    with _clock():
        for n in range(30):
            response = client.post("/borger/gentofte/soeg/", _named(cpr="3102921234", note=f"{n}"))
            assert response.status_code == 200
            anonymous = client.post("/borger/gentofte/anonym/", _anonymous(pseudonym=""))
            assert anonymous.status_code == 200
        assert client.post("/borger/gentofte/soeg/", _named()).status_code == 302
        assert client.post("/borger/gentofte/anonym/", _anonymous()).status_code == 302
    assert Case.objects.count() == 2


# --- the limit counts accepted applications, and holds (never loses) the next ---------------


def test_after_twenty_accepted_the_next_valid_application_is_held_with_everything_kept(
    tenants, client
):
    assert RATE == "20/h"
    with _clock():
        # given twenty applications accepted from one address within the hour
        for n in range(20):
            response = client.post("/borger/gentofte/soeg/", _named(cpr=_cpr(n)))
            assert response.status_code == 302, n
        # when a twenty-first, valid, is sent
        typed = _named(cpr="070292-1234", note="Min bror hjalp mig med at skrive.")
        held = client.post("/borger/gentofte/soeg/", typed)
        # then it is held, not lost: 429, nothing written, the form with all of it still in it
        assert held.status_code == 429
        assert 0 < int(held["Retry-After"]) <= PERIOD
        assert Case.objects.count() == 20 and not Contact.objects.filter(note__contains="bror")
        html = _html(held)
        assert "Formularen er ikke sendt endnu" in html
        assert "Det, du har skrevet, står stadig i formularen." in html
        assert "Tryk på knappen igen om 30 minutter." in html
        assert "Du kan også ringe til Gentofte Kommune på 39 98 00 00." in html
        assert 'id="ikke-sendt" tabindex="-1" autofocus' in html
        _named_kept(html, typed)
        # an application with errors from the same address is told its errors as always
        wrong = client.post("/borger/gentofte/soeg/", _named(name=""))
        assert wrong.status_code == 200 and "Skriv dit fulde navn" in _html(wrong)
        # the anonymous form is counted on its own, and another address is not held
        assert client.post("/borger/gentofte/anonym/", _anonymous()).status_code == 302
        other = Client(REMOTE_ADDR="10.0.0.7")
        assert other.post("/borger/gentofte/soeg/", _named(cpr=_cpr(21))).status_code == 302
    # when the window has passed, the same form sent again (the text kept) goes through
    with _clock(PERIOD):
        assert client.post("/borger/gentofte/soeg/", typed).status_code == 302
    assert Contact.objects.filter(note__contains="Min bror hjalp mig").count() == 1


def test_the_anonymous_form_holds_the_twenty_first_with_everything_kept(tenants, client):
    with _clock():
        for n in range(20):
            response = client.post("/borger/gentofte/anonym/", _anonymous(pseudonym=f"K{n}"))
            assert response.status_code == 302
        typed = _anonymous(pseudonym="Sidste")
        held = client.post("/borger/gentofte/anonym/", typed)
    assert held.status_code == 429
    assert not Case.objects.filter(pseudonym="Sidste").exists()
    html = _html(held)
    assert "Formularen er ikke sendt endnu" in html
    _anonymous_kept(html, typed)


# --- what was typed is kept on every error, field by field ---------------------------------


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"name": ""}, "name"),
        ({"cpr": "3102921234"}, "cpr"),
        ({"phone": "1" * 31}, "phone"),
        ({"email": "ikke-en-adresse"}, "email"),
        ({"address": "x" * 301}, "address"),
        ({"requested_offer": "no_such_offer"}, "requested_offer"),
        ({"note": "x" * 4001}, "note"),
        ({"consent": ""}, "consent"),
    ],
)
def test_every_field_of_the_application_keeps_what_was_typed(tenants, client, bad, field):
    typed = _named(**bad)
    response = client.post("/borger/gentofte/soeg/", typed)
    assert response.status_code == 200
    html = _html(response)
    assert f'id="id_{field}_error"' in html
    _named_kept(html, typed, unless=field)
    if field in ("name", "cpr", "phone", "email", "address"):
        assert _input_value(html, field) == typed[field]  # even the wrong value stays
    if field == "note":
        assert "x" * 4001 + "</textarea>" in html
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"pseudonym": ""}, "pseudonym"),
        ({"requested_offer": "ambulant"}, "requested_offer"),
        ({"provider": "gentofte_rusmiddelkonsulent"}, "provider"),
        ({"birth_date": "31.02.2000"}, "birth_date"),
        ({"note": "x" * 4001}, "note"),
    ],
)
def test_every_field_of_the_anonymous_form_keeps_what_was_typed(tenants, client, bad, field):
    typed = _anonymous(**bad)
    response = client.post("/borger/gentofte/anonym/", typed)
    assert response.status_code == 200
    html = _html(response)
    assert f'id="id_{field}_error"' in html
    _anonymous_kept(html, typed, unless=field)
    if field in ("pseudonym", "birth_date"):
        assert _input_value(html, field) == typed[field]
    assert not Case.objects.exists()


def test_the_young_persons_confirm_step_keeps_every_field(tenants, client):
    born = timezone.localdate().replace(year=timezone.localdate().year - 16, day=1)
    typed = _named(cpr=f"{born:%d%m%y}4321")
    response = client.post("/borger/gentofte/soeg/", typed)
    assert response.status_code == 200 and "Bekræft og send" in _html(response)
    _named_kept(_html(response), typed)
    assert 'id="under-18" tabindex="-1" autofocus' in _html(response)  # the notice has focus


# --- item 12: the anonymous form and young people; why the offers read in Danish -------------


def test_a_young_person_asking_for_anonymous_counselling_is_not_told_of_parents_consent(
    tenants, client
):
    born = timezone.localdate().replace(year=timezone.localdate().year - 16, day=1)
    typed = {
        "pseudonym": "",
        "requested_offer": "unge_anonym_raadgivning",
        "birth_date": f"{born:%d.%m.%Y}",
        "note": "Jeg ryger hash hver dag",
    }
    html = _html(client.post("/borger/helsingoer/anonym/", typed))
    assert "Skriv det kaldenavn" in html  # the form came back for its error
    assert "Anonym rådgivning kræver ikke samtykke fra dine forældre." in html
    assert "Familierådgivningen" not in html and "skal give samtykke" not in html
    assert "Bekræft og send" not in html
    # and with the pseudonym it is sent at once, with no step to confirm
    sent = client.post("/borger/helsingoer/anonym/", {**typed, "pseudonym": "Kim"})
    assert sent.status_code == 302


@pytest.mark.parametrize(
    "path", ["/borger/helsingoer/", "/borger/helsingoer/soeg/", "/borger/helsingoer/anonym/"]
)
def test_an_english_reader_is_told_why_the_offers_read_in_danish(tenants, client, path):
    note = "which is written in Danish"
    assert note not in _html(client.get(path))  # Danish: nothing to explain
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = _html(client.get(path))
    assert note in html and "Helsingør Kommune" in html


def test_the_receipt_tells_an_english_reader_too(tenants, client):
    sent = client.post("/borger/gentofte/anonym/", _anonymous())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "which is written in Danish" in _html(client.get(sent["Location"]))
