"""The complaint guidance in the letters (forvaltningsloven § 25) speaks to the citizen ("du")
and is the guidance itself: the standard's description of a route ("kan borgeren klage …
Klagevejledning vil fremgå af afgørelsen") stays in the standard file as its data, and the
letter says how to complain, to whom, by which date and what happens next."""

from __future__ import annotations

import datetime as dt
import io
import re

import pypdf
import pytest
from django.template.loader import render_to_string

from factories import staff
from rusmiddel.cases import services
from rusmiddel.letters.compose import _guidance
from rusmiddel.letters.models import Letter, LetterKind
from rusmiddel.standards.registry import every_version
from support import AFTER_THE_EVENTS

# the decisions are dated ahead of the real today (the services refuse that)
pytestmark = pytest.mark.time_machine(AFTER_THE_EVENTS, tick=False)

ROUTES = [
    pytest.param(compiled.standard, route, id=f"{compiled.standard.municipality.id}-{route.id}")
    for compiled in every_version()
    for route in compiled.standard.complaint_routes
]


GENTOFTE_FACTS = {
    "person": {"role": "user", "children_at_home": 0, "pregnant": False},
    "use": {
        "substances": [{"substance": "cannabis", "primary": True}],
        "level": "problematic",
        "harms_daily_life": True,
    },
    "social": {"self_supporting": True, "housing": "rented", "social_problems": "none"},
    "health": {"psychiatric_disorder": "none"},
}


def text_of(letter: Letter) -> str:
    reader = pypdf.PdfReader(io.BytesIO(bytes(letter.pdf)))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def _assessed_case(actor, facts):
    case = services.case_create(
        actor=actor,
        received_on=dt.date(2026, 11, 24),
        channel="digital_post",
        citizen_cpr="0702921234",
        citizen_name="Mette Jensen",
    )
    services.assessment_record(
        actor=actor, case_id=case.pk, version=1, facts=facts, on=dt.date(2026, 11, 24)
    )
    return case


def _plain(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.parametrize(("standard", "route"), ROUTES)
def test_every_routes_guidance_in_a_letter_addresses_the_citizen(standard, route):
    deadline = dt.date(2027, 1, 26) if route.deadline_weeks else None
    guidance = _guidance(standard, route.id, deadline, dt.date(2026, 12, 29))
    text = _plain(render_to_string("letters/complaint.html", {"g": guidance}))
    assert "borger" not in text.lower(), text
    assert "vil fremgå af afgørelsen" not in text, text
    assert re.search(r"\bdu\b", text), text
    if route.appealable:
        assert f"Send klagen til: {route.first_instance}" in text
    if deadline:
        assert "Klagefristen er 26. januar 2027." in text
        assert "du har modtaget afgørelsen (29. december 2026)" in text


def test_the_standard_keeps_its_own_wording_as_data():
    gentofte = next(c.standard for c in every_version() if c.standard.municipality.id == "gentofte")
    route = gentofte.complaint_route("social")
    assert "Klagevejledning vil fremgå af afgørelsen" in route.text
    assert route.letter_text and "borger" not in route.letter_text


@pytest.mark.django_db
def test_a_decision_letters_complaint_section_is_guidance_to_the_citizen(tenants):
    caseworker = staff("caseworker", "gentofte")
    case = _assessed_case(caseworker, GENTOFTE_FACTS)
    services.decision_record(
        actor=caseworker,
        case_id=case.pk,
        version=2,
        offer="ambulant",
        outcome="granted",
        decided_on=dt.date(2026, 12, 18),
        send_channel="post",
        provider="kabs",
    )
    text = text_of(Letter.objects.get(case=case, kind=LetterKind.DECISION))
    guidance = text[text.index("Klagevejledning") :]
    assert "Klagevejledning vil fremgå af afgørelsen" not in text
    assert "borgeren" not in guidance.lower()
    assert "Er du ikke enig i afgørelsen, kan du klage over den" in guidance
    assert "skriftligt eller mundtligt" in guidance
    assert "Send klagen til: Gentofte Kommune, Social og Handicap Myndighed" in guidance
    assert "Klagefristen er 26. januar 2027." in guidance
    assert "sender vi klagen videre til Ankestyrelsen" in guidance


@pytest.mark.django_db
def test_the_medical_part_gives_its_own_deadline_in_words_to_the_citizen(tenants):
    """Helsingør: alcohol treatment with medication has no appeal of the decision; its medical
    part goes to Styrelsen for Patientklager within 2 years of knowing, 5 at most."""
    therapist = staff("therapist", "helsingoer")
    case = _assessed_case(therapist, {"use": {"substances": [{"substance": "alcohol"}]}})
    services.decision_record(
        actor=therapist,
        case_id=case.pk,
        version=2,
        offer="alkoholbehandling_medicinsk",
        outcome="granted",
        decided_on=dt.date(2026, 11, 30),
        override_reason="Lægefaglig vurdering på visitationsmødet",
    )
    text = text_of(Letter.objects.get(case=case, kind=LetterKind.DECISION))
    guidance = text[text.index("Klagevejledning") :]
    assert "borgeren" not in guidance.lower()
    assert "Send klagen til: Styrelsen for Patientklager" in guidance
    assert "senest 2 år efter, at du fik kendskab til" in guidance
    assert "generelle serviceniveau" in guidance and "ingen klageadgang" in guidance
