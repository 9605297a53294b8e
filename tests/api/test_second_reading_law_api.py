"""Issue 18, second reading: the API's assessment endpoint takes the texts of the standard's
assessment sections (Gentofte: … motivation, medvirken), bounded, and the case read gives them
back."""

from __future__ import annotations

import pytest

from rusmiddel.cases.models import Assessment, Case

pytestmark = pytest.mark.django_db

FACTS = {
    "person": {"role": "user"},
    "use": {"level": "problematic", "harms_daily_life": True},
}


def _case(api) -> tuple[int, int]:
    status, case = api.post(
        "/cases",
        {
            "received_on": "2026-11-24",
            "channel": "digital_post",
            "citizen": {"cpr": "0702921234", "name": "Mette Jensen"},
        },
    )
    assert status == 201, case
    return case["id"], case["version"]


def _version(case_id: int) -> int:
    return Case.objects.values_list("version", flat=True).get(pk=case_id)


def test_kriterier_samlede_vurdering_sections_through_the_api(as_role):
    """Seed (Gentofte, Kriterier): "Den samlede vurdering vil indeholde en beskrivelse af
    borgerens … motivation … medvirken …"."""
    api = as_role("caseworker")
    case_id, version = _case(api)
    status, body = api.post(
        f"/cases/{case_id}/assessments",
        {
            "version": version,
            "facts": FACTS,
            "on": "2026-11-25",
            "sections": {"motivation": "Vil stoppe.", "medvirken": "Møder op.", "forbrug": " "},
        },
    )
    assert status == 201, body
    status, case = api.get(f"/cases/{case_id}")
    assert case["assessment"]["sections"] == {"motivation": "Vil stoppe.", "medvirken": "Møder op."}


@pytest.mark.parametrize(
    ("sections", "field"),
    [
        ({"ressourcer": "x"}, "sections.ressourcer"),  # not a section of Gentofte's standard
        ({"motivation": "x" * 8001}, "sections.motivation"),  # too long
        ({"Motivation!": "x"}, "sections.Motivation!"),  # not an id
        ({"motivation": 7}, "sections.motivation"),  # not text
    ],
)
def test_kriterier_samlede_vurdering_bad_sections_answer_422_and_write_nothing(
    as_role, sections, field
):
    api = as_role("caseworker")
    case_id, version = _case(api)
    status, body = api.post(
        f"/cases/{case_id}/assessments",
        {"version": version, "facts": FACTS, "on": "2026-11-25", "sections": sections},
    )
    assert status == 422, body
    assert body["error"]["field"].startswith(field), body
    assert not Assessment.objects.filter(case_id=case_id).exists()
    assert _version(case_id) == version
