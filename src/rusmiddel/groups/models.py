"""Group offers: one run of a group (its calendar comes from the standard's schedule) and
the courses enrolled in it."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from rusmiddel.accounts.models import Municipality, Provider


class Group(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT)
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT)
    offer = models.CharField(max_length=60)
    title = models.CharField(max_length=200)
    starts_on = models.DateField()
    stop_day = models.DateField(null=True, blank=True)  # the common stop day, where there is one
    seats = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["starts_on", "title"]

    def __str__(self) -> str:
        return self.title


class Enrolment(models.Model):
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="enrolments")
    course = models.ForeignKey("cases.Course", on_delete=models.CASCADE, related_name="enrolments")
    enrolled_on = models.DateField()
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "course"], name="enrolled_once")]
