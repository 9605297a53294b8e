"""Who holds a case (issue 19, item 6): a new case without a caseworker ("Ikke tildelt") is
taken by a caseworker (`POST /api/cases/{id}/assignment` with their own id) or given to one by
the head of unit; a caseworker cannot take a case from another; the deadlines' copies follow
the case (the due list per caseworker), and every change is logged with the old and new
caseworker. The authorization matrix (tests/api/test_authorization.py) covers every role and
municipality; these are the rules within one municipality."""

from __future__ import annotations

import pytest

from case_world import (
    Bundle,
    _version,
    assert_error,
    assert_unchanged,
    snapshot,
    world_fixture,  # noqa: F401 - the `world` fixture
)
from factories import staff
from rusmiddel.audit.models import AuditEntry
from rusmiddel.cases.models import Case, Deadline

MUNICIPALITY = "gentofte"


def _url(bundle: Bundle) -> str:
    return f"/cases/{bundle.case_id}/assignment"


def _assign(api, bundle: Bundle, caseworker_id, version: int | None = None):
    body = {
        "version": _version(bundle.case_id) if version is None else version,
        "caseworker_id": caseworker_id,
    }
    return api.post(_url(bundle), body)


def _holder(bundle: Bundle) -> int | None:
    return Case.objects.values_list("caseworker_id", flat=True).get(pk=bundle.case_id)


def _deadline_holders(bundle: Bundle) -> set[int | None]:
    rows = Deadline.objects.filter(case_id=bundle.case_id)
    return set(rows.values_list("caseworker_id", flat=True))


def test_a_caseworker_takes_an_unassigned_case_and_its_deadlines_follow(world, as_role):
    bundle = world.referred(MUNICIPALITY)
    caseworker = as_role("caseworker", MUNICIPALITY)
    assert _holder(bundle) is None and _deadline_holders(bundle) == {None}  # opened by a therapist
    version = _version(bundle.case_id)

    status, body = _assign(caseworker, bundle, caseworker.user.pk)

    assert status == 200, body
    assert body == {
        "case_id": bundle.case_id,
        "number": bundle.number,
        "version": version + 1,
        "caseworker": {
            "id": caseworker.user.pk,
            "username": caseworker.user.username,
            "name": caseworker.user.get_full_name() or caseworker.user.username,
        },
    }
    assert _holder(bundle) == caseworker.user.pk
    assert _deadline_holders(bundle) == {caseworker.user.pk}  # the due list per caseworker
    entry = AuditEntry.objects.filter(event="case_assigned").get()
    me = caseworker.user
    assert (entry.actor_id, entry.case_id, entry.write) == (me.pk, bundle.case_id, True)
    assert entry.old == {"caseworker_id": None, "caseworker": None}
    assert entry.new == {"caseworker_id": me.pk, "caseworker": me.username}
    # …and the case says who holds it
    assert caseworker.get(f"/cases/{bundle.case_id}")[1]["caseworker"] == caseworker.user.username


def test_a_caseworker_gives_back_their_own_case_but_not_anothers(world, as_role):
    bundle = world.referred(MUNICIPALITY)
    mine, theirs = as_role("caseworker", MUNICIPALITY), as_role("caseworker", MUNICIPALITY)
    assert _assign(mine, bundle, mine.user.pk)[0] == 200

    # another caseworker can neither take it nor give it back
    before = snapshot()
    error = assert_error(_assign(theirs, bundle, theirs.user.pk), 403, "forbidden", None)
    assert "kun en leder kan flytte den" in error["message"]
    assert_error(_assign(theirs, bundle, None), 403, "forbidden", None)
    assert_unchanged(before, snapshot())

    # the holder gives it back: unassigned again
    status, body = _assign(mine, bundle, None)
    assert status == 200 and body["caseworker"] is None, body
    assert _holder(bundle) is None and _deadline_holders(bundle) == {None}


def test_a_caseworker_cannot_give_a_case_to_another_caseworker(world, as_role):
    bundle = world.referred(MUNICIPALITY)
    caseworker = as_role("caseworker", MUNICIPALITY)
    before = snapshot()
    error = assert_error(_assign(caseworker, bundle, bundle.caseworker_id), 403, "forbidden", None)
    assert "lederen" in error["message"]
    assert_unchanged(before, snapshot())


def test_the_head_of_unit_moves_a_case_between_caseworkers_and_to_none(world, as_role):
    bundle = world.referred(MUNICIPALITY)
    head = as_role("head_of_unit", MUNICIPALITY)
    first = as_role("caseworker", MUNICIPALITY)
    assert _assign(first, bundle, first.user.pk)[0] == 200

    status, body = _assign(head, bundle, bundle.caseworker_id)  # from one caseworker to another
    assert status == 200 and body["caseworker"]["id"] == bundle.caseworker_id, body
    assert _deadline_holders(bundle) == {bundle.caseworker_id}
    entry = AuditEntry.objects.filter(event="case_assigned").latest("pk")
    assert entry.old["caseworker_id"] == first.user.pk
    assert entry.new["caseworker_id"] == bundle.caseworker_id
    assert entry.role == "head_of_unit"

    status, body = _assign(head, bundle, None)
    assert status == 200 and body["caseworker"] is None
    assert _holder(bundle) is None


def test_assigning_whom_already_holds_the_case_writes_nothing(world, as_role):
    bundle = world.referred(MUNICIPALITY)
    caseworker = as_role("caseworker", MUNICIPALITY)
    assert _assign(caseworker, bundle, caseworker.user.pk)[0] == 200
    before = snapshot()
    status, body = _assign(caseworker, bundle, caseworker.user.pk)
    assert status == 200 and body["caseworker"]["id"] == caseworker.user.pk
    assert_unchanged(before, snapshot())


def test_a_stale_version_answers_409_and_writes_nothing(world, as_role):
    bundle = world.referred(MUNICIPALITY)
    caseworker = as_role("caseworker", MUNICIPALITY)
    before = snapshot()
    answer = _assign(caseworker, bundle, caseworker.user.pk, version=_version(bundle.case_id) - 1)
    assert_error(answer, 409, "conflict", "version")
    assert_unchanged(before, snapshot())


def _not_a_caseworker(kind: str) -> int:
    if kind == "therapist":
        return staff("therapist", MUNICIPALITY).pk
    if kind == "head of unit":
        return staff("head_of_unit", MUNICIPALITY).pk
    if kind == "another municipality's caseworker":
        return staff("caseworker", "helsingoer").pk
    if kind == "a deactivated caseworker":
        user = staff("caseworker", MUNICIPALITY)
        user.is_active = False
        user.save(update_fields=["is_active"])
        return user.pk
    return 987_654_321  # no one


@pytest.mark.parametrize(
    "kind",
    [
        "therapist",
        "head of unit",
        "another municipality's caseworker",
        "a deactivated caseworker",
        "no one",
    ],
)
def test_the_head_of_unit_gives_a_case_only_to_an_active_caseworker_of_the_municipality(
    world, as_role, kind
):
    bundle = world.referred(MUNICIPALITY)
    head = as_role("head_of_unit", MUNICIPALITY)
    someone = _not_a_caseworker(kind)
    before = snapshot()
    error = assert_error(_assign(head, bundle, someone), 422, "invalid", "caseworker_id")
    # the same words whoever it is: another municipality's staff are as no one
    assert error["message"] == f"Der er ingen aktiv sagsbehandler med id {someone} i kommunen."
    assert_unchanged(before, snapshot())


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "caseworker_id"),  # required: null is the explicit "no one"
        ({"caseworker_id": "me"}, "caseworker_id"),
        ({"caseworker_id": 0}, "caseworker_id"),
        ({"caseworker_id": 1.5}, "caseworker_id"),
        ({"caseworker_id": 1, "note": "x"}, "note"),
    ],
)
def test_bad_assignment_input_is_refused_naming_the_field(world, as_role, body, field):
    bundle = world.referred(MUNICIPALITY)
    head = as_role("head_of_unit", MUNICIPALITY)
    before = snapshot()
    answer = head.post(_url(bundle), {"version": _version(bundle.case_id), **body})
    assert_error(answer, 422, "invalid", field)
    assert_unchanged(before, snapshot())


def test_the_openapi_document_declares_the_answer(client):
    schema = client.get("/api/openapi.json").json()
    operation = schema["paths"]["/api/cases/{case_id}/assignment"]["post"]
    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer == {"$ref": "#/components/schemas/AssignmentOut"}
    fields = schema["components"]["schemas"]["AssignmentOut"]["properties"]
    assert set(fields) == {"case_id", "number", "version", "caseworker"}
