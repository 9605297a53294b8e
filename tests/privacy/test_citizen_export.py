"""The GDPR art. 15 export: everything held about one citizen, in one zip — every model with
a foreign-key path to the citizen's cases is in it (found by walking the models, so a new
model fails here until it is exported and built below), the audit entries about the cases,
and the letters' PDFs. The export itself is logged; bad input exits 2 naming the option."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.apps import apps

from case_world import _version, world_fixture  # noqa: F401 - the `world` fixture
from rusmiddel.accounts.models import Municipality
from rusmiddel.audit.models import AuditEntry
from rusmiddel.cases import services
from rusmiddel.cases.models import Case, Citizen, Deadline, Notification
from rusmiddel.cli import main
from rusmiddel.letters.models import Letter
from rusmiddel.outcomes.services import fit_record
from rusmiddel.privacy.selectors import citizen_export

MUNICIPALITY = "helsingoer"  # FIT instruments and group calendars: every model can be filled


def _models_with_a_path_to(target) -> set[str]:
    """Every installed model with a chain of foreign keys ending at `target`, found from the
    fields (independently of the export's own walk)."""
    reach = {target}
    grew = True
    while grew:
        grew = False
        for model in apps.get_models():
            if model in reach:
                continue
            if any(
                f.many_to_one or f.one_to_one
                for f in model._meta.concrete_fields
                if f.is_relation and f.related_model in reach
            ):
                reach.add(model)
                grew = True
    return {m._meta.label_lower for m in reach}


def _fill_every_model(b) -> None:
    """Add to the world's case what the world does not make: a plan, a status report, an
    enrolment, a self-payment, a FIT score, a staff notification and a change of the citizen's
    details (its notice on the case)."""
    actor = b.builder
    services.plan_record(
        actor=actor,
        course_id=b.course_id,
        version=_version(b.case_id),
        goal="reduction",
        goals_text="Mindre kokain",
        agreed_on=dt.date(2026, 12, 8),
    )
    services.status_report_record(
        actor=actor,
        course_id=b.course_id,
        version=_version(b.case_id),
        text="Stabil",
        submitted_on=dt.date(2027, 1, 15),
    )
    services.group_enrol(
        actor=actor,
        course_id=b.course_id,
        version=_version(b.case_id),
        group_id=b.group_id,
        enrolled_on=dt.date(2027, 1, 4),
    )
    services.self_payment_record(
        actor=actor,
        course_id=b.residential_course_id,
        version=_version(b.case_id),
        days=30,
        keeps_rent=False,
        monthly_income_dkk=Decimal("12000"),
    )
    fit_record(
        actor=actor,
        session_id=b.session_id,
        version=_version(b.case_id),
        instrument="ors",
        items=["5", "6", "7", "8"],
    )
    deadline = Deadline.objects.filter(case_id=b.case_id).first()
    Notification.objects.create(recipient=actor, deadline=deadline)
    services.citizen_update(actor=actor, citizen_id=b.citizen_id, version=1, phone="22 33 44 55")


def _open(content: bytes) -> tuple[dict, zipfile.ZipFile]:
    archive = zipfile.ZipFile(io.BytesIO(content))
    return json.loads(archive.read("data.json")), archive


@pytest.mark.django_db
def test_the_export_holds_every_model_with_a_path_to_the_case(world):
    b = world.referred(MUNICIPALITY)
    _fill_every_model(b)
    municipality = Municipality.objects.get(slug=MUNICIPALITY)

    export = citizen_export(municipality=municipality, cpr=b.cpr)

    data, archive = _open(export.content)
    expected = _models_with_a_path_to(Citizen) - {"cases.citizen"}
    assert {"cases.case", "cases.session", "outcomes.fitscore", "letters.delivery"} <= expected
    assert expected <= set(data["records"]), "a model with a path to the case is not exported"
    empty = sorted(label for label in expected if not data["records"][label])
    assert empty == [], "fill these in _fill_every_model, so their export is tested"
    assert data["records"]["cases.case"][0]["fields"]["number"] == b.number
    assert export.cases == [b.number]
    # the citizen, in the citizen's own words and numbers
    assert data["citizen"]["fields"]["cpr"] == b.cpr
    assert data["citizen"]["fields"]["name"] == b.name
    text = archive.read("data.json").decode()
    assert "Mindre kokain" in text and "Jeg ønsker et andet tilbud" in text
    # every row under the case, and nothing of anyone else's
    for label, rows in data["records"].items():
        model = apps.get_model(label)
        held = model._default_manager.filter(pk__in=[r["pk"] for r in rows])
        assert held.count() == len(rows), label
    assert Case.objects.exclude(pk=b.case_id).exists()
    # the audit entries about the case (the export's own log entry came after it)
    audit_ids = [e["pk"] for e in data["audit"]]
    assert audit_ids and set(
        AuditEntry.objects.filter(case_id=b.case_id, pk__lte=max(audit_ids)).values_list(
            "pk", flat=True
        )
    ) == set(audit_ids)
    # the letters' PDFs, as sent
    letters = Letter.objects.filter(case_id=b.case_id)
    assert export.letters == letters.count() > 0
    for letter in letters:
        assert archive.read(f"letters/{letter.pk}.pdf") == bytes(letter.pdf)
    assert all("pdf" not in row["fields"] for row in data["records"]["letters.letter"])


@pytest.mark.django_db
def test_the_export_is_logged_as_a_read_of_each_case(world):
    b = world.referred(MUNICIPALITY)
    municipality = Municipality.objects.get(slug=MUNICIPALITY)
    last = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    citizen_export(municipality=municipality, cpr=b.cpr)
    entry = AuditEntry.objects.get(pk__gt=last)
    assert (entry.event, entry.write, entry.case_id, entry.actor) == (
        "citizen_exported",
        False,
        b.case_id,
        "system",
    )
    assert entry.municipality_id == municipality.pk


@pytest.mark.django_db
def test_the_command_writes_the_zip_and_refuses_a_bad_cpr(world, tmp_path, capsys):
    b = world.referred(MUNICIPALITY)
    out = tmp_path / "indsigt.zip"
    args = ["gdpr", "export", "--municipality", MUNICIPALITY, "--output", str(out)]
    assert main([*args, "--cpr", b.cpr]) == 0
    assert b.number in capsys.readouterr().out
    data, _ = _open(out.read_bytes())
    assert data["citizen"]["fields"]["cpr"] == b.cpr

    assert main([*args, "--cpr", "3213991234"]) == 2  # no 32nd day
    assert capsys.readouterr().err.startswith("--cpr: ")
    assert main([*args, "--cpr", "0101991234"]) == 1  # valid, but nobody here
    assert "--cpr" in capsys.readouterr().err
    assert not Citizen.objects.filter(cpr="0101991234").exists()
    unknown = ["gdpr", "export", "--municipality", "aarhus", "--cpr", b.cpr, "--output", "x"]
    assert main(unknown) == 2
    assert "--municipality" in capsys.readouterr().err
