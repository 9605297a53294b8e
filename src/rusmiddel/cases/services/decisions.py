"""Decisions (afgørelser): grant or refuse an offer on the stored evaluation, with reasoning
(forvaltningsloven §§ 22–24) and the complaint deadline of the decision's route: from the
offer and the citizen's substances in the assessment evaluated (`rules.complaint_routes`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from rusmiddel import rules
from rusmiddel.accounts.permissions import Action
from rusmiddel.audit.models import Event
from rusmiddel.audit.services import audit_record
from rusmiddel.letters.services import letter_for_decision
from rusmiddel.standards.citations import with_seed_wording
from rusmiddel.standards.schema import Offer, Standard

from ..errors import Invalid
from ..models import (
    CaseStatus,
    Decision,
    DecisionOutcome,
    FreeChoiceOutcome,
)
from ._common import (
    bump,
    case_assign,
    event_date_check,
    locked_case,
    offer_in,
    provider_in,
    standard_on,
)


def decision_reasoning(
    offer: Offer,
    offer_result: dict[str, Any],
    outcome: str,
    note: str,
    *,
    standard: Standard | None = None,
) -> str:
    """Forvaltningsloven §§ 22–24: the legal rules, the main facts and the assessment. With
    the `standard`, each citation carries the seed's own wording where it differs."""
    verb = "bevilget" if outcome == DecisionOutcome.GRANTED else "ikke bevilget"
    bases = with_seed_wording(standard, offer.legal_basis) if standard else offer.legal_basis
    met = [r["text"] for r in offer_result["reasons"] if r["met"] is True]
    failed = [r["text"] for r in offer_result["reasons"] if r["met"] is False]
    unknown = [r["text"] for r in offer_result["reasons"] if r["met"] is None]
    lines = [
        f"Du er {verb} {offer.title}.",
        f"Afgørelsen er truffet efter {', '.join(bases)}.",
    ]
    if met:
        lines.append("Vi har lagt vægt på, at: " + "; ".join(met) + ".")
    if failed:
        lines.append("Betingelserne er ikke opfyldt, fordi det ikke er tilfældet, at: ")
        lines[-1] += "; ".join(failed) + "."
    if unknown:
        lines.append("Vi mangler oplysninger om: " + "; ".join(unknown) + ".")
    if note.strip():
        lines.append(note.strip())
    return "\n".join(lines)


def decision_record(
    *,
    actor: Any,
    case_id: int,
    version: int,
    offer: str,
    outcome: str,
    decided_on: dt.date,
    send_channel: str = "digital_post",
    provider: str | None = None,
    free_choice_requested: str = "",
    free_choice_outcome: str = FreeChoiceOutcome.NOT_REQUESTED,
    override_reason: str = "",
    note: str = "",
) -> Decision:
    """Grant or refuse one offer on the latest evaluation. Granting an offer the evaluation
    does not find eligible needs an override reason; no reason lifts an action of the
    standard that blocks grants (e.g. a minor's missing consent). The complaint route
    follows the offer and the citizen's substances in the evaluated assessment, its deadline
    how the letter is sent."""
    if outcome not in DecisionOutcome.values:
        raise Invalid(f"Ukendt udfald '{outcome}' (granted eller refused).", field="outcome")
    if send_channel not in rules.CHANNELS:
        raise Invalid(
            f"Ukendt forsendelse '{send_channel}' (en af {', '.join(rules.CHANNELS)}).",
            field="send_channel",
        )
    if free_choice_outcome not in FreeChoiceOutcome.values:
        raise Invalid(f"Ukendt udfald '{free_choice_outcome}'.", field="free_choice_outcome")
    if free_choice_requested and free_choice_outcome == FreeChoiceOutcome.NOT_REQUESTED:
        raise Invalid(
            "Borgeren har ønsket et andet tilbud: angiv om ønsket imødekommes.",
            field="free_choice_outcome",
        )
    with transaction.atomic():
        case = locked_case(
            actor=actor, case_id=case_id, version=version, action=Action.DECISION_RECORD
        )
        evaluation = case.evaluations.order_by("-created_at", "-id").first()
        if evaluation is None:
            raise Invalid("Sagen er ikke udredt: registrér udredningen først.", field="offer")
        compiled = standard_on(case.municipality.slug, evaluation.evaluated_on)
        chosen = offer_in(compiled, offer)
        result = evaluation.offer_result(offer)
        blockers = rules.grant_blockers(compiled, offer, evaluation.result)
        if outcome == DecisionOutcome.GRANTED and blockers:
            raise Invalid(
                f"{chosen.title} kan ikke bevilges, heller ikke ved at fravige visitationen, "
                "så længe dette udestår: " + " ".join(blockers),
                field="outcome",
            )
        if (
            outcome == DecisionOutcome.GRANTED
            and result["status"] != "eligible"
            and not override_reason.strip()
        ):
            raise Invalid(
                f"{chosen.title} kan ikke bevilges efter visitationen "
                f"({result['status']}); skriv en begrundelse for at fravige den.",
                field="override_reason",
            )
        # dated ahead, the letter would go out with a complaint deadline months away and no
        # course could start before it
        event_date_check(
            decided_on,
            field="decided_on",
            what="Afgørelsens dato",
            follows=((evaluation.evaluated_on, "udredningen"),),
        )
        received = rules.received_on(decided_on, send_channel)
        facts = evaluation.assessment.facts
        routes = rules.complaint_routes(compiled.standard, chosen, facts)
        deadline = rules.complaint_deadline(compiled.standard, chosen, received, facts)
        chosen_provider = provider_in(provider, case.municipality) or case.provider
        decision = Decision.objects.create(
            case=case,
            evaluation=evaluation,
            offer=offer,
            outcome=outcome,
            evaluation_status=result["status"],
            reasoning=decision_reasoning(chosen, result, outcome, note, standard=compiled.standard),
            override_reason=override_reason.strip(),
            legal_basis=list(chosen.legal_basis),
            provider=chosen_provider,
            free_choice_requested=free_choice_requested,
            free_choice_outcome=free_choice_outcome,
            decided_on=decided_on,
            sent_on=decided_on,
            send_channel=send_channel,
            received_on=received,
            complaint_route=routes.route_id,
            complaint_deadline=deadline.date if deadline else None,
            standard_version=evaluation.standard_version,
            decided_by=actor,
        )
        if outcome == DecisionOutcome.GRANTED and chosen_provider and not case.provider_id:
            case_assign(case, provider=chosen_provider)
        if case.caseworker_id is None and actor.staff.role == "caseworker":
            case_assign(case, caseworker=actor)
        letter_for_decision(decision=decision, actor=actor)
        bump(case, status=CaseStatus.DECIDED if case.status in ("contact", "assessment") else None)
        audit_record(
            actor=actor,
            event=Event.DECISION_RECORDED,
            write=True,
            case_id=case.pk,
            obj=decision,
            new={
                "offer": offer,
                "outcome": outcome,
                "evaluation_status": result["status"],
                "override_reason": decision.override_reason,
                "complaint_route": routes.route_id,
                "complaint_deadline": deadline.date.isoformat() if deadline else None,
            },
        )
    return decision
