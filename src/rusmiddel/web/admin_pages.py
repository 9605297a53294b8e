"""Administration for the municipality's administrator: users, providers and the standard.

Only the administrator of a municipality may open these pages (others: 403), and they see
only their own municipality. Providers and standard versions come from the standard files in
the repository, so they are shown, not edited; an uploaded file can be *checked* with the
same loader the system uses, without being installed, in a child process with a time and a
memory limit (`standards.check`, as `rusmiddel standard check`), so no file can hold up the
web worker.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST

from rusmiddel.accounts.models import Municipality, ProviderKind, Role, StaffProfile
from rusmiddel.accounts.services import staff_create, user_set_active
from rusmiddel.cases import limits
from rusmiddel.cases.errors import Invalid
from rusmiddel.rules.errors import RulesError
from rusmiddel.standards import registry
from rusmiddel.standards.check import check_file
from rusmiddel.standards.loader import MAX_FILE_BYTES

from .pages import staff_page

MAX_UPLOAD = MAX_FILE_BYTES  # 1 MB, the loader's limit: a standard file is some 45-75 kB

#: Django's standard validators, used when settings name none (AUTH_PASSWORD_VALIDATORS)
DEFAULT_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in [
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    ]
]


def _password_validators() -> list[Any]:
    return password_validation.get_default_password_validators() or (
        password_validation.get_password_validators(DEFAULT_PASSWORD_VALIDATORS)
    )


def _municipality(request: HttpRequest) -> Municipality:
    """The administrator's municipality; anyone else is refused."""
    staff = getattr(request.user, "staff", None)
    if staff is None or staff.role != Role.ADMINISTRATOR:
        raise PermissionDenied(
            gettext_lazy("Kun kommunens systemadministrator har adgang til administration.")
        )
    return staff.municipality


class AdminForm(forms.Form):
    """DKFDS classes on the widgets and the error summary the case forms use."""

    is_conflict = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.Select):
                css = "form-select"
            elif isinstance(field.widget, forms.FileInput):
                css = "form-file-input"
            else:
                css = "form-input input-width-l"
            field.widget.attrs.setdefault("class", css)

    def summary(self) -> list[tuple[str, str]]:
        rows = [("", str(m)) for m in self.non_field_errors()]
        for name in self.fields:
            rows += [(self[name].auto_id, str(m)) for m in self.errors.get(name, [])]
        return rows

    def error_count(self) -> int:
        return len(self.summary())

    def add_service_error(self, exc: Invalid) -> None:
        """A service's refusal under the field it names (or above the form)."""
        self.add_error(exc.field if exc.field in self.fields else None, exc.message)


class OfferProviderForm(AdminForm):
    """An offer of the standard and one of the municipality's providers, chosen from lists
    the view passes in (the create forms of capacity lines and group runs)."""

    offer_refused = gettext_lazy("Vælg et af standardens tilbud.")
    provider_refused = gettext_lazy("Vælg en af kommunens leverandører.")

    offer = forms.ChoiceField(
        label=gettext_lazy("Tilbud"),
        choices=[],
        error_messages={"required": gettext_lazy("Vælg tilbuddet.")},
    )
    provider = forms.ChoiceField(
        label=gettext_lazy("Leverandør"),
        choices=[],
        error_messages={"required": gettext_lazy("Vælg leverandøren.")},
    )

    def __init__(self, *args: Any, offers: list[Any], providers: list[Any], **kwargs: Any):
        super().__init__(*args, **kwargs)
        offer, provider = self.fields["offer"], self.fields["provider"]
        offer.choices = [("", gettext_lazy("Vælg tilbud")), *((o.id, o.title) for o in offers)]
        provider.choices = [
            ("", gettext_lazy("Vælg leverandør")),
            *((p.slug, p.name) for p in providers),
        ]
        offer.error_messages["invalid_choice"] = self.offer_refused
        provider.error_messages["invalid_choice"] = self.provider_refused


class StaffCreateForm(AdminForm):
    username = forms.CharField(
        label=gettext_lazy("Brugernavn"),
        max_length=150,
        help_text=gettext_lazy("Bogstaver, tal og @ . + - _ (højst 150 tegn)."),
        error_messages={
            "required": gettext_lazy("Skriv et brugernavn."),
            "max_length": gettext_lazy("Højst 150 tegn."),
        },
    )
    full_name = forms.CharField(
        label=gettext_lazy("Fulde navn"),
        max_length=150,
        error_messages={"required": gettext_lazy("Skriv brugerens fulde navn.")},
    )
    role = forms.ChoiceField(
        label=gettext_lazy("Rolle"),
        choices=[("", gettext_lazy("Vælg rolle")), *Role.choices],
        error_messages={
            "required": gettext_lazy("Vælg en rolle."),
            "invalid_choice": gettext_lazy("Vælg en rolle."),
        },
    )
    provider = forms.ModelChoiceField(
        label=gettext_lazy("Leverandør"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("Ingen (kommunens medarbejder)"),
        help_text=gettext_lazy("Kun for medarbejdere hos leverandør."),
        error_messages={"invalid_choice": gettext_lazy("Vælg en af kommunens leverandører.")},
    )
    password1 = forms.CharField(
        label=gettext_lazy("Adgangskode"),
        strip=False,
        max_length=limits.PASSWORD,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": gettext_lazy("Skriv en adgangskode.")},
    )
    password2 = forms.CharField(
        label=gettext_lazy("Gentag adgangskode"),
        strip=False,
        max_length=limits.PASSWORD,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": gettext_lazy("Skriv adgangskoden igen.")},
    )

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.municipality = municipality
        self.fields["provider"].queryset = municipality.providers.order_by("name")

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError:
            raise ValidationError(
                gettext_lazy("Brugernavnet må kun have bogstaver, tal og @ . + - _.")
            ) from None
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise ValidationError(
                format_lazy(
                    gettext_lazy("Brugernavnet '{username}' er optaget. Vælg et andet."),
                    username=username,
                )
            )
        return username

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        role, provider = data.get("role"), data.get("provider")
        if role == Role.PROVIDER_STAFF and provider is None and "provider" not in self.errors:
            self.add_error(
                "provider", gettext_lazy("Vælg den leverandør, medarbejderen arbejder hos.")
            )
        elif role and role != Role.PROVIDER_STAFF and provider is not None:
            self.add_error(
                "provider", gettext_lazy("Kun medarbejdere hos leverandør har en leverandør.")
            )
        password, again = data.get("password1"), data.get("password2")
        if password and again and password != again:
            self.add_error("password2", gettext_lazy("De to adgangskoder er ikke ens."))
        elif password:
            first, _, last = (data.get("full_name") or "").partition(" ")
            probe = get_user_model()(
                username=data.get("username", ""), first_name=first, last_name=last
            )
            try:
                password_validation.validate_password(password, probe, _password_validators())
            except ValidationError as exc:
                for message in exc.messages:
                    self.add_error("password1", message)
        return data


class StandardCheckForm(AdminForm):
    file = forms.FileField(
        label=gettext_lazy("Standardfil (YAML)"),
        help_text=gettext_lazy("Højst 1 MB. Filen kontrolleres kun – den bliver ikke gemt."),
        error_messages={
            "required": gettext_lazy("Vælg en fil."),
            "empty": gettext_lazy("Filen er tom."),
            "invalid": gettext_lazy("Vælg en fil."),
            "missing": gettext_lazy("Vælg en fil."),
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise ValidationError(gettext_lazy("Filen er større end 1 MB."))
        return upload


@staff_page
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/admin/home.html", {"municipality": _municipality(request)})


def _users_page(request: HttpRequest, municipality: Municipality, form, status: int = 200):
    rows = (
        StaffProfile.objects.filter(municipality=municipality)
        .select_related("user", "provider")
        .order_by("user__username")
    )
    return render(
        request,
        "web/admin/users.html",
        {"municipality": municipality, "rows": rows, "form": form},
        status=status,
    )


@staff_page
def users(request: HttpRequest) -> HttpResponse:
    municipality = _municipality(request)
    if request.method != "POST":
        return _users_page(request, municipality, StaffCreateForm(municipality=municipality))
    form = StaffCreateForm(request.POST, municipality=municipality)
    if not form.is_valid():
        return _users_page(request, municipality, form, status=400)
    data = form.cleaned_data
    staff_create(
        username=data["username"],
        password=data["password1"],
        municipality=municipality,
        role=data["role"],
        provider=data["provider"] if data["role"] == Role.PROVIDER_STAFF else None,
        full_name=data["full_name"].strip(),
        actor=request.user,
    )
    messages.success(
        request,
        format_lazy(gettext_lazy("Brugeren {username} er oprettet."), username=data["username"]),
    )
    return redirect("web:admin_users")


@require_POST
@staff_page
def user_active(request: HttpRequest, user_id: int) -> HttpResponse:
    municipality = _municipality(request)
    profile = (
        StaffProfile.objects.filter(municipality=municipality, user_id=user_id)
        .select_related("user")
        .first()
    )
    if profile is None:
        raise Http404("Ukendt bruger")
    active = request.POST.get("active") == "1"
    name = profile.user.get_username()
    if profile.user_id == request.user.pk and not active:
        messages.error(request, gettext("Du kan ikke deaktivere dig selv."))
    else:
        user_set_active(actor=request.user, user=profile.user, active=active)
        text = (
            gettext("Brugeren {name} er aktiv igen.")
            if active
            else gettext("Brugeren {name} er deaktiveret og kan ikke logge ind.")
        )
        messages.success(request, text.format(name=name))
    return redirect("web:admin_users")


@staff_page
def providers(request: HttpRequest) -> HttpResponse:
    municipality = _municipality(request)
    standard = registry.load(municipality.slug, timezone.localdate()).standard
    rows = [
        {
            "provider": p,
            "kind": ProviderKind(p.kind).label if p.kind in ProviderKind.values else p.kind,
            "offers": [o.title for o in standard.offers if p.slug in o.providers],
        }
        for p in municipality.providers.order_by("name")
    ]
    return render(request, "web/admin/providers.html", {"municipality": municipality, "rows": rows})


def _versions(municipality: Municipality) -> list[dict[str, Any]]:
    today = timezone.localdate()
    try:
        in_force = registry.load(municipality.slug, today).version
    except RulesError:
        in_force = None
    rows = []
    for valid_from in registry.versions(municipality.slug):
        row: dict[str, Any] = {"valid_from": valid_from, "error": None}
        try:
            compiled = registry.load(municipality.slug, valid_from)
        except RulesError as exc:
            row["error"] = str(exc)
        else:
            row.update(
                version=compiled.version,
                offers=len(compiled.standard.offers),
                in_force=compiled.version == in_force,
            )
        rows.append(row)
    return rows


def _check(upload) -> dict[str, Any]:
    """Check an uploaded file from a temporary folder (never in the package), in a child
    process with a time and a memory limit."""
    name = Path(upload.name or "standard.yaml").name
    with tempfile.TemporaryDirectory(prefix="rusmiddel-check-") as folder:
        target = Path(folder) / "standard.yaml"
        with target.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        result = check_file(target, name=name)
    if not result.valid:
        return {"name": name, "problems": result.lines, "warnings": result.warnings}
    return {
        "name": name,
        "problems": [],
        "warnings": result.warnings,
        "municipality": {"id": result.municipality, "name": result.municipality_name},
        "version": result.version,
        "valid_from": result.valid_from,
        "offers": result.offers,
    }


@staff_page
def standard(request: HttpRequest) -> HttpResponse:
    municipality = _municipality(request)
    result = None
    status = 200
    if request.method == "POST":
        form = StandardCheckForm(request.POST, request.FILES)
        if form.is_valid():
            result = _check(form.cleaned_data["file"])
            form = StandardCheckForm()
        else:
            status = 400
    else:
        form = StandardCheckForm()
    context = {
        "municipality": municipality,
        "versions": _versions(municipality),
        "form": form,
        "result": result,
    }
    return render(request, "web/admin/standard.html", context, status=status)


urlpatterns = [
    path("administration/", home, name="admin_home"),
    path("administration/brugere/", users, name="admin_users"),
    path("administration/brugere/<int:user_id>/aktiv/", user_active, name="admin_user_active"),
    path("administration/leverandoerer/", providers, name="admin_providers"),
    path("administration/standard/", standard, name="admin_standard"),
]
