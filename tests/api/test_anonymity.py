"""Anonymous cases (SEL § 101 a): no CPR, no name, and never visible to the authority side.

Two anonymous cases are opened through the API: one by a therapist at Helsingør's own
centre, one by Gentofte's own substance consultant (anonymous counselling). Each gets an
assessment, a decision and a complaint (so every id a write endpoint takes exists), an
active course with a session and an ended course with follow-ups (so it has deadlines). Then
every authority role (caseworker, head of unit, administrator) calls every endpoint of the
API with the anonymous case's ids: nothing may reveal the case — not its pseudonym, its
number or its birth date — and every id answers as one that does not exist.

An anonymous case gets no letters (there is nobody to address), so its bundle names the
nonexistent letter id; the named case beside it has letters on the failure worklist, so the
worklist checks can fail. A letter row forced onto an anonymous case stays hidden as well.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest
from django.db import IntegrityError, transaction

from case_world import (
    ENDPOINT_CALLS,
    NONEXISTENT_ID,
    NOW,
    Bundle,
    api_endpoints,
    assert_error,
    assert_unchanged,
    ident_of,
    request,
    snapshot,
)
from factories import END_KEY_FACTS, START_KEY_FACTS
from rusmiddel.audit.models import AuditEntry
from rusmiddel.cases.models import Case, Citizen
from rusmiddel.letters.models import Delivery, DeliveryStatus, Letter

#: The anonymous bundle records events up to the world's today (see tests/case_world.py).
pytestmark = pytest.mark.time_machine(NOW, tick=False)

AUTHORITY_ROLES = ["caseworker", "head_of_unit", "administrator"]
LOGOUT = ("POST", "/auth/logout")  # revokes a bearer token of its own (case_world.request)
#: What GET /api/audit shows of an entry: never its old/new values (they hold the facts).
AUDIT_ITEM_KEYS = {
    "id",
    "at",
    "actor",
    "role",
    "event",
    "write",
    "case_id",
    "object_type",
    "object_id",
    "why",
}

ANONYMOUS = {
    # municipality: (who opens it, provider, pseudonym, birth date, anonymous offer, the
    #                role that decides in the municipality, the offer decided on)
    "helsingoer": ("therapist", None, "Ræven fra Kronborg", "1990-05-17", "anonym_gruppe"),
    "gentofte": ("substance_consultant", None, "Måsen ved Øresund", "1988-03-09", "raadgivning"),
}
DECIDED_OFFER = {"helsingoer": "kokain_hashstop", "gentofte": "ambulant"}


def _facts(birth_date: str) -> dict:
    return {
        "person": {"birth_date": birth_date, "role": "user", "children_at_home": 0},
        "use": {
            "substances": [{"substance": "cocaine", "primary": True}],
            "level": "problematic",
            "harms_daily_life": True,
        },
        "social": {
            "self_supporting": True,
            "housing": "rented",
            "occupation": "employed",
            "social_problems": "none",
        },
        "health": {"psychiatric_disorder": "none"},
        "wishes": {"requests_substitution": False, "anonymous": True},
    }


@dataclass
class Anonymous:
    bundle: Bundle  # the anonymous case's ids (its name field holds the pseudonym)
    secrets: tuple[str, ...]  # pseudonym, case number, birth date
    treater: object  # the Api client that opened it
    named_case_id: int  # a named case in the same municipality, for contrast


def _ok(answer, status=201):
    assert answer[0] == status, answer[1]
    return answer[1]


def open_anonymous(as_role, municipality: str) -> Anonymous:
    role, provider, pseudonym, born, offer = ANONYMOUS[municipality]
    treater = as_role(role, municipality, provider)
    therapist = as_role("therapist", municipality)  # decides on the municipality's behalf
    case = _ok(
        treater.post(
            "/cases",
            {
                "received_on": "2026-11-24",
                "channel": "walk_in",
                "anonymous": True,
                "pseudonym": pseudonym,
                "requested_offer": offer,
            },
        )
    )
    assert case["anonymous"] is True and "citizen" not in case
    assert case["pseudonym"] == pseudonym
    assert case["contacts"][0]["treatment_guarantee"] is None  # no guarantee (§ 101 a)
    cid = case["id"]

    def version():
        return Case.objects.values_list("version", flat=True).get(pk=cid)

    _ok(
        therapist.post(
            f"/cases/{cid}/assessments",
            {"version": version(), "facts": _facts(born), "on": "2026-11-26"},
        )
    )
    decision = _ok(
        therapist.post(
            f"/cases/{cid}/decisions",
            {
                "version": version(),
                "offer": DECIDED_OFFER[municipality],
                "outcome": "granted",
                "decided_on": "2026-11-30",
                "override_reason": "Vurderet på visitationsmødet",
            },
        )
    )
    complaint = _ok(
        therapist.post(
            f"/cases/{cid}/complaints",
            {
                "version": version(),
                "decision_id": decision["id"],
                "received_on": "2026-12-10",
                "text": "Klage",
            },
        )
    )
    course = _ok(
        treater.post(
            f"/cases/{cid}/courses",
            {"version": version(), "started_on": "2026-12-07", "offer": offer, **START_KEY_FACTS},
        )
    )
    ended = _ok(
        treater.post(
            f"/cases/{cid}/courses",
            {"version": version(), "started_on": "2026-12-07", "offer": offer, **START_KEY_FACTS},
        )
    )
    follow_ups = _ok(
        treater.post(
            f"/courses/{ended['id']}/end",
            {
                "version": version(),
                "ended_on": "2027-01-29",
                "reason": "completed",
                "outcome": "reduced",
                "final_report": "Gennemført",
                **END_KEY_FACTS,
            },
        ),
        200,
    )["follow_ups"]
    session = _ok(
        treater.post(
            f"/courses/{course['id']}/sessions",
            {
                "version": version(),
                "starts_at": "2027-01-05T16:00:00+01:00",
                "ends_at": "2027-01-05T18:00:00+01:00",
            },
        )
    )
    named = _ok(
        therapist.post(
            "/cases",
            {
                "received_on": "2026-11-24",
                "channel": "phone",
                "citizen": {"cpr": "1111811234", "name": "Nanna Navngiven"},
            },
        )
    )
    # Every letter goes to the failure worklist (the Digital Post seam fails): the named
    # case's receipt is on it, and the anonymous case has none to put there
    from django.utils import timezone

    from rusmiddel.letters.outbox import DigitalPostOutbox, outbox_process

    outbox_process(now=timezone.now(), outbox=DigitalPostOutbox())
    assert not Letter.objects.filter(case_id=cid).exists(), "an anonymous case got a letter"
    assert Letter.objects.filter(
        case_id=named["id"], delivery__status=DeliveryStatus.FAILED
    ).exists()
    bundle = Bundle(
        municipality,
        provider or "",
        cpr="",
        name=pseudonym,
        case_id=cid,
        number=case["number"],
        decision_id=decision["id"],
        change_decision_id=decision["id"],
        course_id=course["id"],
        residential_course_id=course["id"],
        session_id=session["id"],
        ended_course_id=ended["id"],
        # Gentofte follows up no anonymous course (it holds no identity to call)
        follow_up_id=follow_ups[0]["id"] if follow_ups else NONEXISTENT_ID,
        complaint_id=complaint["id"],
        group_id=NONEXISTENT_ID,
        letter_id=NONEXISTENT_ID,  # it has no letters
    )
    anonymous = Anonymous(bundle, (pseudonym, case["number"], born), treater, named["id"])
    # The treating side does see it, on every list: so the checks below can fail
    listed = _ok(treater.get("/cases", limit=200), 200)
    assert cid in {c["id"] for c in listed["items"]}
    due = _ok(treater.get("/due", days=3000), 200)
    assert cid in {d["case_id"] for d in due["items"]}, "the anonymous case has no deadlines"
    assert _ok(treater.get(f"/cases/{cid}/letters"), 200)["items"] == []
    return anonymous


def _reveals(anonymous: Anonymous, body) -> list[str]:
    text = json.dumps(body, ensure_ascii=False)
    found = [s for s in anonymous.secrets if s in text]
    ids = json.dumps(_without_citizen_ids(body))
    if re.search(rf'"(id|case_id|related_case_id)": {anonymous.bundle.case_id}\b', ids):
        found.append(f"case id {anonymous.bundle.case_id}")
    return found


def _without_citizen_ids(value):
    """`value` with the id of each named case's citizen block left out: a citizen's id, not a
    case's (an anonymous case has no such block)."""
    if isinstance(value, list):
        return [_without_citizen_ids(v) for v in value]
    if not isinstance(value, dict):
        return value
    return {
        k: {**v, "id": None} if k == "citizen" and isinstance(v, dict) else _without_citizen_ids(v)
        for k, v in value.items()
    }


def _reveals_in_letters(anonymous: Anonymous, body) -> list[str]:
    """As `_reveals`, for a list of letters: there an "id" is a letter's, not a case's."""
    found = [s for s in anonymous.secrets if s in json.dumps(body, ensure_ascii=False)]
    if any(item["case_id"] == anonymous.bundle.case_id for item in body.get("items", [])):
        found.append(f"case id {anonymous.bundle.case_id}")
    return found


def _all_audit_items(api) -> list[dict]:
    items, after = [], None
    while True:
        status, page = api.get("/audit", **({"after": after} if after else {}))
        assert status == 200, page
        items += page["items"]
        if not page["items"]:
            return items
        after = page["next_after"]


@pytest.mark.django_db
@pytest.mark.parametrize("municipality", ["helsingoer", "gentofte"])
@pytest.mark.parametrize("role", AUTHORITY_ROLES)
def test_an_anonymous_case_never_reveals_itself_to_the_authority(as_role, role, municipality):
    anonymous = open_anonymous(as_role, municipality)
    bundle = anonymous.bundle
    api = as_role(role, municipality)
    for endpoint in api_endpoints():
        method, path = endpoint
        call = ENDPOINT_CALLS[endpoint]  # every endpoint is tried: a new one needs a line
        before = snapshot()
        answer = request(api, method, path, bundle)
        status, body = answer
        if path == "/audit":
            # The log of the municipality may list entries about the case, but nothing that
            # says who the person is: no pseudonym, number, birth date or facts
            assert not [s for s in anonymous.secrets if s in json.dumps(body, ensure_ascii=False)]
        elif path == "/outbox/failures":
            assert not _reveals_in_letters(anonymous, body), (endpoint, body)
        else:
            assert not _reveals(anonymous, body), (endpoint, body)
        if call.where == "path":
            assert_error(answer, 404, "not_found", None)
            ghost = request(api, method, path, bundle, ident=NONEXISTENT_ID)
            real = str(ident_of(bundle, call.ident))
            assert body["error"]["message"].replace(real, "<id>") == ghost[1]["error"][
                "message"
            ].replace(str(NONEXISTENT_ID), "<id>")
            assert_unchanged(before, snapshot())
        elif endpoint == ("POST", "/cases"):
            # naming the anonymous case as the related case: as if it did not exist
            ghost = request(api, method, path, bundle, ident=NONEXISTENT_ID)
            assert status == ghost[0] and status in (403, 422), body
            if status == 422:
                assert body["error"]["field"] == ghost[1]["error"]["field"] == "related_case_id"
            assert_unchanged(before, snapshot())
        elif endpoint == ("GET", "/cases"):
            if role == "administrator":
                assert_error(answer, 403, "forbidden", None)
            else:
                ids = {c["id"] for c in body["items"]}
                assert anonymous.named_case_id in ids and bundle.case_id not in ids
        elif endpoint == ("GET", "/due"):
            if role == "administrator":
                assert_error(answer, 403, "forbidden", None)
            else:
                assert status == 200 and body["items"], body  # the named case's guarantee
                assert bundle.case_id not in {d["case_id"] for d in body["items"]}
        elif endpoint == ("GET", "/outbox/failures"):
            if role == "administrator":
                assert_error(answer, 403, "forbidden", None)
            else:  # the named case's letters are on it, nothing of the anonymous case
                assert status == 200, body
                assert anonymous.named_case_id in {i["case_id"] for i in body["items"]}
                assert bundle.case_id not in {i["case_id"] for i in body["items"]}
        elif endpoint == ("GET", "/audit"):
            if role == "caseworker":
                assert_error(answer, 403, "forbidden", None)
            else:
                assert status == 200 and body["items"], body
                assert all(set(item) == AUDIT_ITEM_KEYS for item in body["items"])
        elif endpoint in {("GET", "/waitlist"), ("GET", "/waitlist/forecast")}:
            if role == "administrator":
                assert_error(answer, 403, "forbidden", None)
            else:  # the waitlist holds named cases only; the forecast counts, names none
                assert status == 200, body
                assert bundle.case_id not in {i.get("case_id") for i in body["items"]}
        else:
            assert endpoint in {("GET", "/me"), ("POST", "/auth/token"), LOGOUT}, endpoint
            assert status == 200, body
    if role != "caseworker":
        items = _all_audit_items(api)
        assert any(i["case_id"] == bundle.case_id for i in items)  # the log is complete…
        assert all(set(item) == AUDIT_ITEM_KEYS for item in items)
        text = json.dumps(items, ensure_ascii=False)
        assert not [s for s in anonymous.secrets if s in text]  # …and tells nobody who


def _forge_failed_letter(case_id: int) -> Letter:
    """A letter on the worklist for a case, written straight to the database: the services
    never make one for an anonymous case, so this shows the reads are scoped on their own."""
    from django.utils import timezone

    case = Case.objects.get(pk=case_id)
    letter = Letter.objects.create(
        municipality_id=case.municipality_id,
        case=case,
        kind="decision",
        key=f"forged:{case_id}",
        title="Afgørelse om anonym rådgivning",
        context={"title": "Afgørelse om anonym rådgivning"},
        pdf=b"%PDF-1.7 forged",
        sha256="0" * 64,
    )
    Delivery.objects.create(
        letter=letter,
        status=DeliveryStatus.FAILED,
        attempts=1,
        next_attempt_at=timezone.now(),
        last_error="sagen har ingen navngiven borger",
    )
    return letter


@pytest.mark.django_db
@pytest.mark.parametrize("municipality", ["helsingoer", "gentofte"])
def test_a_letter_of_an_anonymous_case_never_reaches_the_authority(as_role, municipality):
    anonymous = open_anonymous(as_role, municipality)
    letter = _forge_failed_letter(anonymous.bundle.case_id)
    bundle = Bundle(**{**anonymous.bundle.__dict__, "letter_id": letter.pk})
    # The treating side sees it everywhere (so the checks below can fail)…
    treater = anonymous.treater
    assert request(treater, "GET", "/letters/{letter_id}/pdf", bundle) == (200, b"%PDF-1.7 forged")
    status, listed = request(treater, "GET", "/cases/{case_id}/letters", bundle)
    assert status == 200 and [i["id"] for i in listed["items"]] == [letter.pk]
    status, worklist = request(treater, "GET", "/outbox/failures", bundle)
    assert letter.pk in {i["id"] for i in worklist["items"]}
    # …the authority nowhere: its ids answer as ids that do not exist, the worklist skips it
    for role in AUTHORITY_ROLES:
        api = as_role(role, municipality)
        before = snapshot()
        last = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
        for method, path in (
            ("GET", "/cases/{case_id}/letters"),
            ("GET", "/letters/{letter_id}/pdf"),
            ("POST", "/letters/{letter_id}/retry"),
        ):
            answer = request(api, method, path, bundle)
            assert_error(answer, 404, "not_found", None)
            real = str(ident_of(bundle, ENDPOINT_CALLS[(method, path)].ident))
            ghost = request(api, method, path, bundle, ident=NONEXISTENT_ID)
            assert answer[1]["error"]["message"].replace(real, "<id>") == ghost[1]["error"][
                "message"
            ].replace(str(NONEXISTENT_ID), "<id>")
        status, worklist = request(api, "GET", "/outbox/failures", bundle)
        if role == "administrator":
            assert_error((status, worklist), 403, "forbidden", None)
        else:
            assert status == 200 and worklist["items"], worklist  # the named case's letters
            assert letter.pk not in {i["id"] for i in worklist["items"]}
            assert not _reveals_in_letters(anonymous, worklist)
        assert_unchanged(before, snapshot())
        assert not AuditEntry.objects.filter(
            pk__gt=last, case_id=anonymous.bundle.case_id
        ).exists(), "the authority's requests logged a read of the anonymous case"
    assert Delivery.objects.get(letter=letter).status == DeliveryStatus.FAILED


@pytest.mark.django_db
def test_the_other_municipality_sees_no_anonymous_case_either(as_role):
    anonymous = open_anonymous(as_role, "helsingoer")
    for role in ("therapist", "substance_consultant", "provider_staff", *AUTHORITY_ROLES):
        api = as_role(role, "gentofte", "kabs" if role == "provider_staff" else None)
        assert_error(api.get(f"/cases/{anonymous.bundle.case_id}"), 404, "not_found", None)
        status, page = api.get("/cases", limit=200)
        assert not _reveals(anonymous, page)


@pytest.mark.django_db
def test_an_anonymous_case_at_an_external_provider_is_seen_by_that_provider_only(as_role):
    """Gentofte: the citizen turns to KABS "uden at Gentofte Kommune får personhenførbare
    oplysninger" — not even the municipality's own treatment staff see the case."""
    kabs = as_role("provider_staff", "gentofte", "kabs")
    case = _ok(kabs.post("/cases", ANONYMOUS_BODY | {"requested_offer": "anonym_ambulant"}))
    assert kabs.get(f"/cases/{case['id']}")[0] == 200
    for role in ("therapist", "substance_consultant", *AUTHORITY_ROLES):
        api = as_role(role, "gentofte")
        assert_error(api.get(f"/cases/{case['id']}"), 404, "not_found", None)
        status, page = api.get("/cases", limit=200)
        assert status == (403 if role == "administrator" else 200), page
        assert case["id"] not in {c["id"] for c in page.get("items", [])}
    gladsaxe = as_role("provider_staff", "gentofte", "gladsaxe_rusmiddelcenter")
    assert_error(gladsaxe.get(f"/cases/{case['id']}"), 404, "not_found", None)


@pytest.mark.django_db
@pytest.mark.parametrize("municipality", ["helsingoer", "gentofte"])
def test_the_treating_side_sees_the_pseudonym_and_no_citizen_block(as_role, municipality):
    anonymous = open_anonymous(as_role, municipality)
    status, case = anonymous.treater.get(f"/cases/{anonymous.bundle.case_id}")
    assert status == 200
    assert case["anonymous"] is True and case["pseudonym"] == anonymous.bundle.name
    assert "citizen" not in case
    listed = anonymous.treater.get("/cases", limit=200)[1]["items"]
    row = next(c for c in listed if c["id"] == anonymous.bundle.case_id)
    assert "citizen" not in row and row["pseudonym"] == anonymous.bundle.name
    assert Case.objects.get(pk=anonymous.bundle.case_id).citizen_id is None


ANONYMOUS_BODY = {
    "received_on": "2026-11-24",
    "channel": "walk_in",
    "anonymous": True,
    "pseudonym": "Uglen",
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("citizen", "field"),
    [
        ({"cpr": "0702921234", "name": ""}, "citizen.cpr"),
        ({"cpr": "0702921234", "name": "Mette Jensen"}, "citizen.cpr"),
        ({"cpr": "", "name": "Mette Jensen"}, "citizen.name"),
        ({"cpr": "", "name": "", "phone": "40404040"}, "citizen.phone"),
        ({"cpr": "", "name": "", "email": "mette@example.dk"}, "citizen.email"),
        ({"cpr": "", "name": "", "address": "Strandvejen 1"}, "citizen.address"),
    ],
)
def test_an_anonymous_case_can_never_have_a_cpr_or_a_name(as_role, citizen, field):
    therapist = as_role("therapist", "helsingoer")
    before = snapshot()
    assert_error(
        therapist.post("/cases", {**ANONYMOUS_BODY, "citizen": citizen}), 422, "invalid", field
    )
    assert_unchanged(before, snapshot())
    assert not Citizen.objects.exists()


@pytest.mark.django_db
def test_the_database_refuses_a_citizen_on_an_anonymous_case(as_role):
    anonymous = open_anonymous(as_role, "helsingoer")
    citizen = Citizen.objects.first()  # the named case's
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=anonymous.bundle.case_id).update(citizen=citizen)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("facts", "field"),
    [
        ({"person": {"cpr": "0702921234"}}, "facts.person.cpr"),
        ({"person": {"name": "Mette Jensen"}}, "facts.person.name"),
        ({"identity": {"cpr": "0702921234"}}, "facts.identity"),
    ],
)
def test_facts_cannot_carry_who_the_anonymous_person_is(as_role, facts, field):
    anonymous = open_anonymous(as_role, "helsingoer")
    version = Case.objects.get(pk=anonymous.bundle.case_id).version
    before = snapshot()
    answer = anonymous.treater.post(
        f"/cases/{anonymous.bundle.case_id}/assessments",
        {"version": version, "facts": facts, "on": "2026-11-26"},
    )
    assert_error(answer, 422, "invalid", field)
    assert_unchanged(before, snapshot())


@pytest.mark.django_db
@pytest.mark.parametrize("role", AUTHORITY_ROLES)
def test_the_authority_cannot_open_an_anonymous_case(as_role, role):
    """It could never see it again (and would know who it is): refused, nothing written."""
    for municipality in ("gentofte", "helsingoer"):
        api = as_role(role, municipality)
        before = snapshot()
        assert_error(api.post("/cases", ANONYMOUS_BODY), 403, "forbidden", None)
        assert_unchanged(before, snapshot())
    assert not Case.objects.filter(anonymous=True).exists()


@pytest.mark.django_db
def test_a_named_case_cannot_point_at_an_anonymous_case(as_role):
    """A named relative's case linked to the anonymous one would tell the caseworker, who
    reads the relative's case, who the anonymous person is."""
    anonymous = open_anonymous(as_role, "helsingoer")
    before = snapshot()
    answer = anonymous.treater.post(
        "/cases",
        {
            "received_on": "2026-12-01",
            "channel": "phone",
            "contact_by": "relative",
            "person_role": "relative",
            "citizen": {"cpr": "2102901234", "name": "Rasmus Pårørende"},
            "related_case_id": anonymous.bundle.case_id,
        },
    )
    assert_error(answer, 422, "invalid", "related_case_id")
    assert_unchanged(before, snapshot())
    # An anonymous relative may point at it (the authority sees neither)
    status, relative = anonymous.treater.post(
        "/cases",
        {**ANONYMOUS_BODY, "person_role": "relative", "related_case_id": anonymous.bundle.case_id},
    )
    assert status == 201, relative
    assert relative["related_case_id"] == anonymous.bundle.case_id


@pytest.mark.django_db
def test_audit_entries_of_an_anonymous_case_keep_their_facts_out_of_the_api(as_role):
    """The log stores the facts written (new values) for the record, but GET /api/audit never
    shows them; this guards the endpoint's field list."""
    anonymous = open_anonymous(as_role, "helsingoer")
    stored = AuditEntry.objects.filter(
        case_id=anonymous.bundle.case_id, event="assessment_recorded"
    ).get()
    assert stored.new["facts"]["person"]["birth_date"] == anonymous.secrets[2]
    head = as_role("head_of_unit", "helsingoer")
    status, page = head.get("/audit", case_id=anonymous.bundle.case_id)
    assert status == 200
    assert {i["event"] for i in page["items"]} >= {"case_created", "assessment_recorded"}
    assert anonymous.secrets[2] not in json.dumps(page)
