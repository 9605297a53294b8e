"""The case page's section on integrated treatment in the regional psychiatry (sundhedslovens
§ 82 c): shown when the latest evaluation raises the standard's `refer_integrated_treatment`
(the action's text, until the case is referred) or the case is referred. It says what the rule
asks, the referral and the region's 14 days to start (the region's duty, shown for
information), which of the municipality's treatment guarantees closed as handed over when the
region received the citizen and which stay, and, for the roles that may, the forms to refer
(or correct the referral) and to record the region's receipt. The forms post to
`region_pages`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from rusmiddel.accounts.permissions import Action, may
from rusmiddel.cases.models import Case, DeadlineKind, RegionReferral
from rusmiddel.cases.services.region import REGION_MAX_CHARS
from rusmiddel.rules import integrated_treatment

from .case_forms import CaseForm, date_field, text_field

#: The standard's action that surfaces the route (both seeds' standards name it so).
ACTION_ID = "refer_integrated_treatment"


class RegionReferralForm(CaseForm):
    referred_on = date_field(gettext_lazy("Henvist den"))
    region = text_field(
        gettext_lazy("Region og enhed"),
        max_length=REGION_MAX_CHARS,
        help_text=gettext_lazy("Fx det psykiatriske center, henvisningen er sendt til."),
    )
    note = text_field(gettext_lazy("Bemærkning"), required=False, rows=3)


class RegionAcceptanceForm(CaseForm):
    accepted_on = date_field(
        gettext_lazy("Regionen modtog borgeren den"),
        help_text=gettext_lazy(
            "Fra den dag gælder sundhedslovens §§ 141 og 142 ikke for borgeren, og kommunens "
            "behandlingsgaranti efter dem lukkes som overdraget til regionen."
        ),
    )


@dataclass(frozen=True)
class Guarantee:
    """A treatment guarantee of the case as the section lists it: its last day, the contact
    that started it and the law it rests on (the two guarantees of one day read alike else)."""

    due_on: dt.date
    received_on: dt.date | None
    basis: str
    open: bool
    closed_reason: str


def _guarantee(d: Any, contacts: dict[int, Any]) -> Guarantee:
    contact = contacts.get(d.source_id) if d.source_type == "contact" else None
    return Guarantee(
        due_on=d.due_on,
        received_on=contact.received_on if contact else None,
        basis=" ".join(contact.guarantee_basis.split()) if contact else "",
        open=d.met_on is None,
        closed_reason=d.closed_reason,
    )


@dataclass
class RegionSection:
    """What the section shows (see the module doc)."""

    action_text: str  # the standard's action, as the latest evaluation raised it ("": not)
    referral: RegionReferral | None
    start_by: dt.date | None  # the region's last day to start (None: not referred)
    handed_over: list[Guarantee] = field(default_factory=list)  # closed as handed over
    staying: list[Guarantee] = field(default_factory=list)  # open ones that stay (after receipt)
    anonymous: bool = False
    referral_form: RegionReferralForm | None = None
    acceptance_form: RegionAcceptanceForm | None = None


def _raised(case: Case) -> str:
    """The text of the standard's action in the latest evaluation, or "" (prefetched rows:
    no query)."""
    evaluations = list(case.evaluations.all())  # newest first
    actions = evaluations[0].result.get("actions", []) if evaluations else []
    return next((a.get("text", "") for a in actions if a.get("id") == ACTION_ID), "")


def region_section(
    request: HttpRequest,
    case: Case,
    today: dt.date,
    *,
    referral_form: RegionReferralForm | None = None,
    acceptance_form: RegionAcceptanceForm | None = None,
) -> RegionSection | None:
    """The section for `case` (read by `selectors.case_get`: no query), or None where the
    route is not raised and the case is not referred. Bound forms (sent with errors) are
    shown as given."""
    referral: RegionReferral | None = getattr(case, "region_referral", None)
    text = _raised(case)
    if referral is None and not text:
        return None
    staff = getattr(request.user, "staff", None)
    acts = may(staff.role if staff else None, Action.REGION_REFER) and not case.anonymous
    section = RegionSection(
        action_text=text,
        referral=referral,
        start_by=integrated_treatment.start_by(referral.referred_on) if referral else None,
        anonymous=case.anonymous,
    )
    guarantees = [
        _guarantee(d, contacts)
        for contacts in [{c.pk: c for c in case.contacts.all()}]
        for d in case.deadlines.all()
        if d.kind == DeadlineKind.TREATMENT_GUARANTEE
    ]
    section.handed_over = [g for g in guarantees if g.closed_reason]
    if referral is not None and referral.accepted_on is not None:
        section.staying = [g for g in guarantees if g.open]
        return section
    if acts:
        section.referral_form = referral_form or RegionReferralForm(
            prefix="region",
            initial={
                "version": case.version,
                "referred_on": referral.referred_on if referral else today,
                "region": referral.region if referral else "",
                "note": referral.note if referral else "",
            },
        )
        if referral is not None:
            section.acceptance_form = acceptance_form or RegionAcceptanceForm(
                prefix="region_modtaget", initial={"version": case.version, "accepted_on": today}
            )
    return section
