"""A citizen's name and contact details (issue 17, item 1): opening a case never changes a
known citizen, provider staff open a named case only for a citizen already theirs, and the
details change only through `citizen_update` — at the citizen's version, by the roles allowed
to, with the old and new values in the audit log and a notice on every case of theirs."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from factories import staff
from rusmiddel.audit.models import AuditEntry
from rusmiddel.cases import services
from rusmiddel.cases.errors import Conflict, Forbidden, Invalid, NotFound
from rusmiddel.cases.models import Case, Citizen, CitizenChangeNotice
from support import TODAY

pytestmark = pytest.mark.django_db

CPR = "0702921234"
STORED = {
    "citizen_name": "Mette Jensen",
    "citizen_address": "Strandvejen 1, 2900 Hellerup",
    "citizen_phone": "12 34 56 78",
    "citizen_email": "mette@example.dk",
}


def _open(actor, cpr: str = CPR, **fields: Any) -> Case:
    return services.case_create(
        actor=actor,
        received_on=TODAY,
        channel="phone",
        citizen_cpr=cpr,
        **{"citizen_name": "Mette Jensen", **fields},
    )


def _details(citizen_id: int) -> tuple:
    return tuple(
        Citizen.objects.filter(pk=citizen_id)
        .values_list("name", "address", "phone", "email", "version")
        .get()
    )


def _state() -> dict[str, Any]:
    """What a refused change must leave as it was."""
    return {
        "citizens": list(Citizen.objects.order_by("pk").values()),
        "cases": Case.objects.count(),
        "notices": CitizenChangeNotice.objects.count(),
        "writes": AuditEntry.objects.filter(write=True).count(),
    }


# --- opening a case leaves a known citizen as it was -----------------------------------------


def test_opening_a_case_never_changes_a_known_citizen(tenants):
    caseworker = staff("caseworker")
    first = _open(caseworker, **STORED)
    before = _details(first.citizen_id)

    # another member of staff types other details for the same CPR number
    second = _open(
        staff("therapist"),
        citizen_name="Mette Hansen",
        citizen_address="Ukendt Vej 9, 2820 Gentofte",
        citizen_phone="99 99 99 99",
        citizen_email="anden@example.dk",
        note="Ringede selv.",
    )

    assert second.citizen_id == first.citizen_id
    assert _details(first.citizen_id) == before  # name, address, phone, e-mail and version
    # …the details given are kept on the new contact for a caseworker to check
    note = second.contacts.get().note
    assert note.startswith("Ringede selv.\n\nOplyst ved henvendelsen (ikke gemt på borgeren")
    for shown in (
        "Navn: Mette Hansen",
        "Adresse: Ukendt Vej 9, 2820 Gentofte",
        "Telefon: 99 99 99 99",
        "E-mail: anden@example.dk",
    ):
        assert shown in note
    entry = AuditEntry.objects.get(event="case_created", case_id=second.pk)
    assert entry.new["not_stored"] == ["address", "email", "name", "phone"]


def test_blank_details_never_erase_stored_ones(tenants):
    caseworker = staff("caseworker")
    first = _open(caseworker, **STORED)
    before = _details(first.citizen_id)

    second = _open(caseworker, citizen_phone="", citizen_email=" ", citizen_address="", note="Igen")

    assert _details(first.citizen_id) == before
    assert second.contacts.get().note == "Igen"  # nothing differs: nothing to tell
    assert "not_stored" not in AuditEntry.objects.get(event="case_created", case_id=second.pk).new


def test_a_new_citizen_is_made_from_the_details_given(tenants):
    case = _open(staff("caseworker"), **{**STORED, "citizen_name": "  Mette Jensen "})
    assert _details(case.citizen_id) == (
        "Mette Jensen",
        "Strandvejen 1, 2900 Hellerup",
        "12 34 56 78",
        "mette@example.dk",
        1,
    )
    assert case.contacts.get().note == ""


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"citizen_email": "ikke-en-adresse"}, "citizen.email"),
        ({"citizen_phone": "1" * 31}, "citizen.phone"),
        ({"citizen_address": "x" * 301}, "citizen.address"),
        ({"citizen_name": "x" * 201}, "citizen.name"),
    ],
)
def test_bad_details_at_intake_are_named_and_nothing_is_written(tenants, fields, field):
    caseworker = staff("caseworker")
    before = _state()
    with pytest.raises(Invalid) as caught:
        _open(caseworker, **fields)
    assert caught.value.field == field
    assert _state() == before


# --- provider staff: a named case only for a citizen already theirs --------------------------


def test_provider_staff_open_a_named_case_only_for_a_citizen_already_theirs(tenants):
    caseworker = staff("caseworker")
    theirs = _open(caseworker, provider="kabs", **STORED)
    elsewhere = _open(caseworker, cpr="1503851234", provider="gladsaxe_rusmiddelcenter")
    kabs = staff("provider_staff", "gentofte", "kabs")

    # someone known elsewhere and someone unknown get the same answer: it tells nothing
    messages = set()
    for cpr in (elsewhere.citizen.cpr, "2102901234"):
        before = _state()
        with pytest.raises(Forbidden) as caught:
            _open(kabs, cpr=cpr, citizen_name="Gæt Gætesen", citizen_address="Gættevej 1")
        messages.add(caught.value.message)
        assert _state() == before
    assert len(messages) == 1
    assert "allerede har en sag henvist til jer" in messages.pop()

    # …a citizen they treat: a new case, referred to them, the citizen as it was
    again = _open(kabs, citizen_name="Mette Hansen", citizen_phone="99 99 99 99")
    assert (again.citizen_id, again.provider.slug) == (theirs.citizen_id, "kabs")
    assert _details(theirs.citizen_id)[:4] == (
        "Mette Jensen",
        "Strandvejen 1, 2900 Hellerup",
        "12 34 56 78",
        "mette@example.dk",
    )
    # …and anonymous walk-ins (SEL § 101 a) as before
    anonymous = services.case_create(
        actor=kabs,
        received_on=TODAY,
        channel="walk_in",
        anonymous=True,
        pseudonym="Ravn",
        requested_offer="anonym_ambulant",
    )
    assert (anonymous.citizen_id, anonymous.provider.slug) == (None, "kabs")


# --- changing a citizen's details: citizen_update --------------------------------------------


def _two_cases(actor) -> tuple[Case, Case]:
    first = _open(actor, **STORED)
    return first, _open(actor, requested_offer="ambulant")


def test_a_change_is_noticed_on_every_case_and_audited_with_old_and_new(tenants):
    caseworker = staff("caseworker")
    first, second = _two_cases(caseworker)
    versions = {c.pk: Case.objects.get(pk=c.pk).version for c in (first, second)}

    citizen = services.citizen_update(
        actor=caseworker,
        citizen_id=first.citizen_id,
        version=1,
        address="  Nyvej 2, 2820 Gentofte ",
        phone="",  # erased on purpose
        email="mette@example.dk",  # as it was: not a change
    )

    assert _details(citizen.pk) == (
        "Mette Jensen",
        "Nyvej 2, 2820 Gentofte",
        "",
        "mette@example.dk",
        2,
    )
    changes = {
        "address": {"old": "Strandvejen 1, 2900 Hellerup", "new": "Nyvej 2, 2820 Gentofte"},
        "phone": {"old": "12 34 56 78", "new": ""},
    }
    for case in (first, second):
        notice = CitizenChangeNotice.objects.get(case=case)
        assert (notice.changes, notice.changed_by_id) == (changes, caseworker.pk)
        entry = AuditEntry.objects.get(event="citizen_changed", case_id=case.pk)
        assert (entry.write, entry.object_type, entry.object_id) == (True, "Citizen", citizen.pk)
        assert (entry.actor_id, entry.role) == (caseworker.pk, "caseworker")
        assert entry.old == {"address": "Strandvejen 1, 2900 Hellerup", "phone": "12 34 56 78"}
        assert entry.new == {"address": "Nyvej 2, 2820 Gentofte", "phone": ""}
        # the cases' own versions are not the citizen's: work on them goes on undisturbed
        assert Case.objects.get(pk=case.pk).version == versions[case.pk]


def test_a_stale_version_is_refused_and_changes_nothing(tenants):
    caseworker = staff("caseworker")
    first, _ = _two_cases(caseworker)
    services.citizen_update(
        actor=caseworker, citizen_id=first.citizen_id, version=1, phone="11 11 11 11"
    )
    before = _state()

    with pytest.raises(Conflict) as caught:
        services.citizen_update(
            actor=staff("therapist"), citizen_id=first.citizen_id, version=1, address="Gl. Vej"
        )

    assert caught.value.field == "version"
    assert _state() == before


def test_nothing_that_differs_writes_nothing(tenants):
    caseworker = staff("caseworker")
    first, _ = _two_cases(caseworker)
    before = _state()
    citizen = services.citizen_update(
        actor=caseworker, citizen_id=first.citizen_id, version=1, name=" Mette Jensen "
    )
    assert citizen.version == 1
    assert _state() == before


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "   "}, "name"),
        ({"email": "ikke-en-adresse"}, "email"),
        ({"phone": "1" * 31}, "phone"),
        ({"address": "x" * 301}, "address"),
        ({"name": "x" * 201}, "name"),
    ],
)
def test_bad_details_are_refused_naming_the_field(tenants, fields, field):
    caseworker = staff("caseworker")
    first, _ = _two_cases(caseworker)
    before = _state()
    with pytest.raises(Invalid) as caught:
        services.citizen_update(actor=caseworker, citizen_id=first.citizen_id, version=1, **fields)
    assert caught.value.field == field
    assert _state() == before


@pytest.mark.parametrize(
    ("role", "municipality", "provider", "error"),
    [
        ("caseworker", "helsingoer", None, NotFound),  # another municipality's citizen
        ("head_of_unit", "helsingoer", None, NotFound),
        ("administrator", "gentofte", None, NotFound),  # reads no case
        ("provider_staff", "gentofte", "gladsaxe_rusmiddelcenter", NotFound),  # not theirs
        ("provider_staff", "gentofte", "kabs", Forbidden),  # sees the case, may not change
        ("substance_consultant", "gentofte", None, Forbidden),
    ],
)
def test_who_may_not_change_a_citizen_changes_nothing(tenants, role, municipality, provider, error):
    case = _open(staff("caseworker"), provider="kabs", **STORED)
    before = _state()
    with pytest.raises(error):
        services.citizen_update(
            actor=staff(role, municipality, provider),
            citizen_id=case.citizen_id,
            version=1,
            address="Falsk Vej 1",
        )
    assert _state() == before


@pytest.mark.parametrize("role", ["caseworker", "therapist", "head_of_unit"])
def test_the_municipalitys_staff_who_run_named_cases_may_change_a_citizen(tenants, role):
    case = _open(staff("caseworker"), **STORED)
    citizen = services.citizen_update(
        actor=staff(role), citizen_id=case.citizen_id, version=1, email="ny@example.dk"
    )
    assert (citizen.email, citizen.version) == ("ny@example.dk", 2)


def test_the_case_page_shows_the_notice(tenants, client):
    caseworker = staff("caseworker")
    first, second = _two_cases(caseworker)
    services.citizen_update(
        actor=caseworker, citizen_id=first.citizen_id, version=1, address="Nyvej 2"
    )
    client.force_login(staff("therapist"))
    for case in (first, second):
        page = client.get(f"/sager/{case.pk}/").content.decode()
        assert "Borgerens oplysninger ændret" in page
        assert "Adresse: Strandvejen 1, 2900 Hellerup → Nyvej 2" in page


# --- concurrent writers (PostgreSQL: row locks) -----------------------------------------------

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs it)"
)
WRITERS = 6


def _race(work: Callable[[int], Any]) -> list[Any]:
    """Run `work(n)` in WRITERS threads started together; each one's result or exception."""
    start, lock, outcomes = threading.Barrier(WRITERS), threading.Lock(), []

    def run(n: int) -> None:
        try:
            start.wait()
            result = work(n)
        except Exception as exc:  # Conflict, or anything else: the outcome to compare
            result = exc
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_changes_one_wins_the_rest_conflict(tenants):
    caseworker = staff("caseworker")
    case = _open(caseworker, **STORED)
    outcomes = _race(
        lambda n: services.citizen_update(
            actor=caseworker, citizen_id=case.citizen_id, version=1, address=f"Vej {n}"
        )
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["Citizen"] + ["Conflict"] * (WRITERS - 1)
    [won] = [o for o in outcomes if isinstance(o, Citizen)]
    assert _details(case.citizen_id)[1:] == (won.address, "12 34 56 78", "mette@example.dk", 2)
    assert CitizenChangeNotice.objects.filter(case=case).count() == 1
    assert AuditEntry.objects.filter(event="citizen_changed").count() == 1


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_intakes_of_a_new_person_make_one_citizen_changed_by_none(tenants):
    actors = [staff("caseworker") for _ in range(WRITERS)]
    outcomes = _race(
        lambda n: _open(actors[n], citizen_name=f"Navn {n}", citizen_phone=f"{n}0 00 00 00")
    )
    assert all(isinstance(o, Case) for o in outcomes), outcomes
    [citizen] = Citizen.objects.all()
    assert {o.citizen_id for o in outcomes} == {citizen.pk}
    first = citizen.name.removeprefix("Navn ")  # whoever came first made it, the rest left it
    assert (citizen.phone, citizen.version) == (f"{first}0 00 00 00", 1)
    notes = [c.contacts.get().note for c in outcomes]
    assert sum(note == "" for note in notes) == 1  # the maker's contact has nothing to tell
