"""The citizen's own way in: an application for treatment (named) or an anonymous
self-referral (SEL § 101 a), made through the public self-service pages without staff.

There is no staff actor: the contact is recorded by nobody (`recorded_by` None), the case has
no caseworker, and the audit entry names the actor "system" with the reason "selvbetjening".
The guarantee clock, the case number and the receipt letter come from the same helpers as
staff intake (`intake._contact_create`, `intake._next_case_number`).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from rusmiddel.accounts.models import Municipality
from rusmiddel.audit.models import Event
from rusmiddel.audit.services import audit_record

from ..errors import Invalid
from ..models import Case, Citizen, ContactBy, ContactChannel, PersonRole
from ._common import offer_in, provider_in, standard_on
from .citizens import citizen_for_contact, supplied_note
from .intake import _contact_create, _next_case_number, cpr_validate

#: The longest value each free-text field takes (the model's column widths).
MAX_LENGTHS = {
    "name": 200,
    "phone": 30,
    "email": 254,
    "address": 300,
    "pseudonym": 60,
    "note": 4000,
}


def self_service_apply(
    *,
    municipality: str,
    received_on: dt.date,
    anonymous: bool,
    pseudonym: str = "",
    name: str = "",
    cpr: str = "",
    phone: str = "",
    email: str = "",
    address: str = "",
    requested_offer: str = "",
    provider: str | None = None,
    consent: bool,
    note: str = "",
) -> Case:
    """Open a case from the citizen's own application; errors name the argument at fault.

    Named: name and a valid CPR number, and consent to the processing of the application's
    (health) data; the treatment guarantee starts as for any contact with a wish for
    treatment. The offer wished, if any, must be a treatment offer that is not anonymous.

    Anonymous: a pseudonym and nothing that identifies the person; `requested_offer` must be
    an offer the standard marks anonymous, and the case is referred to `provider` (one of the
    offer's providers; default the first). No guarantee (§ 101 a), no letter.
    """
    place = Municipality.objects.filter(slug=municipality).first()
    if place is None:
        raise Invalid(f"Ukendt kommune '{municipality}'.", field="municipality")
    values = {
        "name": name.strip(),
        "phone": phone.strip(),
        "email": email.strip(),
        "address": address.strip(),
        "pseudonym": pseudonym.strip(),
        "note": note.strip(),
    }
    for field, value in values.items():
        if len(value) > MAX_LENGTHS[field]:
            raise Invalid(f"Højst {MAX_LENGTHS[field]} tegn.", field=field)
    compiled = standard_on(place.slug, received_on)
    offer = offer_in(compiled, requested_offer, "requested_offer") if requested_offer else None

    if anonymous:
        for field in ("cpr", "name", "phone", "email", "address"):
            if (cpr if field == "cpr" else values[field]).strip():
                raise Invalid(
                    "En anonym henvendelse må ikke indeholde CPR-nummer, navn eller "
                    "kontaktoplysninger.",
                    field=field,
                )
        if not values["pseudonym"]:
            raise Invalid("Skriv det kaldenavn, du vil bruge.", field="pseudonym")
        if offer is None:
            raise Invalid(
                "Vælg det anonyme tilbud, du vil henvende dig om.", field="requested_offer"
            )
        if not offer.anonymous:
            raise Invalid(
                f"'{offer.title}' er ikke et anonymt tilbud. Søg om det med navn og CPR-nummer.",
                field="requested_offer",
            )
        slug = provider or offer.providers[0]
        if slug not in offer.providers:
            raise Invalid(
                f"Leverandøren '{slug}' giver ikke tilbuddet '{offer.title}'.", field="provider"
            )
        referred = provider_in(slug, place)
        citizen = None
        number = born = None
    else:
        if not values["name"]:
            raise Invalid("Skriv dit navn.", field="name")
        number, born = cpr_validate(cpr, field="cpr")
        if values["email"]:
            try:
                validate_email(values["email"])
            except ValidationError:
                raise Invalid(
                    "Skriv en gyldig e-mailadresse, fx navn@eksempel.dk.", field="email"
                ) from None
        if offer is not None and (offer.anonymous or not offer.treatment):
            raise Invalid(
                f"'{offer.title}' kan ikke søges her"
                + (" – brug den anonyme henvendelse." if offer.anonymous else "."),
                field="requested_offer",
            )
        if not consent:
            raise Invalid(
                "Du skal give samtykke, før kommunen kan behandle din ansøgning.", field="consent"
            )
        if provider:
            raise Invalid("Kommunen vælger behandlingsstedet.", field="provider")
        referred = None

    with transaction.atomic():
        note_text = values["note"]
        if not anonymous:
            citizen, note_text = _citizen_for(place, number, born, values)
        case = Case.objects.create(
            municipality=place,
            number=_next_case_number(place, anonymous=anonymous, year=received_on.year),
            citizen=citizen,
            anonymous=anonymous,
            pseudonym=values["pseudonym"] if anonymous else "",
            person_role=PersonRole.USER,
            caseworker=None,
            provider=referred,
        )
        contact = _contact_create(
            actor=None,
            case=case,
            received_on=received_on,
            channel=ContactChannel.SELF_SERVICE,
            contact_by=ContactBy.CITIZEN,
            wishes_treatment=offer.treatment if offer is not None else True,
            requested_offer=offer.id if offer is not None else "",
            note=note_text,
        )
        audit_record(
            actor=None,
            event=Event.CASE_CREATED,
            write=True,
            case_id=case.pk,
            obj=case,
            why="selvbetjening",
            new={
                "number": case.number,
                "anonymous": anonymous,
                "contact_id": contact.pk,
                "channel": ContactChannel.SELF_SERVICE.value,
                "consent": bool(consent) if not anonymous else None,
            },
            municipality_id=place.pk,
        )
    return case


def _citizen_for(
    place: Municipality, number: str, born: dt.date, values: dict[str, str]
) -> tuple[Citizen, str]:
    """The citizen with this CPR number, and the contact's note.

    Nobody is logged in on the public pages, so what is typed never changes a known citizen
    (nor does staff intake: `citizens.citizen_for_contact`): a new citizen is made from it, but
    for one already known the typed details that differ go into the contact's note for the
    caseworker to check."""
    citizen, supplied = citizen_for_contact(
        municipality=place, cpr=number, birth_date=born, details=values
    )
    return citizen, supplied_note(values["note"], supplied, source="Oplyst i selvbetjeningen")
