"""The waitlist on the database: who waits, in the standard's order, with proposals that fit
the capacity; booking one starts the course with its first session or group seat, and the
last place goes once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from factories import granted_waiting, staff
from rusmiddel.accounts.models import Municipality, Provider
from rusmiddel.audit.models import AuditEntry
from rusmiddel.capacity.models import Capacity
from rusmiddel.capacity.selectors import guarantee_kept_share, waitlist_board, waitlist_forecast
from rusmiddel.capacity.services import proposal_book
from rusmiddel.cases.errors import Conflict, Forbidden, Invalid
from rusmiddel.cases.models import Case, Course, Deadline, Session
from rusmiddel.letters.models import Letter
from rusmiddel.rules.calendar import next_working_day

CENTER = "helsingoer_rusmiddelcenter"
OFFER = "individuelle_samtaler"  # from 25 years, covered by the guarantee


def places(amount: int, *, offer: str = OFFER, provider: str = CENTER, **kw) -> Capacity:
    return Capacity.objects.create(
        municipality=Municipality.objects.get(slug="helsingoer"),
        provider=Provider.objects.get(slug=provider),
        offer=offer,
        kind=kw.pop("kind", "places"),
        amount=amount,
        valid_from=timezone.localdate() - dt.timedelta(days=30),
        **kw,
    )


def version(case) -> int:
    return Case.objects.values_list("version", flat=True).get(pk=case.pk)


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def therapist(tenants):
    return staff("therapist", "helsingoer")


def test_the_waitlist_holds_the_granted_not_started_in_the_standards_order(therapist, today):
    # given three granted citizens contacted 2, 10 and 6 days ago, and one already started
    late = granted_waiting(
        therapist, cpr="0101801234", offer=OFFER, contact_on=today - dt.timedelta(days=10)
    )
    fresh = granted_waiting(
        therapist, cpr="0202811234", offer=OFFER, contact_on=today - dt.timedelta(days=2)
    )
    middle = granted_waiting(
        therapist, cpr="0303821234", offer=OFFER, contact_on=today - dt.timedelta(days=6)
    )
    started, decision = granted_waiting(
        therapist, cpr="0404831234", offer=OFFER, contact_on=today - dt.timedelta(days=1)
    )
    places(5)
    proposal_book(
        actor=therapist,
        case_id=started.pk,
        version=3,
        decision_id=decision.pk,
        line=f"capacity:{Capacity.objects.get().pk}",
        # tomorrow's: today's first session may have begun (a start is at least 2 hours ahead)
        starts_on=next_working_day(today + dt.timedelta(days=1)),
        use_frequency="daily",
    )
    # when the head of unit reads the waitlist
    head = staff("head_of_unit", "helsingoer")
    board = waitlist_board(user=head, today=today)
    # then the fewest days left on the guarantee go first, the started one is gone
    assert [r.case.pk for r in board.rows] == [late[0].pk, middle[0].pk, fresh[0].pk]
    assert [r.proposal.days_left for r in board.rows] == [4, 8, 12]
    assert all(r.proposal.in_time and r.proposal.line for r in board.rows)
    assert board.share == (3, 3)
    # and each read is logged, one entry per case shown
    logged = AuditEntry.objects.filter(actor_id=head.pk, event="case_list", why="venteliste")
    assert sorted(logged.values_list("case_id", flat=True)) == sorted(r.case.pk for r in board.rows)


def test_booking_starts_the_course_with_a_first_session_and_meets_the_guarantee(therapist, today):
    case, decision = granted_waiting(therapist, cpr="0101801234", offer=OFFER, contact_on=today)
    line = places(1)
    start = next_working_day(today + dt.timedelta(days=1))
    # when booked
    course = proposal_book(
        actor=therapist,
        case_id=case.pk,
        version=3,
        decision_id=decision.pk,
        line=f"capacity:{line.pk}",
        starts_on=start,
        use_frequency="daily",
    )
    # then the course starts on the decision at the centre, a first session is booked, and the
    # guarantee is met on the start day
    assert (course.decision_id, course.provider.slug, course.started_on) == (
        decision.pk,
        CENTER,
        start,
    )
    session = Session.objects.get(course=course)
    assert timezone.localtime(session.starts_at).date() == start
    guarantee = Deadline.objects.get(case=case, kind="treatment_guarantee")
    assert guarantee.met_on == start <= guarantee.due_on
    assert version(case) == 5  # the start and the session, each counted
    events = AuditEntry.objects.filter(case_id=case.pk, write=True).values_list("event", flat=True)
    assert {"course_started", "session_recorded"} <= set(events)
    # and it counts as kept once its guarantee date has come (the figures are per month of
    # the guarantee date, up to today), not before
    m = case.municipality_id
    assert guarantee_kept_share(municipality_id=m, today=today).tally.counted == 0
    kept = guarantee_kept_share(municipality_id=m, today=guarantee.due_on).tally
    assert (kept.met, kept.counted) == (1, 1)


def test_a_booking_is_logged_with_the_waiting_decision_and_what_was_booked(therapist, today):
    case, decision = granted_waiting(therapist, cpr="0101801234", offer=OFFER, contact_on=today)
    line = places(1)
    start = next_working_day(today + dt.timedelta(days=1))
    course = proposal_book(
        actor=therapist,
        case_id=case.pk,
        version=3,
        decision_id=decision.pk,
        line=f"capacity:{line.pk}",
        starts_on=start,
        use_frequency="daily",
    )
    entry = AuditEntry.objects.get(case_id=case.pk, event="waitlist_booked")
    letter = Letter.objects.get(case=case, kind="booking_confirmation")
    assert (entry.write, entry.actor_id, entry.object_type, entry.object_id) == (
        True,
        therapist.pk,
        "Course",
        course.pk,
    )
    assert entry.old == {
        "decision": decision.pk,
        "offer": OFFER,
        "decided_on": today.isoformat(),
        "guarantee_due": (today + dt.timedelta(days=14)).isoformat(),
    }
    assert entry.new == {
        "line": f"capacity:{line.pk}",
        "kind": "capacity",
        "provider": CENTER,
        "starts_on": start.isoformat(),
        "in_time": True,
        "course": course.pk,
        "letter": letter.pk,
    }


def test_the_last_place_goes_once_the_second_booking_is_told_and_nothing_is_written(
    therapist, today
):
    first, d1 = granted_waiting(therapist, cpr="0101801234", offer=OFFER, contact_on=today)
    second, d2 = granted_waiting(therapist, cpr="0202811234", offer=OFFER, contact_on=today)
    line = places(1)
    start = next_working_day(today + dt.timedelta(days=1))
    book = dict(line=f"capacity:{line.pk}", starts_on=start, use_frequency="daily")
    proposal_book(actor=therapist, case_id=first.pk, version=3, decision_id=d1.pk, **book)
    with pytest.raises(Conflict) as refused:
        proposal_book(actor=therapist, case_id=second.pk, version=3, decision_id=d2.pk, **book)
    assert refused.value.field == "line"
    assert not Course.objects.filter(case=second).exists() and version(second) == 3
    assert not AuditEntry.objects.filter(case_id=second.pk, event="waitlist_booked").exists()
    # and the waitlist now proposes the second citizen after the first one's course
    # (a place is held for the offer's length, longer than the search): the second gets a
    # warning, and one more place would start them within the guarantee
    (row,) = waitlist_board(user=therapist, today=today).rows
    assert row.case.pk == second.pk and not row.proposal.in_time
    assert [(r.kind, r.line.key) for r in row.proposal.remedies] == [
        ("one_more", f"capacity:{line.pk}")
    ]
    assert row.proposal.remedies[0].start <= row.proposal.waiting.guarantee_due


def test_a_booking_keeps_the_age_band_and_the_free_choice(therapist, today):
    # given a 22-year-old granted an offer from 25 years (an override), and a place for it
    young, decision = granted_waiting(
        therapist,
        cpr=f"0101{(today.year - 22) % 100:02d}4234",  # century digit 4: born in the 2000s
        offer=OFFER,
        contact_on=today,
    )
    line = places(3)
    start = next_working_day(today + dt.timedelta(days=1))
    with pytest.raises(Invalid, match="alder"):
        proposal_book(
            actor=therapist,
            case_id=young.pk,
            version=3,
            decision_id=decision.pk,
            line=f"capacity:{line.pk}",
            starts_on=start,
            use_frequency="daily",
        )
    # and the waitlist proposes no start for them at all, with no remedy that breaks the band
    (row,) = waitlist_board(user=therapist, today=today).rows
    assert row.proposal.line is None and not row.proposal.in_time
    assert row.proposal.remedies == ()


def test_a_role_that_may_not_book_is_refused(tenants, today):
    therapist = staff("therapist", "helsingoer")
    case, decision = granted_waiting(therapist, cpr="0101801234", offer=OFFER, contact_on=today)
    line = places(1)
    consultant = staff("substance_consultant", "helsingoer")
    with pytest.raises(Forbidden):
        proposal_book(
            actor=consultant,
            case_id=case.pk,
            version=3,
            decision_id=decision.pk,
            line=f"capacity:{line.pk}",
            starts_on=next_working_day(today),
        )
    assert not Course.objects.exists()


def test_the_forecast_reads_inflow_and_stays_and_the_what_if_is_never_better(therapist, today):
    for n in range(4):
        granted_waiting(
            therapist,
            cpr=f"0{n + 1}0180{n}234",
            offer=OFFER,
            contact_on=today - dt.timedelta(days=n),
        )
    places(2, kind="weekly_slots")
    head = staff("head_of_unit", "helsingoer")
    (f,) = waitlist_forecast(user=head, today=today, runs=10)
    assert f.offer == OFFER
    assert f.scenario.arrivals_per_day == pytest.approx(4 / 365)
    assert sorted(f.scenario.waited_days) == [0, 1, 2, 3]
    assert len(f.base.weeks) == 8
    assert (f.what_if.in_time_share or 0) <= (f.base.in_time_share or 0)
    assert not AuditEntry.objects.filter(actor_id=head.pk).exists()  # counts only: no read
