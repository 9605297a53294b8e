"""Legal citations in a standard file: read them, warn about outdated ones, show the seed's
own wording beside the current one.

A standard file cites the current numbering (`legal_bases[].citation`, offers'
`legal_basis`) and keeps the seed's own, sometimes older, wording in `seed_wording` on the
`legal_bases` entry of that citation. `citations.yaml` beside this module lists paragraphs
that were repealed or renumbered, with the day they stopped being right; `rusmiddel standard
check` warns where a file still cites one (file:line: field: advarsel: …). The seed's
wording kept on purpose does not warn: `seed_wording`, `section` and `reading` quote the
seed, and a citation written after "tidligere", "seedet:" or "standarden:" is a former one
by its own words.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from .schema import Standard

REGISTER = Path(__file__).with_name("citations.yaml")

#: Fields that quote the seed: an old citation there is the seed's wording, kept on purpose.
QUOTING_FIELDS = frozenset({"seed_wording", "section", "reading"})

_LAWS = (
    ("SEL", r"SEL|servicelov(?:en|ens)?|lov om social service"),
    ("barnets lov", r"barnets\s+lovs?"),
    ("SUL", r"SUL|sundhedslov(?:en|ens)?"),
    ("retssikkerhedsloven", r"retssikkerhedslov(?:en|ens)?"),
    ("forvaltningsloven", r"forvaltningslov(?:en|ens)?"),
)
_NUM = r"\d+(?:\s?[a-g](?![\wæøå]))?"
_TOKEN = re.compile(
    r"(?P<law>\b(?:" + "|".join(f"(?P<L{i}>{p})" for i, (_, p) in enumerate(_LAWS)) + r")\b)"
    r"|(?P<many>§§)\s*(?P<nums>" + _NUM + r"(?:\s*(?:-|–|,|og|eller)\s*" + _NUM + r")*)"
    r"|(?P<one>§)\s*(?P<num>" + _NUM + r"(?:\s*[-–]\s*" + _NUM + r")?)"
    r"(?P<stk>\s*,?\s*stk\.\s*\d+(?:\s*(?:-|–|og)\s*\d+)?)?",
    re.IGNORECASE,
)
#: A former citation by its own words: from the marker to the end of its parenthesis,
#: clause or sentence.
_MARKER = re.compile(r"\b(?:tidligere|seedet:|standarden:|standardens ordlyd:?)", re.IGNORECASE)
_SCOPE_END = re.compile(r"[);]|\.\s+(?=[A-ZÆØÅ])")


@dataclass(frozen=True)
class Ref:
    """One paragraph cited: law (None when the text names none), § and the stk. given."""

    law: str | None
    paragraph: str  # "101", "101a"
    stk: frozenset[int] | None
    start: int
    text: str  # as written, e.g. "§ 52, stk. 3"
    former: bool = False  # written as a former citation ("tidligere …")

    def covers(self, other: Ref) -> bool:
        """Same law (where both name one), same §, and `other`'s stk. within ours."""
        if self.paragraph != other.paragraph:
            return False
        if self.law and other.law and self.law != other.law:
            return False
        if self.stk is None:
            return True
        return other.stk is not None and bool(self.stk & other.stk)


def _paragraphs(raw: str) -> list[str]:
    """ "10-11" → ["10", "11"]; "141 og 142" → both; "101 a" → ["101a"]."""
    parts = [p.replace(" ", "").lower() for p in re.split(r"\s*(?:,|og|eller)\s*", raw)]
    out: list[str] = []
    for part in parts:
        bounds = re.split(r"[-–]", part)
        if len(bounds) == 2 and bounds[0].isdigit() and bounds[1].isdigit():
            low, high = int(bounds[0]), int(bounds[1])
            if 0 < high - low <= 20:
                out += [str(n) for n in range(low, high + 1)]
                continue
        out += [b for b in bounds if b]
    return out


def _stk(raw: str | None) -> frozenset[int] | None:
    if not raw:
        return None
    numbers = [int(n) for n in re.findall(r"\d+", raw)]
    if len(numbers) == 2 and re.search(r"[-–]", raw):
        return frozenset(range(numbers[0], numbers[1] + 1))
    return frozenset(numbers)


def parse(text: str) -> list[Ref]:
    """Every paragraph `text` cites. A § without a law inherits the last law named before it
    in the same text ("SEL § 101, jf. § 107")."""
    scopes = [
        (m.start(), (e.start() if (e := _SCOPE_END.search(text, m.end())) else len(text)))
        for m in _MARKER.finditer(text)
    ]
    law: str | None = None
    refs: list[Ref] = []
    for token in _TOKEN.finditer(text):
        if token.group("law"):
            law = next(name for i, (name, _) in enumerate(_LAWS) if token.group(f"L{i}"))
            continue
        former = any(a <= token.start() < b for a, b in scopes)
        raw = token.group("nums") if token.group("many") else token.group("num")
        stk = None if token.group("many") else _stk(token.group("stk"))
        for paragraph in _paragraphs(raw):
            refs.append(Ref(law, paragraph, stk, token.start(), token.group(0).strip(), former))
    return refs


# --- the seed's wording beside the current citation ----------------------------------------


def _within(inner: list[Ref], outer: list[Ref]) -> bool:
    """Every paragraph of `inner` is one of `outer`'s, with its stk. among theirs."""
    return bool(inner) and all(
        any(
            i.paragraph == o.paragraph
            and (not i.law or not o.law or i.law == o.law)
            and (i.stk == o.stk or (i.stk is not None and o.stk is not None and i.stk <= o.stk))
            for o in outer
        )
        for i in inner
    )


def seed_wording(standard: Standard, citation: str) -> str | None:
    """The seed's own citation kept beside `citation` in the standard's `legal_bases`
    (`seed_wording`), where it names a paragraph the current one does not: older numbering,
    another law. A citation spanning several entries ("SEL § 101, stk. 5-7") gathers theirs.
    None where the seed cites within the current citation or gives no paragraph."""
    refs = parse(citation)
    found: list[str] = []
    for basis in standard.legal_bases:
        if basis.citation != citation and not _within(parse(basis.citation), refs):
            continue
        if not basis.seed_wording:
            continue
        wording = " ".join(basis.seed_wording.split())
        current = parse(basis.citation)
        named = parse(wording)
        differs = named and not all(any(c.covers(n) for c in current) for n in named)
        if differs and wording not in found:
            found.append(wording)
    return "; ".join(found) or None


def with_seed_wording(standard: Standard, citations: Iterable[str]) -> list[str]:
    """Each current citation, with the seed's own where it differs:
    "barnets lov § 33 (standarden: servicelovens § 52, stk. 3 nr. 3 eller nr. 9)"."""
    out = []
    for citation in citations:
        wording = seed_wording(standard, citation)
        out.append(f"{citation} (standarden: {wording})" if wording else citation)
    return out


# --- outdated citations ----------------------------------------------------------------------


@dataclass(frozen=True)
class Outdated:
    """A repealed or renumbered paragraph (an entry of citations.yaml)."""

    old: str
    refs: tuple[Ref, ...]
    replaced_by: str
    since: dt.date
    source: str
    context: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def register() -> tuple[Outdated, ...]:
    """The entries of citations.yaml."""
    data = YAML(typ="safe").load(REGISTER.read_bytes())
    out = []
    for entry in data["outdated"]:
        refs = tuple(parse(entry["old"]))
        if not refs:  # pragma: no cover - a typo in citations.yaml
            raise ValueError(f"citations.yaml: cannot read the citation {entry['old']!r}")
        out.append(
            Outdated(
                old=entry["old"],
                refs=refs,
                replaced_by=" ".join(entry["replaced_by"].split()),
                since=entry["since"],
                source=" ".join(entry["source"].split()),
                context=tuple(c.lower() for c in entry.get("context") or ()),
            )
        )
    return tuple(out)


def outdated_in(text: str, where: str, on: dt.date) -> list[tuple[Ref, Outdated]]:
    """The outdated citations in `text` (a field at path `where`) of a standard in force
    on `on`: each (the citation as written, the register's entry)."""
    found = []
    haystack = f"{text} {where}".lower()
    for ref in parse(text):
        if ref.former:
            continue
        for entry in register():
            if entry.since > on:
                continue
            if entry.context and not any(c in haystack for c in entry.context):
                continue
            if any(old.covers(ref) for old in entry.refs) and ref.law is not None:
                found.append((ref, entry))
                break
    return found


@dataclass(frozen=True)
class Warning:
    """Something to look at in a valid file; told as file:line: field: advarsel: message."""

    path: str
    message: str
    line: int | None = None


def _strings(node: Any, loc: tuple, line: int | None) -> Iterator[tuple[tuple, str, int | None]]:
    """Every string in the round-trip tree with its path and the line it starts on."""
    if isinstance(node, CommentedMap):
        for key, value in node.items():
            if key in QUOTING_FIELDS:
                continue
            at = node.lc.value(key)[0] + 1 if node.lc.data.get(key) else line
            yield from _strings(value, (*loc, key), at)
    elif isinstance(node, CommentedSeq):
        for i, value in enumerate(node):
            at = node.lc.item(i)[0] + 1 if i in node.lc.data else line
            yield from _strings(value, (*loc, i), at)
    elif isinstance(node, str):
        yield loc, node, line


def _dotted(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _token(ref: Ref) -> re.Pattern[str]:
    """The cited § as it stands in the text ("§ 52", "§§ 10"), however the lines fold."""
    sign, number = re.match(r"(§§?)\s*(\d+)", ref.text).groups()  # type: ignore[union-attr]
    return re.compile(re.escape(sign) + r"\s*" + number + r"(?!\d)")


def _line_of(lines: list[str], start: int | None, text: str, ref: Ref) -> int | None:
    """The line, in a (folded) scalar starting on line `start`, where `ref` stands: the
    n'th occurrence of its § from `start` on, n counted in `text`; `start` when not found."""
    if start is None:
        return None
    token = _token(ref)
    before = len(token.findall(text[: ref.start]))
    seen = 0
    for number in range(start, min(start + 60, len(lines) + 1)):
        for _ in token.finditer(lines[number - 1]):
            if seen == before:
                return number
            seen += 1
    return start


def warnings_of(raw: bytes, on: dt.date | None = None) -> list[Warning]:
    """The outdated citations of one standard file (its bytes). `on` defaults to the file's
    `valid_from`. A file that is not YAML has none (its errors are told elsewhere)."""
    try:
        tree = YAML(typ="rt").load(raw)
    except (YAMLError, TypeError, ValueError):  # told as the file's problems, with lines
        return []
    if not isinstance(tree, CommentedMap):
        return []
    if on is None:
        valid_from = tree.get("valid_from")
        on = valid_from if isinstance(valid_from, dt.date) else dt.date.today()
    lines = raw.decode("utf-8", errors="replace").splitlines()
    out = []
    for loc, text, line in _strings(tree, (), None):
        where = _dotted(loc)
        for ref, entry in outdated_in(text, where, on):
            at = _line_of(lines, line, text, ref)
            cited = " ".join(ref.text.split())
            if ref.law and not cited.lower().startswith(ref.law.lower()):
                cited = f"{ref.law} {cited}"
            out.append(
                Warning(
                    where,
                    f"advarsel: '{cited}' er forældet siden {entry.since:%d.%m.%Y}: brug "
                    f"{entry.replaced_by} (kilde: {entry.source.rstrip('.')}). Er det "
                    "standardens egen ordlyd, så hold den i seed_wording eller skriv "
                    "'tidligere' foran.",
                    at,
                )
            )
    return out


def warning_lines(file: str | Path, warnings: Iterable[Warning]) -> list[str]:
    """`file:line: field: advarsel: message`, as `standard check` prints them."""
    return [
        f"{file}:{w.line if w.line is not None else '?'}: {w.path}: {w.message}" for w in warnings
    ]
