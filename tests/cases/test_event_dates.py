"""Dates that cannot have happened are refused (issue 19, item 2): every recorded event lies
in a plausible window, not after today (in Copenhagen) and not before what it follows, checked
in the services, so the API (422, naming the field) and the web forms (the message next to
the field) alike. A course's start and a session are planned ahead; what happens on them
(attendance, FIT, reports, the ending) waits for the day.

The clock stands on a leap day, 29 February 2028: that day is accepted, 1 March refused.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client

from case_world import assert_error
from factories import END_KEY_FACTS, START_KEY_FACTS, staff
from rusmiddel.cases import services
from rusmiddel.cases.errors import Invalid
from rusmiddel.cases.models import Case, Complaint, Contact, Course, Decision, Session
from rusmiddel.outcomes.services import fit_record
from support import COPENHAGEN, noon

TODAY = dt.date(2028, 2, 29)  # a leap day
TOMORROW = dt.date(2028, 3, 1)
CONTACT = dt.date(2028, 2, 1)
ASSESSED = dt.date(2028, 2, 3)
DECIDED = dt.date(2028, 2, 7)
STARTED = dt.date(2028, 2, 14)
COMPLAINED = dt.date(2028, 2, 10)

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(noon(TODAY), tick=False)]

CPR = "0702921234"


def _v(case_id: int) -> int:
    return Case.objects.values_list("version", flat=True).get(pk=case_id)


def _day(day: dt.date) -> str:
    return f"{day:%d.%m.%Y}"


def _case(actor, *, cpr: str = CPR) -> Case:
    return services.case_create(
        actor=actor, received_on=CONTACT, channel="phone", citizen_cpr=cpr, citizen_name="M J"
    )


def _assessed(actor) -> Case:
    case = _case(actor)
    services.assessment_record(actor=actor, case_id=case.pk, version=1, facts={}, on=ASSESSED)
    return case


def _decided(actor, case: Case | None = None, offer: str = "ambulant") -> Decision:
    case = case or _assessed(actor)
    return services.decision_record(
        actor=actor,
        case_id=case.pk,
        version=_v(case.pk),
        offer=offer,
        outcome="granted",
        decided_on=DECIDED,
        provider="kabs",
        override_reason="Udredes i forløbet",
    )


def _course(actor) -> Course:
    decision = _decided(actor)
    return services.course_start(
        actor=actor,
        case_id=decision.case_id,
        version=_v(decision.case_id),
        started_on=STARTED,
        decision_id=decision.pk,
        **START_KEY_FACTS,
    )


def _session(actor, course: Course, starts_at: dt.datetime) -> Session:
    return services.session_record(
        actor=actor,
        course_id=course.pk,
        version=_v(course.case_id),
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=1),
    )


def _complaint(actor) -> Complaint:
    decision = _decided(actor)
    return services.complaint_receive(
        actor=actor,
        case_id=decision.case_id,
        version=_v(decision.case_id),
        decision_id=decision.pk,
        received_on=COMPLAINED,
        text="Jeg klager",
    )


# --- every event through the API: after today refused, before what it follows refused, today
# accepted. Each: (what the state is built by, the path, the body, the date's field, the day it
# may not lie before, what that is in the message). -----------------------------------------


def _contact_new(actor) -> tuple[str, dict[str, Any]]:
    body = {"channel": "phone", "citizen": {"cpr": CPR, "name": "M J"}}
    return "/cases", body


def _contact_further(actor):
    case = _case(actor)
    return f"/cases/{case.pk}/contacts", {"version": _v(case.pk), "channel": "phone"}


def _assessment(actor):
    case = _case(actor)
    return f"/cases/{case.pk}/assessments", {"version": _v(case.pk), "facts": {}}


def _decision(actor):
    case = _assessed(actor)
    body = {"version": _v(case.pk), "offer": "ambulant", "outcome": "refused"}
    return f"/cases/{case.pk}/decisions", body


def _plan(actor):
    course = _course(actor)
    body = {"version": _v(course.case_id), "goal": "abstinence", "goals_text": "Stoppe"}
    return f"/courses/{course.pk}/plans", body


def _report(actor):
    course = _course(actor)
    return f"/courses/{course.pk}/status-reports", {"version": _v(course.case_id), "text": "Ok"}


def _end(actor):
    course = _course(actor)
    body = {
        "version": _v(course.case_id),
        "reason": "completed",
        "outcome": "reduced",
        "final_report": "Gennemført",
        **END_KEY_FACTS,
    }
    return f"/courses/{course.pk}/end", body


def _change(actor):
    course = _course(actor)
    other = _decided(actor, Case.objects.get(pk=course.case_id), offer="dagbehandling")
    body = {"version": _v(course.case_id), "decision_id": other.pk}
    return f"/courses/{course.pk}/change-offer", body


def _complaint_received(actor):
    decision = _decided(actor)
    body = {"version": _v(decision.case_id), "decision_id": decision.pk, "text": "Jeg klager"}
    return f"/cases/{decision.case_id}/complaints", body


def _reassessment(actor):
    complaint = _complaint(actor)
    body = {"version": _v(complaint.case_id), "upheld": True, "text": "Fastholdes"}
    return f"/complaints/{complaint.pk}/reassessment", body


def _key_facts(actor):
    course = _course(actor)
    body = {"version": _v(course.case_id), "moment": "start", **START_KEY_FACTS}
    return f"/courses/{course.pk}/key-facts", body


EVENTS = {
    # name: (build, field, the day it follows, what that is)
    "a new case's contact": (_contact_new, "received_on", None, ""),
    "a further contact": (_contact_further, "received_on", None, ""),
    "an assessment": (_assessment, "on", CONTACT, "henvendelsen"),
    "a decision": (_decision, "decided_on", ASSESSED, "udredningen"),
    "a treatment plan": (_plan, "agreed_on", STARTED, "forløbets start"),
    "a status report": (_report, "submitted_on", STARTED, "forløbets start"),
    "a course's end": (_end, "ended_on", STARTED, "forløbets start"),
    "a change of offer": (_change, "changed_on", STARTED, "forløbets start"),
    "a complaint": (_complaint_received, "received_on", DECIDED, "afgørelsen"),
    "a reassessment": (_reassessment, "reassessed_on", COMPLAINED, "klagens modtagelse"),
    "key facts": (_key_facts, "recorded_on", None, ""),
}


@pytest.fixture
def therapist(tenants):
    return staff("therapist", "gentofte")


def _post(actor, path: str, body: dict[str, Any]):
    from conftest import Api

    return Api(actor).post(path, body)


@pytest.mark.parametrize("event", EVENTS)
def test_an_event_dated_after_today_is_refused_naming_the_field(therapist, event):
    build, field, _, _ = EVENTS[event]
    path, body = build(therapist)
    versions = dict(Case.objects.values_list("pk", "version"))

    error = assert_error(
        _post(therapist, path, {**body, field: TOMORROW.isoformat()}), 422, "invalid", field
    )

    assert error["message"].startswith(f"{field}: ")
    assert f"({_day(TOMORROW)}) kan ikke ligge efter i dag ({_day(TODAY)})" in error["message"]
    assert dict(Case.objects.values_list("pk", "version")) == versions  # nothing written


@pytest.mark.parametrize("event", [e for e, spec in EVENTS.items() if spec[2]])
def test_an_event_dated_before_what_it_follows_is_refused(therapist, event):
    build, field, follows, what = EVENTS[event]
    path, body = build(therapist)
    before = follows - dt.timedelta(days=1)

    error = assert_error(
        _post(therapist, path, {**body, field: before.isoformat()}), 422, "invalid", field
    )

    assert f"ligger før {what} ({_day(follows)})" in error["message"]


@pytest.mark.parametrize("event", EVENTS)
def test_an_event_dated_today_is_accepted(therapist, event):
    build, field, _, _ = EVENTS[event]
    path, body = build(therapist)
    status, answer = _post(therapist, path, {**body, field: TODAY.isoformat()})
    assert status in (200, 201), answer


def test_today_is_the_day_in_copenhagen_not_in_utc(therapist, time_machine):
    # half past midnight on 1 March in Copenhagen is still 29 February in UTC
    time_machine.move_to(dt.datetime(2028, 2, 29, 23, 30, tzinfo=dt.UTC), tick=False)
    case = _case(therapist)
    contact = services.contact_record(
        actor=therapist, case_id=case.pk, version=1, received_on=TOMORROW, channel="phone"
    )
    assert contact.received_on == TOMORROW
    time_machine.move_to(dt.datetime(2028, 2, 29, 22, 30, tzinfo=dt.UTC), tick=False)
    path, body = _contact_further(therapist)
    error = assert_error(
        _post(therapist, path, {**body, "received_on": TOMORROW.isoformat()}),
        422,
        "invalid",
        "received_on",
    )
    assert f"i dag ({_day(TODAY)})" in error["message"]
    assert Contact.objects.filter(received_on=TOMORROW).count() == 1


def test_the_letter_of_a_decision_dated_ahead_is_never_made(therapist):
    """The issue's case: a decision dated 2027-06-01 saved on 2026-12-07 went out with a
    complaint deadline in June 2027."""
    from rusmiddel.letters.models import Letter

    case = _assessed(therapist)
    letters = Letter.objects.count()
    with pytest.raises(Invalid):
        services.decision_record(
            actor=therapist,
            case_id=case.pk,
            version=_v(case.pk),
            offer="ambulant",
            outcome="granted",
            decided_on=dt.date(2028, 6, 1),
            override_reason="Udredes i forløbet",
        )
    assert Letter.objects.count() == letters and not Decision.objects.exists()


# --- planned ahead: a course's start and a session; what happens on them waits --------------


def test_a_course_start_may_be_planned_ahead_but_not_before_its_decision(therapist):
    decision = _decided(therapist)
    path = f"/cases/{decision.case_id}/courses"
    body = {"version": _v(decision.case_id), "decision_id": decision.pk, **START_KEY_FACTS}

    early = (DECIDED - dt.timedelta(days=1)).isoformat()
    error = assert_error(
        _post(therapist, path, {**body, "started_on": early}), 422, "invalid", "started_on"
    )
    assert f"ligger før afgørelsen ({_day(DECIDED)})" in error["message"]

    status, course = _post(therapist, path, {**body, "started_on": "2028-03-13"})
    assert status == 201, course  # booked two weeks ahead: the start is planned


def test_a_session_is_booked_ahead_but_not_before_the_course_started(therapist):
    course = _course(therapist)
    path = f"/courses/{course.pk}/sessions"
    body = {"version": _v(course.case_id)}

    status, answer = _post(
        therapist,
        path,
        {**body, "starts_at": "2028-03-07T10:00:00+01:00", "ends_at": "2028-03-07T11:00:00+01:00"},
    )
    assert status == 201, answer

    body = {"version": _v(course.case_id)}
    early = {"starts_at": "2028-02-13T10:00:00+01:00", "ends_at": "2028-02-13T11:00:00+01:00"}
    error = assert_error(_post(therapist, path, {**body, **early}), 422, "invalid", "starts_at")
    assert f"ligger før forløbets start ({_day(STARTED)})" in error["message"]


def test_attendance_waits_for_the_session_to_begin_but_a_session_can_be_cancelled_ahead(
    therapist,
):
    course = _course(therapist)
    in_an_hour = dt.datetime.combine(TODAY, dt.time(13), tzinfo=COPENHAGEN)  # it is noon
    next_week = _session(therapist, course, in_an_hour)
    this_morning = _session(therapist, course, in_an_hour - dt.timedelta(hours=3))

    for attendance in ("attended", "no_show"):
        error = assert_error(
            _post(
                therapist,
                f"/sessions/{next_week.pk}/attendance",
                {"version": _v(course.case_id), "attendance": attendance},
            ),
            422,
            "invalid",
            "attendance",
        )
        assert "Samtalen begynder 29.02.2028 kl. 13.00" in error["message"]
    assert Session.objects.get(pk=next_week.pk).attendance == ""

    status, answer = _post(
        therapist,
        f"/sessions/{next_week.pk}/attendance",
        {"version": _v(course.case_id), "attendance": "cancelled"},
    )
    assert status == 200, answer
    status, answer = _post(
        therapist,
        f"/sessions/{this_morning.pk}/attendance",
        {"version": _v(course.case_id), "attendance": "attended"},
    )
    assert status == 200, answer


def test_a_session_booked_ahead_cannot_be_recorded_as_attended(therapist):
    course = _course(therapist)
    error = assert_error(
        _post(
            therapist,
            f"/courses/{course.pk}/sessions",
            {
                "version": _v(course.case_id),
                "starts_at": "2028-03-07T10:00:00+01:00",
                "ends_at": "2028-03-07T11:00:00+01:00",
                "attendance": "attended",
            },
        ),
        422,
        "invalid",
        "attendance",
    )
    assert "07.03.2028" in error["message"]
    assert not Session.objects.exists()


def test_fit_scores_wait_for_the_session(tenants):
    therapist = staff("therapist", "helsingoer")  # its standard has the FIT instruments
    case = services.case_create(
        actor=therapist,
        received_on=CONTACT,
        channel="phone",
        citizen_cpr=CPR,
        citizen_name="M J",
    )
    services.assessment_record(actor=therapist, case_id=case.pk, version=1, facts={}, on=ASSESSED)
    decision = services.decision_record(
        actor=therapist,
        case_id=case.pk,
        version=2,
        offer="individuelle_samtaler",
        outcome="granted",
        decided_on=DECIDED,
        override_reason="Udredes i forløbet",
    )
    course = services.course_start(
        actor=therapist,
        case_id=case.pk,
        version=3,
        started_on=STARTED,
        decision_id=decision.pk,
        **START_KEY_FACTS,
    )
    tomorrow = _session(therapist, course, noon(TOMORROW))
    path = f"/sessions/{tomorrow.pk}/fit"
    body = {"instrument": "ors", "items": [5, 6, 4.5, 5]}

    error = assert_error(
        _post(therapist, path, {"version": _v(case.pk), **body}), 422, "invalid", "session_id"
    )
    assert "Samtalen begynder 01.03.2028 kl. 12.00" in error["message"]

    held = _session(therapist, course, noon(TODAY) - dt.timedelta(hours=2))
    status, answer = _post(therapist, f"/sessions/{held.pk}/fit", {"version": _v(case.pk), **body})
    assert status == 201, answer
    with pytest.raises(Invalid):
        fit_record(
            actor=therapist,
            session_id=tomorrow.pk,
            version=_v(case.pk),
            instrument="srs",
            items=["9"] * 4,
        )


def test_a_course_does_not_end_before_a_session_the_citizen_came_to(therapist):
    course = _course(therapist)
    came = _session(therapist, course, noon(dt.date(2028, 2, 21)))
    services.attendance_record(
        actor=therapist, session_id=came.pk, version=_v(course.case_id), attendance="attended"
    )
    path, body = (
        f"/courses/{course.pk}/end",
        {
            "version": _v(course.case_id),
            "reason": "completed",
            "outcome": "reduced",
            "final_report": "Gennemført",
            **END_KEY_FACTS,
        },
    )
    error = assert_error(
        _post(therapist, path, {**body, "ended_on": "2028-02-20"}), 422, "invalid", "ended_on"
    )
    assert (
        "ligger før den sidste samtale med fremmøde registreret (21.02.2028)" in (error["message"])
    )
    status, answer = _post(therapist, path, {**body, "ended_on": "2028-02-21"})
    assert status == 200, answer


# --- the web forms: the same message next to the field -------------------------------------


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _field_error(body: str, field_id: str) -> str:
    """The message shown next to the field (after its screen readers' "Fejl:")."""
    found = re.search(
        rf'<span class="form-error-message" id="{field_id}_error">'
        r'<span class="sr-only">Fejl: </span>(.*?)</span>',
        body,
        re.S,
    )
    assert found, f"no error for {field_id}"
    return found[1].strip()


def test_the_decision_form_names_a_date_after_today(tenants):
    caseworker = staff("caseworker", "gentofte")
    case = _assessed(caseworker)
    data = {
        "version": str(_v(case.pk)),
        "offer": "ambulant",
        "outcome": "refused",
        "decided_on": TOMORROW.isoformat(),
        "send_channel": "digital_post",
        "provider": "",
        "provider_for": "ambulant",
        "free_choice_requested": "",
        "free_choice_outcome": "not_requested",
        "override_reason": "",
        "note": "",
    }
    response = _client(caseworker).post(f"/sager/{case.pk}/afgoerelse/", data)
    assert response.status_code == 422
    message = _field_error(response.content.decode(), "id_decided_on")
    assert message == (
        f"Afgørelsens dato ({_day(TOMORROW)}) kan ikke ligge efter i dag ({_day(TODAY)})."
    )
    assert not Decision.objects.exists()


@pytest.mark.parametrize(
    ("key", "url", "fields", "field"),
    [
        ("plan", "plan", {"goal": "abstinence", "goals_text": "Stoppe"}, "agreed_on"),
        ("report", "status", {"text": "Stabilt fremmøde"}, "submitted_on"),
        (
            "end",
            "afslut",
            {
                "reason": "completed",
                "outcome": "reduced",
                "final_report": "Gennemført",
                **END_KEY_FACTS,
            },
            "ended_on",
        ),
    ],
)
def test_the_course_forms_name_a_date_after_today(therapist, key, url, fields, field):
    course = _course(therapist)
    data = {f"{key}-{k}": v for k, v in {**fields, "version": _v(course.case_id)}.items()}
    data[f"{key}-{field}"] = TOMORROW.isoformat()
    response = _client(therapist).post(f"/forloeb/{course.pk}/{url}/", data)
    assert response.status_code == 422
    message = _field_error(response.content.decode(), f"id_{key}-{field}")
    assert f"({_day(TOMORROW)}) kan ikke ligge efter i dag ({_day(TODAY)})." in message
    assert _v(course.case_id) == data[f"{key}-version"]


def test_the_attendance_buttons_say_a_session_has_not_begun(therapist):
    course = _course(therapist)
    session = _session(therapist, course, noon(TOMORROW))
    response = _client(therapist).post(
        f"/samtaler/{session.pk}/fremmoede/",
        {"version": _v(course.case_id), "attendance": "attended"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert "Samtalen begynder 01.03.2028 kl. 12.00" in body
    assert Session.objects.get(pk=session.pk).attendance == ""


def test_the_reassessment_form_names_a_date_after_today(tenants):
    caseworker = staff("caseworker", "gentofte")
    complaint = _complaint(caseworker)
    response = _client(caseworker).post(
        f"/klager/{complaint.pk}/genvurdering/",
        {
            "version": _v(complaint.case_id),
            "reassessed_on": TOMORROW.isoformat(),
            "result": "upheld",
            "text": "Fastholdes",
        },
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert (
        f"Genvurderingens dato ({_day(TOMORROW)}) kan ikke ligge efter i dag ({_day(TODAY)})."
    ) in body
    assert Complaint.objects.get(pk=complaint.pk).reassessed_on is None


def test_the_course_page_offers_only_cancelling_a_session_ahead(therapist):
    course = _course(therapist)
    held = _session(therapist, course, noon(TODAY) - dt.timedelta(hours=2))
    ahead = _session(therapist, course, noon(TOMORROW))

    body = _client(therapist).get(f"/forloeb/{course.pk}/").content.decode()

    for value in ("attended", "no_show", "cancelled"):
        assert f'id="fremmoede-{held.pk}-{value}"' in body
    assert f'id="fremmoede-{ahead.pk}-cancelled"' in body
    assert f'id="fremmoede-{ahead.pk}-attended"' not in body
    assert f'id="fremmoede-{ahead.pk}-no_show"' not in body
