"""Making letters: called by the case services in their own transaction, so a decision and
its letter commit together. Anonymous cases get no letters (there is nobody to address)."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from rusmiddel.accounts.permissions import Action
from rusmiddel.audit.models import Event
from rusmiddel.audit.services import audit_record
from rusmiddel.cases.models import (
    Case,
    Contact,
    Course,
    Decision,
    FollowUp,
    SelfPaymentAssessment,
)
from rusmiddel.cases.scoping import require

from . import compose
from .models import Delivery, DeliveryStatus, Letter, LetterKind
from .outbox import delivery_retry, outbox_send_now
from .render import letter_pdf
from .selectors import letter_find

#: Set inside `letters_rendered_later`: letters are stored without their PDF for now.
_later = threading.local()


@contextmanager
def letters_rendered_later() -> Iterator[None]:
    """Letters made inside (in this thread) are stored at once with everything they say (the
    context) but without their PDF; `letters_render_pending` (or the first read of one,
    `letter_rendered`) renders, logs and sends each afterwards. The demo fills its data this
    way so that it answers before WeasyPrint has printed every letter; a service in use never
    defers (a letter is logged with its PDF's hash in the transaction that made it)."""
    before = getattr(_later, "on", False)
    _later.on = True
    try:
        yield
    finally:
        _later.on = before


def _letter(*, case: Case, kind: str, source: Any, context: dict, actor: Any) -> Letter | None:
    if case.anonymous or case.citizen_id is None:
        return None
    key = f"{kind}:{source.pk}"
    existing = Letter.objects.filter(key=key).first()
    if existing is not None:
        return existing  # idempotent: the same letter is never made (or sent) twice
    later = getattr(_later, "on", False)
    pdf = b"" if later else letter_pdf(kind, context)
    letter = Letter.objects.create(
        municipality_id=case.municipality_id,
        case=case,
        kind=kind,
        key=key,
        title=context["title"],
        context=context,
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest() if pdf else "",  # "": not rendered yet
        created_by=actor,
    )
    delivery = Delivery.objects.create(letter=letter, next_attempt_at=timezone.now())
    if later:
        return letter  # logged and sent when rendered
    _logged_and_sent(letter, delivery.pk, actor)
    return letter


def _logged_and_sent(letter: Letter, delivery_id: int, actor: Any) -> None:
    if settings.RUSMIDDEL_OUTBOX_SEND_ON_COMMIT:
        transaction.on_commit(lambda: outbox_send_now(delivery_id))
    audit_record(
        actor=actor,
        event=Event.LETTER_CREATED,
        write=True,
        case_id=letter.case_id,
        obj=letter,
        new={"kind": letter.kind, "title": letter.title, "sha256": letter.sha256},
        municipality_id=letter.municipality_id,
    )


def letter_rendered(letter: Letter) -> Letter:
    """`letter` with its PDF: one stored without it (`letters_rendered_later`) is rendered
    now, stored, logged with its hash and sent, exactly once however many ask at a time (the
    first to store it wins; the others read the stored one)."""
    if letter.sha256:
        return letter
    pdf = letter_pdf(letter.kind, letter.context)  # outside the transaction: it takes a while
    digest = hashlib.sha256(pdf).hexdigest()
    with transaction.atomic():
        if Letter.objects.filter(pk=letter.pk, sha256="").update(pdf=pdf, sha256=digest):
            letter.pdf, letter.sha256 = pdf, digest
            delivery_id = Delivery.objects.values_list("pk", flat=True).get(letter_id=letter.pk)
            _logged_and_sent(letter, delivery_id, letter.created_by)
            return letter
    return Letter.objects.select_related("case").get(pk=letter.pk)


def letters_render_pending(*, progress: Callable[[int, int], None] | None = None) -> int:
    """Render every letter stored without its PDF, oldest first (see `letter_rendered`);
    `progress(done, total)` is called after each. Returns how many were rendered."""
    pending = list(Letter.objects.filter(sha256="").select_related("created_by").order_by("pk"))
    for n, letter in enumerate(pending, start=1):
        letter_rendered(letter)
        if progress:
            progress(n, len(pending))
    return len(pending)


def letter_for_decision(*, decision: Decision, actor: Any) -> Letter | None:
    return _letter(
        case=decision.case,
        kind=LetterKind.DECISION,
        source=decision,
        context=compose.decision_context(decision),
        actor=actor,
    )


def letter_for_withdrawal(*, decision: Decision, actor: Any, received: dt.date) -> Letter | None:
    """The withdrawal of a decision: what is withdrawn, from when, why, and how to complain
    of the withdrawal (counted from `received`, the day the letter counts as received)."""
    return _letter(
        case=decision.case,
        kind=LetterKind.DECISION_WITHDRAWAL,
        source=decision,
        context=compose.withdrawal_context(decision, received),
        actor=actor,
    )


def letter_for_correction(*, decision: Decision, replaced: Decision, actor: Any) -> Letter | None:
    """The corrected decision in full, saying which decision it replaces, what changed and
    why, with complaint guidance counted from the new decision."""
    return _letter(
        case=decision.case,
        kind=LetterKind.DECISION_CORRECTED,
        source=decision,
        context=compose.correction_context(decision, replaced),
        actor=actor,
    )


def letter_for_contact(*, contact: Contact, actor: Any) -> Letter | None:
    """A receipt for a contact with a wish for treatment, with the guarantee date."""
    if not contact.wishes_treatment:
        return None
    return _letter(
        case=contact.case,
        kind=LetterKind.CONTACT_RECEIPT,
        source=contact,
        context=compose.receipt_context(contact),
        actor=actor,
    )


def letter_for_follow_up(*, follow_up: FollowUp, actor: Any) -> Letter | None:
    return _letter(
        case=follow_up.course.case,
        kind=LetterKind.FOLLOW_UP_INVITATION,
        source=follow_up,
        context=compose.follow_up_context(follow_up),
        actor=actor,
    )


def letter_for_self_payment(*, record: SelfPaymentAssessment, actor: Any) -> Letter | None:
    return _letter(
        case=record.course.case,
        kind=LetterKind.SELF_PAYMENT,
        source=record,
        context=compose.self_payment_context(record),
        actor=actor,
    )


def letter_for_booking(*, course: Course, actor: Any, on: dt.date) -> Letter | None:
    """The confirmation of a start booked from the waitlist (offer, provider, first session,
    the guarantee date), made once per course in the booking's transaction."""
    return _letter(
        case=course.case,
        kind=LetterKind.BOOKING_CONFIRMATION,
        source=course,
        context=compose.booking_context(course, on),
        actor=actor,
    )


def letter_retry(*, actor: Any, letter_id: int) -> Letter:
    """Put a letter from the worklist back in the outbox queue (a person fixed the cause).

    A letter the actor may not see is not found (404, before the role is checked: 403); the
    role must be one that records contacts. Only a failed delivery is put back, under a row
    lock, and that write is logged; any other letter is answered as it is, nothing written."""
    letter = letter_find(user=actor, letter_id=letter_id)
    require(actor, Action.CONTACT_RECORD)
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(letter_id=letter.pk)
        if delivery.status == DeliveryStatus.FAILED:
            old = {"status": delivery.status, "attempts": delivery.attempts}
            delivery_retry(delivery=delivery)
            audit_record(
                actor=actor,
                event=Event.LETTER_RETRIED,
                write=True,
                case_id=letter.case_id,
                obj=letter,
                old=old,
                new={"status": delivery.status, "attempts": delivery.attempts},
                municipality_id=letter.municipality_id,
            )
            if settings.RUSMIDDEL_OUTBOX_SEND_ON_COMMIT:
                transaction.on_commit(lambda: outbox_send_now(delivery.pk))
    letter.delivery = delivery
    return letter
