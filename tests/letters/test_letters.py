"""Letters as PDF, read back as text: the reasoning, legal basis, complaint guidance and dates
a decision letter must carry (forvaltningsloven §§ 22–25), receipts, follow-up invitations and
self-payment. One test renders a page to PNG."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pypdf
import pytest

from factories import END_KEY_FACTS, START_KEY_FACTS, staff
from rusmiddel.cases import services
from rusmiddel.letters.models import Letter, LetterKind
from rusmiddel.letters.services import letter_for_decision
from support import AFTER_THE_EVENTS

#: The tests record events ahead of the real today: on a clock after them.
pytestmark = pytest.mark.time_machine(AFTER_THE_EVENTS, tick=False)

CPR = "0702921234"
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


def text_of(letter: Letter) -> str:
    reader = pypdf.PdfReader(io.BytesIO(bytes(letter.pdf)))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def _assessed_case(actor, facts, contact=dt.date(2026, 11, 24)):
    case = services.case_create(
        actor=actor,
        received_on=contact,
        channel="digital_post",
        citizen_cpr=CPR,
        citizen_name="Mette Jensen",
        citizen_address="Strandvejen 1, 2900 Hellerup",
    )
    services.assessment_record(actor=actor, case_id=case.pk, version=1, facts=facts, on=contact)
    return case


@pytest.mark.django_db
def test_a_grant_letter_gives_rules_facts_provider_free_choice_and_the_complaint_date(tenants):
    caseworker = staff("caseworker", "gentofte")
    case = _assessed_case(caseworker, GENTOFTE_FACTS)
    decision = services.decision_record(
        actor=caseworker,
        case_id=case.pk,
        version=2,
        offer="ambulant",
        outcome="granted",
        decided_on=dt.date(2026, 12, 18),  # a Friday, sent by ordinary post
        send_channel="post",
        provider="kabs",
    )
    letter = Letter.objects.get(case=case, kind=LetterKind.DECISION)
    text = text_of(letter)
    # Letterhead and recipient from the standard file and the case
    assert "Gentofte Kommune" in text and "Bernstorffsvej 161" in text
    assert "Mette Jensen" in text and "Strandvejen 1, 2900 Hellerup" in text
    assert case.number in text and "18. december 2026" in text
    # The decision, its legal rules (§ 22), main facts and assessment (§ 24)
    assert "Du har fået bevilget Ambulant behandling" in text
    assert "Afgørelsen er truffet efter SEL § 101" in text
    assert "Borgeren har et problematisk forbrug af rusmidler" in text
    assert "KABS" in text
    # The guarantee from the contact on 24 November
    assert "8. december 2026" in text
    # Free choice: Tilbudsportalen, comparable price and quality
    assert "Frit valg" in text and "Tilbudsportalen" in text and "pris og kvalitet" in text
    # Complaint guidance (§ 25): the body, the deadline as a date. Received six working days
    # after 18 Dec (24–26 Dec closed) = 29 Dec; four weeks later = 26 January 2027.
    assert decision.complaint_deadline == dt.date(2027, 1, 26)
    assert "Klagefristen er 26. januar 2027" in text
    assert "29. december 2026" in text
    assert "Ankestyrelsen" in text
    assert decision.standard_version in text


@pytest.mark.django_db
def test_a_refusal_letter_says_which_conditions_are_not_met(tenants):
    caseworker = staff("caseworker", "gentofte")
    facts = {**GENTOFTE_FACTS, "social": {**GENTOFTE_FACTS["social"], "housing": "shelter"}}
    case = _assessed_case(caseworker, facts)
    services.decision_record(
        actor=caseworker,
        case_id=case.pk,
        version=2,
        offer="anonym_ambulant",
        outcome="refused",
        decided_on=dt.date(2026, 11, 27),
    )
    text = text_of(Letter.objects.get(case=case, kind=LetterKind.DECISION))
    assert "Du har fået afslag på Anonym ambulant behandling" in text
    assert "ikke er tilfældet" in text and "Borgeren har en bolig" in text
    assert "SEL § 101 a" in text


@pytest.mark.django_db
def test_an_alcohol_treatment_letter_says_there_is_no_appeal(tenants):
    """Helsingør: decisions on alcohol treatment (SUL § 141) cannot be appealed; only the
    general service level can be complained of."""
    therapist = staff("therapist", "helsingoer")
    case = _assessed_case(therapist, {"use": {"substances": [{"substance": "alcohol"}]}})
    decision = services.decision_record(
        actor=therapist,
        case_id=case.pk,
        version=2,
        offer="alkoholbehandling_medicinsk",
        outcome="granted",
        decided_on=dt.date(2026, 11, 30),
        override_reason="Lægefaglig vurdering på visitationsmødet",
    )
    assert decision.complaint_deadline is None
    text = text_of(Letter.objects.get(case=case, kind=LetterKind.DECISION))
    assert "Helsingør Rusmiddelcenter" in text and "Kongevejen 4b" in text
    assert "ingen klageadgang" in text and "generelle serviceniveau" in text
    assert "Klagefristen er" not in text


@pytest.mark.django_db
def test_receipt_follow_up_invitations_and_self_payment_letters(tenants):
    therapist = staff("therapist", "helsingoer")
    case = _assessed_case(
        therapist,
        {
            "use": {
                "substances": [{"substance": "cocaine", "primary": True}],
                "level": "dependent",
                "harms_daily_life": True,
            },
            "history": {"previous_offers": ["individuelle_samtaler"]},
            "social": {"housing": "rented"},
            "health": {"psychiatric_disorder": "none"},
        },
    )
    receipt = text_of(Letter.objects.get(case=case, kind=LetterKind.CONTACT_RECEIPT))
    assert "Vi har modtaget din henvendelse den 24. november 2026" in receipt
    assert "senest 8. december 2026" in receipt

    decision = services.decision_record(
        actor=therapist,
        case_id=case.pk,
        version=2,
        offer="doegnbehandling",
        outcome="granted",
        decided_on=dt.date(2026, 11, 30),
        override_reason="Visitationsmødet har vurderet behovet",
    )
    course = services.course_start(
        actor=therapist,
        case_id=case.pk,
        version=3,
        started_on=dt.date(2026, 12, 7),
        decision_id=decision.pk,
        **START_KEY_FACTS,
    )
    services.self_payment_record(
        actor=therapist,
        course_id=course.pk,
        version=4,
        days=90,
        keeps_rent=False,
        monthly_income_dkk=Decimal("9000"),
    )
    payment = text_of(Letter.objects.get(case=case, kind=LetterKind.SELF_PAYMENT))
    # the stay part from the income ("udregnes på baggrund af borgerens indkomstgrundlag"):
    # half of 9,000 − 2,500 a month = 108.33 kr. a day (below the 150 kr. rate); 90 × 108.33
    # + 90 × 80 + 3 × 100 = 17,249.70 kr., under the cap of 3 × (9,000 − 2,500) = 19,500 kr.
    assert "Ophold" in payment and "Kost" in payment and "Vask" in payment
    assert "9749.70" in payment and "19500.00" in payment
    assert "Din egenbetaling er 17249.70 kr." in payment
    assert "SEL § 163, stk. 2" in payment

    services.course_end(
        actor=therapist,
        course_id=course.pk,
        version=5,
        ended_on=dt.date(2027, 8, 31),
        reason="completed",
        outcome="substance_free",
        final_report="Gennemført",
        **END_KEY_FACTS,
    )
    invitations = [
        text_of(letter)
        for letter in Letter.objects.filter(
            case=case, kind=LetterKind.FOLLOW_UP_INVITATION
        ).order_by("pk")
    ]
    assert len(invitations) == 2
    assert "30. september 2027" in invitations[0]
    assert "29. februar 2028" in invitations[1]  # six months after 31 August, leap year


@pytest.mark.django_db
def test_anonymous_cases_get_no_letters_and_letters_are_made_once(tenants):
    therapist = staff("therapist", "helsingoer")
    services.case_create(
        actor=therapist,
        received_on=dt.date(2026, 11, 24),
        channel="walk_in",
        anonymous=True,
        pseudonym="Ravn",
        requested_offer="anonym_gruppe",
    )
    assert not Letter.objects.exists()

    caseworker = staff("caseworker", "gentofte")
    case = _assessed_case(caseworker, GENTOFTE_FACTS)
    decision = services.decision_record(
        actor=caseworker,
        case_id=case.pk,
        version=2,
        offer="ambulant",
        outcome="granted",
        decided_on=dt.date(2026, 11, 27),
    )
    first = Letter.objects.get(kind=LetterKind.DECISION)
    assert letter_for_decision(decision=decision, actor=caseworker) == first
    assert Letter.objects.filter(kind=LetterKind.DECISION).count() == 1


@pytest.mark.django_db
def test_a_letter_page_renders_to_an_image(tenants, tmp_path):
    import pypdfium2

    caseworker = staff("caseworker", "gentofte")
    case = _assessed_case(caseworker, GENTOFTE_FACTS)
    services.decision_record(
        actor=caseworker,
        case_id=case.pk,
        version=2,
        offer="ambulant",
        outcome="granted",
        decided_on=dt.date(2026, 11, 27),
    )
    letter = Letter.objects.get(kind=LetterKind.DECISION)
    page = pypdfium2.PdfDocument(bytes(letter.pdf))[0]
    image = page.render(scale=1).to_pil().convert("L")
    assert abs(image.size[0] - 595) <= 1 and image.size[1] == 842  # A4 at 72 dpi
    dark = sum(image.histogram()[:128])
    assert dark > 5000  # text was drawn, not a blank page
    image.save(tmp_path / "letter.png")
    assert (tmp_path / "letter.png").stat().st_size > 10_000
