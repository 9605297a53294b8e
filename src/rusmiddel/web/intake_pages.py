"""Ny henvendelse: staff register a contact — a phone call, a walk-in, a GP's or a hospital's
referral, another authority's notice — and so open a case, or add the contact to one of the
citizen's open cases.

/sager/ny/    the form; sent, it looks the CPR number up among the open cases the user may see
              (scoped, each case found logged as read). With none, the case is opened at once;
              with some, the same form comes back with them listed and the choice "add the
              contact to this case" or "open a new case". Either way the user lands on the case.

The services decide everything else: `case_create` (a known citizen is never changed; provider
staff open a named case only for a citizen of theirs; the treatment guarantee as the standard
says) and `contact_record` (at the case version the user saw). What was typed stays in the form
on every error.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rusmiddel.accounts.permissions import Action, sees_anonymous
from rusmiddel.cases import limits, selectors, services
from rusmiddel.cases.errors import Forbidden, Invalid, ServiceError
from rusmiddel.cases.models import Case, CaseStatus, ContactBy, ContactChannel, PersonRole
from rusmiddel.cases.services.intake import REFERRER_MAX_CHARS
from rusmiddel.rules.errors import RulesError
from rusmiddel.standards import registry
from rusmiddel.web.pages import staff_for, staff_page

from .case_forms import BOOL_CHOICES, YES, CaseForm, choice_field, date_field, text_field

#: The ways a contact reaches staff (the citizen's own self-service form is not one of them).
STAFF_CHANNELS = [
    (ContactChannel.PHONE, ContactChannel.PHONE.label),
    (ContactChannel.WALK_IN, ContactChannel.WALK_IN.label),
    (ContactChannel.LETTER, ContactChannel.LETTER.label),
    (ContactChannel.DIGITAL_POST, ContactChannel.DIGITAL_POST.label),
]
NAMED, ANONYMOUS = "named", "anonymous"
NEW_CASE = "ny"  # the target "open a new case"
RECEIVED_LABEL = gettext_lazy("Modtaget den")


class IntakeForm(CaseForm):
    """What a contact holds. The citizen by CPR number (or, for the roles that may, anonymous
    with a chosen pseudonym); `target` is the case it goes on, offered once the CPR number
    has open cases: "<id>.<version>" (the version the user saw) or `NEW_CASE`."""

    identity = forms.ChoiceField(
        label=gettext_lazy("Henvendelsen er"),
        choices=[
            (NAMED, gettext_lazy("Med CPR-nummer")),
            (ANONYMOUS, gettext_lazy("Anonym (SEL § 101 a)")),
        ],
        initial=NAMED,
        required=False,  # not chosen: with a CPR number, as for the roles without the choice
        widget=forms.RadioSelect,
    )
    cpr = text_field(
        gettext_lazy("CPR-nummer"),
        required=False,
        max_length=limits.CPR,
        help_text=gettext_lazy("10 cifre, fx 070292-1234. Borgerens åbne sager findes frem."),
    )
    name = text_field(gettext_lazy("Navn"), required=False, max_length=limits.NAME)
    address = text_field(gettext_lazy("Adresse"), required=False, max_length=limits.ADDRESS)
    phone = text_field(gettext_lazy("Telefon"), required=False, max_length=limits.PHONE)
    email = text_field(gettext_lazy("E-mail"), required=False, max_length=limits.EMAIL)
    pseudonym = text_field(
        gettext_lazy("Kaldenavn"),
        required=False,
        max_length=limits.PSEUDONYM,
        help_text=gettext_lazy(
            "Det navn, borgeren selv har valgt. En anonym henvendelse har hverken CPR-nummer, "
            "navn eller kontaktoplysninger."
        ),
    )
    person_role = choice_field(gettext_lazy("Personens rolle i sagen"), PersonRole.choices)
    received_on = date_field(RECEIVED_LABEL)
    channel = choice_field(gettext_lazy("Kanal"), STAFF_CHANNELS, radio=True)
    contact_by = choice_field(
        gettext_lazy("Henvendelsen kommer fra"), ContactBy.choices, radio=True
    )
    referrer = text_field(
        gettext_lazy("Henvist af"),
        required=False,
        max_length=REFERRER_MAX_CHARS,
        help_text=gettext_lazy("Fx egen læge, en hospitalsafdeling eller en anden myndighed."),
    )
    wishes_treatment = choice_field(
        gettext_lazy("Ønsker borgeren behandling?"), BOOL_CHOICES[:2], radio=True
    )
    wishes_treatment.help_text = gettext_lazy(
        "Et ønske om behandling starter behandlingsgarantien, hvor kommunens "
        "kvalitetsstandard siger det (ikke ved anonym behandling)."
    )
    requested_offer = choice_field(
        gettext_lazy("Hvad ønskes?"), [], empty=gettext_lazy("Ikke angivet")
    )
    note = text_field(gettext_lazy("Notat"), required=False, rows=4)
    # a radio group of the cases found (`offer_cases`): its choices are made after the lookup,
    # so the value is checked there (`_target`), not by a ChoiceField before it
    target = forms.CharField(
        label=gettext_lazy("Hvor skal henvendelsen registreres?"),
        required=False,
        widget=forms.RadioSelect,
    )

    #: the services' field names → this form's
    service_fields = {
        "citizen.cpr": "cpr",
        "citizen.name": "name",
        "citizen.address": "address",
        "citizen.phone": "phone",
        "citizen.email": "email",
        "date": "received_on",  # no standard in force on the day received
        "version": "target",
    }

    def __init__(
        self,
        *args: Any,
        offers: list[tuple[str, str]],
        anonymous_allowed: bool,
        today: dt.date,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["version"]  # a new contact has no case version; `target` carries it
        self.today = today
        self.anonymous_allowed = anonymous_allowed
        if not anonymous_allowed:  # the authority never learns who an anonymous person is
            for name in ("identity", "pseudonym"):
                del self.fields[name]
        self.fields["requested_offer"].choices = [("", _("Ikke angivet")), *offers]
        self.fields["requested_offer"].widget.attrs["class"] = "form-select input-width-xl"
        self.fields["cpr"].widget.attrs.update(
            {"class": "form-input input-width-s", "autocomplete": "off", "inputmode": "numeric"}
        )
        # the checks below name the field; the form's general range check would not
        self.fields["received_on"].validators = []
        self.fields["received_on"].widget.attrs["max"] = today.isoformat()
        self.open_cases: list[Case] = []

    def offer_cases(self, cases: list[Case]) -> None:
        """Offer the CPR number's open cases (and a new case) as where the contact goes."""
        self.open_cases = cases
        self.fields["target"].widget.choices = [
            *(
                (
                    f"{c.pk}.{c.version}",
                    format_lazy(
                        gettext_lazy("Tilføj henvendelsen til sag {number} ({status})"),
                        number=c.number,
                        status=CaseStatus(c.status).label,
                    ),
                )
                for c in cases
            ),
            (NEW_CASE, gettext_lazy("Opret en ny sag")),
        ]

    # the form has no case version: CaseForm's check of it does not apply
    def clean(self) -> dict[str, Any]:
        return forms.Form.clean(self)

    def clean_received_on(self) -> dt.date | None:
        day = self.cleaned_data.get("received_on")
        if day is None:
            return day
        label = str(RECEIVED_LABEL)
        if day > self.today:
            raise forms.ValidationError(
                _("“{label}” kan ikke ligge efter i dag ({today}).").format(
                    label=label, today=self.today.strftime("%d.%m.%Y")
                )
            )
        if day < limits.FIRST_DAY:
            raise forms.ValidationError(
                _("“{label}” kan ikke ligge før {year}.").format(
                    label=label, year=limits.FIRST_DAY.year
                )
            )
        return day

    @property
    def anonymous(self) -> bool:
        return self.anonymous_allowed and self.cleaned_data.get("identity") == ANONYMOUS

    def person_checked(self) -> str | None:
        """The CPR number, as ten digits, of a named contact when it is valid (python-stdnum),
        else None; an anonymous contact's pseudonym is checked instead. Errors go on the
        fields, whatever else is wrong with the form, so the lookup can run as soon as the
        number is right."""
        data = self.cleaned_data
        if self.anonymous:
            for name in ("cpr", "name", "address", "phone", "email"):
                if (data.get(name) or "").strip():
                    self.add_error(
                        name,
                        _(
                            "En anonym henvendelse har hverken CPR-nummer, navn eller "
                            "kontaktoplysninger."
                        ),
                    )
            if "pseudonym" in data and not data["pseudonym"].strip():
                self.add_error("pseudonym", _("Skriv det kaldenavn, borgeren har valgt."))
            return None
        if "cpr" not in data:  # too long: the field's own error says so
            return None
        raw = data["cpr"].strip()
        if not raw:
            self.add_error("cpr", _("Skriv borgerens CPR-nummer."))
            return None
        try:
            number, _born = services.cpr_validate(raw, field="cpr")
        except Invalid:  # the service's words, in the language of the page
            self.add_error(
                "cpr",
                _(
                    "CPR-nummeret '{cpr}' er ikke gyldigt (10 cifre med en gyldig fødselsdato)."
                ).format(cpr=raw),
            )
            return None
        return number

    def name_checked(self) -> None:
        """A named contact's citizen needs a name, unless already known from a case found
        (the stored name is then used; a name typed that differs goes on the contact's note,
        as `case_create` does)."""
        if self.anonymous or "name" not in self.cleaned_data:
            return
        if not self.cleaned_data["name"].strip():
            if self.open_cases:
                self.cleaned_data["name"] = self.open_cases[0].citizen.name
            else:
                self.add_error("name", _("Skriv borgerens navn."))

    def contact_fields(self) -> dict[str, Any]:
        """What the services take of the contact itself."""
        data = self.cleaned_data
        return {
            "received_on": data["received_on"],
            "channel": data["channel"],
            "contact_by": data["contact_by"],
            "referrer": data["referrer"],
            "wishes_treatment": data["wishes_treatment"] == YES,
            "requested_offer": data["requested_offer"],
            "note": data["note"].strip(),
        }


def _offers(slug: str, on: dt.date) -> list[tuple[str, str]]:
    try:
        return [(o.id, o.title) for o in registry.load(slug, on).standard.offers]
    except RulesError:
        return []


def _form(request: HttpRequest, staff: Any, today: dt.date, data: Any = None) -> IntakeForm:
    return IntakeForm(
        data,
        offers=_offers(staff.municipality.slug, today),
        anonymous_allowed=sees_anonymous(staff.role),
        today=today,
        initial={
            "identity": NAMED,
            "person_role": PersonRole.USER,
            "received_on": today,
            "channel": ContactChannel.PHONE,
            "contact_by": ContactBy.CITIZEN,
            "wishes_treatment": YES,
        },
    )


def _saved(request: HttpRequest, contact: Any, case: Case, new: bool) -> HttpResponse:
    """To the case, saying what was done and where the treatment guarantee stands."""
    if new:
        done = _("Sag {number} er oprettet med henvendelsen.").format(number=case.number)
    else:
        done = _("Henvendelsen er tilføjet sag {number}.").format(number=case.number)
    if contact.guarantee_due:
        guarantee = _("Behandlingsgaranti: behandlingen skal være i gang senest {due}.").format(
            due=contact.guarantee_due.strftime("%d.%m.%Y")
        )
    else:
        guarantee = _("Ingen behandlingsgaranti: {basis}").format(basis=contact.guarantee_basis)
    messages.success(request, f"{done} {guarantee}")
    return redirect("web:case", case_id=case.pk)


def _create(request: HttpRequest, form: IntakeForm, cpr: str | None) -> HttpResponse | None:
    data = form.cleaned_data
    person = (
        {"anonymous": True, "pseudonym": data["pseudonym"]}
        if cpr is None
        else {
            "citizen_cpr": cpr,
            "citizen_name": data["name"],
            "citizen_address": data["address"],
            "citizen_phone": data["phone"],
            "citizen_email": data["email"],
        }
    )
    try:
        case = services.case_create(
            actor=request.user,
            person_role=data["person_role"],
            **form.contact_fields(),
            **person,
        )
    except Forbidden as exc:  # provider staff and someone else's citizen: said on the CPR
        form.add_error("cpr" if cpr else None, exc.message)
        return None
    except ServiceError as exc:
        form.add_service_error(exc)
        return None
    return _saved(request, case.contacts.get(), case, new=True)


def _add(request: HttpRequest, form: IntakeForm, case_id: int, version: int):
    try:
        contact = services.contact_record(
            actor=request.user, case_id=case_id, version=version, **form.contact_fields()
        )
    except ServiceError as exc:
        form.add_service_error(exc)
        return None
    return _saved(request, contact, contact.case, new=False)


def _target(form: IntakeForm) -> tuple[str, int | None, int | None]:
    """("new" | "case" | "", case id, version) of the target chosen among those offered."""
    raw = form.data.get(form.add_prefix("target"), "")
    if raw == NEW_CASE:
        return "new", None, None
    offered = {f"{c.pk}.{c.version}": c for c in form.open_cases}
    if raw in offered:
        return "case", offered[raw].pk, offered[raw].version
    ids = {str(c.pk) for c in form.open_cases}
    if raw.partition(".")[0] in ids:  # a case changed since the page was shown
        form.add_error("target", _("Sagen er ændret af en anden siden. Vælg igen."))
    elif raw:
        form.add_error("target", _("Vælg en af borgerens sager eller en ny sag."))
    return "", None, None


@staff_page
def intake(request: HttpRequest) -> HttpResponse:
    """Ny henvendelse: the form, then (where the CPR number has open cases) the choice of case."""
    staff = staff_for(request, Action.CASE_CREATE)
    today = timezone.localdate()
    if request.method != "POST":
        return render(request, "web/case/intake.html", {"form": _form(request, staff, today)})
    form = _form(request, staff, today, request.POST)
    form.is_valid()
    cpr = form.person_checked()
    if cpr is not None:
        form.offer_cases(selectors.open_cases_of_cpr(user=request.user, cpr=cpr))
    form.name_checked()
    asks_target = False
    if not form.errors:
        if form.anonymous or not form.open_cases:
            response = _create(request, form, cpr)
        else:
            kind, case_id, version = _target(form)
            response = None
            if kind == "new":
                response = _create(request, form, cpr)
            elif kind == "case":
                response = _add(request, form, case_id, version)
            asks_target = not kind and not form.errors  # the choice is asked for: no error
        if response is not None:
            return response
    context = {"form": form, "asks_target": asks_target}
    return render(request, "web/case/intake.html", context, status=200 if asks_target else 422)


urlpatterns = [path("sager/ny/", intake, name="intake")]
