"""Steps every service shares: the standard in force, locking a case at the version the
actor saw (optimistic locking), counting versions, keeping the due list's deadlines, and the
plausible window of a recorded event's date (`today`, `event_date_check`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F
from django.utils import timezone

from rusmiddel.accounts.models import Municipality, Provider
from rusmiddel.accounts.permissions import Action
from rusmiddel.rules.errors import RulesError
from rusmiddel.rules.schedule import COPENHAGEN
from rusmiddel.standards import registry
from rusmiddel.standards.schema import Offer

from ..errors import Conflict, Invalid, NotFound
from ..models import (
    Case,
    Deadline,
)
from ..scoping import case_filter, require


def standard_on(municipality_slug: str, on: dt.date):
    try:
        return registry.load(municipality_slug, on)
    except RulesError as exc:
        raise Invalid(str(exc), field="date") from None


def offer_in(compiled: Any, offer_id: str, field: str = "offer") -> Offer:
    offer = compiled.standard.offer(offer_id)
    if offer is None:
        known = ", ".join(o.id for o in compiled.standard.offers)
        raise Invalid(
            f"Ukendt tilbud '{offer_id}' i {compiled.standard.municipality.name}s standard "
            f"(kendte: {known}).",
            field=field,
        )
    return offer


def provider_in(slug: str | None, municipality: Municipality, field: str = "provider"):
    if not slug:
        return None
    provider = Provider.objects.filter(slug=slug, municipalities=municipality).first()
    if provider is None:
        raise Invalid(f"Ukendt leverandør '{slug}' for {municipality.name}.", field=field)
    return provider


def locked_case(*, actor: Any, case_id: int, version: int, action: Action) -> Case:
    """The case, locked for this transaction, if the actor may see it and act on it and the
    version the actor saw is still current. A case the actor may not see is not found (404,
    also for a role that may not act: never 403 across municipalities); only on a case the
    actor sees does a role that may not act get Forbidden."""
    q = case_filter(actor)
    case = (
        None
        if q is None
        else Case.objects.select_for_update(of=("self",))  # not the joined provider row
        .select_related("municipality")
        .filter(q, pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound(f"Sag {case_id} findes ikke.")
    require(actor, action)
    if case.version != version:
        raise Conflict(
            f"Sagen er ændret af en anden (version {case.version}, du så version {version}). "
            "Hent sagen igen; intet er gemt.",
            field="version",
        )
    return case


def locked_child(
    model: Any, *, actor: Any, pk: int, version: int, action: Action, path: str, what: str
) -> tuple[Any, Case]:
    """A row hanging off a case (by `path`), with its case locked and version-checked."""
    q = case_filter(actor, path)
    case_id = (
        [] if q is None else model.objects.filter(q, pk=pk).values_list(f"{path}id", flat=True)
    )
    if not case_id:
        raise NotFound(f"{what} {pk} findes ikke.")
    case = locked_case(actor=actor, case_id=case_id[0], version=version, action=action)
    return model.objects.get(pk=pk), case


def bump(case: Case, *, status: str | None = None) -> None:
    """Count one more version of the case (and move its status along)."""
    changes: dict[str, Any] = {"version": F("version") + 1}
    if status is not None:
        changes["status"] = status
        case.status = status
    Case.objects.filter(pk=case.pk).update(**changes)
    case.version += 1


def case_assign(case: Case, **fields: Any) -> None:
    """Set the case's provider and/or caseworker, and the copies its deadlines keep of them
    (the due list reads those copies, so they must follow the case)."""
    for name, value in fields.items():
        setattr(case, name, value)
    Case.objects.filter(pk=case.pk).update(**fields)
    Deadline.objects.filter(case=case).update(**fields)


def deadline_add(case: Case, *, kind: str, due_on: dt.date, text: str, source: Any) -> Deadline:
    return Deadline.objects.create(
        municipality_id=case.municipality_id,
        case=case,
        kind=kind,
        due_on=due_on,
        text=text[:200],
        caseworker_id=case.caseworker_id,
        provider_id=case.provider_id,
        anonymous=case.anonymous,
        source_type=type(source).__name__.lower(),
        source_id=source.pk,
    )


def deadlines_meet(case: Case, kind: str, on: dt.date, **source: Any) -> int:
    """Mark open deadlines of `kind` on the case as met on `on`."""
    rows = Deadline.objects.filter(case=case, kind=kind, met_on__isnull=True)
    if source:
        rows = rows.filter(**source)
    return rows.update(met_on=on)


def today() -> dt.date:
    """Today in Copenhagen: the one clock the services' date checks read (Django's, so a test
    freezes it with time-machine), whatever time zone a request has activated."""
    return timezone.localdate(timezone=COPENHAGEN)


def local_date(moment: dt.datetime) -> dt.date:
    """The Copenhagen date of a moment (a session at 00:30 in winter is 23:30 UTC the day
    before: its UTC date would be the wrong day)."""
    return timezone.localtime(moment, COPENHAGEN).date()


def _d(day: dt.date) -> str:
    return f"{day:%d.%m.%Y}"


def event_date_check(
    value: dt.date,
    *,
    field: str,
    what: str,
    follows: tuple[tuple[dt.date | None, str], ...] = (),
    planned: bool = False,
) -> None:
    """A recorded event's date is plausible: not after today (unless the event is `planned`,
    booked ahead: a course's start, a group seat) and not before any event it `follows`
    ((date, "what it is") pairs; a None date is skipped). Invalid names `field`, its Danish
    `what` ("Afgørelsens dato") and the bound, e.g. "decided_on: Afgørelsens dato (01.06.2027)
    kan ikke ligge efter i dag (07.12.2026)." (the web shows it without the "field: ")."""
    if not planned:
        now = today()
        if value > now:
            raise Invalid(
                f"{field}: {what} ({_d(value)}) kan ikke ligge efter i dag ({_d(now)}).",
                field=field,
            )
    for earlier, follows_what in follows:
        if earlier is not None and value < earlier:
            raise Invalid(
                f"{field}: {what} ({_d(value)}) ligger før {follows_what} ({_d(earlier)}).",
                field=field,
            )

