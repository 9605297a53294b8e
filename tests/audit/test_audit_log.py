"""The audit log: every write of a case and every read of personal data leaves an entry with
who (and in which role), what and which case; entries are never changed or deleted; heads of
unit and administrators read their own municipality's log only. Letters too: reading one,
listing a case's letters, the failure worklist and sending a letter again are logged."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from case_world import (
    DUE_HORIZON,
    NEW_CPR,
    Bundle,
    _days_to,
    _version,
    assert_unchanged,
    snapshot,
    world_fixture,  # noqa: F401 - the `world` fixture
)
from factories import END_KEY_FACTS, START_KEY_FACTS
from rusmiddel.audit.models import AuditEntry
from rusmiddel.cases import services
from rusmiddel.cases.models import (
    Assessment,
    Case,
    Citizen,
    Complaint,
    Contact,
    Course,
    Decision,
    FollowUp,
    RegionReferral,
    SelfPaymentAssessment,
    Session,
    StatusReport,
    TreatmentPlan,
)
from rusmiddel.cases.services import SERVICES
from rusmiddel.groups.models import Enrolment
from rusmiddel.letters.models import Delivery, DeliveryStatus, Letter

D = dt.date
MUNICIPALITY = "helsingoer"  # where every service can succeed (groups have a calendar)


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


#: For every service: how to call it on a bundle, the event it logs, and its main object
#: (from what the service returned).
Recipe = tuple[Callable[[Bundle, Any], Any], str, Callable[[Any, Bundle], Any]]
RECIPES: dict[str, Recipe] = {
    "case_create": (
        lambda b, a: services.case_create(
            actor=a,
            received_on=D(2026, 12, 1),
            channel="phone",
            citizen_cpr=NEW_CPR,
            citizen_name="Rasmus Ny",
        ),
        "case_created",
        lambda r, b: r,
    ),
    "contact_record": (
        lambda b, a: services.contact_record(
            actor=a,
            case_id=b.case_id,
            version=_version(b.case_id),
            received_on=D(2026, 12, 1),
            channel="phone",
        ),
        "contact_recorded",
        lambda r, b: r,
    ),
    "assessment_record": (
        lambda b, a: services.assessment_record(
            actor=a,
            case_id=b.case_id,
            version=_version(b.case_id),
            facts={"use": {"level": "problematic"}},
            on=D(2026, 12, 1),
        ),
        "assessment_recorded",
        lambda r, b: r[0],
    ),
    "decision_record": (
        lambda b, a: services.decision_record(
            actor=a,
            case_id=b.case_id,
            version=_version(b.case_id),
            offer="kokain_hashstop",
            outcome="refused",
            decided_on=D(2026, 12, 2),
        ),
        "decision_recorded",
        lambda r, b: r,
    ),
    "decision_withdraw": (
        lambda b, a: services.decision_withdraw(
            actor=a,
            decision_id=b.change_decision_id,  # granted, no course on it
            version=_version(b.case_id),
            reason="Bevilget ved en fejl",
            withdrawn_on=D(2026, 12, 3),
        ),
        "decision_withdrawn",
        lambda r, b: r,
    ),
    "decision_correct": (
        lambda b, a: services.decision_correct(
            actor=a,
            decision_id=b.change_decision_id,
            version=_version(b.case_id),
            reason="Forkert leverandør",
            decided_on=D(2026, 12, 3),
        ),
        "decision_corrected",  # about the old decision; the new one is recorded
        lambda r, b: Decision.objects.get(pk=b.change_decision_id),
    ),
    "course_start": (
        lambda b, a: services.course_start(
            actor=a,
            case_id=b.case_id,
            version=_version(b.case_id),
            started_on=D(2026, 12, 8),
            decision_id=b.decision_id,
            **START_KEY_FACTS,
        ),
        "course_started",
        lambda r, b: r,
    ),
    "plan_record": (
        lambda b, a: services.plan_record(
            actor=a,
            course_id=b.course_id,
            version=_version(b.case_id),
            goal="reduction",
            goals_text="Mindre kokain",
            agreed_on=D(2026, 12, 8),
        ),
        "plan_recorded",
        lambda r, b: r,
    ),
    "session_record": (
        lambda b, a: services.session_record(
            actor=a,
            course_id=b.course_id,
            version=_version(b.case_id),
            starts_at=_at("2027-01-12T10:00:00+01:00"),
            ends_at=_at("2027-01-12T11:00:00+01:00"),
        ),
        "session_recorded",
        lambda r, b: r,
    ),
    "attendance_record": (
        lambda b, a: services.attendance_record(
            actor=a, session_id=b.session_id, version=_version(b.case_id), attendance="no_show"
        ),
        "attendance_recorded",
        lambda r, b: Session.objects.get(pk=b.session_id),
    ),
    "group_enrol": (
        lambda b, a: services.group_enrol(
            actor=a,
            course_id=b.course_id,
            version=_version(b.case_id),
            group_id=b.group_id,
            enrolled_on=D(2027, 1, 4),
        ),
        "group_enrolled",
        lambda r, b: r,
    ),
    "status_report_record": (
        lambda b, a: services.status_report_record(
            actor=a,
            course_id=b.course_id,
            version=_version(b.case_id),
            text="Stabilt",
            submitted_on=D(2027, 1, 15),
        ),
        "status_report_recorded",
        lambda r, b: r,
    ),
    "self_payment_record": (
        lambda b, a: services.self_payment_record(
            actor=a,
            course_id=b.residential_course_id,
            version=_version(b.case_id),
            days=30,
            keeps_rent=False,
            monthly_income_dkk=Decimal("12000"),
        ),
        "self_payment_recorded",
        lambda r, b: r,
    ),
    "course_end": (
        lambda b, a: services.course_end(
            actor=a,
            course_id=b.course_id,
            version=_version(b.case_id),
            ended_on=D(2027, 2, 26),
            reason="completed",
            outcome="reduced",
            final_report="Gennemført",
            **END_KEY_FACTS,
        ),
        "course_ended",
        lambda r, b: Course.objects.get(pk=b.course_id),
    ),
    "offer_change": (
        lambda b, a: services.offer_change(
            actor=a,
            course_id=b.course_id,
            version=_version(b.case_id),
            decision_id=b.change_decision_id,
            changed_on=D(2027, 1, 15),
        ),
        "offer_changed",
        lambda r, b: r,
    ),
    "follow_up_record": (
        lambda b, a: services.follow_up_record(
            actor=a,
            follow_up_id=b.follow_up_id,
            version=_version(b.case_id),
            done_on=D(2027, 3, 1),
            channel="video",
            reached=False,
        ),
        "follow_up_recorded",
        lambda r, b: FollowUp.objects.get(pk=b.follow_up_id),
    ),
    "complaint_receive": (
        lambda b, a: services.complaint_receive(
            actor=a,
            case_id=b.case_id,
            version=_version(b.case_id),
            decision_id=b.decision_id,
            received_on=D(2026, 12, 11),
            text="Klage",
        ),
        "complaint_received",
        lambda r, b: r,
    ),
    "complaint_reassess": (
        lambda b, a: services.complaint_reassess(
            actor=a,
            complaint_id=b.complaint_id,
            version=_version(b.case_id),
            reassessed_on=D(2026, 12, 20),
            upheld=False,
            text="Afgørelsen ændres",
        ),
        "complaint_reassessed",
        lambda r, b: Complaint.objects.get(pk=b.complaint_id),
    ),
    "self_service_apply": (
        lambda b, a: services.self_service_apply(
            municipality=b.municipality,
            received_on=D(2026, 12, 1),
            anonymous=False,
            name="Rasmus Ny",
            cpr=NEW_CPR,
            consent=True,
        ),
        "case_created",
        lambda r, b: r,
    ),
    "citizen_update": (
        lambda b, a: services.citizen_update(
            actor=a,
            citizen_id=b.citizen_id,
            version=Citizen.objects.get(pk=b.citizen_id).version,
            phone="22 33 44 55",
        ),
        "citizen_changed",
        lambda r, b: r,
    ),
    "region_referral_record": (
        lambda b, a: services.region_referral_record(
            actor=a,
            case_id=b.case_id,
            version=_version(b.case_id),
            referred_on=D(2026, 11, 27),
            region="Psykiatrisk Center Nordsjælland",
        ),
        "region_referred",
        lambda r, b: r,
    ),
    "region_referral_accept": (
        lambda b, a: services.region_referral_accept(
            actor=a, case_id=b.case_id, version=_version(b.case_id), accepted_on=D(2026, 11, 30)
        ),
        "region_accepted",
        lambda r, b: r[0],
    ),
    "case_assign": (
        lambda b, a: services.case_assign(
            actor=a, case_id=b.case_id, version=_version(b.case_id), caseworker_id=b.caseworker_id
        ),
        "case_assigned",
        lambda r, b: r,
    ),
}

#: Who calls a service in the test of every service, where the therapist may not.
ACTOR_ROLE = {"case_assign": "head_of_unit"}  # gives the case to a caseworker

#: Services the citizen calls through the public self-service pages: no staff actor, so their
#: entries name the system (no actor id, no role); the recipe's actor is not used.
WITHOUT_STAFF = {"self_service_apply"}
#: Services that open a case (their entries are about the new case).
OPENS_A_CASE = {"case_create", "self_service_apply"}

#: The kind of row each service is about (checked against what the recipe returns).
MAIN_TYPE = {
    "case_create": Case,
    "contact_record": Contact,
    "assessment_record": Assessment,
    "decision_record": Decision,
    "decision_withdraw": Decision,
    "decision_correct": Decision,
    "course_start": Course,
    "plan_record": TreatmentPlan,
    "session_record": Session,
    "attendance_record": Session,
    "group_enrol": Enrolment,
    "status_report_record": StatusReport,
    "self_payment_record": SelfPaymentAssessment,
    "course_end": Course,
    "offer_change": Course,
    "follow_up_record": FollowUp,
    "complaint_receive": Complaint,
    "complaint_reassess": Complaint,
    "self_service_apply": Case,
    "citizen_update": Citizen,
    "region_referral_record": RegionReferral,
    "region_referral_accept": RegionReferral,
    "case_assign": Case,
}


def _last_entry() -> int:
    return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_every_service_has_a_recipe():
    assert set(RECIPES) == set(SERVICES) == set(MAIN_TYPE)


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_service_writes_one_audit_entry_for_its_main_object(world, as_role, name):
    call, event, main_of = RECIPES[name]
    bundle = world.referred(MUNICIPALITY)
    role = ACTOR_ROLE.get(name, "therapist")
    actor = as_role(role, MUNICIPALITY).user
    last = _last_entry()

    result = call(bundle, actor)

    main = main_of(result, bundle)
    assert isinstance(main, MAIN_TYPE[name])
    case_id = main.pk if name in OPENS_A_CASE else bundle.case_id
    who = (None, "system", "") if name in WITHOUT_STAFF else (actor.pk, actor.username, role)
    new = AuditEntry.objects.filter(pk__gt=last)
    writes = new.filter(write=True)
    about_main = writes.filter(object_type=type(main).__name__, object_id=main.pk)
    assert about_main.count() == 1, list(writes.values_list("event", "object_type", "object_id"))
    entry = about_main.get()
    assert entry.event == event
    assert (entry.actor_id, entry.actor, entry.role) == who
    assert entry.case_id == case_id
    assert entry.municipality_id == Case.objects.get(pk=case_id).municipality_id
    if name not in WITHOUT_STAFF:
        assert entry.municipality_id == actor.staff.municipality_id
    assert entry.new is not None
    # Every other entry the service wrote is a write about the same case by the same actor
    assert {(e.case_id, e.actor_id, e.role) for e in writes} == {(case_id, who[0], who[2])}
    assert not new.filter(write=False).exists(), "a service call logged a read"


# --- reads of personal data -------------------------------------------------------------------


def _reads(last: int, actor, event: str):
    return AuditEntry.objects.filter(pk__gt=last, actor_id=actor.pk, event=event, write=False)


@pytest.mark.parametrize("role", ["caseworker", "head_of_unit", "therapist"])
def test_reading_the_case_list_logs_every_case_on_the_page(world, as_role, role):
    api = as_role(role, "gentofte")
    last = _last_entry()
    status, page = api.get("/cases", limit=200)
    assert status == 200
    ids = [c["id"] for c in page["items"]]
    assert len(ids) == 2  # both Gentofte cases, none of Helsingør's
    entries = _reads(last, api.user, "case_list")
    assert sorted(entries.values_list("case_id", flat=True)) == sorted(ids)
    assert {(e.actor, e.role, e.municipality_id) for e in entries} == {
        (api.user.username, role, api.user.staff.municipality_id)
    }
    assert not AuditEntry.objects.filter(pk__gt=last, write=True).exists()

    # A page of one logs one case
    last = _last_entry()
    status, page = api.get("/cases", limit=1)
    assert [e.case_id for e in _reads(last, api.user, "case_list")] == [page["items"][0]["id"]]


def test_reading_a_case_logs_one_read_of_it(world, as_role):
    bundle = world.referred("gentofte")
    api = as_role("caseworker", "gentofte")
    last = _last_entry()
    assert api.get(f"/cases/{bundle.case_id}")[0] == 200
    entry = _reads(last, api.user, "case_read").get()
    assert (entry.case_id, entry.role, entry.why) == (bundle.case_id, "caseworker", "sagsvisning")
    assert AuditEntry.objects.filter(pk__gt=last).count() == 1
    # a case the user may not see is not read, so not logged either
    last = _last_entry()
    assert api.get(f"/cases/{world.referred('helsingoer').case_id}")[0] == 404
    assert not AuditEntry.objects.filter(pk__gt=last).exists()


@pytest.mark.parametrize("role", ["caseworker", "head_of_unit", "provider_staff"])
def test_reading_the_due_list_logs_every_case_on_it(world, as_role, role):
    api = as_role(role, "gentofte", "kabs" if role == "provider_staff" else None)
    last = _last_entry()
    status, due = api.get("/due", days=_days_to(DUE_HORIZON))
    assert status == 200 and due["items"]
    cases = {d["case_id"] for d in due["items"]}
    entries = _reads(last, api.user, "due_list")
    assert sorted(entries.values_list("case_id", flat=True)) == sorted(cases)  # one per case
    assert not AuditEntry.objects.filter(pk__gt=last, write=True).exists()


# --- letters ----------------------------------------------------------------------------------


def test_reading_a_letter_logs_one_read_of_it(world, as_role):
    bundle = world.referred("gentofte")
    api = as_role("caseworker", "gentofte")
    last = _last_entry()
    response = api.client.get(f"/api/letters/{bundle.letter_id}/pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    entry = AuditEntry.objects.get(pk__gt=last)
    assert (entry.event, entry.write, entry.case_id, entry.role) == (
        "letter_read",
        False,
        bundle.case_id,
        "caseworker",
    )
    assert (entry.object_type, entry.object_id) == ("Letter", bundle.letter_id)
    assert entry.municipality_id == api.user.staff.municipality_id
    # a letter the user may not see is not read, so not logged either
    last = _last_entry()
    other = world.referred("helsingoer").letter_id
    assert api.client.get(f"/api/letters/{other}/pdf").status_code == 404
    assert not AuditEntry.objects.filter(pk__gt=last).exists()


def test_listing_the_letters_of_a_case_logs_one_read_of_the_case(world, as_role):
    bundle = world.referred("gentofte")
    api = as_role("caseworker", "gentofte")
    last = _last_entry()
    status, letters = api.get(f"/cases/{bundle.case_id}/letters")
    assert status == 200 and len(letters["items"]) > 1
    entry = AuditEntry.objects.get(pk__gt=last)
    assert (entry.event, entry.write, entry.case_id, entry.why) == (
        "case_read",
        False,
        bundle.case_id,
        "brevliste",
    )


@pytest.mark.parametrize("role", ["caseworker", "head_of_unit", "provider_staff"])
def test_reading_the_worklist_logs_every_case_on_it_once(world, as_role, role):
    api = as_role(role, "gentofte", "kabs" if role == "provider_staff" else None)
    last = _last_entry()
    status, worklist = api.get("/outbox/failures")
    assert status == 200
    cases = [item["case_id"] for item in worklist["items"]]
    assert len(cases) > len(set(cases)) > 0  # several letters of a case: logged once
    entries = _reads(last, api.user, "case_list")
    assert sorted(entries.values_list("case_id", flat=True)) == sorted(set(cases))
    assert not AuditEntry.objects.filter(pk__gt=last).exclude(pk__in=entries).exists()


def test_sending_a_letter_again_logs_one_write_about_it(world, as_role):
    bundle = world.referred(MUNICIPALITY)
    api = as_role("therapist", MUNICIPALITY)
    last = _last_entry()
    status, letter = api.post(f"/letters/{bundle.letter_id}/retry", {})
    assert status == 200 and letter["delivery"]["status"] == DeliveryStatus.PENDING
    entry = AuditEntry.objects.get(pk__gt=last)
    assert (entry.event, entry.write, entry.case_id, entry.actor, entry.role) == (
        "letter_retried",
        True,
        bundle.case_id,
        api.user.username,
        "therapist",
    )
    assert (entry.object_type, entry.object_id) == ("Letter", bundle.letter_id)
    assert entry.municipality_id == api.user.staff.municipality_id
    assert entry.old == {"status": "failed", "attempts": 1}
    assert entry.new == {"status": "pending", "attempts": 0}
    # Once more: the letter is no longer on the worklist, so nothing is written
    before, last = snapshot(), _last_entry()
    status, again = api.post(f"/letters/{bundle.letter_id}/retry", {})
    assert status == 200 and again["delivery"] == letter["delivery"]
    assert_unchanged(before, snapshot())
    assert not AuditEntry.objects.filter(pk__gt=last).exists()


@pytest.mark.parametrize("role", ["head_of_unit", "administrator"])
def test_a_refused_retry_logs_nothing(world, as_role, role):
    """The head of unit sees the letter but may not send it (403); the administrator does not
    see it (404): neither is logged as having read it."""
    bundle = world.referred(MUNICIPALITY)
    api = as_role(role, MUNICIPALITY)
    before, last = snapshot(), _last_entry()
    status, _ = api.post(f"/letters/{bundle.letter_id}/retry", {})
    assert status == {"head_of_unit": 403, "administrator": 404}[role]
    assert not AuditEntry.objects.filter(pk__gt=last).exists()
    assert_unchanged(before, snapshot())
    assert Delivery.objects.get(letter_id=bundle.letter_id).status == DeliveryStatus.FAILED


def test_making_a_letter_logs_it_for_its_case(world):
    """Every letter of the world has its one letter_created entry, about its own case."""
    created = AuditEntry.objects.filter(event="letter_created", object_type="Letter")
    letters = dict(Letter.objects.values_list("pk", "case_id"))
    assert letters and sorted(created.values_list("object_id", flat=True)) == sorted(letters)
    assert all(letters[e.object_id] == e.case_id and e.write for e in created)


def test_every_entry_belongs_to_the_municipality_of_its_case(world):
    municipality_of = dict(Case.objects.values_list("pk", "municipality_id"))
    rows = AuditEntry.objects.exclude(case_id=None).values_list("case_id", "municipality_id")
    assert rows
    assert all(municipality_of[case] == municipality for case, municipality in rows)


# --- append-only ------------------------------------------------------------------------------


def test_an_audit_entry_cannot_be_updated(world):
    entry = AuditEntry.objects.filter(write=True).first()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(why="rettet")
    with pytest.raises(DatabaseError), transaction.atomic():
        entry.actor = "en anden"
        entry.save()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET case_id = NULL WHERE id = %s", [entry.pk])
    entry.refresh_from_db()
    assert entry.actor != "en anden" and entry.why != "rettet" and entry.case_id is not None


def test_an_audit_entry_cannot_be_deleted(world):
    entry = AuditEntry.objects.first()
    count = AuditEntry.objects.count()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.count() == count


# --- who reads the log ------------------------------------------------------------------------


@pytest.mark.parametrize("municipality", ["gentofte", "helsingoer"])
@pytest.mark.parametrize("role", ["head_of_unit", "administrator"])
def test_the_log_shows_only_the_own_municipality(world, as_role, role, municipality):
    api = as_role(role, municipality)
    own_municipality = api.user.staff.municipality_id
    own = set(
        AuditEntry.objects.filter(municipality_id=own_municipality).values_list("pk", flat=True)
    )
    others = set(
        AuditEntry.objects.exclude(municipality_id=own_municipality).values_list("pk", flat=True)
    )
    assert own and others  # both municipalities have entries, so the test can fail
    seen, after = [], None
    while True:
        status, page = api.get("/audit", **({"after": after} if after else {}))
        assert status == 200, page
        if not page["items"]:
            break
        seen += [item["id"] for item in page["items"]]
        after = page["next_after"]
    assert len(seen) == len(set(seen))
    assert set(seen) == own  # all of its own, newest first…
    assert seen == sorted(seen, reverse=True)
    assert not set(seen) & others  # …and nothing of the other municipality's
    # asking for another municipality's case is not found, as any other foreign id
    other_case = next(b for b in world.bundles.values() if b.municipality != municipality)
    assert api.get("/audit", case_id=other_case.case_id)[0] == 404


@pytest.mark.parametrize(
    "role", ["caseworker", "therapist", "substance_consultant", "provider_staff"]
)
def test_other_roles_cannot_read_the_log(world, as_role, role):
    api = as_role(role, "gentofte", "kabs" if role == "provider_staff" else None)
    last = _last_entry()
    status, body = api.get("/audit")
    assert status == 403 and body["error"]["code"] == "forbidden"
    assert not AuditEntry.objects.filter(pk__gt=last).exists()


def test_reading_the_log_is_logged(world, as_role):
    api = as_role("head_of_unit", "gentofte")
    last = _last_entry()
    case_id = world.referred("gentofte").case_id
    assert api.get("/audit", case_id=case_id)[0] == 200
    entry = AuditEntry.objects.get(pk__gt=last)
    assert (entry.event, entry.write, entry.case_id, entry.actor) == (
        "audit_read",
        False,
        case_id,
        api.user.username,
    )
