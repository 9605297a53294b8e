"""Register extracts in the administration: the administrator (`Action.REGISTER_EXTRACT`)
picks a register and a year, sees the validation report (counts by problem and the cases
with a problem: case numbers only, and an anonymous case's pseudonym, never an identity),
and downloads the extract, streamed, as CSV or in the register's format. A download carries
CPR numbers: it is written to the audit log. Others get 403.

/administration/indberetning/        the form and, once chosen, the report
/administration/indberetning/hent/   the extract (the same query string, and a format)
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rusmiddel.accounts.permissions import Action
from rusmiddel.reporting.registers import (
    ExportCount,
    register_export,
    register_extract_audit,
    register_report,
)
from rusmiddel.rules import registers as rules

from .admin_pages import AdminForm
from .pages import staff_for, staff_page

#: How many cases with problems the page lists (the counts cover every one).
SHOWN = 1000
YEARS_BACK = 6
FIRST_YEAR = 2024  # the first year the system holds courses of


class RegisterForm(AdminForm):
    register = forms.ChoiceField(
        label=_("Register"),
        choices=[
            ("sib", _("SIB – stofmisbrugsbehandling")),
            ("nab", _("NAB – alkoholbehandling")),
            ("tdi", _("TDI – EU's behandlingsindikator (stoffer)")),
        ],
        error_messages={
            "required": _("Vælg et register."),
            "invalid_choice": _("Vælg et register."),
        },
    )
    year = forms.TypedChoiceField(
        label=_("År"),
        coerce=int,
        error_messages={"required": _("Vælg et år."), "invalid_choice": _("Vælg et år.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        years = range(this_year, min(FIRST_YEAR, this_year - YEARS_BACK) - 1, -1)
        self.fields["year"].choices = [(str(y), str(y)) for y in years]


class DownloadForm(RegisterForm):
    format = forms.ChoiceField(
        choices=[("csv", "CSV"), ("register", _("Registerets format (XML)"))],
        error_messages={"invalid_choice": _("Vælg et format.")},
    )
    include_invalid = forms.BooleanField(required=False)


@staff_page
def registers(request: HttpRequest) -> HttpResponse:
    staff = staff_for(request, Action.REGISTER_EXTRACT)
    bound = "register" in request.GET
    form = RegisterForm(request.GET if bound else None)
    report = None
    status = 200
    if bound:
        if form.is_valid():
            report = register_report(
                municipality=staff.municipality,
                register=form.cleaned_data["register"],
                year=form.cleaned_data["year"],
            )
        else:
            status = 400
    context = {
        "municipality": staff.municipality,
        "form": form,
        "report": report,
        "title": rules.spec(report.register)["title"] if report else "",
        "shown": report.rows[:SHOWN] if report else [],
        "hidden": max(0, len(report.rows) - SHOWN) if report else 0,
        "query": request.GET.urlencode() if report else "",
    }
    return render(request, "web/admin/registers.html", context, status=status)


@staff_page
def registers_download(request: HttpRequest) -> HttpResponse:
    staff = staff_for(request, Action.REGISTER_EXTRACT)
    form = DownloadForm(request.GET)
    if not form.is_valid():
        return render(
            request,
            "web/admin/registers.html",
            {"municipality": staff.municipality, "form": form, "report": None},
            status=400,
        )
    data = form.cleaned_data
    register, year, fmt = data["register"], data["year"], data["format"]
    register_extract_audit(
        actor=request.user,
        municipality=staff.municipality,
        register=register,
        year=year,
        fmt=fmt,
        include_invalid=data["include_invalid"],
    )
    chunks = register_export(
        municipality=staff.municipality,
        register=register,
        year=year,
        fmt=fmt,
        include_invalid=data["include_invalid"],
        count=ExportCount(),
    )
    kind = "text/csv" if fmt == "csv" else "application/xml"
    response = StreamingHttpResponse(chunks, content_type=f"{kind}; charset=utf-8")
    name = f"{register}-{staff.municipality.slug}-{year}.{'csv' if fmt == 'csv' else 'xml'}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"  # it carries CPR numbers
    return response


urlpatterns = [
    path("administration/indberetning/", registers, name="admin_registers"),
    path("administration/indberetning/hent/", registers_download, name="admin_registers_download"),
]
