"""Ny henvendelse (issue 19, item 1): staff register a phone call, a walk-in or a referral and
so open a case, or add the contact to one of the citizen's open cases, found by CPR number
(scoped to what the user may see, each case found logged as read); the treatment guarantee
starts as the standard says, and the user lands on the case. What was typed stays on every
error. The services' own rules hold: a known citizen is never changed, provider staff open a
named case only for a citizen of theirs, only treatment roles register anonymous contacts.

Dates are relative to `timezone.localdate()`: the form refuses a day after today.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from factories import staff
from rusmiddel import rules
from rusmiddel.audit.models import AuditEntry, Event
from rusmiddel.cases import services
from rusmiddel.cases.models import Case, Citizen, Contact, DeadlineKind
from rusmiddel.standards import registry

pytestmark = pytest.mark.django_db

URL = "/sager/ny/"
CPR = "0702921234"  # 7 February 1992
#: measured: 4 (session, user, staff profile, the municipality: the standard's offers come
#: from the registry's cache)
MAX_FORM_QUERIES = 4


def today() -> dt.date:
    return timezone.localdate()


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form(**changes) -> dict[str, str]:
    """The form as a caseworker sends it for a phone call from a GP's patient."""
    data = {
        "cpr": "070292-1234",
        "name": "Mette Jensen",
        "address": "Strandvejen 1, 2900 Hellerup",
        "phone": "22 33 44 55",
        "email": "mette@example.dk",
        "person_role": "user",
        "received_on": today().isoformat(),
        "channel": "phone",
        "contact_by": "professional",
        "referrer": "Lægehuset Strandvejen",
        "wishes_treatment": "ja",
        "requested_offer": "ambulant",
        "note": "Egen læge ringer; borgeren ønsker ambulant behandling.",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def open_case(actor, cpr: str = CPR, name: str = "Mette Jensen", **kw) -> Case:
    return services.case_create(
        actor=actor,
        received_on=today() - dt.timedelta(days=3),
        channel="digital_post",
        citizen_cpr=cpr,
        citizen_name=name,
        **kw,
    )


def text(response) -> str:
    return response.content.decode()


# --- the way in -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "provider", "may"),
    [
        ("caseworker", None, True),
        ("therapist", None, True),
        ("substance_consultant", None, True),
        ("provider_staff", "kabs", True),
        ("head_of_unit", None, False),  # reads cases, opens none
    ],
)
def test_mine_sager_links_to_ny_henvendelse_for_those_who_open_cases(tenants, role, provider, may):
    client = client_for(staff(role, "gentofte", provider))
    page = text(client.get("/sager/"))
    assert (f'href="{URL}"' in page) == may
    assert client.get(URL).status_code == (200 if may else 403)


def test_the_form_starts_with_today_a_phone_call_and_the_standards_offers(tenants):
    page = text(client_for(staff("caseworker")).get(URL))
    assert f'value="{today().isoformat()}"' in page
    assert f'max="{today().isoformat()}"' in page
    assert 'name="channel" value="phone" class="form-radio" id="id_channel_0" required checked' in (
        page
    )
    assert 'name="wishes_treatment" value="ja" class="form-radio"' in page
    assert '<option value="ambulant">Ambulant behandling</option>' in page
    assert 'value="self_service"' not in page  # the citizen's own form is not a staff channel
    # the authority never registers an anonymous contact (SEL § 101 a)
    assert "Anonym (SEL § 101 a)" not in page and 'name="pseudonym"' not in page


def test_a_treatment_role_may_register_an_anonymous_contact(tenants):
    page = text(client_for(staff("therapist", "helsingoer")).get(URL))
    assert "Anonym (SEL § 101 a)" in page and 'name="pseudonym"' in page


def test_the_form_page_makes_a_fixed_number_of_queries(tenants):
    client = client_for(staff("caseworker"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    assert len(queries) <= MAX_FORM_QUERIES, [q["sql"] for q in queries.captured_queries]


# --- a new case -----------------------------------------------------------------------------


def test_a_phone_call_opens_a_case_with_the_guarantee_and_lands_on_it(tenants):
    caseworker = staff("caseworker")
    client = client_for(caseworker)

    response = client.post(URL, form())

    case = Case.objects.get(citizen__cpr=CPR)
    assert response.status_code == 302
    assert response["Location"] == f"/sager/{case.pk}/"
    contact = case.contacts.get()
    assert (contact.channel, contact.contact_by, contact.referrer) == (
        "phone",
        "professional",
        "Lægehuset Strandvejen",
    )
    assert contact.received_on == today() and contact.requested_offer == "ambulant"
    assert contact.recorded_by == caseworker
    assert case.caseworker == caseworker  # a caseworker's own intake is theirs
    citizen = case.citizen
    assert (citizen.name, citizen.phone, citizen.email) == (
        "Mette Jensen",
        "22 33 44 55",
        "mette@example.dk",
    )
    # the guarantee as the standard says (Gentofte: 14 days for ambulant treatment)
    standard = registry.load("gentofte", today()).standard
    due = rules.treatment_guarantee(standard, today(), standard.offer("ambulant"))
    assert due is not None and contact.guarantee_due == due
    assert case.deadlines.filter(kind=DeadlineKind.TREATMENT_GUARANTEE, due_on=due).exists()
    # …and the case page says so
    page = text(client.get(response["Location"]))
    assert f"Sag {case.number} er oprettet med henvendelsen." in page
    assert f"behandlingen skal være i gang senest {due:%d.%m.%Y}" in page
    assert "Henvist af: Lægehuset Strandvejen." in page
    assert AuditEntry.objects.filter(event=Event.CASE_CREATED, case_id=case.pk).count() == 1


def test_no_wish_for_treatment_starts_no_guarantee(tenants):
    client = client_for(staff("caseworker"))
    response = client.post(URL, form(wishes_treatment="nej"))
    case = Case.objects.get(citizen__cpr=CPR)
    assert case.contacts.get().guarantee_due is None
    assert not case.deadlines.filter(kind=DeadlineKind.TREATMENT_GUARANTEE).exists()
    page = text(client.get(response["Location"]))
    assert "Ingen behandlingsgaranti: Henvendelsen indeholder ikke et ønske om behandling." in page


# --- errors keep what was typed -------------------------------------------------------------


def _kept(page: str, data: dict[str, str]) -> None:
    for name in ("name", "address", "phone", "email", "referrer"):
        assert f'value="{data[name]}"' in page, name
    assert data["note"] in page
    assert '<option value="ambulant" selected>' in page


@pytest.mark.parametrize(
    ("cpr", "message"),
    [
        ("3102921234", "CPR-nummeret &#x27;3102921234&#x27; er ikke gyldigt"),  # 31 February
        ("12345", "CPR-nummeret &#x27;12345&#x27; er ikke gyldigt"),
        ("", "Skriv borgerens CPR-nummer."),
    ],
)
def test_an_invalid_cpr_number_is_named_and_the_form_keeps_what_was_typed(tenants, cpr, message):
    client = client_for(staff("caseworker"))
    data = form(cpr=cpr)
    response = client.post(URL, data)
    page = text(response)
    assert response.status_code == 422
    assert message in page
    assert 'id="id_cpr_error"' in page and 'aria-invalid="true"' in page
    assert f'name="cpr" value="{cpr}"' in page if cpr else 'name="cpr"' in page
    _kept(page, data)
    assert not Case.objects.exists() and not Citizen.objects.exists()


def test_a_received_date_after_today_is_refused_naming_the_field(tenants):
    client = client_for(staff("caseworker"))
    tomorrow = today() + dt.timedelta(days=1)
    data = form(received_on=tomorrow.isoformat())
    response = client.post(URL, data)
    page = text(response)
    assert response.status_code == 422
    assert f"“Modtaget den” kan ikke ligge efter i dag ({today():%d.%m.%Y})." in page
    assert f'value="{tomorrow.isoformat()}"' in page
    _kept(page, data)
    assert not Case.objects.exists()


@pytest.mark.parametrize("day", ["1899-12-31", "0001-01-01"])
def test_a_received_date_before_1900_is_refused_naming_the_field(tenants, day):
    response = client_for(staff("caseworker")).post(URL, form(received_on=day))
    assert response.status_code == 422
    assert "“Modtaget den” kan ikke ligge før 1900." in text(response)
    assert not Case.objects.exists()


def test_a_date_that_is_not_one_is_told_in_danish(tenants):
    response = client_for(staff("caseworker")).post(URL, form(received_on="30.02.2026"))
    assert response.status_code == 422
    assert "Datoen er ikke gyldig – skriv den som dd.mm.åååå." in text(response)


def test_a_new_citizen_needs_a_name(tenants):
    response = client_for(staff("caseworker")).post(URL, form(name=""))
    assert response.status_code == 422
    assert "Skriv borgerens navn." in text(response)
    assert not Case.objects.exists()


# --- the citizen's open cases ---------------------------------------------------------------


def test_open_cases_of_the_cpr_are_shown_and_their_reading_logged_before_anything_is_written(
    tenants,
):
    therapist, caseworker = staff("therapist"), staff("caseworker")
    existing = open_case(therapist)
    ended_elsewhere = open_case(therapist, cpr="0101801234", name="Anden Borger")
    client = client_for(caseworker)
    last = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    contacts = Contact.objects.count()

    response = client.post(URL, form())

    page = text(response)
    assert response.status_code == 200  # a question, not an error
    assert "Borgeren har allerede 1 åben sag" in page
    assert f'href="/sager/{existing.pk}/">{existing.number}</a>' in page
    assert ended_elsewhere.number not in page
    assert f'value="{existing.pk}.{existing.version}"' in page
    assert "Opret en ny sag" in page
    _kept(page, form())
    assert Contact.objects.count() == contacts and Case.objects.count() == 2
    reads = AuditEntry.objects.filter(pk__gt=last, event=Event.CASE_LIST, write=False)
    assert list(reads.values_list("case_id", "actor_id", "why")) == [
        (existing.pk, caseworker.pk, "henvendelse: CPR-opslag")
    ]
    assert not AuditEntry.objects.filter(pk__gt=last, write=True).exists()


def test_the_contact_is_added_to_the_chosen_open_case(tenants):
    therapist, caseworker = staff("therapist"), staff("caseworker")
    existing = open_case(therapist)
    client = client_for(caseworker)

    response = client.post(URL, form(target=f"{existing.pk}.{existing.version}"))

    assert response.status_code == 302 and response["Location"] == f"/sager/{existing.pk}/"
    existing.refresh_from_db()
    assert existing.contacts.count() == 2 and existing.version == 2
    contact = existing.contacts.latest("pk")
    assert contact.referrer == "Lægehuset Strandvejen" and contact.recorded_by == caseworker
    assert Case.objects.count() == 1
    page = text(client.get(response["Location"]))
    assert f"Henvendelsen er tilføjet sag {existing.number}." in page


def test_a_new_case_for_a_known_citizen_never_changes_the_citizen(tenants):
    therapist = staff("therapist")
    existing = open_case(therapist, name="Mette Jensen")
    citizen = existing.citizen
    client = client_for(staff("caseworker"))

    response = client.post(URL, form(target="ny", name="Mette Hansen", phone="99 99 99 99"))

    new = Case.objects.exclude(pk=existing.pk).get()
    assert response["Location"] == f"/sager/{new.pk}/"
    assert new.citizen_id == citizen.pk
    citizen.refresh_from_db()
    assert (citizen.name, citizen.phone, citizen.version) == ("Mette Jensen", "", 1)
    note = new.contacts.get().note
    assert "Navn: Mette Hansen" in note and "Telefon: 99 99 99 99" in note  # for a caseworker


def test_a_known_citizens_name_may_be_left_out(tenants):
    existing = open_case(staff("therapist"), name="Mette Jensen")
    client = client_for(staff("caseworker"))
    response = client.post(URL, form(name="", address="", phone="", email="", target="ny"))
    new = Case.objects.exclude(pk=existing.pk).get()
    assert response.status_code == 302 and new.citizen_id == existing.citizen_id
    assert "ikke gemt" not in new.contacts.get().note


def test_a_case_changed_since_it_was_shown_is_asked_for_again(tenants):
    therapist = staff("therapist")
    existing = open_case(therapist)
    seen = existing.version
    services.contact_record(
        actor=therapist,
        case_id=existing.pk,
        version=seen,
        received_on=today(),
        channel="phone",
    )
    contacts = Contact.objects.count()
    response = client_for(staff("caseworker")).post(URL, form(target=f"{existing.pk}.{seen}"))
    page = text(response)
    assert response.status_code == 422
    assert "Sagen er ændret af en anden siden. Vælg igen." in page
    assert f'value="{existing.pk}.{seen + 1}"' in page
    assert Contact.objects.count() == contacts


def test_a_target_that_was_never_offered_is_refused(tenants):
    other = open_case(staff("therapist"), cpr="0101801234", name="Anden Borger")
    open_case(staff("therapist"))
    contacts = Contact.objects.count()
    response = client_for(staff("caseworker")).post(URL, form(target=f"{other.pk}.{other.version}"))
    assert response.status_code == 422
    assert "Vælg en af borgerens sager eller en ny sag." in text(response)
    assert Contact.objects.count() == contacts


# --- scoping --------------------------------------------------------------------------------


def test_provider_staff_find_only_their_own_cases_and_open_none_for_someone_elses_citizen(
    tenants,
):
    """A citizen known at Gladsaxe is not shown to KABS's staff, and KABS cannot open a named
    case for them: the same answer as for someone unknown, on the CPR field, input kept."""
    open_case(staff("therapist"), provider="gladsaxe_rusmiddelcenter")
    kabs = staff("provider_staff", "gentofte", "kabs")
    last = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    before = Case.objects.count()

    response = client_for(kabs).post(URL, form())

    page = text(response)
    assert response.status_code == 422
    assert "kun oprette en sag med navn for en borger, der allerede har en sag henvist til jer" in (
        page
    )
    assert 'id="borgerens-sager"' not in page and "Mette Jensen" in page  # what was typed
    assert Case.objects.count() == before
    assert not AuditEntry.objects.filter(pk__gt=last).exists()  # nothing found, nothing read


def test_provider_staff_add_a_contact_to_a_case_referred_to_them(tenants):
    theirs = open_case(staff("therapist"), provider="kabs")
    client = client_for(staff("provider_staff", "gentofte", "kabs"))
    asked = client.post(URL, form())
    assert asked.status_code == 200 and theirs.number in text(asked)
    response = client.post(URL, form(target=f"{theirs.pk}.{theirs.version}"))
    assert response["Location"] == f"/sager/{theirs.pk}/"
    assert theirs.contacts.count() == 2


def test_a_caseworker_is_not_shown_an_anonymous_case(tenants):
    """An anonymous case has no CPR number: nothing to find, for anyone."""
    services.case_create(
        actor=staff("therapist"),
        received_on=today(),
        channel="walk_in",
        anonymous=True,
        pseudonym="Kim",
    )
    response = client_for(staff("caseworker")).post(URL, form())
    assert response.status_code == 302  # straight to a new named case


# --- anonymous ------------------------------------------------------------------------------


def test_a_therapist_registers_an_anonymous_walk_in_without_a_guarantee(tenants):
    therapist = staff("therapist", "helsingoer")
    data = form(
        identity="anonymous",
        cpr="",
        name="",
        address="",
        phone="",
        email="",
        pseudonym="Kim",
        channel="walk_in",
        contact_by="citizen",
        referrer="",
        requested_offer="anonym_raadgivning",
    )
    response = client_for(therapist).post(URL, data)
    case = Case.objects.get()
    assert response["Location"] == f"/sager/{case.pk}/"
    assert case.anonymous and case.pseudonym == "Kim" and case.citizen_id is None
    assert case.contacts.get().guarantee_due is None


def test_an_anonymous_contact_with_a_cpr_number_is_refused_on_the_field(tenants):
    data = form(identity="anonymous", pseudonym="Kim")
    response = client_for(staff("therapist", "helsingoer")).post(URL, data)
    page = text(response)
    assert response.status_code == 422
    assert "En anonym henvendelse har hverken CPR-nummer, navn eller kontaktoplysninger." in page
    assert 'id="id_cpr_error"' in page and 'value="Kim"' in page
    assert not Case.objects.exists()


def test_an_authority_role_cannot_send_an_anonymous_contact(tenants):
    """The caseworker's form has no such choice; sent anyway, it is a named contact."""
    data = form(identity="anonymous", pseudonym="Kim")
    client_for(staff("caseworker")).post(URL, data)
    assert not Case.objects.filter(anonymous=True).exists()
    assert Case.objects.get().citizen.cpr == CPR
