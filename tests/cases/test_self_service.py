"""The citizen's own way in (`self_service_apply`): a named application starts the treatment
guarantee with no staff actor; an anonymous self-referral (SEL § 101 a) holds no CPR or name,
has no guarantee and is referred to a provider of the anonymous offer, whose staff see it
and the authority does not."""

from __future__ import annotations

import datetime as dt

import pytest

from rusmiddel.audit.models import AuditEntry
from rusmiddel.cases.errors import Invalid
from rusmiddel.cases.models import Case, Citizen, Contact, Deadline
from rusmiddel.cases.services import SERVICES, self_service_apply
from rusmiddel.letters.models import Letter

RECEIVED = dt.date(2026, 11, 24)  # a Tuesday; the guarantee is due 14 days later
CPR = "0702921234"  # 7 February 1992 (no modulus 11: valid since 2007)

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Case, Citizen, Contact, Deadline, AuditEntry, Letter)
    }


def _named(**overrides):
    fields = {
        "municipality": "gentofte",
        "received_on": RECEIVED,
        "anonymous": False,
        "name": "Mette Jensen",
        "cpr": CPR,
        "phone": "12 34 56 78",
        "email": "mette@example.dk",
        "address": "Bernstorffsvej 1, 2900 Hellerup",
        "consent": True,
        "note": "Jeg vil gerne stoppe med kokain.",
    }
    return self_service_apply(**{**fields, **overrides})


def _anonymous(municipality: str, offer: str, **overrides):
    fields = {
        "municipality": municipality,
        "received_on": RECEIVED,
        "anonymous": True,
        "pseudonym": "Kim",
        "requested_offer": offer,
        "consent": False,
    }
    return self_service_apply(**{**fields, **overrides})


def test_the_service_is_listed_with_the_others():
    assert SERVICES["self_service_apply"] is self_service_apply


def test_a_named_application_starts_the_guarantee_without_a_staff_actor(tenants):
    case = _named(requested_offer="ambulant")

    assert case.number.startswith("GENTOFTE-2026-")
    assert (case.anonymous, case.caseworker_id, case.provider_id) == (False, None, None)
    assert (case.citizen.cpr, case.citizen.name) == (CPR, "Mette Jensen")
    assert case.citizen.birth_date == dt.date(1992, 2, 7)
    assert case.citizen.email == "mette@example.dk"
    contact = case.contacts.get()
    assert (contact.channel, contact.contact_by, contact.recorded_by_id) == (
        "self_service",
        "citizen",
        None,
    )
    assert contact.requested_offer == "ambulant"
    assert contact.wishes_treatment
    assert contact.guarantee_due == RECEIVED + dt.timedelta(days=14)
    assert contact.note == "Jeg vil gerne stoppe med kokain."
    deadline = Deadline.objects.get(case=case)
    assert (deadline.kind, deadline.due_on) == ("treatment_guarantee", contact.guarantee_due)

    entry = AuditEntry.objects.get(event="case_created", case_id=case.pk)
    assert (entry.actor_id, entry.actor, entry.role) == (None, "system", "")
    assert (entry.write, entry.why) == (True, "selvbetjening")
    assert (entry.object_type, entry.object_id) == ("Case", case.pk)
    assert entry.municipality_id == case.municipality_id
    assert entry.new["consent"] is True and entry.new["channel"] == "self_service"
    # the receipt letter, as for any contact with a wish for treatment
    letter = Letter.objects.get(case=case)
    assert (letter.kind, letter.created_by_id) == ("contact_receipt", None)


def test_without_an_offer_the_wish_for_treatment_still_starts_the_guarantee(tenants):
    case = _named(municipality="helsingoer")
    contact = case.contacts.get()
    assert contact.requested_offer == ""
    assert contact.guarantee_due == RECEIVED + dt.timedelta(days=14)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"cpr": "3102921234"}, "cpr"),  # 31 February
        ({"cpr": "07029212"}, "cpr"),
        ({"name": "  "}, "name"),
        ({"consent": False}, "consent"),
        ({"requested_offer": "no_such_offer"}, "requested_offer"),
        ({"requested_offer": "anonym_ambulant"}, "requested_offer"),  # anonymous: other form
        ({"requested_offer": "raadgivning"}, "requested_offer"),  # anonymous and no treatment
        ({"email": "ikke-en-adresse"}, "email"),
        ({"provider": "kabs"}, "provider"),  # the municipality refers, not the applicant
        ({"municipality": "atlantis"}, "municipality"),
        ({"name": "x" * 201}, "name"),
    ],
)
def test_a_named_application_that_breaks_a_rule_names_the_field_and_writes_nothing(
    tenants, overrides, field
):
    before = _counts()
    with pytest.raises(Invalid) as caught:
        _named(**overrides)
    assert caught.value.field == field
    assert _counts() == before


def test_typed_details_never_overwrite_a_known_citizen(tenants):
    """Nobody is logged in: the typed name and contact data of a known CPR number go into the
    contact's note for the caseworker to check, not onto the citizen."""
    first = _named()
    second = _named(name="Ukendt Person", phone="99 99 99 99", email="", note="")
    assert second.citizen_id == first.citizen_id
    citizen = Citizen.objects.get(pk=first.citizen_id)
    assert (citizen.name, citizen.phone) == ("Mette Jensen", "12 34 56 78")
    note = second.contacts.get().note
    assert "Navn: Ukendt Person" in note and "Telefon: 99 99 99 99" in note
    assert "E-mail" not in note  # left empty: nothing to tell
    assert _named(note="Igen").contacts.get().note == "Igen"  # same details: nothing added


def test_an_anonymous_self_referral_to_helsingoers_group(tenants, as_role):
    case = _anonymous("helsingoer", "anonym_gruppe")

    assert case.number.startswith("HELSINGOER-A-2026-")
    assert (case.anonymous, case.pseudonym, case.citizen_id) == (True, "Kim", None)
    assert case.provider.slug == "helsingoer_rusmiddelcenter"
    assert case.caseworker_id is None
    contact = case.contacts.get()
    assert (contact.channel, contact.recorded_by_id) == ("self_service", None)
    assert contact.guarantee_due is None
    assert "SEL § 101 a" in contact.guarantee_basis
    assert not Deadline.objects.filter(case=case).exists()
    assert not Letter.objects.filter(case=case).exists()  # nobody to write to
    entry = AuditEntry.objects.get(event="case_created", case_id=case.pk)
    assert (entry.actor, entry.why, entry.municipality_id) == (
        "system",
        "selvbetjening",
        case.municipality_id,
    )
    assert "Kim" not in str(entry.new)

    # the municipality's own centre treats it: its therapists see it, the authority does not
    assert as_role("therapist", "helsingoer").get(f"/cases/{case.pk}")[0] == 200
    assert as_role("caseworker", "helsingoer").get(f"/cases/{case.pk}")[0] == 404


@pytest.mark.parametrize(
    ("provider", "slug"),
    [(None, "kabs"), ("kabs", "kabs"), ("gladsaxe_rusmiddelcenter", "gladsaxe_rusmiddelcenter")],
)
def test_gentoftes_anonymous_treatment_goes_to_the_provider_chosen(
    tenants, as_role, provider, slug
):
    case = _anonymous("gentofte", "anonym_ambulant", provider=provider)
    assert case.provider.slug == slug
    assert case.contacts.get().guarantee_due is None

    assert as_role("provider_staff", "gentofte", slug).get(f"/cases/{case.pk}")[0] == 200
    other = "kabs" if slug != "kabs" else "gladsaxe_rusmiddelcenter"
    assert as_role("provider_staff", "gentofte", other).get(f"/cases/{case.pk}")[0] == 404
    for role in ("caseworker", "head_of_unit"):
        assert as_role(role, "gentofte").get(f"/cases/{case.pk}")[0] == 404
    status, page = as_role("caseworker", "gentofte").get("/cases")
    assert case.pk not in [c["id"] for c in page["items"]]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"requested_offer": "ambulant"}, "requested_offer"),  # not anonymous
        ({"requested_offer": "no_such_offer"}, "requested_offer"),
        ({"requested_offer": ""}, "requested_offer"),
        ({"provider": "gentofte_rusmiddelkonsulent"}, "provider"),  # not one of the offer's
        ({"provider": "privat_leverandoer"}, "provider"),
        ({"pseudonym": " "}, "pseudonym"),
        ({"cpr": CPR}, "cpr"),
        ({"name": "Mette Jensen"}, "name"),
        ({"phone": "12345678"}, "phone"),
        ({"email": "a@b.dk"}, "email"),
        ({"address": "Vej 1"}, "address"),
        ({"pseudonym": "x" * 61}, "pseudonym"),
    ],
)
def test_an_anonymous_self_referral_that_breaks_a_rule_names_the_field_and_writes_nothing(
    tenants, overrides, field
):
    before = _counts()
    with pytest.raises(Invalid) as caught:
        _anonymous("gentofte", "anonym_ambulant", **overrides)
    assert caught.value.field == field
    assert _counts() == before


def test_a_provider_in_the_standard_but_not_synced_is_refused(tenants):
    from rusmiddel.accounts.models import Provider

    Provider.objects.filter(slug="gladsaxe_rusmiddelcenter").delete()
    with pytest.raises(Invalid) as caught:
        _anonymous("gentofte", "anonym_ambulant", provider="gladsaxe_rusmiddelcenter")
    assert caught.value.field == "provider"


def test_anonymous_counselling_is_no_wish_for_treatment(tenants):
    case = _anonymous("gentofte", "raadgivning")
    contact = case.contacts.get()
    assert case.provider.slug == "gentofte_rusmiddelkonsulent"
    assert (contact.wishes_treatment, contact.guarantee_due) == (False, None)
