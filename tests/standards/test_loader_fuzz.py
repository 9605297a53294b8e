"""Hypothesis fuzzes the standard loader: whatever the file holds — arbitrary text, a seed file
with lines deleted, duplicated, cut or re-indented, or a seed whose parsed data has one value
replaced by another of any type — loading it either gives a valid standard or raises the
loader's own `StandardFileError`, whose every line reads `file:line: field: message`. Never
another exception.

Hostile shapes too (issue 17): nesting up to 1,500 deep, anchors and aliases that multiply,
strings of up to 1.2 MB as any value or key, and nested CEL (comprehensions, strings and
comments that look like code): each is refused or loaded cheaply, with short lines; and the
lexer that bounds an expression's cost reads strings as the CEL engine does."""

from __future__ import annotations

import json
import re
import tempfile
import time
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, given, settings
from ruamel.yaml import YAML

from rusmiddel.rules.compiled import CompiledStandard
from rusmiddel.rules.expressions import (
    COMPREHENSIONS,
    ExpressionError,
    cel,
    code_of,
    compile_expression,
)
from rusmiddel.standards.loader import StandardFileError, load_file
from rusmiddel.standards.registry import PACKAGE_DATA

SEEDS = {m: PACKAGE_DATA / m / "2024-01-01.yaml" for m in ("gentofte", "helsingoer")}
SEED_TEXT = {m: p.read_text(encoding="utf-8") for m, p in SEEDS.items()}
SEED_DATA = {m: YAML(typ="safe").load(text) for m, text in SEED_TEXT.items()}

FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
#: How many files each property loaded (the figure the report gives).
TRIED: dict[str, int] = {}


def load_text(text: str | bytes, name: str, max_line: int | None = None) -> CompiledStandard | None:
    """Load `text` as a standard file; return the standard, or None after checking that the
    refusal is the loader's own error with one `file:line: field: message` per problem (each
    at most `max_line` characters after the path, when given)."""
    TRIED[name] = TRIED.get(name, 0) + 1
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz" / "2024-01-01.yaml"
        path.parent.mkdir()
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "replace"))
        try:
            standard = load_file(path)
        except StandardFileError as exc:
            lines = exc.lines()
            assert lines, "a refusal without a problem"
            for line in lines:
                assert "\n" not in line, line
                assert re.fullmatch(rf"{re.escape(str(path))}:(\d+|\?): .+: \S.*", line), line
                if max_line is not None:
                    assert len(line) - len(str(path)) <= max_line, line[:2000]
            assert str(exc) == "\n".join(lines)
            return None
    assert isinstance(standard, CompiledStandard)
    return standard


# --- arbitrary text ---------------------------------------------------------------------------

yaml_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.dates(),
)
yaml_values = st.recursive(
    yaml_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)


@FUZZ
@given(st.one_of(st.text(max_size=400), st.binary(max_size=200)))
def test_arbitrary_text_is_a_standard_or_the_loaders_error(text):
    assert load_text(text, "arbitrary text") is None  # nothing random is a whole standard


@FUZZ
@given(yaml_values)
def test_arbitrary_yaml_data_is_the_loaders_error(value):
    from io import StringIO

    out = StringIO()
    YAML(typ="safe").dump(value, out)
    assert load_text(out.getvalue(), "arbitrary YAML") is None


# --- mutated seed files -----------------------------------------------------------------------


@st.composite
def mutated_lines(draw) -> str:
    municipality = draw(st.sampled_from(sorted(SEEDS)))
    lines = SEED_TEXT[municipality].splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["delete", "duplicate", "cut", "indent", "value", "text"]))
        if kind == "delete":
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "cut":
            lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))] + "\n"
        elif kind == "indent":
            lines[i] = " " * draw(st.integers(0, 8)) + lines[i].lstrip(" ")
        elif kind == "value" and ": " in lines[i]:
            key = lines[i].split(": ", 1)[0]
            lines[i] = f"{key}: {draw(st.text(max_size=15))}\n".replace("\r", "")
        else:
            lines.insert(i, draw(st.text(max_size=30)) + "\n")
        if not lines:
            break
    return "".join(lines)


@FUZZ
@given(mutated_lines())
def test_a_seed_with_mutated_lines_is_a_standard_or_the_loaders_error(text):
    load_text(text, "mutated lines")


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


SEED_PATHS = {m: _paths(data)[1:] for m, data in SEED_DATA.items()}


@st.composite
def mutated_data(draw) -> str:
    """A seed whose data has one value replaced (or one key removed), dumped back to YAML."""
    import copy
    from io import StringIO

    municipality = draw(st.sampled_from(sorted(SEEDS)))
    data = copy.deepcopy(SEED_DATA[municipality])
    path = draw(st.sampled_from(SEED_PATHS[municipality]))
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    if draw(st.booleans()):
        parent[path[-1]] = draw(yaml_values)
    else:
        del parent[path[-1]]
    out = StringIO()
    YAML(typ="safe").dump(data, out)
    return out.getvalue()


@FUZZ
@given(mutated_data())
def test_a_seed_with_one_value_changed_is_a_standard_or_the_loaders_error(text):
    load_text(text, "mutated data")


def test_the_fuzzers_loaded_both_outcomes():
    """The control: the unmutated seeds load, so the properties above can see both outcomes."""
    for municipality, text in SEED_TEXT.items():
        assert load_text(text, "seed").municipality == municipality
    assert load_text("municipality: [", "seed") is None


def test_an_odd_key_is_named_on_one_line():
    """Found by the fuzzing above: a key with a newline (or a blank one) split the error line."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "2024-01-01.yaml"
        path.write_text('{? "a\\nb" : 1, "": 2}\n', encoding="utf-8")
        with pytest.raises(StandardFileError) as refused:
            load_file(path)
        lines = refused.value.lines()
        assert any("['a\\nb']" in line for line in lines), lines
        assert all("\n" not in line for line in lines), lines


# --- hostile shapes (issue 17): deep nesting, aliases, huge strings, nested CEL ---------------
# Each example must also stay cheap: the loader's bounds (size, depth, aliases expanded, the
# length and nesting of expressions) hold whatever the generator makes.

HOSTILE = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
CPU_SECONDS = 5  # per example, on a busy machine; the bombs these fuzz took minutes


def load_cheaply(text: str | bytes, name: str) -> CompiledStandard | None:
    """`load_text`, within CPU_SECONDS and with every line short."""
    started = time.process_time()
    try:
        return load_text(text, name, max_line=1200)
    finally:
        assert time.process_time() - started < CPU_SECONDS


def _seed_with(draw, value: str) -> str:
    """A seed whose `valid_from`, or a new key, holds `value` (YAML text), or only `value`."""
    text = SEED_TEXT[draw(st.sampled_from(sorted(SEEDS)))]
    where = draw(st.sampled_from(["valid_from", "new key", "document"]))
    if where == "document":
        return value
    if where == "new key":
        return text + f"extra: {value}\n"
    return re.sub(r"(?m)^valid_from: .*$", lambda _: f"valid_from: {value}", text, count=1)


@st.composite
def deep_nesting(draw) -> str:
    openers = draw(st.lists(st.sampled_from(["[", "{a: ", "[[", "{? "]), min_size=1, max_size=8))
    depth = draw(st.integers(1, 1500))
    opened = [openers[i % len(openers)] for i in range(depth)]
    closers = "".join("]" * o.count("[") + "}" * o.count("{") for o in reversed(opened))
    if draw(st.booleans()):
        closers = closers[: draw(st.integers(0, len(closers)))]  # left open: a syntax error
    return _seed_with(draw, "".join(opened) + "1" + closers)


@HOSTILE
@given(deep_nesting())
def test_deep_nesting_is_refused_cheaply(text):
    load_cheaply(text, "deep nesting")


@st.composite
def alias_graphs(draw) -> str:
    """Anchors that repeat earlier ones (a bomb when they multiply), big scalars repeated,
    an alias inside what it names."""
    big = "x" * draw(st.sampled_from([1, 1000, 100_000]))
    lines = [f'a0: &a0 "{big}"']
    count = draw(st.integers(1, 12))
    for i in range(1, count + 1):
        fan = draw(st.integers(1, 12))
        targets = [f"*a{draw(st.integers(0, i - 1))}" for _ in range(fan)]
        if draw(st.integers(0, 9)) == 0:
            targets.append(f"*a{i}")  # inside itself
        lines.append(f"a{i}: &a{i} [{', '.join(targets)}]")
    return "\n".join(lines) + "\n" + _seed_with(draw, f"*a{count}")


@HOSTILE
@given(alias_graphs())
def test_aliases_are_expanded_within_bounds_or_refused(text):
    load_cheaply(text, "aliases")


@st.composite
def huge_strings(draw) -> str:
    """A seed with one value, or one key, replaced by a string of up to 1.2 MB."""
    import copy
    from io import StringIO

    municipality = draw(st.sampled_from(sorted(SEEDS)))
    data = copy.deepcopy(SEED_DATA[municipality])
    path = draw(st.sampled_from(SEED_PATHS[municipality]))
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    chunk = draw(st.text(min_size=1, max_size=12))
    huge = (chunk * (draw(st.integers(1000, 1_200_000)) // len(chunk) + 1))[:1_200_000]
    if isinstance(parent, dict) and draw(st.booleans()):
        parent[huge] = parent.pop(path[-1])
    else:
        parent[path[-1]] = huge
    out = StringIO()
    YAML(typ="safe").dump(data, out)
    return out.getvalue()


@HOSTILE
@given(huge_strings())
def test_a_huge_string_anywhere_is_quoted_by_an_excerpt(text):
    load_cheaply(text, "huge strings")


LEAVES = [
    "true",
    "person.pregnant",
    "age > 17",
    "use.substances.size() > 0",
    '"a(" == "b)"',
    r"r'\' == '\\'",
    "'''it's''' != \"\"",
    "br'x' == b'x'",
]
RANGES = ["[1, 2, 3]", "use.substances", "history.previous_offers", "[[1], [2]]"]


def _join(parts: tuple[str, str, str]) -> str:
    return f"({parts[0]} {parts[1]} {parts[2]})"


cel_expressions = st.recursive(
    st.sampled_from(LEAVES),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["&&", "||"]), inner).map(_join),
        inner.map(lambda e: f"!({e})"),
        inner.map(lambda e: f"({e} // a comment's (\n)"),
        st.tuples(st.sampled_from(RANGES), st.sampled_from(sorted(COMPREHENSIONS)), inner).map(
            lambda t: f"{t[0]}.{t[1]}(v, {t[2]})"
        ),
        st.tuples(inner, st.integers(1, 40)).map(lambda t: "(" * t[1] + t[0] + ")" * t[1]),
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None, database=None)
@given(cel_expressions)
def test_a_nested_expression_compiles_or_is_refused_cheaply(source):
    started = time.process_time()
    try:
        compile_expression(source)
    except ExpressionError as exc:
        assert len(str(exc)) < 300 and "\n" not in str(exc)
    assert time.process_time() - started < 1


@HOSTILE
@given(cel_expressions)
def test_a_nested_expression_in_a_seed_is_a_standard_or_the_loaders_error(source):
    text = SEED_TEXT["gentofte"].replace(
        "when: use.harms_daily_life", f"when: {json.dumps(source)}", 1
    )
    load_cheaply(text, "nested CEL")


@settings(max_examples=400, deadline=None, database=None)
@given(
    st.sampled_from(["", "r", "R", "b", "B", "br", "bR", "Br", "BR", "rb", "x"]),
    st.sampled_from(["'", '"', "'''", '"""']),
    st.text(alphabet="ab'\"\\\n\r()/ r", max_size=12),
)
def test_code_of_reads_a_string_as_cel_does(prefix, quote, body):
    """Where CEL takes `<literal> == <literal> // <body>`, code_of must see what the engine
    sees: strings and an `==` between them exactly when the engine compares (a string it
    misread could hide a comprehension from the cost limits)."""
    literal = prefix + quote + body + quote
    source = f"{literal} == {literal} // {body}"
    try:
        program = cel.compile(source)
    except ValueError:
        return  # not CEL
    # what code_of leaves outside strings: an `==` exactly when the engine compares (a body
    # that closes the quote early leaves code of its own, e.g. `""/"" == ""/""`, which the
    # engine reads as division of two strings; the body's alphabet holds no `=`)
    compares = "".join(ch for ch in code_of(source) if ch == "=")
    assert compares == ("==" if "_==_" in program.functions() else ""), (source, code_of(source))
