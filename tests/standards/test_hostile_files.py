"""A standard file cannot freeze or exhaust the machine that checks it (issue 17, item 3).

Given a copy of a seed with one part made hostile (an alias bomb, 900 nested lists, a
criterion of nested comprehensions, …), when `rusmiddel standard check` or the loader reads
it, then it is refused with `file:line: field: message` lines, quickly, in little memory,
quoting at most a short excerpt: never a traceback, never a frozen process."""

from __future__ import annotations

import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

import rusmiddel
from hostile_files import BOMBS, REFUSALS, SEED_TEXT, line_of, write
from rusmiddel.rules.expressions import ExpressionError, compile_expression
from rusmiddel.standards.loader import StandardFileError, load_file
from rusmiddel.standards.registry import PACKAGE_DATA

# The limits (docs/standards.md); written out, so that these tests also tell what the loader
# did before it had them.
MAX_FILE_BYTES = 1024 * 1024
MAX_PROBLEMS = 50
MAX_MESSAGE = 400

SRC = str(Path(rusmiddel.__file__).resolve().parents[1])
MEMORY = 1024**3  # what the CLI may have: it stays far below


def run_cli(*args: str, timeout: float) -> subprocess.CompletedProcess:
    """`rusmiddel …` in a process that may use at most MEMORY bytes of address space."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))

    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from rusmiddel.cli import main; sys.exit(main())",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=limit,
        env={"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"},
    )


def refused(path: Path) -> list[str]:
    with pytest.raises(StandardFileError) as caught:
        load_file(path)
    lines = caught.value.lines()
    for line in lines:
        assert re.fullmatch(rf"{re.escape(str(path))}:(\d+|\?): \S.*: \S.*", line), line
        assert len(line) < len(str(path)) + 200 + MAX_MESSAGE, line
    return lines


# --- the three files of the issue, through the command line ---------------------------------


@pytest.mark.slow  # starts subprocesses
@pytest.mark.parametrize("bomb", sorted(BOMBS))
def test_standard_check_refuses_each_bomb_quickly_in_little_memory(tmp_path, bomb):
    text = BOMBS[bomb]()
    assert len(text.encode()) - len(SEED_TEXT.encode()) < 2_000  # a small file: the seed's size
    path = write(tmp_path, text)
    started = time.monotonic()
    done = run_cli("standard", "check", str(path), timeout=10 if bomb == "cel_bomb" else 60)
    assert done.returncode == 2, done.stderr[-2000:]
    assert time.monotonic() - started < 10
    assert "Traceback" not in done.stderr
    assert len(done.stderr) < 1000  # the alias bomb's message was 5 GB
    [line] = done.stderr.splitlines()
    on_line, field, word = REFUSALS[bomb]
    match = re.fullmatch(rf"{re.escape(str(path))}:(\d+): ({re.escape(field)}\S*): (.+)", line)
    assert match, line
    assert on_line in text.splitlines()[int(match[1]) - 1], line
    assert word in match[3]


def test_the_900_nested_lists_are_told_at_their_line(tmp_path):
    text = BOMBS["deep_nesting"]()
    path = write(tmp_path, text)
    [line] = refused(path)
    assert line.startswith(f"{path}:{line_of(text, 'valid_from: [[[')}: valid_from")


def test_nesting_just_below_the_limit_is_an_ordinary_schema_problem(tmp_path):
    path = write(tmp_path, BOMBS["deep_nesting"](30))
    [line] = refused(path)
    assert ": valid_from: " in line and "nested" not in line


# --- the loader's other bounds ---------------------------------------------------------------


def test_the_limits_are_those_written_out_here():
    from rusmiddel.standards import loader

    assert (loader.MAX_FILE_BYTES, loader.MAX_PROBLEMS, loader.MAX_MESSAGE) == (
        MAX_FILE_BYTES,
        MAX_PROBLEMS,
        MAX_MESSAGE,
    )


def test_a_file_over_1_mb_is_refused_before_it_is_read(tmp_path):
    path = write(tmp_path, SEED_TEXT + "#" * MAX_FILE_BYTES)
    [line] = refused(path)
    assert line.startswith(f"{path}:?: (file): the file is ") and "at most 1,048,576" in line


def test_an_alias_inside_what_it_names_is_refused(tmp_path):
    path = write(tmp_path, "a: &a [1, *a]\n" + SEED_TEXT)
    [line] = refused(path)
    assert line.startswith(f"{path}:1: a[1]: ") and "inside the value it names" in line


def test_the_seed_alias_of_helsingoer_still_loads():
    assert "*youth_note" in (PACKAGE_DATA / "helsingoer" / "2024-01-01.yaml").read_text("utf-8")
    assert load_file(PACKAGE_DATA / "helsingoer" / "2024-01-01.yaml").municipality == "helsingoer"


@pytest.mark.parametrize(
    ("value", "message"),
    [("2024-13-45", "month must be in 1..12"), ("9" * 5000, "Exceeds the limit")],
)
def test_a_value_yaml_cannot_make_is_told_at_its_line(tmp_path, value, message):
    text = SEED_TEXT.replace("  phone: 39 98 00 00", f"  phone: {value}")
    path = write(tmp_path, text)
    [line] = refused(path)
    assert line.startswith(f"{path}:{line_of(text, '  phone: ')}: municipality.phone: ")
    assert message in line


def test_a_message_quotes_a_short_excerpt_of_a_huge_value(tmp_path):
    path = write(
        tmp_path, SEED_TEXT.replace("valid_from: 2024-01-01", f"valid_from: {'x' * 500_000}")
    )
    [line] = refused(path)
    assert "(got 'xxxx" in line and len(line) < 400


def test_a_huge_key_is_named_by_an_excerpt(tmp_path):
    path = write(tmp_path, SEED_TEXT + f"? {'k' * 100_000}\n: 1\n")
    [line] = refused(path)
    assert "unknown key" in line and len(line) < 300


def test_at_most_fifty_problems_are_listed(tmp_path):
    path = write(
        tmp_path, SEED_TEXT.replace("providers:\n", "providers: [" + "1, " * 1000 + "]\nx:\n", 1)
    )
    lines = refused(path)
    assert len(lines) == MAX_PROBLEMS + 1
    assert re.search(r": \(file\): \d+ more problems not listed", lines[-1])


# --- expressions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("[1].all(a, [2].all(b, a < b))", "nests comprehensions"),
        (
            "[1].exists(a, true) && [1].filter(a, [2].exists(b, true)).size() > 0",
            "nests comprehensions",
        ),
        ("[1].map(a, a).size() > 0", "uses map"),
        ("(" * 17 + "true" + ")" * 17, "nests brackets 17 deep"),
        ("true || " + "false || " * 200 + "false", "characters long"),
        # a string or a comment cannot hide a comprehension from the count
        (r"r'\' + '' == '' && [1].all(a, [1].all(b, true)) || ''' ' ''' == ''", "nests compre"),
        ("true // it's\n && [1].all(a, [1].all(b, true)) // '", "nests comprehensions"),
        ("person.pregnant ||" + " person.pregnant ||" * 49 + "(" * 100_000, "characters long"),
    ],
)
def test_a_costly_expression_is_refused_before_it_runs(source, message):
    started = time.monotonic()
    with pytest.raises(ExpressionError, match=re.escape(message)):
        compile_expression(source)
    assert time.monotonic() - started < 1


def test_one_comprehension_over_a_fact_still_compiles():
    expression = compile_expression('use.substances.exists(s, s.substance in ["alcohol", "x"])')
    assert expression.paths == ("use.substances",)


@pytest.mark.parametrize(
    ("source", "code"),
    [
        ("'a(' + \"b)\" == x", '"" + "" == x'),
        ("r'\\' + b'\\'' + br'x'", '"" + "" + ""'),
        ("'''x\n'y'\n''' == \"\"\"z\"\"\"", '"" == ""'),
        ("a // b ( c\n(d)", "a  \n(d)"),
        ("abr'x' == rb", 'abr"" == rb'),
    ],
)
def test_code_of_reads_strings_and_comments_as_cel_does(source, code):
    from rusmiddel.rules.expressions import code_of

    assert code_of(source) == code


def test_the_seeds_expressions_are_well_within_the_limits():
    from rusmiddel.rules.expressions import MAX_COMPREHENSIONS, MAX_LENGTH, code_of, nesting
    from rusmiddel.standards.loader import _expressions

    for municipality in ("gentofte", "helsingoer"):
        compiled = load_file(PACKAGE_DATA / municipality / "2024-01-01.yaml")
        for _, source in _expressions(compiled.standard):
            assert len(source) <= MAX_LENGTH // 2
            assert nesting(code_of(source))[1] <= MAX_COMPREHENSIONS


def test_the_worst_expression_within_the_limits_evaluates_in_well_under_a_second():
    """A filter copies its list at every step in this engine: the costliest shape we found."""
    items = "[" + ",".join(["0"] * 450) + "]"
    source = f"{items}.filter(a, true).size() > 0"
    assert len(source) <= 1000
    started = time.process_time()
    compile_expression(source)
    assert time.process_time() - started < 0.5


# --- the hard guard: the check runs in a child process with limits ---------------------------


def fake_child(monkeypatch, code: str) -> None:
    """Make check_file run `code` instead of the loader (after the child's own limits)."""
    from rusmiddel.standards import check

    prefix = (
        f"import sys; sys.path.insert(0, {SRC!r}); from rusmiddel.standards.check import limit; "
    )
    setup = "limit(int(sys.argv[1]), int(sys.argv[2])); "
    monkeypatch.setattr(
        check, "_child_command", lambda: [sys.executable, "-c", prefix + setup + code]
    )


@pytest.mark.slow  # starts subprocesses
def test_a_check_that_runs_too_long_is_stopped_and_told(monkeypatch, tmp_path):
    fake_child(monkeypatch, "exec('while True: pass')")
    started = time.monotonic()
    from rusmiddel.standards.check import check_file

    result = check_file(tmp_path / "x.yaml", name="x.yaml", seconds=1)
    assert time.monotonic() - started < 30
    assert result.lines == [
        "x.yaml:?: (file): checking took more than 1 s of CPU time and was stopped "
        "(an expression or the YAML costs too much)"
    ]


@pytest.mark.slow  # starts subprocesses
def test_a_check_that_needs_too_much_memory_is_stopped_and_told(monkeypatch, tmp_path):
    fake_child(monkeypatch, "b = bytearray(2 * 1024**3)")
    from rusmiddel.standards.check import check_file

    result = check_file(tmp_path / "x.yaml", name="x.yaml", memory=256 * 1024**2)
    [line] = result.lines
    assert line.startswith("x.yaml:?: (file): the check stopped unexpectedly (exit status 1)")
    assert line.endswith("MemoryError")


@pytest.mark.slow  # starts subprocesses
def test_a_check_that_hangs_is_stopped_by_the_clock(monkeypatch, tmp_path):
    fake_child(monkeypatch, "import time; time.sleep(60)")
    from rusmiddel.standards import check

    monkeypatch.setattr(check, "CHECK_WALL_SECONDS", 1)
    [line] = check.check_file(tmp_path / "x.yaml", name="x.yaml").lines
    assert line.startswith("x.yaml:?: (file): checking took more than 1 s and was stopped")


@pytest.mark.slow  # starts subprocesses
def test_the_child_names_the_file_as_asked_and_reports_a_valid_one():
    from rusmiddel.standards.check import check_file

    seed = PACKAGE_DATA / "helsingoer" / "2024-01-01.yaml"
    result = check_file(seed, name="upload.yaml")
    assert result.valid and result.municipality == "helsingoer" and result.offers == 31
    assert result.version and result.version.startswith("2024-01-01+sha256:")


def test_a_mapping_inside_a_list_key_is_the_loaders_error(tmp_path):
    """`? [{b: c}]` makes a key the YAML constructor cannot hash (TypeError): found by the
    loader fuzz test in the full run; told as the file's problem, exit 2, no traceback."""
    path = write(tmp_path, "a:\n  ? [{b: c}]\n  : x\n")
    done = run_cli("standard", "check", str(path), timeout=60)
    assert done.returncode == 2, done.stderr[-2000:]
    assert done.stderr.strip() == (
        f"{path}:?: (file): a key must be plain text, a number or a date, not a list or a mapping"
    )
