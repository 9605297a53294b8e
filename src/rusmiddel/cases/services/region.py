"""Integrated treatment in the regional psychiatry (sundhedslovens § 82 c, from 1 September
2024): refer a citizen with a severe mental illness and a substance problem to the region, and
record when the region has received the citizen. From then on SUL §§ 141 and 142 do not apply
to the citizen, so the case's open treatment guarantees resting on them close as handed over
(not met, not missed); a guarantee that also rests on SEL § 101 or barnets lov § 33 stays: the
social treatment is still the municipality's, coordinated with the region
(`rules.integrated_treatment`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from rusmiddel.accounts.permissions import Action
from rusmiddel.audit.models import Event
from rusmiddel.audit.services import audit_record
from rusmiddel.rules import integrated_treatment
from rusmiddel.rules.calendar import danish_date

from ..errors import Invalid
from ..models import Case, Contact, Deadline, DeadlineKind, RegionReferral
from ._common import bump, locked_case

#: The longest name of the region and unit referred to (the model's column).
REGION_MAX_CHARS = 200


def _d(day: dt.date) -> str:
    return f"{day:%d.%m.%Y}"


def _not_in_future(day: dt.date, field: str, what: str) -> None:
    if day > timezone.localdate():
        raise Invalid(f"{what} {_d(day)} ligger i fremtiden.", field=field)


def handed_over_reason(accepted_on: dt.date) -> str:
    """Why a treatment guarantee closed when the region received the citizen."""
    return (
        f"Overgået til integreret behandling i regionen {_d(accepted_on)} (sundhedslovens "
        "§ 82 c): sundhedslovens §§ 141 og 142 gælder ikke længere for borgeren."
    )


def region_referral_record(
    *,
    actor: Any,
    case_id: int,
    version: int,
    referred_on: dt.date,
    region: str,
    note: str = "",
) -> RegionReferral:
    """Refer the case's citizen to integrated treatment in the regional psychiatry (SUL
    § 82 c). The assessment need only show the combination: no diagnosis is needed to refer
    (Sundhedsstyrelsen's referral guideline, "no wrong door"). Until the region has received
    the citizen, recording again corrects the referral (the old values are in the log); the
    municipality's own guarantees run on meanwhile."""
    region = " ".join(region.split())
    if not region:
        raise Invalid("Skriv hvilken region og enhed borgeren er henvist til.", field="region")
    if len(region) > REGION_MAX_CHARS:
        raise Invalid(
            f"Regionens navn er for langt (højst {REGION_MAX_CHARS} tegn).", field="region"
        )
    if referred_on < integrated_treatment.IN_FORCE:
        raise Invalid(
            f"Henvisningsdatoen {_d(referred_on)} ligger før 1. september 2024, hvor integreret "
            "behandling efter sundhedslovens § 82 c trådte i kraft.",
            field="referred_on",
        )
    _not_in_future(referred_on, "referred_on", "Henvisningsdatoen")
    with transaction.atomic():
        case = locked_case(
            actor=actor, case_id=case_id, version=version, action=Action.REGION_REFER
        )
        if case.anonymous:
            raise Invalid(
                "En anonym sag kan ikke henvises til regionen: henvisningen kræver borgerens "
                "navn og CPR-nummer (SEL § 101 a).",
            )
        first = (
            Contact.objects.filter(case=case)
            .order_by("received_on")
            .values_list("received_on", flat=True)
            .first()
        )
        if first is not None and referred_on < first:
            raise Invalid(
                f"Henvisningsdatoen {_d(referred_on)} ligger før sagens første henvendelse "
                f"({_d(first)}).",
                field="referred_on",
            )
        referral = RegionReferral.objects.filter(case=case).first()
        old = None
        if referral is not None:
            if referral.accepted_on is not None:
                raise Invalid(
                    f"Regionen har modtaget borgeren {_d(referral.accepted_on)}; henvisningen "
                    "kan ikke ændres derefter.",
                    field="referred_on",
                )
            old = _values(referral)
            referral.referred_on, referral.region, referral.note = referred_on, region, note
            referral.referred_by = actor
            referral.save(update_fields=["referred_on", "region", "note", "referred_by"])
        else:
            referral = RegionReferral.objects.create(
                case=case, referred_on=referred_on, region=region, note=note, referred_by=actor
            )
        bump(case)
        audit_record(
            actor=actor,
            event=Event.REGION_REFERRED,
            write=True,
            case_id=case.pk,
            obj=referral,
            old=old,
            new=_values(referral),
        )
    return referral


def region_referral_accept(
    *, actor: Any, case_id: int, version: int, accepted_on: dt.date
) -> tuple[RegionReferral, list[Deadline]]:
    """Record that the region has received the citizen into integrated treatment on
    `accepted_on`. SUL §§ 141 and 142 no longer apply: the case's open treatment guarantees
    resting only on them close as handed over on that day, with the reason (answered with
    the referral); those resting also on SEL § 101 or barnets lov § 33 stay open."""
    _not_in_future(accepted_on, "accepted_on", "Datoen for regionens modtagelse")
    with transaction.atomic():
        case = locked_case(
            actor=actor, case_id=case_id, version=version, action=Action.REGION_REFER
        )
        referral = RegionReferral.objects.filter(case=case).first()
        if referral is None:
            raise Invalid(
                "Sagen er ikke henvist til regionen: registrér henvisningen først.",
                field="accepted_on",
            )
        if referral.accepted_on is not None:
            raise Invalid(
                f"Regionen har allerede modtaget borgeren {_d(referral.accepted_on)}.",
                field="accepted_on",
            )
        if accepted_on < referral.referred_on:
            raise Invalid(
                f"Datoen for regionens modtagelse {_d(accepted_on)} ligger før henvisningen "
                f"({_d(referral.referred_on)}).",
                field="accepted_on",
            )
        referral.accepted_on, referral.accepted_by = accepted_on, actor
        referral.save(update_fields=["accepted_on", "accepted_by"])
        closed = _guarantees_hand_over(case, accepted_on)
        bump(case)
        audit_record(
            actor=actor,
            event=Event.REGION_ACCEPTED,
            write=True,
            case_id=case.pk,
            obj=referral,
            old={"accepted_on": None},
            new={
                "accepted_on": accepted_on.isoformat(),
                # the guarantees that closed as handed over, by deadline id
                "handed_over": [d.pk for d in closed],
            },
        )
    return referral, closed


def _guarantees_hand_over(case: Case, accepted_on: dt.date) -> list[Deadline]:
    """Close the case's open treatment guarantees that rest only on SUL §§ 141-142."""
    open_guarantees = list(
        Deadline.objects.filter(
            case=case,
            kind=DeadlineKind.TREATMENT_GUARANTEE,
            source_type="contact",
            met_on__isnull=True,
        )
    )
    bases = dict(
        Contact.objects.filter(pk__in=[d.source_id for d in open_guarantees]).values_list(
            "pk", "guarantee_basis"
        )
    )
    ending = [
        d
        for d in open_guarantees
        if integrated_treatment.guarantee_ends(bases.get(d.source_id, ""))
    ]
    reason = handed_over_reason(accepted_on)
    Deadline.objects.filter(pk__in=[d.pk for d in ending]).update(
        met_on=accepted_on, closed_reason=reason
    )
    for d in ending:
        d.met_on, d.closed_reason = accepted_on, reason
    return ending


def accepted_contact_basis(case: Case, on: dt.date, basis: str) -> str | None:
    """For a contact on `on` whose guarantee would rest only on SUL §§ 141-142: why there is
    none, when the region had already received the citizen (else None)."""
    if case.pk is None or not integrated_treatment.guarantee_ends(basis):
        return None
    accepted = (
        RegionReferral.objects.filter(case=case, accepted_on__lte=on)
        .values_list("accepted_on", flat=True)
        .first()
    )
    if accepted is None:
        return None
    return (
        f"{basis} Borgeren er i integreret behandling i regionen fra {danish_date(accepted)} "
        "(sundhedslovens § 82 c), så sundhedslovens §§ 141 og 142 gælder ikke: ingen "
        "behandlingsgaranti fra kommunen."
    )


def _values(referral: RegionReferral) -> dict[str, Any]:
    return {
        "referred_on": referral.referred_on.isoformat(),
        "region": referral.region,
        "note": referral.note,
    }
