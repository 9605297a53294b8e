"""FIT scores per session: ORS at its start, SRS at its end (instruments from the standard)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

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
