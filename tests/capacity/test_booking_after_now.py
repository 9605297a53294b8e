"""Booking from the waitlist is for a time the citizen can still reach: the proposals are made
from now (one clock, Europe/Copenhagen) and a booking of a start whose first session has
begun, or begins less than `waitlist.LEAD_TIME` from now, is refused in Danish with nothing
written; the confirmation letter names the session that was proposed.

Frozen moments: a Tuesday at 21.35, a Friday evening, the evening before Easter (Maundy
Thursday to Easter Monday are public holidays) and a Monday morning around 8."""

from __future__ import annotations

import datetime as dt
import io
from unittest import mock

import pypdf
import pytest

from factories import granted_waiting, staff
from rusmiddel.accounts.models import Municipality, Provider
from rusmiddel.audit.models import AuditEntry
from rusmiddel.capacity.models import Capacity
from rusmiddel.capacity.selectors import waitlist_board
from rusmiddel.capacity.services import proposal_book
from rusmiddel.cases.errors import Invalid
from rusmiddel.cases.models import Case, Course, Session
from rusmiddel.groups.models import Group
from rusmiddel.letters.models import Letter, LetterKind
from rusmiddel.rules import waitlist as wl
from rusmiddel.rules.schedule import COPENHAGEN

CENTER = "helsingoer_rusmiddelcenter"
OFFER = "individuelle_samtaler"


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=COPENHAGEN)


@pytest.fixture
def therapist(tenants):
    return staff("therapist", "helsingoer")


def slots(since: dt.date, amount: int = 3) -> Capacity:
    return Capacity.objects.create(
        municipality=Municipality.objects.get(slug="helsingoer"),
        provider=Provider.objects.get(slug=CENTER),
        offer=OFFER,
        kind="weekly_slots",
        amount=amount,
        valid_from=since - dt.timedelta(days=30),
    )


def waiting(therapist, contact_on: dt.date, cpr: str = "0101801234"):
    return granted_waiting(therapist, cpr=cpr, offer=OFFER, contact_on=contact_on)


def book(therapist, case, decision, line: str, starts_on: dt.date, now: dt.datetime):
    return proposal_book(
        actor=therapist,
        case_id=case.pk,
        version=Case.objects.values_list("version", flat=True).get(pk=case.pk),
        decision_id=decision.pk,
        line=line,
        starts_on=starts_on,
        use_frequency="daily",
        now=now,
    )


def letter_text(case) -> str:
    letter = Letter.objects.get(case=case, kind=LetterKind.BOOKING_CONFIRMATION)
    reader = pypdf.PdfReader(io.BytesIO(bytes(letter.pdf)))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


@pytest.mark.parametrize(
    ("now", "proposed"),
    [
        (at(dt.date(2026, 11, 24), 21, 35), dt.date(2026, 11, 25)),  # Tuesday evening
        (at(dt.date(2026, 11, 27), 21, 35), dt.date(2026, 11, 30)),  # Friday evening: Monday
        (at(dt.date(2026, 4, 1), 21, 35), dt.date(2026, 4, 7)),  # before Easter: Tuesday
    ],
    ids=["late-in-the-day", "friday-evening", "before-easter"],
)
def test_the_proposal_is_the_next_start_still_ahead_and_today_is_refused(therapist, now, proposed):
    # given a citizen granted a week ago and start slots free every day
    today = now.date()
    case, decision = waiting(therapist, today - dt.timedelta(days=7))
    line = f"capacity:{slots(today).pk}"
    # when the waitlist is read at that moment
    (row,) = waitlist_board(user=therapist, today=today, now=now).rows
    # then the start proposed is the first working day still ahead
    assert (row.proposal.line.key, row.proposal.start) == (line, proposed)
    # and booking today's 10.00, long begun, is refused in Danish with nothing written
    with pytest.raises(Invalid) as refused:
        book(therapist, case, decision, line, today, now)
    assert refused.value.field == "starts_on"
    assert f"Starten {today:%d.%m.%Y} kl. 10.00 er allerede begyndt" in refused.value.message
    assert "Intet er gemt" in refused.value.message
    assert not Course.objects.filter(case=case).exists()
    assert not AuditEntry.objects.filter(case_id=case.pk, event="waitlist_booked").exists()
    # and the proposal itself books, with a letter for a time the citizen can reach
    course = book(therapist, case, decision, line, proposed, now)
    session = Session.objects.get(course=course)
    assert session.starts_at == at(proposed, 10) and session.starts_at > now + wl.LEAD_TIME
    assert "Din første samtale er den" in letter_text(case)
    assert f"{proposed.day}." in letter_text(case) and "kl. 10.00–11.00" in letter_text(case)


def test_the_same_morning_only_while_the_first_session_is_two_hours_away(therapist):
    monday = dt.date(2026, 11, 30)
    first, d1 = waiting(therapist, monday - dt.timedelta(days=3))
    second, d2 = waiting(therapist, monday - dt.timedelta(days=3), cpr="0202811234")
    line = f"capacity:{slots(monday).pk}"
    # at 8.00 the 10.00 session is exactly two hours away: proposed and booked
    (row, _) = waitlist_board(user=therapist, today=monday, now=at(monday, 8)).rows
    assert row.proposal.start == monday
    book(therapist, first, d1, line, monday, at(monday, 8))
    # at 8.30 it is not: the next day is proposed, and today is refused
    (row,) = waitlist_board(user=therapist, today=monday, now=at(monday, 8, 30)).rows
    assert row.proposal.start == monday + dt.timedelta(days=1)
    with pytest.raises(Invalid, match="kl. 10.00 er under 2 timer fra nu"):
        book(therapist, second, d2, line, monday, at(monday, 8, 30))


def test_a_group_start_counts_from_the_meetings_own_time(therapist):
    # a cocaine/hash stop run meets on Mondays 16.00–18.00
    monday = dt.date(2026, 11, 30)
    case, decision = granted_waiting(
        therapist, cpr="0202811234", offer="kokain_hashstop", contact_on=monday
    )
    group = Group.objects.create(
        municipality=Municipality.objects.get(slug="helsingoer"),
        provider=Provider.objects.get(slug=CENTER),
        offer="kokain_hashstop",
        title="Kokain- og hashstop",
        starts_on=monday,
        stop_day=monday + dt.timedelta(days=7),
        seats=4,
    )
    line = f"group:{group.pk}"
    # at 14.30 the first meeting begins in 1 h 30 min: no proposal (no intake after it)
    (row,) = waitlist_board(user=therapist, today=monday, now=at(monday, 14, 30)).rows
    assert row.proposal.line is None
    with pytest.raises(Invalid, match="kl. 16.00 er under 2 timer fra nu"):
        book(therapist, case, decision, line, monday, at(monday, 14, 30))
    # at 13.30 it is still ahead by more than two hours
    (row,) = waitlist_board(user=therapist, today=monday, now=at(monday, 13, 30)).rows
    assert (row.proposal.line.key, row.proposal.start) == (line, monday)
    book(therapist, case, decision, line, monday, at(monday, 13, 30))
    assert "Første gruppemøde er den 30. november 2026 kl. 16.00–18.00" in letter_text(case)


def test_the_page_proposes_and_books_from_one_clock(client, therapist):
    # the page read at 21.35 proposes tomorrow; its book button books that, not today
    tuesday = dt.date(2026, 11, 24)
    case, decision = waiting(therapist, tuesday - dt.timedelta(days=7))
    slots(tuesday)
    client.force_login(staff("head_of_unit", "helsingoer"))
    with mock.patch("django.utils.timezone.now", return_value=at(tuesday, 21, 35)):
        page = client.get("/venteliste/").content.decode()
        assert 'name="starts_on" value="2026-11-25"' in page
        assert "Ingen start foreslås, der begynder mindre end 2 timer fra nu" in page
        # a stale page's proposal of today (read in the morning) is told, not booked
        stale = client.post(
            "/venteliste/book/",
            {
                "case": case.pk,
                "version": 3,
                "decision": decision.pk,
                "line": f"capacity:{Capacity.objects.get().pk}",
                "starts_on": tuesday.isoformat(),
                "use_frequency": "daily",
            },
        )
    assert stale.status_code == 422
    assert "kl. 10.00 er allerede begyndt" in stale.content.decode()
    assert not Course.objects.exists()
