"""Writes of the capacity app: booking a proposed start, and setting capacity (demo, admin).

A booking runs in one transaction: the case is locked at the version the actor saw, then the
capacity line's row (so two bookings of the same place or seat queue up), the place is
checked again under the lock, then the course is started on the granted decision
(`course_start`: meets the treatment guarantee), and the citizen is enrolled in the group run
(`group_enrol`: its sessions booked) or given a first session. Each of those writes its own
audit entry inside this transaction, so all of it commits, or nothing does.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from rusmiddel.accounts.permissions import Action
from rusmiddel.cases.errors import Conflict, Invalid
from rusmiddel.cases.models import Course, DecisionOutcome, FreeChoiceOutcome
from rusmiddel.cases.services import course_start, group_enrol, session_record
from rusmiddel.cases.services._common import locked_case, standard_on
from rusmiddel.groups.models import Group
from rusmiddel.rules import waitlist as wl
from rusmiddel.rules.schedule import COPENHAGEN

from .models import Capacity
from .selectors import age_bands, capacity_lines

#: A first individual session booked from the waitlist (the therapist moves it if need be).
FIRST_SESSION = (dt.time(10, 0), dt.time(11, 0))


def _locked_line(line: str, municipality_id: int) -> tuple[str, int]:
    kind, _, raw = line.partition(":")
    model = {"capacity": Capacity, "group": Group}.get(kind)
    ident = int(raw) if raw.isdigit() else None
    row = (
        model.objects.select_for_update().filter(pk=ident, municipality_id=municipality_id).first()
        if model is not None and ident is not None
        else None
    )
    if row is None:
        raise Invalid(f"Kapaciteten '{line}' findes ikke.", field="line")
    return kind, row.pk


def proposal_book(
    *,
    actor: Any,
    case_id: int,
    version: int,
    decision_id: int,
    line: str,
    starts_on: dt.date,
    use_frequency: str = "",
    housing: str = "",
    occupation: str = "",
    today: dt.date | None = None,
) -> Course:
    """Book a waiting citizen's start on `line` ("capacity:<id>" or "group:<id>") on
    `starts_on`. Refused (Conflict, field `line`) when the place or seat is gone; Invalid
    when the start breaks the offer, the free choice or an age band."""
    today = today or timezone.localdate()
    with transaction.atomic():
        # the case first (404 / 403 / 409 as every write), then the line: the same order as
        # `group_enrol` (case, then group), so two bookings never wait on each other in a ring
        case = locked_case(
            actor=actor, case_id=case_id, version=version, action=Action.WAITLIST_BOOK
        )
        kind, ident = _locked_line(line, case.municipality_id)
        decision = (
            case.decisions.select_related("provider")
            .filter(pk=decision_id, outcome=DecisionOutcome.GRANTED)
            .first()
        )
        if decision is None:
            raise Invalid(f"Ingen bevilling {decision_id} på sagen.", field="decision_id")
        if Course.objects.filter(decision=decision).exists():
            raise Invalid("Forløbet på bevillingen er allerede startet.", field="decision_id")
        standard = standard_on(case.municipality.slug, max(today, starts_on)).standard
        found = capacity_lines(
            municipality_id=case.municipality_id,
            standard=standard,
            today=today,
            capacity_id=ident if kind == "capacity" else None,
            group_id=ident if kind == "group" else None,
        )
        if not found or found[0].offer != decision.offer:
            raise Invalid("Kapaciteten hører ikke til det bevilgede tilbud.", field="line")
        chosen = found[0]
        if (
            decision.free_choice_outcome == FreeChoiceOutcome.GRANTED
            and decision.provider_id
            and decision.provider.slug != chosen.provider
        ):
            raise Invalid(f"Borgeren har valgt {decision.provider.name} (frit valg).", field="line")
        citizen = case.citizen
        item = wl.Waiting(
            key=decision.pk,
            case_id=case.pk,
            offer=decision.offer,
            waiting_since=decision.decided_on,
            guarantee_due=None,
            earliest=decision.decided_on,
            birth_date=citizen.birth_date if citizen else None,
        )
        band = age_bands(standard).get(decision.offer, (None, None))
        if not wl.age_fits(item, chosen, band, starts_on):
            raise Invalid("Borgerens alder ligger uden for tilbuddets aldersgrænse.", field="line")
        if starts_on < decision.decided_on:
            raise Invalid("Starten ligger før afgørelsen.", field="starts_on")
        if not wl.line_admits(chosen, starts_on, today=today):
            raise Conflict(
                f"Der er ikke plads {starts_on:%d.%m.%Y} (en anden har booket den, eller det er "
                "ikke en mødedag). Hent ventelisten igen; intet er gemt.",
                field="line",
            )
        course = course_start(
            actor=actor,
            case_id=case.pk,
            version=version,
            started_on=starts_on,
            decision_id=decision.pk,
            provider=chosen.provider,
            use_frequency=use_frequency,
            housing=housing,
            occupation=occupation,
            action=Action.WAITLIST_BOOK,
        )
        if kind == "group":
            group_enrol(
                actor=actor,
                course_id=course.pk,
                version=version + 1,
                group_id=ident,
                enrolled_on=starts_on,
                action=Action.WAITLIST_BOOK,
            )
        else:
            begin, end = FIRST_SESSION
            session_record(
                actor=actor,
                course_id=course.pk,
                version=version + 1,
                starts_at=dt.datetime.combine(starts_on, begin, tzinfo=COPENHAGEN),
                ends_at=dt.datetime.combine(starts_on, end, tzinfo=COPENHAGEN),
                action=Action.WAITLIST_BOOK,
            )
    return course
