"""The standard viewer: each municipality's standard rendered as a readable document.

Views parse input and call the standards package; they hold no rules.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from rusmiddel.rules.errors import ErrorCode, RulesError
from rusmiddel.standards import registry
from rusmiddel.standards.render import to_html


def home(request: HttpRequest) -> HttpResponse:
    rows = [
        {
            "id": m,
            "versions": registry.versions(m),
            "standard": registry.load(m, timezone.localdate()).standard,
        }
        for m in registry.municipalities()
    ]
    return render(request, "web/home.html", {"rows": rows})


def standard_detail(request: HttpRequest, municipality: str) -> HttpResponse:
    raw_on = request.GET.get("on")
    error = None
    on = timezone.localdate()
    if raw_on:
        try:
            on = dt.date.fromisoformat(raw_on)
        except ValueError:
            error = _("Datoen '{raw_on}' er ikke gyldig – skriv den som ÅÅÅÅ-MM-DD.").format(
                raw_on=raw_on
            )
    try:
        compiled = registry.load(municipality, on)
    except RulesError as exc:
        if exc.code == ErrorCode.UNKNOWN_MUNICIPALITY:
            raise Http404("Ukendt kommune") from None
        return render(
            request,
            "web/standard.html",
            {"municipality": municipality, "error": str(exc), "on": on},
            status=404,
        )
    context = {
        "municipality": municipality,
        "compiled": compiled,
        "document": mark_safe(to_html(compiled)),  # the file's text as text: see render.py
        "versions": registry.versions(municipality),
        "on": on,
        "error": error,
    }
    return render(request, "web/standard.html", context, status=400 if error else 200)


@login_required
def about(request: HttpRequest) -> HttpResponse:
    """Om Rusmiddel: the version and who is logged in. The staff layout with nothing behind
    it, so `rusmiddel bench` uses it as the floor every other page is measured against."""
    from importlib.metadata import version

    return render(request, "web/about.html", {"version": version("rusmiddel")})


def health(request: HttpRequest) -> JsonResponse:
    """Liveness for the proxy: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})


@login_required
def audit(request: HttpRequest) -> HttpResponse:
    """The audit log viewer for heads of unit and administrators (others: 403)."""
    from rusmiddel.cases import selectors
    from rusmiddel.cases.errors import Forbidden, NotFound

    error = None
    case_id = after = None
    try:
        case_id = int(request.GET["case"]) if request.GET.get("case") else None
        after = int(request.GET["after"]) if request.GET.get("after") else None
    except ValueError:
        error = _("Sags-id skal være et tal.")
    try:
        entries = selectors.audit_list(user=request.user, case_id=case_id, after=after)
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None
    except NotFound as exc:  # another municipality's case, as one that does not exist
        raise Http404(exc.message) from None
    context = {
        "entries": entries,
        "case_id": case_id,
        "error": error,
        "municipality": request.user.staff.municipality,
        "next_after": entries[-1].pk if len(entries) == 100 else None,
    }
    return render(request, "web/audit.html", context, status=400 if error else 200)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Django's CSRF refusal, in Danish (a form left open too long, or cookies blocked)."""
    return render(request, "web/csrf_failure.html", status=403)
