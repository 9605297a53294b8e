"""Concurrent writes to one case: one wins, the stale one gets Conflict (409), nothing is lost
and nothing is half written. PostgreSQL locks the case row; SQLite's transactions take the
write lock when they begin (settings: IMMEDIATE), so the second writer waits and then sees
the new version, as on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from concurrency_support import database_for_threads, in_thread, race
from factories import staff
from rusmiddel.cases import services
from rusmiddel.cases.errors import Conflict
from rusmiddel.cases.models import Case, Contact

WRITERS = 8


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_one_wins_the_rest_conflict_nothing_lost(tenants, tmp_path):
    caseworker = staff("caseworker", "gentofte")
    case = services.case_create(
        actor=caseworker,
        received_on=dt.date(2026, 11, 24),
        channel="phone",
        citizen_cpr="0702921234",
        citizen_name="Mette Jensen",
    )

    def write(n: int):
        def work() -> str:
            try:
                services.contact_record(
                    actor=caseworker,
                    case_id=case.pk,
                    version=1,  # every writer read version 1
                    received_on=dt.date(2026, 11, 25),
                    channel="phone",
                    note=f"writer {n}",
                )
            except Conflict:
                return "conflict"
            return "won"

        return work

    with database_for_threads(tmp_path):
        outcomes = race([write(n) for n in range(WRITERS)])
        version, contacts = in_thread(
            lambda: (
                Case.objects.get(pk=case.pk).version,
                Contact.objects.filter(case=case).count(),
            )
        )

    assert Counter(outcomes) == {"won": 1, "conflict": WRITERS - 1}, outcomes
    assert version == 2
    assert contacts == 2  # the first contact + the winner's


@pytest.mark.django_db(transaction=True)
def test_a_stale_api_write_answers_409_and_changes_nothing(as_role):
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
    assert api.post(f"/cases/{case['id']}/contacts", body)[0] == 201
    status, error = api.post(f"/cases/{case['id']}/contacts", body)  # same, now stale version
    assert status == 409
    assert error["error"]["field"] == "version"
    assert Contact.objects.filter(case_id=case["id"]).count() == 2
