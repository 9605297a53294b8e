"""The citizen's own way in: public self-service pages (no login), in Danish.

/borger/<kommune>/               choose: apply for treatment, or turn to an anonymous offer
/borger/<kommune>/soeg/          "Søg om behandling": name, CPR, contact data, consent
/borger/<kommune>/anonym/        "Anonym henvendelse": a pseudonym and an anonymous offer
/borger/<kommune>/kvittering/…/  the receipt, behind a signed token that expires after a day

The views parse the forms and call `self_service_apply`; the rules live in the service and
the standard.

Abuse is many *accepted* applications from one address (cases opened and receipt letters sent
in other people's names), so only accepted ones count, per client address and form
(django-ratelimit, Django's default cache); a submission with errors never counts, and what
is typed is kept on every error. A shelter's or a library's shared PC stays well under the
limit (`RATE`). Once an address has used it, a valid application is not thrown away: the form
comes back with everything typed still in it, a Danish notice of when it can be sent and the
municipality's phone number (429), and nothing is written. docs/security.md says why it is
held rather than accepted with a flag.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django import forms
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import get_usage, is_ratelimited

from rusmiddel.accounts.models import Municipality
from rusmiddel.cases import limits
from rusmiddel.cases.errors import Invalid
from rusmiddel.cases.models import Case
from rusmiddel.cases.services import cpr_validate, self_service_apply
from rusmiddel.rules import RulesError, age_on
from rusmiddel.rules.calendar import danish_date
from rusmiddel.standards import registry
from rusmiddel.standards.schema import Offer, Standard

from .case_forms import day_in_range

#: At most this many accepted applications of one form per client address (django-ratelimit's
#: syntax): more than a shelter's or a library's shared PC sends in an hour, far fewer than a
#: script would open.
RATE = "20/h"
RECEIPT_SALT = "rusmiddel.web.citizen.receipt"
RECEIPT_MAX_AGE = 24 * 60 * 60  # a receipt link works for a day
ADULT = 18


# --- the municipality and its standard ---------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """The municipality of the URL, with the standard in force today."""

    municipality: Municipality
    standard: Standard
    today: dt.date

    @property
    def slug(self) -> str:
        return self.municipality.slug

    def anonymous_offers(self) -> list[Offer]:
        return [o for o in self.standard.offers if o.anonymous]

    def treatment_offers(self) -> list[Offer]:
        return [o for o in self.standard.offers if o.treatment and not o.anonymous]


def _place(slug: str) -> Place | None:
    municipality = Municipality.objects.filter(slug=slug).first()
    if municipality is None:
        return None
    today = timezone.localdate()
    try:
        standard = registry.load(slug, today).standard
    except RulesError:
        return None
    return Place(municipality, standard, today)


def _citizen_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The municipality of the address; unknown municipalities answer a 404 page. Citizens'
    pages are Danish whatever the browser asks for, unless the citizen chose English in the
    footer (web.middleware)."""

    @wraps(view)
    def wrapped(request: HttpRequest, municipality: str, **kwargs: Any) -> HttpResponse:
        place = _place(municipality)
        if place is None:
            return render(request, "citizen/not_found.html", {"what": "kommune"}, status=404)
        return view(request, place, **kwargs)

    return wrapped


def _held_for(request: HttpRequest, group: str) -> int | None:
    """Seconds until the client may send another application, when its address has used
    up the accepted applications of `RATE`; None while it may send. Only looks: nothing is
    counted here."""
    usage = get_usage(request, group=group, key="ip", rate=RATE, method="POST", increment=False)
    if usage is None or usage["count"] < usage["limit"]:
        return None
    return max(usage["time_left"], 1)


def _accepted(request: HttpRequest, group: str) -> None:
    """Count an accepted application against the client's address."""
    is_ratelimited(request, group=group, key="ip", rate=RATE, method="POST", increment=True)


def _held(response: HttpResponse, wait: int | None) -> HttpResponse:
    """The form shown again, held: 429 with Retry-After, so a script is told too."""
    if wait is not None:
        response.status_code = 429
        response["Retry-After"] = str(wait)
    return response


def youth_sentences(standard: Standard) -> list[str]:
    """What the standard itself says about young people under 18: the sentences of its texts
    (else of its legal bases) that name them together with consent or the family services."""
    for sources in (
        [s.text for s in standard.texts],
        [b.text for b in standard.legal_bases],
    ):
        found = [
            sentence
            for text in sources
            for sentence in re.split(r"(?<=[.!?])\s+(?=[A-ZÆØÅ])", " ".join(text.split()))
            if "under 18" in sentence and ("samtykke" in sentence or "Famili" in sentence)
        ]
        if found:
            return list(dict.fromkeys(found))
    return []


# --- forms ------------------------------------------------------------------------------------


_CLASSES = {
    forms.CheckboxInput: "form-checkbox",
    forms.RadioSelect: "form-radio",
    forms.Select: "form-select",
}


class CitizenForm(forms.Form):
    """DKFDS classes on the widgets; Django adds aria-invalid and aria-describedby (the ids
    `<id>_helptext` and `<id>_error` the templates give the hint and the error)."""

    confirm_under_18 = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, place: Place, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.place = place
        self.birth_date: dt.date | None = None
        for field in self.fields.values():
            css = next(
                (c for kind, c in _CLASSES.items() if isinstance(field.widget, kind)),
                "form-input",
            )
            field.widget.attrs.setdefault("class", css)

    def summary(self) -> list[tuple[str, str]]:
        """(the id to jump to, the message) for every error, in the order of the fields."""
        rows = []
        for name in [*self.fields, "__all__"]:
            for message in self.errors.get(name, []):
                target = self[name] if name in self.fields else None
                anchor = (
                    f"{target.auto_id}_0"
                    if target is not None and isinstance(target.field.widget, forms.RadioSelect)
                    else (target.auto_id if target is not None else "")
                )
                rows.append((anchor, message))
        return rows

    def under_18(self) -> bool:
        return self.birth_date is not None and age_on(self.birth_date, self.place.today) < ADULT

    def confirmed(self) -> bool:
        return bool(self.cleaned_data.get("confirm_under_18"))

    def add_service_error(self, exc: Invalid, fields: dict[str, str] | None = None) -> None:
        field = (fields or {}).get(exc.field or "", exc.field)
        self.add_error(field if field in self.fields else None, exc.message)


def _text(label: str, *, required: bool = True, max_length: int = limits.NAME, **kwargs: Any):
    messages = {
        "required": kwargs.pop(
            "required_message", format_lazy(gettext_lazy("Udfyld feltet “{label}”."), label=label)
        ),
        "max_length": format_lazy(gettext_lazy("Højst {max_length} tegn."), max_length=max_length),
    }
    return forms.CharField(
        label=label, required=required, max_length=max_length, error_messages=messages, **kwargs
    )


class ApplyForm(CitizenForm):
    """Søg om behandling: a named application."""

    name = _text(
        gettext_lazy("Dit fulde navn"),
        required_message=gettext_lazy("Skriv dit fulde navn."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    cpr = _text(
        gettext_lazy("CPR-nummer"),
        max_length=limits.CPR,
        required_message=gettext_lazy("Skriv dit CPR-nummer."),
        help_text=gettext_lazy("10 cifre, fx 010190-1234."),
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "off",
                "class": "form-input input-width-s",
            }
        ),
    )
    phone = _text(
        gettext_lazy("Telefonnummer"),
        required=False,
        max_length=limits.PHONE,
        widget=forms.TextInput(
            attrs={"type": "tel", "autocomplete": "tel", "class": "form-input input-width-m"}
        ),
    )
    email = forms.EmailField(
        label=gettext_lazy("E-mail"),
        required=False,
        max_length=limits.EMAIL,
        error_messages={
            "invalid": gettext_lazy("Skriv en gyldig e-mailadresse, fx navn@eksempel.dk."),
            "max_length": gettext_lazy("Højst 254 tegn."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    address = _text(
        gettext_lazy("Adresse"),
        required=False,
        max_length=limits.ADDRESS,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    requested_offer = forms.ChoiceField(
        label=gettext_lazy("Hvilket tilbud ønsker du?"),
        required=False,
        help_text=gettext_lazy(
            "Du behøver ikke vælge. Kommunen vurderer sammen med dig, hvad der passer."
        ),
        error_messages={"invalid_choice": gettext_lazy("Vælg et af tilbuddene på listen.")},
        widget=forms.Select(attrs={"class": "form-select input-width-xl"}),
    )
    note = _text(
        gettext_lazy("Hvad ønsker du hjælp til?"),
        required=False,
        max_length=4000,
        help_text=gettext_lazy(
            "Fx hvilke rusmidler det drejer sig om, og hvad du gerne vil ændre."
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    consent = forms.BooleanField(
        label=gettext_lazy(
            "Jeg giver samtykke til, at kommunen behandler oplysningerne i min ansøgning, "
            "herunder helbredsoplysninger, som beskrevet ovenfor."
        ),
        error_messages={
            "required": gettext_lazy(
                "Du skal give samtykke, før kommunen kan behandle din ansøgning."
            )
        },
    )

    def __init__(self, *args: Any, place: Place, **kwargs: Any) -> None:
        super().__init__(*args, place=place, **kwargs)
        self.fields["requested_offer"].choices = [
            ("", gettext_lazy("Ved ikke – kommunen vurderer det sammen med mig")),
            *[(o.id, o.title) for o in place.treatment_offers()],
        ]

    def clean_cpr(self) -> str:
        raw = re.sub(r"[\s-]", "", self.cleaned_data["cpr"])
        try:
            number, self.birth_date = cpr_validate(raw, field="cpr")
        except Invalid:
            raise forms.ValidationError(
                gettext_lazy("CPR-nummeret er ikke gyldigt. Skriv de 10 cifre, fx 010190-1234.")
            ) from None
        return number


class AnonymousForm(CitizenForm):
    """Anonym henvendelse (SEL § 101 a): a pseudonym, an anonymous offer, nothing else."""

    pseudonym = _text(
        gettext_lazy("Kaldenavn"),
        max_length=limits.PSEUDONYM,
        required_message=gettext_lazy("Skriv det kaldenavn, du vil bruge."),
        help_text=gettext_lazy("Et navn, du selv vælger. Brug ikke dit rigtige navn."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "form-input input-width-m"}),
    )
    requested_offer = forms.ChoiceField(
        label=gettext_lazy("Hvilket tilbud vil du henvende dig om?"),
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Vælg det tilbud, du vil henvende dig om."),
            "invalid_choice": gettext_lazy("Vælg et af de anonyme tilbud på listen."),
        },
    )
    provider = forms.ChoiceField(
        label=gettext_lazy("Hvor vil du henvende dig?"),
        required=False,
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": gettext_lazy("Vælg et af behandlingsstederne på listen.")
        },
    )
    birth_date = forms.DateField(
        label=gettext_lazy("Fødselsdato"),
        required=False,
        input_formats=["%d.%m.%Y", "%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d", "%d%m%Y"],
        help_text=gettext_lazy(
            "Fx 24.11.2001. Bruges kun til at vise, om særlige regler gælder for dig. "
            "Den gemmes ikke."
        ),
        error_messages={"invalid": gettext_lazy("Skriv datoen som dag.måned.år, fx 24.11.2001.")},
        validators=[day_in_range],
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "form-input input-width-s"}),
    )
    note = _text(
        gettext_lazy("Vil du fortælle os noget på forhånd?"),
        required=False,
        max_length=4000,
        help_text=gettext_lazy(
            "Skriv ikke dit navn, dit CPR-nummer eller andet, der kan vise, hvem du er."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, place: Place, **kwargs: Any) -> None:
        super().__init__(*args, place=place, **kwargs)
        offers = place.anonymous_offers()
        self.fields["requested_offer"].choices = [(o.id, o.title) for o in offers]
        self.providers = _providers_of(place.standard, offers)
        self.fields["provider"].choices = [
            ("", gettext_lazy("Ved ikke – det første sted, tilbuddet nævner")),
            *[(p["id"], p["label"]) for p in self.providers],
        ]

    @property
    def chooses_provider(self) -> bool:
        """Only when some offer can be had at more than one place."""
        return any(len(o.providers) > 1 for o in self.place.anonymous_offers())

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        offer = self.place.standard.offer(data.get("requested_offer") or "")
        chosen = data.get("provider")
        if offer is not None and chosen and chosen not in offer.providers:
            names = ", ".join(_provider_name(self.place.standard, p) for p in offer.providers)
            self.add_error(
                "provider",
                format_lazy(
                    gettext_lazy(
                        "{chosen} giver ikke tilbuddet “{offer}”. Vælg {names} – eller “Ved ikke”."
                    ),
                    chosen=_provider_name(self.place.standard, chosen),
                    offer=offer.title,
                    names=names,
                ),
            )
        self.birth_date = data.get("birth_date")
        if offer is not None and offer.age is not None and self.birth_date is not None:
            age = age_on(self.birth_date, self.place.today)
            band = offer.age
            if (band.min is not None and age < band.min) or (
                band.max is not None and age > band.max
            ):
                self.add_error(
                    "requested_offer",
                    format_lazy(
                        gettext_lazy("“{offer}” er for {band}."),
                        offer=offer.title,
                        band=_ages(band),
                    ),
                )
        return data

    def offer(self) -> Offer | None:
        data = getattr(self, "cleaned_data", None) or {}
        return self.place.standard.offer(data.get("requested_offer") or "")

    def needs_consent(self) -> bool:
        """A young person under 18 asking for anonymous *treatment*: parents and the family
        services take part and consent. Anonymous counselling needs no one's consent."""
        offer = self.offer()
        return self.under_18() and offer is not None and offer.treatment

    def counselling(self) -> bool:
        """The offer chosen is counselling, not treatment."""
        offer = self.offer()
        return offer is not None and not offer.treatment


def _ages(band: Any) -> str:
    if band.min is not None and band.max is not None:
        return format_lazy(
            gettext_lazy("borgere mellem {min} og {max} år"), min=band.min, max=band.max
        )
    if band.min is not None:
        return format_lazy(gettext_lazy("borgere fra {min} år"), min=band.min)
    return format_lazy(gettext_lazy("borgere under {max} år"), max=band.max + 1)


def _provider_name(standard: Standard, provider_id: str) -> str:
    provider = standard.provider(provider_id)
    return provider.name if provider else provider_id


def _providers_of(standard: Standard, offers: list[Offer]) -> list[dict[str, Any]]:
    """Every place an anonymous offer can be had, with the offers it gives."""
    rows: dict[str, dict[str, Any]] = {}
    for offer in offers:
        for pid in offer.providers:
            provider = standard.provider(pid)
            row = rows.setdefault(pid, {"id": pid, "provider": provider, "offers": [], "label": ""})
            row["offers"].append(offer.title)
    for row in rows.values():
        name = row["provider"].name if row["provider"] else row["id"]
        row["label"] = f"{name} ({', '.join(row['offers'])})"
    return list(rows.values())


# --- views ------------------------------------------------------------------------------------


def _context(place: Place, **extra: Any) -> dict[str, Any]:
    return {
        "place": place,
        "standard": place.standard,
        "contact": place.standard.municipality,
        "slug": place.slug,
        **extra,
    }


@never_cache
@require_http_methods(["GET", "HEAD"])
@_citizen_page
def start(request: HttpRequest, place: Place) -> HttpResponse:
    return render(
        request,
        "citizen/start.html",
        _context(place, anonymous_offers=place.anonymous_offers()),
    )


def _confirm_step(form: CitizenForm) -> CitizenForm:
    """The same answers again, now marked as confirmed by a young person who has read the
    notice about parents and the family services."""
    data = form.data.copy()
    data["confirm_under_18"] = "True"
    confirmed = type(form)(data, place=form.place)
    confirmed.is_valid()
    return confirmed


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@_citizen_page
def apply(request: HttpRequest, place: Place) -> HttpResponse:
    form = ApplyForm(request.POST if request.method == "POST" else None, place=place)
    confirming = False
    wait: int | None = None
    if request.method == "POST" and form.is_valid():
        if form.under_18() and not form.confirmed():
            confirming = True
            form = _confirm_step(form)
        elif (wait := _held_for(request, "citizen.apply")) is None:
            data = form.cleaned_data
            try:
                case = self_service_apply(
                    municipality=place.slug,
                    received_on=place.today,
                    anonymous=False,
                    name=data["name"],
                    cpr=data["cpr"],
                    phone=data["phone"],
                    email=data["email"],
                    address=data["address"],
                    requested_offer=data["requested_offer"],
                    consent=data["consent"],
                    note=data["note"],
                )
            except Invalid as exc:
                form.add_service_error(exc)
            else:
                _accepted(request, "citizen.apply")
                return redirect(receipt_url(case), permanent=False)
    response = render(
        request,
        "citizen/apply.html",
        _context(
            place,
            form=form,
            youth=form.is_bound and form.under_18(),
            confirming=confirming,
            youth_sentences=youth_sentences(place.standard),
            held_minutes=-(-wait // 60) if wait else None,
        ),
    )
    return _held(response, wait)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@_citizen_page
def anonymous(request: HttpRequest, place: Place) -> HttpResponse:
    offers = place.anonymous_offers()
    if not offers:
        return render(request, "citizen/not_found.html", {"what": "anonymt tilbud"}, status=404)
    form = AnonymousForm(request.POST if request.method == "POST" else None, place=place)
    confirming = False
    wait: int | None = None
    if request.method == "POST" and form.is_valid():
        if form.needs_consent() and not form.confirmed():
            confirming = True
            form = _confirm_step(form)
        elif (wait := _held_for(request, "citizen.anonymous")) is None:
            data = form.cleaned_data
            try:
                case = self_service_apply(
                    municipality=place.slug,
                    received_on=place.today,
                    anonymous=True,
                    pseudonym=data["pseudonym"],
                    requested_offer=data["requested_offer"],
                    provider=data["provider"] or None,
                    consent=False,
                    note=data["note"],
                )
            except Invalid as exc:
                form.add_service_error(exc)
            else:
                _accepted(request, "citizen.anonymous")
                return redirect(receipt_url(case), permanent=False)
    response = render(
        request,
        "citizen/anonymous.html",
        _context(
            place,
            form=form,
            offers=[_offer_row(place.standard, o) for o in offers],
            # parents' consent only where the young person asks for treatment: anonymous
            # counselling needs no one's consent
            youth=form.is_bound and form.needs_consent(),
            counselling_only=form.is_bound and form.under_18() and form.counselling(),
            confirming=confirming,
            youth_sentences=youth_sentences(place.standard),
            held_minutes=-(-wait // 60) if wait else None,
        ),
    )
    return _held(response, wait)


def _offer_row(standard: Standard, offer: Offer) -> dict[str, Any]:
    return {
        "offer": offer,
        "ages": _ages(offer.age) if offer.age else "",
        "providers": [standard.provider(p) for p in offer.providers if standard.provider(p)],
        "description": " ".join(offer.description.split()),
    }


# --- the receipt ------------------------------------------------------------------------------


def receipt_token(case: Case) -> str:
    """The case id, signed with the site's secret and a timestamp (a day's validity)."""
    return signing.dumps({"case": case.pk}, salt=RECEIPT_SALT)


def receipt_url(case: Case) -> str:
    return reverse(
        "web:citizen_receipt",
        kwargs={"municipality": case.municipality.slug, "token": receipt_token(case)},
    )


@never_cache
@require_http_methods(["GET", "HEAD"])
@_citizen_page
def receipt(request: HttpRequest, place: Place, token: str) -> HttpResponse:
    try:
        payload = signing.loads(token, salt=RECEIPT_SALT, max_age=RECEIPT_MAX_AGE)
    except signing.BadSignature:  # tampered, or older than a day
        payload = None
    case_id = payload.get("case") if isinstance(payload, dict) else None
    case = (
        Case.objects.select_related("provider")
        .filter(pk=case_id, municipality=place.municipality)
        .first()
        if isinstance(case_id, int)
        else None
    )
    contact = case.contacts.order_by("pk").first() if case is not None else None
    if contact is None:
        return render(request, "citizen/not_found.html", {"what": "kvittering"}, status=404)
    standard = place.standard
    offer = standard.offer(contact.requested_offer) if contact.requested_offer else None
    provider = standard.provider(case.provider.slug) if case.provider_id else None
    return render(
        request,
        "citizen/receipt.html",
        _context(
            place,
            case=case,
            received=danish_date(contact.received_on),
            guarantee_due=danish_date(contact.guarantee_due),
            guarantee_basis=" ".join(contact.guarantee_basis.split()),
            offer=offer,
            provider=provider,
            offer_description=" ".join(offer.description.split()) if offer else "",
        ),
    )


urlpatterns = [
    path("borger/<slug:municipality>/", start, name="citizen_start"),
    path("borger/<slug:municipality>/soeg/", apply, name="citizen_apply"),
    path("borger/<slug:municipality>/anonym/", anonymous, name="citizen_anonymous"),
    path("borger/<slug:municipality>/kvittering/<str:token>/", receipt, name="citizen_receipt"),
]
