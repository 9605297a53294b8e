"""`standard check`: a broken copy of each standard names the file, the line and the field."""

import re
import shutil
from pathlib import Path

import pytest

from rusmiddel.cli import main
from rusmiddel.standards.loader import StandardFileError, load_file
from rusmiddel.standards.registry import PACKAGE_DATA

SEEDS = {m: PACKAGE_DATA / m / "2024-01-01.yaml" for m in ("gentofte", "helsingoer")}


def broken_copy(tmp_path: Path, municipality: str, pattern: str, replace) -> tuple[Path, int]:
    """Copy the seed file, change the first line matching `pattern`; return (copy, line no.)."""
    lines = SEEDS[municipality].read_text(encoding="utf-8").splitlines(keepends=True)
    for number, line in enumerate(lines, start=1):
        if re.search(pattern, line):
            lines[number - 1] = replace(line)
            break
    else:
        raise AssertionError(f"no line matches {pattern!r}")
    target = tmp_path / municipality / "2024-01-01.yaml"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("".join(lines), encoding="utf-8")
    return target, number


def problems_of(path: Path) -> list[str]:
    with pytest.raises(StandardFileError) as caught:
        load_file(path)
    return caught.value.lines()


@pytest.mark.parametrize("municipality", SEEDS)
def test_seed_files_are_valid(municipality):
    assert load_file(SEEDS[municipality]).municipality == municipality


def test_valid_files_are_read_by_the_c_parser_and_read_the_same_as_by_the_pure_one():
    """The fast path (`YAML(typ="safe")`) is ruamel.yaml's C parser, a dependency of its own
    since ruamel.yaml 0.19: without it the national register extract reads 98 standards
    about four times slower."""
    from ruamel.yaml import YAML
    from ruamel.yaml.main import CParser

    assert CParser is not None and YAML(typ="safe").Parser is CParser
    for seed in SEEDS.values():
        raw = seed.read_bytes()
        assert YAML(typ="safe").load(raw) == YAML(typ="safe", pure=True).load(raw)


@pytest.mark.parametrize("municipality", SEEDS)
def test_misspelt_fact_in_a_criterion(tmp_path, municipality):
    path, line = broken_copy(
        tmp_path,
        municipality,
        r"^\s+when: .*\buse\.level\b",
        lambda s: s.replace("use.level", "use.levle", 1),
    )
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:{line}: ")
    assert re.search(r"\.when: unknown fact 'use\.levle'", problem)


@pytest.mark.parametrize("municipality", SEEDS)
def test_cel_syntax_error(tmp_path, municipality):
    path, line = broken_copy(
        tmp_path, municipality, r"^\s+when: ", lambda s: s.rstrip("\n") + " &&\n"
    )
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:{line}: ")
    assert "not a valid CEL expression" in problem


@pytest.mark.parametrize("municipality", SEEDS)
def test_unknown_key_names_line_and_path(tmp_path, municipality):
    path, line = broken_copy(
        tmp_path,
        municipality,
        r"^\s+guarantee: ",
        lambda s: s.replace("guarantee:", "guarante:", 1),
    )
    lines = problems_of(path)
    assert any(
        p.startswith(f"{path}:{line}: offers[") and ".guarante: unknown key" in p for p in lines
    )
    # the real key is now missing too: both are reported, not just the first
    assert any(".guarantee: required field is missing" in p for p in lines)


@pytest.mark.parametrize("municipality", SEEDS)
def test_wrong_type_names_the_field(tmp_path, municipality):
    path, line = broken_copy(
        tmp_path, municipality, r"^\s+complaint_weeks: ", lambda s: re.sub(r"\d+", "fire", s)
    )
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:{line}: deadlines.complaint_weeks: ")


@pytest.mark.parametrize("municipality", SEEDS)
def test_unknown_provider_reference(tmp_path, municipality):
    path, line = broken_copy(
        tmp_path,
        municipality,
        r"^\s+providers: \[",
        lambda s: s.replace("[", "[ukendt_leverandoer, ", 1),
    )
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:{line}: offers[")
    assert "unknown provider 'ukendt_leverandoer'" in problem


@pytest.mark.parametrize("municipality", SEEDS)
def test_yaml_syntax_error_names_the_line(tmp_path, municipality):
    path, line = broken_copy(tmp_path, municipality, r"^title: ", lambda s: "title: [unclosed\n")
    [problem] = problems_of(path)
    assert "YAML syntax error" in problem
    assert re.match(rf"{re.escape(str(path))}:\d+: ", problem)


@pytest.mark.parametrize("municipality", SEEDS)
def test_a_problem_is_named_where_only_the_c_parser_reads_the_file(tmp_path, municipality):
    """libyaml reads a tab after `id:` (an empty id); ruamel.yaml's round-trip reader, used
    for line numbers, does not. The file's real problem is still the one reported."""
    path, _ = broken_copy(
        tmp_path, municipality, r"^\s+- id: ", lambda s: s[: s.index("id:")] + "id: \t\n"
    )
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:?: target_group.criteria[0].id: "), problem  # no line


def test_file_that_is_not_a_mapping(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("- a list\n", encoding="utf-8")
    [problem] = problems_of(path)
    assert "must hold a mapping" in problem


def test_standard_check_cli_exit_codes(tmp_path, capsys):
    assert main(["standard", "check", *map(str, SEEDS.values())]) == 0
    assert "OK" in capsys.readouterr().out
    path, line = broken_copy(
        tmp_path, "gentofte", r"^\s+complaint_weeks: ", lambda s: re.sub(r"\d+", "fire", s)
    )
    assert main(["standard", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:{line}: deadlines.complaint_weeks" in err


def test_registry_rejects_a_file_named_unlike_its_valid_from(tmp_path, monkeypatch):
    from rusmiddel.rules import RulesError
    from rusmiddel.standards.registry import load

    folder = tmp_path / "testby"
    folder.mkdir()
    shutil.copy(SEEDS["gentofte"], folder / "2025-01-01.yaml")
    monkeypatch.setenv("RUSMIDDEL_STANDARDS_PATH", str(tmp_path))
    import datetime as dt

    with pytest.raises(RulesError) as caught:
        load("testby", dt.date(2026, 1, 1))
    message = str(caught.value)
    assert "valid_from: must match the file name (2025-01-01)" in message
    assert "municipality.id: must match the folder name (testby)" in message
