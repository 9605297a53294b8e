"""Parallel clicks answer as PostgreSQL does on SQLite too (the demo's database): one writer
wins, the others are told 409 and nothing is written twice; never a 500 ("database is
locked"). The requests go through the whole stack (middleware, API, service), each thread with
its own connection, as the threads of the demo server."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from concurrency_support import database_for_threads, in_thread, race
from factories import granted_waiting, staff
from rusmiddel.accounts.models import Municipality, Provider
from rusmiddel.cases.models import Case, Contact, Course
from rusmiddel.groups.models import Enrolment, Group
from rusmiddel.rules.calendar import next_working_day

CENTER = "helsingoer_rusmiddelcenter"


def _poster(user, path: str, body: dict):
    """A request from a browser of its own (its own client, the user's session): the answer's
    status. A server error answers 500 here, as it would to the browser."""
    client = Client(raise_request_exception=False)
    client.force_login(user)

    def post() -> int:
        response = client.post(f"/api{path}", json.dumps(body), content_type="application/json")
        return response.status_code

    return post


@pytest.mark.django_db(transaction=True)
def test_twelve_parallel_contacts_on_one_version_one_201_eleven_409(as_role, tmp_path):
    api = as_role("caseworker", "gentofte")
    status, case = api.post(
        "/cases",
        {
            "received_on": "2026-11-24",
            "channel": "phone",
            "citizen": {"cpr": "0702921234", "name": "Mette Jensen"},
        },
    )
    assert status == 201
    body = {"version": case["version"], "received_on": "2026-11-25", "channel": "phone"}
    posts = [_poster(api.user, f"/cases/{case['id']}/contacts", body) for _ in range(12)]

    with database_for_threads(tmp_path):
        codes = race(posts)
        version, contacts = in_thread(
            lambda: (
                Case.objects.get(pk=case["id"]).version,
                Contact.objects.filter(case_id=case["id"]).count(),
            )
        )

    print(f"\n{connection.vendor}: 12 same-version contacts -> {dict(Counter(codes))}")
    assert Counter(codes) == {201: 1, 409: 11}
    assert version == case["version"] + 1
    assert contacts == 2  # the first contact and the one that won


@pytest.mark.django_db(transaction=True)
def test_six_bookings_for_two_group_seats_two_201_four_409(tenants, tmp_path):
    today = timezone.localdate()
    therapist = staff("therapist", "helsingoer")
    monday = today + dt.timedelta(days=(7 - today.weekday()) % 7 or 7)
    while next_working_day(monday) != monday:
        monday += dt.timedelta(days=7)
    group = Group.objects.create(
        municipality=Municipality.objects.get(slug="helsingoer"),
        provider=Provider.objects.get(slug=CENTER),
        offer="kokain_hashstop",
        title="To pladser",
        starts_on=monday,
        stop_day=monday + dt.timedelta(days=7),
        seats=2,
    )
    waiting = [
        granted_waiting(
            therapist, cpr=f"0{n}0{n}8{n}1234", offer="kokain_hashstop", contact_on=today
        )
        for n in range(1, 7)
    ]
    caseworker = staff("caseworker", "helsingoer")
    posts = [
        _poster(
            caseworker,
            f"/cases/{case.pk}/bookings",
            {
                "version": 3,
                "decision_id": decision.pk,
                "line": f"group:{group.pk}",
                "starts_on": monday.isoformat(),
                "use_frequency": "daily",
            },
        )
        for case, decision in waiting
    ]

    with database_for_threads(tmp_path):
        codes = race(posts)
        seats, courses = in_thread(
            lambda: (
                Enrolment.objects.filter(group_id=group.pk).count(),
                Course.objects.filter(offer="kokain_hashstop").count(),
            )
        )

    print(f"\n{connection.vendor}: 6 bookings for 2 group seats -> {dict(Counter(codes))}")
    assert Counter(codes) == {201: 2, 409: 4}
    assert seats == courses == 2
