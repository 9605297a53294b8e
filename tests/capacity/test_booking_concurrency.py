"""Two caseworkers book the last place at once: one wins, the other is told (Conflict on
`line`), and the place is never given twice. PostgreSQL locks the rows; SQLite's transactions
take the write lock when they begin (settings: IMMEDIATE)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from concurrency_support import database_for_threads, in_thread, race
from factories import granted_waiting, staff
from rusmiddel.accounts.models import Municipality, Provider
from rusmiddel.capacity.models import Capacity
from rusmiddel.capacity.services import proposal_book
from rusmiddel.cases.errors import Conflict
from rusmiddel.cases.models import Course
from rusmiddel.groups.models import Enrolment, Group
from rusmiddel.rules.calendar import next_working_day

OFFER = "individuelle_samtaler"
CENTER = "helsingoer_rusmiddelcenter"


def _race(bookings, tmp_path, counts) -> tuple[list[str], object]:
    """Every booking at once, then `counts()` of what they left (both on the same data)."""

    def book(kwargs):
        def work() -> str:
            try:
                proposal_book(**kwargs)
            except Conflict as exc:
                return f"told:{exc.field}"
            return "won"

        return work

    with database_for_threads(tmp_path):
        outcomes = sorted(map(str, race([book(b) for b in bookings])))
        return outcomes, in_thread(counts)


@pytest.mark.django_db(transaction=True)
def test_two_caseworkers_booking_the_last_place_one_wins_the_other_is_told(tenants, tmp_path):
    today = timezone.localdate()
    therapist = staff("therapist", "helsingoer")
    first, d1 = granted_waiting(therapist, cpr="0101801234", offer=OFFER, contact_on=today)
    second, d2 = granted_waiting(therapist, cpr="0202811234", offer=OFFER, contact_on=today)
    line = Capacity.objects.create(
        municipality=Municipality.objects.get(slug="helsingoer"),
        provider=Provider.objects.get(slug=CENTER),
        offer=OFFER,
        kind="places",
        amount=1,
        valid_from=today,
    )
    start = next_working_day(today + dt.timedelta(days=1))
    common = {"line": f"capacity:{line.pk}", "starts_on": start, "use_frequency": "daily"}
    bookers = [staff("caseworker", "helsingoer"), staff("therapist", "helsingoer")]
    outcomes, courses = _race(
        [
            {
                "actor": bookers[0],
                "case_id": first.pk,
                "version": 3,
                "decision_id": d1.pk,
                **common,
            },
            {
                "actor": bookers[1],
                "case_id": second.pk,
                "version": 3,
                "decision_id": d2.pk,
                **common,
            },
        ],
        tmp_path,
        lambda: Course.objects.filter(offer=OFFER).count(),
    )
    assert outcomes == ["told:line", "won"]
    assert courses == 1


@pytest.mark.django_db(transaction=True)
def test_two_bookings_of_the_last_group_seat_one_wins_the_other_is_told(tenants, tmp_path):
    today = timezone.localdate()
    therapist = staff("therapist", "helsingoer")
    monday = today + dt.timedelta(days=(7 - today.weekday()) % 7 or 7)
    while next_working_day(monday) != monday:
        monday += dt.timedelta(days=7)
    group = Group.objects.create(
        municipality=Municipality.objects.get(slug="helsingoer"),
        provider=Provider.objects.get(slug=CENTER),
        offer="kokain_hashstop",
        title="Sidste plads",
        starts_on=monday,
        stop_day=monday + dt.timedelta(days=7),
        seats=1,
    )
    people = [
        granted_waiting(therapist, cpr=cpr, offer="kokain_hashstop", contact_on=today)
        for cpr in ("0101801234", "0202811234")
    ]
    common = {"line": f"group:{group.pk}", "starts_on": monday, "use_frequency": "daily"}
    outcomes, (seats, courses) = _race(
        [
            {
                "actor": staff("caseworker", "helsingoer"),
                "case_id": c.pk,
                "version": 3,
                "decision_id": d.pk,
                **common,
            }
            for c, d in people
        ],
        tmp_path,
        lambda: (
            Enrolment.objects.filter(group=group).count(),
            Course.objects.filter(offer="kokain_hashstop").count(),
        ),
    )
    assert outcomes == ["told:line", "won"]
    assert (seats, courses) == (1, 1)
