"""The case page (issue 19, item 6): the citizen's phone and e-mail from the application are
shown to staff, and a new case "Ikke tildelt" can be taken ("Tag sagen") by a caseworker, or
given to a caseworker by the head of unit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from factories import staff
from rusmiddel.audit.models import AuditEntry, Event
from rusmiddel.cases import services
from rusmiddel.cases.models import Case, Deadline

pytestmark = pytest.mark.django_db

CPR = "0702921234"
TAKE = "tildel-caseworker"
#: the case page of a fresh case for the head of unit (measured: 17, the list of caseworkers
#: one of them), whatever the number of caseworkers
MAX_HEAD_QUERIES = 17


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def applied() -> Case:
    """A citizen's own application (self-service): no caseworker yet."""
    return services.self_service_apply(
        municipality="gentofte",
        received_on=timezone.localdate() - dt.timedelta(days=1),
        anonymous=False,
        name="Mette Jensen",
        cpr=CPR,
        phone="22 33 44 55",
        email="mette@example.dk",
        address="Strandvejen 1, 2900 Hellerup",
        requested_offer="ambulant",
        consent=True,
    )


def page_of(client: Client, case: Case) -> str:
    response = client.get(f"/sager/{case.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def version(case: Case) -> int:
    return Case.objects.values_list("version", flat=True).get(pk=case.pk)


def test_staff_see_the_phone_and_email_the_citizen_applied_with(tenants):
    case = applied()
    page = page_of(client_for(staff("caseworker")), case)
    assert "22 33 44 55" in page and "mette@example.dk" in page
    assert "Strandvejen 1, 2900 Hellerup" in page
    assert "Ikke tildelt" in page


def test_a_caseworker_takes_a_new_case_and_can_give_it_back(tenants):
    case = applied()
    caseworker = staff("caseworker")
    caseworker.first_name, caseworker.last_name = "Sara", "Sagsbehandler"
    caseworker.save()
    client = client_for(caseworker)
    page = page_of(client, case)
    assert ">Tag sagen</button>" in page
    assert f'name="tildel-version" value="{case.version}"' in page

    response = client.post(
        f"/sager/{case.pk}/sagsbehandler/",
        {"tildel-version": case.version, TAKE: caseworker.pk},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/sager/{case.pk}/#sagsoplysninger"
    case.refresh_from_db()
    assert case.caseworker == caseworker and case.version == 2
    assert set(Deadline.objects.filter(case=case).values_list("caseworker_id", flat=True)) == {
        caseworker.pk
    }
    page = page_of(client, case)
    assert "Du har taget sagen." in page
    assert "Sara Sagsbehandler" in page and ">Giv sagen fra dig</button>" in page
    assert ">Tag sagen</button>" not in page
    # …and the case is on top of the list of their own cases
    assert case.number in client.get("/sager/").content.decode()

    client.post(f"/sager/{case.pk}/sagsbehandler/", {"tildel-version": 2, TAKE: ""})
    case.refresh_from_db()
    assert case.caseworker is None
    assert AuditEntry.objects.filter(event=Event.CASE_ASSIGNED, case_id=case.pk).count() == 2


def test_another_caseworkers_case_cannot_be_taken(tenants):
    case = applied()
    holder = staff("caseworker")
    services.case_assign(actor=holder, case_id=case.pk, version=1, caseworker_id=holder.pk)
    other = staff("caseworker")
    client = client_for(other)
    page = page_of(client, case)
    assert "Tag sagen" not in page and "Giv sagen fra dig" not in page

    # sent anyway: refused on the page, nothing changed
    response = client.post(
        f"/sager/{case.pk}/sagsbehandler/", {"tildel-version": version(case), TAKE: ""}
    )
    assert response.status_code == 403
    assert "kun en leder kan flytte den" in response.content.decode()
    case.refresh_from_db()
    assert case.caseworker == holder


def test_a_stale_take_is_told_and_changes_nothing(tenants):
    case = applied()
    first, second = staff("caseworker"), staff("caseworker")
    services.case_assign(actor=first, case_id=case.pk, version=1, caseworker_id=first.pk)
    response = client_for(second).post(
        f"/sager/{case.pk}/sagsbehandler/", {"tildel-version": 1, TAKE: second.pk}
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Sagen er ændret af en anden – hent siden igen. Intet er gemt." in page
    case.refresh_from_db()
    assert case.caseworker == first


def test_the_head_of_unit_gives_a_case_to_a_caseworker_of_the_municipality(tenants):
    case = applied()
    head = staff("head_of_unit")
    anna = staff("caseworker")
    anna.first_name, anna.last_name = "Anna", "Andersen"
    anna.save()
    gone = staff("caseworker")
    gone.is_active = False
    gone.save()
    elsewhere, therapist = staff("caseworker", "helsingoer"), staff("therapist")
    client = client_for(head)
    page = page_of(client, case)
    assert '<label class="form-label" for="id_tildel-caseworker">Giv sagen til</label>' in page
    assert f'<option value="{anna.pk}">Anna Andersen</option>' in page
    for someone in (gone, elsewhere, therapist):
        assert f'<option value="{someone.pk}"' not in page
    assert "Tag sagen" not in page

    response = client.post(
        f"/sager/{case.pk}/sagsbehandler/", {"tildel-version": 1, TAKE: anna.pk}
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.caseworker == anna
    page = page_of(client, case)
    assert "Sagen er givet til Anna Andersen." in page
    assert f'<option value="{anna.pk}" selected>Anna Andersen</option>' in page


def test_the_head_of_unit_is_told_when_the_choice_is_not_on_the_list(tenants):
    case = applied()
    response = client_for(staff("head_of_unit")).post(
        f"/sager/{case.pk}/sagsbehandler/",
        {"tildel-version": 1, TAKE: staff("therapist").pk},
    )
    assert response.status_code == 422
    assert "Vælg en af mulighederne på listen." in response.content.decode()
    assert Case.objects.get(pk=case.pk).caseworker is None


@pytest.mark.parametrize(
    ("role", "provider"),
    [("therapist", None), ("substance_consultant", None), ("provider_staff", "kabs")],
)
def test_those_who_treat_neither_see_nor_use_the_assignment(tenants, role, provider):
    case = services.case_create(
        actor=staff("therapist"),
        received_on=timezone.localdate(),
        channel="phone",
        citizen_cpr=CPR,
        citizen_name="Mette Jensen",
        provider="kabs",
    )
    user = staff(role, "gentofte", provider)
    client = client_for(user)
    page = page_of(client, case)
    assert "Tag sagen" not in page and "Giv sagen til" not in page
    response = client.post(
        f"/sager/{case.pk}/sagsbehandler/", {"tildel-version": 1, TAKE: user.pk}
    )
    assert response.status_code in (403, 422)  # the role, or not a caseworker to give it to
    assert Case.objects.get(pk=case.pk).caseworker is None


def test_the_assignment_is_post_only(tenants):
    case = applied()
    response = client_for(staff("caseworker")).get(f"/sager/{case.pk}/sagsbehandler/")
    assert response.status_code == 405


def test_the_heads_case_page_makes_a_fixed_number_of_queries(tenants):
    case = applied()
    client = client_for(staff("head_of_unit"))

    def measure() -> int:
        with CaptureQueriesContext(connection) as queries:
            page_of(client, case)
        return len(queries)

    staff("caseworker")
    few = measure()
    for _ in range(10):
        staff("caseworker")
    many = measure()
    print(f"case page for the head of unit: {few} queries with 1 caseworker, {many} with 11")
    assert few == many <= MAX_HEAD_QUERIES
