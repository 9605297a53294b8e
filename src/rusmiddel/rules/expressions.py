"""Criteria as CEL expressions, evaluated in three values: true, false, unknown.

CEL's `&&` and `||` absorb an error when the other side decides the result, so
`person.pregnant || person.children_at_home > 0` is true for a person with children even
when pregnancy is not recorded. What is left unknown is an error on a missing fact: we
name the missing facts by reading the dotted paths the expression refers to.
"""

from __future__ import annotations

import re
import sys
import types
from dataclasses import dataclass
from typing import Any

from .errors import RuleFailure
from .facts import DERIVED, SECTIONS, complete_facts, expression_context, known_paths

# The cel package's __init__ also imports its interactive REPL (cel.cli → prompt_toolkit),
# a third of our start-up time; we never use it, so it gets an empty module.
sys.modules.setdefault("cel.cli", types.ModuleType("cel.cli"))
import cel  # noqa: E402

_PATH = re.compile(r"(?<![\w.])(" + "|".join(SECTIONS) + r")\.([A-Za-z_]\w*)")
_DERIVED = re.compile(r"(?<![\w.])(" + "|".join(DERIVED) + r")(?!\w)")
_STRING = re.compile(r"'(?:\\.|[^'\\])*'|\"(?:\\.|[^\"\\])*\"")
# Errors the CEL runtime raises for a missing key or an undefined variable.
_EVAL_ERRORS = (KeyError, RuntimeError, ValueError, TypeError)

Truth = bool | None  # None: unknown


class ExpressionError(ValueError):
    """An expression that cannot be used: the message says why."""


@dataclass(frozen=True, slots=True)
class Expression:
    source: str
    program: Any
    paths: tuple[str, ...]  # the dotted facts it reads, in order of first mention


def referenced_paths(source: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(known fact paths, unknown section.field names) an expression refers to."""
    code = _STRING.sub('""', source)  # a string literal is not a reference
    found: list[str] = []
    for match in _PATH.finditer(code):
        found.append(f"{match[1]}.{match[2]}")
    for match in _DERIVED.finditer(code):
        found.append(DERIVED[match[1]])
    ordered = tuple(dict.fromkeys(found))
    known = known_paths()
    return tuple(p for p in ordered if p in known), tuple(p for p in ordered if p not in known)


def compile_expression(source: str) -> Expression:
    """Compile once; raise ExpressionError for syntax errors, unknown facts or a non-boolean."""
    try:
        program = cel.compile(source)
    except ValueError as exc:
        detail = str(exc).split("ERROR: ", 1)[-1].splitlines()[0]
        raise ExpressionError(f"not a valid CEL expression: {detail}") from None
    paths, unknown = referenced_paths(source)
    if unknown:
        raise ExpressionError(
            f"unknown fact '{unknown[0]}' (facts are those of assessment.schema.json)"
        )
    expression = Expression(source, program, paths)
    sample = complete_facts()
    try:
        result = program.execute(expression_context(sample, age=36))
    except _EVAL_ERRORS as exc:
        raise ExpressionError(f"fails on complete facts: {exc}") from None
    if not isinstance(result, bool):
        raise ExpressionError(f"must be true or false, gives {type(result).__name__}")
    return expression


def truth(expression: Expression, context: Any, present: frozenset[str]) -> tuple[Truth, tuple]:
    """Evaluate: (True|False, ()) when decided, (None, missing paths) when a fact is missing."""
    try:
        result = expression.program.execute(context)
    except _EVAL_ERRORS as exc:
        missing = tuple(p for p in expression.paths if p not in present)
        if not missing:
            raise RuleFailure(f"expression {expression.source!r} failed: {exc}") from None
        return None, missing
    if not isinstance(result, bool):
        raise RuleFailure(f"expression {expression.source!r} gave {result!r}, not true/false")
    return result, ()
