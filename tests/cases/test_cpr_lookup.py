"""The staff intake's lookup (issue 19, item 1): the open cases of a CPR number that the user
may see, each logged as read; and who referred a contact, kept on it (web and API alike)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from factories import END_KEY_FACTS, staff
from rusmiddel.audit.models import AuditEntry, Event
from rusmiddel.cases import selectors, services
from rusmiddel.cases.errors import Forbidden
from support import TODAY

pytestmark = pytest.mark.django_db

CPR = "0702921234"


def opened(actor, *, cpr: str = CPR, **kw):
    return services.case_create(
        actor=actor,
        received_on=TODAY,
        channel="phone",
        citizen_cpr=cpr,
        citizen_name="Mette Jensen",
        **kw,
    )


def _last() -> int:
    return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_the_open_cases_of_a_cpr_number_oldest_first_each_logged(tenants):
    therapist, caseworker = staff("therapist"), staff("caseworker")
    first, second = opened(therapist), opened(therapist)
    opened(therapist, cpr="0101801234")  # someone else
    ended = opened(therapist)
    course = services.course_start(
        actor=therapist, case_id=ended.pk, version=1, started_on=TODAY, offer="raadgivning"
    )
    services.course_end(
        actor=therapist,
        course_id=course.pk,
        version=2,
        ended_on=TODAY + dt.timedelta(days=1),
        reason="completed",
        outcome="reduced",
        final_report="Gennemført",
        **END_KEY_FACTS,
    )
    last = _last()

    found = selectors.open_cases_of_cpr(user=caseworker, cpr=CPR)

    assert [c.pk for c in found] == [first.pk, second.pk]  # not the ended one
    reads = AuditEntry.objects.filter(pk__gt=last)
    assert sorted(reads.values_list("case_id", "event", "write", "why")) == [
        (first.pk, Event.CASE_LIST, False, "henvendelse: CPR-opslag"),
        (second.pk, Event.CASE_LIST, False, "henvendelse: CPR-opslag"),
    ]


def test_the_lookup_sees_what_the_user_may_see_and_nothing_else(tenants):
    therapist = staff("therapist")
    at_kabs = opened(therapist, provider="kabs")
    opened(therapist, provider="gladsaxe_rusmiddelcenter")
    kabs = staff("provider_staff", "gentofte", "kabs")
    assert [c.pk for c in selectors.open_cases_of_cpr(user=kabs, cpr=CPR)] == [at_kabs.pk]
    # another municipality's caseworker finds nothing (and logs nothing)
    last = _last()
    assert selectors.open_cases_of_cpr(user=staff("caseworker", "helsingoer"), cpr=CPR) == []
    assert not AuditEntry.objects.filter(pk__gt=last).exists()


@pytest.mark.parametrize("role", ["head_of_unit", "administrator"])
def test_those_who_register_no_contact_may_not_look_up(tenants, role):
    opened(staff("therapist"))
    last = _last()
    with pytest.raises(Forbidden):
        selectors.open_cases_of_cpr(user=staff(role), cpr=CPR)
    assert not AuditEntry.objects.filter(pk__gt=last).exists()


def test_who_referred_is_kept_on_the_contact_through_the_api(tenants):
    client = Client()
    client.force_login(staff("caseworker"))
    body = {
        "received_on": TODAY.isoformat(),
        "channel": "letter",
        "contact_by": "professional",
        "referrer": "  Herlev Hospital, akutmodtagelsen  ",
        "citizen": {"cpr": CPR, "name": "Mette Jensen"},
    }
    response = client.post("/api/cases", json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    case = response.json()
    assert case["contacts"][0]["referrer"] == "Herlev Hospital, akutmodtagelsen"

    more = {"version": case["version"], "received_on": TODAY.isoformat(), "channel": "phone"}
    more["referrer"] = "Egen læge"
    response = client.post(
        f"/api/cases/{case['id']}/contacts", json.dumps(more), content_type="application/json"
    )
    assert response.status_code == 201
    assert [c["referrer"] for c in response.json()["contacts"]] == [
        "Herlev Hospital, akutmodtagelsen",
        "Egen læge",
    ]

    too_long = {**body, "referrer": "x" * 201, "citizen": {"cpr": "0101801234", "name": "A"}}
    response = client.post("/api/cases", json.dumps(too_long), content_type="application/json")
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "referrer"
