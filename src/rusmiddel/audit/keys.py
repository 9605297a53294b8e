"""The audit key, from the settings (the environment), never from the database."""

from __future__ import annotations

from django.conf import settings

__all__ = ["audit_key", "audit_keys"]


def audit_key() -> str:
    """The key new entries, seals and anchors are made with (`RUSMIDDEL_AUDIT_KEY`)."""
    return settings.RUSMIDDEL_AUDIT_KEY


def audit_keys() -> tuple[str, ...]:
    """Every key that verifies: the current one, then the retired ones, newest first
    (`RUSMIDDEL_AUDIT_KEY_FALLBACKS`)."""
    return (settings.RUSMIDDEL_AUDIT_KEY, *settings.RUSMIDDEL_AUDIT_KEY_FALLBACKS)
