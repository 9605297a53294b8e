"""Administration of capacity (kapacitet): the places and weekly start slots per provider and
offer that the waitlist plans with, a new line, and a line changed (kind, amount, dates, age
band). For roles with `Action.CAPACITY_MANAGE` (administrator, head of unit); others get 403,
a line of another municipality 404. A group offer's capacity is its runs' seats, set under
Gruppehold (`group_admin_pages`).

/administration/kapacitet/          the lines and the form for a new one
/administration/kapacitet/<id>/     one line's form

The forms only parse; the rules (an offer of the standard not given only in groups, one of
its providers, at least one place, an end not before the start, an age band inside the
offer's) are checked by `rusmiddel.capacity.services`, whose errors come back on the form
under the field they name, with everything typed kept. Each page makes a fixed number of
queries whatever the number of lines.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rusmiddel.accounts.models import Role
from rusmiddel.accounts.permissions import Action
from rusmiddel.capacity import services
from rusmiddel.capacity.models import Capacity, CapacityKind
from rusmiddel.cases.errors import Invalid
from rusmiddel.rules.errors import RulesError
from rusmiddel.standards import registry

from .admin_pages import AdminForm, OfferProviderForm
from .case_forms import date_field
from .pages import staff_for, staff_page

AGE_MAX = 120


def _age_field(label: str, hint: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=AGE_MAX,
        help_text=hint,
        widget=forms.NumberInput(
            attrs={"class": "form-input input-width-xs", "inputmode": "numeric"}
        ),
        error_messages={
            "invalid": _("Skriv alderen som et helt antal år."),
            "min_value": _("Alderen kan ikke være negativ."),
            "max_value": _("Skriv en alder på højst 120 år."),
        },
    )


class CapacityChangeForm(AdminForm):
    """What a line's form parses: the values the service then checks against the standard."""

    kind = forms.ChoiceField(
        label=_("Art"),
        choices=CapacityKind.choices,
        help_text=_(
            "Pladser: forløb på samme tid (f.eks. døgnpladser). Opstartstider: første "
            "samtaler om ugen."
        ),
        error_messages={
            "required": _("Vælg pladser eller opstartstider pr. uge."),
            "invalid_choice": _("Vælg pladser eller opstartstider pr. uge."),
        },
    )
    amount = forms.IntegerField(
        label=_("Antal"),
        min_value=1,
        max_value=services.AMOUNT_MAX,
        widget=forms.NumberInput(
            attrs={"class": "form-input input-width-xs", "inputmode": "numeric"}
        ),
        error_messages={
            "required": _("Skriv antallet af pladser eller opstartstider."),
            "invalid": _("Skriv antallet som et helt tal."),
            "min_value": _("Der skal være mindst 1 plads eller opstartstid."),
            "max_value": _("Antallet kan højst være 500."),
        },
    )
    valid_from = date_field(_("Gælder fra"))
    valid_until = date_field(
        _("Gælder til og med"), required=False, help_text=_("Tomt: indtil videre.")
    )
    age_min = _age_field(_("Laveste alder"), _("Kun hvis linjen er for en snævrere aldersgruppe."))
    age_max = _age_field(_("Højeste alder"), _("Kun hvis linjen er for en snævrere aldersgruppe."))

    valid_from.error_messages["required"] = _("Skriv den dato, linjen gælder fra.")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("Slutdatoen ligger før startdatoen."))
        return data

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            k: data[k]
            for k in ("kind", "amount", "valid_from", "valid_until", "age_min", "age_max")
        }


class CapacityCreateForm(OfferProviderForm, CapacityChangeForm):
    field_order = ["offer", "provider", "kind", "amount", "valid_from", "valid_until"]


def _catalogue(staff: Any) -> tuple[list[Any], list[Any], dict[str, str]]:
    """Today's offers that take a capacity line (not those given only in groups), the
    municipality's providers, and every offer's title."""
    try:
        standard = registry.load(staff.municipality.slug, timezone.localdate()).standard
    except RulesError:
        return [], list(staff.municipality.providers.order_by("name")), {}
    offers = [o for o in standard.offers if o.delivery not in services.GROUP_ONLY]
    titles = {o.id: o.title for o in standard.offers}
    return offers, list(staff.municipality.providers.order_by("name")), titles


def _state(line: Capacity, today: dt.date) -> str:
    if line.valid_from > today:
        return str(_("fremtidig"))
    if line.valid_until is not None and line.valid_until < today:
        return str(_("udløbet"))
    return str(_("gælder nu"))


def _list_page(
    request: HttpRequest,
    staff: Any,
    form: CapacityCreateForm,
    titles: dict[str, str],
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    lines = list(
        Capacity.objects.filter(municipality_id=staff.municipality_id)
        .select_related("provider")
        .order_by("offer", "provider__name", "valid_from", "pk")
    )
    for line in lines:
        line.offer_title = titles.get(line.offer, line.offer)
        line.state = _state(line, today)
    context = {
        "municipality": staff.municipality,
        "lines": lines,
        "form": form,
        "is_administrator": staff.role == Role.ADMINISTRATOR,
    }
    return render(request, "web/admin/capacities.html", context, status=status)


@staff_page
def capacities(request: HttpRequest) -> HttpResponse:
    staff = staff_for(request, Action.CAPACITY_MANAGE)
    offers, providers, titles = _catalogue(staff)
    if request.method != "POST":
        form = CapacityCreateForm(
            offers=offers,
            providers=providers,
            initial={"kind": CapacityKind.PLACES, "valid_from": timezone.localdate()},
        )
        return _list_page(request, staff, form, titles)
    form = CapacityCreateForm(request.POST, offers=offers, providers=providers)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.capacity_create(
                actor=request.user,
                provider=data["provider"],
                offer=data["offer"],
                **form.values(),
            )
        except Invalid as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                gettext("Kapaciteten for %(offer)s er oprettet.")
                % {"offer": titles.get(data["offer"], data["offer"])},
            )
            return redirect("web:admin_capacities")
    return _list_page(request, staff, form, titles, status=400)


def _line(staff: Any, capacity_id: int) -> Capacity:
    line = (
        Capacity.objects.filter(municipality_id=staff.municipality_id, pk=capacity_id)
        .select_related("provider")
        .first()
    )
    if line is None:
        raise Http404("Kapaciteten findes ikke.")
    return line


@staff_page
def capacity_change(request: HttpRequest, capacity_id: int) -> HttpResponse:
    staff = staff_for(request, Action.CAPACITY_MANAGE)
    line = _line(staff, capacity_id)
    _offers, _providers, titles = _catalogue(staff)
    line.offer_title = titles.get(line.offer, line.offer)
    if request.method == "POST":
        form = CapacityChangeForm(request.POST)
        if form.is_valid():
            try:
                services.capacity_update(actor=request.user, capacity_id=line.pk, **form.values())
            except Invalid as exc:
                form.add_service_error(exc)
            else:
                messages.success(
                    request,
                    gettext("Kapaciteten for %(offer)s hos %(provider)s er ændret.")
                    % {"offer": line.offer_title, "provider": line.provider.name},
                )
                return redirect("web:admin_capacities")
        status = 400
    else:
        form = CapacityChangeForm(
            initial={
                "kind": line.kind,
                "amount": line.amount,
                "valid_from": line.valid_from,
                "valid_until": line.valid_until,
                "age_min": line.age_min,
                "age_max": line.age_max,
            }
        )
        status = 200
    context = {
        "municipality": staff.municipality,
        "line": line,
        "form": form,
        "is_administrator": staff.role == Role.ADMINISTRATOR,
    }
    return render(request, "web/admin/capacity.html", context, status=status)


urlpatterns = [
    path("administration/kapacitet/", capacities, name="admin_capacities"),
    path("administration/kapacitet/<int:capacity_id>/", capacity_change, name="admin_capacity"),
]
