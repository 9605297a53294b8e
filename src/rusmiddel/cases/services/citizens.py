"""A citizen's name and contact details: how a case finds its citizen without changing them,
and the one service that changes them.

Letters on every case of a citizen go to what is stored on the citizen, so those details are
changed only by `citizen_update`: by a role allowed to (`Action.CITIZEN_UPDATE`), at the
citizen's version the user saw (a stale one is refused: 409), with the old and new values in
the audit log and a notice on each of the citizen's cases. Opening a case (staff intake or the
citizen's own application) finds a known citizen by CPR number and leaves them as they are:
details given that differ from the stored ones are kept on the contact's note, for a
caseworker to check and apply.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from rusmiddel.accounts.models import Municipality
from rusmiddel.accounts.permissions import Action
from rusmiddel.audit.models import Event
from rusmiddel.audit.services import audit_record

from ..errors import Conflict, Invalid, NotFound
from ..models import Case, Citizen, CitizenChangeNotice
from ..scoping import case_filter, require

#: The details a person gives and staff may change, in the order they are shown.
FIELDS = ("name", "address", "phone", "email")
LABELS = {"name": "Navn", "address": "Adresse", "phone": "Telefon", "email": "E-mail"}
#: The longest value each detail takes (the model's column widths).
MAX_LENGTHS = {"name": 200, "address": 300, "phone": 30, "email": 254}


def citizen_details_clean(details: Mapping[str, str | None], *, prefix: str = "") -> dict[str, str]:
    """The details given (None: not given, left out), stripped and checked: a name that is
    not blank, a valid e-mail address or none, nothing longer than its column. Errors name
    the field as `prefix` + its name."""
    clean: dict[str, str] = {}
    for field in FIELDS:
        value = details.get(field)
        if value is None:
            continue
        value = value.strip()
        name = prefix + field
        if len(value) > MAX_LENGTHS[field]:
            raise Invalid(f"{LABELS[field]} må højst være {MAX_LENGTHS[field]} tegn.", field=name)
        if field == "name" and not value:
            raise Invalid("Skriv borgerens navn.", field=name)
        if field == "email" and value:
            try:
                validate_email(value)
            except ValidationError:
                raise Invalid(
                    "Skriv en gyldig e-mailadresse, fx navn@eksempel.dk.", field=name
                ) from None
        clean[field] = value
    return clean


def citizen_for_contact(
    *, municipality: Municipality, cpr: str, birth_date: dt.date, details: Mapping[str, str]
) -> tuple[Citizen, dict[str, str]]:
    """The citizen with this CPR number in the municipality, made from `details` when not yet
    known; and the details given that differ from a known citizen's, which are NOT stored
    (a blank one differs from nothing: it never erases what is stored)."""
    citizen, created = Citizen.objects.get_or_create(
        municipality=municipality,
        cpr=cpr,
        defaults={**{f: details.get(f, "") for f in FIELDS}, "birth_date": birth_date},
    )
    if created:
        return citizen, {}
    return citizen, {
        f: details[f] for f in FIELDS if details.get(f) and details[f] != getattr(citizen, f)
    }


def supplied_note(note: str, supplied: Mapping[str, str], *, source: str) -> str:
    """The contact's note, with the details given that were not stored on the citizen (so a
    caseworker sees them on the case and can apply them with `citizen_update`)."""
    if not supplied:
        return note
    listed = "; ".join(f"{LABELS[f]}: {supplied[f]}" for f in FIELDS if f in supplied)
    kept = f"{source} (ikke gemt på borgeren – kontrollér): {listed}"
    return "\n\n".join(part for part in (note, kept) if part)


def citizen_update(
    *,
    actor: Any,
    citizen_id: int,
    version: int,
    name: str | None = None,
    address: str | None = None,
    phone: str | None = None,
    email: str | None = None,
) -> Citizen:
    """Change a citizen's name and contact details: those given (None leaves one as it is;
    "" erases a contact detail, never the name).

    A citizen is found only through a case the actor may see (404 otherwise, whatever the
    role: another municipality's ids reveal nothing); a role that may not change citizens is
    refused (403); a stale `version` answers 409. Nothing given differs: nothing is written.
    Otherwise, in one transaction: the citizen with its version counted, a notice on each of
    the citizen's cases, and per case an audit entry with the old and new values."""
    with transaction.atomic():
        q = case_filter(actor)
        # citizen__pk, not citizen_id: an id too big for the column then finds nothing
        if q is None or not Case.objects.filter(q, citizen__pk=citizen_id).exists():
            raise NotFound(f"Borger {citizen_id} findes ikke.")
        require(actor, Action.CITIZEN_UPDATE)
        citizen = Citizen.objects.select_for_update().get(pk=citizen_id)
        if citizen.version != version:
            raise Conflict(
                f"Borgerens oplysninger er ændret af en anden (version {citizen.version}, du så "
                f"version {version}). Hent sagen igen; intet er gemt.",
                field="version",
            )
        given = citizen_details_clean(
            {"name": name, "address": address, "phone": phone, "email": email}
        )
        changes = {
            f: {"old": getattr(citizen, f), "new": value}
            for f, value in given.items()
            if value != getattr(citizen, f)
        }
        if not changes:
            return citizen
        for f, change in changes.items():
            setattr(citizen, f, change["new"])
        citizen.version += 1
        citizen.save(update_fields=[*changes, "version"])
        case_ids = list(
            Case.objects.filter(citizen=citizen).order_by("pk").values_list("pk", flat=True)
        )
        CitizenChangeNotice.objects.bulk_create(
            CitizenChangeNotice(case_id=case_id, changes=changes, changed_by=actor)
            for case_id in case_ids
        )
        old = {f: change["old"] for f, change in changes.items()}
        new = {f: change["new"] for f, change in changes.items()}
        for case_id in case_ids:  # each case's log tells it: its letters go elsewhere now
            audit_record(
                actor=actor,
                event=Event.CITIZEN_CHANGED,
                write=True,
                case_id=case_id,
                obj=citizen,
                old=old,
                new=new,
            )
    return citizen
