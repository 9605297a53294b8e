"""Typed domain errors. Each carries a code so callers (CLI, API, web) can act on it."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    INVALID_INPUT = "invalid_input"  # facts, dates or options a caller gave us
    UNKNOWN_MUNICIPALITY = "unknown_municipality"
    UNKNOWN_OFFER = "unknown_offer"
    NO_STANDARD_IN_FORCE = "no_standard_in_force"  # no version valid on the date asked
    INVALID_STANDARD = "invalid_standard"  # a standard file that does not validate
    RULE_FAILURE = "rule_failure"  # an expression that fails on complete facts: a file bug


class RulesError(Exception):
    """Base of every error the rules and standards raise on purpose."""

    code: ErrorCode = ErrorCode.INVALID_INPUT

    def __init__(self, message: str, *, code: ErrorCode | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class InputError(RulesError):
    """Bad input from a caller: the message names the field and what was expected."""

    code = ErrorCode.INVALID_INPUT


class RuleFailure(RulesError):
    """A standard's expression misbehaved on facts where nothing was missing."""

    code = ErrorCode.RULE_FAILURE
