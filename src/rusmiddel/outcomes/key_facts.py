"""Key facts (use, housing, occupation) at a course's start, end and follow-ups: the steps the
course and follow-up services share, inside their transaction. `key_facts_record` (in
services.py) records or corrects one moment on its own."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from rusmiddel.cases.errors import Invalid

from .models import Housing, KeyFacts, Moment, Occupation, UseFrequency

#: The three facts, in the order forms and answers show them.
FIELDS = ("use_frequency", "housing", "occupation")

#: The follow-up moment of a follow-up after `months` months (other months have none).
FOLLOW_UP_MOMENTS = {1: Moment.FOLLOW_UP_1, 6: Moment.FOLLOW_UP_6}

_CHOICES = {"use_frequency": UseFrequency, "housing": Housing, "occupation": Occupation}
_MISSING = {
    "use_frequency": _("Angiv borgerens brug af rusmidler de seneste 30 dage."),
    "housing": _("Angiv borgerens boligsituation."),
    "occupation": _("Angiv borgerens beskæftigelse."),
}
_WHAT = {
    "use_frequency": _("brug af rusmidler"),
    "housing": _("boligsituation"),
    "occupation": _("beskæftigelse"),
}


def key_facts_given(values: Mapping[str, str]) -> bool:
    """Were key facts given where they are not required? The use decides: housing and
    occupation alone are what a form fills in from before, no new measurement."""
    return bool(values.get("use_frequency"))


def key_facts_missing(values: Mapping[str, str]) -> dict[str, str]:
    """Each of the three facts not given, with the message `key_facts_clean` gives for it:
    a form told that one is missing tells all of them at once."""
    return {name: str(_MISSING[name]) for name in FIELDS if not values.get(name)}


def key_facts_clean(values: Mapping[str, str]) -> dict[str, str]:
    """The three facts, each required and one of its codes; Invalid names the field."""
    cleaned = {}
    for name in FIELDS:
        value = values.get(name) or ""
        if not value:
            raise Invalid(str(_MISSING[name]), field=name)
        choices = _CHOICES[name]
        if value not in choices.values:
            raise Invalid(
                str(_("Ukendt %(what)s '%(value)s' (en af %(known)s)."))
                % {"what": _WHAT[name], "value": value, "known": ", ".join(choices.values)},
                field=name,
            )
        cleaned[name] = value
    return cleaned


def key_facts_defaults(facts: Mapping[str, Any] | None) -> dict[str, str]:
    """Housing and occupation as the assessment recorded them (social.housing and
    social.occupation of the assessment contract: the same codes)."""
    social = (facts or {}).get("social") or {}
    return {
        name: social[name]
        for name in ("housing", "occupation")
        if social.get(name) in _CHOICES[name].values
    }


def key_facts_put(
    *, course: Any, moment: str, recorded_on: dt.date, values: Mapping[str, str], actor: Any
) -> tuple[KeyFacts, dict[str, str] | None]:
    """Record (or correct) the moment's facts: (the row, the old values or None)."""
    cleaned = key_facts_clean(values)
    old = KeyFacts.objects.filter(course=course, moment=moment).first()
    row, _created = KeyFacts.objects.update_or_create(
        course=course,
        moment=moment,
        defaults={"recorded_on": recorded_on, "recorded_by": actor, **cleaned},
    )
    return row, (key_facts_json(old) if old else None)


def key_facts_json(row: KeyFacts) -> dict[str, Any]:
    """The moment's facts as the audit log and the API show them."""
    return {
        "moment": row.moment,
        "recorded_on": row.recorded_on.isoformat(),
        **{name: getattr(row, name) for name in FIELDS},
    }
