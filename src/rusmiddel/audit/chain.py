"""The audit log's hash chain, pure Python (no Django): how one entry's hash is computed.

Each municipality's entries form one chain, numbered by `seq` from 1. An entry's `hash` is
the HMAC-SHA256, under the audit key (`RUSMIDDEL_AUDIT_KEY`, kept outside the database), of a
canonical serialization (sorted-key, compact JSON, UTF-8) of its chained fields and the
`prev_hash` of the entry before it (`GENESIS` for the first). Changing, removing or
reordering an entry breaks the chain at that point, and without the key nobody can compute
the hash of a changed or an added entry: `audit verify` finds it.

Entries written before the chain was keyed (migration 0009) carry a plain SHA-256 of the same
serialization (`entry_hash`). Each such chain's last plain entry is sealed under the key
(`seal_mac`, kept on the chain's head), so plain entries are accepted up to the seal and
nowhere else: an entry appended with a correctly computed SHA-256 does not verify.

Anchors (`anchor_mac`) are checkpoints of a chain's end written outside the database; see
`anchors`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

__all__ = [
    "CHAINED_FIELDS",
    "GENESIS",
    "anchor_mac",
    "canonical",
    "entry_hash",
    "entry_key",
    "entry_mac",
    "mac_matches",
    "seal_mac",
]

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


def _json(document: Mapping[str, Any]) -> bytes:
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def canonical(fields: Mapping[str, Any]) -> bytes:
    """The bytes an entry's hash is computed over: its chained fields as sorted-key JSON."""
    return _json({name: _value(fields[name]) for name in CHAINED_FIELDS})


def entry_hash(fields: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of `canonical(fields)`: the unkeyed hash of the entries written before
    the chain was keyed (migration 0009). `fields` holds every name in CHAINED_FIELDS."""
    return hashlib.sha256(canonical(fields)).hexdigest()


@lru_cache(maxsize=16)
def _subkey(key: str, purpose: str) -> bytes:
    """One key per use (entries, seals, anchors), derived from the audit key, so a MAC made
    for one use is never valid for another."""
    return hmac.new(key.encode("utf-8"), f"rusmiddel.audit.{purpose}".encode(), "sha256").digest()


def _mac(key: str, purpose: str, message: bytes) -> str:
    return hmac.new(_subkey(key, purpose), message, "sha256").hexdigest()


def entry_mac(fields: Mapping[str, Any], key: str) -> str:
    """HMAC-SHA256 (hex) of `canonical(fields)` under the audit key `key`: an entry's hash."""
    return _mac(key, "entry", canonical(fields))


def entry_key(fields: Mapping[str, Any], hash_: str, keys: Sequence[str]) -> int | None:
    """Which of `keys` made `hash_` over `fields` (its index), or None: made by none of them."""
    message = canonical(fields)
    for index, key in enumerate(keys):
        if mac_matches(_mac(key, "entry", message), hash_):
            return index
    return None


def seal_mac(chain: int, seq: int, hash_: str, key: str) -> str:
    """The seal of a chain's last unkeyed entry (`seq`, `hash_`), under the audit key."""
    return _mac(key, "seal", _json({"chain": chain, "seq": seq, "hash": hash_}))


def anchor_mac(document: Mapping[str, Any], key: str) -> str:
    """The signature of an anchor (every field of `document` but `sig`), under the audit key."""
    return _mac(key, "anchor", _json({k: v for k, v in document.items() if k != "sig"}))


def mac_matches(expected: str, given: str) -> bool:
    """Compare two MACs in constant time."""
    return hmac.compare_digest(expected.encode(), (given or "").encode())
