"""The audit log: every read and write of personal data, append-only.

Rows are never updated or deleted: database triggers refuse it (migrations 0002 and 0009).
The log keeps plain ids, not foreign keys, so that nothing elsewhere can cascade into it. Each
municipality's entries are chained with a keyed hash (`chain`), and the chains' ends are
anchored outside the database (`anchors`), so a change made past the triggers shows.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy


class Event(models.TextChoices):
    CASE_LIST = "case_list", gettext_lazy("Sagsliste læst")
    CASE_READ = "case_read", gettext_lazy("Sag læst")
    CASE_CREATED = "case_created", gettext_lazy("Sag oprettet")
    CONTACT_RECORDED = "contact_recorded", gettext_lazy("Henvendelse registreret")
    ASSESSMENT_RECORDED = "assessment_recorded", gettext_lazy("Udredning registreret")
    EVALUATION_RECORDED = "evaluation_recorded", gettext_lazy("Visitation beregnet")
    DECISION_RECORDED = "decision_recorded", gettext_lazy("Afgørelse truffet")
    DECISION_WITHDRAWN = "decision_withdrawn", gettext_lazy("Afgørelse tilbagekaldt")
    DECISION_CORRECTED = "decision_corrected", gettext_lazy("Afgørelse ændret")
    COURSE_STARTED = "course_started", gettext_lazy("Forløb startet")
    PLAN_RECORDED = "plan_recorded", gettext_lazy("Behandlingsplan registreret")
    SESSION_RECORDED = "session_recorded", gettext_lazy("Samtale registreret")
    ATTENDANCE_RECORDED = "attendance_recorded", gettext_lazy("Fremmøde registreret")
    GROUP_ENROLLED = "group_enrolled", gettext_lazy("Tilmeldt gruppe")
    STATUS_REPORT_RECORDED = "status_report_recorded", gettext_lazy("Status registreret")
    OFFER_CHANGED = "offer_changed", gettext_lazy("Tilbud ændret")
    SELF_PAYMENT_RECORDED = "self_payment_recorded", gettext_lazy("Egenbetaling beregnet")
    COURSE_ENDED = "course_ended", gettext_lazy("Forløb afsluttet")
    FOLLOW_UP_RECORDED = "follow_up_recorded", gettext_lazy("Opfølgning registreret")
    COMPLAINT_RECEIVED = "complaint_received", gettext_lazy("Klage modtaget")
    COMPLAINT_REASSESSED = "complaint_reassessed", gettext_lazy("Klage genvurderet")
    FIT_RECORDED = "fit_recorded", gettext_lazy("FIT-score registreret")
    KEY_FACTS_RECORDED = "key_facts_recorded", gettext_lazy("Nøgleoplysninger registreret")
    LETTER_CREATED = "letter_created", gettext_lazy("Brev dannet")
    LETTER_SENT = "letter_sent", gettext_lazy("Brev sendt")
    LETTER_READ = "letter_read", gettext_lazy("Brev læst")
    LETTER_RETRIED = "letter_retried", gettext_lazy("Brev sendt igen")
    DUE_LIST = "due_list", gettext_lazy("Frister læst")
    AUDIT_READ = "audit_read", gettext_lazy("Log læst")
    STAFF_CREATED = "staff_created", gettext_lazy("Bruger oprettet")
    STAFF_ACTIVE_CHANGED = "staff_active_changed", gettext_lazy("Brugers adgang ændret")
    # carries CPR numbers
    REGISTER_EXTRACTED = "register_extracted", gettext_lazy("Registerudtræk hentet")
    GROUP_CREATED = "group_created", gettext_lazy("Gruppe oprettet")
    GROUP_CHANGED = "group_changed", gettext_lazy("Gruppe ændret")
    CITIZEN_EXPORTED = "citizen_exported", gettext_lazy("Indsigt udleveret")  # GDPR art. 15
    # one entry per case of the citizen, with the old and new values
    CITIZEN_CHANGED = "citizen_changed", gettext_lazy("Borgerens oplysninger ændret")
    CASE_ERASED = "case_erased", gettext_lazy("Sag slettet efter opbevaringsregel")
    WAITLIST_BOOKED = "waitlist_booked", gettext_lazy("Booket fra ventelisten")
    CAPACITY_CREATED = "capacity_created", gettext_lazy("Kapacitet oprettet")
    CAPACITY_CHANGED = "capacity_changed", gettext_lazy("Kapacitet ændret")
    # integrated treatment in the regional psychiatry (SUL § 82 c)
    REGION_REFERRED = "region_referred", gettext_lazy("Henvist til integreret behandling")
    REGION_ACCEPTED = "region_accepted", gettext_lazy("Modtaget i integreret behandling")
    # the case's caseworker: taken, given or removed (old and new user ids)
    CASE_ASSIGNED = "case_assigned", gettext_lazy("Sagsbehandler tildelt")


class AuditEntry(models.Model):
    # set before the insert (not auto_now_add): the hash covers it
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField(null=True)  # None: the system (cron jobs)
    actor = models.CharField(max_length=150)  # the username at the time
    role = models.CharField(max_length=30, blank=True)
    municipality_id = models.BigIntegerField(null=True, db_index=True)
    event = models.CharField(max_length=40, choices=Event.choices)
    write = models.BooleanField()  # False: a read of personal data
    case_id = models.BigIntegerField(null=True, db_index=True)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.BigIntegerField(null=True)
    why = models.CharField(max_length=200, blank=True)  # the purpose given for the access
    old = models.JSONField(null=True)
    new = models.JSONField(null=True)
    seq = models.PositiveBigIntegerField()  # place in its municipality's chain, from 1
    prev_hash = models.CharField(max_length=64)  # the hash of entry seq - 1 (chain.GENESIS)
    # chain.entry_mac of this entry's fields (before 0009: chain.entry_hash, see AuditChain)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["municipality_id", "-at"])]
        constraints = [  # one entry per place in a chain: a forked chain cannot be stored
            models.UniqueConstraint(
                fields=["municipality_id", "seq"],
                condition=models.Q(municipality_id__isnull=False),
                name="audit_one_entry_per_seq",
            ),
            models.UniqueConstraint(
                fields=["seq"],
                condition=models.Q(municipality_id__isnull=True),
                name="audit_one_system_entry_per_seq",
            ),
        ]
        verbose_name = "logpost"
        verbose_name_plural = "log"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.event} sag {self.case_id}"

    @property
    def role_display(self) -> str:
        """The role's Danish name (the log keeps the code, as it was at the time)."""
        from rusmiddel.accounts.models import Role

        return Role(self.role).label if self.role in Role.values else self.role or "system"


class AuditChain(models.Model):
    """The head of one municipality's chain (`key` 0: entries without a municipality). Every
    append locks this row (SELECT … FOR UPDATE) until its transaction commits, so appends to
    one chain take turns and never fork it; `audit verify` also holds the last entry to it,
    so entries cut off the end show too.

    A chain begun before the chain was keyed (migration 0009) holds the place of its last
    entry hashed without the key (plain SHA-256) and a seal over it made with the key: plain
    entries verify up to there and nowhere else."""

    key = models.BigIntegerField(primary_key=True)  # the municipality's id; 0: none
    seq = models.PositiveBigIntegerField(default=0)  # the last entry's seq (0: empty)
    hash = models.CharField(max_length=64)  # the last entry's hash (chain.GENESIS: empty)
    # None: every entry is keyed. Else the seq of the last unkeyed entry (set by 0009 only).
    # Both nullable: a column with a default would rebuild the table on SQLite (see 0009).
    sealed_seq = models.PositiveBigIntegerField(null=True)
    seal = models.CharField(max_length=64, null=True)  # noqa: DJ001 - chain.seal_mac of it

    class Meta:
        verbose_name = "logkæde"
        verbose_name_plural = "logkæder"
