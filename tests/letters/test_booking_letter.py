"""The confirmation of a start booked from the waitlist, read back from the PDF: the offer,
where, the first session or group meeting with its time, and the treatment guarantee's date
it keeps (or misses); made once, in the booking's transaction, sent after the commit."""

from __future__ import annotations

import datetime as dt
import io

import pypdf
import pytest
from django.utils import timezone

from factories import granted_waiting, staff
from rusmiddel.accounts.models import Municipality, Provider
from rusmiddel.capacity.models import Capacity
from rusmiddel.capacity.services import proposal_book
from rusmiddel.cases.errors import Conflict
from rusmiddel.groups.models import Group
from rusmiddel.letters.models import Delivery, DeliveryStatus, Letter, LetterKind
from rusmiddel.letters.services import letter_for_booking
from rusmiddel.rules.calendar import danish_date, next_working_day

CENTER = "helsingoer_rusmiddelcenter"
OFFER = "individuelle_samtaler"


def text_of(letter: Letter) -> str:
    reader = pypdf.PdfReader(io.BytesIO(bytes(letter.pdf)))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def therapist(tenants):
    return staff("therapist", "helsingoer")


def _places(amount: int, today: dt.date) -> Capacity:
    return Capacity.objects.create(
        municipality=Municipality.objects.get(slug="helsingoer"),
        provider=Provider.objects.get(slug=CENTER),
        offer=OFFER,
        kind="weekly_slots",
        amount=amount,
        valid_from=today - dt.timedelta(days=30),
    )


def _book(actor, case, decision, line: str, starts_on: dt.date, today: dt.date):
    return proposal_book(
        actor=actor,
        case_id=case.pk,
        version=3,
        decision_id=decision.pk,
        line=line,
        starts_on=starts_on,
        use_frequency="daily",
        today=today,
    )


def test_a_booked_start_is_confirmed_with_offer_place_first_session_and_the_guarantee(
    therapist, today, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.DATA_DIR = tmp_path
    settings.RUSMIDDEL_OUTBOX_SEND_ON_COMMIT = True
    case, decision = granted_waiting(therapist, cpr="0101801234", offer=OFFER, contact_on=today)
    line = _places(1, today)
    start = next_working_day(today + dt.timedelta(days=1))
    # when the start is booked from the waitlist
    with django_capture_on_commit_callbacks(execute=False) as on_commit:
        course = _book(therapist, case, decision, f"capacity:{line.pk}", start, today)
        # then, until the booking commits, the letter waits in the outbox
        letter = Letter.objects.get(case=case, kind=LetterKind.BOOKING_CONFIRMATION)
        assert Delivery.objects.get(letter=letter).status == DeliveryStatus.PENDING
    text = text_of(letter)
    assert letter.key == f"booking_confirmation:{course.pk}"
    assert "Bekræftelse af behandlingsstart" in text and case.number in text
    assert "Venter 0101801234" in text  # the citizen it is sent to
    assert "Du har fået en plads i Individuelle samtaler hos Helsingør Rusmiddelcenter" in text
    assert f"Din behandling starter den {danish_date(start)}" in text
    assert f"Din første samtale er den {danish_date(start)} kl. 10.00–11.00" in text
    # the place: the provider's address from the standard
    assert "Sted: Helsingør Rusmiddelcenter, Kongevejen 4b, 3000 Helsingør" in text
    due = today + dt.timedelta(days=14)
    assert f"senest den {danish_date(due)}" in text and "overholder garantien" in text
    # and after the commit it goes out through the outbox, once
    for callback in on_commit:
        callback()
    assert Delivery.objects.get(letter=letter).status == DeliveryStatus.SENT
    assert len(list((tmp_path / "outbox" / "helsingoer").glob("*booking_confirmation*.pdf"))) == 1
    assert letter_for_booking(course=course, actor=therapist, on=today).pk == letter.pk
    assert Letter.objects.filter(kind=LetterKind.BOOKING_CONFIRMATION).count() == 1


def test_a_group_start_names_the_run_and_a_late_start_says_the_guarantee_is_missed(
    therapist, today
):
    # given a citizen contacted three weeks ago (the guarantee ran out a week ago) and a
    # cocaine/hash stop run starting on the next Monday that is a working day
    contact = today - dt.timedelta(days=21)
    case, decision = granted_waiting(
        therapist, cpr="0202811234", offer="kokain_hashstop", contact_on=contact
    )
    monday = today + dt.timedelta(days=(7 - today.weekday()) % 7 or 7)
    while next_working_day(monday) != monday:
        monday += dt.timedelta(days=7)
    group = Group.objects.create(
        municipality=Municipality.objects.get(slug="helsingoer"),
        provider=Provider.objects.get(slug=CENTER),
        offer="kokain_hashstop",
        title="Kokain- og hashstop, næste hold",
        starts_on=monday,
        stop_day=monday + dt.timedelta(days=7),
        seats=4,
    )
    # when booked
    _book(therapist, case, decision, f"group:{group.pk}", monday, today)
    # then the letter names the run, its first meeting, and the guarantee missed by the days
    text = text_of(Letter.objects.get(case=case, kind=LetterKind.BOOKING_CONFIRMATION))
    assert f"Første gruppemøde er den {danish_date(monday)} kl. 16.00–18.00" in text
    assert "på holdet »Kokain- og hashstop, næste hold«" in text
    due = contact + dt.timedelta(days=14)
    assert f"senest den {danish_date(due)}" in text
    assert f"({(monday - due).days} dage senere)" in text and "overholder" not in text


def test_a_refused_booking_makes_no_letter(therapist, today):
    first, d1 = granted_waiting(therapist, cpr="0101801234", offer=OFFER, contact_on=today)
    second, d2 = granted_waiting(therapist, cpr="0202811234", offer=OFFER, contact_on=today)
    line = _places(1, today)
    start = next_working_day(today + dt.timedelta(days=1))
    _book(therapist, first, d1, f"capacity:{line.pk}", start, today)
    with pytest.raises(Conflict):
        _book(therapist, second, d2, f"capacity:{line.pk}", start, today)
    letters = Letter.objects.filter(kind=LetterKind.BOOKING_CONFIRMATION)
    assert list(letters.values_list("case_id", flat=True)) == [first.pk]
