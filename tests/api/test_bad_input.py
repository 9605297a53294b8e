"""Bad input answers 422 with {"error": {"code", "field", "message"}} naming the field, and
writes nothing: no row, no audit entry, no new case version. A stale version answers 409.

Requests go to a populated world (tests/case_world.py): a Gentofte case referred to KABS with
an evaluation, decisions, an active course with a session, an ended course with follow-ups
and a received complaint. Every bad request is the valid request of the authorization matrix
with one thing wrong, so the 422 can only come from that one thing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from stdnum.dk import cpr as cpr_number

from case_world import (
    ENDPOINT_CALLS,
    Bundle,
    _version,
    assert_error,
    assert_unchanged,
    path_for,
    request,
    snapshot,
    world_fixture,  # noqa: F401 - the `world` fixture
)
from rusmiddel.audit.models import AuditEntry
from rusmiddel.cases.models import Case, Citizen

MUNICIPALITY = "gentofte"

CASES = ("POST", "/cases")
CONTACT = ("POST", "/cases/{case_id}/contacts")
ASSESSMENT = ("POST", "/cases/{case_id}/assessments")
DECISION = ("POST", "/cases/{case_id}/decisions")
COURSE = ("POST", "/cases/{case_id}/courses")
COMPLAINT = ("POST", "/cases/{case_id}/complaints")
REASSESS = ("POST", "/complaints/{complaint_id}/reassessment")
PLAN = ("POST", "/courses/{course_id}/plans")
SESSION = ("POST", "/courses/{course_id}/sessions")
ATTENDANCE = ("POST", "/sessions/{session_id}/attendance")
STATUS = ("POST", "/courses/{course_id}/status-reports")
SELF_PAYMENT = ("POST", "/courses/{course_id}/self-payment")
END = ("POST", "/courses/{course_id}/end")
CHANGE = ("POST", "/courses/{course_id}/change-offer")
FOLLOW_UP = ("POST", "/follow-ups/{follow_up_id}")
WITHDRAWAL = ("POST", "/decisions/{decision_id}/withdrawal")
CORRECTION = ("POST", "/decisions/{decision_id}/correction")

NAMED = {
    "received_on": "2026-11-24",
    "channel": "digital_post",
    "citizen": {"cpr": "0702921234", "name": "Mette Jensen"},
}


def _body(endpoint, **changes: Any) -> Callable[[Bundle, int], dict[str, Any]]:
    """The valid body of `endpoint` with `changes` (a value of ... removes the key)."""

    def make(bundle: Bundle, version: int) -> dict[str, Any]:
        base = dict(NAMED) if endpoint == CASES else ENDPOINT_CALLS[endpoint].body(bundle, version)
        for key, value in changes.items():
            if value is ...:
                base.pop(key, None)
            else:
                base[key] = value
        return base

    return make


def _refused(api, endpoint, bundle: Bundle, body: dict[str, Any], status=422, code="invalid"):
    """Send `body`; it must be refused naming a field, and nothing may change."""
    version = _version(bundle.case_id)
    before = snapshot()
    url = path_for(endpoint[1], ENDPOINT_CALLS[endpoint], bundle)
    answer = api.post(url, body)
    assert answer[0] == status, answer
    assert_unchanged(before, snapshot())
    assert _version(bundle.case_id) == version
    return answer


BAD = [
    # --- CPR numbers: ten digits with a real date (modulus 11 is NOT required) --------------
    (
        "cpr 31 February",
        CASES,
        _body(CASES, citizen={"cpr": "3102921234", "name": "A"}),
        "citizen.cpr",
    ),
    (
        "cpr month 13",
        CASES,
        _body(CASES, citizen={"cpr": "0113921234", "name": "A"}),
        "citizen.cpr",
    ),
    ("cpr letters", CASES, _body(CASES, citizen={"cpr": "07029212a4", "name": "A"}), "citizen.cpr"),
    (
        "cpr all letters",
        CASES,
        _body(CASES, citizen={"cpr": "abcdefghij", "name": "A"}),
        "citizen.cpr",
    ),
    ("cpr 9 digits", CASES, _body(CASES, citizen={"cpr": "070292123", "name": "A"}), "citizen.cpr"),
    (
        "cpr 11 digits",
        CASES,
        _body(CASES, citizen={"cpr": "07029212345", "name": "A"}),
        "citizen.cpr",
    ),
    ("cpr empty", CASES, _body(CASES, citizen={"cpr": "", "name": "A"}), "citizen.cpr"),
    ("cpr missing", CASES, _body(CASES, citizen={"name": "A"}), "citizen.cpr"),
    # --- names ---------------------------------------------------------------------------------
    ("name missing", CASES, _body(CASES, citizen={"cpr": "0702921234"}), "citizen.name"),
    (
        "name blank",
        CASES,
        _body(CASES, citizen={"cpr": "0702921234", "name": "  "}),
        "citizen.name",
    ),
    ("no citizen at all", CASES, _body(CASES, citizen=...), "citizen.name"),
    # --- unknown offers, channels, providers ----------------------------------------------------
    ("requested offer", CASES, _body(CASES, requested_offer="yoga"), "requested_offer"),
    (
        "requested offer, no wish for treatment",
        CASES,
        _body(CASES, requested_offer="yoga", wishes_treatment=False),
        "requested_offer",
    ),
    (
        "requested offer of another municipality",
        CASES,
        _body(CASES, requested_offer="kokain_hashstop"),
        "requested_offer",
    ),
    (
        "contact's requested offer",
        CONTACT,
        _body(CONTACT, requested_offer="yoga"),
        "requested_offer",
    ),
    ("decision offer", DECISION, _body(DECISION, offer="yoga"), "offer"),
    (
        "decision offer of another municipality",
        DECISION,
        _body(DECISION, offer="kokain_hashstop"),
        "offer",
    ),
    (
        "course offer",
        COURSE,
        _body(COURSE, decision_id=None, offer="yoga"),
        "offer",
    ),
    ("case channel", CASES, _body(CASES, channel="fax"), "channel"),
    ("contact channel", CONTACT, _body(CONTACT, channel="fax"), "channel"),
    ("contact by", CASES, _body(CASES, contact_by="neighbour"), "contact_by"),
    ("decision send channel", DECISION, _body(DECISION, send_channel="pigeon"), "send_channel"),
    ("follow-up channel", FOLLOW_UP, _body(FOLLOW_UP, channel="fax"), "channel"),
    ("case provider", CASES, _body(CASES, provider="nowhere"), "provider"),
    (
        "case provider of another municipality",
        CASES,
        _body(CASES, provider="helsingoer_rusmiddelcenter"),
        "provider",
    ),
    ("decision provider", DECISION, _body(DECISION, provider="nowhere"), "provider"),
    ("course provider", COURSE, _body(COURSE, provider="nowhere"), "provider"),
    ("person role", CASES, _body(CASES, person_role="cousin"), "person_role"),
    ("decision outcome", DECISION, _body(DECISION, outcome="maybe"), "outcome"),
    ("plan goal", PLAN, _body(PLAN, goal="happiness"), "goal"),
    ("attendance", ATTENDANCE, _body(ATTENDANCE, attendance="late"), "attendance"),
    ("end reason", END, _body(END, reason="bored"), "reason"),
    ("end outcome", END, _body(END, outcome="great"), "outcome"),
    ("follow-up outcome", FOLLOW_UP, _body(FOLLOW_UP, outcome="great"), "outcome"),
    ("follow-up reached, no outcome", FOLLOW_UP, _body(FOLLOW_UP, outcome=""), "outcome"),
    ("group of another offer", ("POST", "/courses/{course_id}/enrolments"), None, "group_id"),
    # --- ends before starts ----------------------------------------------------------------
    # the bundle: contact 24 Nov, evaluation 26 Nov, decisions 30 Nov, courses from 7 Dec,
    # complaint 10 Dec, ended course 29 Jan 2027
    ("course ends before it starts", END, _body(END, ended_on="2026-12-06"), "ended_on"),
    (
        "session ends before it starts",
        SESSION,
        _body(SESSION, ends_at="2027-01-12T09:00:00+01:00"),
        "ends_at",
    ),
    (
        "session ends as it starts",
        SESSION,
        _body(SESSION, ends_at="2027-01-12T10:00:00+01:00"),
        "ends_at",
    ),
    (
        "session before the course",
        SESSION,
        _body(SESSION, starts_at="2026-12-01T10:00:00+01:00", ends_at="2026-12-01T11:00:00+01:00"),
        "starts_at",
    ),
    (
        "decision before the evaluation",
        DECISION,
        _body(DECISION, decided_on="2026-11-25"),
        "decided_on",
    ),
    ("course before the decision", COURSE, _body(COURSE, started_on="2026-11-29"), "started_on"),
    ("plan before the course", PLAN, _body(PLAN, agreed_on="2026-12-06"), "agreed_on"),
    ("status before the course", STATUS, _body(STATUS, submitted_on="2026-12-06"), "submitted_on"),
    (
        "follow-up before the course ended",
        FOLLOW_UP,
        _body(FOLLOW_UP, done_on="2027-01-28"),
        "done_on",
    ),
    (
        "complaint before the decision",
        COMPLAINT,
        _body(COMPLAINT, received_on="2026-11-29"),
        "received_on",
    ),
    (
        "reassessed before received",
        REASSESS,
        _body(REASSESS, reassessed_on="2026-12-09"),
        "reassessed_on",
    ),
    (
        "offer changed before the course",
        CHANGE,
        _body(CHANGE, changed_on="2026-12-06"),
        "changed_on",
    ),
    # --- impossible and malformed dates -----------------------------------------------------
    ("received 30 February", CASES, _body(CASES, received_on="2026-02-30"), "received_on"),
    ("received in Danish order", CASES, _body(CASES, received_on="24-11-2026"), "received_on"),
    ("ended 31 April", END, _body(END, ended_on="2027-04-31"), "ended_on"),
    (
        "session at 25 o'clock",
        SESSION,
        _body(SESSION, starts_at="2027-01-12T25:00:00+01:00"),
        "starts_at",
    ),
    # --- facts: the dotted path of the bad fact -------------------------------------------
    (
        "facts unknown key",
        ASSESSMENT,
        _body(ASSESSMENT, facts={"person": {"shoe_size": 42}}),
        "facts.person.shoe_size",
    ),
    (
        "facts unknown section",
        ASSESSMENT,
        _body(ASSESSMENT, facts={"hobbies": {}}),
        "facts.hobbies",
    ),
    (
        "facts wrong type",
        ASSESSMENT,
        _body(ASSESSMENT, facts={"use": {"harms_daily_life": "yes"}}),
        "facts.use.harms_daily_life",
    ),
    (
        "facts number as text",
        ASSESSMENT,
        _body(ASSESSMENT, facts={"person": {"children_at_home": "two"}}),
        "facts.person.children_at_home",
    ),
    (
        "facts unknown value",
        ASSESSMENT,
        _body(ASSESSMENT, facts={"use": {"level": "heavy"}}),
        "facts.use.level",
    ),
    (
        "facts in a list",
        ASSESSMENT,
        _body(ASSESSMENT, facts={"use": {"substances": [{"substance": "tea"}]}}),
        "facts.use.substances[0].substance",
    ),
    (
        "facts unknown previous offer",
        ASSESSMENT,
        _body(ASSESSMENT, facts={"history": {"previous_offers": ["yoga"]}}),
        "facts.history.previous_offers[0]",
    ),
    ("facts not an object", ASSESSMENT, _body(ASSESSMENT, facts=[1, 2]), "facts"),
    (
        "birth date against the CPR number",
        ASSESSMENT,
        _body(ASSESSMENT, facts={"person": {"birth_date": "1970-01-01"}}),
        "facts.person.birth_date",
    ),
    # --- granting against the evaluation ----------------------------------------------------
    (
        "granting a not-eligible offer without a reason",
        DECISION,
        _body(DECISION, offer="dagbehandling", outcome="granted"),
        "override_reason",
    ),
    (
        "granting an offer that needs information, blank reason",
        DECISION,
        _body(DECISION, offer="substitution", outcome="granted", override_reason="   "),
        "override_reason",
    ),
    # --- withdrawing and correcting a decision -----------------------------------------------
    ("withdrawal without a reason", WITHDRAWAL, _body(WITHDRAWAL, reason=...), "reason"),
    ("withdrawal with a blank reason", WITHDRAWAL, _body(WITHDRAWAL, reason="  "), "reason"),
    (
        "withdrawal before the decision",
        WITHDRAWAL,
        _body(WITHDRAWAL, withdrawn_on="2026-11-29"),
        "withdrawn_on",
    ),
    (
        "withdrawal sent by pigeon",
        WITHDRAWAL,
        _body(WITHDRAWAL, send_channel="pigeon"),
        "send_channel",
    ),
    ("correction without a reason", CORRECTION, _body(CORRECTION, reason=...), "reason"),
    ("correction outcome", CORRECTION, _body(CORRECTION, outcome="maybe"), "outcome"),
    ("correction to an unknown offer", CORRECTION, _body(CORRECTION, offer="yoga"), "offer"),
    (
        "correction before the decision",
        CORRECTION,
        _body(CORRECTION, decided_on="2026-11-29"),
        "decided_on",
    ),
    # --- other rules ------------------------------------------------------------------------
    ("self-payment for no days", SELF_PAYMENT, _body(SELF_PAYMENT, days=0), "days"),
    (
        "self-payment negative income",
        SELF_PAYMENT,
        _body(SELF_PAYMENT, monthly_income_dkk="-1"),
        "monthly_income_dkk",
    ),
    ("self-payment on an ambulant course", SELF_PAYMENT, "ambulant", "course_id"),
    ("blank goals", PLAN, _body(PLAN, goals_text=" "), "goals_text"),
    ("blank complaint", COMPLAINT, _body(COMPLAINT, text=""), "text"),
    ("blank final report", END, _body(END, final_report=""), "final_report"),
    ("refused decision as a course", COURSE, "refused", "decision_id"),
    ("decision of another case", COURSE, "other case", "decision_id"),
    ("missing version", CONTACT, _body(CONTACT, version=...), "version"),
    ("version as text", CONTACT, _body(CONTACT, version="latest"), "version"),
    # --- unknown keys are refused, never ignored ---------------------------------------------
    ("unknown key in a new case", CASES, _body(CASES, colour="red"), "colour"),
    (
        "unknown key in the citizen",
        CASES,
        _body(CASES, citizen={"cpr": "0702921234", "name": "A", "shoe_size": 42}),
        "citizen.shoe_size",
    ),
    ("misspelt key", CONTACT, _body(CONTACT, recieved_on="2026-12-01"), "recieved_on"),
]


KEY_FACTS = ("POST", "/courses/{course_id}/key-facts")
FIT = ("POST", "/sessions/{session_id}/fit")
BOOKING = ("POST", "/cases/{case_id}/bookings")
TOKEN = ("POST", "/auth/token")
REGION = ("POST", "/cases/{case_id}/region-referral")
REGION_ACCEPT = ("POST", "/cases/{case_id}/region-referral/acceptance")

#: Bad requests to the endpoints added with outcomes, the waitlist and the referral to the
#: region, against the Helsingør bundle (its standard has the FIT instruments and the group
#: calendar).
BAD_HELSINGOER = [
    ("key facts moment", KEY_FACTS, _body(KEY_FACTS, moment="middle"), "moment"),
    ("key facts use", KEY_FACTS, _body(KEY_FACTS, use_frequency="hourly"), "use_frequency"),
    ("key facts housing missing", KEY_FACTS, _body(KEY_FACTS, housing=...), "housing"),
    ("key facts 30 February", KEY_FACTS, _body(KEY_FACTS, recorded_on="2027-02-30"), "recorded_on"),
    ("fit instrument", FIT, _body(FIT, instrument="phq9"), "instrument"),
    ("fit too few items", FIT, _body(FIT, items=[5, 6]), "items"),
    ("fit item out of range", FIT, _body(FIT, items=[5, 6, 4.5, 11]), "items[3]"),
    ("fit item as text", FIT, _body(FIT, items=[5, 6, "meget", 5]), "items[2]"),
    ("booking line", BOOKING, _body(BOOKING, line="nonsense"), "line"),
    ("booking unknown capacity", BOOKING, _body(BOOKING, line="capacity:987654321"), "line"),
    ("booking in the past", BOOKING, _body(BOOKING, starts_on="2020-01-06"), "starts_on"),
    ("booking 31 April", BOOKING, _body(BOOKING, starts_on="2027-04-31"), "starts_on"),
    ("booking unknown decision", BOOKING, _body(BOOKING, decision_id=987654321), "decision_id"),
    # integrated treatment in the region (SUL § 82 c): the bundle is referred on 2026-11-26
    ("referral before § 82 c", REGION, _body(REGION, referred_on="2024-08-31"), "referred_on"),
    ("referral 30 February", REGION, _body(REGION, referred_on="2027-02-30"), "referred_on"),
    ("referral without a region", REGION, _body(REGION, region="  "), "region"),
    ("referral region too long", REGION, _body(REGION, region="x" * 201), "region"),
    (
        "referral before the case's first contact",
        REGION,
        _body(REGION, referred_on="2026-11-23"),
        "referred_on",
    ),
    (
        "region received before the referral",
        REGION_ACCEPT,
        _body(REGION_ACCEPT, accepted_on="2026-11-25"),
        "accepted_on",
    ),
    ("region received never", REGION_ACCEPT, _body(REGION_ACCEPT, accepted_on=...), "accepted_on"),
]


@pytest.mark.parametrize(
    ("endpoint", "make", "field"), [pytest.param(*b[1:], id=b[0]) for b in BAD_HELSINGOER]
)
def test_bad_outcome_and_booking_input_is_refused_naming_the_field(
    world, as_role, endpoint, make, field
):
    bundle = world.referred("helsingoer")
    therapist = as_role("therapist", "helsingoer")
    _, answer = _refused(therapist, endpoint, bundle, make(bundle, _version(bundle.case_id)))
    assert_error((422, answer), 422, "invalid", field)


@pytest.mark.parametrize(
    ("body", "field"),
    [({"username": "x"}, "password"), ({"password": "x"}, "username"), ({}, "username")],
)
def test_a_bad_token_request_is_refused_naming_the_field(world, client, body, field):
    from rusmiddel.accounts.models import ApiToken

    tokens = ApiToken.objects.count()
    response = client.post("/api/auth/token", body, content_type="application/json")
    assert_error((response.status_code, response.json()), 422, "invalid", field)
    assert ApiToken.objects.count() == tokens


def test_every_write_of_the_api_has_a_bad_input_case():
    """A new POST endpoint fails here until a bad request of its own is refused above."""
    from case_world import api_endpoints

    covered = {b[1] for b in BAD + BAD_HELSINGOER} | {
        TOKEN,  # test_a_bad_token_request_is_refused_naming_the_field
        ("POST", "/courses/{course_id}/enrolments"),  # "group of another offer" (make None)
        ("POST", "/letters/{letter_id}/retry"),  # takes no fields: the unknown-key test
        ("POST", "/auth/logout"),  # takes no body: the bearer token is all it reads
        # tests/api/test_assignment_api.py: test_bad_assignment_input_is_refused_…
        ("POST", "/cases/{case_id}/assignment"),
    }
    writes = {e for e in api_endpoints() if e[0] == "POST"}
    assert writes - covered == set(), f"no bad-input case for {sorted(writes - covered)}"
    assert set(PATH_WRITES) <= writes  # the unknown-key and stale-version tests cover them


@pytest.mark.parametrize(
    ("endpoint", "make", "field"), [pytest.param(*b[1:], id=b[0]) for b in BAD]
)
def test_bad_input_is_refused_naming_the_field(world, as_role, endpoint, make, field):
    from rusmiddel.cases import services

    municipality = "helsingoer" if make is None else MUNICIPALITY  # Helsingør books groups
    bundle = world.referred(municipality)
    therapist = as_role("therapist", municipality)
    version = _version(bundle.case_id)
    if make is None:  # a group of another offer than the course's
        from rusmiddel.groups.models import Group

        group = Group.objects.get(pk=bundle.group_id)
        group.pk, group.offer = None, "individuelle_samtaler"
        group.save()
        body = {**ENDPOINT_CALLS[endpoint].body(bundle, version), "group_id": group.pk}
    elif make == "ambulant":
        bundle = Bundle(**{**bundle.__dict__, "residential_course_id": bundle.course_id})
        body = ENDPOINT_CALLS[endpoint].body(bundle, version)
    elif make == "refused":
        refused = services.decision_record(
            actor=bundle.builder,
            case_id=bundle.case_id,
            version=version,
            offer="dagbehandling",
            outcome="refused",
            decided_on=dt.date(2026, 11, 30),
        )
        version = _version(bundle.case_id)
        body = {**ENDPOINT_CALLS[endpoint].body(bundle, version), "decision_id": refused.pk}
    elif make == "other case":
        body = {
            **ENDPOINT_CALLS[endpoint].body(bundle, version),
            "decision_id": world.unreferred(MUNICIPALITY).decision_id,
        }
    else:
        body = make(bundle, version)
    if endpoint == CASES:
        citizens = Citizen.objects.count()
    status, answer = _refused(therapist, endpoint, bundle, body)
    error = assert_error((status, answer), 422, "invalid", field)
    if endpoint == CASES:
        assert Citizen.objects.count() == citizens
    if field.startswith("facts.") and "birth_date" not in field:
        assert field.removeprefix("facts.") in error["message"]


def test_modulus_11_is_not_required(world, as_role):
    """CPR numbers without a valid check digit have been issued since 2007."""
    caseworker = as_role("caseworker", MUNICIPALITY)
    for number in ("0702921234", "0101001235"):
        assert cpr_number.checksum(number) != 0  # fails modulus 11
        status, case = caseworker.post(
            "/cases", {**NAMED, "citizen": {"cpr": number, "name": "Mette Jensen"}}
        )
        assert status == 201, case
        assert case["citizen"]["cpr"] == number


def test_a_valid_request_of_each_kind_is_accepted(world, as_role):
    """The controls: the same requests without the fault are accepted (so a 422 above comes
    from the fault, not from the rest of the body)."""
    bundle = world.referred(MUNICIPALITY)
    therapist = as_role("therapist", MUNICIPALITY)
    for endpoint in (DECISION, SESSION, PLAN, STATUS, FOLLOW_UP, COMPLAINT, REASSESS, END):
        body = ENDPOINT_CALLS[endpoint].body(bundle, _version(bundle.case_id))
        status, answer = therapist.post(
            path_for(endpoint[1], ENDPOINT_CALLS[endpoint], bundle), body
        )
        assert status in (200, 201), (endpoint, answer)
    body = _body(DECISION, offer="dagbehandling", outcome="granted", override_reason="Vurderet")
    status, answer = therapist.post(
        path_for(DECISION[1], ENDPOINT_CALLS[DECISION], bundle),
        body(bundle, _version(bundle.case_id)),
    )
    assert status == 201 and answer["override_reason"] == "Vurderet", answer
    assert therapist.post("/cases", NAMED)[0] == 201


def test_an_impossible_birth_date_in_the_facts_is_named(world, as_role):
    """An anonymous case has no CPR number, so its birth date is typed in and checked."""
    from rusmiddel.cases import services

    therapist = as_role("therapist", "helsingoer")
    case = services.case_create(
        actor=therapist.user,
        received_on=dt.date(2026, 11, 24),
        channel="walk_in",
        anonymous=True,
        pseudonym="Uglen",
    )
    bundle = Bundle("helsingoer", "", "", "", case_id=case.pk)
    body = {
        "version": case.version,
        "facts": {"person": {"birth_date": "2001-02-30"}},
        "on": "2026-11-26",
    }
    _, answer = _refused(therapist, ASSESSMENT, bundle, body)
    error = assert_error((422, answer), 422, "invalid", "facts.person.birth_date")
    assert "2001-02-30" in error["message"]


PATH_WRITES = [e for e, c in ENDPOINT_CALLS.items() if e[0] == "POST" and c.where == "path"]
#: The writes whose body carries the case version (a retry of a letter does not: body {}).
VERSIONED = [e for e in PATH_WRITES if ENDPOINT_CALLS[e].versioned]
PATH_IDS = [e for e, c in ENDPOINT_CALLS.items() if c.where == "path"]


#: Who sends a write in the tests of every write, where the therapist may not.
WRITER = {("POST", "/cases/{case_id}/assignment"): "head_of_unit"}  # gives the case away


@pytest.mark.parametrize("endpoint", VERSIONED, ids=[e[1] for e in VERSIONED])
@pytest.mark.parametrize("offset", [-1, 1], ids=["stale", "future"])
def test_a_stale_version_answers_409_and_changes_nothing(world, as_role, endpoint, offset):
    bundle = world.referred("helsingoer")  # where every write can succeed
    writer = as_role(WRITER.get(endpoint, "therapist"), "helsingoer")
    version = _version(bundle.case_id)
    body = ENDPOINT_CALLS[endpoint].body(bundle, version + offset)
    _, answer = _refused(writer, endpoint, bundle, body, status=409)
    assert_error((409, answer), 409, "conflict", "version")
    # …and the same request with the current version is accepted
    ok = writer.post(
        path_for(endpoint[1], ENDPOINT_CALLS[endpoint], bundle),
        ENDPOINT_CALLS[endpoint].body(bundle, version),
    )
    assert ok[0] in (200, 201), ok


@pytest.mark.parametrize("endpoint", PATH_WRITES, ids=[e[1] for e in PATH_WRITES])
def test_an_unknown_key_is_refused_on_every_write(world, as_role, endpoint):
    bundle = world.referred("helsingoer")
    therapist = as_role("therapist", "helsingoer")
    body = {**ENDPOINT_CALLS[endpoint].body(bundle, _version(bundle.case_id)), "bogus": 1}
    _, answer = _refused(therapist, endpoint, bundle, body)
    assert_error((422, answer), 422, "invalid", "bogus")


def test_versioned_writes_are_all_but_the_letter_retry():
    assert set(PATH_WRITES) - set(VERSIONED) == {("POST", "/letters/{letter_id}/retry")}


@pytest.mark.parametrize("endpoint", PATH_IDS, ids=[f"{e[0]} {e[1]}" for e in PATH_IDS])
def test_an_id_in_the_path_that_is_not_a_number_is_named(world, as_role, endpoint):
    """…and one too big for the database is simply not found (never a 500)."""
    bundle = world.referred("helsingoer")
    therapist = as_role("therapist", "helsingoer")
    field = re.search(r"\{(\w+)\}", endpoint[1]).group(1)
    before = snapshot()
    last = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    assert_error(request(therapist, *endpoint, bundle, ident="12a"), 422, "invalid", field)
    assert_error(request(therapist, *endpoint, bundle, ident=2**64), 404, "not_found", None)
    assert_unchanged(before, snapshot())
    assert not AuditEntry.objects.filter(pk__gt=last).exists()


def test_a_body_that_is_not_json_is_refused(world, as_role):
    caseworker = as_role("caseworker", MUNICIPALITY)
    before = snapshot()
    response = caseworker.client.post("/api/cases", "{not json", content_type="application/json")
    assert_error((response.status_code, response.json()), 422, "invalid", "body")
    assert_unchanged(before, snapshot())


@pytest.mark.parametrize(
    ("params", "field"),
    [({"days": 10**9}, "days"), ({"days": -1}, "days"), ({"provider": "nowhere"}, "provider")],
)
def test_bad_due_list_parameters(world, as_role, params, field):
    from rusmiddel.audit.models import AuditEntry

    caseworker = as_role("caseworker", MUNICIPALITY)
    entries = AuditEntry.objects.count()
    assert_error(caseworker.get("/due", **params), 422, "invalid", field)
    assert AuditEntry.objects.count() == entries


def test_nothing_of_a_refused_case_remains(world, as_role):
    """A refused new case leaves no trace, not even a used case number."""
    caseworker = as_role("caseworker", MUNICIPALITY)
    refused = caseworker.post("/cases", {**NAMED, "requested_offer": "yoga"})
    assert refused[0] == 422
    status, case = caseworker.post("/cases", NAMED)
    assert status == 201
    numbers = sorted(
        Case.objects.filter(municipality__slug=MUNICIPALITY).values_list("number", flat=True)
    )
    assert case["number"] == numbers[-1]
    assert int(numbers[-1][-6:]) == len(numbers)  # no gap in the numbering


@pytest.mark.parametrize(
    ("reason", "outcome", "field"),
    [("bored", "reduced", "reason"), ("completed", "great", "outcome")],
)
def test_the_course_end_service_names_a_bad_reason_or_outcome(world, reason, outcome, field):
    """Callers other than the API (the CLI, the web) reach the service without the schema."""
    from rusmiddel.cases import services
    from rusmiddel.cases.errors import Invalid

    bundle = world.referred(MUNICIPALITY)
    before = snapshot()
    with pytest.raises(Invalid) as refused:
        services.course_end(
            actor=bundle.builder,
            course_id=bundle.course_id,
            version=_version(bundle.case_id),
            ended_on=dt.date(2027, 2, 26),
            reason=reason,
            outcome=outcome,
            final_report="Slut",
        )
    assert refused.value.field == field
    assert_unchanged(before, snapshot())
