"""Hypothesis fuzzes the pure-rules commands of the CLI contract (`evaluate`, `deadlines`,
`schedule`): any argument values and any JSON facts either answer exit 0 with one JSON
document on stdout, or exit 2 with exactly one line on stderr and nothing on stdout. Never a
traceback, never another exit code. The CLI's `main` runs in-process, for speed."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import hypothesis.strategies as st
from hypothesis import HealthCheck, given, settings
from hypothesis_jsonschema import from_schema

from rusmiddel.cli import EVENTS, main
from support import OFFER_IDS

SCHEMA = json.loads(
    (Path(__file__).parents[2] / "src/rusmiddel/rules/assessment.schema.json").read_text("utf-8")
)
FUZZ = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
#: How many command lines each property ran (the figure the report gives).
TRIED: dict[str, int] = {}
OUTCOMES: set[int] = set()


def run(argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    """main(argv) with stdin, answering (exit code, stdout, stderr); checks the contract."""
    out, err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8"), io.StringIO()
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = io.StringIO(stdin), out, err
    try:
        code = main(argv)
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
    out.flush()
    stdout = out.buffer.getvalue().decode("utf-8")
    stderr = err.getvalue()
    TRIED[argv[0]] = TRIED.get(argv[0], 0) + 1
    OUTCOMES.add(code)
    if code == 0:
        assert isinstance(json.loads(stdout), dict), stdout
        assert stderr == "", stderr
    else:
        assert code == 2, (code, stderr)
        assert stdout == "", stdout
        assert stderr.endswith("\n") and stderr.count("\n") == 1, repr(stderr)
        assert stderr.strip(), "an error without a message"
        assert "Traceback" not in stderr
    return code, stdout, stderr


ALL_OFFERS = sorted({o for ids in OFFER_IDS.values() for o in ids})
some_text = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"))
municipalities = st.one_of(st.sampled_from(["gentofte", "helsingoer"]), some_text)
dates = st.one_of(st.dates().map(lambda d: d.isoformat()), some_text)
offers = st.one_of(st.sampled_from(ALL_OFFERS), some_text)


def option(name: str, values) -> st.SearchStrategy[list[str]]:
    """`[name, value]`, or nothing (an option left out)."""
    return st.one_of(st.just([]), values.map(lambda v: [name, v]))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | some_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(some_text, inner, max_size=3),
    max_leaves=10,
)
facts_documents = st.one_of(
    from_schema(SCHEMA).map(json.dumps),  # valid facts
    st.dictionaries(st.sampled_from(sorted(SCHEMA.get("properties", {"x": 0}))), json_values).map(
        json.dumps
    ),  # the right sections, anything in them
    json_values.map(json.dumps),
    some_text,  # not JSON at all
)


@FUZZ
@given(
    municipality=option("--municipality", municipalities),
    on=option("--on", dates),
    facts=facts_documents,
)
def test_evaluate_answers_json_or_one_line(municipality, on, facts):
    run(["evaluate", *municipality, *on, "-"], stdin=facts)


@FUZZ
@given(
    municipality=option("--municipality", municipalities),
    event=option("--event", st.one_of(st.sampled_from(EVENTS), some_text)),
    date=option("--date", dates),
    offer=option("--offer", offers),
    channel=option("--channel", st.sampled_from(["digital_post", "post", "quickpost", "fax"])),
)
def test_deadlines_answers_json_or_one_line(municipality, event, date, offer, channel):
    run(["deadlines", *municipality, *event, *date, *offer, *channel])


@FUZZ
@given(
    municipality=option("--municipality", municipalities),
    offer=option("--offer", offers),
    start=option("--start", dates),
    stop_day=option("--stop-day", dates),
)
def test_schedule_answers_json_or_one_line(municipality, offer, start, stop_day):
    run(["schedule", *municipality, *offer, *start, *stop_day])


def test_the_fuzzers_can_see_both_outcomes():
    """The controls: a valid and an invalid command line of each kind."""
    assert run(["evaluate", "--municipality", "gentofte", "-"], stdin="{}")[0] == 0
    assert run(["evaluate", "--municipality", "gentofte", "-"], stdin="{")[0] == 2
    ok = ["deadlines", "--municipality", "gentofte", "--event", "contact", "--date", "2026-11-24"]
    assert run(ok)[0] == 0
    assert run([*ok[:-1], "2026-02-30"])[0] == 2
    schedule = ["schedule", "--municipality", "helsingoer", "--offer", "anonym_gruppe"]
    assert run([*schedule, "--start", "2027-01-04"])[0] == 0
    assert run([*schedule, "--start", "someday"])[0] == 2
