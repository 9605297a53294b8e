"""The course of a case: contact → assessment → evaluation → decision → course → ending →
follow-up, and complaints. Every row belongs to one municipality through its case.

Rows are written only by `services`; every step records who and when.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy

from rusmiddel.accounts.models import Municipality, Provider

USER = settings.AUTH_USER_MODEL


class Citizen(models.Model):
    """A named person (borger). Anonymous cases have none."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT)
    cpr = models.CharField(max_length=10)  # ten digits, validated by python-stdnum
    name = models.CharField(max_length=200)
    birth_date = models.DateField()  # from the CPR number (date and century digit)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    address = models.CharField(max_length=300, blank=True)
    # guards the name and contact details against stale writes (`citizen_update`); opening a
    # case never changes them
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["municipality", "cpr"], name="one_citizen_per_cpr")
        ]
        verbose_name = "borger"
        verbose_name_plural = "borgere"

    def __str__(self) -> str:
        return self.name


class CaseStatus(models.TextChoices):
    CONTACT = "contact", gettext_lazy("Henvendelse")  # contact recorded, not assessed
    ASSESSMENT = "assessment", gettext_lazy("Udredning")  # facts recorded
    DECIDED = "decided", gettext_lazy("Afgjort")  # at least one decision, no course yet
    IN_COURSE = "in_course", gettext_lazy("I forløb")
    ENDED = "ended", gettext_lazy("Afsluttet")  # course ended; follow-ups may be open


class PersonRole(models.TextChoices):
    USER = "user", gettext_lazy("Borger med rusmiddelproblem")
    RELATIVE = "relative", gettext_lazy("Pårørende")
    CHILD_OF_USER = "child_of_user", gettext_lazy("Barn af forælder med rusmiddelproblem")
    ADULT_CHILD_OF_USER = "adult_child_of_user", gettext_lazy("Voksent barn")
    PARENT_OF_USER = "parent_of_user", gettext_lazy("Forælder til barn/ung med rusmiddelproblem")
    PROFESSIONAL = "professional", gettext_lazy("Fagperson")


class Case(models.Model):
    """One person's case in one municipality; `version` guards against stale writes."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="cases")
    number = models.CharField(max_length=60, unique=True)  # e.g. GENTOFTE-2026-000123
    citizen = models.ForeignKey(Citizen, null=True, blank=True, on_delete=models.PROTECT)
    anonymous = models.BooleanField(default=False)  # SEL § 101 a: no CPR, no name
    pseudonym = models.CharField(max_length=60, blank=True)  # chosen by the anonymous person
    person_role = models.CharField(
        max_length=30, choices=PersonRole.choices, default=PersonRole.USER
    )
    related_case = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="relatives"
    )  # a relative's own case points at the case of the person they are relative to
    status = models.CharField(max_length=20, choices=CaseStatus.choices, default="contact")
    caseworker = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    provider = models.ForeignKey(
        Provider, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )  # the provider the case is referred to (anonymous: where the person turned up)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [
            models.Index(fields=["municipality", "status", "-updated_at"]),
            models.Index(fields=["provider", "-updated_at"]),
            # Mine sager: a caseworker's own cases and the municipality's unassigned ones
            models.Index(fields=["municipality", "caseworker"], name="case_caseload"),
        ]
        constraints = [
            models.CheckConstraint(
                name="anonymous_case_has_no_citizen",
                condition=models.Q(anonymous=False) | models.Q(citizen__isnull=True),
            )
        ]
        verbose_name = "sag"
        verbose_name_plural = "sager"

    def __str__(self) -> str:
        return self.number


class CitizenChangeNotice(models.Model):
    """A notice on one of a citizen's cases that the citizen's name or contact details were
    changed (`citizen_update`), with the old and new values: letters on every case now go to
    the new address, so whoever works on any of them sees it on the case's timeline."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="citizen_notices")
    changes = models.JSONField()  # {field: {"old": …, "new": …}} for the fields that changed
    changed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "changed_at", "id"]


class ContactChannel(models.TextChoices):
    SELF_SERVICE = "self_service", gettext_lazy("Selvbetjening")
    DIGITAL_POST = "digital_post", gettext_lazy("Digital Post")
    PHONE = "phone", gettext_lazy("Telefon")
    WALK_IN = "walk_in", gettext_lazy("Personligt fremmøde")
    LETTER = "letter", gettext_lazy("Brev")


class ContactBy(models.TextChoices):
    CITIZEN = "citizen", gettext_lazy("Borgeren selv")
    RELATIVE = "relative", gettext_lazy("Pårørende")
    PROFESSIONAL = "professional", gettext_lazy("Fagperson")


class Contact(models.Model):
    """A henvendelse. With a wish for treatment it starts the 14-day guarantee clock."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contacts")
    received_on = models.DateField()
    channel = models.CharField(max_length=20, choices=ContactChannel.choices)
    contact_by = models.CharField(max_length=20, choices=ContactBy.choices, default="citizen")
    # who referred, when not the citizen: a GP, a hospital, another authority ("": none named)
    referrer = models.CharField(max_length=200, blank=True, default="")
    wishes_treatment = models.BooleanField(default=True)
    requested_offer = models.CharField(max_length=60, blank=True)
    note = models.TextField(blank=True)
    guarantee_due = models.DateField(null=True, blank=True)  # None: not covered
    guarantee_basis = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # None: the citizen applied through self-service
    recorded_at = models.DateTimeField(auto_now_add=True)


class Assessment(models.Model):
    """The facts of contracts/assessment.schema.json, and the caseworker's description of each
    element the standard's assessment covers; a new version for every change."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    version = models.PositiveIntegerField()
    facts = models.JSONField()
    #: free text per section id of the standard's `assessment.sections` ({} when none)
    sections = models.JSONField(default=dict, blank=True, db_default={})
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="one_assessment_version")
        ]


class Evaluation(models.Model):
    """An evaluation as it was computed: the result and the exact standard version, so a
    decision can be reproduced years later."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evaluations")
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT)
    evaluated_on = models.DateField()
    standard_version = models.CharField(max_length=60)
    result = models.JSONField()  # the CLI contract's evaluate document
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "-created_at", "-id"]

    def offer_result(self, offer_id: str) -> dict | None:
        return next((o for o in self.result["offers"] if o["offer"] == offer_id), None)


class DecisionOutcome(models.TextChoices):
    GRANTED = "granted", gettext_lazy("Bevilget")
    REFUSED = "refused", gettext_lazy("Afslag")


class SendChannel(models.TextChoices):
    DIGITAL_POST = "digital_post", gettext_lazy("Digital Post")
    POST = "post", gettext_lazy("Almindelig post")
    QUICKPOST = "quickpost", gettext_lazy("Quickpost")


class FreeChoiceOutcome(models.TextChoices):
    NOT_REQUESTED = "not_requested", gettext_lazy("Ikke ønsket")
    GRANTED = "granted", gettext_lazy("Imødekommet")
    REFUSED = "refused", gettext_lazy("Afslået (ikke et tilsvarende tilbud)")


class DecisionStatus(models.TextChoices):
    """Whether a decision still stands. Only an active one is the basis of a course or a
    place on the waitlist; the others stay on the case, in its timeline and in the log."""

    ACTIVE = "active", gettext_lazy("Gældende")
    WITHDRAWN = "withdrawn", gettext_lazy("Tilbagekaldt")  # revoked, with a letter of its own
    CORRECTED = "corrected", gettext_lazy("Ændret")  # replaced by a new decision (`replaced_by`)


class Decision(models.Model):
    """An afgørelse on one offer, with its reasoning and complaint deadline."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="decisions")
    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT)
    offer = models.CharField(max_length=60)
    outcome = models.CharField(max_length=10, choices=DecisionOutcome.choices)
    evaluation_status = models.CharField(max_length=20)  # the offer's status when decided
    reasoning = models.TextField()  # forvaltningsloven §§ 22–24: rules, facts, assessment
    override_reason = models.TextField(blank=True)  # granting against the evaluation
    legal_basis = models.JSONField(default=list)
    provider = models.ForeignKey(Provider, null=True, blank=True, on_delete=models.PROTECT)
    free_choice_requested = models.CharField(max_length=200, blank=True)  # the provider wished
    free_choice_outcome = models.CharField(
        max_length=20, choices=FreeChoiceOutcome.choices, default="not_requested"
    )
    decided_on = models.DateField()
    sent_on = models.DateField()
    send_channel = models.CharField(max_length=20, choices=SendChannel.choices)
    received_on = models.DateField()  # when it counts as received (vejledning nr. 9533)
    complaint_route = models.CharField(max_length=60, blank=True)
    complaint_deadline = models.DateField(null=True, blank=True)  # None: no appeal
    standard_version = models.CharField(max_length=60)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)
    # withdrawal or correction (`decision_withdraw`, `decision_correct`)
    status = models.CharField(max_length=10, choices=DecisionStatus.choices, default="active")
    withdrawn_on = models.DateField(null=True, blank=True)  # the day it stopped counting
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawal_reason = models.TextField(blank=True)
    # a withdrawal is a decision of its own, with its own deadline (None: no appeal, or a
    # correction: the new decision carries the deadline)
    withdrawal_complaint_deadline = models.DateField(null=True, blank=True)
    replaced_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaces"
    )  # the corrected decision that replaces this one


class CourseStatus(models.TextChoices):
    ACTIVE = "active", gettext_lazy("Aktivt")
    ENDED = "ended", gettext_lazy("Afsluttet")


class EndReason(models.TextChoices):
    COMPLETED = "completed", gettext_lazy("Gennemført")
    DROPPED_OUT = "dropped_out", gettext_lazy("Udeblevet/afbrudt")
    TERMINATED = "terminated", gettext_lazy("Afsluttet af behandlingsstedet")
    TRANSFERRED = "transferred", gettext_lazy("Overgået til andet tilbud")
    MOVED = "moved", gettext_lazy("Fraflyttet")
    DECEASED = "deceased", gettext_lazy("Død")
    OTHER = "other", gettext_lazy("Andet")


class EndOutcome(models.TextChoices):
    SUBSTANCE_FREE = "substance_free", gettext_lazy("Stof-/alkoholfri")
    REDUCED = "reduced", gettext_lazy("Reduceret forbrug")
    STABILISED = "stabilised", gettext_lazy("Stabiliseret forbrug")
    # the alcohol goals' third category
    REFERRED = "referred", gettext_lazy("Henvist til anden behandling")
    UNCHANGED = "unchanged", gettext_lazy("Uændret")
    DROPPED_OUT = "dropped_out", gettext_lazy("Udeblevet")
    MOVED = "moved", gettext_lazy("Fraflyttet")
    DECEASED = "deceased", gettext_lazy("Død")


class Substance(models.TextChoices):
    """Which register and which of the government's outcome goals a course belongs to."""

    DRUGS = "drugs", gettext_lazy("Stoffer")  # SIB; goals: drug-free, reduced, stabilised
    ALCOHOL = "alcohol", gettext_lazy("Alkohol")  # NAB; goals: alcohol-free, reduced, referred


class Course(models.Model):
    """A forløb: treatment under one offer at one provider, from start to ending."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="courses")
    # copies of the case's (neither ever changes), so that statistics over a municipality's
    # courses read one index range instead of joining every case in the country
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", db_index=False
    )  # indexed with the dates below
    anonymous = models.BooleanField(default=False)
    decision = models.ForeignKey(Decision, null=True, blank=True, on_delete=models.PROTECT)
    offer = models.CharField(max_length=60)
    substance = models.CharField(max_length=10, choices=Substance.choices, blank=True)  # "": unset
    provider = models.ForeignKey(Provider, null=True, blank=True, on_delete=models.PROTECT)
    status = models.CharField(max_length=10, choices=CourseStatus.choices, default="active")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)
    outcome = models.CharField(max_length=20, choices=EndOutcome.choices, blank=True)
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next"
    )  # a change of offer ends one course and starts the next
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "started_on", "id"]
        indexes = [
            models.Index(fields=["municipality", "started_on"], name="course_started"),
            models.Index(fields=["municipality", "ended_on"], name="course_ended"),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.municipality_id is None:
            self.municipality_id = self.case.municipality_id
            self.anonymous = self.case.anonymous
        super().save(*args, **kwargs)


class Goal(models.TextChoices):
    ABSTINENCE = "abstinence", gettext_lazy("Ophør (stof-/alkoholfrihed)")
    REDUCTION = "reduction", gettext_lazy("Reduktion")
    STABILISATION = "stabilisation", gettext_lazy("Stabilisering")


class TreatmentPlan(models.Model):
    """A behandlingsplan (SEL § 101, stk. 8) with the citizen's goals; versions kept."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="plans")
    version = models.PositiveIntegerField()
    goal = models.CharField(max_length=20, choices=Goal.choices)
    goals_text = models.TextField()  # the citizen's own words
    agreed_on = models.DateField()
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["course", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["course", "version"], name="one_plan_version")
        ]


class Attendance(models.TextChoices):
    ATTENDED = "attended", gettext_lazy("Mødt")
    NO_SHOW = "no_show", gettext_lazy("Udeblevet")
    CANCELLED = "cancelled", gettext_lazy("Aflyst")


class Session(models.Model):
    """A samtale (individual) or a group meeting attended by the course's citizen."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    group = models.ForeignKey(
        "treatment_groups.Group", null=True, blank=True, on_delete=models.PROTECT
    )
    attendance = models.CharField(max_length=10, choices=Attendance.choices, blank=True)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["course", "starts_at"]
        indexes = [models.Index(fields=["course", "starts_at"])]


class StatusReportKind(models.TextChoices):
    PERIODIC = "periodic", gettext_lazy("Løbende status")
    FINAL = "final", gettext_lazy("Afsluttende status")


class StatusReport(models.Model):
    """A status report from the provider to the authority."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="status_reports")
    kind = models.CharField(max_length=10, choices=StatusReportKind.choices)
    text = models.TextField()
    submitted_on = models.DateField()
    submitted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")


class FollowUpChannel(models.TextChoices):
    ATTENDANCE = "attendance", gettext_lazy("Fremmøde")
    PHONE = "phone", gettext_lazy("Telefon")
    VIDEO = "video", gettext_lazy("Video")


class FollowUp(models.Model):
    """An opfølgning one or six months after the course ended."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="follow_ups")
    months = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    channel = models.CharField(max_length=12, choices=FollowUpChannel.choices, blank=True)
    done_on = models.DateField(null=True, blank=True)
    reached = models.BooleanField(null=True)  # None: not yet tried
    outcome = models.CharField(max_length=20, choices=EndOutcome.choices, blank=True)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["due_on"], name="follow_up_due"),  # statistics
            # Opfølgning: the open ones, soonest first (a few per cent of all follow-ups)
            models.Index(
                fields=["due_on", "id"],
                name="open_follow_ups",
                condition=models.Q(done_on__isnull=True),
            ),
        ]


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", gettext_lazy("Modtaget")
    CHANGED = "changed", gettext_lazy("Genvurderet: afgørelsen ændret")
    FORWARDED = "forwarded", gettext_lazy("Fastholdt og sendt videre")


class Complaint(models.Model):
    """A klage over an afgørelse, handled along the offer's complaint route."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="complaints")
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="complaints")
    route = models.CharField(max_length=60)
    received_on = models.DateField()
    within_deadline = models.BooleanField()
    text = models.TextField()
    status = models.CharField(max_length=12, choices=ComplaintStatus.choices, default="received")
    reassess_by = models.DateField()  # reassess and forward within 4 weeks (rsl. § 66)
    reassessed_on = models.DateField(null=True, blank=True)
    forwarded_to = models.CharField(max_length=200, blank=True)
    reassessment_text = models.TextField(blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    class Meta:
        # Klager walks these in order and stops at a page, instead of joining every one
        indexes = [
            models.Index(
                fields=["reassess_by", "id"],
                name="open_complaints",
                condition=models.Q(status="received"),
            ),
            models.Index(fields=["-reassessed_on", "-id"], name="reassessed_complaints"),
        ]


class SelfPaymentAssessment(models.Model):
    """The self-payment calculated for a residential course, with its figures."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="self_payments")
    rule = models.CharField(max_length=60)
    days = models.PositiveIntegerField()
    keeps_rent = models.BooleanField()
    monthly_income_dkk = models.DecimalField(max_digits=10, decimal_places=2, null=True)
    calculation = models.JSONField()
    total_dkk = models.DecimalField(max_digits=10, decimal_places=2)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)


class RegionReferral(models.Model):
    """A referral to integrated treatment in the regional psychiatry (sundhedslovens § 82 c,
    from 1 September 2024) of a citizen with a severe mental illness and a substance problem.
    The region starts treatment within 14 days of receiving the referral; once it has received
    the citizen (`accepted_on`), SUL §§ 141 and 142 no longer apply and the municipality's
    guarantees resting on them close as handed over (`rules.integrated_treatment`)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="region_referral")
    referred_on = models.DateField()
    region = models.CharField(max_length=200)  # the region and unit, as the caseworker names it
    note = models.TextField(blank=True)
    referred_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    referred_at = models.DateTimeField(auto_now_add=True)
    accepted_on = models.DateField(null=True, blank=True)  # None: the region has not taken over
    accepted_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "henvisning til integreret behandling"
        verbose_name_plural = "henvisninger til integreret behandling"


class DeadlineKind(models.TextChoices):
    TREATMENT_GUARANTEE = "treatment_guarantee", gettext_lazy("Behandlingsgaranti")
    COMPLAINT_REASSESSMENT = "complaint_reassessment", gettext_lazy("Genvurdering af klage")
    FOLLOW_UP = "follow_up", gettext_lazy("Opfølgning")
    STATUS_REPORT = "status_report", gettext_lazy("Status fra leverandør")


class Deadline(models.Model):
    """Everything that falls due, kept by the services that create and meet it, so that one
    indexed query lists what falls due per municipality, caseworker and provider."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField(max_length=30, choices=DeadlineKind.choices)
    due_on = models.DateField()
    text = models.CharField(max_length=200)
    caseworker = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    provider = models.ForeignKey(Provider, null=True, blank=True, on_delete=models.SET_NULL)
    anonymous = models.BooleanField(default=False)  # copied from the case: scoping
    source_type = models.CharField(max_length=30)  # contact | complaint | follow_up | course
    source_id = models.BigIntegerField()
    met_on = models.DateField(null=True, blank=True)  # None: still open
    # why it closed without being met (a guarantee handed over to the region); "": met or open
    closed_reason = models.CharField(max_length=200, blank=True, default="", db_default="")
    warned_at = models.DateTimeField(null=True, blank=True)  # set by `rusmiddel due --notify`

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(
                fields=["municipality", "due_on"],
                name="open_deadlines",
                condition=models.Q(met_on__isnull=True),
            ),
            models.Index(fields=["source_type", "source_id"]),
            # the treatment guarantee per month of its date (statistics, the waitlist's
            # figure): one index range of a municipality's deadlines of one kind
            models.Index(fields=["municipality", "kind", "due_on"], name="deadlines_by_kind"),
            # a case's next open deadline (Mine sager, search): one index probe per case
            models.Index(
                fields=["case", "due_on"],
                name="open_deadlines_by_case",
                condition=models.Q(met_on__isnull=True),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "source_type", "source_id"], name="one_deadline_per_source"
            )
        ]


class Notification(models.Model):
    """A warning to one staff member that a deadline is close (made by `rusmiddel due
    --notify`, at most once per deadline and person)."""

    recipient = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="notifications")
    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="notifications")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recipient", "deadline"], name="warned_once")
        ]
