"""The waitlist and the forecast as the JSON API answers them."""

from __future__ import annotations

from typing import Any

from rusmiddel.capacity.selectors import Board, OfferForecast
from rusmiddel.rules.forecast import Result


def _d(day: Any) -> str | None:
    return day.isoformat() if day else None


def board_json(board: Board) -> dict[str, Any]:
    in_time, covered = board.share
    return {
        "today": board.today.isoformat(),
        "order": list(board.order),
        "guarantee": {"in_time": in_time, "covered": covered},
        "items": [
            {
                "position": r.position,
                "case_id": r.case.pk,
                "case_number": r.case.number,
                "version": r.case.version,
                "decision_id": r.decision.pk,
                "offer": r.decision.offer,
                "waiting_since": _d(r.waiting.waiting_since),
                "guarantee_due": _d(r.waiting.guarantee_due),
                "days_left": r.proposal.days_left,
                "priorities": list(r.waiting.priorities),
                "proposal": (
                    {
                        "line": r.proposal.line.key,
                        "provider": r.proposal.line.provider,
                        "starts_on": _d(r.proposal.start),
                        "in_time": r.proposal.in_time,
                    }
                    if r.proposal.line
                    else None
                ),
                "remedies": [
                    {
                        "kind": x.kind,
                        "line": x.line.key,
                        "provider": x.line.provider,
                        "starts_on": _d(x.start),
                    }
                    for x in r.proposal.remedies
                ],
            }
            for r in board.rows
        ],
    }


def _result(result: Result) -> dict[str, Any]:
    return {
        "in_time_share": result.in_time_share,
        "weeks": [
            {
                "week": w.week,
                "waiting": round(w.waiting, 2),
                "occupied": round(w.occupied, 2),
                "starts": round(w.starts, 2),
                "in_time_share": w.in_time_share,
            }
            for w in result.weeks
        ],
    }


def forecast_json(f: OfferForecast) -> dict[str, Any]:
    sc = f.scenario
    return {
        "offer": f.offer,
        "arrivals_per_day": round(sc.arrivals_per_day, 4),
        "mean_stay_days": round(sc.mean_stay_days, 1),
        "places": sc.places,
        "base": _result(f.base),
        "what_if": {"inflow": f.inflow, "fewer_places": f.group_seats, **_result(f.what_if)},
    }
