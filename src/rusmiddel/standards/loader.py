"""Read one standard file, validate it, compile its expressions.

Errors name the file, the line and the field path (`offers[3].criteria[0].when`), so an
administrator can fix the file in an editor. Loading is on the hot path of every CLI
call, so the common case (a valid file) uses the fast YAML reader; only a file with
problems is read again with line information.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from rusmiddel.rules.compiled import CompiledStandard
from rusmiddel.rules.errors import ErrorCode, RulesError
from rusmiddel.rules.expressions import Expression, ExpressionError, compile_expression

from .schema import Standard

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    loc: Loc
    message: str
    line: int | None = None

    @property
    def path(self) -> str:
        out = ""
        for part in self.loc:
            if isinstance(part, int):
                out += f"[{part}]"
            elif not (isinstance(part, str) and re.fullmatch(r"[\w-]+", part)):
                out += f"[{part!r}]"  # an odd key (blank, a newline, not text) stays one line
            else:
                out += f".{part}" if out else part
        return out or "(file)"


class StandardFileError(RulesError):
    """A standard file that does not validate; `problems` lists every error found."""

    code = ErrorCode.INVALID_STANDARD

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [
            f"{self.path}:{p.line if p.line is not None else '?'}: {p.path}: {p.message}"
            for p in self.problems
        ]


def _pydantic_message(error: dict[str, Any]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown key (not part of the standard format)"
    if kind == "missing":
        return "required field is missing"
    message = error["msg"].removeprefix("Value error, ")
    value = error.get("input")
    if kind.startswith(("literal_", "enum", "string_pattern", "int_", "float_", "bool_", "date_")):
        return f"{message} (got {value!r})"
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


def _references(standard: Standard) -> Iterator[Problem]:
    """Ids that must point at something the file defines."""
    providers = {p.id for p in standard.providers}
    routes = {r.id for r in standard.complaint_routes}
    payments = {s.id for s in standard.self_payment}
    offers = {o.id for o in standard.offers}
    yield from _duplicates(standard.offers, "id", ("offers",))
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
    return f"unknown {kind} '{value}' (defined: {', '.join(sorted(known)) or 'none'})"


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
    for loc, source in _expressions(standard):
        if source in compiled:
            continue
        try:
            compiled[source] = compile_expression(source)
        except ExpressionError as exc:
            problems.append(Problem(loc, str(exc)))
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
    except YAMLError:
        return problems
    return [Problem(p.loc, p.message, _line(tree, p.loc)) for p in problems]


def _syntax_error(path: Path, exc: YAMLError) -> StandardFileError:
    mark = getattr(exc, "problem_mark", None) if isinstance(exc, MarkedYAMLError) else None
    line = mark.line + 1 if mark is not None else None
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return StandardFileError(path, [Problem((), f"YAML syntax error: {problem}", line)])


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
        data = YAML(typ="safe").load(raw)
    except YAMLError as exc:
        raise _syntax_error(path, exc) from None
    standard, expressions, problems = validate(data)
    if problems or standard is None:
        raise StandardFileError(path, _located(raw, problems))
    return CompiledStandard(standard, version_of(standard, raw), str(path), expressions)
