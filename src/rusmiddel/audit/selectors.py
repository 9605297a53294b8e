"""Reading the audit log's chains: `audit_verify` walks each municipality's chain."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from .anchors import Anchor, AnchorFile, anchors_read
from .chain import CHAINED_FIELDS, GENESIS, entry_hash, entry_key, mac_matches, seal_mac
from .keys import audit_keys
from .models import AuditChain, AuditEntry


@dataclass(frozen=True)
class ChainBreak:
    """The first place a chain does not hold."""

    entry_id: int | None  # None: the end of the chain (the head, an anchor) does not match
    seq: int | None
    reason: str


@dataclass(frozen=True)
class ChainReport:
    key: int  # the municipality's id; 0: entries without one
    entries: int
    broken: ChainBreak | None
    anchor: Anchor | None = None  # the furthest anchor the chain was held to
    last_hash: str = GENESIS  # the hash of the last entry walked

    @property
    def ok(self) -> bool:
        return self.broken is None


def _entry_break(row: dict, count: int, head: AuditChain, keys: tuple[str, ...], state: dict):
    """Why entry `row` (the `count`th of its chain) breaks it, or None."""
    seq, sealed = row["seq"], head.sealed_seq or 0
    if seq != count:
        return f"seq {seq} where {count} was expected (an entry is missing)"
    if row["prev_hash"] != state["prev"]:
        return "prev_hash differs from the hash of the entry before"
    if seq <= sealed:  # written before the chain was keyed: plain SHA-256, up to the seal
        if entry_hash(row) != row["hash"]:
            return "hash does not match the entry's content (changed after writing)"
        if seq == sealed and not any(
            mac_matches(seal_mac(head.key, seq, row["hash"], k), head.seal or "") for k in keys
        ):
            return "the seal of the entries hashed before the chain was keyed does not match"
        return None
    used = entry_key(row, row["hash"], keys)
    if used is None:
        return (
            "hash does not match the entry's content (changed after writing, "
            "or written without the audit key)"
        )
    if used > state["key"]:
        return "hashed with a retired audit key after a newer one was in use"
    state["key"] = used
    return None


def _walk(key: int, head: AuditChain | None, anchors: AnchorFile | None) -> ChainReport:
    where = Q(municipality_id=key) if key else Q(municipality_id__isnull=True)
    anchor = anchors.anchor if anchors else None
    if head is None:  # without it neither the end nor the seal can be checked
        count = AuditEntry.objects.filter(where).count()
        if count:
            return ChainReport(key, count, ChainBreak(None, None, "the chain has no head"), anchor)
        head = AuditChain(key=key, seq=0, hash=GENESIS)
    rows = (
        AuditEntry.objects.filter(where)
        .order_by("seq")
        .values("id", "hash", *CHAINED_FIELDS)
        .iterator(chunk_size=2000)
    )
    keys = audit_keys()
    # prev: the hash the next entry must name; key: the newest key seen (later entries may
    # not go back to an older one, e.g. a retired key that leaked)
    state = {"prev": GENESIS, "key": len(keys) - 1}
    count = 0
    for row in rows:
        count += 1
        reason = _entry_break(row, count, head, keys, state)
        if reason is None and anchor and row["seq"] == anchor.seq and row["hash"] != anchor.hash:
            reason = f"differs from the entry anchored on {anchor.at} (the log was rewritten)"
        if reason is None and row["seq"] == head.seq and row["hash"] != head.hash:
            reason = "the head's hash differs from this entry's"
        if reason:
            return ChainReport(key, count, ChainBreak(row["id"], row["seq"], reason), anchor)
        state["prev"] = row["hash"]
    # Entries past the head were appended while we walked: each verified like any other.
    end = None
    if head.seq > count:
        end = f"the head is at seq {head.seq}, the entries end at {count} (cut off?)"
    elif (head.sealed_seq or 0) > count:
        end = f"the seal is at seq {head.sealed_seq}, the entries end at {count} (cut off?)"
    elif anchor and anchor.seq > count:
        end = (
            f"the entries end at seq {count}, but seq {anchor.seq} was anchored on "
            f"{anchor.at} (entries deleted: the log was cut off or removed)"
        )
    elif anchors and anchors.problem:
        end = anchors.problem
    broken = ChainBreak(None, count, end) if end else None
    return ChainReport(key, count, broken, anchor, state["prev"])


def audit_verify(*, municipality_id: int | None = None) -> list[ChainReport]:
    """Walk every chain (or the one of `municipality_id`): per chain, its number of entries
    and the first place that breaks it: an edited, added, missing or reordered entry (each
    entry's hash is keyed, `chain`), an end that differs from the chain's head, or a chain
    shorter than, or different from, its furthest anchor outside the database (`anchors`).
    Reads hashes only; O(entries), streamed."""
    heads = {h.key: h for h in AuditChain.objects.all()}
    anchors = anchors_read(municipality_id)
    if municipality_id is not None:
        keys = {municipality_id}
    else:
        written = AuditEntry.objects.order_by().values_list("municipality_id", flat=True)
        keys = set(heads) | set(anchors) | {k or 0 for k in written.distinct()}
    return [_walk(key, heads.get(key), anchors.get(key)) for key in sorted(keys)]
