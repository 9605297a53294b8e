"""The web's forms take what the API takes (issue 17, items 6 and 7): dates in 1900-2100, text
no longer than its field, and no text a database cannot hold.

A status report dated 9999-12-31 once answered 500 (its next deadline overflowed in
`add_months`); a status of a megabyte was saved; a lone surrogate, which a crafted multipart
post can carry, answered 500 where it was saved. Given a course (or a follow-up, a complaint,
the citizen's forms), when one field is out of bounds, then the page answers with a Danish
error next to that field — or, for text no database can hold, refuses the request naming the
field — and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from case_world import FACTS, OVERRIDE
from factories import START_KEY_FACTS, staff
from rusmiddel.audit.models import AuditEntry
from rusmiddel.cases import limits, services
from rusmiddel.cases.models import Case, Course, Decision, FollowUp, StatusReport

pytestmark = pytest.mark.django_db

FAR = "9999-12-31"
RANGE = "Datoen skal ligge mellem 1900 og 2100."
TOO_LONG = "Teksten er for lang."


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def version(case_id: int) -> int:
    return Case.objects.values_list("version", flat=True).get(pk=case_id)


def writes() -> tuple[int, int]:
    """What a refused post must leave as it was: the write-audit count and the case rows'
    versions."""
    return (
        AuditEntry.objects.filter(write=True).count(),
        sum(Case.objects.values_list("version", flat=True)),
    )


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def granted_case(actor, cpr: str = "0702921234") -> tuple[Case, Decision]:
    case = services.case_create(
        actor=actor,
        received_on=days(-20),
        channel="digital_post",
        citizen_cpr=cpr,
        citizen_name="Mette Jensen",
        requested_offer="ambulant",
    )
    services.assessment_record(
        actor=actor,
        case_id=case.pk,
        version=version(case.pk),
        facts=FACTS["gentofte"],
        on=days(-18),
    )
    decision = services.decision_record(
        actor=actor,
        case_id=case.pk,
        version=version(case.pk),
        offer="ambulant",
        outcome="granted",
        decided_on=days(-15),
        provider="kabs",
        override_reason=OVERRIDE,
    )
    return case, decision


@pytest.fixture
def course(tenants) -> tuple[Client, Case, Course]:
    therapist = staff("therapist")
    case, decision = granted_case(therapist)
    course = services.course_start(
        actor=therapist,
        case_id=case.pk,
        version=version(case.pk),
        started_on=days(-10),
        decision_id=decision.pk,
        **START_KEY_FACTS,
    )
    return client_for(therapist), case, course


def error_of(body: str, field_id: str) -> str:
    """The text of the error Django's form renders for the input `field_id`."""
    found = re.search(
        rf'id="{re.escape(field_id)}_error"[^>]*>(?:<span class="sr-only">[^<]*</span>)?([^<]*)<',
        body,
    )
    assert found, f"no error shown for {field_id}"
    return found.group(1).strip()


def course_post(case: Case, key: str, **fields: str) -> dict[str, str]:
    """A valid post of the course page's form `key` with `fields` changed."""
    valid = {
        "report": {"text": "Stabilt fremmøde", "submitted_on": days(-1).isoformat()},
        "plan": {
            "goal": "reduction",
            "goals_text": "Drikke mindre",
            "agreed_on": days(-1).isoformat(),
        },
        "session": {"day": days(1).isoformat(), "starts": "10:00", "ends": "11:00", "note": ""},
        "end": {
            "ended_on": days(-1).isoformat(),
            "reason": "completed",
            "outcome": "reduced",
            "final_report": "Gennemført",
            "use_frequency": "weekly_or_less",
            "housing": "rented",
            "occupation": "employed",
        },
    }[key]
    data = {"version": str(version(case.pk)), **valid, **fields}
    return {f"{key}-{name}": value for name, value in data.items()}


URLS = {"report": "status", "plan": "plan", "session": "samtaler", "end": "afslut"}

COURSE_FORMS = [
    ("a status report dated 9999-12-31", "report", {"submitted_on": FAR}, "submitted_on", RANGE),
    ("a plan agreed 9999-12-31", "plan", {"agreed_on": FAR}, "agreed_on", RANGE),
    ("a session on 9999-12-31", "session", {"day": FAR}, "day", RANGE),
    ("a course ended 1899-12-31", "end", {"ended_on": "31.12.1899"}, "ended_on", RANGE),
    ("a status of a megabyte", "report", {"text": "x" * 1_000_000}, "text", TOO_LONG),
    (
        "goals of 10,001 characters",
        "plan",
        {"goals_text": "x" * (limits.TEXT + 1)},
        "goals_text",
        TOO_LONG,
    ),
    ("a session note of 10,001", "session", {"note": "x" * (limits.TEXT + 1)}, "note", TOO_LONG),
    (
        "a final report of 10,001",
        "end",
        {"final_report": "x" * (limits.TEXT + 1)},
        "final_report",
        TOO_LONG,
    ),
]


@pytest.mark.parametrize(
    ("key", "fields", "field", "message"), [pytest.param(*f[1:], id=f[0]) for f in COURSE_FORMS]
)
def test_a_course_form_out_of_bounds_is_told_next_to_the_field(course, key, fields, field, message):
    client, case, course = course
    before = writes()

    response = client.post(f"/forloeb/{course.pk}/{URLS[key]}/", course_post(case, key, **fields))

    assert response.status_code == 422
    assert error_of(response.content.decode(), f"id_{key}-{field}") == message
    assert writes() == before
    assert not StatusReport.objects.filter(course=course).exists()


def test_the_same_forms_inside_the_bounds_are_saved(course):
    """The control: a status of 10,000 characters on the first day of the course is saved."""
    client, case, course = course
    data = course_post(case, "report", text="x" * limits.TEXT)
    response = client.post(f"/forloeb/{course.pk}/status/", data)
    assert response.status_code == 302
    assert StatusReport.objects.get(course=course).text == "x" * limits.TEXT


def test_a_decision_dated_9999_12_31_is_told_next_to_the_field(tenants):
    caseworker = staff("caseworker")
    case, _ = granted_case(caseworker)
    decisions, before = Decision.objects.count(), writes()
    response = client_for(caseworker).post(
        f"/sager/{case.pk}/afgoerelse/",
        {
            "version": str(version(case.pk)),
            "offer": "ambulant",
            "outcome": "granted",
            "decided_on": FAR,
            "send_channel": "post",
            "provider": "kabs",
            "provider_for": "ambulant",
            "free_choice_requested": "x" * (limits.NAME + 1),
            "free_choice_outcome": "not_requested",
            "override_reason": OVERRIDE,
            "note": "x" * (limits.TEXT + 1),
        },
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert error_of(body, "id_decided_on") == RANGE
    assert error_of(body, "id_note") == TOO_LONG
    assert error_of(body, "id_free_choice_requested") == TOO_LONG
    assert (Decision.objects.count(), writes()) == (decisions, before)


# --- the lists' own forms (Opfølgning, Klager) ------------------------------------------------


@pytest.fixture
def follow_up(tenants) -> tuple[Client, FollowUp]:
    caseworker = staff("caseworker")
    case = services.case_create(
        actor=caseworker,
        received_on=days(-60),
        channel="phone",
        citizen_cpr="0702921234",
        citizen_name="Eva Opfølgning",
    )
    course = services.course_start(
        actor=caseworker,
        case_id=case.pk,
        version=version(case.pk),
        started_on=days(-34),
        offer="raadgivning",
    )
    one, _six = services.course_end(
        actor=caseworker,
        course_id=course.pk,
        version=version(case.pk),
        ended_on=days(-29),
        reason="completed",
        outcome="reduced",
        final_report="Forløbet er gennemført.",
    )
    return client_for(caseworker), one


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [({"done_on": FAR}, "done_on", RANGE), ({"note": "x" * (limits.TEXT + 1)}, "note", TOO_LONG)],
    ids=["done 9999-12-31", "a note of 10,001 characters"],
)
def test_a_follow_up_out_of_bounds_is_told_next_to_the_field(follow_up, fields, field, message):
    client, one = follow_up
    before = writes()
    data = {
        "version": str(version(one.course.case_id)),
        "done_on": days(0).isoformat(),
        "channel": "phone",
        "reached": "ja",
        "outcome": "reduced",
        "note": "Går godt.",
        **fields,
    }
    response = client.post(f"/opfoelgning/{one.pk}/", data)
    body = response.content.decode()
    found = re.search(rf'id="[^"]*-{field}-error"[^>]*>(.*?)</span>\s*$', body, re.M | re.S)
    assert response.status_code == 422 and found, body[:300]
    assert message in found.group(1)
    one.refresh_from_db()
    assert one.done_on is None and writes() == before


# --- text no database can hold ------------------------------------------------------------------


def multipart(fields: dict[str, str], charset: str = "unicode_escape") -> tuple[bytes, str]:
    """A multipart form post whose declared charset Django decodes it with: `unicode_escape`
    turns the six characters \\ud800 into a lone surrogate (no browser sends this)."""
    parts = [
        f'--B\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    ]
    return "".join(
        [*parts, "--B--\r\n"]
    ).encode(), f"multipart/form-data; boundary=B; charset={charset}"


def test_a_lone_surrogate_in_a_form_post_is_refused_naming_the_field(course):
    client, case, course = course
    data = course_post(case, "report", text="Stabilt \\ud800 fremmøde")  # \ud800 as text
    body, content_type = multipart(data)
    before = writes()

    response = client.generic("POST", f"/forloeb/{course.pk}/status/", body, content_type)

    assert response.status_code == 400
    assert "Feltet »report-text« indeholder et ugyldigt tegn (U+D800)." in response.content.decode()
    assert writes() == before and not StatusReport.objects.filter(course=course).exists()


def test_a_lone_surrogate_in_a_follow_up_note_is_refused(follow_up):
    """The lists parse their forms by hand: the check at the door covers them as well."""
    client, one = follow_up
    fields = {
        "version": str(version(one.course.case_id)),
        "done_on": days(0).isoformat(),
        "channel": "phone",
        "reached": "ja",
        "outcome": "reduced",
        "note": "\\udc00",
    }
    body, content_type = multipart(fields)
    response = client.generic("POST", f"/opfoelgning/{one.pk}/", body, content_type)
    assert response.status_code == 400 and "»note«" in response.content.decode()
    one.refresh_from_db()
    assert one.done_on is None


def test_nul_in_a_hand_parsed_form_is_refused(follow_up):
    """NUL, which PostgreSQL cannot hold, reached the follow-up's note: Django's form fields
    refuse it, but the lists parse their posts themselves."""
    client, one = follow_up
    response = client.post(
        f"/opfoelgning/{one.pk}/",
        {
            "version": str(version(one.course.case_id)),
            "done_on": days(0).isoformat(),
            "channel": "phone",
            "reached": "ja",
            "outcome": "reduced",
            "note": "Går\x00godt",
        },
    )
    assert response.status_code == 400 and "(NUL)" in response.content.decode()
    one.refresh_from_db()
    assert one.done_on is None


def test_a_lone_surrogate_in_a_query_string_is_refused(tenants):
    client = client_for(staff("caseworker"))
    response = client.get(
        "/sager/soeg/",
        QUERY_STRING="q=a%5Cud800",
        CONTENT_TYPE="text/plain; charset=unicode_escape",
    )
    assert response.status_code == 400
    assert "Feltet »q« indeholder et ugyldigt tegn (U+D800)." in response.content.decode()


def test_a_surrogate_pair_is_ordinary_text(course):
    """The control: an emoji is a pair of surrogates in UTF-16, one character here."""
    client, case, course = course
    response = client.post(
        f"/forloeb/{course.pk}/status/", course_post(case, "report", text="Godt 😀")
    )
    assert response.status_code == 302
    assert StatusReport.objects.get(course=course).text == "Godt 😀"


# --- the citizen's forms and the statistics ------------------------------------------------------


def test_an_anonymous_birth_date_in_year_9999_is_told_next_to_the_field(tenants, client):
    cases = Case.objects.count()
    response = client.post(
        "/borger/gentofte/anonym/",
        {"pseudonym": "Kim", "requested_offer": "anonym_ambulant", "birth_date": "31.12.9999"},
    )
    assert response.status_code == 200
    assert error_of(response.content.decode(), "id_birth_date") == RANGE
    assert Case.objects.count() == cases


def test_statistics_for_year_9999_are_told_next_to_the_field(tenants):
    client = client_for(staff("head_of_unit"))
    response = client.get("/statistik/", {"start": "9999-01-01", "end": "9999-12-31"})
    body = response.content.decode()
    assert "Fra: " + RANGE in body and "Til: " + RANGE in body
