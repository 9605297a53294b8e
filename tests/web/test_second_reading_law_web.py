"""Issue 18, second reading: the assessment form asks for each element of the standard's
assessment (Gentofte's "samlede vurdering": … motivation, medvirken) and stores the texts
with the assessment; the standard upload check shows outdated citations as warnings.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from case_world import FACTS
from factories import staff
from rusmiddel.audit.models import AuditEntry, Event
from rusmiddel.cases import services
from rusmiddel.cases.errors import Invalid
from rusmiddel.cases.models import Assessment, Case
from rusmiddel.standards.registry import PACKAGE_DATA
from rusmiddel.web.case_forms import initial_from_facts, post_data

pytestmark = pytest.mark.django_db

CPR = "0702921234"


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def version(case_id: int) -> int:
    return Case.objects.values_list("version", flat=True).get(pk=case_id)


def open_case(actor, offer: str = "ambulant") -> Case:
    return services.case_create(
        actor=actor,
        received_on=days(-20),
        channel="digital_post",
        citizen_cpr=CPR,
        citizen_name="Mette Jensen",
        requested_offer=offer,
    )


def form_data(case: Case, **texts: str) -> dict:
    initial = initial_from_facts(FACTS["gentofte"])
    initial["person__birth_date"] = case.citizen.birth_date
    data = post_data(initial, version(case.pk))
    return {**data, **{f"vurdering__{key}": text for key, text in texts.items()}}


def test_kriterier_samlede_vurdering_the_form_asks_for_motivation_and_medvirken(tenants):
    """Seed (Gentofte, Kriterier): "Den samlede vurdering vil indeholde en beskrivelse af
    borgerens: … motivation for at engagere sig i behandling … medvirken til aktivt at løse
    egne problemer." — a text field each, labelled from the standard, hinted with its words."""
    caseworker = staff("caseworker")
    case = open_case(caseworker)
    client = Client()
    client.force_login(caseworker)

    body = client.get(f"/sager/{case.pk}/udredning/").content.decode()

    assert 'id="afsnit-vurdering"' in body
    for key, label in [
        ("fysisk_psykisk_tilstand", "Fysisk og psykisk tilstand"),
        ("forbrug", "Forbrug"),
        ("social_situation", "Social situation"),
        ("motivation", "Motivation"),
        ("medvirken", "Medvirken"),
    ]:
        assert re.search(
            rf'<label class="form-label" for="id_vurdering__{key}">{label}</label>', body
        )
        assert re.search(rf'<textarea name="vurdering__{key}"[^>]*maxlength="8000"', body)
    assert "medvirken til aktivt at løse egne problemer" in body


def test_kriterier_samlede_vurdering_saved_with_the_assessment_and_shown_again(tenants):
    caseworker = staff("caseworker")
    case = open_case(caseworker)
    client = Client()
    client.force_login(caseworker)

    response = client.post(
        f"/sager/{case.pk}/udredning/",
        form_data(
            case,
            motivation="  Vil gerne stoppe med hash; møder stabilt op.  ",
            medvirken="Har selv skaffet lægeattest.",
            forbrug="",
        ),
    )

    assert response.status_code == 302
    latest = Assessment.objects.get(case=case)
    assert latest.sections == {
        "motivation": "Vil gerne stoppe med hash; møder stabilt op.",
        "medvirken": "Har selv skaffet lægeattest.",
    }
    entry = AuditEntry.objects.filter(event=Event.ASSESSMENT_RECORDED).latest("pk")
    assert entry.new["sections"] == ["motivation", "medvirken"]  # named; the text stays put
    page = client.get(f"/sager/{case.pk}/udredning/").content.decode()
    assert "Vil gerne stoppe med hash; møder stabilt op.</textarea>" in page


def test_kriterier_samlede_vurdering_service_refuses_unknown_and_keeps_texts_left_out(tenants):
    caseworker = staff("caseworker")
    case = open_case(caseworker)
    record = dict(actor=caseworker, case_id=case.pk, facts=FACTS["gentofte"], on=days(-18))
    services.assessment_record(
        **record, version=version(case.pk), sections={"motivation": "Motiveret."}
    )
    # a section the standard does not have, or a text too long, is refused by name
    with pytest.raises(Invalid) as unknown:
        services.assessment_record(**record, version=version(case.pk), sections={"ressourcer": "x"})
    assert unknown.value.field == "sections.ressourcer"
    assert "motivation, medvirken" in unknown.value.message
    with pytest.raises(Invalid) as long:
        services.assessment_record(
            **record, version=version(case.pk), sections={"medvirken": "x" * 8001}
        )
    assert long.value.field == "sections.medvirken"
    # left out, the texts of the version before are kept; given, they replace them
    services.assessment_record(**record, version=version(case.pk))
    assert Assessment.objects.filter(case=case).latest("version").sections == {
        "motivation": "Motiveret."
    }
    services.assessment_record(**record, version=version(case.pk), sections={})
    assert Assessment.objects.filter(case=case).latest("version").sections == {}


def test_udredning_helsingoer_asks_for_sociale_fysiske_og_psykiske_forhold(tenants):
    """Seed (Helsingør, Udredning/indskrivning): "en grundig udredning af borgerens samlede
    situation, sociale, fysiske og psykiske forhold"."""
    caseworker = staff("caseworker", "helsingoer")
    case = open_case(caseworker, "individuelle_samtaler")
    client = Client()
    client.force_login(caseworker)
    body = client.get(f"/sager/{case.pk}/udredning/").content.decode()
    names = re.findall(r'<textarea name="vurdering__(\w+)"', body)
    assert names == [
        "sociale_forhold",
        "fysiske_forhold",
        "psykiske_forhold",
        "ressourcer_og_oensker",
    ]


# --- the standard upload check --------------------------------------------------------------


def test_standard_check_upload_shows_outdated_citations_as_warnings(tenants, client):
    """Administration → Kvalitetsstandard: a file citing SEL §§ 10-11 is valid, and the
    outdated citation is shown as a warning with its line and field."""
    client.force_login(staff("administrator", "gentofte"))
    text = (PACKAGE_DATA / "gentofte" / "2024-01-01.yaml").read_text(encoding="utf-8")
    line = text[: text.index('legal_basis: ["SEL § 10"]')].count("\n") + 1
    upload = SimpleUploadedFile(
        "2027-01-01.yaml", text.replace('["SEL § 10"]', '["SEL §§ 10-11"]', 1).encode()
    )
    html = client.post("/administration/standard/", {"file": upload}).content.decode()
    assert "Filen er gyldig" in html
    assert "Forældede lovhenvisninger" in html
    assert (
        f"2027-01-01.yaml:{line}: offers[0].legal_basis[0]: advarsel: &#x27;SEL §§ 10-11&#x27;"
        in html
    )
    assert "Filen henviser ét sted til en paragraf" in html
    # the file as it is: valid, and nothing outdated
    current = SimpleUploadedFile("2024-01-01.yaml", text.encode())
    html = client.post("/administration/standard/", {"file": current}).content.decode()
    assert "Filen er gyldig" in html and "Forældede lovhenvisninger" not in html
