"""Anchors: signed checkpoints of each chain's end, kept outside the database.

The keyed chain shows a changed or an added entry, but not a chain cut short together with
its head, nor a whole chain deleted with its head: what is left still verifies. So
`rusmiddel audit anchor` (cron) verifies each chain and appends its end (seq and hash) to a
file of its own, `<RUSMIDDEL_AUDIT_ANCHOR_DIR>/chain-<key>.jsonl`, one JSON line per anchor,
signed with the audit key (`chain.anchor_mac`). `audit verify` then holds each chain to its
furthest anchor: a chain that ends before it, or holds another entry at its place, was
shortened or rewritten after the anchor was written. Entries written after the last anchor
are not covered: anchor often.

The files are append-only by use (never rewritten); a line that does not verify under the
audit key (changed, or written without the key) breaks its chain in `audit verify`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .chain import anchor_mac, mac_matches
from .keys import audit_key, audit_keys

__all__ = ["Anchor", "AnchorFile", "anchor_dir", "anchor_write", "anchors_read"]

PREFIX, SUFFIX = "chain-", ".jsonl"


@dataclass(frozen=True)
class Anchor:
    """A chain's end as it was when anchored."""

    key: int  # the chain (the municipality's id; 0: entries without one)
    seq: int  # its last entry's place …
    hash: str  # … and hash
    at: str  # when it was anchored (ISO 8601, UTC)
    name: str  # the municipality's slug at the time, for the reader


@dataclass(frozen=True)
class AnchorFile:
    """What one chain's file holds: its furthest anchor that verifies, and the first line
    that does not (None: every line verifies)."""

    key: int
    anchor: Anchor | None
    problem: str | None


def anchor_dir() -> Path:
    return Path(settings.RUSMIDDEL_AUDIT_ANCHOR_DIR)


def _path(key: int) -> Path:
    return anchor_dir() / f"{PREFIX}{key}{SUFFIX}"


def _parse(line: str, key: int) -> Anchor | str:
    """The anchor on `line` of chain `key`'s file, or why it is not one."""
    try:
        doc = json.loads(line)
    except json.JSONDecodeError:
        return "not JSON"
    fields = {"key": int, "seq": int, "hash": str, "at": str, "name": str, "sig": str}
    if not isinstance(doc, dict) or set(doc) != set(fields):
        return "not an anchor (other fields)"
    if any(type(doc[name]) is not kind for name, kind in fields.items()):
        return "not an anchor (a field of the wrong type)"
    if not any(mac_matches(anchor_mac(doc, k), doc["sig"]) for k in audit_keys()):
        return "the signature does not match (changed, or written without the audit key)"
    if doc["key"] != key:
        return f"an anchor of chain {doc['key']} in the file of chain {key}"
    return Anchor(key=key, seq=doc["seq"], hash=doc["hash"], at=doc["at"], name=doc["name"])


def _read(path: Path, key: int) -> AnchorFile:
    furthest: Anchor | None = None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return AnchorFile(key, None, f"anchor file {path}: cannot read it ({exc})")
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parsed = _parse(line, key)
        if isinstance(parsed, str):
            return AnchorFile(key, furthest, f"anchor file {path.name} line {number}: {parsed}")
        if furthest is None or parsed.seq >= furthest.seq:
            furthest = parsed
    return AnchorFile(key, furthest, None)


def anchors_read(key: int | None = None) -> dict[int, AnchorFile]:
    """Every chain's anchor file (or chain `key`'s) in the anchor folder, by chain. A folder
    that does not exist holds none."""
    folder = anchor_dir()
    if key is not None:
        path = _path(key)
        return {key: _read(path, key)} if path.exists() else {}
    found: dict[int, AnchorFile] = {}
    if not folder.is_dir():
        return found
    for path in sorted(folder.glob(f"{PREFIX}*{SUFFIX}")):
        number = path.name.removeprefix(PREFIX).removesuffix(SUFFIX)
        if number.isdigit():
            found[int(number)] = _read(path, int(number))
    return found


def anchor_write(*, key: int, seq: int, hash_: str, name: str) -> Anchor:
    """Append an anchor of chain `key` ending at (`seq`, `hash_`), signed with the audit key,
    and flush it to disk. Raises OSError when the folder or file cannot be written."""
    doc: dict[str, object] = {
        "key": key,
        "seq": seq,
        "hash": hash_,
        "at": timezone.now().astimezone(dt.UTC).isoformat(timespec="seconds"),
        "name": name,
    }
    doc["sig"] = anchor_mac(doc, audit_key())
    line = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"
    folder = anchor_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(_path(key), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return Anchor(key=key, seq=seq, hash=hash_, at=str(doc["at"]), name=name)
