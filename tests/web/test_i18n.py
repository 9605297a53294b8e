"""The web in two languages: Danish (the msgid, and the default) and English from the
catalog in `src/rusmiddel/locale/en/LC_MESSAGES/`, chosen with the footer's switch.

Given the committed catalog, every entry is translated and the compiled .mo says the same as
the .po; given a user who chose English, the key pages speak English and no Danish; given no
choice (whatever the browser asks for), they speak Danish.
"""

from __future__ import annotations

import datetime as dt
import gettext
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

import rusmiddel
from case_world import FACTS
from factories import START_KEY_FACTS, staff
from rusmiddel.cases import services
from rusmiddel.cases.models import Case

LOCALE = Path(rusmiddel.__file__).parent / "locale" / "en" / "LC_MESSAGES"
TEMPLATES = Path(rusmiddel.__file__).parent / "web" / "templates"
#: the names of `%(name)s` and `{name}` / `{name:format}` placeholders
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)(?::[^}]*)?\}")


# --- the catalog ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def po() -> polib.POFile:
    return polib.pofile(str(LOCALE / "django.po"))


def test_every_entry_of_the_catalog_is_translated_and_none_is_fuzzy(po):
    assert len(po) > 500  # the whole web, not a stub
    assert not po.metadata_is_fuzzy
    untranslated = [
        e.msgid
        for e in po
        if e.obsolete
        or "fuzzy" in e.flags
        or (not all(e.msgstr_plural.values()) if e.msgid_plural else not e.msgstr)
    ]
    assert untranslated == []


def test_the_committed_mo_says_what_the_po_says(po):
    with open(LOCALE / "django.mo", "rb") as f:
        mo = gettext.GNUTranslations(f)
    compared = 0
    for e in po:
        if e.msgid_plural:
            for n, form in ((1, 0), (2, 1)):
                got = (
                    mo.npgettext(e.msgctxt, e.msgid, e.msgid_plural, n)
                    if e.msgctxt
                    else mo.ngettext(e.msgid, e.msgid_plural, n)
                )
                assert got == e.msgstr_plural[form], e.msgid
        else:
            got = mo.pgettext(e.msgctxt, e.msgid) if e.msgctxt else mo.gettext(e.msgid)
            assert got == e.msgstr, e.msgid
        compared += 1
    assert compared == len(po)


def test_every_translation_keeps_the_placeholders_of_its_msgid(po):
    """A `%(name)s` or `{name}` lost or misspelt in English would crash or show a hole."""
    wrong = []
    for e in po:
        pairs = (
            [(e.msgid, e.msgstr_plural[0]), (e.msgid_plural, e.msgstr_plural[1])]
            if e.msgid_plural
            else [(e.msgid, e.msgstr)]
        )
        for msgid, msgstr in pairs:
            if sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(msgstr)):
                wrong.append(msgid)
    assert wrong == []


def test_every_translate_tag_of_the_templates_is_in_the_catalog(po):
    """A `{% translate "…" %}` added without updating the catalog shows Danish in English."""
    known = {e.msgid for e in po}
    tag = re.compile(r"""\{%\s*(?:translate|trans)\s+(["'])(.+?)\1""")
    missing = [
        f"{path.relative_to(TEMPLATES)}: {text}"
        for path in TEMPLATES.rglob("*.html")
        for _, text in tag.findall(path.read_text(encoding="utf-8"))
        if text.replace("%", "%%") not in known  # as makemessages writes a literal %
    ]
    assert missing == []


# --- the pages in English, and in Danish by default --------------------------------------------


def _days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def _version(case_id: int) -> int:
    return Case.objects.values_list("version", flat=True).get(pk=case_id)


def _client(user=None, language: str | None = None, **headers) -> Client:
    client = Client(**headers)
    if user is not None:
        client.force_login(user)
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.fixture
def world(tenants):
    """A case with an assessment, a granted decision and a course; a group run on the
    calendar; the staff to see them."""
    caseworker = staff("caseworker")
    therapist = staff("therapist")
    case = services.case_create(
        actor=caseworker,
        received_on=_days(-20),
        channel="digital_post",
        citizen_cpr="0702921234",
        citizen_name="Mette Jensen",
        requested_offer="ambulant",
    )
    services.assessment_record(
        actor=caseworker,
        case_id=case.pk,
        version=_version(case.pk),
        facts=FACTS["gentofte"],
        on=_days(-18),
    )
    decision = services.decision_record(
        actor=caseworker,
        case_id=case.pk,
        version=_version(case.pk),
        offer="ambulant",
        outcome="granted",
        decided_on=_days(-15),
        provider="kabs",
    )
    course = services.course_start(
        actor=therapist,
        case_id=case.pk,
        version=_version(case.pk),
        started_on=_days(-10),
        decision_id=decision.pk,
        **START_KEY_FACTS,
    )
    return {
        "caseworker": caseworker,
        "therapist": therapist,
        "administrator": staff("administrator"),
        "helsingoer_therapist": staff("therapist", "helsingoer"),
        "case": case,
        "course": course,
    }


#: page → (who looks, path, English that must be there, Danish that must not)
PAGES = {
    "mine sager": (
        "caseworker",
        "/sager/",
        ["My cases", "Search by name, CPR number or case number", "Cases by deadline"],
        ["Mine sager", "Sager efter frist", "Søg efter navn"],
    ),
    "the case": (
        "caseworker",
        "/sager/{case}/",
        ["Case details", "Case history", "Assessment, version 1", "Make a decision"],
        ["Sagsoplysninger", "Sagens forløb", "Udredning, version 1", "Træf afgørelse"],
    ),
    "the assessment": (
        "caseworker",
        "/sager/{case}/udredning/",
        ["Save the assessment", "Date of birth", "Substance use", "Evaluation"],
        ["Gem udredningen", "Fødselsdato", "Forbrug af rusmidler", "kan bevilges"],
    ),
    "the decision": (
        "caseworker",
        "/sager/{case}/afgoerelse/",
        ["Save the decision and send the letter", "Complaint guidance", "Free choice", "Preview"],
        ["Gem afgørelsen", "Forhåndsvisning", "Frit valg", "Afgørelsens dato"],
    ),
    "the course": (
        "therapist",
        "/forloeb/{course}/",
        ["Treatment plan", "Sessions and attendance", "Book a session", "End the course"],
        ["Behandlingsplan", "Samtaler og fremmøde", "Book en samtale", "Afslut forløbet"],
    ),
    "the group calendar": (
        "helsingoer_therapist",
        "/grupper/",
        ["Groups", "Previous week", "Next week", "Show month"],
        ["Grupper", "Forrige uge", "Næste uge", "Vis måned"],
    ),
    "administration": (
        "administrator",
        "/administration/",
        ["Administration", "Users", "Providers", "Quality standard"],
        ["Brugere", "Leverandører", "Kvalitetsstandard", "Her administrerer du"],
    ),
    "the log-in page": (
        None,
        "/log-ind/",
        ["Log in", "Username", "Password"],
        ["Log ind", "Brugernavn", "Adgangskode"],
    ),
    "the citizen's start page": (
        None,
        "/borger/gentofte/",
        ["Apply for treatment", "Anonymous contact", "The treatment is free."],
        ["Søg om behandling", "Anonym henvendelse", "Behandlingen er gratis."],
    ),
}


def _page(world, name: str, language: str | None, **headers) -> str:
    who, path, _, _ = PAGES[name]
    user = world[who] if who else None
    url = path.format(case=world["case"].pk, course=world["course"].pk)
    response = _client(user, language, **headers).get(url)
    assert response.status_code == 200, (name, response.status_code)
    return response.content.decode()


@pytest.mark.parametrize("name", PAGES)
def test_a_page_speaks_english_when_english_is_chosen(world, name):
    _, _, english, danish = PAGES[name]

    html = _page(world, name, "en")

    assert '<html lang="en">' in html
    for text in english:
        assert text in html, text
    for text in danish:
        assert text not in html, text


@pytest.mark.parametrize("name", PAGES)
def test_a_page_speaks_danish_by_default_whatever_the_browser_asks_for(world, name):
    _, _, english, danish = PAGES[name]

    html = _page(world, name, None, HTTP_ACCEPT_LANGUAGE="en")

    assert '<html lang="da">' in html
    for text in danish:
        assert text in html, text
    for text in ("Skip to content", "Change language", *english[1:]):
        assert text not in html, text


def test_an_unknown_language_in_the_cookie_falls_back_to_danish(tenants):
    html = _client(language="xx").get("/log-ind/").content.decode()
    assert '<html lang="da">' in html and "Brugernavn" in html


def test_the_answer_names_its_language_and_varies_by_the_cookie(tenants):
    english = _client(language="en").get("/log-ind/")
    danish = _client().get("/log-ind/", HTTP_ACCEPT_LANGUAGE="en")
    assert english["Content-Language"] == "en" and danish["Content-Language"] == "da"
    assert "Cookie" in english["Vary"] and "Cookie" in danish["Vary"]


def test_form_errors_and_messages_of_python_are_english_too(world):
    """Field labels, Django's error messages and the services' UI messages come from
    `gettext` in the views and forms, not only from the templates."""
    client = _client(world["therapist"], "en")
    course = world["course"]

    response = client.post(f"/forloeb/{course.pk}/samtaler/", {"version": "x"}, follow=True)

    html = response.content.decode()
    assert "Enter date." in html and "Enter start time." in html
    assert "Skriv dato." not in html


# --- the language switch --------------------------------------------------------------------


def test_every_page_has_the_language_switch_in_the_footer_without_script(tenants):
    html = Client().get("/log-ind/").content.decode()
    footer = html[html.index("<footer") :]
    form = re.search(r'<form method="post" action="/i18n/setlang/".*?</form>', footer, re.S)
    assert form is not None
    assert 'name="language"' in form.group(0)
    assert '<option value="da" lang="da" selected>Dansk</option>' in form.group(0)
    assert '<option value="en" lang="en">English</option>' in form.group(0)
    assert 'name="next" value="/log-ind/"' in form.group(0)
    assert '<button type="submit"' in form.group(0)
    assert "<script" not in form.group(0) and " on" not in form.group(0).replace(" only", "")


def test_the_switch_sets_the_language_and_returns_to_the_page(tenants):
    client = Client()

    answer = client.post("/i18n/setlang/", {"language": "en", "next": "/borger/gentofte/"})

    assert answer.status_code == 302 and answer["Location"] == "/borger/gentofte/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get("/borger/gentofte/").content.decode()
    assert '<html lang="en">' in page and "Apply for treatment" in page
    assert '<option value="en" lang="en" selected>English</option>' in page

    client.post("/i18n/setlang/", {"language": "da", "next": "/borger/gentofte/"})

    page = client.get("/borger/gentofte/").content.decode()
    assert '<html lang="da">' in page and "Søg om behandling" in page


def test_the_switch_works_for_a_logged_in_user_and_keeps_the_session(world):
    client = _client(world["caseworker"])

    client.post("/i18n/setlang/", {"language": "en", "next": "/sager/"})

    page = client.get("/sager/")
    assert page.status_code == 200 and "My cases" in page.content.decode()
