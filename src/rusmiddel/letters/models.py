"""Letters to citizens (PDF) and their delivery through the outbox.

A letter is written once, when the step that causes it is recorded (decision, contact,
ending, self-payment, a start booked from the waitlist): its text is frozen in `context` and
its PDF in `pdf`, so what was sent can always be shown again. `key` makes creation
idempotent: the same letter is never made, and so never sent, twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy

from rusmiddel.accounts.models import Municipality
from rusmiddel.cases.models import Case


class LetterKind(models.TextChoices):
    DECISION = "decision", gettext_lazy("Afgørelse")
    # a decision withdrawn (with its reason and complaint guidance), or corrected: the new
    # decision in full, saying what changed and why
    DECISION_WITHDRAWAL = "decision_withdrawal", gettext_lazy("Tilbagekaldelse af afgørelse")
    DECISION_CORRECTED = "decision_corrected", gettext_lazy("Ændret afgørelse")
    CONTACT_RECEIPT = "contact_receipt", gettext_lazy("Kvittering for henvendelse")
    FOLLOW_UP_INVITATION = "follow_up_invitation", gettext_lazy("Invitation til opfølgning")
    SELF_PAYMENT = "self_payment", gettext_lazy("Afgørelse om egenbetaling")
    # the start booked from the waitlist: offer, provider, first session, the guarantee date
    BOOKING_CONFIRMATION = "booking_confirmation", gettext_lazy("Bekræftelse af behandlingsstart")


class Letter(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="letters")
    kind = models.CharField(max_length=30, choices=LetterKind.choices)
    key = models.CharField(max_length=80, unique=True)  # "<kind>:<source id>": idempotency
    title = models.CharField(max_length=200)
    context = models.JSONField()  # every text and date in the letter, as sent
    pdf = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", gettext_lazy("Venter")
    SENDING = "sending", gettext_lazy("Sendes")  # claimed by a worker; left here only if it crashed
    SENT = "sent", gettext_lazy("Sendt")
    FAILED = "failed", gettext_lazy("Fejlet")  # on the worklist: needs a person


class Delivery(models.Model):
    """The sending of one letter through the installation's outbox, with retries."""

    letter = models.OneToOneField(Letter, on_delete=models.PROTECT, related_name="delivery")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default="pending")
    outbox = models.CharField(max_length=30, blank=True)  # the adapter that sent it
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    receipt = models.CharField(max_length=300, blank=True)  # the adapter's id or path

    class Meta:
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="deliveries_due",
                condition=models.Q(status="pending"),
            )
        ]
