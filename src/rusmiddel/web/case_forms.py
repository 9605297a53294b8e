"""The forms of the case pages: they parse and check what is typed, in Danish; the services
decide everything else (and their errors are put next to the field they name).

The assessment form is built from `contracts/assessment.schema.json` itself, one field per
fact, so a fact added to the contract shows up here (and a test fails until it has a Danish
label). Every fact may be unknown: yes/no facts are radio groups with "Ukendt", choices are
selects with an empty choice, and an unknown fact is left out of the facts document, so the
evaluation names it as missing ("mangler oplysninger").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from rusmiddel.cases import limits
from rusmiddel.cases.errors import Conflict, ServiceError
from rusmiddel.cases.models import (
    EndOutcome,
    EndReason,
    FreeChoiceOutcome,
    Goal,
    PersonRole,
    SendChannel,
)
from rusmiddel.cases.services.intake import SECTION_MAX_CHARS
from rusmiddel.rules.evaluation import GENERIC_LEVELS
from rusmiddel.rules.facts import SECTIONS, assessment_schema
from rusmiddel.standards.schema import AssessmentSection

# Kept in Danish (the msgid) for comparison; shown through gettext.
CONFLICT_MESSAGE = gettext_noop("Sagen er ændret af en anden – hent siden igen. Intet er gemt.")
DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%Y"]
BAD_DATE = gettext_lazy("Datoen er ikke gyldig – skriv den som dd.mm.åååå.")

# --- Danish names of the facts ------------------------------------------------------------

SECTION_LABELS = {
    "person": gettext_lazy("Personen"),
    "use": gettext_lazy("Forbrug af rusmidler"),
    "history": gettext_lazy("Tidligere behandling"),
    "social": gettext_lazy("Sociale forhold"),
    "health": gettext_lazy("Helbred"),
    "wishes": gettext_lazy("Borgerens ønsker"),
    "consents": gettext_lazy("Samtykker"),
    "professional": gettext_lazy("Faglig vurdering"),
}

FIELD_LABELS = {
    "person.birth_date": gettext_lazy("Fødselsdato"),
    "person.role": gettext_lazy("Personens rolle i sagen"),
    "person.pregnant": gettext_lazy("Er gravid"),
    "person.continuing_pregnancy": gettext_lazy("Ønsker at gennemføre graviditeten"),
    "person.expecting_father": gettext_lazy("Er kommende far"),
    "person.children_at_home": gettext_lazy("Antal hjemmeboende børn under 18 år"),
    "person.youngest_child_age": gettext_lazy("Det yngste barns alder (år)"),
    "use.substances": gettext_lazy("Rusmidler"),
    "use.level": gettext_lazy("Forbrugets omfang"),
    "use.harms_daily_life": gettext_lazy(
        "Kan ikke klare hverdagen på grund af forbruget, og forbruget skader "
        "borgeren eller de nærmeste"
    ),
    "use.harms_education_work_or_family": gettext_lazy(
        "Forbruget skader uddannelse, arbejde eller familieliv"
    ),
    "use.withdrawal_risk": gettext_lazy("Risiko for abstinenser"),
    "use.realistic_12_week_stop": gettext_lazy(
        "Har en realistisk mulighed for at stoppe i 12 uger"
    ),
    "use.substance_free": gettext_lazy("Er rusmiddelfri nu"),
    "history.previous_offers": gettext_lazy("Tilbud, borgeren har fået før"),
    "history.ever_in_contact_with_treatment_system": gettext_lazy(
        "Har tidligere været i kontakt med behandlingssystemet"
    ),
    "history.completed_course": gettext_lazy("Har gennemført et behandlingsforløb"),
    "history.in_medical_treatment": gettext_lazy(
        "Får substitutions- eller anden medicinsk behandling nu"
    ),
    "history.has_fixed_therapist": gettext_lazy("Har en fast behandler"),
    "social.self_supporting": gettext_lazy("Er selvforsørgende"),
    "social.housing": gettext_lazy("Bolig"),
    "social.occupation": gettext_lazy("Beskæftigelse"),
    "social.social_problems": gettext_lazy("Sociale problemer ud over forbruget"),
    "social.chaotic_life": gettext_lazy("Har en kaotisk livsførelse og er udsat"),
    "social.can_stay_at_home_during_treatment": gettext_lazy("Kan bo hjemme under behandlingen"),
    "social.residential_impossible_for_family_reasons": gettext_lazy(
        "Døgnbehandling er ikke mulig af familiemæssige grunde"
    ),
    "social.wishes_to_stay_local": gettext_lazy("Ønsker at blive i lokalområdet"),
    "social.dropped_out_of_school": gettext_lazy("Er faldet ud af skolesystemet"),
    "health.psychiatric_disorder": gettext_lazy("Psykisk lidelse"),
    "health.dual_diagnosis_assessed": gettext_lazy("En psykisk lidelse er udredt"),
    "wishes.requested_offer": gettext_lazy("Ønsket tilbud"),
    "wishes.anonymous": gettext_lazy("Ønsker anonym behandling"),
    "wishes.requests_substitution": gettext_lazy("Ønsker substitutionsbehandling"),
    "wishes.medication_to_be_prescribed": gettext_lazy("Der skal ordineres medicin"),
    "wishes.wants_substance_free_life": gettext_lazy("Ønsker et rusmiddelfrit liv"),
    "wishes.goal": gettext_lazy("Borgerens mål"),
    "consents.parents": gettext_lazy("Forældrene har givet samtykke"),
    "consents.family_services": gettext_lazy(
        "Familierådgivningen (Børn og Familie) har givet samtykke"
    ),
    "professional.needs_more_than_outpatient": gettext_lazy(
        "Har brug for mere end ambulant behandling"
    ),
    "professional.cannot_benefit_from_outpatient_or_day": gettext_lazy(
        "Kan ikke profitere af ambulant behandling eller dagbehandling"
    ),
    "professional.intensive_effort_can_help": gettext_lazy("En intensiv indsats kan hjælpe"),
    "professional.benefits_from_shielding": gettext_lazy(
        "Vil have gavn af at blive skærmet fra sit lokalmiljø i en periode"
    ),
    "professional.substitution_appropriate": gettext_lazy(
        "Behandlingsstedet finder substitution relevant efter udredning"
    ),
    "professional.final_detox_phase": gettext_lazy("Er i den sidste fase af afgiftningen"),
}

FIELD_HINTS = {
    "person.children_at_home": gettext_lazy("Børn under 18 år, der bor i hjemmet."),
    "use.level": gettext_lazy("Problematisk forbrug, eller fysisk og/eller psykisk afhængighed."),
    "consents.parents": gettext_lazy("Kræves, når borgeren er under 18 år."),
    "consents.family_services": gettext_lazy("Kræves, når borgeren er under 18 år."),
    "wishes.anonymous": gettext_lazy(
        "Behandling uden at kommunen får at vide, hvem borgeren er (SEL § 101 a)."
    ),
}

ENUM_LABELS: dict[str, dict[str, str]] = {
    "person.role": {
        **dict(PersonRole.choices),
        "adult_child_of_user": gettext_lazy("Voksent barn af forælder med rusmiddelproblem"),
    },
    "use.level": {
        "none": gettext_lazy("Intet forbrug"),
        "experimental": gettext_lazy("Eksperimenterende forbrug"),
        "problematic": gettext_lazy("Problematisk forbrug"),
        "dependent": gettext_lazy("Afhængighed (fysisk og/eller psykisk)"),
    },
    "use.withdrawal_risk": {
        "none": gettext_lazy("Ingen"),
        "mild": gettext_lazy("Lette abstinenser"),
        "severe": gettext_lazy("Svære abstinenser (kan kræve indlæggelse)"),
    },
    "social.housing": {
        "own": gettext_lazy("Ejerbolig"),
        "rented": gettext_lazy("Lejebolig"),
        "temporary": gettext_lazy("Midlertidig bolig"),
        "shelter": gettext_lazy("Herberg eller forsorgshjem"),
        "homeless": gettext_lazy("Hjemløs"),
        "institution": gettext_lazy("Institution"),
    },
    "social.occupation": {
        "employed": "I arbejde",
        "student": gettext_lazy("Under uddannelse"),
        "unemployed": gettext_lazy("Ledig"),
        "sick_leave": gettext_lazy("Sygemeldt"),
        "retired": gettext_lazy("Pensionist"),
        "none": gettext_lazy("Ingen beskæftigelse"),
    },
    "social.social_problems": {
        "none": gettext_lazy("Ingen"),
        "some": gettext_lazy("Nogle"),
        "significant": gettext_lazy("Betydelige"),
        "extensive": gettext_lazy("Omfattende"),
    },
    "health.psychiatric_disorder": {
        "none": gettext_lazy("Ingen"),
        "suspected": gettext_lazy("Mistanke om psykisk lidelse"),
        "requires_treatment": gettext_lazy("Behandlingskrævende psykisk lidelse"),
    },
    "wishes.goal": {
        "abstinence": gettext_lazy("Ophør"),
        "reduction": gettext_lazy("Reduktion"),
        "stabilisation": gettext_lazy("Stabilisering"),
        "undecided": gettext_lazy("Ikke afklaret"),
    },
}

SUBSTANCE_LABELS = {
    "alcohol": gettext_lazy("Alkohol"),
    "cannabis": gettext_lazy("Cannabis (hash, skunk)"),
    "cocaine": gettext_lazy("Kokain"),
    "opioids": gettext_lazy("Opioider (fx heroin, metadon)"),
    "amphetamine": gettext_lazy("Amfetamin"),
    "benzodiazepines": gettext_lazy("Benzodiazepiner"),
    "ecstasy": gettext_lazy("Ecstasy (MDMA)"),
    "hallucinogens": gettext_lazy("Hallucinogener"),
    "ghb": "GHB",
    "prescribed_medicine": gettext_lazy("Receptpligtig medicin"),
    "performance_enhancing": gettext_lazy("Præstationsfremmende stoffer"),
    "other": gettext_lazy("Andet rusmiddel"),
}

GENERIC_LEVEL_LABELS = {
    "ambulant": gettext_lazy("Ambulant behandling (generelt)"),
    "dagbehandling": gettext_lazy("Dagbehandling (generelt)"),
    "doegnbehandling": gettext_lazy("Døgnbehandling (generelt)"),
}

#: An offer's evaluation status in words (as the decision form's messages say it).
STATUS_WORDS = {
    "eligible": "kan bevilges",
    "not_eligible": "kan ikke bevilges",
    "needs_information": "mangler oplysninger",
}

YES, NO, UNKNOWN = "ja", "nej", ""
BOOL_CHOICES = [
    (YES, gettext_lazy("Ja")),
    (NO, gettext_lazy("Nej")),
    (UNKNOWN, gettext_lazy("Ukendt")),
]


def fact_label(path: str) -> str:
    """The Danish name of a fact path (`social.self_supporting`, `age`,
    `use.substances[0].substance`), for missing facts and errors."""
    if path == "age":
        return gettext("Alder (fødselsdato)")
    base = path.split("[", 1)[0]
    if base in FIELD_LABELS:
        return str(FIELD_LABELS[base])
    return path


def rules_message(text: str) -> tuple[str, str]:
    """(the fact's Danish name, a Danish message) for an error of the rules, which name the
    fact and say what is wrong in English ("person.birth_date: … is after …")."""
    where, _, what = text.partition(": ")
    label = fact_label(where)
    if "is after the evaluation date" in what:
        return label, gettext("Datoen ligger efter vurderingsdatoen.")
    if "is not a valid date" in what:
        return label, str(BAD_DATE)
    if "unknown offer" in what:
        return label, gettext("Tilbuddet findes ikke i kommunens kvalitetsstandard.")
    return label, gettext("Oplysningen kan ikke bruges i vurderingen.")


def _name(path: str) -> str:
    return path.replace(".", "__")


# --- shared form plumbing -----------------------------------------------------------------

_CLASSES = [  # the first match wins: CheckboxSelectMultiple is a RadioSelect in Django
    (forms.CheckboxSelectMultiple, "form-checkbox"),
    (forms.RadioSelect, "form-radio"),
    (forms.CheckboxInput, "form-checkbox"),
    (forms.Select, "form-select"),
    (forms.Textarea, "form-input input-width-xl"),
    (forms.TextInput, "form-input input-width-xl"),
]


class CaseForm(forms.Form):
    """DKFDS classes on every widget, Danish messages, and the service's errors put next to
    the field they name. Django adds aria-invalid and aria-describedby (`<id>_helptext`,
    `<id>_error`) to single inputs; the templates put them on the fieldset of a group."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)
    #: service argument name → form field, where they differ
    service_fields: dict[str, str] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = next((c for kind, c in _CLASSES if isinstance(field.widget, kind)), "form-input")
            field.widget.attrs.setdefault("class", css)

    @property
    def is_conflict(self) -> bool:
        errors = self.non_field_errors()
        return CONFLICT_MESSAGE in errors or gettext(CONFLICT_MESSAGE) in errors

    def clean_version(self) -> int | None:
        raw = (self.cleaned_data.get("version") or "").strip()
        return int(raw) if raw.isdigit() else None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("version") is None:
            self.add_error(
                None, gettext(CONFLICT_MESSAGE)
            )  # the page was not loaded from us: reload
        return data

    def add_service_error(self, exc: ServiceError) -> None:
        """Put the service's message next to the field it names, or above the form."""
        if isinstance(exc, Conflict):
            self.add_error(None, gettext(CONFLICT_MESSAGE))
            return
        field = self.field_for(exc.field)
        message = exc.message
        if exc.field and message.startswith(f"{exc.field}: "):
            message = message[len(exc.field) + 2 :]  # "decided_on: 2026-01-01 ligger før …"
        message = message[:1].upper() + message[1:]
        self.add_error(field, message)

    def field_for(self, service_field: str | None) -> str | None:
        if not service_field:
            return None
        name = self.service_fields.get(service_field, service_field)
        return name if name in self.fields else None

    def summary(self) -> list[tuple[str, str]]:
        """(the id to jump to, the message) for every error, in the order of the fields."""
        rows = [("", str(m)) for m in self.non_field_errors()]
        for name in self.fields:
            for message in self.errors.get(name, []):
                bound = self[name]
                anchor = f"{bound.auto_id}_0" if bound.field.widget.use_fieldset else bound.auto_id
                rows.append((anchor, str(message)))
        return rows

    def error_count(self) -> int:
        return len(self.summary())


# A field's label in a message, in the language of the request (the fields are made once).
_lowered = lazy(lambda text: str(text).lower(), str)
_decapitalised = lazy(lambda text: str(text)[:1].lower() + str(text)[1:], str)


def day_in_range(day: dt.date | None) -> None:
    """A form validator: the dates a case can hold (`limits`, 1900-2100). A date typed as
    9999-12-31 is a typing error, and its deadlines cannot even be computed."""
    if day is not None and not limits.day_in_range(day):
        raise forms.ValidationError(gettext(limits.DATE_RANGE_MESSAGE), code="date_range")


def date_field(label: str, *, required: bool = True, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        validators=[day_in_range],
        widget=forms.DateInput(
            format="%Y-%m-%d", attrs={"type": "date", "class": "form-input input-width-s"}
        ),
        error_messages={
            "required": format_lazy(gettext_lazy("Skriv {label}."), label=_lowered(label)),
            "invalid": BAD_DATE,
        },
        **kwargs,
    )


def time_field(label: str) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        input_formats=["%H:%M", "%H.%M"],
        widget=forms.TimeInput(
            format="%H:%M", attrs={"type": "time", "class": "form-input input-width-xs"}
        ),
        error_messages={
            "required": format_lazy(gettext_lazy("Skriv {label}."), label=_lowered(label)),
            "invalid": gettext_lazy("Klokkeslættet er ikke gyldigt – skriv det som tt:mm."),
        },
    )


def text_field(
    label: str,
    *,
    required: bool = True,
    rows: int | None = None,
    max_length: int = limits.TEXT,
    **kwargs: Any,
):
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(
        label=label,
        required=required,
        widget=widget,
        strip=False,
        max_length=max_length,
        error_messages={
            "required": format_lazy(gettext_lazy("Udfyld feltet “{label}”."), label=label),
            "max_length": gettext_lazy("Teksten er for lang."),
        },
        **kwargs,
    )


def choice_field(
    label: str,
    choices: Iterable[tuple[str, str]],
    *,
    radio: bool = False,
    empty: str | None = None,
    required: bool | None = None,
) -> forms.ChoiceField:
    """A select (or radio group); `empty` adds an empty first choice, which is then optional
    unless `required` says otherwise."""
    options = list(choices)
    if empty is not None:
        options = [("", empty), *options]
    return forms.ChoiceField(
        label=label,
        choices=options,
        required=(empty is None) if required is None else required,
        widget=forms.RadioSelect if radio else forms.Select,
        error_messages={
            "required": format_lazy(gettext_lazy("Vælg {label}."), label=_decapitalised(label)),
            "invalid_choice": gettext_lazy("Vælg en af mulighederne på listen."),
        },
    )


# --- the assessment -----------------------------------------------------------------------


#: the form field of an assessment section's text: "vurdering__<section id>"
DESCRIPTION_PREFIX = "vurdering__"


class AssessmentForm(CaseForm):
    """Every fact of the assessment contract, grouped by section, and a free-text field for
    each element the standard's assessment describes (`assessment_sections`)."""

    def __init__(
        self,
        *args: Any,
        offers: list[tuple[str, str]],
        birth_date_from_cpr: dt.date | None = None,
        assessment_sections: Sequence[AssessmentSection] = (),
        **kwargs: Any,
    ) -> None:
        self.offers = offers
        self.birth_date_from_cpr = birth_date_from_cpr
        self.section_fields: dict[str, list[str]] = {}
        self.description_names: list[str] = []
        super().__init__(*args, **kwargs)
        props = assessment_schema()["properties"]
        for section in SECTIONS:
            names = self.section_fields.setdefault(section, [])
            for key, spec in props[section]["properties"].items():
                path = f"{section}.{key}"
                for name, field in self._fields_for(path, spec):
                    self.fields[name] = field
                    names.append(name)
        for part in assessment_sections:  # Danish from the standard file, like offer titles
            name = DESCRIPTION_PREFIX + part.id
            self.fields[name] = text_field(
                part.title, required=False, rows=4, max_length=SECTION_MAX_CHARS
            )
            self.fields[name].help_text = " ".join(part.text.split()) if part.text else ""
            self.description_names.append(name)
        for field in self.fields.values():
            css = next((c for kind, c in _CLASSES if isinstance(field.widget, kind)), "form-input")
            field.widget.attrs.setdefault("class", css)

    def _fields_for(self, path: str, spec: dict[str, Any]) -> list[tuple[str, forms.Field]]:
        label = FIELD_LABELS[path]  # KeyError: a fact of the contract without a Danish label
        hint = FIELD_HINTS.get(path, "")
        name = _name(path)
        kind = spec.get("type")
        if "enum" in spec:
            labels = ENUM_LABELS[path]
            field = choice_field(
                label, [(v, labels[v]) for v in spec["enum"]], empty=gettext_lazy("Ikke angivet")
            )
        elif kind == "boolean":
            field = forms.ChoiceField(
                label=label, choices=BOOL_CHOICES, required=False, widget=forms.RadioSelect
            )
        elif kind == "integer":
            field = forms.IntegerField(
                label=label,
                required=False,
                min_value=spec.get("minimum"),
                max_value=spec.get("maximum"),
                widget=forms.NumberInput(attrs={"class": "form-input input-width-xs"}),
                error_messages={
                    "invalid": gettext_lazy("Skriv et helt tal."),
                    "min_value": gettext_lazy("Tallet skal være mindst %(limit_value)s."),
                    "max_value": gettext_lazy("Tallet må højst være %(limit_value)s."),
                },
            )
        elif kind == "string" and spec.get("format") == "date":
            field = date_field(label, required=False)
            if self.birth_date_from_cpr is not None:
                field.widget.attrs["readonly"] = True
                hint = gettext_lazy("Fra CPR-nummeret.")
        elif path == "wishes.requested_offer":
            field = choice_field(label, self.offers, empty=gettext_lazy("Ikke angivet"))
        elif path == "history.previous_offers":
            known = dict(self.offers)
            levels = [(g, GENERIC_LEVEL_LABELS[g]) for g in GENERIC_LEVELS if g not in known]
            field = forms.MultipleChoiceField(
                label=label,
                required=False,
                choices=[*self.offers, *levels],
                widget=forms.CheckboxSelectMultiple,
                error_messages={"invalid_choice": gettext_lazy("Vælg tilbud på listen.")},
            )
        elif path == "use.substances":
            return self._substance_fields(label)
        else:  # pragma: no cover - a new kind of fact in the contract
            raise ValueError(f"no form field for the fact {path} ({spec})")
        field.help_text = hint
        return [(name, field)]

    def _substance_fields(self, label: str) -> list[tuple[str, forms.Field]]:
        choices = list(SUBSTANCE_LABELS.items())
        used = forms.MultipleChoiceField(
            label=label,
            required=False,
            choices=choices,
            widget=forms.CheckboxSelectMultiple,
            help_text=gettext_lazy("Sæt kryds ved hvert rusmiddel, borgeren bruger."),
        )
        primary = choice_field(
            gettext_lazy("Primært rusmiddel"), choices, empty=gettext_lazy("Ikke angivet")
        )
        primary.help_text = gettext_lazy("Det rusmiddel, der fylder mest.")
        injecting = forms.MultipleChoiceField(
            label=gettext_lazy("Rusmidler, borgeren injicerer"),
            required=False,
            choices=choices,
            widget=forms.CheckboxSelectMultiple,
        )
        return [
            ("use__substances", used),
            ("use__primary_substance", primary),
            ("use__injecting", injecting),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        used = set(data.get("use__substances") or [])
        primary = data.get("use__primary_substance")
        if primary and primary not in used:
            self.add_error(
                "use__primary_substance",
                gettext_lazy("Sæt også kryds ved det primære rusmiddel under “Rusmidler”."),
            )
        missing = [s for s in data.get("use__injecting") or [] if s not in used]
        if missing:
            self.add_error(
                "use__injecting",
                format_lazy(
                    gettext_lazy("Sæt også kryds under “Rusmidler” ved {substances}."),
                    substances=", ".join(str(SUBSTANCE_LABELS[s]).lower() for s in missing),
                ),
            )
        return data

    def descriptions(self) -> list[forms.BoundField]:
        """The free-text fields of the standard's assessment sections, in its order."""
        return [self[name] for name in self.description_names]

    def section_texts(self) -> dict[str, str]:
        """The cleaned texts by section id (the service strips them and leaves out empty
        ones)."""
        return {
            name.removeprefix(DESCRIPTION_PREFIX): self.cleaned_data.get(name) or ""
            for name in self.description_names
        }

    def sections(self) -> list[tuple[str, str, list[forms.BoundField]]]:
        return [
            (section, SECTION_LABELS[section], [self[n] for n in self.section_fields[section]])
            for section in SECTIONS
        ]

    def add_service_error(self, exc: ServiceError) -> None:
        """The rules' English messages about a fact are said in Danish."""
        path = (exc.field or "").removeprefix("facts.")
        if exc.field and exc.field.startswith("facts.") and exc.message.startswith(f"{path}: "):
            _, message = rules_message(exc.message)
            exc = type(exc)(message, field=exc.field)
        super().add_service_error(exc)

    def field_for(self, service_field: str | None) -> str | None:
        """`facts.person.birth_date` → `person__birth_date`; the substances list's items →
        the substances field; `sections.motivation` → `vurdering__motivation`."""
        if service_field and service_field.startswith("sections."):
            name = DESCRIPTION_PREFIX + service_field.removeprefix("sections.")
            return name if name in self.fields else None
        if service_field and service_field.startswith("facts."):
            path = service_field.removeprefix("facts.").split("[", 1)[0]
            name = _name(path)
            return name if name in self.fields else None
        return super().field_for(service_field)

    def facts(self) -> dict[str, Any]:
        """The facts document of the cleaned form: unknown facts left out."""
        data = self.cleaned_data
        props = assessment_schema()["properties"]
        facts: dict[str, Any] = {}
        for section in SECTIONS:
            values: dict[str, Any] = {}
            for key, spec in props[section]["properties"].items():
                path = f"{section}.{key}"
                if path == "use.substances":
                    value = _substances(data)
                else:
                    value = _fact_value(spec, data.get(_name(path)))
                if value is not None:
                    values[key] = value
            if values:
                facts[section] = values
        return facts


def _fact_value(spec: dict[str, Any], raw: Any) -> Any:
    if raw in (None, "", []):
        return None
    if spec.get("type") == "boolean":
        return raw == YES
    if isinstance(raw, dt.date):
        return raw.isoformat()
    return list(raw) if isinstance(raw, list | tuple) else raw


def _substances(data: dict[str, Any]) -> list[dict[str, Any]] | None:
    used = data.get("use__substances") or []
    if not used:
        return None
    primary = data.get("use__primary_substance")
    injecting = set(data.get("use__injecting") or [])
    rows = []
    for substance in SUBSTANCE_LABELS:  # the contract's order
        if substance not in used:
            continue
        row: dict[str, Any] = {"substance": substance}
        if primary:
            row["primary"] = substance == primary
        if substance in injecting:
            row["injecting"] = True
        rows.append(row)
    return rows


def initial_from_facts(facts: dict[str, Any] | None) -> dict[str, Any]:
    """The form's initial values from a stored facts document (the latest assessment)."""
    initial: dict[str, Any] = {}
    props = assessment_schema()["properties"]
    for section in SECTIONS:
        values = (facts or {}).get(section) or {}
        for key, spec in props[section]["properties"].items():
            value = values.get(key)
            if value is None:
                continue
            path = f"{section}.{key}"
            if path == "use.substances":
                initial["use__substances"] = [s["substance"] for s in value]
                initial["use__primary_substance"] = next(
                    (s["substance"] for s in value if s.get("primary")), ""
                )
                initial["use__injecting"] = [s["substance"] for s in value if s.get("injecting")]
            elif spec.get("type") == "boolean":
                initial[_name(path)] = YES if value else NO
            else:
                initial[_name(path)] = value
    return initial


def post_data(initial: dict[str, Any], version: int) -> dict[str, Any]:
    """`initial` written as the browser would post it (dates as ÅÅÅÅ-MM-DD)."""
    data: dict[str, Any] = {"version": str(version)}
    for name, value in initial.items():
        if isinstance(value, dt.date):
            value = value.isoformat()
        data[name] = value if isinstance(value, list) else str(value)
    return data


# --- the decision -------------------------------------------------------------------------


class DecisionForm(CaseForm):
    offer = choice_field(
        gettext_lazy("Tilbud"), [], empty=gettext_lazy("Vælg tilbud"), required=True
    )
    outcome = forms.ChoiceField(
        label=gettext_lazy("Afgørelse"),
        choices=[("granted", gettext_lazy("Bevilget")), ("refused", gettext_lazy("Afslag"))],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Vælg om tilbuddet bevilges eller afslås.")},
    )
    decided_on = date_field(gettext_lazy("Afgørelsens dato"))
    send_channel = forms.ChoiceField(
        label=gettext_lazy("Afgørelsen sendes med"),
        choices=SendChannel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Vælg hvordan afgørelsen sendes.")},
    )
    provider = choice_field(gettext_lazy("Leverandør"), [], empty="")
    free_choice_requested = text_field(
        gettext_lazy("Borgerens ønske om et andet tilbud eller en anden leverandør (frit valg)"),
        required=False,
        max_length=limits.NAME,
    )
    free_choice_outcome = forms.ChoiceField(
        label=gettext_lazy("Svar på ønsket om frit valg"),
        choices=FreeChoiceOutcome.choices,
        widget=forms.RadioSelect,
        initial=FreeChoiceOutcome.NOT_REQUESTED,
        error_messages={"required": gettext_lazy("Angiv om borgerens ønske imødekommes.")},
    )
    override_reason = text_field(
        gettext_lazy("Begrundelse for at fravige visitationen"),
        required=False,
        rows=3,
        help_text=gettext_lazy(
            "Skal udfyldes, når et tilbud bevilges, som visitationen ikke finder, "
            "at borgeren kan bevilges."
        ),
    )
    note = text_field(
        gettext_lazy("Supplerende begrundelse"),
        required=False,
        rows=4,
        help_text=gettext_lazy("Kommer med i afgørelsens begrundelse i brevet."),
    )

    def __init__(
        self,
        *args: Any,
        offers: list[tuple[str, str]],
        providers: list[tuple[str, str]],
        default_provider: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["offer"].choices = [("", gettext_lazy("Vælg tilbud")), *offers]
        self.fields["offer"].error_messages["required"] = gettext_lazy(
            "Vælg det tilbud, afgørelsen gælder."
        )
        empty = (
            format_lazy(
                gettext_lazy("Sagens leverandør ({default_provider})"),
                default_provider=default_provider,
            )
            if default_provider
            else gettext_lazy("Ingen valgt")
        )
        self.fields["provider"].choices = [("", empty), *providers]
        for name in ("offer", "provider"):
            self.fields[name].widget.attrs["class"] = "form-select input-width-xl"

    def add_service_error(self, exc: ServiceError) -> None:
        """The service names the evaluation's status by its code: say it in Danish."""
        message = exc.message
        for code, words in STATUS_WORDS.items():
            message = message.replace(f"({code})", f"({words})")
        super().add_service_error(type(exc)(message, field=exc.field))


class DecisionCorrectionForm(DecisionForm):
    """The decision form, filled in with the decision corrected, and why it is corrected."""

    reason = text_field(
        gettext_lazy("Begrundelse for ændringen"),
        rows=4,
        help_text=gettext_lazy(
            "Hvad var forkert, og hvorfor ændres afgørelsen? Kommer med i brevet til borgeren."
        ),
    )


class DecisionWithdrawalForm(CaseForm):
    """Withdraw a decision: why (the letter gives it), from when, how the letter is sent."""

    reason = text_field(
        gettext_lazy("Begrundelse for tilbagekaldelsen"),
        rows=4,
        help_text=gettext_lazy("Kommer med i brevet til borgeren."),
    )
    withdrawn_on = date_field(gettext_lazy("Afgørelsen tilbagekaldes fra"))
    send_channel = forms.ChoiceField(
        label=gettext_lazy("Brevet sendes med"),
        choices=SendChannel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Vælg hvordan brevet sendes.")},
    )


# --- the course ---------------------------------------------------------------------------


class CourseStartForm(CaseForm):
    basis = choice_field(
        gettext_lazy("Forløbet bygger på"), [], empty=gettext_lazy("Vælg"), required=True
    )
    started_on = date_field(gettext_lazy("Startdato"))
    service_fields = {"decision_id": "basis", "offer": "basis"}

    def __init__(self, *args: Any, bases: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["basis"].choices = (
            bases if len(bases) == 1 else [("", gettext_lazy("Vælg")), *bases]
        )
        self.fields["basis"].widget.attrs["class"] = "form-select input-width-xl"


class CitizenForm(CaseForm):
    """A citizen's name and contact details; `version` is the citizen's (the service checks
    the values and names the field at fault)."""

    name = text_field(gettext_lazy("Navn"))
    address = text_field(gettext_lazy("Adresse"), required=False)
    phone = text_field(gettext_lazy("Telefon"), required=False)
    email = text_field(gettext_lazy("E-mail"), required=False)


class PlanForm(CaseForm):
    goal = choice_field(gettext_lazy("Målet med behandlingen"), Goal.choices, radio=True)
    goals_text = text_field(gettext_lazy("Borgerens mål med egne ord"), rows=4)
    agreed_on = date_field(gettext_lazy("Aftalt den"))


class SessionForm(CaseForm):
    day = date_field(gettext_lazy("Dato"))
    starts = time_field(gettext_lazy("Fra kl."))
    ends = time_field(gettext_lazy("Til kl."))
    note = text_field(gettext_lazy("Bemærkning"), required=False, rows=2)
    service_fields = {"starts_at": "day", "ends_at": "ends"}


class AttendanceForm(CaseForm):
    attendance = forms.ChoiceField(
        choices=[
            ("attended", gettext_lazy("Mødt")),
            ("no_show", gettext_lazy("Udeblevet")),
            ("cancelled", gettext_lazy("Aflyst")),
        ],
        error_messages={
            "required": gettext_lazy("Vælg fremmøde."),
            "invalid_choice": gettext_lazy("Vælg fremmøde."),
        },
    )


class ReportForm(CaseForm):
    text = text_field(gettext_lazy("Status"), rows=5)
    submitted_on = date_field(gettext_lazy("Dato"))


class EndForm(CaseForm):
    ended_on = date_field(gettext_lazy("Slutdato"))
    reason = choice_field(
        gettext_lazy("Årsag"), EndReason.choices, empty=gettext_lazy("Vælg årsag"), required=True
    )
    outcome = choice_field(
        gettext_lazy("Resultat"),
        EndOutcome.choices,
        empty=gettext_lazy("Vælg resultat"),
        required=True,
    )
    final_report = text_field(gettext_lazy("Afsluttende status"), rows=5)
