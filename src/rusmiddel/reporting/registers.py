"""Register extracts (SIB, NAB, EU TDI) for one municipality and year: read the courses in one
streamed query, map each with `rules.registers`, and write CSV or the register's XML.

Bounded work: one SELECT for the whole year (the first contact, the latest assessment and the
start key facts come in as correlated subqueries), read with `.iterator(chunk_size=…)`, so
the number of queries does not grow with the courses and memory holds one chunk at a time.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.sax.saxutils import XMLGenerator

from django.db.models import JSONField, OuterRef, Q, Subquery

from rusmiddel.accounts.models import Municipality
from rusmiddel.audit.models import Event
from rusmiddel.audit.services import audit_record
from rusmiddel.cases.models import Assessment, Contact, Course
from rusmiddel.outcomes.models import KeyFacts, Moment
from rusmiddel.rules import registers as rules
from rusmiddel.standards import registry

FORMATS = ("csv", "register")
CHUNK = 2000  # rows per database round trip
FLUSH = 500  # rows per chunk of output

__all__ = [
    "FORMATS",
    "ExportCount",
    "RegisterReport",
    "register_export",
    "register_extract_audit",
    "register_report",
    "register_rows",
]


def _courses(municipality: Municipality, register: str, year: int):
    spec = rules.spec(register)
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if spec["period"] == "started":
        period = Q(started_on__gte=first, started_on__lte=last)
    else:
        period = Q(started_on__lte=last) & (Q(ended_on__isnull=True) | Q(ended_on__gte=first))
    contact = Contact.objects.filter(case=OuterRef("case")).order_by("received_on", "id")
    start = KeyFacts.objects.filter(course=OuterRef("pk"), moment=Moment.START)
    latest = Assessment.objects.filter(case=OuterRef("case")).order_by("-version")
    return (
        Course.objects.filter(period, municipality=municipality, case__person_role="user")
        .filter(Q(substance=spec["substance"]) | Q(substance=""))
        .annotate(
            request_date=Subquery(contact.values("received_on")[:1]),
            contact_by=Subquery(contact.values("contact_by")[:1]),
            guarantee_due=Subquery(contact.values("guarantee_due")[:1]),
            facts=Subquery(latest.values("facts")[:1], output_field=JSONField()),
            start_frequency=Subquery(start.values("use_frequency")[:1]),
            start_housing=Subquery(start.values("housing")[:1]),
            start_occupation=Subquery(start.values("occupation")[:1]),
        )
        .values(
            "id",
            "offer",
            "substance",
            "started_on",
            "ended_on",
            "end_reason",
            "outcome",
            "provider__slug",
            "case__number",
            "case__anonymous",
            "case__pseudonym",
            "case__person_role",
            "case__citizen__cpr",
            "case__citizen__birth_date",
            "request_date",
            "contact_by",
            "guarantee_due",
            "facts",
            "start_frequency",
            "start_housing",
            "start_occupation",
        )
        .order_by("started_on", "id")
    )


def _input(slug: str, r: dict, offer_on) -> rules.CourseInput:
    offer = offer_on(r["started_on"], r["offer"])
    start = None
    if r["start_frequency"]:
        start = {
            "use_frequency": r["start_frequency"],
            "housing": r["start_housing"],
            "occupation": r["start_occupation"],
        }
    return rules.CourseInput(
        municipality=slug,
        case_number=r["case__number"],
        anonymous=r["case__anonymous"],
        pseudonym=r["case__pseudonym"],
        cpr=r["case__citizen__cpr"] or "",
        birth_date=r["case__citizen__birth_date"],
        person_role=r["case__person_role"],
        course_id=r["id"],
        offer=r["offer"],
        offer_known=offer is not None,
        setting=offer.setting if offer else "",
        offer_substances=tuple(offer.substances) if offer else (),
        offer_treatment=offer.treatment if offer else True,
        substance=r["substance"],
        provider=r["provider__slug"] or "",
        started_on=r["started_on"],
        ended_on=r["ended_on"],
        end_reason=r["end_reason"],
        outcome=r["outcome"],
        request_date=r["request_date"],
        contact_by=r["contact_by"] or "",
        guarantee_due=r["guarantee_due"],
        facts=r["facts"] or {},
        start_facts=start,
    )


def register_rows(
    *, municipality: Municipality, register: str, year: int, chunk_size: int = CHUNK
) -> Iterator[rules.RegisterRow]:
    """Every course of `register` for `year` in `municipality`, mapped and validated, in
    start order. One query, streamed."""
    rows = _courses(municipality, register, year).iterator(chunk_size=chunk_size)
    offer_on = registry.offer_lookup(municipality.slug)
    for r in rows:
        course = _input(municipality.slug, r, offer_on)
        if rules.in_scope(register, course, year):
            yield rules.register_row(register, course)


@dataclass
class RegisterReport:
    """The validation report: how many records, how many valid, the count of each problem,
    and the records that have a problem (case number, pseudonym for anonymous cases)."""

    register: str
    year: int
    total: int = 0
    valid: int = 0
    counts: Counter = field(default_factory=Counter)  # (field, code, message, blocking) → n
    rows: list[rules.RegisterRow] = field(default_factory=list)

    @property
    def left_out(self) -> int:
        return self.total - self.valid

    def problem_counts(self) -> list[tuple[rules.Problem, int]]:
        return [
            (rules.Problem(*key), n)
            for key, n in sorted(self.counts.items(), key=lambda kv: (not kv[0][3], -kv[1]))
        ]


def register_report(*, municipality: Municipality, register: str, year: int) -> RegisterReport:
    """Validate every record of the extract (only the records with problems are kept)."""
    report = RegisterReport(register=register, year=year)
    for row in register_rows(municipality=municipality, register=register, year=year):
        report.total += 1
        report.valid += row.valid
        for p in row.problems:
            # messages that name a value (an offer id) are counted under their field and code
            report.counts[(p.field, p.code, _generic(p), p.blocking)] += 1
        if row.problems:
            row.values = {}  # the report needs no CPR numbers
            report.rows.append(row)
    return report


def _generic(p: rules.Problem) -> str:
    return p.message.split(": tilbuddet")[0] + "." if p.code == "unknown_offer" else p.message


@dataclass
class ExportCount:
    """Filled in while the export streams: records written and left out."""

    exported: int = 0
    left_out: int = 0


def register_export(
    *,
    municipality: Municipality,
    register: str,
    year: int,
    fmt: str = "csv",
    include_invalid: bool = False,
    count: ExportCount | None = None,
) -> Iterator[bytes]:
    """The extract as bytes, streamed: CSV (UTF-8 with BOM, `;`, a header row) or the
    register's XML. Records with a blocking problem are left out unless `include_invalid`;
    the XML ends with how many were left out; `count` says it for CSV."""
    if fmt not in FORMATS:
        raise ValueError(f"--format: unknown format '{fmt}' (one of {', '.join(FORMATS)})")
    count = count if count is not None else ExportCount()
    rows = register_rows(municipality=municipality, register=register, year=year)
    writer = _csv if fmt == "csv" else _xml
    yield from writer(register, year, municipality, _kept(rows, include_invalid, count), count)


def _kept(rows, include_invalid: bool, count: ExportCount):
    for row in rows:
        if row.valid or include_invalid:
            count.exported += 1
            yield row
        else:
            count.left_out += 1


def _csv(register, year, municipality, rows, count) -> Iterator[bytes]:
    buffer = io.StringIO()
    out = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    out.writerow([name for name, _ in rules.columns(register)])
    first = True
    for n, row in enumerate(rows, 1):
        out.writerow(row.values.values())
        if n % FLUSH == 0:
            yield _take(buffer, first)
            first = False
    yield _take(buffer, first)


def _take(buffer: io.StringIO, first: bool) -> bytes:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text.encode("utf-8-sig" if first else "utf-8")


def _xml(register, year, municipality, rows, count) -> Iterator[bytes]:
    buffer = io.StringIO()
    xml = XMLGenerator(buffer, encoding="utf-8", short_empty_elements=True)
    xml.startDocument()
    code = rules.table()["municipality_codes"].get(municipality.slug, "")
    xml.startElement(
        "indberetning",
        {"register": register.upper(), "aar": str(year), "kommunekode": code, "version": "1"},
    )
    for n, row in enumerate(rows, 1):
        xml.startElement("forloeb", {})
        for name, value in row.values.items():
            xml.startElement(name, {})
            xml.characters(value)
            xml.endElement(name)
        xml.endElement("forloeb")
        if n % FLUSH == 0:
            yield _take(buffer, False)
    xml.startElement(
        "opsummering", {"indberettet": str(count.exported), "udeladt": str(count.left_out)}
    )
    xml.endElement("opsummering")
    xml.endElement("indberetning")
    xml.endDocument()
    buffer.write("\n")
    yield _take(buffer, False)


def register_extract_audit(
    *, actor, municipality: Municipality, register: str, year: int, fmt: str, include_invalid: bool
) -> None:
    """The audit entry for an extract: it carries CPR numbers (actor None: the command line)."""
    audit_record(
        actor=actor,
        event=Event.REGISTER_EXTRACTED,
        write=False,
        municipality_id=municipality.pk,
        why=f"Registerudtræk {register.upper()} {year}",
        new={
            "register": register,
            "year": year,
            "format": fmt,
            "include_invalid": include_invalid,
        },
    )
