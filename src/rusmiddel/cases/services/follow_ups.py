"""Follow-ups (opfølgning) one and six months after a course ended."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from rusmiddel.accounts.permissions import Action
from rusmiddel.audit.models import Event
from rusmiddel.audit.services import audit_record

from ..errors import Invalid
from ..models import (
    DeadlineKind,
    EndOutcome,
    FollowUp,
)
from ._common import (
    bump,
    deadlines_meet,
    locked_child,
    not_before,
)


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
) -> FollowUp:
    """The answer of a follow-up (attendance, phone or video), against the ending's outcome."""
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
        ended_on = follow_up.course.ended_on
        not_before(done_on, ended_on, "done_on", "forløbets afslutning")
        old = {"done_on": follow_up.done_on and follow_up.done_on.isoformat()}
        follow_up.done_on = done_on
        follow_up.channel = channel
        follow_up.reached = reached
        follow_up.outcome = outcome
        follow_up.note = note
        follow_up.recorded_by = actor
        follow_up.save()
        deadlines_meet(case, DeadlineKind.FOLLOW_UP, done_on, source_id=follow_up.pk)
        bump(case)
        audit_record(
            actor=actor,
            event=Event.FOLLOW_UP_RECORDED,
            write=True,
            case_id=case.pk,
            obj=follow_up,
            old=old,
            new={"done_on": done_on.isoformat(), "reached": reached, "outcome": outcome},
        )
    return follow_up
