"""The register page in the administration: the administrator picks register and year, sees
the validation report (case numbers and pseudonyms, never an identity) and downloads the
extract (streamed, audited); everyone else is refused."""

from __future__ import annotations

import datetime as dt

import pytest

from factories import staff, treated_course
from rusmiddel.audit.models import AuditEntry, Event
from rusmiddel.cases import services
from rusmiddel.cases.models import Case

COCAINE = {"use": {"substances": [{"substance": "cocaine", "primary": True}]}}
PAGE = "/administration/indberetning/"
DOWNLOAD = "/administration/indberetning/hent/"


@pytest.fixture
def courses(tenants):
    """Helsingør 2026: a reportable drug course, one without a substance, and an anonymous
    course (pseudonym Ræven) whose assessment names no substance either."""
    t = staff("therapist", "helsingoer")
    good, _ = treated_course(
        t,
        cpr="0101901237",
        offer="kokain_hashstop",
        facts=COCAINE,
        contact_on=dt.date(2026, 3, 2),
        start_on=dt.date(2026, 3, 9),
    )
    bad, _ = treated_course(
        t,
        cpr="0303703334",
        offer="kokain_hashstop",
        facts={},
        contact_on=dt.date(2026, 8, 3),
        start_on=dt.date(2026, 8, 5),
    )
    anon = services.case_create(
        actor=t,
        received_on=dt.date(2026, 5, 4),
        channel="walk_in",
        anonymous=True,
        pseudonym="Ræven",
    )
    services.course_start(
        actor=t,
        case_id=anon.pk,
        version=Case.objects.get(pk=anon.pk).version,
        started_on=dt.date(2026, 5, 11),
        offer="kokain_hashstop",
        use_frequency="daily",
        housing="own",
        occupation="student",
    )
    return good, bad, anon


@pytest.mark.django_db
def test_the_report_lists_problems_by_case_number_and_pseudonym(courses, client):
    good, bad, anon = courses
    client.force_login(staff("administrator", "helsingoer"))
    response = client.get(PAGE, {"register": "sib", "year": "2026"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "3 forløb: 1 kan indberettes, 2 udelades på grund af fejl." in html
    assert "Hovedstof mangler: udredningen angiver intet primært rusmiddel." in html
    assert bad.number in html and anon.number in html and "Ræven" in html
    assert good.number not in html  # no problem, not listed
    for secret in ("0101901237", "0303703334", "Test Person"):
        assert secret not in html  # the administrator reads no case
    assert f"{DOWNLOAD}?register=sib&amp;year=2026&amp;format=csv" in html


@pytest.mark.django_db
def test_the_download_is_streamed_and_audited(courses, client, tenants):
    good, bad, anon = courses
    admin = staff("administrator", "helsingoer")
    client.force_login(admin)
    response = client.get(DOWNLOAD, {"register": "sib", "year": "2026", "format": "csv"})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="sib-helsingoer-2026.csv"'
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert good.number in text and "0101901237" in text and bad.number not in text
    entry = AuditEntry.objects.get(event=Event.REGISTER_EXTRACTED)
    assert (entry.actor, entry.municipality_id) == (admin.username, tenants["helsingoer"].pk)
    assert entry.new == {
        "register": "sib",
        "year": 2026,
        "format": "csv",
        "include_invalid": False,
    }

    xml = client.get(DOWNLOAD, {"register": "sib", "year": "2026", "format": "register"})
    assert xml["Content-Type"].startswith("application/xml")
    assert b"<indberetning" in b"".join(xml.streaming_content)


@pytest.mark.django_db
def test_a_bad_choice_names_the_field(tenants, client):
    client.force_login(staff("administrator", "helsingoer"))
    response = client.get(PAGE, {"register": "lpr", "year": "1999"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Vælg et register." in html and "Vælg et år." in html
    assert client.get(DOWNLOAD, {"register": "sib", "year": "2026"}).status_code == 400
    assert not AuditEntry.objects.filter(event=Event.REGISTER_EXTRACTED).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["caseworker", "therapist", "head_of_unit", "provider_staff"])
def test_only_the_administrator_may(tenants, client, role):
    provider = "helsingoer_rusmiddelcenter" if role == "provider_staff" else None
    client.force_login(staff(role, "helsingoer", provider))
    assert client.get(PAGE).status_code == 403
    query = {"register": "sib", "year": "2026", "format": "csv"}
    assert client.get(DOWNLOAD, query).status_code == 403
    assert not AuditEntry.objects.filter(event=Event.REGISTER_EXTRACTED).exists()


@pytest.mark.django_db
def test_the_administration_home_links_to_it(tenants, client):
    client.force_login(staff("administrator", "helsingoer"))
    assert f'href="{PAGE}"' in client.get("/administration/").content.decode()
    assert client.get(PAGE).status_code == 200
