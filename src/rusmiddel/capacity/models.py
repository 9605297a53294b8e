"""Capacity per provider and offer: places (courses at once) or weekly start slots, with the
dates they hold. A group's capacity is its runs' seats (`groups.Group.seats`), read as is."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy

from rusmiddel.accounts.models import Municipality, Provider


class CapacityKind(models.TextChoices):
    PLACES = "places", gettext_lazy("Pladser")  # courses at once (e.g. residential beds)
    WEEKLY_SLOTS = "weekly_slots", gettext_lazy("Opstartstider pr. uge")  # first sessions a week


class Capacity(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT)
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT)
    offer = models.CharField(max_length=60)  # the standard's offer id
    kind = models.CharField(max_length=20, choices=CapacityKind.choices)
    amount = models.PositiveSmallIntegerField()
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True)  # None: until further notice
    # a narrower age band than the offer's (whole years, inclusive); None: the offer's own
    age_min = models.PositiveSmallIntegerField(null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["offer", "provider__name", "valid_from"]
        verbose_name = "kapacitet"
        verbose_name_plural = "kapacitet"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=1), name="capacity_amount_positive"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="capacity_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offer} hos {self.provider_id}: {self.amount} {self.get_kind_display()}"
