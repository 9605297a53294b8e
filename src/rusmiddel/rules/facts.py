"""Assessment facts (udredning): validation against the public contract, and what is known.

The contract is `contracts/assessment.schema.json`; the package ships a copy that a test
keeps identical. Every fact is optional; a rule needing a missing fact is *unknown*.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from .errors import InputError

#: Top-level groups of facts; each is always present (as a map) in an expression's context.
SECTIONS = ("person", "use", "history", "social", "health", "wishes", "consents", "professional")

#: Names computed from the facts, and the fact each is computed from.
DERIVED = {"age": "person.birth_date"}


@cache
def assessment_schema() -> dict[str, Any]:
    text = resources.files("rusmiddel.rules").joinpath("assessment.schema.json").read_text("utf-8")
    return json.loads(text)


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(assessment_schema(), format_checker=FormatChecker())


@cache
def known_paths() -> frozenset[str]:
    """Every dotted fact path `section.field` the contract defines."""
    props = assessment_schema()["properties"]
    return frozenset(f"{s}.{f}" for s in SECTIONS for f in props[s]["properties"])


def _dotted(path: Any) -> str:
    parts: list[str] = []
    for p in path:
        if isinstance(p, int):
            parts[-1] = f"{parts[-1]}[{p}]" if parts else f"[{p}]"
        else:
            parts.append(str(p))
    return ".".join(parts) or "(document)"


def _describe(error: ValidationError) -> str:
    """One line naming the field and what was expected."""
    where = _dotted(error.absolute_path)
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed))
        field = ".".join(p for p in (where if where != "(document)" else "", extra[0]) if p)
        return f"{field}: unknown key (allowed here: {', '.join(allowed)})"
    if error.validator == "enum":
        options = ", ".join(json.dumps(v) for v in error.validator_value)
        return f"{where}: {json.dumps(error.instance)} is not one of {options}"
    if error.validator == "format" and error.validator_value == "date":
        return f"{where}: {json.dumps(error.instance)} is not a valid date (expected YYYY-MM-DD)"
    if error.validator == "type":
        return (
            f"{where}: expected {error.validator_value}, got {type(error.instance).__name__} "
            f"{json.dumps(error.instance)}"
        )
    if error.validator == "required":
        return f"{where}: {error.message}"
    return f"{where}: {error.message}"


def validate_facts(facts: Any) -> dict[str, Any]:
    """Check facts against the assessment contract; raise InputError naming the first bad field."""
    if not isinstance(facts, dict):
        raise InputError(f"facts: expected a JSON object, got {type(facts).__name__}")
    errors = sorted(_validator().iter_errors(facts), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        raise InputError(_describe(errors[0]))
    return facts


def birth_date(facts: dict[str, Any]) -> dt.date | None:
    raw = facts.get("person", {}).get("birth_date")
    return dt.date.fromisoformat(raw) if raw else None


def present_paths(facts: dict[str, Any]) -> frozenset[str]:
    """The dotted paths that have a value in these facts (null counts as absent)."""
    return frozenset(
        f"{section}.{key}"
        for section in SECTIONS
        for key, value in (facts.get(section) or {}).items()
        if value is not None
    )


def expression_context(facts: dict[str, Any], age: int | None) -> dict[str, Any]:
    """The variables an expression sees: every section as a map (absent facts left out)."""
    context: dict[str, Any] = {
        s: {k: v for k, v in (facts.get(s) or {}).items() if v is not None} for s in SECTIONS
    }
    if age is not None:
        context["age"] = age
    return context


def _sample(schema: dict[str, Any]) -> Any:
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return {k: _sample(v) for k, v in schema.get("properties", {}).items()}
    if kind == "array":
        return [_sample(schema["items"])]
    if kind == "boolean":
        return False
    if kind == "integer":
        return schema.get("minimum", 0)
    if schema.get("format") == "date":
        return "1990-01-01"
    return "x"


@cache
def complete_facts() -> dict[str, Any]:
    """A document with every fact set: a standard's expressions must evaluate on it."""
    return _sample(assessment_schema())
