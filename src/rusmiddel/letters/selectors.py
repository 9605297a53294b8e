"""Reads of letters: scoped through the case like every read of personal data, and logged."""

from __future__ import annotations

from typing import Any

from rusmiddel.accounts.permissions import Action
from rusmiddel.audit.models import Event
from rusmiddel.audit.services import audit_reads, audit_record
from rusmiddel.cases.errors import NotFound
from rusmiddel.cases.scoping import case_filter, require

from .models import Delivery, DeliveryStatus, Letter


def _visible(user: Any):
    q = case_filter(user, "case__")
    return Letter.objects.none() if q is None else Letter.objects.filter(q)


def letter_find(*, user: Any, letter_id: int) -> Letter:
    """One letter the user may see, with its case and delivery; NotFound otherwise (never 403).
    Not logged: callers that show the letter log the read (`letter_get`)."""
    letter = _visible(user).select_related("case", "delivery").filter(pk=letter_id).first()
    if letter is None:
        raise NotFound(f"Brev {letter_id} findes ikke.")
    return letter


def letter_get(*, user: Any, letter_id: int) -> Letter:
    """One letter with its PDF; the read is logged."""
    letter = letter_find(user=user, letter_id=letter_id)
    require(user, Action.CASE_READ)
    audit_record(
        actor=user, event=Event.LETTER_READ, write=False, case_id=letter.case_id, obj=letter
    )
    return letter


def letter_worklist(*, user: Any, limit: int = 200) -> list[Delivery]:
    """Letters that could not be delivered (or were left mid-sending by a crash), oldest
    first: a person has to fix the address or the channel and retry."""
    require(user, Action.CASE_READ)
    q = case_filter(user, "letter__case__")
    rows = (
        Delivery.objects.filter(q, status__in=[DeliveryStatus.FAILED, DeliveryStatus.SENDING])
        .select_related("letter__case")
        .defer("letter__pdf", "letter__context")  # the list shows neither
        .order_by("next_attempt_at", "pk")[:limit]
    )
    page = list(rows)
    # one entry per case on the list, however many of its letters are on it
    audit_reads(
        actor=user, event=Event.CASE_LIST, case_ids=sorted({d.letter.case_id for d in page})
    )
    return page
