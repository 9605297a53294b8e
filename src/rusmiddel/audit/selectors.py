"""Reading the audit log's chains: `audit_verify` walks each municipality's chain."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from .chain import CHAINED_FIELDS, GENESIS, entry_hash
from .models import AuditChain, AuditEntry


@dataclass(frozen=True)
class ChainBreak:
    """The first place a chain does not hold."""

    entry_id: int | None  # None: the end of the chain (the head) does not match
    seq: int | None
    reason: str


@dataclass(frozen=True)
class ChainReport:
    key: int  # the municipality's id; 0: entries without one
    entries: int
    broken: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def _walk(key: int, head: AuditChain | None) -> ChainReport:
    where = Q(municipality_id=key) if key else Q(municipality_id__isnull=True)
    rows = (
        AuditEntry.objects.filter(where)
        .order_by("seq")
        .values("id", "hash", *CHAINED_FIELDS)
        .iterator(chunk_size=2000)
    )
    count, prev = 0, GENESIS
    for row in rows:
        count += 1
        broken = None
        if row["seq"] != count:
            broken = f"seq {row['seq']} where {count} was expected (an entry is missing)"
        elif row["prev_hash"] != prev:
            broken = "prev_hash differs from the hash of the entry before"
        elif entry_hash(row) != row["hash"]:
            broken = "hash does not match the entry's content (changed after writing)"
        if broken:
            return ChainReport(key, count, ChainBreak(row["id"], row["seq"], broken))
        prev = row["hash"]
    if head is None and count:
        return ChainReport(key, count, ChainBreak(None, None, "the chain has no head"))
    if head is not None and (head.seq, head.hash) != (count, prev):
        reason = f"the head is at seq {head.seq}, the entries end at {count} (cut off?)"
        if head.seq == count:
            reason = "the head's hash differs from the last entry's"
        return ChainReport(key, count, ChainBreak(None, head.seq, reason))
    return ChainReport(key, count, None)


def audit_verify(*, municipality_id: int | None = None) -> list[ChainReport]:
    """Walk every chain (or the one of `municipality_id`): per chain, its number of entries
    and the first entry that breaks it (an edited, missing or reordered entry, or an end
    that differs from the chain's head). Reads hashes only; O(entries), streamed."""
    heads = {h.key: h for h in AuditChain.objects.all()}
    keys = set(heads) | {
        k or 0
        for k in AuditEntry.objects.order_by().values_list("municipality_id", flat=True).distinct()
    }
    if municipality_id is not None:
        keys = {municipality_id}
    return [_walk(key, heads.get(key)) for key in sorted(keys)]
