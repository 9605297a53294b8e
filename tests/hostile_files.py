"""Hostile standard files (issue 17), each a copy of the Gentofte seed with one part
replaced, so that everything else in it is valid: what the loader meets is the attack."""

from __future__ import annotations

from pathlib import Path

from rusmiddel.standards.registry import PACKAGE_DATA

SEED = PACKAGE_DATA / "gentofte" / "2024-01-01.yaml"
SEED_TEXT = SEED.read_text(encoding="utf-8")
VALID_FROM = "valid_from: 2024-01-01"


def _replace(old: str, new: str, text: str = SEED_TEXT) -> str:
    assert text.count(old) >= 1, old
    return text.replace(old, new, 1)


def line_of(text: str, needle: str) -> int:
    """1-based line of the first line containing `needle`."""
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


def alias_bomb() -> str:
    """Nine anchors, each a list repeating the one before nine times: 44 kB of file, 387
    million strings when expanded, and `valid_from` (whose error quoted its value) names it."""
    anchors = ['a0: &a0 ["lollollollollollollollollol","lol","lol","lol","lol","lol","lol","lol"]']
    anchors += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    return "\n".join(anchors) + "\n" + _replace(VALID_FROM, "valid_from: *a9")


def deep_nesting(depth: int = 900) -> str:
    """`valid_from: [[[ … ]]]`, `depth` lists inside one another."""
    return _replace(VALID_FROM, "valid_from: " + "[" * depth + "]" * depth)


def cel_bomb(depth: int = 8) -> str:
    """A criterion of `depth` nested all() over ten-item lists: 10**depth steps (8: 18 s)."""
    ten = "[" + ",".join(str(i) for i in range(10)) + "]"
    expression = "true"
    for variable in "abcdefghijklmnop"[:depth]:
        expression = f"{ten}.all({variable}, {expression})"
    # the target group's second criterion (drugs, not alcohol alone)
    drugs = 'when: use.substances.exists(s, !(s.substance in ["alcohol", "performance_enhancing"]))'
    return _replace(drugs, f'when: "{expression}"')


BOMBS = {"alias_bomb": alias_bomb, "deep_nesting": deep_nesting, "cel_bomb": cel_bomb}

#: What each bomb's refusal names: (a text on the line it is told at, the start of the
#: field, a word of the message).
REFUSALS = {
    "alias_bomb": ("&a", "a", "aliases"),
    "deep_nesting": ("valid_from: [[[", "valid_from", "nested more than"),
    "cel_bomb": ('when: "[0,1,2', "target_group.criteria[1].when", "comprehensions"),
}

HOSTILE_TEXT = (
    "<script>alert('tekst')</script> <img src=x onerror=alert(1)> "
    "[klik](javascript:alert(1)) [data](data:text/html;base64,PHNjcmlwdD4=) "
    "[vb](VBScript:msgbox) [tab](java&#09;script:alert(1)) "
    "[Gentofte](https://www.gentofte.dk) [skriv](mailto:rusmiddel@gentofte.dk) "
)


def hostile_text(municipality: str = "testby") -> str:
    """The seed as `municipality`'s, with raw HTML and unsafe links in its text: an offer's
    description and the title of a text section."""
    text = _replace("  id: gentofte\n", f"  id: {municipality}\n")
    old = "      Hvis borgeren har brug for rådgivning"
    text = _replace(old, "      " + HOSTILE_TEXT + old.lstrip(), text)
    return _replace("  - title: Indledning", '  - title: "Indledning <b onclick=x>fed</b>"', text)


def write(folder: Path, text: str, municipality: str = "gentofte") -> Path:
    path = folder / municipality / "2024-01-01.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
