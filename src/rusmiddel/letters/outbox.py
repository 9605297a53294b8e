"""The outbox: letters leave through one adapter per installation, chosen by
`RUSMIDDEL_OUTBOX` (file — the default —, email, or digital_post).

Delivery is at-most-once per letter: a worker claims a pending delivery under a row lock
(`SKIP LOCKED`, so two workers never take the same one), and a delivery marked sent is never
tried again. A temporary failure is retried with back-off; a permanent one, or too many
temporary ones, puts the letter on the failure worklist for a person to handle.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.utils import timezone

from rusmiddel.audit.models import Event
from rusmiddel.audit.services import audit_record

from .models import Delivery, DeliveryStatus, Letter

#: Waits after the 1st, 2nd … failed attempt; after the last the letter goes on the worklist.
BACKOFF = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=10),
    dt.timedelta(hours=1),
    dt.timedelta(hours=6),
    dt.timedelta(hours=24),
)


class DeliveryError(Exception):
    """An adapter could not deliver; `temporary` errors are retried."""

    def __init__(self, message: str, *, temporary: bool) -> None:
        super().__init__(message)
        self.temporary = temporary


class Outbox(Protocol):
    name: str

    def deliver(self, letter: Letter) -> str:
        """Send the letter; return a receipt (a path, a message id). Raise DeliveryError."""


class FileOutbox:
    """Writes each letter as PDF with a JSON sidecar to `<data dir>/outbox/<municipality>/`:
    for the demo, for tests, and for installations that hand files to a print service."""

    name = "file"

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = Path(folder or Path(settings.DATA_DIR) / "outbox")

    def deliver(self, letter: Letter) -> str:
        folder = self.folder / letter.municipality.slug
        try:
            folder.mkdir(parents=True, exist_ok=True)
            stem = f"{letter.case.number}-{letter.kind}-{letter.pk}"
            pdf = folder / f"{stem}.pdf"
            pdf.write_bytes(bytes(letter.pdf))
            meta = {
                "letter": letter.pk,
                "case": letter.case.number,
                "kind": letter.kind,
                "title": letter.title,
                "sha256": letter.sha256,
                "recipient": letter.context.get("recipient", {}),
            }
            (folder / f"{stem}.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2))
        except OSError as exc:
            raise DeliveryError(f"kunne ikke skrive {folder}: {exc}", temporary=True) from exc
        return str(pdf)


class EmailOutbox:
    """Sends the PDF by e-mail through Django's mail backend (EMAIL_* settings)."""

    name = "email"

    def deliver(self, letter: Letter) -> str:
        address = letter.case.citizen.email if letter.case.citizen else ""
        if not address:
            raise DeliveryError("borgeren har ingen e-mailadresse", temporary=False)
        message = EmailMessage(
            subject=letter.title,
            body=f"{letter.title}\n\nBrevet er vedhæftet som PDF.\n\n"
            f"{letter.context['municipality']['name']}",
            to=[address],
        )
        message.attach(
            f"{letter.case.number}-{letter.kind}.pdf", bytes(letter.pdf), "application/pdf"
        )
        try:
            message.send(fail_silently=False)
        except OSError as exc:  # SMTP connection problems: try again later
            raise DeliveryError(f"e-mail kunne ikke sendes: {exc}", temporary=True) from exc
        return address


class DigitalPostOutbox:
    """The seam for the national Digital Post service (NgDP). A municipality plugs in its
    client by subclassing and implementing `send(cpr, title, pdf) -> message id`; until then
    every letter goes on the worklist with a clear reason instead of being lost."""

    name = "digital_post"

    def send(self, cpr: str, title: str, pdf: bytes) -> str:
        raise DeliveryError(
            "Digital Post er ikke sat op i denne installation (RUSMIDDEL_OUTBOX=digital_post)",
            temporary=False,
        )

    def deliver(self, letter: Letter) -> str:
        citizen = letter.case.citizen
        if citizen is None:
            raise DeliveryError("sagen har ingen navngiven borger", temporary=False)
        return self.send(citizen.cpr, letter.title, bytes(letter.pdf))


ADAPTERS: dict[str, type] = {
    a.name: a
    for a in (FileOutbox, EmailOutbox, DigitalPostOutbox)  # type: ignore[attr-defined]
}


def configured_outbox() -> Outbox:
    name = getattr(settings, "RUSMIDDEL_OUTBOX", "file")
    return ADAPTERS[name]()


@dataclass(frozen=True)
class ProcessResult:
    sent: int
    retried: int
    failed: int


def _claim(now: dt.datetime, pk: int | None = None) -> Delivery | None:
    """Take one due delivery and mark it sending, in a transaction of its own: a second worker
    skips it, and a crash after this leaves it 'sending' for a person, never sent twice."""
    with transaction.atomic():
        rows = Delivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=now
        ).exclude(letter__sha256="")  # not rendered yet (`letters_rendered_later`): sent then
        if pk is not None:
            rows = rows.filter(pk=pk)
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True, of=("self",))
        delivery = (
            rows.select_related("letter__case__citizen", "letter__municipality")
            .order_by("next_attempt_at", "pk")
            .first()
        )
        if delivery is not None:
            delivery.status = DeliveryStatus.SENDING
            delivery.attempts += 1
            delivery.save(update_fields=["status", "attempts"])
        return delivery


def _settle(delivery: Delivery, outbox: Outbox, now: dt.datetime) -> str:
    """Deliver one claimed letter and record the outcome: sent, retried or failed."""
    delivery.outbox = outbox.name
    try:
        delivery.receipt = outbox.deliver(delivery.letter)[:300]
    except DeliveryError as exc:
        delivery.last_error = str(exc)
        if exc.temporary and delivery.attempts <= len(BACKOFF):
            delivery.status = DeliveryStatus.PENDING
            delivery.next_attempt_at = now + BACKOFF[delivery.attempts - 1]
            outcome = "retried"
        else:
            delivery.status = DeliveryStatus.FAILED
            outcome = "failed"
        delivery.save()
        return outcome
    with transaction.atomic():
        delivery.status = DeliveryStatus.SENT
        delivery.sent_at = now
        delivery.last_error = ""
        delivery.save()
        audit_record(
            actor=None,
            event=Event.LETTER_SENT,
            write=True,
            case_id=delivery.letter.case_id,
            obj=delivery.letter,
            new={"outbox": outbox.name, "receipt": delivery.receipt},
            municipality_id=delivery.letter.municipality_id,
        )
    return "sent"


def outbox_process(
    *, now: dt.datetime | None = None, outbox: Outbox | None = None, limit: int = 500
) -> ProcessResult:
    """Try every pending delivery that is due, one at a time; returns how many were sent, put
    back for a retry, or moved to the worklist. Safe to run from several workers at once."""
    now = now or timezone.now()
    outbox = outbox or configured_outbox()
    counts = {"sent": 0, "retried": 0, "failed": 0}
    for _ in range(limit):
        delivery = _claim(now)
        if delivery is None:
            break
        counts[_settle(delivery, outbox, now)] += 1
    return ProcessResult(**counts)


def outbox_send_now(delivery_id: int) -> str | None:
    """Send one new letter straight away (called after the commit that made it); the cron job
    `rusmiddel outbox --process` retries whatever this could not send."""
    now = timezone.now()
    delivery = _claim(now, delivery_id)
    return None if delivery is None else _settle(delivery, configured_outbox(), now)


def delivery_retry(*, delivery: Delivery, now: dt.datetime | None = None) -> Delivery:
    """Put a failed letter back in the queue (after a person fixed the cause)."""
    if delivery.status != DeliveryStatus.FAILED:
        return delivery
    delivery.status = DeliveryStatus.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = now or timezone.now()
    delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
    return delivery
