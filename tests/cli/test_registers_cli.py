"""`rusmiddel registers extract|validate`: the extract streamed to a file or stdout, the
validation report, an audit entry per extract, and bad input exiting 2 naming the option."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from factories import staff, treated_course
from rusmiddel.audit.models import AuditEntry, Event
from rusmiddel.cli import main

COCAINE = {"use": {"substances": [{"substance": "cocaine", "primary": True}]}}


@pytest.fixture
def courses(tenants):
    """Helsingør 2026: one drug course that can be reported, one whose assessment names no
    substance (left out)."""
    t = staff("therapist", "helsingoer")
    good = treated_course(
        t,
        cpr="0101901237",
        offer="kokain_hashstop",
        facts=COCAINE,
        contact_on=dt.date(2026, 3, 2),
        start_on=dt.date(2026, 3, 9),
    )
    bad = treated_course(
        t,
        cpr="0303703334",
        offer="kokain_hashstop",
        facts={},
        contact_on=dt.date(2026, 8, 3),
        start_on=dt.date(2026, 8, 5),
    )
    return good[0], bad[0]


ARGS = ["--register", "sib", "--municipality", "helsingoer", "--year", "2026"]


@pytest.mark.django_db
def test_extract_to_a_file_leaves_out_invalid_records_and_is_audited(courses, tmp_path, capsys):
    good, bad = courses
    target = tmp_path / "sib.csv"
    assert main(["registers", "extract", *ARGS, "--output", str(target)]) == 0
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert [r[1] for r in rows[1:]] == [good.number]
    assert rows[1][2] == "0101901237"
    assert "1 forløb indberettet, 1 udeladt" in capsys.readouterr().err
    entry = AuditEntry.objects.get(event=Event.REGISTER_EXTRACTED)
    assert entry.actor == "system" and entry.new["register"] == "sib"


@pytest.mark.django_db
def test_extract_in_the_register_format_to_stdout(courses, capsysbinary):
    assert main(["registers", "extract", *ARGS, "--format", "register", "--include-invalid"]) == 0
    out = capsysbinary.readouterr().out
    assert out.startswith(b"<?xml") and out.count(b"<forloeb>") == 2
    assert b'udeladt="0"' in out


@pytest.mark.django_db
def test_validate_prints_counts_and_the_cases(courses, capsys):
    good, bad = courses
    assert main(["registers", "validate", *ARGS]) == 0
    out = capsys.readouterr().out
    assert "2 forløb, 1 kan indberettes, 1 udelades." in out
    assert "     1 fejl      hovedstof: Hovedstof mangler" in out
    assert bad.number in out and good.number not in out
    assert "0303703334" not in out  # the report names cases, never CPR numbers

    assert main(["registers", "validate", *ARGS, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["records"], doc["valid"], doc["left_out"]) == (2, 1, 1)
    assert [c["case"] for c in doc["cases"]] == [bad.number]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--register", "lpr", "--municipality", "helsingoer", "--year", "2026"], "--register"),
        (["--register", "sib", "--municipality", "aarhus", "--year", "2026"], "--municipality"),
        (["--register", "sib", "--municipality", "helsingoer", "--year", "26"], "--year"),
        (["--register", "nab", "--municipality", "helsingoer"], "--year"),
        ([*ARGS, "--format", "xml"], "--format"),
        ([*ARGS, "--output", "/nonexistent/dir/x.csv"], "--output"),
    ],
)
def test_bad_input_exits_2_naming_the_option(tenants, capsys, args, option):
    assert main(["registers", "extract", *args]) == 2
    err = capsys.readouterr().err
    assert option in err and len(err.strip().splitlines()) == 1
    assert not AuditEntry.objects.filter(event=Event.REGISTER_EXTRACTED).exists()
