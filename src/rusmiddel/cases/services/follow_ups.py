"""Follow-ups (opfølgning) one and six months after a course ended."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from rusmiddel import rules
from rusmiddel.accounts.permissions import Action
from rusmiddel.audit.models import Event
from rusmiddel.audit.services import audit_record
from rusmiddel.outcomes.key_facts import FOLLOW_UP_MOMENTS, key_facts_given, key_facts_json

from ..errors import Invalid
from ..models import (
    DeadlineKind,
    EndOutcome,
    FollowUp,
)
from ._common import (
    bump,
    deadlines_meet,
    event_date_check,
    locked_child,
    standard_on,
)
from .courses import key_facts_after, measured, outcome_check, reachable


def follow_up_record(
    *,
    actor: Any,
    follow_up_id: int,
    version: int,
    done_on: dt.date,
    channel: str,
    reached: bool,
    outcome: str = "",
    note: str = "",
    use_frequency: str = "",
    housing: str = "",
    occupation: str = "",
) -> FollowUp:
    """The answer of a follow-up (attendance, phone or video): the citizen's situation in the
    outcome categories of the course's substance, as at the ending, and the key facts of the
    follow-up's moment (one or six months). Reached on a measured course, the key facts are
    required unless the citizen has moved away or died; not reached, none are recorded."""
    from ..models import FollowUpChannel

    if channel not in FollowUpChannel.values:
        raise Invalid(
            f"Ukendt kanal '{channel}' (en af {', '.join(FollowUpChannel.values)}).",
            field="channel",
        )
    if outcome and outcome not in EndOutcome.values:
        raise Invalid(f"Ukendt resultat '{outcome}'.", field="outcome")
    if reached and not outcome:
        raise Invalid("Angiv borgerens situation ved opfølgningen.", field="outcome")
    values = {"use_frequency": use_frequency, "housing": housing, "occupation": occupation}
    if not reached and key_facts_given(values):
        raise Invalid(
            "Brug, bolig og beskæftigelse registreres kun, når borgeren er truffet.",
            field="use_frequency",
        )
    with transaction.atomic():
        follow_up, case = locked_child(
            FollowUp,
            actor=actor,
            pk=follow_up_id,
            version=version,
            action=Action.FOLLOW_UP_RECORD,
            path="course__case__",
            what="Opfølgning",
        )
        course = follow_up.course
        if outcome:
            outcome_check(course.substance, outcome)
        ended_on = course.ended_on
        event_date_check(
            done_on,
            field="done_on",
            what="Opfølgningens dato",
            follows=((ended_on, "forløbets afslutning"),),
        )
        earliest = rules.follow_up_earliest(follow_up.due_on)
        if done_on < earliest:
            months = f"{follow_up.months} måned{'er' if follow_up.months > 1 else ''}"
            raise Invalid(
                f"done_on: Opfølgningen efter {months} kan tidligst registreres "
                f"{earliest:%d.%m.%Y}, {rules.FOLLOW_UP_EARLY_DAYS} dage før fristen "
                f"{follow_up.due_on:%d.%m.%Y} (du skrev {done_on:%d.%m.%Y}).",
                field="done_on",
            )
        old = {"done_on": follow_up.done_on and follow_up.done_on.isoformat()}
        follow_up.done_on = done_on
        follow_up.channel = channel
        follow_up.reached = reached
        follow_up.outcome = outcome
        follow_up.note = note
        follow_up.recorded_by = actor
        follow_up.save()
        moment = FOLLOW_UP_MOMENTS.get(follow_up.months)
        facts = None
        if reached and moment is not None:
            offer = standard_on(case.municipality.slug, course.started_on).standard.offer(
                course.offer
            )
            facts = key_facts_after(
                actor=actor,
                course=course,
                moment=moment,
                on=done_on,
                values=values,
                required=measured(offer) and reachable(outcome),
                deceased=outcome == EndOutcome.DECEASED,
            )
        elif key_facts_given(values):
            raise Invalid(
                f"Opfølgningen efter {follow_up.months} måneder har ingen nøgleoplysninger.",
                field="use_frequency",
            )
        deadlines_meet(case, DeadlineKind.FOLLOW_UP, done_on, source_id=follow_up.pk)
        bump(case)
        audit_record(
            actor=actor,
            event=Event.FOLLOW_UP_RECORDED,
            write=True,
            case_id=case.pk,
            obj=follow_up,
            old=old,
            new={
                "done_on": done_on.isoformat(),
                "reached": reached,
                "outcome": outcome,
                "key_facts": key_facts_json(facts) if facts else None,
            },
        )
    return follow_up
