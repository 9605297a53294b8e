"""The public CLI contract (contracts/cli.md): shapes, exit codes and one-line errors."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from rusmiddel.cli import main
from support import OFFER_IDS

SHARED = Path(os.environ.get("RUSMIDDEL_SHARED_DIR", Path(__file__).parents[3] / "shared"))


def run(capsys, *argv, stdin=None, monkeypatch=None):
    """Run the CLI in-process; return (exit code, parsed stdout or None, stderr)."""
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", __import__("io").StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 and out else None), err


@pytest.mark.parametrize("municipality", ["gentofte", "helsingoer"])
def test_evaluate_empty_facts_lists_every_offer_of_offers_md(capsys, monkeypatch, municipality):
    code, doc, _ = run(
        capsys,
        "evaluate",
        "--municipality",
        municipality,
        "--on",
        "2026-11-24",
        "-",
        stdin="{}",
        monkeypatch=monkeypatch,
    )
    assert code == 0
    assert [o["offer"] for o in doc["offers"]] == OFFER_IDS[municipality]
    assert doc["municipality"] == municipality
    assert doc["evaluated_on"] == "2026-11-24"
    assert doc["age"] is None
    assert doc["in_target_group"] is None
    assert set(doc) == {
        "municipality",
        "standard_version",
        "evaluated_on",
        "age",
        "in_target_group",
        "target_group_reasons",
        "offers",
        "actions",
        "priorities",
    }
    for offer in doc["offers"]:
        assert set(offer) == {"offer", "title", "status", "legal_basis", "reasons", "missing"}
        assert offer["status"] in {"needs_information", "eligible", "not_eligible"}
        for reason in offer["reasons"]:
            assert set(reason) == {"text", "met"}


@pytest.mark.skipif(not (SHARED / "contracts").is_dir(), reason="shared/ not beside the repo")
def test_offer_ids_match_offers_md():
    text = (SHARED / "contracts" / "offers.md").read_text(encoding="utf-8")
    gentofte, helsingoer = text.split("## helsingoer")
    ids = [re.findall(r"^\| `([a-z_]+)` \|", part, re.M) for part in (gentofte, helsingoer)]
    assert ids == [OFFER_IDS["gentofte"], OFFER_IDS["helsingoer"]]


@pytest.mark.skipif(not (SHARED / "contracts").is_dir(), reason="shared/ not beside the repo")
def test_shipped_assessment_schema_is_the_contract():
    shipped = Path(__file__).parents[2] / "src/rusmiddel/rules/assessment.schema.json"
    contract = SHARED / "contracts" / "assessment.schema.json"
    assert json.loads(shipped.read_text("utf-8")) == json.loads(contract.read_text("utf-8"))


def test_evaluate_reads_a_file(tmp_path, capsys):
    facts = tmp_path / "facts.json"
    facts.write_text(json.dumps({"person": {"birth_date": "2000-02-29"}}), encoding="utf-8")
    code, doc, _ = run(
        capsys, "evaluate", "--municipality", "gentofte", "--on", "2026-02-28", str(facts)
    )
    assert code == 0 and doc["age"] == 25


@pytest.mark.parametrize(
    ("argv", "stdin", "names"),
    [
        (["evaluate", "--municipality", "odense", "-"], "{}", "--municipality"),
        (["evaluate", "--municipality", "gentofte", "-"], "{nope", "FACTS.json"),
        (["evaluate", "--municipality", "gentofte", "--on", "2026-02-30", "-"], "{}", "--on"),
        (["evaluate", "--municipality", "gentofte", "-"], '{"person": {"age": 3}}', "person.age"),
        (
            ["evaluate", "--municipality", "gentofte", "-"],
            '{"person": {"children_at_home": "2"}}',
            "person.children_at_home",
        ),
        (
            ["evaluate", "--municipality", "gentofte", "-"],
            '{"use": {"level": "heavy"}}',
            "use.level",
        ),
        (
            ["evaluate", "--municipality", "gentofte", "-"],
            '{"person": {"birth_date": "2027-01-01"}}',
            "person.birth_date",
        ),
        (
            ["evaluate", "--municipality", "gentofte", "-"],
            '{"wishes": {"requested_offer": "yoga"}}',
            "wishes.requested_offer",
        ),
        (["evaluate", "--municipality", "gentofte", "-"], "[]", "facts"),
        (["evaluate", "--municipality", "gentofte", "--on", "2020-01-01", "-"], "{}", "--on"),
        (
            [
                "deadlines",
                "--municipality",
                "gentofte",
                "--event",
                "contact",
                "--date",
                "2026-11-24",
                "--offer",
                "yoga",
            ],
            None,
            "--offer",
        ),
        (
            [
                "deadlines",
                "--municipality",
                "gentofte",
                "--event",
                "birthday",
                "--date",
                "2026-11-24",
            ],
            None,
            "--event",
        ),
        (
            [
                "deadlines",
                "--municipality",
                "gentofte",
                "--event",
                "decision_sent",
                "--date",
                "2026-11-24",
            ],
            None,
            "--channel",
        ),
        (
            [
                "schedule",
                "--municipality",
                "helsingoer",
                "--offer",
                "kokain_hashstop",
                "--start",
                "2027-01-04",
            ],
            None,
            "--stop-day",
        ),
        (
            [
                "schedule",
                "--municipality",
                "helsingoer",
                "--offer",
                "udredning",
                "--start",
                "2027-01-04",
            ],
            None,
            "--offer",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_field(capsys, monkeypatch, argv, stdin, names):
    code, _, err = run(capsys, *argv, stdin=stdin, monkeypatch=monkeypatch)
    assert code == 2
    assert err.count("\n") == 1, err
    assert names in err


def test_deadlines_contact_covered(capsys):
    code, doc, _ = run(
        capsys,
        "deadlines",
        "--municipality",
        "gentofte",
        "--event",
        "contact",
        "--date",
        "2026-12-20",
        "--offer",
        "ambulant",
    )
    assert code == 0
    # 14 days after the contact, on a Sunday, and never moved.
    assert doc == doc | {
        "municipality": "gentofte",
        "event": "contact",
        "date": "2026-12-20",
        "offer": "ambulant",
        "treatment_guarantee": "2027-01-03",
        "covered": True,
    }
    assert doc["basis"]


def test_deadlines_contact_not_covered_for_residential_assessment_in_gentofte(capsys):
    code, doc, _ = run(
        capsys,
        "deadlines",
        "--municipality",
        "gentofte",
        "--event",
        "contact",
        "--date",
        "2026-11-24",
        "--offer",
        "doegnbehandling",
    )
    assert code == 0
    assert doc["treatment_guarantee"] is None and doc["covered"] is False


def test_deadlines_decision_received_moved_off_christmas(capsys):
    code, doc, _ = run(
        capsys,
        "deadlines",
        "--municipality",
        "helsingoer",
        "--event",
        "decision_received",
        "--date",
        "2026-11-28",
    )
    assert code == 0
    assert doc["complaint_deadline"] == "2026-12-28"
    assert doc["adjusted_from"] == "2026-12-26"


def test_deadlines_decision_received_not_moved_has_no_adjusted_from(capsys):
    _, doc, _ = run(
        capsys,
        "deadlines",
        "--municipality",
        "gentofte",
        "--event",
        "decision_received",
        "--date",
        "2026-11-24",
    )
    assert doc["complaint_deadline"] == "2026-12-22"
    assert "adjusted_from" not in doc


@pytest.mark.parametrize(
    ("channel", "received", "deadline"),
    [
        ("digital_post", "2026-12-18", "2027-01-15"),
        ("post", "2026-12-29", "2027-01-26"),
        ("quickpost", "2026-12-20", "2027-01-18"),  # 17 January 2027 is a Sunday
    ],
)
def test_deadlines_decision_sent_by_channel(capsys, channel, received, deadline):
    _, doc, _ = run(
        capsys,
        "deadlines",
        "--municipality",
        "gentofte",
        "--event",
        "decision_sent",
        "--date",
        "2026-12-18",
        "--channel",
        channel,
    )
    assert doc["received"] == received
    assert doc["complaint_deadline"] == deadline


@pytest.mark.parametrize(
    ("ended", "follow_ups"),
    [
        ("2026-08-31", ["2026-09-30", "2027-02-28"]),
        ("2027-08-31", ["2027-09-30", "2028-02-29"]),
        ("2027-01-31", ["2027-02-28", "2027-07-31"]),
    ],
)
@pytest.mark.parametrize("municipality", ["gentofte", "helsingoer"])
def test_deadlines_course_ended_follow_ups(capsys, municipality, ended, follow_ups):
    _, doc, _ = run(
        capsys,
        "deadlines",
        "--municipality",
        municipality,
        "--event",
        "course_ended",
        "--date",
        ended,
    )
    assert doc["follow_ups"] == follow_ups


def test_schedule_anonym_gruppe_fourteen_mondays_skipping_easter_and_whitsun(capsys):
    code, doc, _ = run(
        capsys,
        "schedule",
        "--municipality",
        "helsingoer",
        "--offer",
        "anonym_gruppe",
        "--start",
        "2027-03-01",
    )
    assert code == 0 and doc["offer"] == "anonym_gruppe"
    starts = [s["start"] for s in doc["sessions"]]
    assert len(starts) == 14
    assert starts[0] == "2027-03-01T16:00"
    assert all(s["end"].endswith("T18:00") for s in doc["sessions"])
    assert "2027-03-29T16:00" not in starts  # 2. påskedag
    assert "2027-05-17T16:00" not in starts  # 2. pinsedag
    assert starts[-1] == "2027-06-14T16:00"  # two Mondays later than without holidays


def test_schedule_kokain_hashstop_twice_weekly_after_stop_day(capsys):
    code, doc, _ = run(
        capsys,
        "schedule",
        "--municipality",
        "helsingoer",
        "--offer",
        "kokain_hashstop",
        "--start",
        "2027-01-04",
        "--stop-day",
        "2027-01-18",
    )
    assert code == 0
    days = [s["start"][:10] for s in doc["sessions"]]
    assert len(days) == 14  # 12 weekly + one extra in each of the two weeks after the stop
    assert days == sorted(days)
    in_window = [d for d in days if "2027-01-18" <= d < "2027-02-01"]
    assert len(in_window) == 4


@pytest.mark.slow
def test_whole_process_exit_codes_and_no_traceback():
    exe = [sys.executable, "-m", "rusmiddel.cli"]
    ok = subprocess.run(
        [*exe, "evaluate", "--municipality", "gentofte", "-"],
        input="{}",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ok.returncode == 0, ok.stderr
    assert len(json.loads(ok.stdout)["offers"]) == len(OFFER_IDS["gentofte"])
    bad = subprocess.run(
        [*exe, "evaluate", "--municipality", "gentofte", "-"],
        input="{",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr and bad.stderr.count("\n") == 1
