"""The audit log's hash chain, pure Python (no Django): how one entry's hash is computed.

Each municipality's entries form one chain, numbered by `seq` from 1. An entry's `hash` is
the SHA-256 of a canonical serialization (sorted-key, compact JSON, UTF-8) of its chained
fields and the `prev_hash` of the entry before it (`GENESIS` for the first). Changing,
removing or reordering an entry breaks the chain at that point: `audit verify` finds it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import Any

__all__ = ["CHAINED_FIELDS", "GENESIS", "canonical", "entry_hash"]

#: The prev_hash of the first entry of a chain.
GENESIS = "0" * 64

#: Every field of an entry that its hash covers (all but `id` and `hash` itself). A new field
#: on AuditEntry must be added here, or `tests/audit/test_chain.py` fails.
CHAINED_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor",
    "role",
    "municipality_id",
    "event",
    "write",
    "case_id",
    "object_type",
    "object_id",
    "why",
    "old",
    "new",
    "prev_hash",
)


def _value(value: Any) -> Any:
    if isinstance(value, dt.datetime):  # always aware (USE_TZ): one instant, one text
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return value


def canonical(fields: Mapping[str, Any]) -> bytes:
    """The bytes an entry's hash is computed over: its chained fields as sorted-key JSON."""
    document = {name: _value(fields[name]) for name in CHAINED_FIELDS}
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def entry_hash(fields: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of `canonical(fields)`; `fields` holds every name in CHAINED_FIELDS."""
    return hashlib.sha256(canonical(fields)).hexdigest()
