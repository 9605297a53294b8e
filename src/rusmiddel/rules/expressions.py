"""Criteria as CEL expressions, evaluated in three values: true, false, unknown.

CEL's `&&` and `||` absorb an error when the other side decides the result, so
`person.pregnant || person.children_at_home > 0` is true for a person with children even
when pregnancy is not recorded. What is left unknown is an error on a missing fact: we
name the missing facts by reading the dotted paths the expression refers to.

An expression comes from a standard file, which may come from an upload. CEL has no loops
but its comprehensions (`all`, `exists`, `exists_one`, `filter`, `map`), and each one
inside another multiplies the work: eight of them over ten-item lists are a hundred
million steps, and a chain of `map`s can double a list at every link. So
`compile_expression` refuses, before compiling or running anything, an expression longer
than `MAX_LENGTH`, with brackets nested deeper than `MAX_BRACKETS`, with a comprehension
inside another (`MAX_COMPREHENSIONS`), or using `map`. Within these limits the worst
expression we could write evaluates in some 60 ms on a slow machine (the engine copies a
comprehension's list at every step, so a `filter` costs the square of its list).
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

#: Characters in one expression; the seeds' longest has 398.
MAX_LENGTH = 1000
#: Brackets ( [ { inside one another; the seeds nest 4 deep.
MAX_BRACKETS = 16
#: Comprehensions inside one another's parentheses; the seeds nest 1 (`x.exists(s, …)`):
#: one inside another costs the product of their lists (two of 240 items: 1.6 s).
MAX_COMPREHENSIONS = 1
COMPREHENSIONS = frozenset({"all", "exists", "exists_one", "filter", "map"})
#: Comprehensions a standard may not use: `map` builds a new list (`[…].map(a, […])` alone
#: takes 0.8 s) and a chain of them can double it at every link; a criterion asks a
#: question, which all, exists, exists_one and filter answer without building anything.
REFUSED = frozenset({"map"})

_PATH = re.compile(r"(?<![\w.])(" + "|".join(SECTIONS) + r")\.([A-Za-z_]\w*)")
_DERIVED = re.compile(r"(?<![\w.])(" + "|".join(DERIVED) + r")(?!\w)")
_IDENT = re.compile(r"[_A-Za-z][_A-Za-z0-9]*")
_TOKEN = re.compile(r"[_A-Za-z][_A-Za-z0-9]*|\S")
_STRING_PREFIXES = frozenset({"r", "R", "b", "B", "br", "bR", "Br", "BR"})
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


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def code_of(source: str) -> str:
    """The expression with each string literal left as `""` and its comments removed, read
    the way CEL's lexer reads them: a comment runs from `//` to the end of the line; a
    string is quoted with ' or " (on one line) or with three of either (over lines), after
    an optional prefix r or R (raw: a backslash escapes nothing), b or B (bytes), or b and
    r together, b first."""
    out: list[str] = []
    i, n = 0, len(source)
    while i < n:
        if source.startswith("//", i):
            end = source.find("\n", i)
            i = n if end < 0 else end
            out.append(" ")
            continue
        raw = False
        word = _IDENT.match(source, i)
        if word:
            after = word.end()
            if not (word[0] in _STRING_PREFIXES and after < n and source[after] in "'\""):
                out.append(word[0])
                i = after
                continue
            raw, i = "r" in word[0].lower(), after  # a prefixed string starts at `after`
        c = source[i]
        if c not in "'\"":
            out.append(c)
            i += 1
            continue
        quote = c * 3 if source.startswith(c * 3, i) else c
        j = i + len(quote)
        while j < n and not source.startswith(quote, j):
            if len(quote) == 1 and source[j] in "\r\n":
                break  # a string left open: the parser refuses the expression
            j += 2 if source[j] == "\\" and not raw else 1
        out.append('""')
        i = min(j + len(quote), n)
    return "".join(out)


def nesting(code: str) -> tuple[int, int, frozenset[str]]:
    """(deepest nesting of brackets, deepest nesting of comprehensions, the comprehensions
    used) in `code_of(...)`. A comprehension is counted wherever its name is followed by
    "(", with or without a receiver, so an expression is never taken for simpler than it is."""
    open_brackets: list[bool] = []  # per open bracket: whether it opens a comprehension
    deepest = deepest_comprehension = comprehensions = 0
    used: set[str] = set()
    previous = ""
    for token in _TOKEN.findall(code):
        if token in ("(", "[", "{"):
            opens = token == "(" and previous in COMPREHENSIONS
            if opens:
                used.add(previous)
            open_brackets.append(opens)
            comprehensions += opens
            deepest = max(deepest, len(open_brackets))
            deepest_comprehension = max(deepest_comprehension, comprehensions)
        elif token in (")", "]", "}") and open_brackets:
            comprehensions -= open_brackets.pop()
        previous = token
    return deepest, deepest_comprehension, frozenset(used)


def _refuse_costly(source: str) -> None:
    """Raise ExpressionError for an expression that could be costly to parse or evaluate."""
    if len(source) > MAX_LENGTH:
        raise ExpressionError(
            f"is {len(source):,} characters long; an expression may be at most {MAX_LENGTH:,}"
        )
    brackets, comprehensions, used = nesting(code_of(source))
    if brackets > MAX_BRACKETS:
        raise ExpressionError(f"nests brackets {brackets} deep; at most {MAX_BRACKETS} may be")
    if comprehensions > MAX_COMPREHENSIONS:
        raise ExpressionError(
            f"nests comprehensions ({', '.join(sorted(COMPREHENSIONS))}) {comprehensions} deep; "
            f"at most {MAX_COMPREHENSIONS} may be, as each level multiplies the work"
        )
    if used & REFUSED:
        raise ExpressionError(
            f"uses {', '.join(sorted(used & REFUSED))}, which a standard may not: it builds a "
            "list at each step; ask with all, exists, exists_one or filter"
        )


def referenced_paths(source: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(known fact paths, unknown section.field names) an expression refers to."""
    code = code_of(source)  # a string literal or a comment is not a reference
    found: list[str] = []
    for match in _PATH.finditer(code):
        found.append(f"{match[1]}.{match[2]}")
    for match in _DERIVED.finditer(code):
        found.append(DERIVED[match[1]])
    ordered = tuple(dict.fromkeys(found))
    known = known_paths()
    return tuple(p for p in ordered if p in known), tuple(p for p in ordered if p not in known)


def compile_expression(source: str) -> Expression:
    """Compile once; raise ExpressionError for an expression too long or nested too deep,
    a syntax error, an unknown fact or a result that is not true/false on complete facts."""
    _refuse_costly(source)
    try:
        program = cel.compile(source)
    except ValueError as exc:
        detail = str(exc).split("ERROR: ", 1)[-1].splitlines()[0]
        raise ExpressionError(f"not a valid CEL expression: {_short(detail)}") from None
    except BaseException as exc:  # a panic in the Rust engine (pyo3's PanicException)
        if type(exc).__name__ != "PanicException":
            raise
        raise ExpressionError("not a valid CEL expression: the CEL engine cannot read it") from None
    paths, unknown = referenced_paths(source)
    if unknown:
        raise ExpressionError(
            f"unknown fact '{_short(unknown[0], 60)}' (facts are those of assessment.schema.json)"
        )
    expression = Expression(source, program, paths)
    sample = complete_facts()
    try:
        result = program.execute(expression_context(sample, age=36))
    except _EVAL_ERRORS as exc:
        raise ExpressionError(f"fails on complete facts: {_short(str(exc))}") from None
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
