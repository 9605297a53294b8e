"""Eligibility of every offer of a standard for one person's facts, with reasons.

Three values, as the CLI contract says: an offer is not_eligible as soon as one of its
criteria is known to fail (even if others are unknown); needs_information when none fails
but one is unknown (naming the missing facts); eligible when all hold. A person outside
the target group is not_eligible for every treatment offer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

import cel

from rusmiddel.standards.schema import AgeBand, Criterion, Offer

from .calendar import age_on
from .compiled import CompiledStandard
from .errors import InputError
from .expressions import Truth, truth
from .facts import birth_date, expression_context, present_paths, validate_facts

Status = Literal["eligible", "not_eligible", "needs_information"]
GENERIC_LEVELS = ("ambulant", "dagbehandling", "doegnbehandling")
TARGET_GROUP_TEXT = "Borgeren er i kommunens målgruppe for rusmiddelbehandling"


@dataclass(frozen=True, slots=True)
class Reason:
    id: str
    text: str
    met: Truth
    section: str
    missing: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "met": self.met}


@dataclass(frozen=True, slots=True)
class OfferResult:
    offer: Offer
    status: Status
    reasons: tuple[Reason, ...]
    missing: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "offer": self.offer.id,
            "title": self.offer.title,
            "status": self.status,
            "legal_basis": list(self.offer.legal_basis),
            "reasons": [r.to_json() for r in self.reasons],
            "missing": list(self.missing),
        }


@dataclass(frozen=True)
class Evaluation:
    municipality: str
    standard_version: str
    evaluated_on: dt.date
    age: int | None
    in_target_group: Truth
    target_group_reasons: tuple[Reason, ...]
    offers: tuple[OfferResult, ...]
    actions: tuple[dict[str, str], ...]
    priorities: tuple[str, ...]
    facts: dict[str, Any] = field(repr=False, default_factory=dict)

    def offer(self, offer_id: str) -> OfferResult:
        return next(r for r in self.offers if r.offer.id == offer_id)

    def to_json(self) -> dict[str, Any]:
        return {
            "municipality": self.municipality,
            "standard_version": self.standard_version,
            "evaluated_on": self.evaluated_on.isoformat(),
            "age": self.age,
            "in_target_group": self.in_target_group,
            "target_group_reasons": [r.to_json() for r in self.target_group_reasons],
            "offers": [r.to_json() for r in self.offers],
            "actions": [dict(a) for a in self.actions],
            "priorities": list(self.priorities),
        }


def combine(reasons: tuple[Reason, ...] | list[Reason]) -> Truth:
    """False if any is false; else None if any is unknown; else True."""
    values = [r.met for r in reasons]
    if False in values:
        return False
    if None in values:
        return None
    return True


def _missing(reasons: tuple[Reason, ...] | list[Reason]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p for r in reasons if r.met is None for p in r.missing))


def age_text(band: AgeBand) -> str:
    if band.min is not None and band.max is not None:
        return f"Borgeren er mellem {band.min} og {band.max} år"
    if band.min is not None:
        return f"Borgeren er fyldt {band.min} år"
    return f"Borgeren er under {band.max + 1} år"  # type: ignore[operator]


def age_in_band(band: AgeBand | None, age: int | None) -> bool | None:
    """Whether `age` (whole years) lies in the offer's band, both ends inclusive: True
    without a band, None when the age is not known."""
    if band is None:
        return True
    if age is None:
        return None
    return (band.min is None or age >= band.min) and (band.max is None or age <= band.max)


def _age_reason(band: AgeBand, age: int | None, section: str) -> Reason:
    if age is None:
        return Reason("age", age_text(band), None, section, ("person.birth_date",))
    return Reason("age", age_text(band), age_in_band(band, age), section)


def _check_offer_ids(compiled: CompiledStandard, facts: dict[str, Any]) -> None:
    ids = {o.id for o in compiled.standard.offers}
    requested = (facts.get("wishes") or {}).get("requested_offer")
    if requested is not None and requested not in ids:
        raise InputError(
            f"wishes.requested_offer: unknown offer '{requested}' for {compiled.municipality} "
            f"(known: {', '.join(sorted(ids))})"
        )
    for i, tried in enumerate((facts.get("history") or {}).get("previous_offers") or []):
        if tried not in ids and tried not in GENERIC_LEVELS:
            raise InputError(
                f"history.previous_offers[{i}]: unknown offer '{tried}' for "
                f"{compiled.municipality} (an offer id or one of {', '.join(GENERIC_LEVELS)})"
            )


class _Judge:
    """Evaluates criteria against one person's facts (one CEL context, reused)."""

    def __init__(self, compiled: CompiledStandard, facts: dict[str, Any], age: int | None):
        self.compiled = compiled
        self.context = cel.Context(expression_context(facts, age))
        self.present = present_paths(facts)

    def reason(self, criterion: Criterion) -> Reason:
        met, missing = truth(self.compiled.expression(criterion.when), self.context, self.present)
        return Reason(criterion.id, criterion.text, met, criterion.section, missing)

    def holds(self, when: str) -> bool:
        met, _ = truth(self.compiled.expression(when), self.context, self.present)
        return met is True


def evaluate(compiled: CompiledStandard, facts: Any, on: dt.date) -> Evaluation:
    """Evaluate every offer of the standard for these facts at date `on`."""
    facts = validate_facts(facts)
    _check_offer_ids(compiled, facts)
    born = birth_date(facts)
    if born is not None and born > on:
        raise InputError(
            f"person.birth_date: {born.isoformat()} is after the evaluation date {on.isoformat()}"
        )
    age = age_on(born, on) if born else None
    standard = compiled.standard
    judge = _Judge(compiled, facts, age)

    group = tuple(judge.reason(c) for c in standard.target_group.criteria)
    in_group = combine(group)
    group_reason = Reason(
        "target_group", TARGET_GROUP_TEXT, in_group, standard.target_group.section, _missing(group)
    )
    treatment = [judge.reason(c) for c in standard.treatment_criteria]

    results = []
    for offer in standard.offers:
        reasons: list[Reason] = []
        if offer.treatment:
            reasons.append(group_reason)
            reasons.extend(treatment)
        if offer.age is not None:
            reasons.append(_age_reason(offer.age, age, offer.section))
        reasons.extend(judge.reason(c) for c in offer.criteria)
        met = combine(reasons)
        status: Status = (
            "eligible" if met else "not_eligible" if met is False else "needs_information"
        )
        missing = _missing(reasons) if status == "needs_information" else ()
        results.append(OfferResult(offer, status, tuple(reasons), missing))

    closed = {r.offer.id for r in results if r.status == "not_eligible"}
    return Evaluation(
        municipality=compiled.municipality,
        standard_version=compiled.version,
        evaluated_on=on,
        age=age,
        in_target_group=in_group,
        target_group_reasons=group,
        offers=tuple(results),
        actions=tuple(
            {"id": a.id, "text": a.text}
            for a in standard.actions
            if a.offer not in closed and judge.holds(a.when)
        ),
        priorities=tuple(p.id for p in standard.priorities if judge.holds(p.when)),
        facts=facts,
    )


def grant_blockers(compiled: CompiledStandard, offer_id: str, result: dict[str, Any]) -> list[str]:
    """The texts of the actions in a stored evaluation (`result`, the CLI contract's evaluate
    document) that stop a grant of `offer_id`: actions marked `blocks_grant` block every
    treatment offer while they are raised, whatever override reason is given."""
    offer = compiled.standard.offer(offer_id)
    if offer is None or not offer.treatment:
        return []
    blocking = {a.id for a in compiled.standard.actions if a.blocks_grant}
    return [a["text"] for a in result.get("actions", []) if a["id"] in blocking]
