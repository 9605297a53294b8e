"""Recording FIT scores: one per instrument and session, in the case's transaction and log."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from rusmiddel.accounts.permissions import Action
from rusmiddel.audit.models import Event
from rusmiddel.audit.services import audit_record
from rusmiddel.cases.errors import Invalid
from rusmiddel.cases.models import Session
from rusmiddel.cases.services._common import bump, locked_child, standard_on
from rusmiddel.rules.errors import RulesError
from rusmiddel.rules.outcomes import fit_total

from .models import FitScore


def fit_record(
    *, actor: Any, session_id: int, version: int, instrument: str, items: list[Any]
) -> FitScore:
    """Record (or correct) the ORS or SRS of a session, validated against the standard's
    instrument: the number of lines, the range and the decimals."""
    with transaction.atomic():
        session, case = locked_child(
            Session,
            actor=actor,
            pk=session_id,
            version=version,
            action=Action.COURSE_MANAGE,
            path="course__case__",
            what="Samtale",
        )
        standard = standard_on(case.municipality.slug, session.starts_at.date()).standard
        chosen = standard.instrument(instrument)
        if chosen is None:
            known = (
                ", ".join(i.id for i in standard.outcome_measures.instruments)
                if standard.outcome_measures
                else "ingen"
            )
            raise Invalid(
                f"{standard.municipality.name}s standard har ikke instrumentet '{instrument}' "
                f"(kendte: {known}).",
                field="instrument",
            )
        try:
            scores, total = fit_total(chosen, items)
        except RulesError as exc:
            field, _, message = str(exc).partition(": ")
            raise Invalid(message, field=field) from None
        old = FitScore.objects.filter(session=session, instrument=chosen.id).first()
        score, _ = FitScore.objects.update_or_create(
            session=session,
            instrument=chosen.id,
            defaults={"items": [str(s) for s in scores], "total": total, "recorded_by": actor},
        )
        bump(case)
        audit_record(
            actor=actor,
            event=Event.FIT_RECORDED,
            write=True,
            case_id=case.pk,
            obj=score,
            old={"total": str(old.total)} if old else None,
            new={"instrument": chosen.id, "total": str(total)},
        )
    return score
