"""Who holds a case, on the case page: a caseworker takes an unassigned case ("Tag sagen") or
gives back their own; the head of unit gives any case to a caseworker of the municipality.

/sager/<id>/sagsbehandler/   POST only (the case page's buttons and, for the head of unit, its
                             list of caseworkers); the service checks the role, the rule and
                             the case version, and logs the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from rusmiddel.accounts.permissions import ASSIGNS_ANY_CASEWORKER, Action, may
from rusmiddel.cases import services
from rusmiddel.cases.errors import Forbidden, NotFound, ServiceError
from rusmiddel.cases.models import Case
from rusmiddel.cases.services.assignment import assignable_caseworkers
from rusmiddel.web.pages import staff_page

from .case_forms import CaseForm, choice_field

PREFIX = "tildel"  # the case page has other forms with a version of their own


class AssignmentForm(CaseForm):
    """The caseworker to hold the case ("": none), at the case version the user saw."""

    caseworker = choice_field(gettext_lazy("Giv sagen til"), [], empty="")
    service_fields = {"caseworker_id": "caseworker"}

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, prefix=PREFIX, **kwargs)
        self.fields["caseworker"].choices = [("", _("Ingen (ikke tildelt)")), *choices]

    def caseworker_id(self) -> int | None:
        raw = self.cleaned_data["caseworker"]
        return int(raw) if raw else None


@dataclass
class AssignmentPanel:
    """What the case page offers the user about who holds the case."""

    version: int
    me: int
    take: bool = False  # "Tag sagen": a caseworker and an unassigned case
    give_back: bool = False  # a caseworker's own case
    form: AssignmentForm | None = None  # the head of unit's list of caseworkers
    errors: AssignmentForm | None = None  # a sent form in error (its summary is shown)


def _name(user: Any) -> str:
    return user.get_full_name() or user.get_username()


def _choices(request: HttpRequest, case: Case) -> list[tuple[str, str]]:
    """Whom the user may give the case to: any caseworker (the head of unit), or themselves."""
    if request.user.staff.role in ASSIGNS_ANY_CASEWORKER:
        caseworkers = assignable_caseworkers(municipality_id=case.municipality_id)
        return [(str(u.pk), _name(u)) for u in caseworkers]
    return [(str(request.user.pk), _name(request.user))]


def assignment_panel(
    request: HttpRequest, case: Case, sent: AssignmentForm | None = None
) -> AssignmentPanel | None:
    """The panel for the roles that may assign (None for the others)."""
    staff = getattr(request.user, "staff", None)
    if staff is None or not may(staff.role, Action.CASE_ASSIGN):
        return None
    panel = AssignmentPanel(version=case.version, me=request.user.pk, errors=sent)
    if staff.role in ASSIGNS_ANY_CASEWORKER:
        initial = {"version": case.version, "caseworker": case.caseworker_id or ""}
        panel.form = sent or AssignmentForm(initial=initial, choices=_choices(request, case))
    else:
        panel.take = case.caseworker_id is None
        panel.give_back = case.caseworker_id == request.user.pk
    return panel


@require_POST
@staff_page
def case_assignment(request: HttpRequest, case_id: int) -> HttpResponse:
    """Take the case, give it back, or (the head of unit) give it to a caseworker."""
    from .case_pages import _case, _case_context

    case = _case(request, case_id, "sagsbehandler")
    form = AssignmentForm(request.POST, choices=_choices(request, case))
    status = 422
    if form.is_valid():
        try:
            services.case_assign(
                actor=request.user,
                case_id=case.pk,
                version=form.cleaned_data["version"],
                caseworker_id=form.caseworker_id(),
            )
        except NotFound:
            raise
        except Forbidden as exc:  # another caseworker's case: said on the page, not a 403 page
            form.add_error(None, exc.message)
            status = 403
        except ServiceError as exc:
            form.add_service_error(exc)
            status = 409 if form.is_conflict else 422
        else:
            messages.success(request, _done(request, form.caseworker_id(), form))
            return redirect(reverse("web:case", args=[case.pk]) + "#sagsoplysninger")
    context = _case_context(request, case, timezone.localdate())
    context["assign"] = assignment_panel(request, case, sent=form)
    return render(request, "web/case/page.html", context, status=status)


def _done(request: HttpRequest, caseworker_id: int | None, form: AssignmentForm) -> str:
    if caseworker_id == request.user.pk:
        return _("Du har taget sagen.")
    if caseworker_id is None:
        return _("Sagen har ikke længere en sagsbehandler.")
    name = dict(form.fields["caseworker"].choices).get(str(caseworker_id), "")
    return _("Sagen er givet til {name}.").format(name=name)


urlpatterns = [
    path("sager/<int:case_id>/sagsbehandler/", case_assignment, name="case_assign"),
]
