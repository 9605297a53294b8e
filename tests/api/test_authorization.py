"""The authorization matrix of the JSON API: every role × every endpoint × its own
municipality and the other one, and provider staff × a case referred to their provider and
one that is not.

What every cell must show:
- an id the user may not see (another municipality's, a case not referred to the provider,
  any case for a role that reads none) answers 404, never 403 and never data, and changes
  nothing; an id in a body or query answers exactly as an id that does not exist;
- within what the user may see, a role that may not act answers 403 and changes nothing;
- a role that may act succeeds, and its write is audited (about the case of the id) and, when
  the body carries the case version, counted on the case; a read shows only what the user may
  see and is logged.

A refusal (403 or 404) also logs nothing: no entry says the user read what they were refused.

Who may act is read from `rusmiddel.accounts.permissions.ALLOWED`, so this table and the code
cannot drift apart; `KEY_EXPECTATIONS` below hard-codes the most important answers on their
own, so a wrong ALLOWED table fails too. Endpoints are read from the NinjaAPI itself: a new
endpoint without a line in `ACTION_OF` fails `test_every_endpoint_has_an_expectation`.
"""

from __future__ import annotations

import json
import re

import pytest

from case_world import (
    ENDPOINT_CALLS,
    HAS_GROUP_CALENDAR,
    NONEXISTENT_ID,
    REFERRED,
    UNREFERRED,
    Bundle,
    _version,
    api_endpoints,
    assert_error,
    assert_unchanged,
    ident_of,
    request,
    snapshot,
    world_fixture,  # noqa: F401 - the `world` fixture
)
from rusmiddel.accounts.models import Provider, Role
from rusmiddel.accounts.permissions import NAMED_CASE_ONLY_FOR_OWN_CITIZENS, Action, may
from rusmiddel.audit.models import AuditEntry
from rusmiddel.cases.models import Case
from rusmiddel.letters.models import Delivery, DeliveryStatus, Letter
from support import TODAY

A = Action
#: What each endpoint does, by the permission it needs (None: open to every member of staff).
ACTION_OF: dict[tuple[str, str], Action | None] = {
    ("POST", "/auth/token"): None,
    ("POST", "/auth/logout"): None,
    ("GET", "/me"): None,
    ("GET", "/cases"): A.CASE_READ,
    ("POST", "/cases"): A.CASE_CREATE,
    ("GET", "/cases/{case_id}"): A.CASE_READ,
    ("POST", "/cases/{case_id}/contacts"): A.CONTACT_RECORD,
    ("POST", "/cases/{case_id}/assessments"): A.ASSESSMENT_RECORD,
    ("POST", "/cases/{case_id}/decisions"): A.DECISION_RECORD,
    # the roles that decide withdraw and correct
    ("POST", "/decisions/{decision_id}/withdrawal"): A.DECISION_RECORD,
    ("POST", "/decisions/{decision_id}/correction"): A.DECISION_RECORD,
    ("POST", "/cases/{case_id}/courses"): A.COURSE_MANAGE,
    ("POST", "/cases/{case_id}/complaints"): A.COMPLAINT_HANDLE,
    ("POST", "/complaints/{complaint_id}/reassessment"): A.COMPLAINT_HANDLE,
    ("POST", "/courses/{course_id}/plans"): A.COURSE_MANAGE,
    ("POST", "/courses/{course_id}/sessions"): A.COURSE_MANAGE,
    ("POST", "/sessions/{session_id}/attendance"): A.COURSE_MANAGE,
    ("POST", "/courses/{course_id}/enrolments"): A.COURSE_MANAGE,
    ("POST", "/courses/{course_id}/status-reports"): A.COURSE_MANAGE,
    ("POST", "/courses/{course_id}/self-payment"): A.COURSE_MANAGE,
    ("POST", "/courses/{course_id}/end"): A.COURSE_END,
    ("POST", "/courses/{course_id}/change-offer"): A.COURSE_MANAGE,
    ("POST", "/follow-ups/{follow_up_id}"): A.FOLLOW_UP_RECORD,
    ("POST", "/courses/{course_id}/key-facts"): A.COURSE_MANAGE,  # the start moment
    ("POST", "/sessions/{session_id}/fit"): A.COURSE_MANAGE,
    ("GET", "/courses/{course_id}/fit"): A.CASE_READ,
    ("GET", "/due"): A.DUE_LIST,
    ("GET", "/audit"): A.AUDIT_READ,
    ("GET", "/cases/{case_id}/letters"): A.CASE_READ,
    ("GET", "/letters/{letter_id}/pdf"): A.CASE_READ,
    ("GET", "/outbox/failures"): A.CASE_READ,
    # whoever records a contact may have a letter sent again once the address is fixed
    ("POST", "/letters/{letter_id}/retry"): A.CONTACT_RECORD,
    ("GET", "/waitlist"): A.WAITLIST_READ,
    ("GET", "/waitlist/forecast"): A.WAITLIST_READ,
    ("POST", "/cases/{case_id}/bookings"): A.WAITLIST_BOOK,
    ("PATCH", "/citizens/{citizen_id}"): A.CITIZEN_UPDATE,  # the citizen of a case one sees
    ("POST", "/cases/{case_id}/region-referral"): A.REGION_REFER,
    ("POST", "/cases/{case_id}/region-referral/acceptance"): A.REGION_REFER,
    # a caseworker takes the unassigned case; a head of unit gives it to a caseworker
    ("POST", "/cases/{case_id}/assignment"): A.CASE_ASSIGN,
}

ROLES = [
    "caseworker",
    "therapist",
    "substance_consultant",
    "head_of_unit",
    "administrator",
    "provider_staff",
]
MUNICIPALITIES = ["gentofte", "helsingoer"]
OTHER = {"gentofte": "helsingoer", "helsingoer": "gentofte"}
ENDPOINTS = api_endpoints()
WRITES = [e for e in ENDPOINTS if e[0] == "POST" and e[1] not in ("/auth/token", "/auth/logout")]
PATH_WRITES = [e for e in WRITES if "{" in e[1]]
ENROLMENT = ("POST", "/courses/{course_id}/enrolments")
LETTERS = ("GET", "/cases/{case_id}/letters")
LETTER_PDF = ("GET", "/letters/{letter_id}/pdf")
WORKLIST = ("GET", "/outbox/failures")
RETRY = ("POST", "/letters/{letter_id}/retry")
BOOKING = ("POST", "/cases/{case_id}/bookings")
CASES = ("POST", "/cases")
CITIZEN = ("PATCH", "/citizens/{citizen_id}")
ASSIGNMENT = ("POST", "/cases/{case_id}/assignment")
WITHDRAWAL = ("POST", "/decisions/{decision_id}/withdrawal")
CORRECTION = ("POST", "/decisions/{decision_id}/correction")
WAITLIST = ("GET", "/waitlist")
FIT_RECORD = ("POST", "/sessions/{session_id}/fit")
FIT_READ = ("GET", "/courses/{course_id}/fit")
REGION = ("POST", "/cases/{case_id}/region-referral")
REGION_ACCEPT = ("POST", "/cases/{case_id}/region-referral/acceptance")
#: Municipalities whose standard has outcome instruments (FIT): Gentofte's names none.
HAS_FIT = {"helsingoer"}


def test_every_role_is_in_the_matrix():
    assert sorted(ROLES) == sorted(Role.values)


def test_every_endpoint_has_an_expectation():
    served = set(ENDPOINTS)
    assert served == set(ACTION_OF), (
        f"no expectation for {sorted(served - set(ACTION_OF))}; "
        f"stale expectations for {sorted(set(ACTION_OF) - served)}"
    )
    assert served == set(ENDPOINT_CALLS), "tests/case_world.py: ENDPOINT_CALLS is out of date"


# --- expectations derived from ALLOWED --------------------------------------------------------


def sees_case(role: str, target: str) -> bool:
    """May the role read the target's case? `own` is the actor's municipality (for provider
    staff: the case referred to them); `unreferred` is a case in it referred elsewhere."""
    return target == "own" and may(role, Action.CASE_READ)


def expected(role: str, target: str, endpoint: tuple[str, str]) -> str | int:
    """ "ok", 403, 404, or "as_nonexistent" (an id in a body that must answer
    exactly as an id that does not exist)."""
    action, call = ACTION_OF[endpoint], ENDPOINT_CALLS[endpoint]
    if endpoint == CASES and role in NAMED_CASE_ONLY_FOR_OWN_CITIZENS:
        return 403  # a named case for a new person (NEW_CPR): not a citizen of theirs
    if call.where == "path":
        if not sees_case(role, target):
            return 404
        return "ok" if action is None or may(role, action) else 403
    if action is not None and not may(role, action):
        return 403
    if call.where == "query":  # the audit log of a case: another municipality's is not found
        return "ok" if target != "other" else 404
    if call.where == "body":
        return "ok" if sees_case(role, target) else "as_nonexistent"
    return "ok"


def _cells():
    for role in ROLES:
        targets = ["own", "other"] + (["unreferred"] if role == "provider_staff" else [])
        for municipality in MUNICIPALITIES:
            for target in targets:
                for endpoint in ENDPOINTS:
                    yield pytest.param(
                        role,
                        municipality,
                        target,
                        endpoint,
                        id=f"{role}-{municipality}-{target}-{endpoint[0]} {endpoint[1]}",
                    )


def _actor(as_role, role: str, municipality: str):
    provider = REFERRED[municipality] if role == "provider_staff" else None
    return as_role(role, municipality, provider)


def _target(world, municipality: str, target: str) -> Bundle:
    if target == "own":
        return world.referred(municipality)
    if target == "unreferred":
        return world.unreferred(municipality)
    return world.referred(OTHER[municipality])


def _visible_bundles(world, role: str, municipality: str) -> list[Bundle]:
    if not may(role, Action.CASE_READ):
        return []
    if role == "provider_staff":
        return [world.referred(municipality)]
    return [b for b in world.bundles.values() if b.municipality == municipality]


def _leaks(world, visible: list[Bundle], body) -> list[str]:
    if isinstance(body, bytes):  # a file (a letter's PDF)
        text = body.decode("latin-1")
    else:
        text = json.dumps(body, ensure_ascii=False)
    return [
        secret
        for b in world.bundles.values()
        if b not in visible
        for secret in b.secrets
        if secret in text
    ]


def _same_as_nonexistent(api, method, path, bundle, answer) -> None:
    """The answer for the bundle's id equals the answer for an id that does not exist."""
    call = ENDPOINT_CALLS[(method, path)]
    real = ident_of(bundle, call.ident)
    ghost = request(api, method, path, bundle, ident=NONEXISTENT_ID)

    def scrub(a):
        text = json.dumps(a[1], sort_keys=True)
        return a[0], re.sub(rf"\b({real}|{NONEXISTENT_ID})\b", "<id>", text)

    assert scrub(answer) == scrub(ghost)


# --- the matrix -------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "municipality", "target", "endpoint"), list(_cells()))
def test_authorization_matrix(world, as_role, role, municipality, target, endpoint):
    method, path = endpoint
    if endpoint not in ACTION_OF:
        pytest.fail(f"no expectation for {method} {path}: add it to ACTION_OF")
    api = _actor(as_role, role, municipality)
    bundle = _target(world, municipality, target)
    call = ENDPOINT_CALLS[endpoint]
    want = expected(role, target, endpoint)
    visible = _visible_bundles(world, role, municipality)
    version = _version(bundle.case_id)
    last_entry = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    before = snapshot()

    answer = request(api, method, path, bundle)
    status, body = answer

    # Nothing of a case the user may not see, whatever the answer
    assert not _leaks(world, visible, body), f"{status}: {body!r}"
    new_entries = AuditEntry.objects.filter(pk__gt=last_entry, actor_id=api.user.pk)

    if want in (403, 404):
        code = {403: "forbidden", 404: "not_found"}[want]
        assert_error(answer, want, code, None)
        assert_unchanged(before, snapshot())
        assert not new_entries.exists(), "a refused request logged " + ", ".join(
            new_entries.values_list("event", flat=True)
        )
        if want == 404:  # indistinguishable from an id that does not exist
            _same_as_nonexistent(api, method, path, bundle, answer)
        return
    if want == "as_nonexistent":
        assert status != 403, body
        assert_unchanged(before, snapshot())
        _same_as_nonexistent(api, method, path, bundle, answer)
        return

    assert want == "ok"
    if endpoint == ENROLMENT and municipality not in HAS_GROUP_CALENDAR:
        # Past the authorization (the course was found and locked): the standard has no
        # group calendar, so nothing can be booked.
        assert_error(answer, 422, "invalid", "group_id")
        assert_unchanged(before, snapshot())
        return
    if endpoint == FIT_RECORD and municipality not in HAS_FIT:
        # Past the authorization: the standard has no ORS to score
        assert_error(answer, 422, "invalid", "instrument")
        assert_unchanged(before, snapshot())
        return
    assert status in (200, 201), body
    if call.writes:
        writes = new_entries.filter(write=True)
        assert writes.exists(), "a write without its audit entry"
        if call.where == "path":
            assert set(writes.values_list("case_id", flat=True)) == {bundle.case_id}
            if call.versioned:
                assert _version(bundle.case_id) > version, "a write that did not count the case"
            else:
                assert _version(bundle.case_id) == version, "a write without a version counted"
            if endpoint == RETRY:
                assert body["id"] == bundle.letter_id, body
                assert body["delivery"]["status"] == DeliveryStatus.PENDING, body
                delivery = Delivery.objects.get(letter_id=bundle.letter_id)
                assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 0)
                entry = writes.get()
                assert (entry.event, entry.object_type, entry.object_id) == (
                    "letter_retried",
                    "Letter",
                    bundle.letter_id,
                )
        else:
            created = Case.objects.get(pk=body["id"])
            assert created.related_case_id == bundle.case_id
            assert created.municipality.slug == municipality
    else:
        assert not new_entries.filter(write=True).exists(), "a read wrote"
        assert_unchanged(before, snapshot())
    _check_read(world, api, role, municipality, target, bundle, endpoint, body, new_entries)


def _check_read(world, api, role, municipality, target, bundle, endpoint, body, new_entries):
    """What a successful read shows: only what the user may see, the target where it should."""
    visible_ids = {b.case_id for b in _visible_bundles(world, role, municipality)}
    path = endpoint[1] if endpoint[0] == "GET" or endpoint[1] == "/auth/token" else None
    if path == "/me":
        assert body["role"] == role and body["municipality"] == municipality
    elif path == "/auth/token":
        assert isinstance(body["token"], str) and len(body["token"]) > 20
    elif path == "/cases/{case_id}":
        assert body["id"] == bundle.case_id and body["citizen"]["cpr"] == bundle.cpr
        assert new_entries.filter(event="case_read", case_id=bundle.case_id).count() == 1
    elif path == "/cases":
        ids = {item["id"] for item in body["items"]}
        assert ids <= visible_ids
        assert (bundle.case_id in ids) == (target == "own")
        assert new_entries.filter(event="case_list").count() == len(ids)
    elif path == WAITLIST[1]:  # the user's own municipality's waitlist, each row's read logged
        ids = [item["case_id"] for item in body["items"]]
        assert set(ids) <= visible_ids
        assert (bundle.case_id in ids) == (target == "own")
        logged = new_entries.filter(event="case_list").values_list("case_id", flat=True)
        assert sorted(logged) == sorted(ids)
    elif path == "/due":
        ids = {item["case_id"] for item in body["items"]}
        assert ids <= visible_ids
        assert (bundle.case_id in ids) == (target == "own")
    elif path == LETTERS[1]:  # the case's letters, all of them, and nothing else
        ids = {item["id"] for item in body["items"]}
        assert {item["case_id"] for item in body["items"]} == {bundle.case_id}
        assert ids == set(
            Letter.objects.filter(case_id=bundle.case_id).values_list("pk", flat=True)
        )
        assert bundle.letter_id in ids
        assert new_entries.filter(event="case_read", case_id=bundle.case_id).count() == 1
        assert new_entries.count() == 1
    elif path == LETTER_PDF[1]:  # the letter as sent (answer_of checked application/pdf)
        assert isinstance(body, bytes) and body.startswith(b"%PDF"), body[:20]
        assert body == bytes(Letter.objects.get(pk=bundle.letter_id).pdf)
        entry = new_entries.get()
        assert (entry.event, entry.write, entry.case_id, entry.object_type, entry.object_id) == (
            "letter_read",
            False,
            bundle.case_id,
            "Letter",
            bundle.letter_id,
        )
        assert entry.municipality_id == api.user.staff.municipality_id
    elif path == WORKLIST[1]:  # every failed letter the user may see, and no other
        ids = {item["id"] for item in body["items"]}
        cases = {item["case_id"] for item in body["items"]}
        assert cases <= visible_ids
        assert (bundle.letter_id in ids) == (target == "own")
        assert ids == set(
            Letter.objects.filter(
                case_id__in=visible_ids, delivery__status=DeliveryStatus.FAILED
            ).values_list("pk", flat=True)
        )
        assert all(item["delivery"]["status"] == DeliveryStatus.FAILED for item in body["items"])
        logged = new_entries.filter(event="case_list").values_list("case_id", flat=True)
        assert sorted(logged) == sorted(cases), "one read entry per case on the worklist"
    elif path == FIT_READ[1]:
        assert body["course_id"] == bundle.course_id
        assert body["instruments"] == (municipality in HAS_FIT)
        entry = new_entries.get()
        assert (entry.event, entry.write, entry.case_id) == ("case_read", False, bundle.case_id)
    elif path == "/audit":
        ids = [item["id"] for item in body["items"]]
        assert ids, "the case's own entries are missing from the log"
        assert {item["case_id"] for item in body["items"]} == {bundle.case_id}
        own = set(
            AuditEntry.objects.filter(municipality_id=api.user.staff.municipality_id).values_list(
                "pk", flat=True
            )
        )
        assert set(ids) <= own


# --- hard-coded expectations: fail if ALLOWED itself is wrong ---------------------------------

KEY_EXPECTATIONS = [
    # The administrator runs standards, users and the audit log, and reads no case
    ("administrator", "own", ("GET", "/cases/{case_id}"), 404),
    ("administrator", "own", ("GET", "/cases"), 403),
    ("administrator", "own", ("GET", "/due"), 403),
    ("administrator", "own", ("GET", "/audit"), 200),
    ("administrator", "own", ("POST", "/cases"), 403),
    ("administrator", "own", ("POST", "/cases/{case_id}/contacts"), 404),
    ("administrator", "own", ("POST", "/courses/{course_id}/sessions"), 404),
    # Caseworkers run cases, not the audit log
    ("caseworker", "own", ("GET", "/audit"), 403),
    ("caseworker", "own", ("GET", "/cases/{case_id}"), 200),
    ("caseworker", "own", ("POST", "/cases"), 201),
    ("caseworker", "own", ("POST", "/cases/{case_id}/decisions"), 201),
    ("caseworker", "own", ("POST", "/complaints/{complaint_id}/reassessment"), 200),
    ("caseworker", "other", ("GET", "/cases/{case_id}"), 404),
    ("caseworker", "other", ("POST", "/cases/{case_id}/decisions"), 404),
    ("caseworker", "own", WITHDRAWAL, 200),
    ("caseworker", "own", CORRECTION, 201),
    ("caseworker", "other", WITHDRAWAL, 404),
    ("caseworker", "other", CORRECTION, 404),
    # The head of unit reads (cases, due list, log) and writes no case (but see below)
    ("head_of_unit", "own", ("GET", "/cases/{case_id}"), 200),
    ("head_of_unit", "own", ("GET", "/cases"), 200),
    ("head_of_unit", "own", ("GET", "/due"), 200),
    ("head_of_unit", "own", ("GET", "/audit"), 200),
    ("head_of_unit", "other", ("GET", "/audit"), 404),  # another municipality's case
    *[
        ("head_of_unit", "own", e, 403)
        for e in WRITES
        if e not in (RETRY, BOOKING, ASSIGNMENT)  # see below
    ],
    *[("head_of_unit", "other", e, 404) for e in PATH_WRITES],
    # Therapists treat (and Helsingør's centre decides on its own offers), no audit log
    ("therapist", "own", ("POST", "/cases/{case_id}/decisions"), 201),
    ("therapist", "own", ("POST", "/courses/{course_id}/sessions"), 201),
    ("therapist", "own", ("GET", "/audit"), 403),
    # The substance consultant counsels and follows up; no assessment, decision or treatment
    ("substance_consultant", "own", ("POST", "/follow-ups/{follow_up_id}"), 200),
    ("substance_consultant", "own", ("POST", "/cases/{case_id}/assessments"), 403),
    ("substance_consultant", "own", ("POST", "/cases/{case_id}/decisions"), 403),
    ("substance_consultant", "own", WITHDRAWAL, 403),
    ("substance_consultant", "own", CORRECTION, 403),
    ("substance_consultant", "own", ("POST", "/courses/{course_id}/sessions"), 201),
    # Provider staff treat the cases referred to them, and nothing else
    ("provider_staff", "own", ("GET", "/cases/{case_id}"), 200),
    ("provider_staff", "own", ("POST", "/courses/{course_id}/sessions"), 201),
    ("provider_staff", "own", ("POST", "/cases/{case_id}/decisions"), 403),
    ("provider_staff", "own", WITHDRAWAL, 403),
    ("provider_staff", "unreferred", WITHDRAWAL, 404),
    ("provider_staff", "own", ("POST", "/complaints/{complaint_id}/reassessment"), 403),
    ("provider_staff", "own", ("POST", "/follow-ups/{follow_up_id}"), 200),
    ("provider_staff", "own", ("GET", "/audit"), 403),
    # Key facts and FIT: whoever treats records them; the head of unit reads FIT, writes none
    ("therapist", "own", ("POST", "/courses/{course_id}/key-facts"), 201),
    ("therapist", "own", FIT_RECORD, 201),
    ("head_of_unit", "own", FIT_READ, 200),
    ("administrator", "own", FIT_READ, 404),
    ("provider_staff", "unreferred", FIT_READ, 404),
    ("provider_staff", "unreferred", FIT_RECORD, 404),
    ("provider_staff", "unreferred", ("GET", "/cases/{case_id}"), 404),
    ("provider_staff", "unreferred", ("POST", "/courses/{course_id}/sessions"), 404),
    ("provider_staff", "other", ("GET", "/cases/{case_id}"), 404),
    # Letters: read with the case, sent again by whoever records contacts
    ("caseworker", "own", LETTER_PDF, 200),
    ("caseworker", "own", LETTERS, 200),
    ("caseworker", "own", WORKLIST, 200),
    ("caseworker", "own", RETRY, 200),
    ("caseworker", "other", LETTER_PDF, 404),
    ("caseworker", "other", RETRY, 404),
    ("head_of_unit", "own", LETTER_PDF, 200),
    ("head_of_unit", "own", WORKLIST, 200),
    ("head_of_unit", "own", RETRY, 403),
    ("administrator", "own", LETTERS, 404),
    ("administrator", "own", LETTER_PDF, 404),
    ("administrator", "own", WORKLIST, 403),
    ("administrator", "own", RETRY, 404),
    ("therapist", "own", RETRY, 200),
    ("substance_consultant", "own", RETRY, 200),
    ("provider_staff", "own", LETTER_PDF, 200),
    ("provider_staff", "own", RETRY, 200),
    ("provider_staff", "unreferred", LETTERS, 404),
    ("provider_staff", "unreferred", LETTER_PDF, 404),
    ("provider_staff", "unreferred", RETRY, 404),
    # The waitlist: the head of unit reads it and books from it (so do the caseworker and the
    # therapist); provider staff see their own citizens on it and book none
    ("head_of_unit", "own", WAITLIST, 200),
    ("head_of_unit", "own", BOOKING, 201),
    ("head_of_unit", "other", BOOKING, 404),
    ("caseworker", "own", BOOKING, 201),
    ("provider_staff", "own", WAITLIST, 200),
    ("provider_staff", "own", BOOKING, 403),
    ("substance_consultant", "own", WAITLIST, 403),
    ("substance_consultant", "own", BOOKING, 403),
    ("administrator", "own", WAITLIST, 403),
    ("administrator", "own", BOOKING, 404),
    # A named case: provider staff open one only for a citizen already theirs (the body's is
    # new); changing a citizen's details: the municipality's staff who run named cases
    ("provider_staff", "own", CASES, 403),
    ("provider_staff", "other", CASES, 403),
    ("therapist", "own", CASES, 201),
    ("caseworker", "own", CITIZEN, 200),
    ("therapist", "own", CITIZEN, 200),
    ("head_of_unit", "own", CITIZEN, 200),
    ("caseworker", "other", CITIZEN, 404),
    ("head_of_unit", "other", CITIZEN, 404),
    ("substance_consultant", "own", CITIZEN, 403),
    ("provider_staff", "own", CITIZEN, 403),
    ("provider_staff", "unreferred", CITIZEN, 404),
    ("administrator", "own", CITIZEN, 404),
    # Integrated treatment in the region (SUL § 82 c): those who assess and decide refer, and
    # record the region's taking over; nobody else, and nobody across municipalities
    ("caseworker", "own", REGION, 201),
    ("caseworker", "own", REGION_ACCEPT, 200),
    ("therapist", "own", REGION, 201),
    ("therapist", "own", REGION_ACCEPT, 200),
    ("caseworker", "other", REGION, 404),
    ("caseworker", "other", REGION_ACCEPT, 404),
    ("substance_consultant", "own", REGION, 403),
    ("provider_staff", "own", REGION, 403),
    ("provider_staff", "own", REGION_ACCEPT, 403),
    ("provider_staff", "unreferred", REGION, 404),
    ("administrator", "own", REGION_ACCEPT, 404),
    # Who holds a case: the caseworker takes it, the head of unit gives it to a caseworker;
    # no one treating the citizen decides that
    ("caseworker", "own", ASSIGNMENT, 200),
    ("head_of_unit", "own", ASSIGNMENT, 200),
    ("caseworker", "other", ASSIGNMENT, 404),
    ("head_of_unit", "other", ASSIGNMENT, 404),
    ("therapist", "own", ASSIGNMENT, 403),
    ("substance_consultant", "own", ASSIGNMENT, 403),
    ("provider_staff", "own", ASSIGNMENT, 403),
    ("provider_staff", "unreferred", ASSIGNMENT, 404),
    ("administrator", "own", ASSIGNMENT, 404),
]


@pytest.mark.parametrize(
    ("role", "target", "endpoint", "status"),
    [pytest.param(*k, id=f"{k[0]}-{k[1]}-{k[2][0]} {k[2][1]}-{k[3]}") for k in KEY_EXPECTATIONS],
)
def test_key_expectations(world, as_role, role, target, endpoint, status):
    """The answers that matter most, written out by hand (Helsingør, which can book groups)."""
    derived = expected(role, target, endpoint)
    assert derived == ("ok" if status in (200, 201) else status), "ALLOWED disagrees"
    api = _actor(as_role, role, "helsingoer")
    bundle = _target(world, "helsingoer", target)
    before = snapshot()
    got, body = request(api, *endpoint, bundle)
    assert got == status, body
    if status >= 400:
        assert_unchanged(before, snapshot())


# --- outside the matrix -----------------------------------------------------------------------


def test_without_logging_in_every_endpoint_but_the_token_answers_401(world, client):
    bundle = world.referred("gentofte")
    before = snapshot()
    for method, path in ENDPOINTS:
        if path == "/auth/token":
            continue
        call = ENDPOINT_CALLS[(method, path)]
        url = "/api" + (
            path if call.where != "path" else re.sub(r"\{\w+\}", str(bundle.case_id), path)
        )
        response = client.generic(method, url)
        assert response.status_code == 401, (method, path)
        assert response.json()["error"]["code"] == "unauthenticated"
    assert_unchanged(before, snapshot())


def test_a_user_without_a_role_sees_and_changes_nothing(world, django_user_model):
    from conftest import Api

    api = Api(django_user_model.objects.create_user(username="nobody", password="x-1234567"))
    bundle = world.referred("gentofte")
    before = snapshot()
    for endpoint in ENDPOINTS:
        if endpoint[1] in ("/auth/token", "/auth/logout", "/me"):
            continue
        status, body = request(api, *endpoint, bundle)
        want = 404 if ENDPOINT_CALLS[endpoint].where == "path" else 403
        assert status == want, (endpoint, body)
        assert not _leaks(world, [], body)
    assert_unchanged(before, snapshot())
    assert api.get("/me")[1]["role"] is None


def test_provider_staff_see_only_their_own_municipality_of_a_shared_provider(world, as_role):
    """A provider serving two municipalities: its staff employed for Gentofte do not see a
    Helsingør case referred to the same provider (each row belongs to one municipality)."""
    from factories import staff
    from rusmiddel.accounts.models import Municipality
    from rusmiddel.cases import services

    Provider.objects.get(slug="kabs").municipalities.add(
        Municipality.objects.get(slug="helsingoer")
    )
    helsingoer_case = services.case_create(
        actor=staff("therapist", "helsingoer"),
        received_on=TODAY,
        channel="phone",
        citizen_cpr="0903791234",
        citizen_name="Karen Delt",
        provider="kabs",
    )
    assert helsingoer_case.provider.slug == "kabs"
    kabs_gentofte = as_role("provider_staff", "gentofte", "kabs")
    before = snapshot()

    assert_error(kabs_gentofte.get(f"/cases/{helsingoer_case.pk}"), 404, "not_found", None)
    status, page = kabs_gentofte.get("/cases", limit=200)
    assert status == 200
    assert helsingoer_case.pk not in {c["id"] for c in page["items"]}
    assert "Karen Delt" not in json.dumps(page, ensure_ascii=False)
    status, due = kabs_gentofte.get("/due", days=3000)
    assert helsingoer_case.pk not in {d["case_id"] for d in due["items"]}
    assert_error(
        kabs_gentofte.post(
            f"/cases/{helsingoer_case.pk}/contacts",
            {"version": 1, "received_on": "2026-12-01", "channel": "phone"},
        ),
        404,
        "not_found",
        None,
    )
    assert_unchanged(before, snapshot())
    # …while Gentofte's own case referred to KABS stays theirs
    assert kabs_gentofte.get(f"/cases/{world.referred('gentofte').case_id}")[0] == 200


def test_provider_staff_of_another_provider_in_the_municipality_see_nothing_of_it(world, as_role):
    gladsaxe = as_role("provider_staff", "gentofte", UNREFERRED["gentofte"])
    status, page = gladsaxe.get("/cases", limit=200)
    assert status == 200
    assert {c["id"] for c in page["items"]} == {world.unreferred("gentofte").case_id}
