"""Domain errors raised by services and selectors, each with a code the API maps to HTTP."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    INVALID = "invalid"  # 422: input that breaks a rule; `field` names it
    NOT_FOUND = "not_found"  # 404: absent, or not visible to this user (never 403 across tenants)
    FORBIDDEN = "forbidden"  # 403: visible, but the role may not do this
    CONFLICT = "conflict"  # 409: a stale version; nothing was written


class ServiceError(Exception):
    code: ErrorCode = ErrorCode.INVALID

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def to_json(self) -> dict[str, str | None]:
        return {"code": self.code.value, "field": self.field, "message": self.message}


class Invalid(ServiceError):
    code = ErrorCode.INVALID


class NotFound(ServiceError):
    code = ErrorCode.NOT_FOUND


class Forbidden(ServiceError):
    code = ErrorCode.FORBIDDEN


class Conflict(ServiceError):
    code = ErrorCode.CONFLICT
