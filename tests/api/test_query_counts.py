"""Query counts per endpoint stay constant as data grows (the bar for national scale)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from factories import START_KEY_FACTS, staff
from rusmiddel.cases import services

CONTACT = dt.date(2026, 11, 24)


def _case_in_course(actor, sessions: int, cpr: str):
    case = services.case_create(
        actor=actor,
        received_on=CONTACT,
        channel="phone",
        citizen_cpr=cpr,
        citizen_name="Test Borger",
        requested_offer="individuelle_samtaler",
    )
    services.assessment_record(actor=actor, case_id=case.pk, version=1, facts={}, on=CONTACT)
    decision = services.decision_record(
        actor=actor,
        case_id=case.pk,
        version=2,
        offer="stoettende_samtaler",
        outcome="granted",
        decided_on=CONTACT,
        override_reason="Direkte adgang til rusmiddelcentret; udredes i forløbet",
    )
    course = services.course_start(
        actor=actor,
        case_id=case.pk,
        version=3,
        started_on=CONTACT,
        decision_id=decision.pk,
        **START_KEY_FACTS,
    )
    version = 4
    for n in range(sessions):
        start = dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC) + dt.timedelta(days=7 * n)
        services.session_record(
            actor=actor,
            course_id=course.pk,
            version=version,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
        )
        version += 1
    return case


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_case_page_queries_do_not_grow_with_sessions(tenants, client):
    therapist = staff("therapist", "helsingoer")
    client.force_login(therapist)
    small = _case_in_course(therapist, sessions=1, cpr="0702921234")
    large = _case_in_course(therapist, sessions=25, cpr="0803851234")
    counts = (
        _queries(client, f"/api/cases/{small.pk}"),
        _queries(client, f"/api/cases/{large.pk}"),
    )
    print(f"queries: case page {counts}")
    assert counts[0] == counts[1] <= 20


@pytest.mark.django_db
def test_case_list_and_due_list_queries_do_not_grow_with_cases(tenants, client):
    caseworker = staff("caseworker", "gentofte")
    client.force_login(caseworker)
    services.case_create(
        actor=caseworker,
        received_on=CONTACT,
        channel="phone",
        citizen_cpr="0101801234",
        citizen_name="A",
    )
    few = (_queries(client, "/api/cases"), _queries(client, "/api/due?days=400"))
    for n in range(2, 22):
        services.case_create(
            actor=caseworker,
            received_on=CONTACT,
            channel="phone",
            citizen_cpr=f"{n:02d}0180{1000 + n}",
            citizen_name=f"B{n}",
        )
    many = (_queries(client, "/api/cases"), _queries(client, "/api/due?days=400"))
    assert few == many
    assert many[0] <= 6 and many[1] <= 6
    print(f"queries: case list {many[0]}, due list {many[1]}")


@pytest.mark.django_db
def test_the_due_list_pages_by_keyset_soonest_first(tenants, client):
    caseworker = staff("caseworker", "gentofte")
    client.force_login(caseworker)
    # three guarantees: two due the same day (the keyset's tie, broken by id) and one later
    for n, received in enumerate([CONTACT, CONTACT, CONTACT + dt.timedelta(days=1)]):
        services.case_create(
            actor=caseworker,
            received_on=received,
            channel="phone",
            citizen_cpr=f"0{n + 1}0180{2000 + n}",
            citizen_name=f"C{n}",
        )
    every = client.get("/api/due", {"days": 400}).json()
    assert len(every["items"]) == 3 and every["next_after"] is None
    seen, after = [], None
    while True:
        query = {"days": 400, "limit": 2, **({"after": after} if after else {})}
        page = client.get("/api/due", query).json()
        seen += [item["id"] for item in page["items"]]
        after = page["next_after"]
        if after is None:
            break
        last = page["items"][-1]
        assert after == f"{last['due_on']}.{last['id']}"
    assert seen == [item["id"] for item in every["items"]]  # each once, in order
    bad = client.get("/api/due", {"after": "2026-13-40.1"})
    assert bad.status_code == 422 and "after" in bad.content.decode()
