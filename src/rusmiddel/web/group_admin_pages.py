"""Administration of group runs (gruppehold): the municipality's runs, a new run, and a run
changed (title, dates, seats). For roles with `Action.GROUP_MANAGE` (administrator, head of
unit); others get 403, a run of another municipality 404.

/administration/grupper/          the runs and the form for a new one
/administration/grupper/<id>/     one run's form

The forms only parse; the rules (a group offer of the standard, one of its providers, a start
on a meeting day, the common stop day, seats not below those enrolled) are checked by
`rusmiddel.groups.services`, whose errors come back on the form under the field they name.
Each page makes a fixed number of queries whatever the number of runs.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rusmiddel.accounts.models import Role
from rusmiddel.accounts.permissions import Action, may
from rusmiddel.cases.errors import Invalid
from rusmiddel.groups import services
from rusmiddel.groups.models import Group
from rusmiddel.rules.calendar import WEEKDAY_NAMES
from rusmiddel.rules.errors import RulesError
from rusmiddel.standards import registry
from rusmiddel.standards.schema import WEEKDAYS

from .admin_pages import AdminForm, OfferProviderForm
from .case_forms import date_field
from .pages import staff_for, staff_page


class GroupChangeForm(AdminForm):
    """What a run's form parses: the values the service then checks against the standard."""

    title = forms.CharField(
        label=_("Titel"),
        max_length=services.TITLE_MAX,
        help_text=_("Sådan står holdet i gruppekalenderen, f.eks. »Kokain- og hashstop, januar«."),
        error_messages={
            "required": _("Skriv gruppeholdets titel."),
            "max_length": _("Titlen må højst være 200 tegn."),
        },
    )
    starts_on = date_field(_("Startdato"), help_text=_("Første mødedag efter tilbuddets kalender."))
    stop_day = date_field(
        _("Fælles stopdag"),
        required=False,
        help_text=_("Kun for tilbud med en fælles stopdag. Ellers tomt."),
    )
    seats = forms.IntegerField(
        label=_("Pladser"),
        min_value=1,
        max_value=services.SEATS_MAX,
        widget=forms.NumberInput(
            attrs={"class": "form-input input-width-xs", "inputmode": "numeric"}
        ),
        error_messages={
            "required": _("Skriv antallet af pladser."),
            "invalid": _("Skriv antallet af pladser som et helt tal."),
            "min_value": _("Gruppeholdet skal have mindst 1 plads."),
            "max_value": _("Gruppeholdet kan højst have 500 pladser."),
        },
    )


class GroupCreateForm(OfferProviderForm, GroupChangeForm):
    offer_refused = _("Vælg et af standardens gruppetilbud.")
    provider_refused = _("Vælg en af kommunens leverandører af gruppetilbud.")
    field_order = ["offer", "provider", "title", "starts_on", "stop_day", "seats"]


def _catalogue(staff: Any) -> tuple[list[Any], list[Any]]:
    """Today's group offers of the standard, and the municipality's providers of them."""
    try:
        standard = registry.load(staff.municipality.slug, timezone.localdate()).standard
    except RulesError:
        return [], []
    offers = services.group_offers(standard)
    slugs = {slug for o in offers for slug in o.providers}
    providers = [p for p in staff.municipality.providers.order_by("name") if p.slug in slugs]
    return offers, providers


def _offer_titles(staff: Any, offers: list[Any]) -> dict[str, str]:
    return {o.id: o.title for o in offers}


def _calendar_row(offer: Any) -> dict[str, Any]:
    """An offer's calendar in words, so the form's user knows which days are meeting days."""
    schedule = offer.schedule
    return {
        "title": offer.title,
        "weekday": WEEKDAY_NAMES[WEEKDAYS.index(schedule.weekday)] if schedule.weekday else "",
        "start": schedule.start_time,
        "end": schedule.end_time,
        "sessions": schedule.sessions,
        "stop_weeks": schedule.stop_day.stop_day_within_weeks if schedule.stop_day else 0,
    }


def _runs(staff: Any) -> list[Group]:
    return list(
        Group.objects.filter(municipality_id=staff.municipality_id)
        .select_related("provider")
        .annotate(taken=Count("enrolments"))
        .order_by("-starts_on", "title", "pk")
    )


def _list_page(
    request: HttpRequest, staff: Any, form: GroupCreateForm, offers: list[Any], status: int = 200
) -> HttpResponse:
    titles = _offer_titles(staff, offers)
    runs = _runs(staff)
    for g in runs:
        g.offer_title = titles.get(g.offer, g.offer)
    context = {
        "municipality": staff.municipality,
        "runs": runs,
        "offers": [_calendar_row(o) for o in offers],
        "form": form,
        "is_administrator": staff.role == Role.ADMINISTRATOR,
    }
    return render(request, "web/admin/groups.html", context, status=status)


@staff_page
def groups(request: HttpRequest) -> HttpResponse:
    staff = staff_for(request, Action.GROUP_MANAGE)
    offers, providers = _catalogue(staff)
    if request.method != "POST":
        form = GroupCreateForm(offers=offers, providers=providers, initial={"seats": 8})
        return _list_page(request, staff, form, offers)
    form = GroupCreateForm(request.POST, offers=offers, providers=providers)
    if form.is_valid():
        data = form.cleaned_data
        try:
            group = services.group_create(
                actor=request.user,
                offer=data["offer"],
                provider=data["provider"],
                title=data["title"],
                starts_on=data["starts_on"],
                stop_day=data["stop_day"],
                seats=data["seats"],
            )
        except Invalid as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                gettext("Gruppeholdet %(title)s er oprettet.") % {"title": group.title},
            )
            return redirect("web:admin_groups")
    return _list_page(request, staff, form, offers, status=400)


def _group(staff: Any, group_id: int) -> Group:
    group = (
        Group.objects.filter(municipality_id=staff.municipality_id, pk=group_id)
        .select_related("provider")
        .annotate(taken=Count("enrolments"))
        .first()
    )
    if group is None:
        raise Http404("Gruppeholdet findes ikke.")
    return group


@staff_page
def group_change(request: HttpRequest, group_id: int) -> HttpResponse:
    staff = staff_for(request, Action.GROUP_MANAGE)
    group = _group(staff, group_id)
    if request.method == "POST":
        form = GroupChangeForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.group_update(
                    actor=request.user,
                    group_id=group.pk,
                    title=data["title"],
                    starts_on=data["starts_on"],
                    stop_day=data["stop_day"],
                    seats=data["seats"],
                )
            except Invalid as exc:
                form.add_service_error(exc)
            else:
                messages.success(
                    request, gettext("Gruppeholdet %(title)s er ændret.") % {"title": data["title"]}
                )
                return redirect("web:admin_groups")
        status = 400
    else:
        form = GroupChangeForm(
            initial={
                "title": group.title,
                "starts_on": group.starts_on,
                "stop_day": group.stop_day,
                "seats": group.seats,
            }
        )
        status = 200
    offers, _unused = _catalogue(staff)
    group.offer_title = _offer_titles(staff, offers).get(group.offer, group.offer)
    context = {
        "municipality": staff.municipality,
        "group": group,
        "form": form,
        "is_administrator": staff.role == Role.ADMINISTRATOR,
        "may_see_calendar": may(staff.role, Action.CASE_READ),  # the administrator reads no case
    }
    return render(request, "web/admin/group.html", context, status=status)


urlpatterns = [
    path("administration/grupper/", groups, name="admin_groups"),
    path("administration/grupper/<int:group_id>/", group_change, name="admin_group"),
]
