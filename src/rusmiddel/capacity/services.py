"""Writes of the capacity app: booking a proposed start, and setting capacity (demo, admin).

A booking runs in one transaction: the case is locked at the version the actor saw, then the
capacity line's row (so two bookings of the same place or seat queue up), the place is
checked again under the lock, then the course is started on the granted decision
(`course_start`: meets the treatment guarantee), and the citizen is enrolled in the group run
(`group_enrol`: its sessions booked) or given a first session, the confirmation letter is
made (sent through the outbox after commit) and the booking itself is logged
(`Event.WAITLIST_BOOKED`: the waiting decision before, the line, provider and start after).
Each of those writes its own audit entry inside this transaction, so all of it commits, or
nothing does.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from rusmiddel.accounts.models import Provider
from rusmiddel.accounts.permissions import Action
from rusmiddel.audit.models import Event
from rusmiddel.audit.services import audit_record
from rusmiddel.cases.errors import Conflict, Invalid
from rusmiddel.cases.models import (
    Course,
    Deadline,
    DeadlineKind,
    DecisionOutcome,
    FreeChoiceOutcome,
)
from rusmiddel.cases.scoping import not_found, require
from rusmiddel.cases.services import course_start, group_enrol, session_record
from rusmiddel.cases.services._common import locked_case, standard_on
from rusmiddel.groups.models import Group
from rusmiddel.letters.services import letter_for_booking
from rusmiddel.rules import waitlist as wl
from rusmiddel.rules.schedule import COPENHAGEN
from rusmiddel.standards.schema import Offer

from .models import Capacity, CapacityKind
from .selectors import age_bands, capacity_lines, length_days_for

#: A first individual session booked from the waitlist (the therapist moves it if need be).
FIRST_SESSION = wl.FIRST_SESSION


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


def _reachable(line: wl.Line, starts_on: dt.date, now: dt.datetime | None) -> None:
    """Refuse a start the citizen cannot reach: its first session (or the group's meeting)
    has begun, or begins less than `waitlist.LEAD_TIME` from now."""
    if now is None or (line.kind == "group" and starts_on not in line.meetings):
        return  # not a meeting day: `line_admits` says so
    begins = wl.slot_start(line, starts_on)
    if begins >= wl.earliest_moment(now):
        return
    hours = int(wl.LEAD_TIME.total_seconds() // 3600)
    when = f"{timezone.localtime(begins):%d.%m.%Y kl. %H.%M}"
    state = "er allerede begyndt" if begins <= now else f"er under {hours} timer fra nu"
    raise Invalid(
        f"Starten {when} {state}, så borgeren kan ikke nå den. En start skal ligge mindst "
        f"{hours} timer fremme: hent ventelisten igen, så foreslås den næste tid. Intet er gemt.",
        field="starts_on",
    )


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
    now: dt.datetime | None = None,
) -> Course:
    """Book a waiting citizen's start on `line` ("capacity:<id>" or "group:<id>") on
    `starts_on`. Refused (Conflict, field `line`) when the place or seat is gone; Invalid
    when the start breaks the offer, the free choice or an age band, or when its first
    session or meeting begins less than `waitlist.LEAD_TIME` after `now` (the clock's now
    unless given; with only `today` given, only the day is checked)."""
    if now is not None or today is None:
        now = timezone.localtime(now)  # one clock: the day is the moment's day in Copenhagen
        today = now.date()
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
        _reachable(chosen, starts_on, now)
        held = length_days_for(
            standard.offer(decision.offer), citizen.birth_date if citizen else None, starts_on
        )
        if not wl.line_admits(chosen, starts_on, today=today, now=now, length_days=held):
            raise Conflict(
                f"Der er ikke plads {starts_on:%d.%m.%Y} (en anden har booket den, eller det er "
                "ikke en mødedag). Hent ventelisten igen; intet er gemt.",
                field="line",
            )
        guarantee_due = (
            Deadline.objects.filter(
                case=case, kind=DeadlineKind.TREATMENT_GUARANTEE, met_on__isnull=True
            )
            .order_by("due_on")
            .values_list("due_on", flat=True)
            .first()
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
        letter = letter_for_booking(course=course, actor=actor, on=today)
        audit_record(
            actor=actor,
            event=Event.WAITLIST_BOOKED,
            write=True,
            case_id=case.pk,
            obj=course,
            old={
                "decision": decision.pk,
                "offer": decision.offer,
                "decided_on": decision.decided_on.isoformat(),
                "guarantee_due": guarantee_due.isoformat() if guarantee_due else None,
            },
            new={
                "line": line,
                "kind": kind,
                "provider": chosen.provider,
                "starts_on": starts_on.isoformat(),
                "in_time": starts_on <= guarantee_due if guarantee_due else None,
                "course": course.pk,
                "letter": letter.pk if letter else None,
            },
            municipality_id=case.municipality_id,
        )
    return course


# --- capacity: the administrator's or the head of unit's setup (`Action.CAPACITY_MANAGE`) ----

#: A sanity bound: no provider has more places or weekly start slots for one offer.
AMOUNT_MAX = 500
#: Deliveries whose capacity is the group runs' seats (set under Gruppehold), not a line here.
GROUP_ONLY = frozenset({"group"})


def _date(day: dt.date | None) -> str:
    return f"{day:%d.%m.%Y}" if day else ""


def _capacity_values(c: Capacity) -> dict[str, Any]:
    return {
        "provider": c.provider.slug,
        "offer": c.offer,
        "kind": c.kind,
        "amount": c.amount,
        "valid_from": c.valid_from.isoformat(),
        "valid_until": c.valid_until.isoformat() if c.valid_until else None,
        "age_min": c.age_min,
        "age_max": c.age_max,
    }


def _capacity_check(
    *,
    municipality_slug: str,
    offer_id: str,
    provider_slug: str,
    kind: str,
    amount: int,
    valid_from: dt.date,
    valid_until: dt.date | None,
    age_min: int | None,
    age_max: int | None,
) -> Offer:
    """The rules of a capacity line, each refusal naming its field: a kind, at least one
    place or slot, an end not before the start, an offer of the standard in force from the
    start that is not delivered only in groups, delivered by the provider, and an age band
    inside the offer's."""
    if kind not in CapacityKind.values:
        raise Invalid("Vælg pladser eller opstartstider pr. uge.", field="kind")
    if amount < 1:
        what = "plads" if kind == CapacityKind.PLACES else "opstartstid om ugen"
        raise Invalid(f"Der skal være mindst 1 {what}.", field="amount")
    if amount > AMOUNT_MAX:
        raise Invalid(f"Højst {AMOUNT_MAX}.", field="amount")
    if valid_until is not None and valid_until < valid_from:
        raise Invalid(
            f"Slutdatoen ({_date(valid_until)}) ligger før startdatoen ({_date(valid_from)}).",
            field="valid_until",
        )
    try:
        standard = standard_on(municipality_slug, valid_from).standard
    except Invalid:
        raise Invalid(
            f"Der er ingen kvalitetsstandard, der gælder {_date(valid_from)}.", field="valid_from"
        ) from None
    offer = standard.offer(offer_id)
    if offer is None:
        raise Invalid(
            f"Tilbuddet '{offer_id}' findes ikke i kvalitetsstandarden, der gælder "
            f"{_date(valid_from)}.",
            field="offer",
        )
    if offer.delivery in GROUP_ONLY:
        raise Invalid(
            f"'{offer.title}' gives i grupper: pladserne er gruppeholdenes (Gruppehold).",
            field="offer",
        )
    if provider_slug not in offer.providers:
        named = standard.provider(provider_slug)
        raise Invalid(
            f"{named.name if named else provider_slug} leverer ikke '{offer.title}' efter "
            "kvalitetsstandarden.",
            field="provider",
        )
    low, high = (offer.age.min, offer.age.max) if offer.age else (None, None)
    if age_min is not None and low is not None and age_min < low:
        raise Invalid(
            f"Tilbuddet er fra {low} år; laveste alder kan ikke være lavere.", field="age_min"
        )
    if age_max is not None and high is not None and age_max > high:
        raise Invalid(
            f"Tilbuddet er til {high} år; højeste alder kan ikke være højere.", field="age_max"
        )
    if age_min is not None and age_max is not None and age_max < age_min:
        raise Invalid("Højeste alder ligger under laveste alder.", field="age_max")
    return offer


def capacity_create(
    *,
    actor: Any,
    provider: str,
    offer: str,
    kind: str,
    amount: int,
    valid_from: dt.date,
    valid_until: dt.date | None = None,
    age_min: int | None = None,
    age_max: int | None = None,
) -> Capacity:
    """A new capacity line (places or weekly start slots of `provider` for `offer`) in the
    actor's municipality, audited. Forbidden for a role without `CAPACITY_MANAGE`; Invalid,
    naming the field, for a line the standard does not allow (nothing written then)."""
    staff = require(actor, Action.CAPACITY_MANAGE)
    municipality = staff.municipality
    chosen = Provider.objects.filter(slug=provider, municipalities=municipality).first()
    if chosen is None:
        raise Invalid(f"Leverandøren '{provider}' er ikke kommunens.", field="provider")
    _capacity_check(
        municipality_slug=municipality.slug,
        offer_id=offer,
        provider_slug=chosen.slug,
        kind=kind,
        amount=amount,
        valid_from=valid_from,
        valid_until=valid_until,
        age_min=age_min,
        age_max=age_max,
    )
    with transaction.atomic():
        line = Capacity.objects.create(
            municipality=municipality,
            provider=chosen,
            offer=offer,
            kind=kind,
            amount=amount,
            valid_from=valid_from,
            valid_until=valid_until,
            age_min=age_min,
            age_max=age_max,
        )
        audit_record(
            actor=actor,
            event=Event.CAPACITY_CREATED,
            write=True,
            obj=line,
            new=_capacity_values(line),
        )
    return line


def capacity_update(
    *,
    actor: Any,
    capacity_id: int,
    kind: str,
    amount: int,
    valid_from: dt.date,
    valid_until: dt.date | None = None,
    age_min: int | None = None,
    age_max: int | None = None,
) -> Capacity:
    """Change a capacity line's kind, amount, dates and age band (its provider and offer
    stay: a new pair is a new line), audited with the changed old and new values. The row is
    locked as a booking locks it, so a change and a booking of the line queue up. Another
    municipality's line is NotFound; a role without `CAPACITY_MANAGE` Forbidden."""
    staff = require(actor, Action.CAPACITY_MANAGE)
    with transaction.atomic():
        line = (
            Capacity.objects.select_for_update()
            .select_related("provider")
            .filter(pk=capacity_id, municipality_id=staff.municipality_id)
            .first()
        )
        if line is None:
            raise not_found("Kapacitet", capacity_id)
        _capacity_check(
            municipality_slug=staff.municipality.slug,
            offer_id=line.offer,
            provider_slug=line.provider.slug,
            kind=kind,
            amount=amount,
            valid_from=valid_from,
            valid_until=valid_until,
            age_min=age_min,
            age_max=age_max,
        )
        old = _capacity_values(line)
        line.kind, line.amount, line.valid_from, line.valid_until = (
            kind,
            amount,
            valid_from,
            valid_until,
        )
        line.age_min, line.age_max = age_min, age_max
        fields = ["kind", "amount", "valid_from", "valid_until", "age_min", "age_max"]
        line.save(update_fields=fields)
        new = _capacity_values(line)
        changed = [k for k in new if new[k] != old[k]]
        audit_record(
            actor=actor,
            event=Event.CAPACITY_CHANGED,
            write=True,
            obj=line,
            old={k: old[k] for k in changed},
            new={k: new[k] for k in changed},
        )
    return line
