"""A populated world for the authorization, bad-input and audit tests.

Each `Bundle` is one named case in one municipality, referred to one provider, with every
kind of row a write endpoint takes the id of, each in a state where that write can succeed:
a granted decision with an appealable complaint route, an active course, a residential
course (self-payment), a booked session, an ended course with open follow-ups, a received
complaint, a group run, and a letter whose delivery failed (the Digital Post seam fails every
letter of the world, so each is on the worklist and can be retried). `ENDPOINT_CALLS` says,
for every endpoint of the JSON API, which id it takes and a valid request against a bundle;
a test that fails when a new endpoint is missing from it lives in
tests/api/test_authorization.py.

The world is built once per test module (import `world_fixture`, then ask for `world`)
inside a transaction that is rolled back at the end of the module; every test runs in its
own savepoint on top of it, so each test sees the world fresh. Its tests run on the world's
clock (`NOW`, after everything it records: the services refuse events dated after today).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.db import models, transaction

from factories import END_KEY_FACTS, PASSWORD, START_KEY_FACTS, staff
from support import TODAY

#: The world's "now": after the last event its bundles and `ENDPOINT_CALLS` record (a
#: follow-up done 1 March 2027), as the services refuse an event dated after today.
NOW = dt.datetime(2027, 3, 2, 12, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))


def world_clock() -> Any:
    """The clock at the world's `NOW` (running on from there) while the context lasts."""
    return time_machine.travel(NOW, tick=True)


# The facts each municipality's bundle is assessed on (no birth date: it comes from the CPR).
FACTS: dict[str, dict[str, Any]] = {
    "gentofte": {
        "person": {"role": "user", "children_at_home": 0, "pregnant": False},
        "use": {
            "substances": [{"substance": "cannabis", "primary": True}],
            "level": "problematic",
            "harms_daily_life": True,
        },
        "social": {"self_supporting": True, "housing": "rented", "social_problems": "none"},
        "health": {"psychiatric_disorder": "none"},
        "wishes": {"requests_substitution": False},
    },
    "helsingoer": {
        "person": {"role": "user", "pregnant": False, "children_at_home": 0},
        "use": {
            "substances": [{"substance": "cocaine", "primary": True}],
            "level": "dependent",
            "harms_daily_life": True,
        },
        "history": {"previous_offers": ["individuelle_samtaler"]},
        "social": {"housing": "rented", "occupation": "employed"},
        "health": {"psychiatric_disorder": "none"},
        "professional": {"needs_more_than_outpatient": True, "benefits_from_shielding": True},
    },
}

# Per municipality: the offer of the main course (appealable along the social route, with
# reassessment), the offer a change of offer moves to, and the group offer. Gentofte's
# standard has no group calendar, so enrolling there is refused with field group_id.
OFFERS = {
    "gentofte": {"main": "ambulant", "change": "dagbehandling", "group": "ambulant"},
    "helsingoer": {
        "main": "kokain_hashstop",
        "change": "individuelle_samtaler",
        "group": "kokain_hashstop",
    },
}
#: Municipalities whose standard can book a group run for the main course.
HAS_GROUP_CALENDAR = {"helsingoer"}

#: The bundles: (municipality, provider the case is referred to) → the person in it.
PEOPLE = {
    ("gentofte", "kabs"): ("1503851234", "Gerda Kabsdatter"),
    ("gentofte", "gladsaxe_rusmiddelcenter"): ("1604861234", "Gunnar Gladsaxesen"),
    ("helsingoer", "helsingoer_rusmiddelcenter"): ("1705871234", "Helle Kronborgdatter"),
    ("helsingoer", "privat_doegnbehandling"): ("1806881234", "Holger Øresundsen"),
}

#: The provider whose staff the authorization matrix logs in as, per municipality; the other
#: bundle of the municipality is the one *not* referred to them.
REFERRED = {"gentofte": "kabs", "helsingoer": "helsingoer_rusmiddelcenter"}
UNREFERRED = {"gentofte": "gladsaxe_rusmiddelcenter", "helsingoer": "privat_doegnbehandling"}

OVERRIDE = "Visitationsmødet har vurderet, at tilbuddet er det rette"
#: Each bundle's referral to integrated treatment in the region (before the real today: the
#: service refuses a date in the future)
REGION_REFERRED_ON = dt.date(2026, 11, 26)


@dataclass
class Bundle:
    municipality: str
    provider: str
    cpr: str
    name: str
    case_id: int = 0
    number: str = ""
    decision_id: int = 0  # granted main offer: complaints, course start
    change_decision_id: int = 0  # granted other offer: change of offer, withdrawal, correction
    course_id: int = 0  # active course on the main offer
    residential_course_id: int = 0  # active residential course: self-payment
    session_id: int = 0  # booked on the active course
    ended_course_id: int = 0
    follow_up_id: int = 0  # one month after the ended course, open
    complaint_id: int = 0  # received, not reassessed
    group_id: int = 0
    capacity_id: int = 0  # weekly start slots for the change offer: a booking from the waitlist
    letter_id: int = 0  # the contact receipt, its delivery failed: on the worklist, retryable
    # the case is referred to integrated treatment in the region (SUL § 82 c), not yet received
    referred_to_region_on: dt.date | None = None
    citizen_id: int = 0  # the person of the case (no other case): name and contact details
    # an active caseworker of the municipality holding no case: whom a head of unit gives the
    # case to (the case itself, opened by a therapist, has no caseworker)
    caseworker_id: int = 0
    builder: Any = None  # the therapist who built it

    @property
    def secrets(self) -> tuple[str, ...]:
        """Strings that must never reach a user who may not see this case."""
        return (self.cpr, self.name, self.number)


@dataclass
class World:
    bundles: dict[tuple[str, str], Bundle] = field(default_factory=dict)

    def __getitem__(self, key: tuple[str, str]) -> Bundle:
        return self.bundles[key]

    def referred(self, municipality: str) -> Bundle:
        return self.bundles[(municipality, REFERRED[municipality])]

    def unreferred(self, municipality: str) -> Bundle:
        return self.bundles[(municipality, UNREFERRED[municipality])]


def _version(case_id: int) -> int:
    from rusmiddel.cases.models import Case

    return Case.objects.values_list("version", flat=True).get(pk=case_id)


def _citizen_version(b: Bundle) -> int:
    """The version of the bundle's citizen (what a change of their details names), or 1 for
    a bundle without one (an anonymous case: its id is never filled in)."""
    from rusmiddel.cases.models import Citizen

    return Citizen.objects.filter(pk=b.citizen_id).values_list("version", flat=True).first() or 1


def build_bundle(municipality: str, provider: str) -> Bundle:
    """One case with every row a write endpoint can take the id of (see the module doc)."""
    from rusmiddel.accounts.models import Municipality, Provider
    from rusmiddel.cases import services
    from rusmiddel.groups.models import Group

    cpr, name = PEOPLE[(municipality, provider)]
    b = Bundle(municipality, provider, cpr, name)
    therapist = staff("therapist", municipality)
    b.builder = therapist
    offers = OFFERS[municipality]

    case = services.case_create(
        actor=therapist,
        received_on=TODAY,
        channel="digital_post",
        citizen_cpr=cpr,
        citizen_name=name,
        requested_offer=offers["main"],
        provider=provider,
    )
    b.case_id, b.number, b.citizen_id = case.pk, case.number, case.citizen_id
    b.caseworker_id = staff("caseworker", municipality).pk
    services.assessment_record(
        actor=therapist,
        case_id=case.pk,
        version=_version(case.pk),
        facts=FACTS[municipality],
        on=dt.date(2026, 11, 26),
    )

    def grant(offer: str):
        return services.decision_record(
            actor=therapist,
            case_id=case.pk,
            version=_version(case.pk),
            offer=offer,
            outcome="granted",
            decided_on=dt.date(2026, 11, 30),
            provider=provider,
            override_reason=OVERRIDE,
        )

    b.decision_id = grant(offers["main"]).pk
    b.change_decision_id = grant(offers["change"]).pk
    residential_decision = grant("doegnbehandling")

    def start(decision_id: int):
        return services.course_start(
            actor=therapist,
            case_id=case.pk,
            version=_version(case.pk),
            started_on=dt.date(2026, 12, 7),
            decision_id=decision_id,
            provider=provider,
            **START_KEY_FACTS,
        )

    b.course_id = start(b.decision_id).pk
    b.residential_course_id = start(residential_decision.pk).pk
    ended = start(b.decision_id)
    b.ended_course_id = ended.pk
    follow_ups = services.course_end(
        actor=therapist,
        course_id=ended.pk,
        version=_version(case.pk),
        ended_on=dt.date(2027, 1, 29),
        reason="completed",
        outcome="reduced",
        final_report="Forløbet er gennemført.",
        **END_KEY_FACTS,
    )
    b.follow_up_id = follow_ups[0].pk
    b.session_id = services.session_record(
        actor=therapist,
        course_id=b.course_id,
        version=_version(case.pk),
        starts_at=dt.datetime.fromisoformat("2027-01-05T10:00:00+01:00"),
        ends_at=dt.datetime.fromisoformat("2027-01-05T11:00:00+01:00"),
    ).pk
    b.complaint_id = services.complaint_receive(
        actor=therapist,
        case_id=case.pk,
        version=_version(case.pk),
        decision_id=b.decision_id,
        received_on=dt.date(2026, 12, 10),
        text="Jeg ønsker et andet tilbud",
    ).pk
    b.group_id = Group.objects.create(
        municipality=Municipality.objects.get(slug=municipality),
        provider=Provider.objects.get(slug=provider),
        offer=offers["group"],
        title=f"Gruppe hos {provider}",
        starts_on=dt.date(2027, 1, 4),  # a Monday
        stop_day=dt.date(2027, 1, 11) if municipality in HAS_GROUP_CALENDAR else None,
        seats=10,
    ).pk
    b.referred_to_region_on = services.region_referral_record(
        actor=therapist,
        case_id=case.pk,
        version=_version(case.pk),
        referred_on=REGION_REFERRED_ON,
        region="Psykiatrisk Center i regionen",
    ).referred_on
    from rusmiddel.capacity.models import Capacity

    b.capacity_id = Capacity.objects.create(
        municipality=Municipality.objects.get(slug=municipality),
        provider=Provider.objects.get(slug=provider),
        offer=offers["change"],  # granted, not started: on the waitlist
        kind="weekly_slots",
        amount=5,
        valid_from=dt.date(2026, 1, 1),
    ).pk
    return b


def build_world() -> World:
    from django.utils import timezone

    from rusmiddel.accounts.services import tenants_sync
    from rusmiddel.letters.models import DeliveryStatus, Letter
    from rusmiddel.letters.outbox import DigitalPostOutbox, outbox_process

    tenants_sync(on=TODAY)
    with world_clock():
        world = World({key: build_bundle(*key) for key in PEOPLE})
        # Every letter of the world goes to the worklist: the Digital Post seam fails
        # permanently (no PDF is made here: the letters were printed when the services made them)
        result = outbox_process(now=timezone.now(), outbox=DigitalPostOutbox())
    assert result.failed == Letter.objects.count() > 0 and result.sent == 0, result
    for b in world.bundles.values():
        receipt = Letter.objects.select_related("delivery").get(
            case_id=b.case_id, kind="contact_receipt"
        )
        assert receipt.delivery.status == DeliveryStatus.FAILED
        b.letter_id = receipt.pk
    return world


@pytest.fixture(scope="module", name="world")
def world_fixture(django_db_setup, django_db_blocker):
    """The bundles, built once per module and rolled back after it (see the module doc)."""
    with world_clock(), django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


# --- what a request changed ----------------------------------------------------------------


def _state_models():
    from rusmiddel.accounts.models import Municipality

    state_models = [Municipality]
    for label in ("cases", "treatment_groups", "letters", "outcomes"):
        state_models += list(apps.get_app_config(label).get_models())
    return state_models


def _columns(model) -> list[str]:
    """Every column but binary ones (a letter's PDF: its sha256 column stands for it)."""
    return [f.attname for f in model._meta.concrete_fields if not isinstance(f, models.BinaryField)]


def snapshot() -> dict[str, Any]:
    """Every row of every case table (and the case numbering), of every letter and delivery,
    and the write-audit count: equal snapshots before and after a request mean the request
    changed nothing."""
    from rusmiddel.audit.models import AuditEntry

    state: dict[str, Any] = {
        m._meta.label: list(m.objects.order_by("pk").values_list(*_columns(m)))
        for m in _state_models()
    }
    state["audit writes"] = AuditEntry.objects.filter(write=True).count()
    return state


def assert_unchanged(before: dict[str, Any], after: dict[str, Any]) -> None:
    changed = [k for k in before if before[k] != after[k]]
    assert not changed, f"the request changed {changed}"


def assert_error(answer: tuple[int, Any], status: int, code: str, field: str | None) -> dict:
    """An error answer: the status, and {"error": {"code", "field", "message"}}."""
    got, body = answer
    assert got == status, body
    assert isinstance(body, dict) and isinstance(body.get("error"), dict), body
    error = body["error"]
    assert set(error) == {"code", "field", "message"}, error
    assert error["code"] == code, error
    assert error["field"] == field, error
    assert isinstance(error["message"], str) and error["message"].strip(), error
    return error


# --- every endpoint, with a valid request against a bundle --------------------------------


def _days_to(day: dt.date) -> int:
    from django.utils import timezone

    return (day - timezone.localdate()).days


def _booking_day() -> dt.date:
    """A working day a week from today (the real today: a booking never lies in the past)."""
    from django.utils import timezone

    from rusmiddel.rules.calendar import next_working_day

    return next_working_day(timezone.localdate() + dt.timedelta(days=7))


#: The last day any deadline of a bundle falls on is well before this.
DUE_HORIZON = dt.date(2027, 12, 31)


JSON = "application/json"
PDF = "application/pdf"


@dataclass(frozen=True)
class Call:
    """How to call one endpoint against a bundle.

    `ident` names the bundle id in the request ("case", "course", …) and `where` says where it
    goes: "path" (answers 404 when not visible), "body" or "query" (answers as for an id that
    does not exist), or None (the endpoint takes no id). A write is `versioned` when its body
    carries the case version (a stale one answers 409) and its success counts the case.
    `serves` is what a successful answer is; every other answer (errors included) is JSON.
    `by_actor`: the body also depends on who sends it (`body(bundle, version, user)`)."""

    ident: str | None
    where: str | None
    body: Callable[[Bundle, int], dict[str, Any]] | None = None
    query: Callable[[Bundle], dict[str, Any]] | None = None
    writes: bool = True
    versioned: bool = True
    serves: str = JSON
    by_actor: bool = False


def _v(b: Bundle, version: int) -> dict[str, Any]:
    return {"version": version}


NEW_CPR = "2102901234"  # a person not yet known in either municipality


def _assignee(b: Bundle, version: int, actor: Any = None) -> dict[str, Any]:
    """A caseworker takes the (unassigned) case for themselves; anyone else names the
    bundle's caseworker, as a head of unit gives a case to one (a bundle without one, as the
    anonymous cases' of other tests, names someone who does not exist: the case's id is
    refused first)."""
    staff_of = getattr(actor, "staff", None)
    mine = staff_of is not None and staff_of.role == "caseworker"
    other = b.caseworker_id or NONEXISTENT_ID
    return {"version": version, "caseworker_id": actor.pk if mine else other}

ENDPOINT_CALLS: dict[tuple[str, str], Call] = {
    ("POST", "/auth/token"): Call(None, None, writes=False),  # body: the user's own login
    ("POST", "/auth/logout"): Call(None, None, writes=False),  # revokes a bearer token of its own
    ("GET", "/me"): Call(None, None, writes=False),
    ("GET", "/cases"): Call("case", None, query=lambda b: {"limit": 200}, writes=False),
    ("POST", "/cases"): Call(
        "case",
        "body",
        body=lambda b, v: {
            "received_on": "2026-12-01",
            "channel": "phone",
            "contact_by": "relative",
            "citizen": {"cpr": NEW_CPR, "name": "Rasmus Pårørende"},
            "person_role": "relative",
            "related_case_id": b.case_id,
        },
    ),
    ("GET", "/cases/{case_id}"): Call("case", "path", writes=False),
    ("POST", "/cases/{case_id}/contacts"): Call(
        "case",
        "path",
        body=lambda b, v: {"version": v, "received_on": "2026-12-01", "channel": "phone"},
    ),
    ("POST", "/cases/{case_id}/assessments"): Call(
        "case",
        "path",
        body=lambda b, v: {"version": v, "facts": FACTS[b.municipality], "on": "2026-12-01"},
    ),
    ("POST", "/cases/{case_id}/decisions"): Call(
        "case",
        "path",
        body=lambda b, v: {
            "version": v,
            "offer": OFFERS[b.municipality]["main"],
            "outcome": "refused",
            "decided_on": "2026-12-02",
        },
    ),
    # the granted decision without a course (withdrawing the main one is refused: a course
    # rests on it)
    ("POST", "/decisions/{decision_id}/withdrawal"): Call(
        "change_decision",
        "path",
        body=lambda b, v: {
            "version": v,
            "reason": "Bevilget ved en fejl",
            "withdrawn_on": "2026-12-03",
        },
    ),
    ("POST", "/decisions/{decision_id}/correction"): Call(
        "change_decision",
        "path",
        body=lambda b, v: {
            "version": v,
            "reason": "Forkert leverandør",
            "decided_on": "2026-12-03",
        },
    ),
    ("POST", "/cases/{case_id}/courses"): Call(
        "case",
        "path",
        body=lambda b, v: {
            "version": v,
            "started_on": "2026-12-08",
            "decision_id": b.decision_id,
            **START_KEY_FACTS,
        },
    ),
    ("POST", "/cases/{case_id}/complaints"): Call(
        "case",
        "path",
        body=lambda b, v: {
            "version": v,
            "decision_id": b.decision_id,
            "received_on": "2026-12-11",
            "text": "Jeg klager over afgørelsen",
        },
    ),
    ("POST", "/complaints/{complaint_id}/reassessment"): Call(
        "complaint",
        "path",
        body=lambda b, v: {
            "version": v,
            "reassessed_on": "2026-12-20",
            "upheld": True,
            "text": "Afgørelsen fastholdes",
        },
    ),
    ("POST", "/courses/{course_id}/plans"): Call(
        "course",
        "path",
        body=lambda b, v: {
            "version": v,
            "goal": "abstinence",
            "goals_text": "Stoppe helt",
            "agreed_on": "2026-12-08",
        },
    ),
    ("POST", "/courses/{course_id}/sessions"): Call(
        "course",
        "path",
        body=lambda b, v: {
            "version": v,
            "starts_at": "2027-01-12T10:00:00+01:00",
            "ends_at": "2027-01-12T11:00:00+01:00",
        },
    ),
    ("POST", "/sessions/{session_id}/attendance"): Call(
        "session", "path", body=lambda b, v: {"version": v, "attendance": "attended"}
    ),
    ("POST", "/courses/{course_id}/enrolments"): Call(
        "course",
        "path",
        body=lambda b, v: {"version": v, "group_id": b.group_id, "enrolled_on": "2027-01-04"},
    ),
    ("POST", "/courses/{course_id}/status-reports"): Call(
        "course",
        "path",
        body=lambda b, v: {"version": v, "text": "Stabilt fremmøde", "submitted_on": "2027-01-15"},
    ),
    ("POST", "/courses/{course_id}/self-payment"): Call(
        "residential_course",
        "path",
        body=lambda b, v: {"version": v, "days": 30, "keeps_rent": True},
    ),
    ("POST", "/courses/{course_id}/end"): Call(
        "course",
        "path",
        body=lambda b, v: {
            "version": v,
            "ended_on": "2027-02-26",
            "reason": "completed",
            "outcome": "reduced",
            "final_report": "Forløbet er gennemført.",
            **END_KEY_FACTS,
        },
    ),
    ("POST", "/courses/{course_id}/key-facts"): Call(
        "course",
        "path",
        body=lambda b, v: {
            "version": v,
            "moment": "start",
            "recorded_on": "2026-12-07",
            **START_KEY_FACTS,
        },
    ),
    ("POST", "/sessions/{session_id}/fit"): Call(
        "session",
        "path",
        body=lambda b, v: {"version": v, "instrument": "ors", "items": [5, 6, 4.5, 5]},
    ),
    ("GET", "/courses/{course_id}/fit"): Call("course", "path", writes=False),
    ("POST", "/courses/{course_id}/change-offer"): Call(
        "course",
        "path",
        body=lambda b, v: {
            "version": v,
            "decision_id": b.change_decision_id,
            "changed_on": "2027-01-15",
        },
    ),
    ("POST", "/follow-ups/{follow_up_id}"): Call(
        "follow_up",
        "path",
        body=lambda b, v: {
            "version": v,
            "done_on": "2027-03-01",
            "channel": "phone",
            "reached": True,
            "outcome": "reduced",
            **END_KEY_FACTS,
        },
    ),
    ("GET", "/waitlist"): Call("case", None, writes=False),
    ("GET", "/waitlist/forecast"): Call("case", None, writes=False),
    ("POST", "/cases/{case_id}/bookings"): Call(
        "case",
        "path",
        body=lambda b, v: {
            "version": v,
            "decision_id": b.change_decision_id,
            "line": f"capacity:{b.capacity_id}",
            "starts_on": _booking_day().isoformat(),
            **START_KEY_FACTS,
        },
    ),
    ("GET", "/due"): Call(
        "case", None, query=lambda b: {"days": _days_to(DUE_HORIZON)}, writes=False
    ),
    ("GET", "/audit"): Call("case", "query", query=lambda b: {"case_id": b.case_id}, writes=False),
    ("GET", "/cases/{case_id}/letters"): Call("case", "path", writes=False),
    ("GET", "/letters/{letter_id}/pdf"): Call("letter", "path", writes=False, serves=PDF),
    ("GET", "/outbox/failures"): Call("letter", None, writes=False),
    ("POST", "/letters/{letter_id}/retry"): Call(
        "letter", "path", body=lambda b, v: {}, versioned=False
    ),
    # integrated treatment in the region (SUL § 82 c): the bundle's referral corrected, and
    # received by the region (dates before the real today)
    ("POST", "/cases/{case_id}/region-referral"): Call(
        "case",
        "path",
        body=lambda b, v: {
            "version": v,
            "referred_on": "2026-11-27",
            "region": "Psykiatrisk Center Nordsjælland",
            "note": "Henvist efter aftale med borgeren",
        },
    ),
    ("POST", "/cases/{case_id}/region-referral/acceptance"): Call(
        "case", "path", body=lambda b, v: {"version": v, "accepted_on": "2026-11-30"}
    ),
    # names the citizen's version, not the case's: the cases' versions stay as they are
    ("PATCH", "/citizens/{citizen_id}"): Call(
        "citizen",
        "path",
        body=lambda b, v: {"version": _citizen_version(b), "address": "Flyttevej 1, 2900 Hellerup"},
        versioned=False,
    ),
    ("POST", "/cases/{case_id}/assignment"): Call("case", "path", body=_assignee, by_actor=True),
}


def ident_of(bundle: Bundle, ident: str) -> int:
    return getattr(bundle, f"{ident}_id")


def path_for(path: str, call: Call, bundle: Bundle, ident: int | str | None = None) -> str:
    """The path with the bundle's id (or `ident`) in place of the {…_id} placeholder."""
    if call.where != "path":
        return path
    value = ident_of(bundle, call.ident) if ident is None else ident
    return path[: path.index("{")] + str(value) + path[path.index("}") + 1 :]


def answer_of(response: Any, call: Call) -> tuple[int, Any]:
    """(status, body). Every answer is JSON, parsed (errors of every endpoint included), but
    the successful answer of an endpoint that serves something else: exactly that content
    type, and the body as bytes."""
    content_type = response.get("Content-Type", "")
    if call.serves != JSON and response.status_code == 200:
        assert content_type == call.serves, content_type
        return 200, response.content
    assert content_type.split(";")[0] == JSON, (response.status_code, content_type)
    return response.status_code, json.loads(response.content)


def request(api: Any, method: str, path: str, bundle: Bundle, **override: Any):
    """Call one endpoint against `bundle` with a valid request; `override` changes the id
    (`ident=`), the body's version (`version=`) or the body (`body=`). Answers (status, body):
    see `answer_of`."""
    call = ENDPOINT_CALLS[(method, path)]
    url = "/api" + path_for(path, call, bundle, override.get("ident"))
    version = override.get("version", _version(bundle.case_id))
    if method == "GET":
        params = call.query(bundle) if call.query else {}
        if call.where == "query" and "ident" in override:
            params[f"{call.ident}_id"] = override["ident"]
        return answer_of(api.client.get(url, params), call)
    if path == "/auth/logout":  # bearer tokens only: one issued for it, so the session stays
        from rusmiddel.accounts.services import api_token_issue

        bearer = f"Bearer {api_token_issue(user=api.user)[1]}"
        return answer_of(api.client.post(url, HTTP_AUTHORIZATION=bearer), call)
    if path == "/auth/token":
        body = {"username": api.user.get_username(), "password": PASSWORD}
    else:
        body = override.get("body") or (
            call.body(bundle, version, api.user) if call.by_actor else call.body(bundle, version)
        )
    if call.where == "body" and "ident" in override:
        body = {**body, f"related_{call.ident}_id": override["ident"]}
    response = api.client.generic(method, url, json.dumps(body), content_type=JSON)
    return answer_of(response, call)


def api_endpoints() -> list[tuple[str, str]]:
    """Every (method, path) the NinjaAPI serves, read from its routers."""
    from rusmiddel.api.api import api

    return sorted(
        (method, path)
        for _prefix, router in api._routers
        for path, view in router.path_operations.items()
        for operation in view.operations
        for method in operation.methods
    )


NONEXISTENT_ID = 987_654_321
