"""The outcome at a course's end and the key facts (use in the last 30 days, housing,
occupation) on the staff forms: the course start, the ending and the follow-up. The outcome
choices are those of the course's substance (`rules.end_outcomes`); whether the key facts
are required is the services' call (they name the field), so the fields are optional here."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext, gettext_lazy

from rusmiddel.cases.errors import ServiceError
from rusmiddel.cases.models import EndOutcome
from rusmiddel.outcomes.key_facts import FIELDS as KEY_FACT_FIELDS
from rusmiddel.outcomes.key_facts import key_facts_missing
from rusmiddel.outcomes.models import Housing, KeyFacts, Moment, Occupation, UseFrequency
from rusmiddel.rules import end_outcomes

from .case_forms import CourseStartForm, EndForm, choice_field

#: "Stof-/alkoholfri" says which goal it is once the substance is known.
_FREE = {
    end_outcomes.DRUGS: gettext_lazy("Stoffri"),
    end_outcomes.ALCOHOL: gettext_lazy("Alkoholfri"),
}

KEY_FACT_LABELS = {
    "use_frequency": gettext_lazy("Brug af rusmidler de seneste 30 dage"),
    "housing": gettext_lazy("Boligsituation"),
    "occupation": gettext_lazy("Beskæftigelse"),
}
KEY_FACT_CHOICES = {"use_frequency": UseFrequency, "housing": Housing, "occupation": Occupation}

#: The moments side by side on the course page, in time order.
MOMENT_HEADINGS = [
    (Moment.START, gettext_lazy("Ved start")),
    (Moment.END, gettext_lazy("Ved afslutning")),
    (Moment.FOLLOW_UP_1, gettext_lazy("1 måned")),
    (Moment.FOLLOW_UP_6, gettext_lazy("6 måneder")),
]


def outcome_label(substance: str, outcome: str) -> str:
    """The outcome's Danish name for a course of `substance` ("Stoffri", "Alkoholfri" …)."""
    if outcome == EndOutcome.SUBSTANCE_FREE and substance in _FREE:
        return str(_FREE[substance])
    return EndOutcome(outcome).label if outcome in EndOutcome.values else outcome


def outcome_choices(substance: str) -> list[tuple[str, str]]:
    """The outcomes a course of `substance` may end with, the goals first."""
    return [(o, outcome_label(substance, o)) for o in end_outcomes.outcomes_for(substance)]


def key_facts_line(row: KeyFacts) -> str:
    """The key facts as one line of the timeline ("Brug: dagligt. Bolig: …")."""
    text = gettext("Brug: {use}. Bolig: {housing}. Beskæftigelse: {occupation}.")
    return text.format(
        use=row.get_use_frequency_display().lower(),
        housing=row.get_housing_display().lower(),
        occupation=row.get_occupation_display().lower(),
    )


def key_facts_table(rows: list[KeyFacts]) -> dict[str, Any] | None:
    """The key facts side by side (start, end, 1 and 6 months): the moments recorded, and
    per fact its value at each of them ("–" not recorded), each value with its moment's
    heading (a phone shows it above the value). None when none are recorded."""
    by_moment = {r.moment: r for r in rows}
    if not by_moment:
        return None
    moments = [(m, label) for m, label in MOMENT_HEADINGS if m in by_moment]
    return {
        "headings": [label for _m, label in moments],
        "dates": [(label, by_moment[m].recorded_on) for m, label in moments],
        "rows": [
            (
                label,
                [
                    (heading, getattr(by_moment[m], f"get_{name}_display")())
                    for m, heading in moments
                ],
            )
            for name, label in KEY_FACT_LABELS.items()
        ],
    }


def _key_fact_field(name: str, empty: Any) -> Any:
    return choice_field(KEY_FACT_LABELS[name], KEY_FACT_CHOICES[name].choices, empty=empty)


class _KeyFactsErrors:
    """The service stops at the first key fact missing; the form tells every one missing,
    each next to its field, so they are filled in at one go."""

    def add_service_error(self, exc: ServiceError) -> None:
        super().add_service_error(exc)
        if exc.field not in KEY_FACT_FIELDS:
            return
        for name, message in key_facts_missing(self.cleaned_data).items():
            if name != exc.field and name in self.fields and name not in self.errors:
                self.add_error(name, message)


class KeyFactsStartForm(_KeyFactsErrors, CourseStartForm):
    """The course start with the key facts at the start (housing and occupation filled in
    from the assessment when it says)."""

    use_frequency = _key_fact_field("use_frequency", gettext_lazy("Vælg"))
    housing = _key_fact_field("housing", gettext_lazy("Vælg"))
    occupation = _key_fact_field("occupation", gettext_lazy("Vælg"))


class CourseEndForm(_KeyFactsErrors, EndForm):
    """The ending: the outcome in the categories of the course's substance, and the key facts
    at the end (not asked of a citizen who has moved away or died)."""

    use_frequency = _key_fact_field("use_frequency", gettext_lazy("Vælg"))
    housing = _key_fact_field("housing", gettext_lazy("Vælg"))
    occupation = _key_fact_field("occupation", gettext_lazy("Vælg"))

    def __init__(self, *args: Any, substance: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [
            ("", gettext_lazy("Vælg resultat")),
            *outcome_choices(substance),
        ]
