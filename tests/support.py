"""Helpers shared by the tests: evaluate facts under a municipality's standard."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from rusmiddel.rules import Evaluation, evaluate
from rusmiddel.standards.registry import load

TODAY = dt.date(2026, 11, 24)

#: Where the services' today is.
COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def noon(day: dt.date) -> dt.datetime:
    """Noon in Copenhagen on `day`: a moment to set the clock to (time-machine)."""
    return dt.datetime.combine(day, dt.time(12), tzinfo=COPENHAGEN)


#: A moment after every event the services' tests record (their timelines run from TODAY
#: into 2027), as the services refuse an event dated after today. A test module whose events
#: lie ahead of the real clock runs on it:
#: `pytestmark = pytest.mark.time_machine(AFTER_THE_EVENTS, tick=False)`.
AFTER_THE_EVENTS = noon(dt.date(2027, 12, 31))


def evaluation(municipality: str, facts: dict[str, Any], on: dt.date | str = TODAY) -> Evaluation:
    """Evaluate `facts` under the standard in force on `on`."""
    day = dt.date.fromisoformat(on) if isinstance(on, str) else on
    return evaluate(load(municipality, day), facts, day)


def status(municipality: str, facts: dict[str, Any], offer: str, on: dt.date | str = TODAY) -> str:
    return evaluation(municipality, facts, on).offer(offer).status


def birth_date_for_age(age: int, on: dt.date = TODAY) -> str:
    """A birth date that makes a person exactly `age` on `on` (their birthday is `on`)."""
    return on.replace(year=on.year - age).isoformat()


#: The stable offer ids of contracts/offers.md, in the standards' order.
OFFER_IDS = {
    "gentofte": [
        "raadgivning",
        "laegesamtale",
        "ambulant",
        "anonym_ambulant",
        "dagbehandling",
        "doegnbehandling",
        "substitution",
        "familiebehandling",
    ],
    "helsingoer": [
        "anonym_gruppe",
        "anonym_raadgivning",
        "ambulant_afrusning",
        "udredning",
        "medicinsk_behandling",
        "vaccination",
        "adhoc_behandling",
        "stoettende_samtaler",
        "individuelle_samtaler",
        "godt_paa_vej",
        "rusmiddelfrit_tilbud",
        "familiesamtaler",
        "konsulentopgaver",
        "tilbagefaldsgruppe",
        "kokain_hashstop",
        "paaroerendegruppe",
        "voksne_boern_gruppe",
        "foraeldrenetvaerk",
        "boernegruppe",
        "en_bedre_hverdag",
        "alkoholbehandling_medicinsk",
        "psykologsamtaler",
        "doegnbehandling",
        "unge_anonym_raadgivning",
        "unge_individuel",
        "unge_adhoc_gruppe",
        "unge_gruppe",
        "dagteamet",
        "foraeldreaftner",
        "unge_konsulentopgaver",
        "digital_raadgivning",
    ],
}
