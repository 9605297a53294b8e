"""Concurrent writes to one case on PostgreSQL: one wins, the stale one gets Conflict (409),
nothing is lost and nothing is half written."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from factories import staff
from rusmiddel.cases import services
from rusmiddel.cases.errors import Conflict
from rusmiddel.cases.models import Case, Contact

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs it)"
)

WRITERS = 8


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_one_wins_the_rest_conflict_nothing_lost(tenants):
    caseworker = staff("caseworker", "gentofte")
    case = services.case_create(
        actor=caseworker,
        received_on=dt.date(2026, 11, 24),
        channel="phone",
        citizen_cpr="0702921234",
        citizen_name="Mette Jensen",
    )
    start = threading.Barrier(WRITERS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def write(n: int) -> None:
        try:
            start.wait()
            services.contact_record(
                actor=caseworker,
                case_id=case.pk,
                version=1,  # every writer read version 1
                received_on=dt.date(2026, 11, 25),
                channel="phone",
                note=f"writer {n}",
            )
            result = "won"
        except Conflict:
            result = "conflict"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes) == ["conflict"] * (WRITERS - 1) + ["won"]
    assert Case.objects.get(pk=case.pk).version == 2
    assert Contact.objects.filter(case=case).count() == 2  # the first contact + the winner's


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
