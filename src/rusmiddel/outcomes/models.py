"""FIT scores per session: ORS at its start, SRS at its end (instruments from the standard)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy

from rusmiddel.cases.models import Session


class FitScore(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="fit_scores")
    instrument = models.CharField(max_length=20)  # the standard's instrument id: ors, srs
    items = models.JSONField()  # the line scores, as decimal strings
    total = models.DecimalField(max_digits=5, decimal_places=2)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "instrument"], name="one_score_per_session")
        ]


class Moment(models.TextChoices):
    """When the key facts were recorded: the same facts at each moment, so change is measured."""

    START = "start", gettext_lazy("Ved start")
    END = "end", gettext_lazy("Ved afslutning")
    FOLLOW_UP_1 = "follow_up_1", gettext_lazy("Opfølgning efter 1 måned")
    FOLLOW_UP_6 = "follow_up_6", gettext_lazy("Opfølgning efter 6 måneder")


class UseFrequency(models.TextChoices):
    """Use of the primary substance in the last 30 days (TDI 3.0 frequency, codes 1–5)."""

    DAILY = "daily", gettext_lazy("Dagligt")  # TDI 1
    DAYS_4_6 = "days_4_6", gettext_lazy("4–6 dage om ugen")  # TDI 2
    DAYS_2_3 = "days_2_3", gettext_lazy("2–3 dage om ugen")  # TDI 3
    WEEKLY_OR_LESS = "weekly_or_less", gettext_lazy("1 dag om ugen eller sjældnere")  # TDI 4
    NOT_USED = "not_used", gettext_lazy("Ikke brugt")  # TDI 5


class Housing(models.TextChoices):
    """The assessment contract's social.housing codes (own and rented are a fixed address)."""

    OWN = "own", gettext_lazy("Ejerbolig")
    RENTED = "rented", gettext_lazy("Lejebolig")
    TEMPORARY = "temporary", gettext_lazy("Midlertidig bolig")
    SHELTER = "shelter", gettext_lazy("Herberg/forsorgshjem")
    HOMELESS = "homeless", gettext_lazy("Hjemløs")
    INSTITUTION = "institution", gettext_lazy("Institution")


class Occupation(models.TextChoices):
    """The assessment contract's social.occupation codes."""

    EMPLOYED = "employed", gettext_lazy("I arbejde")
    STUDENT = "student", gettext_lazy("Under uddannelse")
    UNEMPLOYED = "unemployed", gettext_lazy("Ledig")
    SICK_LEAVE = "sick_leave", gettext_lazy("Sygemeldt")
    RETIRED = "retired", gettext_lazy("Pensionist")
    NONE = "none", gettext_lazy("Uden beskæftigelse")


class KeyFacts(models.Model):
    """Use, housing and occupation of a course's citizen at one moment (start, end, follow-up):
    the paired admission and discharge values the registers and outcome goals compare."""

    course = models.ForeignKey("cases.Course", on_delete=models.CASCADE, related_name="key_facts")
    moment = models.CharField(max_length=12, choices=Moment.choices)
    recorded_on = models.DateField()
    use_frequency = models.CharField(max_length=16, choices=UseFrequency.choices)
    housing = models.CharField(max_length=12, choices=Housing.choices)
    occupation = models.CharField(max_length=12, choices=Occupation.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["course", "moment"], name="key_facts_once_per_moment")
        ]
