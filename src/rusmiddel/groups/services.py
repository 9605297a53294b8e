"""Group runs: create and change one run of a group offer (the administrator's or the head of
unit's setup, `Action.GROUP_MANAGE`), and the rules of enrolling a course in a run
(`enrolment_check`, used by `cases.services.group_enrol`).

A run is checked against the municipality's standard in force on its start date: the offer
is one of the standard's group offers (delivered in groups, with a calendar), the provider
one of the offer's, the start a meeting day of the offer's calendar (`rules.group_sessions`,
public holidays and the standard's closed days skipped) and the common stop day given exactly
where the calendar has one, never on a closed day.
Each write runs in one transaction with its audit entry (old and new values).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Max, Min

from rusmiddel import rules
from rusmiddel.accounts.models import Provider
from rusmiddel.accounts.permissions import Action
from rusmiddel.audit.models import Event
from rusmiddel.audit.services import audit_record
from rusmiddel.cases.errors import Invalid
from rusmiddel.cases.models import Attendance, Course, Session
from rusmiddel.cases.scoping import not_found, require
from rusmiddel.cases.services._common import event_date_check, local_date
from rusmiddel.rules.calendar import WEEKDAY_NAMES
from rusmiddel.rules.errors import RulesError
from rusmiddel.rules.schedule import Session as Meeting
from rusmiddel.standards import registry
from rusmiddel.standards.schema import WEEKDAYS, Offer, Standard

from .models import Group

#: The deliveries a run of a group can carry (the offer also needs a calendar).
GROUP_DELIVERIES = frozenset({"group", "individual_or_group"})
TITLE_MAX = 200
SEATS_MAX = 500  # a sanity bound: no group offer seats more


def group_offers(standard: Standard) -> list[Offer]:
    """The standard's group offers: delivered in groups, with a calendar, in the file's order."""
    return [o for o in standard.offers if o.delivery in GROUP_DELIVERIES and o.schedule]


def _d(day: dt.date | None) -> str:
    return f"{day:%d.%m.%Y}" if day else ""


def _offer(municipality_slug: str, offer_id: str, starts_on: dt.date) -> tuple[Standard, Offer]:
    try:
        standard = registry.load(municipality_slug, starts_on).standard
    except RulesError:
        raise Invalid(
            f"Der er ingen kvalitetsstandard, der gælder {_d(starts_on)}.", field="starts_on"
        ) from None
    offer = standard.offer(offer_id)
    if offer is None or offer.id not in {o.id for o in group_offers(standard)}:
        raise Invalid(
            f"Vælg et af standardens gruppetilbud ('{offer_id}' er ikke et gruppetilbud "
            f"den {_d(starts_on)}).",
            field="offer",
        )
    return standard, offer


def _check_calendar(
    standard: Standard, offer: Offer, starts_on: dt.date, stop_day: dt.date | None
) -> None:
    """The start is a meeting day of the offer's calendar; the stop day fits its rule."""
    schedule = offer.schedule
    assert schedule is not None
    closed = standard.closed_days
    # the regular meetings alone (the stop-day rule set aside) tell the first meeting day
    regular = offer.model_copy(update={"schedule": schedule.model_copy(update={"stop_day": None})})
    first = rules.group_sessions(regular, starts_on, closed=closed)[0].start.date()
    if first != starts_on:
        if schedule.weekday:
            weekday = WEEKDAY_NAMES[WEEKDAYS.index(schedule.weekday)]
            why = f"Gruppen mødes om {weekday}en"
        else:
            why = "Dagen er en helligdag eller en lukkedag"
        raise Invalid(
            f"Startdatoen skal være en mødedag. {why}: den første mødedag fra "
            f"{_d(starts_on)} er {_d(first)}.",
            field="starts_on",
        )
    rule = schedule.stop_day
    if rule is None:
        if stop_day is not None:
            raise Invalid(
                f"Tilbuddet '{offer.title}' har ingen fælles stopdag. Lad feltet stå tomt.",
                field="stop_day",
            )
        return
    latest = starts_on + dt.timedelta(weeks=rule.stop_day_within_weeks, days=-1)
    if stop_day is None:
        raise Invalid(
            f"Skriv den fælles stopdag: en dag i kursets første {rule.stop_day_within_weeks} "
            f"uger ({_d(starts_on)} – {_d(latest)}).",
            field="stop_day",
        )
    if rules.is_closed(stop_day, closed):
        raise Invalid(
            f"Stopdagen {_d(stop_day)} er en helligdag eller en lukkedag, hvor stedet er lukket: "
            "vælg en anden dag.",
            field="stop_day",
        )
    try:
        rules.group_sessions(offer, starts_on, stop_day, closed=closed)
    except RulesError:
        raise Invalid(
            f"Stopdagen skal ligge i kursets første {rule.stop_day_within_weeks} uger "
            f"({_d(starts_on)} – {_d(latest)}).",
            field="stop_day",
        ) from None


def _check_title(title: str) -> str:
    title = title.strip()
    if not title:
        raise Invalid("Skriv gruppens titel.", field="title")
    if len(title) > TITLE_MAX:
        raise Invalid(f"Titlen må højst være {TITLE_MAX} tegn.", field="title")
    return title


def _check_seats(seats: int, enrolled: int = 0) -> None:
    if seats < 1:
        raise Invalid("Gruppen skal have mindst 1 plads.", field="seats")
    if seats > SEATS_MAX:
        raise Invalid(f"Gruppen kan højst have {SEATS_MAX} pladser.", field="seats")
    if seats < enrolled:
        raise Invalid(
            f"Der er allerede {enrolled} tilmeldt, så gruppen skal have mindst {enrolled} pladser.",
            field="seats",
        )


def _values(group: Group) -> dict[str, Any]:
    return {
        "title": group.title,
        "offer": group.offer,
        "provider": group.provider.slug,
        "starts_on": group.starts_on.isoformat(),
        "stop_day": group.stop_day.isoformat() if group.stop_day else None,
        "seats": group.seats,
    }


def group_create(
    *,
    actor: Any,
    offer: str,
    provider: str,
    title: str,
    starts_on: dt.date,
    seats: int,
    stop_day: dt.date | None = None,
) -> Group:
    """A new run of a group offer in the actor's municipality, audited.

    Raises Forbidden for a role without `GROUP_MANAGE` and Invalid (naming the field) for a
    run the standard does not allow; nothing is written then."""
    staff = require(actor, Action.GROUP_MANAGE)
    municipality = staff.municipality
    title = _check_title(title)
    _check_seats(seats)
    standard, group_offer = _offer(municipality.slug, offer, starts_on)
    chosen = Provider.objects.filter(slug=provider, municipalities=municipality).first()
    if chosen is None or chosen.slug not in group_offer.providers:
        raise Invalid(f"Vælg en leverandør af tilbuddet '{group_offer.title}'.", field="provider")
    _check_calendar(standard, group_offer, starts_on, stop_day)
    with transaction.atomic():
        group = Group.objects.create(
            municipality=municipality,
            provider=chosen,
            offer=group_offer.id,
            title=title,
            starts_on=starts_on,
            stop_day=stop_day,
            seats=seats,
        )
        audit_record(
            actor=actor,
            event=Event.GROUP_CREATED,
            write=True,
            obj=group,
            new=_values(group),
        )
    return group


def group_update(
    *,
    actor: Any,
    group_id: int,
    title: str,
    starts_on: dt.date,
    seats: int,
    stop_day: dt.date | None = None,
) -> Group:
    """Change a run's title, dates and seats, audited with the old and new values.

    The seats never go below the courses already enrolled; the dates stay once a course is
    enrolled (its sessions are booked from the calendar). A run of another municipality is
    NotFound; a role without `GROUP_MANAGE` Forbidden; a bad value Invalid naming the field."""
    staff = require(actor, Action.GROUP_MANAGE)
    title = _check_title(title)
    with transaction.atomic():
        group = (
            Group.objects.select_for_update()
            .select_related("provider")
            .filter(pk=group_id, municipality_id=staff.municipality_id)
            .first()
        )
        if group is None:
            raise not_found("Gruppe", group_id)
        enrolled = group.enrolments.count()
        _check_seats(seats, enrolled)
        if enrolled and (starts_on, stop_day) != (group.starts_on, group.stop_day):
            raise Invalid(
                f"Datoerne kan ikke ændres, når der er tilmeldte ({enrolled}): deres samtaler "
                "er booket efter gruppens kalender.",
                field="starts_on",
            )
        standard, offer = _offer(staff.municipality.slug, group.offer, starts_on)
        _check_calendar(standard, offer, starts_on, stop_day)
        old = _values(group)
        group.title, group.starts_on, group.stop_day, group.seats = (
            title,
            starts_on,
            stop_day,
            seats,
        )
        group.save(update_fields=["title", "starts_on", "stop_day", "seats"])
        new = _values(group)
        changed = [k for k in new if new[k] != old[k]]
        audit_record(
            actor=actor,
            event=Event.GROUP_CHANGED,
            write=True,
            obj=group,
            old={k: old[k] for k in changed},
            new={k: new[k] for k in changed},
        )
    return group


def enrolment_check(
    *, course: Course, group: Group, enrolled_on: dt.date, calendar: list[Meeting]
) -> None:
    """The rules of enrolling an active `course` in the run `group` from `enrolled_on`, given
    the run's `calendar`; Invalid names the field.

    - The date lies within the course: not before its start (an ended course enrols in
      nothing). It may lie ahead, as the course's start may: a seat is booked ahead (the
      waitlist enrols from the start it books).
    - It lies within the run: not after its last meeting (nothing would be booked). It may lie
      before the first meeting: signing up before a run begins is the usual way in. (The day a
      run was entered is not a bound: a run may be entered after it began.)
    - One run at a time: the course's meetings in another run (those not cancelled) may not
      overlap the meetings booked here, or the course would be in two groups at once (its
      sessions doubled on the FIT page). An earlier run ends with its last meeting held, or
      with its remaining meetings cancelled."""
    event_date_check(
        enrolled_on,
        field="enrolled_on",
        what="Tilmeldingens dato",
        planned=True,
        follows=((course.started_on, "forløbets start"),),
    )
    last = calendar[-1].start.date()
    if enrolled_on > last:
        raise Invalid(
            f"enrolled_on: Holdet '{group.title}' holdt sit sidste møde {_d(last)}; "
            f"der er ingen møder at tilmelde fra {_d(enrolled_on)}.",
            field="enrolled_on",
        )
    first = next(m.start.date() for m in calendar if m.start.date() >= enrolled_on)
    others = (
        Session.objects.filter(course=course, group__isnull=False)
        .exclude(group=group)
        .exclude(attendance=Attendance.CANCELLED)
        .values("group_id", "group__title")
        .annotate(first=Min("starts_at"), last=Max("starts_at"))
        .order_by("first")
    )
    for run in others:
        begins, ends = local_date(run["first"]), local_date(run["last"])
        if begins <= last and first <= ends:
            raise Invalid(
                f"Forløbet går allerede på holdet '{run['group__title']}' "
                f"({_d(begins)} – {_d(ends)}). Et forløb kan kun gå på ét hold ad gangen: "
                "aflys de resterende møder på det hold, eller tilmeld fra efter "
                f"{_d(ends)}.",
                field="group_id",
            )
