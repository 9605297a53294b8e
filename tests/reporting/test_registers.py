"""Register extracts from a hand-made handful of courses: the rows SIB, NAB and TDI get, the
problems the validation report lists, anonymity, bounded queries and streaming."""

from __future__ import annotations

import csv
import datetime as dt
import io
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from factories import staff, treated_course
from rusmiddel.accounts.models import Municipality
from rusmiddel.cases import services
from rusmiddel.cases.models import Assessment, Case, Citizen, Contact, Course
from rusmiddel.outcomes.models import KeyFacts
from rusmiddel.reporting.registers import (
    ExportCount,
    register_export,
    register_report,
    register_rows,
)

D = dt.date
COCAINE_USER = {
    "use": {
        "substances": [
            {"substance": "cannabis"},
            {"substance": "cocaine", "primary": True},
            {"substance": "amphetamine", "injecting": True},
        ]
    },
    "history": {"ever_in_contact_with_treatment_system": True},
    "social": {"housing": "rented", "occupation": "employed"},
    "person": {"children_at_home": 0},
}
ALCOHOL_USER = {"use": {"substances": [{"substance": "alcohol", "primary": True}]}}


def _version(case_id: int) -> int:
    return Case.objects.values_list("version", flat=True).get(pk=case_id)


_named = treated_course


@pytest.fixture
def world(tenants):
    """Helsingør 2026: a named cocaine course (ended drug-free), a named alcohol course
    without key facts (started before they were kept), an anonymous cannabis course, a drug
    course whose assessment names no substance, and a drug course started in 2025 (still
    active: in SIB 2026, not in TDI 2026)."""
    t = staff("therapist", "helsingoer")
    cocaine, c1 = _named(
        t,
        cpr="0101901237",
        offer="kokain_hashstop",
        facts=COCAINE_USER,
        contact_on=D(2026, 3, 2),
        start_on=D(2026, 3, 20),
        frequency="daily",
    )
    services.course_end(
        actor=t,
        course_id=c1.pk,
        version=_version(cocaine.pk),
        ended_on=D(2026, 6, 30),
        reason="completed",
        outcome="substance_free",
        final_report="Stoffri.",
        use_frequency="not_used",
        housing="rented",
        occupation="employed",
    )
    alcohol, c2 = _named(
        t,
        cpr="0202802468",
        offer="psykologsamtaler",
        facts=ALCOHOL_USER,
        contact_on=D(2026, 4, 1),
        start_on=D(2026, 4, 8),
    )
    KeyFacts.objects.filter(course=c2).delete()  # a course from before key facts were kept
    anon = services.case_create(
        actor=t, received_on=D(2026, 5, 4), channel="walk_in", anonymous=True, pseudonym="Ræven"
    )
    services.assessment_record(
        actor=t,
        case_id=anon.pk,
        version=_version(anon.pk),
        on=D(2026, 5, 4),
        facts={"use": {"substances": [{"substance": "cannabis", "primary": True}]}},
    )
    c3 = services.course_start(
        actor=t,
        case_id=anon.pk,
        version=_version(anon.pk),
        started_on=D(2026, 5, 11),
        offer="anonym_gruppe",
        use_frequency="weekly_or_less",
        housing="own",
        occupation="student",
    )
    unknown, c4 = _named(
        t,
        cpr="0303703334",
        offer="kokain_hashstop",
        facts={},
        contact_on=D(2026, 8, 3),
        start_on=D(2026, 8, 5),
    )
    old, c5 = _named(
        t,
        cpr="0404604440",
        offer="kokain_hashstop",
        facts=COCAINE_USER,
        contact_on=D(2025, 2, 3),
        start_on=D(2025, 2, 10),
    )
    return {
        "m": Municipality.objects.get(slug="helsingoer"),
        "cocaine": (cocaine, c1),
        "alcohol": (alcohol, c2),
        "anon": (anon, c3),
        "unknown": (unknown, c4),
        "old": (old, c5),
    }


def _rows(world, register, year=2026):
    return {
        r.course_id: r for r in register_rows(municipality=world["m"], register=register, year=year)
    }


@pytest.mark.django_db
def test_sib_rows_and_problems(world):
    # given the world; when SIB 2026 is extracted
    rows = _rows(world, "sib")
    case, course = world["cocaine"]
    # then the drug courses active in 2026 are in it, the alcohol one is not
    assert set(rows) == {course.pk, world["anon"][1].pk, world["unknown"][1].pk, world["old"][1].pk}
    guarantee_due = Contact.objects.get(case=case).guarantee_due
    assert rows[course.pk].values == {
        "kommunekode": "217",
        "sagsnummer": case.number,
        "cpr": "0101901237",
        "anonym": "0",
        "anmodningsdato": "2026-03-02",
        "garantidato": guarantee_due.isoformat(),
        "behandlingsgaranti": "ikke_overholdt",  # 18 days after the request
        "ventedage": "18",
        "startdato": "2026-03-20",
        "tilbud": "kokain_hashstop",
        "behandlingstype": "ambulant",
        "leverandoer": rows[course.pk].values["leverandoer"],
        "hovedstof": "2",
        "bistoffer": "3.1,7.1",  # injected amphetamine before cannabis
        "injektion": "1",
        "slutdato": "2026-06-30",
        "afslutningsaarsag": "faerdigbehandlet",
        "slutstatus": "stoffri",
    }
    assert rows[course.pk].problems == [] and rows[course.pk].valid
    unknown = rows[world["unknown"][1].pk]
    assert [(p.field, p.code, p.blocking) for p in unknown.problems] == [
        ("hovedstof", "no_primary", True)
    ]
    assert "Hovedstof mangler" in unknown.problems[0].message


@pytest.mark.django_db
def test_an_anonymous_case_never_gets_a_cpr_number(world):
    for register in ("sib", "tdi"):
        row = _rows(world, register)[world["anon"][1].pk]
        assert row.anonymous and row.pseudonym == "Ræven"
        assert row.values.get("cpr", "") == ""
        assert "sex" not in row.values or row.values["sex"] == "99"
    sib = _rows(world, "sib")[world["anon"][1].pk]
    assert sib.values["anonym"] == "1"
    assert sib.values["behandlingsgaranti"] == "ikke_omfattet"
    assert sib.valid


@pytest.mark.django_db
def test_nab_takes_the_alcohol_course_and_warns_of_missing_key_facts(world):
    rows = _rows(world, "nab")
    course = world["alcohol"][1]
    assert set(rows) == {course.pk}
    row = rows[course.pk]
    assert row.values["forbrug_start"] == "99" and row.values["slutstatus"] == ""
    assert [(p.code, p.blocking) for p in row.problems] == [("unknown_frequency", False)]
    assert row.valid  # a warning does not keep it out


@pytest.mark.django_db
def test_tdi_items_of_a_course_start(world):
    rows = _rows(world, "tdi")
    assert world["old"][1].pk not in rows  # started in 2025
    assert world["alcohol"][1].pk not in rows
    v = rows[world["cocaine"][1].pk].values
    assert "cpr" not in v
    assert (v["centre_type"], v["treatment_status"], v["year_of_start"]) == ("1", "2", "2026")
    assert (v["sex"], v["age_at_start"]) == ("1", "36")  # CPR ends odd; born 1 Jan 1990
    assert v["source_of_referral"] == "4"  # a professional made the contact
    assert (v["living_where"], v["living_with_children"], v["labour_status"]) == ("1", "1", "2")
    assert (v["primary_drug"], v["route"], v["frequency"]) == ("2", "99", "1")
    assert (v["secondary_drug_1"], v["secondary_drug_2"], v["secondary_drug_3"]) == (
        "3.1",
        "7.1",
        "",
    )
    assert (v["polydrug"], v["injecting"], v["age_first_use"], v["education"]) == (
        "1",
        "2",
        "99",
        "99",
    )
    anon = rows[world["anon"][1].pk]
    assert anon.values["age_at_start"] == "99" and anon.values["route"] == "2"
    assert anon.values["frequency"] == "4" and anon.values["labour_status"] == "3"
    assert [p.code for p in anon.problems] == ["unknown_treatment_status", "unknown_age_at_start"]
    assert anon.valid


@pytest.mark.django_db
def test_the_report_counts_problems_and_the_export_leaves_invalid_records_out(world):
    report = register_report(municipality=world["m"], register="sib", year=2026)
    assert (report.total, report.valid, report.left_out) == (4, 3, 1)
    counts = {(p.code, p.blocking): n for p, n in report.problem_counts()}
    assert counts == {("no_primary", True): 1}
    assert [r.case_number for r in report.rows] == [world["unknown"][0].number]
    assert all(r.values == {} for r in report.rows)  # no CPR numbers kept in the report

    count = ExportCount()
    data = b"".join(
        register_export(municipality=world["m"], register="sib", year=2026, fmt="csv", count=count)
    )
    assert data.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert table[0][:3] == ["kommunekode", "sagsnummer", "cpr"]
    assert len(table) == 1 + 3 and (count.exported, count.left_out) == (3, 1)
    assert world["unknown"][0].number not in data.decode()

    everything = ExportCount()
    b"".join(
        register_export(
            municipality=world["m"],
            register="sib",
            year=2026,
            include_invalid=True,
            count=everything,
        )
    )
    assert (everything.exported, everything.left_out) == (4, 0)


@pytest.mark.django_db
def test_the_register_format_is_xml_with_a_summary(world):
    data = b"".join(
        register_export(municipality=world["m"], register="sib", year=2026, fmt="register")
    )
    root = ET.fromstring(data)
    assert (root.tag, root.get("register"), root.get("aar"), root.get("kommunekode")) == (
        "indberetning",
        "SIB",
        "2026",
        "217",
    )
    courses = root.findall("forloeb")
    assert len(courses) == 3
    anon = next(c for c in courses if c.findtext("anonym") == "1")
    assert anon.findtext("cpr") == ""
    summary = root.find("opsummering")
    assert (summary.get("indberettet"), summary.get("udeladt")) == ("3", "1")


# --- bounded queries and streaming ---------------------------------------------------------


def _bulk_courses(municipality, actor, n: int, start: int = 0) -> None:
    """`n` named drug courses in 2026 written straight to the tables (no letters)."""
    cases = Case.objects.bulk_create(
        Case(
            municipality=municipality,
            number=f"BULK-{start + i:06d}",
            citizen=Citizen.objects.create(
                municipality=municipality,
                cpr=f"01019{start + i:05d}",
                name="X",
                birth_date=D(1990, 1, 1),
            ),
        )
        for i in range(n)
    )
    Contact.objects.bulk_create(
        Contact(case=c, received_on=D(2026, 2, 2), channel="phone") for c in cases
    )
    Assessment.objects.bulk_create(
        Assessment(case=c, version=1, facts=COCAINE_USER, recorded_by=actor) for c in cases
    )
    courses = Course.objects.bulk_create(
        Course(
            case=c,
            municipality_id=c.municipality_id,
            offer="kokain_hashstop",
            started_on=D(2026, 2, 9),
            created_by=actor,
        )
        for c in cases
    )
    KeyFacts.objects.bulk_create(
        KeyFacts(
            course=c,
            moment="start",
            recorded_on=D(2026, 2, 9),
            use_frequency="daily",
            housing="own",
            occupation="student",
            recorded_by=actor,
        )
        for c in courses
    )


def _queries(municipality, register: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        data = b"".join(register_export(municipality=municipality, register=register, year=2026))
    return len(ctx.captured_queries), data.count(b"\n")


@pytest.mark.django_db
@pytest.mark.parametrize("register", ["sib", "tdi"])
def test_queries_do_not_grow_with_the_courses(tenants, register):
    m = tenants["helsingoer"]
    actor = staff("therapist", "helsingoer")
    _bulk_courses(m, actor, 2)
    few, lines_few = _queries(m, register)
    _bulk_courses(m, actor, 18, start=2)
    many, lines_many = _queries(m, register)
    assert (lines_few, lines_many) == (1 + 2, 1 + 20)
    assert few == many == 1


@pytest.mark.django_db
def test_the_export_streams_in_chunks(tenants, monkeypatch):
    from rusmiddel.reporting import registers

    monkeypatch.setattr(registers, "FLUSH", 5)
    m = tenants["helsingoer"]
    _bulk_courses(m, staff("therapist", "helsingoer"), 12)
    stream = register_export(municipality=m, register="sib", year=2026)
    first = next(stream)  # the header and the first five rows, before the rest is read
    assert first.count(b"\r\n") == 1 + 5
    rest = list(stream)
    assert len(rest) == 2 and sum(c.count(b"\r\n") for c in rest) == 7
