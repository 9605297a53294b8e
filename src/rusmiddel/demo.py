"""`rusmiddel demo`: a sample evaluation per municipality, then the demo server."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

STATUS = {
    "eligible": "kan bevilges",
    "not_eligible": "kan ikke bevilges",
    "needs_information": "mangler oplysninger",
}

#: A 34-year-old working parent with a problematic cannabis and cocaine use.
SAMPLE_FACTS: dict[str, Any] = {
    "person": {
        "birth_date": "1992-05-17",
        "role": "user",
        "pregnant": False,
        "expecting_father": False,
        "children_at_home": 1,
        "youngest_child_age": 4,
    },
    "use": {
        "substances": [{"substance": "cannabis", "primary": True}, {"substance": "cocaine"}],
        "level": "problematic",
        "harms_daily_life": True,
        "harms_education_work_or_family": True,
        "withdrawal_risk": "mild",
        "realistic_12_week_stop": True,
        "substance_free": False,
    },
    "history": {
        "previous_offers": [],
        "ever_in_contact_with_treatment_system": False,
        "completed_course": False,
        "in_medical_treatment": False,
    },
    "social": {
        "self_supporting": True,
        "housing": "rented",
        "occupation": "employed",
        "social_problems": "none",
        "chaotic_life": False,
    },
    "health": {"psychiatric_disorder": "none"},
    "wishes": {
        "anonymous": False,
        "requests_substitution": False,
        "medication_to_be_prescribed": False,
        "wants_substance_free_life": True,
        "goal": "abstinence",
    },
}


def print_sample_evaluations(on: dt.date) -> None:
    from rusmiddel.rules import evaluate
    from rusmiddel.standards import registry

    for municipality in registry.municipalities():
        result = evaluate(registry.load(municipality, on), SAMPLE_FACTS, on)
        print(f"\n{municipality} – standard {result.standard_version}, alder {result.age}")
        for offer in result.offers:
            print(f"  {offer.offer.id:28} {STATUS[offer.status]}")
        for action in result.actions:
            print(f"  ! {action['text']}")


def run_demo(*, port: int, serve: bool) -> int:
    os.environ.setdefault("RUSMIDDEL_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rusmiddel.config.settings")
    print_sample_evaluations(dt.date.today())
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    call_command("migrate", verbosity=0, interactive=False)
    if serve:
        print(f"\nDemo: http://127.0.0.1:{port}/  (stop with Ctrl+C)")
        call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)
    return 0
