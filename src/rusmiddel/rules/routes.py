"""Which complaint route a decision goes by: from the offer and the citizen's substances.

An offer names its own route (`Offer.complaint_route`). Where the standard routes by
substance (`complaint_routing.by_substance`), a decision that treats only the substances a
rule lists goes by that rule's route instead: Helsingør's social route (SEL § 101: four weeks,
reassessment, Ankestyrelsen) becomes the alcohol route (SUL § 141: no appeal of the decision,
only of the general service level) for a citizen whose only problem is alcohol. What the
decision treats is the citizen's substances (the stored assessment's `use.substances`)
within the offer's; when the facts name none of them, the offer's own route stands. Parts of
an offer with a complaint body of their own (`complaint_routing.parts`: the medical part, to
Styrelsen for Patientklager) are named beside the decision's route, whatever the substance.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rusmiddel.standards.schema import ComplaintRoute, Offer, PartRoute, Standard

from .end_outcomes import treated_substances


@dataclass(frozen=True)
class RouteChoice:
    """The decision's route (None: no complaint, e.g. anonymous treatment) and the parts of
    the offer that are complained of elsewhere, each with its route."""

    route: ComplaintRoute | None
    parts: tuple[tuple[PartRoute, ComplaintRoute], ...] = ()

    @property
    def route_id(self) -> str:
        """What a decision stores ("" for no route)."""
        return self.route.id if self.route else ""


def complaint_routes(
    standard: Standard, offer: Offer | None, facts: Mapping[str, Any] | None = None
) -> RouteChoice:
    """The complaint routes of a decision on `offer` for a citizen with `facts` (None or {}:
    nothing known, the offer's own route). Without an offer: the standard's default route."""
    if offer is None:
        return RouteChoice(standard.complaint_route(standard.default_complaint_route))
    route_id = offer.complaint_route
    routing = standard.complaint_routing
    treated = treated_substances(offer.substances, facts)
    if routing is not None and route_id is not None and treated:
        for rule in routing.by_substance:
            if rule.route == route_id and treated <= frozenset(rule.substances):
                route_id = rule.becomes
                break
    route = standard.complaint_route(route_id) if route_id else None
    parts: list[tuple[PartRoute, ComplaintRoute]] = []
    for part in routing.parts if routing else ():
        part_route = standard.complaint_route(part.route)
        if offer.id in part.offers and part_route is not None and part_route != route:
            parts.append((part, part_route))
    return RouteChoice(route, tuple(parts))
