"""Issue 18, second reading: the decision letter quotes the assessment's sections (Gentofte's
"samlede vurdering": … motivation, medvirken), and gives each legal basis in today's
numbering with the seed's own wording beside it where it differs (barnets lov § 33, SEL
§ 101, stk. 5-7)."""

from __future__ import annotations

import datetime as dt
import io

import pypdf
import pytest

from factories import staff
from rusmiddel.cases import services
from rusmiddel.cases.models import Case
from rusmiddel.letters.models import Letter, LetterKind

pytestmark = pytest.mark.django_db

CONTACT = dt.date(2026, 11, 24)
DECIDED = dt.date(2026, 12, 4)
GENTOFTE_FACTS = {
    "person": {"role": "user", "children_at_home": 0, "pregnant": False},
    "use": {
        "substances": [{"substance": "cannabis", "primary": True}],
        "level": "problematic",
        "harms_daily_life": True,
    },
    "social": {"self_supporting": True, "housing": "rented", "social_problems": "none"},
    "health": {"psychiatric_disorder": "none"},
    "wishes": {"requests_substitution": False},
}
YOUTH_FACTS = {
    "person": {"role": "user", "children_at_home": 0, "pregnant": False},
    "use": {
        "substances": [{"substance": "cannabis", "primary": True}],
        "level": "problematic",
        "harms_daily_life": True,
    },
    "social": {"housing": "rented", "occupation": "student"},
    "health": {"psychiatric_disorder": "none"},
    "wishes": {"goal": "reduction"},
    "consents": {"parents": True, "family_services": True},
}


def text_of(letter: Letter) -> str:
    reader = pypdf.PdfReader(io.BytesIO(bytes(letter.pdf)))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def version(case_id: int) -> int:
    return Case.objects.values_list("version", flat=True).get(pk=case_id)


def decision_letter(actor, *, cpr, offer, provider, facts, sections=None) -> str:
    case = services.case_create(
        actor=actor,
        received_on=CONTACT,
        channel="digital_post",
        citizen_cpr=cpr,
        citizen_name="Mette Jensen",
        citizen_address="Strandvejen 1, 2900 Hellerup",
    )
    services.assessment_record(
        actor=actor,
        case_id=case.pk,
        version=version(case.pk),
        facts=facts,
        on=CONTACT,
        sections=sections,
    )
    services.decision_record(
        actor=actor,
        case_id=case.pk,
        version=version(case.pk),
        offer=offer,
        outcome="granted",
        decided_on=DECIDED,
        provider=provider,
    )
    return text_of(Letter.objects.get(case=case, kind=LetterKind.DECISION))


def test_kriterier_samlede_vurdering_quoted_in_the_decision_letter(tenants):
    """Seed (Gentofte, Kriterier): "Den samlede vurdering vil indeholde en beskrivelse af
    borgerens: … motivation … medvirken …" — the decision's reasoning (forvaltningsloven
    § 24) quotes what the caseworker wrote, under the standard's headings, in its order."""
    text = decision_letter(
        staff("caseworker", "gentofte"),
        cpr="0702921234",
        offer="ambulant",
        provider="kabs",
        facts=GENTOFTE_FACTS,
        sections={
            "medvirken": "Har selv skaffet en lægeattest og aftalt tider.",
            "motivation": "Vil stoppe med hash for at kunne gennemføre sin uddannelse.",
            "fysisk_psykisk_tilstand": "Sover dårligt; ingen kendt psykisk lidelse.",
        },
    )
    assert "Vi har udredt din situation og vurderet:" in text
    physical = text.index("Fysisk og psykisk tilstand: Sover dårligt")
    motivation = text.index("Motivation: Vil stoppe med hash for at kunne gennemføre")
    medvirken = text.index("Medvirken: Har selv skaffet en lægeattest og aftalt tider.")
    assert physical < motivation < medvirken < text.index("Vi har lagt vægt på")
    assert "Social situation:" not in text  # nothing written, nothing quoted


def test_kriterier_samlede_vurdering_a_letter_without_texts_has_no_such_paragraph(tenants):
    text = decision_letter(
        staff("caseworker", "gentofte"),
        cpr="0702921234",
        offer="ambulant",
        provider="kabs",
        facts=GENTOFTE_FACTS,
    )
    assert "Vi har udredt din situation" not in text
    assert "Afgørelsen er truffet efter SEL § 101." in text


def test_barnets_lov_33_in_the_letter_with_the_seeds_section_52_beside_it(tenants):
    """Seed (Helsingør): "Behandlingen af unge under 18 år gives i henhold til servicelovens
    § 52, stk. 3 nr. 3 eller nr. 9" and "I servicelovens § 101, stk. 4 beskrives borgerens ret
    til frit valg" — the letter cites today's paragraphs with the standard's own beside them."""
    text = decision_letter(
        staff("caseworker", "helsingoer"),
        cpr="0103105234",  # 1 March 2010: 16 years old
        offer="unge_individuel",
        provider="helsingoer_rusmiddelcenter",
        facts=YOUTH_FACTS,
    )
    assert (
        "Afgørelsen er truffet efter SEL § 101, barnets lov § 33 (standarden: servicelovens "
        "§ 52, stk. 3 nr. 3 eller nr. 9)." in text
    )
    assert "(SEL § 101, stk. 5-7 (standarden: servicelovens § 101, stk. 4), SUL § 141)" in text
    assert "§ 32" not in text
