"""How long a residential stay holds its place on the waitlist, by the citizen's age.

Seed (Helsingør, Døgnbehandling): "Et døgnophold for unge under 25 år vil typisk være op til
seks uger; for voksne over 25 år typisk tre måneder." The standard gives the offer's duration
per age band (`rules.typical_duration`); the waitlist's capacity holds a place for as long as
that rule says for the citizen in it: six weeks for an under-25, three months from 25 — for the
courses already holding a place and for the starts it proposes and books."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from factories import START_KEY_FACTS, granted_waiting, staff
from rusmiddel.accounts.models import Municipality, Provider
from rusmiddel.capacity.models import Capacity
from rusmiddel.capacity.selectors import capacity_lines, length_days, waitlist_board
from rusmiddel.capacity.services import proposal_book
from rusmiddel.cases import services
from rusmiddel.cases.errors import Conflict
from rusmiddel.cases.models import Case
from rusmiddel.rules.calendar import next_working_day
from rusmiddel.standards.registry import load
from support import TODAY

OFFER = "doegnbehandling"
PROVIDER = "privat_doegnbehandling"
SIX_WEEKS, THREE_MONTHS = 42, 91


def cpr_aged(age: int, n: int, on: dt.date) -> str:
    """A CPR number of someone `age` years old on `on` (born a week before that birthday)."""
    born = on.replace(year=on.year - age) - dt.timedelta(days=7)
    century = "4" if born.year >= 2000 else "1"  # 4: born 2000-2036 (or 1937-1999)
    return f"{born:%d%m%y}{century}{n:02d}{n % 10}"


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def therapist(tenants):
    return staff("therapist", "helsingoer")


@pytest.fixture
def one_place(tenants, today):
    return Capacity.objects.create(
        municipality=Municipality.objects.get(slug="helsingoer"),
        provider=Provider.objects.get(slug=PROVIDER),
        offer=OFFER,
        kind="places",
        amount=1,
        valid_from=today - dt.timedelta(days=60),
    )


def granted(therapist, age: int, n: int, today: dt.date, days_ago: int = 10):
    contact_on = today - dt.timedelta(days=days_ago)
    return granted_waiting(
        therapist,
        cpr=cpr_aged(age, n, today),
        offer=OFFER,
        contact_on=contact_on,
        provider=PROVIDER,
    )


def started(therapist, age: int, n: int, today: dt.date, on: dt.date):
    # decided before the start, and never after today (a start may be booked ahead)
    case, decision = granted(therapist, age, n, today, days_ago=max((today - on).days + 5, 10))
    version = Case.objects.values_list("version", flat=True).get(pk=case.pk)
    return services.course_start(
        actor=therapist,
        case_id=case.pk,
        version=version,
        started_on=on,
        decision_id=decision.pk,
        provider=PROVIDER,
        **START_KEY_FACTS,
    )


def test_the_rule_six_weeks_under_25_three_months_from_25():
    offer = load("helsingoer", TODAY).standard.offer(OFFER)
    assert length_days(offer, 18) == length_days(offer, 24) == SIX_WEEKS
    assert length_days(offer, 25) == length_days(offer, 60) == THREE_MONTHS
    assert length_days(offer) == THREE_MONTHS  # no age (anonymous): the offer's own


def test_a_young_persons_stay_holds_its_place_six_weeks_an_adults_three_months(
    therapist, one_place, today
):
    # given two residential stays that started a week ago: a 22-year-old's and a 40-year-old's
    week_ago = today - dt.timedelta(days=7)
    started(therapist, 22, 1, today, week_ago)
    started(therapist, 40, 2, today, week_ago)
    standard = load("helsingoer", today).standard
    # when the waitlist reads its capacity
    [line] = capacity_lines(
        municipality_id=one_place.municipality_id, standard=standard, today=today
    )
    # then each holds its place as long as the standard says for the citizen's age
    assert sorted(line.busy) == [
        (week_ago, week_ago + dt.timedelta(days=SIX_WEEKS)),
        (week_ago, week_ago + dt.timedelta(days=THREE_MONTHS)),
    ]


def test_the_place_a_young_person_holds_is_proposed_again_after_six_weeks(
    therapist, one_place, today
):
    # given one place, held by a 20-year-old who started today, and an adult waiting
    started(therapist, 20, 1, today, today)
    adult, _ = granted(therapist, 45, 2, today)
    head = staff("head_of_unit", "helsingoer")
    # when the waitlist proposes a start
    board = waitlist_board(user=head, today=today)
    [row] = board.rows
    # then the adult gets the place when the young person's six weeks are over (three months
    # would lie beyond the waitlist's horizon: no proposal at all)
    assert row.case.pk == adult.pk
    assert row.proposal.start == next_working_day(today + dt.timedelta(days=SIX_WEEKS))


def test_a_young_person_waiting_takes_the_place_for_six_weeks_only(therapist, one_place, today):
    # given one free place and two waiting: a 21-year-old, contacted first, and an adult
    young, _ = granted(therapist, 21, 1, today, days_ago=12)
    adult, _ = granted(therapist, 50, 2, today, days_ago=3)
    head = staff("head_of_unit", "helsingoer")
    # when the waitlist proposes
    rows = waitlist_board(user=head, today=today).rows
    # then the young person starts first and the adult six weeks after, not three months
    assert [r.case.pk for r in rows] == [young.pk, adult.pk]
    first, second = (r.proposal.start for r in rows)
    assert first == next_working_day(today)
    assert second == next_working_day(first + dt.timedelta(days=SIX_WEEKS))


def test_booking_checks_the_place_for_the_booked_citizens_own_stay(therapist, one_place, today):
    # given the place is free for six weeks, then a 30-year-old's stay is booked to start
    later = next_working_day(today + dt.timedelta(days=SIX_WEEKS + 7))
    started(therapist, 30, 1, today, later)
    young, young_decision = granted(therapist, 19, 2, today)
    adult, adult_decision = granted(therapist, 40, 3, today)
    head = staff("head_of_unit", "helsingoer")
    start = next_working_day(today + dt.timedelta(days=1))
    line = f"capacity:{one_place.pk}"

    def book(case, decision):
        version = Case.objects.values_list("version", flat=True).get(pk=case.pk)
        return proposal_book(
            actor=head,
            case_id=case.pk,
            version=version,
            decision_id=decision.pk,
            line=line,
            starts_on=start,
            today=today,
            **START_KEY_FACTS,
        )

    # when the adult is booked into the gap: three months would run into the booked stay
    with pytest.raises(Conflict) as refused:
        book(adult, adult_decision)
    assert refused.value.field == "line"
    # then the 19-year-old's six weeks fit before it
    assert book(young, young_decision).started_on == start


def test_the_waitlists_queries_do_not_grow_with_the_stays_held(client, therapist, one_place, today):
    client.force_login(staff("head_of_unit", "helsingoer"))

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/venteliste/").status_code == 200
        return len(ctx.captured_queries)

    granted(therapist, 45, 1, today)
    started(therapist, 22, 2, today, today - dt.timedelta(days=3))
    few = queries()
    for n, age in enumerate((19, 33, 24, 58), start=3):
        started(therapist, age, n, today, today - dt.timedelta(days=n))
        granted(therapist, age, n + 10, today)
    assert queries() == few
