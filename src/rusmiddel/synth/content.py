"""What the synthetic rows say: assessment fact templates, offer mixes per seed shape, end
reasons and outcomes, FIT score pools and short texts. Values follow the assessment contract
(contracts/assessment.schema.json) and `rusmiddel.demo_data`."""

from __future__ import annotations

import copy
import json
import random
from decimal import Decimal
from typing import Any

# the demo's base facts: one place for what a typical assessment says
from rusmiddel.demo_data import BASE_FACTS
from rusmiddel.rules import end_outcomes

DRUGS = ["cannabis", "cocaine", "opioids", "amphetamine", "benzodiazepines", "ecstasy"]
SECOND = [None, None, "alcohol", "cannabis", "cocaine"]
#: (housing, occupation, social_problems) – the usual mix, most with a home and an occupation
SOCIAL = [
    ("rented", "employed", "none"),
    ("own", "employed", "none"),
    ("rented", "unemployed", "some"),
    ("rented", "sick_leave", "some"),
    ("temporary", "unemployed", "significant"),
    ("shelter", "none", "extensive"),
    ("rented", "student", "none"),
    ("own", "retired", "none"),
]
TEMPLATES_PER_SUBSTANCE = 16


def fact_templates(substance: str, rng: random.Random) -> list[dict[str, Any]]:
    """Varied facts of an adult with a problematic or dependent use, primary `substance`
    (alcohol or drugs); no birth date (the case's citizen supplies it)."""
    out = []
    for i in range(TEMPLATES_PER_SUBSTANCE):
        f = copy.deepcopy(BASE_FACTS)
        primary = "alcohol" if substance == "alcohol" else DRUGS[i % len(DRUGS)]
        second = SECOND[i % len(SECOND)]
        listed = [{"substance": primary, "primary": True}]
        if second and second != primary:
            listed.append({"substance": second})
        f["use"]["substances"] = listed
        dependent = i % 3 != 0
        f["use"]["level"] = "dependent" if dependent else "problematic"
        risks = ["none", "mild", "mild", "severe"]
        f["use"]["withdrawal_risk"] = risks[i % 4] if dependent else "none"
        f["use"]["realistic_12_week_stop"] = not dependent
        housing, occupation, problems = SOCIAL[(i * 3 + (substance == "alcohol")) % len(SOCIAL)]
        f["social"].update(
            housing=housing,
            occupation=occupation,
            social_problems=problems,
            self_supporting=occupation in ("employed", "retired"),
            chaotic_life=problems in ("significant", "extensive"),
            can_stay_at_home_during_treatment=housing in ("own", "rented"),
        )
        f["health"]["psychiatric_disorder"] = ["none", "none", "suspected", "requires_treatment"][
            i % 4
        ]
        f["person"]["children_at_home"] = [0, 0, 1, 2][(i + 1) % 4]
        opioid = primary == "opioids"
        f["wishes"].update(
            requests_substitution=opioid,
            medication_to_be_prescribed=opioid or (substance == "alcohol" and i % 2 == 0),
            goal=["abstinence", "reduction", "stabilisation" if opioid else "abstinence"][i % 3],
            wants_substance_free_life=i % 3 != 1,
        )
        f["history"]["ever_in_contact_with_treatment_system"] = i % 2 == 1
        if i % 8 == 7:  # outpatient treatment has not been enough: day or residential
            f["history"]["previous_offers"] = ["ambulant"]
            f["history"]["ever_in_contact_with_treatment_system"] = True
            f["social"].update(housing="rented", social_problems="extensive", chaotic_life=True)
            f["health"]["psychiatric_disorder"] = "none"
            f["professional"] = {
                "needs_more_than_outpatient": True,
                "cannot_benefit_from_outpatient_or_day": True,
                "intensive_effort_can_help": True,
            }
        out.append(f)
    rng.shuffle(out)
    return out


#: Share of the "more than outpatient" assessments that end in day or residential treatment.
INTENSIVE_SHARE = 0.3
INTENSIVE = ("day", "residential")

RELATIVE_FACTS: dict[str, Any] = {
    "person": {"role": "relative", "children_at_home": 0},
    "wishes": {"anonymous": False},
}

#: Offer weights for a named citizen's own treatment, per seed shape (residential ≈ 3 %).
OFFER_WEIGHTS: dict[str, dict[str, float]] = {
    "helsingoer": {
        "individuelle_samtaler": 30,
        "udredning": 7,
        "stoettende_samtaler": 8,
        "medicinsk_behandling": 9,
        "alkoholbehandling_medicinsk": 12,
        "psykologsamtaler": 6,
        "godt_paa_vej": 6,
        "tilbagefaldsgruppe": 3,
        "ambulant_afrusning": 4,
        "kokain_hashstop": 3,
        "rusmiddelfrit_tilbud": 2,
        "familiesamtaler": 2,
        "doegnbehandling": 3.5,
    },
    "gentofte": {
        "ambulant": 62,
        "substitution": 15,
        "laegesamtale": 6,
        "dagbehandling": 5,
        "familiebehandling": 3,
        "doegnbehandling": 3.5,
    },
}
ANONYMOUS_OFFERS = {
    "helsingoer": {"anonym_gruppe": 3, "anonym_raadgivning": 2},
    "gentofte": {"anonym_ambulant": 3, "raadgivning": 1},
}
RELATIVE_OFFERS = {"helsingoer": "paaroerendegruppe", "gentofte": "raadgivning"}

CHANNELS = (["phone"] * 4) + (["self_service"] * 2) + ["digital_post", "walk_in", "letter"]
SEND_CHANNELS = (["digital_post"] * 8) + ["post", "quickpost"]
#: (reason, weight)
END_REASONS = [
    ("completed", 55),
    ("dropped_out", 24),
    ("terminated", 5),
    ("transferred", 4),
    ("moved", 4),
    ("deceased", 1),
    ("other", 7),
]
GOAL_WEIGHTS = (30, 45, 25)  # the substance's three goals: free, reduced, stabilised/referred


def end_outcome(substance: str, reason: str, rng: random.Random) -> str:
    """An outcome valid for the course's substance (rules/end_outcomes.py)."""
    if reason in ("dropped_out", "moved", "deceased"):
        return reason
    goals = end_outcomes.GOALS.get(substance, end_outcomes.GOALS["drugs"])
    if reason == "completed" or rng.random() < 0.4:
        return rng.choices(goals, GOAL_WEIGHTS)[0]
    return "unchanged"


def follow_up_outcome(substance: str, rng: random.Random) -> str:
    goals = end_outcomes.GOALS.get(substance, end_outcomes.GOALS["drugs"])
    return rng.choices([*goals, "unchanged"], (30, 35, 15, 20))[0]


GOAL_FOR = {"abstinence": "abstinence", "reduction": "reduction", "stabilisation": "stabilisation"}
GOAL_TEXTS = {
    "abstinence": [
        "Jeg vil være helt fri af rusmidler og have styr på min hverdag igen.",
        "Stoppe helt og komme tilbage i arbejde.",
        "Være stoffri og være der for mine børn.",
    ],
    "reduction": [
        "Drikke mindre og kun i weekenden.",
        "Skære ned, så jeg kan passe mit arbejde.",
        "Have kontrol over forbruget og sove bedre.",
    ],
    "stabilisation": [
        "Stabil medicinering og en fast bolig.",
        "Færre indlæggelser og et roligere liv.",
    ],
}
STATUS_TEXTS = [
    "Borgeren møder stabilt og arbejder med sine mål. Forbruget er faldende.",
    "Borgeren har haft et tilbagefald, men er motiveret for at fortsætte.",
    "Borgeren møder uregelmæssigt; vi har aftalt en ny plan for fremmøde.",
    "Forløbet går som planlagt; borgeren oplever bedre overblik i hverdagen.",
]
FINAL_TEXTS = [
    "Forløbet er afsluttet som planlagt. Borgeren har nået sine mål og har en plan for at "
    "fastholde dem.",
    "Forløbet er afsluttet. Borgeren har reduceret sit forbrug og ønsker opfølgning.",
    "Forløbet er afsluttet efter gentagne udeblivelser.",
]
COMPLAINT_TEXTS = [
    "Jeg er uenig i afgørelsen og mener, jeg har brug for mere behandling.",
    "Jeg ønsker døgnbehandling og klager over afslaget.",
    "Jeg mener ikke, kommunen har forstået min situation.",
]
PSEUDONYMS = ["Sol", "Bjørn", "Kat", "Måne", "Ræv", "Ugle", "Storm", "Ravn", "Lærke", "Ulv"]

#: Use in the last 30 days (TDI), most first.
USE_LEVELS = ["daily", "days_4_6", "days_2_3", "weekly_or_less", "not_used"]
AFTER_OUTCOME = {
    "substance_free": (4, 4),
    "reduced": (2, 3),
    "stabilised": (1, 2),
    "referred": (1, 3),
    "unchanged": (0, 1),
    "dropped_out": (0, 1),
}


def score_pool(items: int, rng: random.Random, mean: float, spread: float, size: int = 300):
    """(items JSON, total) pairs of one instrument: one decimal per line, 0–10."""
    pool = []
    for _ in range(size):
        values = [min(10.0, max(0.0, round(rng.gauss(mean, spread), 1))) for _ in range(items)]
        strings = [f"{v:.1f}" for v in values]
        total = sum(Decimal(s) for s in strings)
        pool.append((json.dumps(strings), str(total)))
    return pool
