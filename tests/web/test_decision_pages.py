"""The decision page (/sager/<id>/afgoerelser/<id>/) with its withdrawal form, and the
correction page (…/ret/): who sees the forms, what a refused write answers, and the queries
each page makes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from factories import START_KEY_FACTS, granted_waiting, staff
from rusmiddel.cases import services
from rusmiddel.cases.models import Case, Decision, DecisionStatus

pytestmark = pytest.mark.django_db

#: measured: 13 and 13 (session, user and staff profile; the case and the parts each page
#: shows; the decision page: the decision's letters, the courses resting on it and the staff
#: names; the read's audit entry and its chain's head)
MAX_DECISION_VIEW_QUERIES = 13
MAX_CORRECTION_PAGE_QUERIES = 13


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _v(case_id: int) -> int:
    return Case.objects.values_list("version", flat=True).get(pk=case_id)


@pytest.fixture
def caseworker(tenants):
    return staff("caseworker", "gentofte")


@pytest.fixture
def waiting(caseworker):
    contact = timezone.localdate() - dt.timedelta(days=3)
    return granted_waiting(
        caseworker, cpr="0702921234", offer="ambulant", contact_on=contact, provider="kabs"
    )


def _url(decision: Decision, tail: str = "") -> str:
    return f"/sager/{decision.case_id}/afgoerelser/{decision.pk}/{tail}"


def test_the_forms_are_for_the_roles_that_decide(caseworker, waiting):
    _, decision = waiting
    mine = _client(caseworker).get(_url(decision)).content.decode()
    assert "Tilbagekald afgørelsen og send brevet" in mine
    assert f'href="{_url(decision, "ret/")}"' in mine
    head = _client(staff("head_of_unit", "gentofte"))
    theirs = head.get(_url(decision))
    assert theirs.status_code == 200
    assert "Tilbagekald afgørelsen" not in theirs.content.decode()
    assert head.get(_url(decision, "ret/")).status_code == 403
    refused = head.post(_url(decision, "tilbagekald/"), {"version": _v(decision.case_id)})
    assert refused.status_code == 403
    # another municipality's decision, or the decision under another case, is not found
    assert _client(staff("caseworker", "helsingoer")).get(_url(decision)).status_code == 404
    other, _ = granted_waiting(
        caseworker, cpr="0101901234", offer="ambulant", contact_on=decision.decided_on
    )
    assert (
        _client(caseworker).get(f"/sager/{other.pk}/afgoerelser/{decision.pk}/").status_code == 404
    )


def test_a_withdrawal_without_a_reason_or_at_a_stale_version_is_refused(caseworker, waiting):
    _, decision = waiting
    client = _client(caseworker)
    form = {
        "version": str(_v(decision.case_id)),
        "reason": "",
        "withdrawn_on": timezone.localdate().isoformat(),
        "send_channel": "digital_post",
    }
    empty = client.post(_url(decision, "tilbagekald/"), form)
    assert empty.status_code == 422
    assert "Udfyld feltet “Begrundelse for tilbagekaldelsen”" in empty.content.decode()
    stale = client.post(
        _url(decision, "tilbagekald/"),
        {**form, "reason": "Fejl", "version": str(_v(decision.case_id) - 1)},
    )
    assert stale.status_code == 409
    assert Decision.objects.get(pk=decision.pk).status == DecisionStatus.ACTIVE
    done = client.post(_url(decision, "tilbagekald/"), {**form, "reason": "Fejl"})
    assert done.status_code == 302
    assert done["Location"] == f"/sager/{decision.case_id}/#tilbagekaldelse-{decision.pk}"
    assert Decision.objects.get(pk=decision.pk).status == DecisionStatus.WITHDRAWN
    # a decision that no longer stands shows no forms, and its correction page sends back
    page = client.get(_url(decision)).content.decode()
    assert "Tilbagekald afgørelsen og send brevet" not in page and "Tilbagekaldt fra" in page
    assert client.get(_url(decision, "ret/"))["Location"] == _url(decision)


def test_a_course_resting_on_the_decision_is_named_and_refuses_the_withdrawal(caseworker, waiting):
    case, decision = waiting
    services.course_start(
        actor=caseworker,
        case_id=case.pk,
        version=_v(case.pk),
        started_on=timezone.localdate(),
        decision_id=decision.pk,
        **START_KEY_FACTS,
    )
    client = _client(caseworker)
    assert "bygger på afgørelsen" in client.get(_url(decision)).content.decode()
    answer = client.post(
        _url(decision, "tilbagekald/"),
        {
            "version": str(_v(case.pk)),
            "reason": "Fejl",
            "withdrawn_on": timezone.localdate().isoformat(),
            "send_channel": "digital_post",
        },
    )
    assert answer.status_code == 422
    assert "afslut forløbet, før afgørelsen tilbagekaldes" in answer.content.decode()


def test_the_pages_make_a_fixed_number_of_queries(caseworker, waiting):
    _, decision = waiting
    client = _client(caseworker)
    for tail, limit in (("", MAX_DECISION_VIEW_QUERIES), ("ret/", MAX_CORRECTION_PAGE_QUERIES)):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_url(decision, tail)).status_code == 200
        tables = " ".join(q["sql"] for q in queries.captured_queries)
        assert '"cases_session"' not in tables, tail
        print(f"{_url(decision, tail)}: {len(queries)} queries")
        assert len(queries) <= limit, (tail, len(queries))
