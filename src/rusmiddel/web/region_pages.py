"""The case page's forms for integrated treatment in the regional psychiatry (SUL § 82 c).

/sager/<id>/integreret-behandling/henvisning/   refer the citizen (or correct the referral)
/sager/<id>/integreret-behandling/modtaget/     record the day the region received the citizen

Both post from the case page's section (`region_section`) and write only through
`rusmiddel.cases.services` with the case version the form carries; errors show the case page
again with the form as sent (422, or 409 for a stale version).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from rusmiddel.accounts.permissions import Action
from rusmiddel.cases import services
from rusmiddel.cases.scoping import require
from rusmiddel.web.pages import staff_page

from .case_pages import _case, _case_context, _d, _save, _status
from .region_section import RegionAcceptanceForm, RegionReferralForm, region_section

ANCHOR = "#integreret-behandling"


def _again(request: HttpRequest, case: Any, form: Any, **forms: Any) -> HttpResponse:
    """The case page with the form as sent and its errors."""
    today = timezone.localdate()
    context = _case_context(request, case, today)
    context["region"] = region_section(request, case, today, **forms)
    return render(request, "web/case/page.html", context, status=_status(form))


@require_POST
@staff_page
def region_referral(request: HttpRequest, case_id: int) -> HttpResponse:
    """Refer the case's citizen to integrated treatment in the region (or correct the
    referral before the region has received the citizen)."""
    case = _case(request, case_id, "henvisning til integreret behandling")
    require(request.user, Action.REGION_REFER)
    form = RegionReferralForm(request.POST, prefix="region")
    if form.is_valid():
        data = form.cleaned_data
        referral = _save(
            form,
            services.region_referral_record,
            actor=request.user,
            case_id=case.pk,
            version=data["version"],
            referred_on=data["referred_on"],
            region=data["region"],
            note=data["note"].strip(),
        )
        if referral is not None:
            messages.success(
                request,
                _("Henvisningen til {region} er gemt ({referred_on}).").format(
                    region=referral.region, referred_on=_d(referral.referred_on)
                ),
            )
            return redirect(reverse("web:case", args=[case.pk]) + ANCHOR)
    return _again(request, case, form, referral_form=form)


@require_POST
@staff_page
def region_acceptance(request: HttpRequest, case_id: int) -> HttpResponse:
    """Record the day the region received the citizen: the municipality's guarantees under
    SUL §§ 141-142 close as handed over."""
    case = _case(request, case_id, "integreret behandling modtaget")
    require(request.user, Action.REGION_REFER)
    form = RegionAcceptanceForm(request.POST, prefix="region_modtaget")
    if form.is_valid():
        data = form.cleaned_data
        done = _save(
            form,
            services.region_referral_accept,
            actor=request.user,
            case_id=case.pk,
            version=data["version"],
            accepted_on=data["accepted_on"],
        )
        if done is not None:
            referral, closed = done
            message = _("Regionen modtog borgeren {accepted_on}.").format(
                accepted_on=_d(referral.accepted_on)
            )
            if closed:
                message += " " + ngettext(
                    "{count} behandlingsgaranti er lukket som overdraget til regionen.",
                    "{count} behandlingsgarantier er lukket som overdraget til regionen.",
                    len(closed),
                ).format(count=len(closed))
            messages.success(request, message)
            return redirect(reverse("web:case", args=[case.pk]) + ANCHOR)
    return _again(request, case, form, acceptance_form=form)


urlpatterns = [
    path(
        "sager/<int:case_id>/integreret-behandling/henvisning/",
        region_referral,
        name="region_referral",
    ),
    path(
        "sager/<int:case_id>/integreret-behandling/modtaget/",
        region_acceptance,
        name="region_acceptance",
    ),
]
