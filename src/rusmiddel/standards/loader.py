"""Read one standard file, validate it, compile its expressions.

Errors name the file, the line and the field path (`offers[3].criteria[0].when`), so an
administrator can fix the file in an editor. Loading is on the hot path of every CLI
call, so the common case (a valid file) uses the fast YAML reader; only a file with
problems is read again with line information.

A file is data from outside (an administrator's upload), so reading it is bounded before
anything is built from it: its size, how deep it nests, and how much its YAML aliases
repeat (`_guard`); the expressions by their length and nesting (`compile_expression`). A
refusal quotes at most a short excerpt of what it refuses, and lists at most
`MAX_PROBLEMS` problems.
"""

from __future__ import annotations

import hashlib
import re
import reprlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

from rusmiddel.rules.compiled import CompiledStandard
from rusmiddel.rules.errors import ErrorCode, RulesError
from rusmiddel.rules.expressions import Expression, ExpressionError, compile_expression

from .schema import Standard

Loc = tuple[str | int, ...]

#: A standard file is some 45-75 kB; the upload under Administration has the same limit.
MAX_FILE_BYTES = 1024 * 1024
#: Nesting of lists and mappings; the seeds nest 6 deep. Well below what would exhaust
#: Python's stack in the YAML readers and the schema (900 levels did).
MAX_DEPTH = 32
#: Values (scalars, lists, mappings) with every alias expanded; the seeds hold 1,131 and
#: 2,585. Aliases (`*name`) may repeat what an anchor (`&name`) names, but not multiply it.
MAX_VALUES = 50_000
#: Characters of text with every alias expanded: twice what the file itself may hold.
MAX_TEXT = 2 * MAX_FILE_BYTES
#: Characters of a file's expressions in all (each counted once): the limits on one
#: expression (rules.expressions) bound its cost, this bounds their sum. The seeds: 3,189.
MAX_EXPRESSION_TEXT = 20_000
#: Problems listed; the rest are counted. Fixing the first usually fixes many of the others.
MAX_PROBLEMS = 50
#: The longest excerpt of a value or a key a message quotes, and the longest message.
EXCERPT = 80
MAX_MESSAGE = 400

_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = EXCERPT - 20
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = 4
_REPR.maxlevel = 2


def short(text: str, limit: int = EXCERPT) -> str:
    """`text` cut to at most `limit` characters, ending with "…" where it was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def excerpt(value: Any) -> str:
    """A short repr of any value, however large (a list of a million items included)."""
    try:
        return short(_REPR.repr(value))
    except ValueError:  # an int too long to print
        return f"<{type(value).__name__}>"


@dataclass(frozen=True)
class Problem:
    loc: Loc
    message: str
    line: int | None = None

    @property
    def path(self) -> str:
        out = ""
        for part in self.loc:
            if isinstance(part, str):
                part = short(part, 40)
            if isinstance(part, int):
                out += f"[{part}]"
            elif not (isinstance(part, str) and re.fullmatch(r"[\w-]+", part)):
                out += f"[{excerpt(part)}]"  # an odd key (blank, a newline, not text): one line
            else:
                out += f".{part}" if out else part
        return out or "(file)"


class StandardFileError(RulesError):
    """A standard file that does not validate; `problems` lists every error found."""

    code = ErrorCode.INVALID_STANDARD

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems[:MAX_PROBLEMS]
        if len(problems) > MAX_PROBLEMS:
            more = len(problems) - MAX_PROBLEMS
            self.problems.append(Problem((), f"{more} more problems not listed; fix these first"))
        super().__init__("\n".join(self.lines()))

    def rows(self) -> list[tuple[int | None, str, str]]:
        """(line, field, message) per problem, the message on one line and short."""
        return [
            (p.line, p.path, short(" ".join(p.message.split()), MAX_MESSAGE)) for p in self.problems
        ]

    def lines(self, name: str | None = None) -> list[str]:
        """One `file:line: field: message` per problem; `name` stands for the file's path."""
        return [problem_line(self.path if name is None else name, *row) for row in self.rows()]


def problem_line(name: str | Path, line: int | None, field: str, message: str) -> str:
    """The one format every problem is told in: `file:line: field: message`."""
    return f"{name}:{line if line is not None else '?'}: {field}: {message}"


def _pydantic_message(error: dict[str, Any]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown key (not part of the standard format)"
    if kind == "missing":
        return "required field is missing"
    message = error["msg"].removeprefix("Value error, ")
    value = error.get("input")
    if kind.startswith(("literal_", "enum", "string_pattern", "int_", "float_", "bool_", "date_")):
        return f"{message} (got {excerpt(value)})"
    return message


def _expressions(standard: Standard) -> Iterator[tuple[Loc, str]]:
    """Every CEL expression in the standard, with where it stands."""
    for i, c in enumerate(standard.target_group.criteria):
        yield ("target_group", "criteria", i, "when"), c.when
    for i, c in enumerate(standard.treatment_criteria):
        yield ("treatment_criteria", i, "when"), c.when
    for i, offer in enumerate(standard.offers):
        for j, c in enumerate(offer.criteria):
            yield ("offers", i, "criteria", j, "when"), c.when
    for i, a in enumerate(standard.actions):
        yield ("actions", i, "when"), a.when
    for i, p in enumerate(standard.priorities):
        yield ("priorities", i, "when"), p.when


def _duplicates(items: list[Any], attr: str, where: Loc) -> Iterator[Problem]:
    seen: set[str] = set()
    for i, item in enumerate(items):
        value = getattr(item, attr)
        if value in seen:
            yield Problem((*where, i, attr), f"duplicate id '{value}'")
        seen.add(value)


def _same_titles(offers: list[Any]) -> Iterator[Problem]:
    """Two offers by one title read as one in every list a user picks from (and in letters):
    each needs a title of its own."""
    seen: dict[str, str] = {}
    for i, offer in enumerate(offers):
        title = " ".join(offer.title.split()).casefold()
        if title in seen:
            yield Problem(
                ("offers", i, "title"),
                f"the title '{offer.title}' is also the title of offer '{seen[title]}': "
                "give each offer a title of its own",
            )
        seen.setdefault(title, offer.id)


def _references(standard: Standard) -> Iterator[Problem]:
    """Ids that must point at something the file defines."""
    providers = {p.id for p in standard.providers}
    routes = {r.id for r in standard.complaint_routes}
    payments = {s.id for s in standard.self_payment}
    offers = {o.id for o in standard.offers}
    yield from _duplicates(standard.offers, "id", ("offers",))
    yield from _same_titles(standard.offers)
    yield from _duplicates(standard.providers, "id", ("providers",))
    yield from _duplicates(standard.complaint_routes, "id", ("complaint_routes",))
    yield from _duplicates(standard.actions, "id", ("actions",))
    yield from _duplicates(standard.priorities, "id", ("priorities",))
    yield from _duplicates(standard.target_group.criteria, "id", ("target_group", "criteria"))
    yield from _duplicates(standard.treatment_criteria, "id", ("treatment_criteria",))
    if standard.outcome_measures is not None:
        yield from _duplicates(
            standard.outcome_measures.instruments, "id", ("outcome_measures", "instruments")
        )
    if standard.default_complaint_route not in routes:
        yield Problem(
            ("default_complaint_route",),
            _unknown("complaint route", standard.default_complaint_route, routes),
        )
    for i, offer in enumerate(standard.offers):
        yield from _duplicates(offer.criteria, "id", ("offers", i, "criteria"))
        for j, provider in enumerate(offer.providers):
            if provider not in providers:
                yield Problem(
                    ("offers", i, "providers", j), _unknown("provider", provider, providers)
                )
        if offer.complaint_route is not None and offer.complaint_route not in routes:
            yield Problem(
                ("offers", i, "complaint_route"),
                _unknown("complaint route", offer.complaint_route, routes),
            )
        if offer.self_payment is not None and offer.self_payment not in payments:
            yield Problem(
                ("offers", i, "self_payment"),
                _unknown("self-payment rule", offer.self_payment, payments),
            )
    for i, priority in enumerate(standard.priorities):
        for j, offer_id in enumerate(priority.offers):
            if offer_id not in offers:
                yield Problem(("priorities", i, "offers", j), _unknown("offer", offer_id, offers))


def _unknown(kind: str, value: str, known: set[str]) -> str:
    names = [short(k, 40) for k in sorted(known)]
    listed = ", ".join(names[:12]) + (f", … ({len(names)} in all)" if len(names) > 12 else "")
    return f"unknown {kind} '{short(value, 40)}' (defined: {listed or 'none'})"


def validate(data: Any) -> tuple[Standard | None, dict[str, Expression], list[Problem]]:
    """Validate parsed YAML: the schema, then references, then every expression."""
    if not isinstance(data, dict):
        return None, {}, [Problem((), "the file must hold a mapping (key: value) at the top")]
    try:
        standard = Standard.model_validate(data)
    except ValidationError as exc:
        return (
            None,
            {},
            [Problem(tuple(e["loc"]), _pydantic_message(e)) for e in exc.errors(include_url=False)],
        )
    problems = list(_references(standard))
    compiled: dict[str, Expression] = {}
    refused: dict[str, str] = {}  # each expression is compiled once, refused at every place
    text = 0
    for loc, source in _expressions(standard):
        if source in compiled:
            continue
        if source in refused:
            problems.append(Problem(loc, refused[source]))
            continue
        text += len(source)
        if text > MAX_EXPRESSION_TEXT:
            problems.append(
                Problem(
                    loc,
                    f"the expressions (when) hold more than {MAX_EXPRESSION_TEXT:,} characters "
                    "in all; this one and those after it are not checked",
                )
            )
            break
        try:
            compiled[source] = compile_expression(source)
        except ExpressionError as exc:
            refused[source] = str(exc)
            problems.append(Problem(loc, refused[source]))
    return standard, compiled, problems


def _line(tree: Any, loc: Loc) -> int | None:
    """1-based line of the deepest part of `loc` present in the round-trip tree."""
    node, line = tree, getattr(getattr(tree, "lc", None), "line", None)
    for part in loc:
        if isinstance(node, CommentedMap) and part in node:
            line = node.lc.key(part)[0]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
            line = node.lc.item(part)[0]
        else:
            break
        node = node[part]
    return None if line is None else line + 1


def _located(raw: bytes, problems: list[Problem]) -> list[Problem]:
    """The problems with their lines, from the round-trip reader. The fast reader (libyaml)
    accepts a few files the pure round-trip reader rejects, such as a tab after `key:`;
    their problems are then told without lines rather than hidden by the reader's error."""
    try:
        tree = YAML(typ="rt").load(raw)
    except (YAMLError, ValueError):
        return problems
    located = [Problem(p.loc, p.message, _line(tree, p.loc)) for p in problems[:MAX_PROBLEMS]]
    return located + problems[MAX_PROBLEMS:]


def _syntax_error(path: Path, exc: YAMLError) -> StandardFileError:
    mark = getattr(exc, "problem_mark", None) if isinstance(exc, MarkedYAMLError) else None
    line = mark.line + 1 if mark is not None else None
    problem = getattr(exc, "problem", None) or (str(exc).splitlines() or ["unreadable"])[0]
    return StandardFileError(path, [Problem((), f"YAML syntax error: {short(problem)}", line)])


class _Frame:
    """A list or mapping open while `_guard` reads the events: what it holds so far."""

    __slots__ = ("anchor", "mapping", "index", "key", "values", "text")

    def __init__(self, anchor: str | None, mapping: bool) -> None:
        self.anchor = anchor
        self.mapping = mapping
        self.index = 0  # children read so far (a mapping's keys and values alike)
        self.key: str | None = None  # a mapping's last key
        self.values = 1
        self.text = 0

    @property
    def part(self) -> str | int:
        if not self.mapping:
            return self.index
        return self.key if self.index % 2 and self.key is not None else "…"


def _where(frames: list[_Frame]) -> Loc:
    return tuple(f.part for f in frames[:4])  # where it starts is enough to find it


def _guard(raw: bytes) -> Problem | None:
    """The first reason to refuse `raw` before building anything from it, or None.

    Reads the YAML as a flat stream of events (no recursion, nothing built), so a file
    nested 900 deep or an alias bomb (nine anchors that each repeat the one before nine
    times: 387 million values from 45 kB) costs no more than its own size. Raises YAMLError
    on a syntax error."""
    if len(raw) > MAX_FILE_BYTES:
        return Problem(
            (), f"the file is {len(raw):,} bytes; a standard file may be at most {MAX_FILE_BYTES:,}"
        )
    frames: list[_Frame] = []
    anchors: dict[str, tuple[int, int]] = {}  # what each anchor holds, aliases expanded
    values = text = 0
    for event in YAML(typ="safe").parse(raw):
        kind = type(event)
        if kind is ScalarEvent:
            cost = (1, len(event.value))
            if event.anchor is not None:
                anchors[event.anchor] = cost
        elif kind is AliasEvent:
            if any(f.anchor == event.anchor for f in frames):
                return Problem(
                    _where(frames),
                    f"the alias *{short(event.anchor, 40)} stands inside the value it names",
                    event.start_mark.line + 1,
                )
            if event.anchor not in anchors:
                continue  # the YAML reader names an undefined alias
            cost = anchors[event.anchor]
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            if len(frames) >= MAX_DEPTH:
                return Problem(
                    _where(frames),
                    f"nested more than {MAX_DEPTH} levels deep (lists and mappings in one another)",
                    event.start_mark.line + 1,
                )
            frames.append(_Frame(event.anchor, kind is MappingStartEvent))
            values += 1
            continue
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            done = frames.pop()
            if done.anchor is not None:
                anchors[done.anchor] = (done.values, done.text)
            if frames:
                parent = frames[-1]
                parent.values += done.values
                parent.text += done.text
                parent.index += 1
            continue
        else:
            continue  # the start and end of the stream and its documents
        values += cost[0]
        text += cost[1]
        if values > MAX_VALUES or text > MAX_TEXT:
            what = f"{MAX_VALUES:,} values" if values > MAX_VALUES else f"{MAX_TEXT:,} characters"
            return Problem(
                _where(frames),
                f"holds more than {what} with its aliases (*name) expanded; "
                "an alias may repeat what an anchor (&name) names, not multiply it",
                event.start_mark.line + 1,
            )
        if frames:
            parent = frames[-1]
            parent.values += cost[0]
            parent.text += cost[1]
            if parent.mapping and parent.index % 2 == 0:
                parent.key = event.value if kind is ScalarEvent else None
            parent.index += 1
    return None


def _bad_value(raw: bytes, exc: ValueError) -> Problem:
    """Where a value YAML reads but cannot make (an impossible date, an integer of 5,000
    digits) stands: each scalar is made on its own until one fails."""
    yaml = YAML(typ="safe")
    try:
        root = yaml.compose(raw)
    except (YAMLError, ValueError):
        root = None
    todo: list[tuple[Any, Loc]] = [(root, ())] if root is not None else []
    while todo:
        node, loc = todo.pop()
        if isinstance(node, ScalarNode):
            try:
                yaml.constructor.construct_object(node, deep=True)
            except (YAMLError, ValueError) as failed:
                return Problem(
                    loc,
                    f"not a value YAML can read: {short(str(failed))}",
                    node.start_mark.line + 1,
                )
        elif isinstance(node, SequenceNode):
            todo += [(item, (*loc, i)) for i, item in reversed(list(enumerate(node.value)))]
        elif isinstance(node, MappingNode):
            for key, value in reversed(node.value):
                name = key.value if isinstance(key, ScalarNode) else "…"
                todo += [(value, (*loc, name)), (key, loc)]
    return Problem((), f"not a value YAML can read: {short(str(exc))}")


def version_of(standard: Standard, raw: bytes) -> str:
    return f"{standard.valid_from.isoformat()}+sha256:{hashlib.sha256(raw).hexdigest()[:12]}"


def load_file(path: Path | str) -> CompiledStandard:
    """Load and validate one standard file; raise StandardFileError listing every problem."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise StandardFileError(path, [Problem((), f"cannot read file: {exc.strerror}")]) from None
    try:
        refused = _guard(raw)
        data = None if refused else YAML(typ="safe").load(raw)
    except YAMLError as exc:
        raise _syntax_error(path, exc) from None
    except ValueError as exc:  # a date or number the constructor cannot make
        raise StandardFileError(path, [_bad_value(raw, exc)]) from None
    except TypeError:  # a key the constructor cannot hash: a mapping inside a list key
        problem = "a key must be plain text, a number or a date, not a list or a mapping"
        raise StandardFileError(path, [Problem((), problem)]) from None
    if refused is not None:
        raise StandardFileError(path, [refused])
    standard, expressions, problems = validate(data)
    if problems or standard is None:
        raise StandardFileError(path, _located(raw, problems))
    return CompiledStandard(standard, version_of(standard, raw), str(path), expressions)
