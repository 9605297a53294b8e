"""Hypothesis fuzzes the standard loader: whatever the file holds — arbitrary text, a seed file
with lines deleted, duplicated, cut or re-indented, or a seed whose parsed data has one value
replaced by another of any type — loading it either gives a valid standard or raises the
loader's own `StandardFileError`, whose every line reads `file:line: field: message`. Never
another exception."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, given, settings
from ruamel.yaml import YAML

from rusmiddel.rules.compiled import CompiledStandard
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


def load_text(text: str | bytes, name: str) -> CompiledStandard | None:
    """Load `text` as a standard file; return the standard, or None after checking that the
    refusal is the loader's own error with one `file:line: field: message` per problem."""
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
