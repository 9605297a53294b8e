"""Contact (henvendelse) and assessment (udredning): opening a case, starting the treatment
guarantee clock, recording facts and evaluating every offer of the standard."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F
from stdnum.dk import cpr as cpr_number
from stdnum.exceptions import ValidationError as StdnumError

from rusmiddel import rules
from rusmiddel.accounts.models import Municipality
from rusmiddel.accounts.permissions import (
    NAMED_CASE_ONLY_FOR_OWN_CITIZENS,
    Action,
    sees_anonymous,
)
from rusmiddel.audit.models import Event
from rusmiddel.audit.services import audit_record
from rusmiddel.letters.services import letter_for_contact
from rusmiddel.rules.errors import RulesError

from ..errors import Forbidden, Invalid
from ..models import (
    Assessment,
    Case,
    CaseStatus,
    Contact,
    DeadlineKind,
    Evaluation,
    PersonRole,
)
from ..scoping import case_filter, require, visible_cases
from ._common import (
    bump,
    deadline_add,
    event_date_check,
    locked_case,
    offer_in,
    provider_in,
    standard_on,
)
from .citizens import citizen_details_clean, citizen_for_contact, supplied_note
from .region import accepted_contact_basis


def cpr_validate(raw: str, *, field: str = "citizen.cpr") -> tuple[str, dt.date]:
    """Ten digits with a real birth date and century digit; modulus 11 is not required
    (numbers without it have been issued since 2007)."""
    try:
        number = cpr_number.validate(raw)
        born = cpr_number.get_birth_date(number)
    except StdnumError:
        raise Invalid(
            f"CPR-nummeret '{raw}' er ikke gyldigt (10 cifre med en gyldig fødselsdato).",
            field=field,
        ) from None
    return number, born


def _guarantee(case: Case, contact: Contact) -> None:
    """Start the treatment-guarantee clock where the standard says so (never for anonymous
    treatment, nor for a contact without a wish for treatment)."""
    compiled = offer = None
    if contact.requested_offer:  # an offer asked for must exist, guarantee or not
        compiled = standard_on(case.municipality.slug, contact.received_on)
        offer = offer_in(compiled, contact.requested_offer, "requested_offer")
    if case.anonymous or not contact.wishes_treatment:
        contact.guarantee_basis = (
            "Ingen behandlingsgaranti ved anonym behandling (SEL § 101 a)."
            if case.anonymous
            else "Henvendelsen indeholder ikke et ønske om behandling."
        )
        return
    compiled = compiled or standard_on(case.municipality.slug, contact.received_on)
    due = rules.treatment_guarantee(compiled.standard, contact.received_on, offer)
    contact.guarantee_due = due
    # the law the guarantee rests on: by the offer, the citizen's substances (an earlier
    # assessment, if any) and age (SUL § 142 for medical treatment, barnets lov under 18)
    born = case.citizen.birth_date if case.citizen_id else None
    latest = case.assessments.order_by("-version").values_list("facts", flat=True).first()
    contact.guarantee_basis = rules.guarantee_basis(
        compiled.standard,
        offer,
        due is not None,
        contact=contact.received_on,
        age=rules.age_on(born, contact.received_on) if born else None,
        facts=latest,
    )
    # in integrated treatment in the region (SUL § 82 c) SUL §§ 141-142 do not apply
    handed_over = accepted_contact_basis(case, contact.received_on, contact.guarantee_basis)
    if due is not None and handed_over is not None:
        contact.guarantee_due, contact.guarantee_basis = None, handed_over


def case_create(
    *,
    actor: Any,
    received_on: dt.date,
    channel: str,
    contact_by: str = "citizen",
    referrer: str = "",
    wishes_treatment: bool = True,
    requested_offer: str = "",
    note: str = "",
    anonymous: bool = False,
    pseudonym: str = "",
    citizen_cpr: str = "",
    citizen_name: str = "",
    citizen_phone: str = "",
    citizen_email: str = "",
    citizen_address: str = "",
    person_role: str = PersonRole.USER,
    related_case_id: int | None = None,
    provider: str | None = None,
) -> Case:
    """Open a case with its first contact (henvendelse).

    A citizen already known by the CPR number is never changed: details given that differ
    from the stored ones go on the contact's note for a caseworker to check (and apply with
    `citizen_update`). Provider staff open a named case only for a citizen already on a case
    referred to their provider (`NAMED_CASE_ONLY_FOR_OWN_CITIZENS`)."""
    staff = require(actor, Action.CASE_CREATE)
    municipality = staff.municipality
    if anonymous:
        if not sees_anonymous(staff.role):  # the authority never learns who they are
            raise Forbidden(
                f"Din rolle ({staff.get_role_display()}) kan ikke oprette anonyme sager "
                "(SEL § 101 a)."
            )
        identifying = {
            "citizen.cpr": citizen_cpr,
            "citizen.name": citizen_name,
            "citizen.phone": citizen_phone,
            "citizen.email": citizen_email,
            "citizen.address": citizen_address,
        }
        for field, value in identifying.items():
            if value.strip():
                raise Invalid(
                    "En anonym sag må ikke indeholde CPR-nummer, navn eller kontaktoplysninger.",
                    field=field,
                )
        if not pseudonym.strip():
            raise Invalid("Skriv det kaldenavn, borgeren har valgt.", field="pseudonym")
    else:
        if not citizen_name.strip():
            raise Invalid("Skriv borgerens navn.", field="citizen.name")
        number, born = cpr_validate(citizen_cpr)
        details = citizen_details_clean(
            {
                "name": citizen_name,
                "address": citizen_address,
                "phone": citizen_phone,
                "email": citizen_email,
            },
            prefix="citizen.",
        )
        if staff.role in NAMED_CASE_ONLY_FOR_OWN_CITIZENS and not (
            visible_cases(actor).filter(citizen__cpr=number).exists()
        ):
            # the same answer for a stranger and for someone known elsewhere: either would
            # otherwise tell whether the municipality knows the person, and show their details
            raise Forbidden(
                "Som medarbejder hos en leverandør kan du kun oprette en sag med navn for en "
                "borger, der allerede har en sag henvist til jer. Kontakt kommunen, som opretter "
                "sagen med datoen for henvendelsen; en anonym henvendelse kan du selv oprette."
            )
    if person_role not in PersonRole.values:
        raise Invalid(f"Ukendt rolle '{person_role}'.", field="person_role")
    referred = staff.provider if staff.provider_id else provider_in(provider, municipality)
    with transaction.atomic():
        related = None
        if related_case_id is not None:
            related = Case.objects.filter(case_filter(actor), pk=related_case_id).first()
            if related is None:
                raise Invalid(f"Sag {related_case_id} findes ikke.", field="related_case_id")
            if related.anonymous and not anonymous:
                # the named case would tell the authority who the anonymous person is
                raise Invalid(
                    "En sag med navn kan ikke knyttes til en anonym sag (SEL § 101 a).",
                    field="related_case_id",
                )
        citizen, supplied = None, {}
        if not anonymous:
            citizen, supplied = citizen_for_contact(
                municipality=municipality, cpr=number, birth_date=born, details=details
            )
        case = Case.objects.create(
            municipality=municipality,
            number=_next_case_number(municipality, anonymous=anonymous, year=received_on.year),
            citizen=citizen,
            anonymous=anonymous,
            pseudonym=pseudonym.strip() if anonymous else "",
            person_role=person_role,
            related_case=related,
            caseworker=actor if staff.role == "caseworker" else None,
            provider=referred,
        )
        contact = _contact_create(
            actor=actor,
            case=case,
            received_on=received_on,
            channel=channel,
            contact_by=contact_by,
            referrer=referrer,
            wishes_treatment=wishes_treatment,
            requested_offer=requested_offer,
            note=supplied_note(note, supplied, source="Oplyst ved henvendelsen"),
        )
        audit_record(
            actor=actor,
            event=Event.CASE_CREATED,
            write=True,
            case_id=case.pk,
            obj=case,
            new={
                "number": case.number,
                "anonymous": anonymous,
                "contact_id": contact.pk,
                # which details given were not stored on the known citizen (the values are
                # on the contact's note)
                **({"not_stored": sorted(supplied)} if supplied else {}),
            },
        )
    return case


def _next_case_number(municipality: Municipality, *, anonymous: bool, year: int) -> str:
    """GENTOFTE-2026-000123, or GENTOFTE-A-2026-000007 for anonymous cases: the whole slug
    keeps municipalities apart (frederiksberg, frederikssund), and anonymous cases count in
    a series of their own so the named series shows no gaps. The row update serialises
    concurrent intakes."""
    field = "anonymous_sequence" if anonymous else "case_sequence"
    Municipality.objects.filter(pk=municipality.pk).update(**{field: F(field) + 1})
    sequence = Municipality.objects.values_list(field, flat=True).get(pk=municipality.pk)
    series = "A-" if anonymous else ""
    return f"{municipality.slug.upper()}-{series}{year}-{sequence:06d}"


#: The longest name of who referred (Contact.referrer).
REFERRER_MAX_CHARS = 200


def _contact_create(*, actor: Any, case: Case, **fields: Any) -> Contact:
    from ..models import ContactBy, ContactChannel

    if fields["channel"] not in ContactChannel.values:
        raise Invalid(
            f"Ukendt kanal '{fields['channel']}' (en af {', '.join(ContactChannel.values)}).",
            field="channel",
        )
    if fields["contact_by"] not in ContactBy.values:
        raise Invalid(f"Ukendt afsender '{fields['contact_by']}'.", field="contact_by")
    fields["referrer"] = fields.get("referrer", "").strip()
    if len(fields["referrer"]) > REFERRER_MAX_CHARS:
        raise Invalid(
            f"Henviseren må højst være {REFERRER_MAX_CHARS} tegn.", field="referrer"
        )
    # every way in (staff intake, a further contact, the citizen's own form) comes here
    event_date_check(fields["received_on"], field="received_on", what="Henvendelsens dato")
    contact = Contact(case=case, recorded_by=actor, **fields)
    _guarantee(case, contact)
    contact.save()
    if contact.guarantee_due is not None:
        deadline_add(
            case,
            kind=DeadlineKind.TREATMENT_GUARANTEE,
            due_on=contact.guarantee_due,
            text=f"Behandling skal være iværksat senest {contact.guarantee_due:%d.%m.%Y}",
            source=contact,
        )
    letter_for_contact(contact=contact, actor=actor)
    return contact


def contact_record(
    *,
    actor: Any,
    case_id: int,
    version: int,
    received_on: dt.date,
    channel: str,
    contact_by: str = "citizen",
    referrer: str = "",
    wishes_treatment: bool = True,
    requested_offer: str = "",
    note: str = "",
) -> Contact:
    """A further contact on an open case (a new wish for treatment starts a new clock)."""
    with transaction.atomic():
        case = locked_case(
            actor=actor, case_id=case_id, version=version, action=Action.CONTACT_RECORD
        )
        contact = _contact_create(
            actor=actor,
            case=case,
            received_on=received_on,
            channel=channel,
            contact_by=contact_by,
            referrer=referrer,
            wishes_treatment=wishes_treatment,
            requested_offer=requested_offer,
            note=note,
        )
        bump(case)
        audit_record(
            actor=actor,
            event=Event.CONTACT_RECORDED,
            write=True,
            case_id=case.pk,
            obj=contact,
            new={"received_on": received_on.isoformat(), "channel": channel},
        )
    return contact


#: The longest description of one assessment section (about two pages of text).
SECTION_MAX_CHARS = 8000


def assessment_record(
    *,
    actor: Any,
    case_id: int,
    version: int,
    facts: dict[str, Any],
    on: dt.date,
    sections: dict[str, str] | None = None,
) -> tuple[Assessment, Evaluation]:
    """Record a new version of the facts and evaluate every offer of the standard in force
    on `on`; the evaluation is stored with the standard's exact version. `sections` is the
    caseworker's text per element the standard's assessment describes (its
    `assessment.sections`); left out (None), the previous version's texts are kept."""
    with transaction.atomic():
        case = locked_case(
            actor=actor, case_id=case_id, version=version, action=Action.ASSESSMENT_RECORD
        )
        first = case.contacts.order_by("received_on").values_list("received_on", flat=True)
        event_date_check(
            on, field="on", what="Udredningens dato", follows=((first.first(), "henvendelsen"),)
        )
        facts = _with_citizen_birth_date(case, facts)
        compiled = standard_on(case.municipality.slug, on)
        try:
            result = rules.evaluate(compiled, facts, on)
        except RulesError as exc:
            field, _, message = str(exc).partition(": ")
            raise Invalid(str(exc), field=f"facts.{field}" if message else "facts") from None
        latest = case.assessments.order_by("-version").values("version", "sections").first()
        if sections is None:
            texts = dict(latest["sections"]) if latest else {}
        else:
            texts = _section_texts(compiled.standard, sections)
        assessment = Assessment.objects.create(
            case=case,
            version=(latest["version"] if latest else 0) + 1,
            facts=facts,
            sections=texts,
            recorded_by=actor,
        )
        evaluation = Evaluation.objects.create(
            case=case,
            assessment=assessment,
            evaluated_on=on,
            standard_version=compiled.version,
            result=result.to_json(),
            created_by=actor,
        )
        bump(case, status=CaseStatus.ASSESSMENT if case.status == "contact" else None)
        audit_record(
            actor=actor,
            event=Event.ASSESSMENT_RECORDED,
            write=True,
            case_id=case.pk,
            obj=assessment,
            # the sections' texts stay in the assessment; the log names the ones written
            new={"version": assessment.version, "facts": facts, "sections": list(texts)},
        )
        audit_record(
            actor=actor,
            event=Event.EVALUATION_RECORDED,
            write=True,
            case_id=case.pk,
            obj=evaluation,
            new={"standard_version": compiled.version, "on": on.isoformat()},
        )
    return assessment, evaluation


def _section_texts(standard: Any, sections: Any) -> dict[str, str]:
    """The texts by the ids of the standard's assessment sections, stripped, empty ones
    left out; an unknown id, a text that is not text or one too long is refused."""
    if not isinstance(sections, dict):
        raise Invalid("sections skal være et objekt: afsnittets id → tekst.", field="sections")
    known = [part.id for part in standard.assessment_sections()]
    texts: dict[str, str] = {}
    for key, text in sections.items():
        if key not in known:
            raise Invalid(
                f"Ukendt afsnit '{key}' i udredningen (standarden har: {', '.join(known)}).",
                field=f"sections.{key}",
            )
        if not isinstance(text, str) or "\x00" in text:  # PostgreSQL's jsonb holds no NUL
            raise Invalid("Afsnittets tekst skal være tekst.", field=f"sections.{key}")
        if len(text) > SECTION_MAX_CHARS:
            raise Invalid(
                f"Teksten er for lang (højst {SECTION_MAX_CHARS} tegn).", field=f"sections.{key}"
            )
        if text.strip():
            texts[key] = text.strip()
    return {key: texts[key] for key in known if key in texts}  # the standard's order


def _with_citizen_birth_date(case: Case, facts: Any) -> Any:
    """A named citizen's birth date comes from the CPR number, not from what is typed."""
    if not isinstance(facts, dict) or case.citizen_id is None:
        return facts
    person = facts.get("person")
    if person is not None and not isinstance(person, dict):
        return facts  # let validation name the field
    born = case.citizen.birth_date.isoformat()
    if person and person.get("birth_date") not in (None, born):
        raise Invalid(
            f"Fødselsdatoen {person['birth_date']} passer ikke med CPR-nummeret ({born}).",
            field="facts.person.birth_date",
        )
    return {**facts, "person": {**(person or {}), "birth_date": born}}
