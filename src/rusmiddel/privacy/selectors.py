"""The GDPR art. 15 export: everything held about one citizen, as one zip file."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from rusmiddel.accounts.models import Municipality
from rusmiddel.audit.models import AuditEntry, Event
from rusmiddel.audit.services import audit_reads
from rusmiddel.cases.errors import NotFound
from rusmiddel.cases.models import Citizen
from rusmiddel.letters.models import Letter
from rusmiddel.letters.services import letter_rendered

from .graph import held_under, rows_of

FORMAT = "rusmiddel-indsigt/1"


@dataclass(frozen=True)
class Export:
    content: bytes  # the zip: data.json and letters/<id>.pdf
    cases: list[str]  # the case numbers in it
    rows: dict[str, int]  # model label → rows exported (audit entries as "audit.auditentry")
    letters: int


def _plain(rows: models.QuerySet) -> list[dict[str, Any]]:
    """Rows as Django's serializer gives them ({model, pk, fields}), binary fields left out
    (a letter's PDF is its own file in the zip)."""
    fields = [
        f.name
        for f in rows.model._meta.concrete_fields
        if not f.primary_key and not isinstance(f, models.BinaryField)
    ]
    return serializers.serialize("python", rows, fields=fields)


def citizen_export(*, municipality: Municipality, cpr: str, actor: Any = None) -> Export:
    """Everything held about the citizen with `cpr` in `municipality` (GDPR art. 15): the
    citizen, their cases and every row under them (found by `graph.held_under`), the audit
    entries about their cases, and their letters' PDFs. Anonymous cases are not tied to a
    CPR number and so are not in it. The export is logged as a read of each case."""
    citizen = Citizen.objects.filter(municipality=municipality, cpr=cpr).first()
    if citizen is None:
        raise NotFound(f"Ingen borger med dette CPR-nummer i {municipality.name}.", field="cpr")
    records: dict[str, list[dict[str, Any]]] = {}
    # a letter the demo stored without its PDF (`letters_rendered_later`) is rendered first
    for letter in Letter.objects.filter(case__citizen=citizen, sha256=""):
        letter_rendered(letter)
    with transaction.atomic():  # one consistent snapshot, logged in the same transaction
        for held in held_under(Citizen):
            records[held.model._meta.label_lower] = _plain(rows_of(held, [citizen.pk]))
        case_rows = records["cases.case"]
        case_ids = [row["pk"] for row in case_rows]
        audit = _plain(AuditEntry.objects.filter(case_id__in=case_ids).order_by("pk"))
        letters = list(
            Letter.objects.filter(case_id__in=case_ids).order_by("pk").values_list("pk", "pdf")
        )
        audit_reads(
            actor=actor,
            event=Event.CITIZEN_EXPORTED,
            case_ids=case_ids,
            why="indsigt (GDPR art. 15)",
            municipality_id=municipality.pk,
        )
    document = {
        "format": FORMAT,
        "made_at": timezone.now(),
        "municipality": municipality.slug,
        "citizen": _plain(Citizen.objects.filter(pk=citizen.pk))[0],
        "records": records,
        "audit": audit,
        "letters": [{"letter": pk, "file": f"letters/{pk}.pdf"} for pk, _ in letters],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "data.json",
            json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        )
        for pk, pdf in letters:
            archive.writestr(f"letters/{pk}.pdf", bytes(pdf))
    rows = {label: len(items) for label, items in records.items()}
    rows["audit.auditentry"] = len(audit)
    return Export(
        content=buffer.getvalue(),
        cases=[row["fields"]["number"] for row in case_rows],
        rows=rows,
        letters=len(letters),
    )
