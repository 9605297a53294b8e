"""Legal and follow-up deadlines computed from a standard.

Complaint deadlines follow Justitsministeriets vejledning nr. 9533 af 26. juni 2018 om
beregning af klagefrister: counted from the day of receipt (not included), weeks as weeks,
and a deadline ending on a Saturday, Sunday or public holiday moves to the next working
day. Receipt: Digital Post the same day; ordinary post six working days after the letter's
date; Quickpost two days after. The treatment guarantee (SEL § 101, stk. 4; SUL § 141,
stk. 2) is a maximum and is never moved later.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from rusmiddel.standards.schema import Offer, Standard

from .calendar import add_days, add_months, add_working_days, next_working_day
from .errors import InputError

Channel = Literal["digital_post", "post", "quickpost"]
CHANNELS: tuple[str, ...] = Channel.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class MovedDate:
    """A deadline and, when it fell on a closed day, the date it was moved from."""

    date: dt.date
    adjusted_from: dt.date | None = None


def received_on(sent: dt.date, channel: str) -> dt.date:
    """The day a decision counts as received, by how it was sent."""
    if channel == "digital_post":
        return sent
    if channel == "post":
        return add_working_days(sent, 6)
    if channel == "quickpost":
        return add_days(sent, 2)
    raise InputError(f"--channel: '{channel}' is not one of {', '.join(CHANNELS)}")


def deadline_in_weeks(received: dt.date, weeks: int) -> MovedDate:
    """`weeks` weeks after receipt; a closed last day moves to the next working day."""
    last = add_days(received, 7 * weeks)
    moved = next_working_day(last)
    return MovedDate(moved, last if moved != last else None)


def complaint_weeks(standard: Standard, offer: Offer | None) -> int | None:
    """The complaint deadline in weeks for this offer's route (None: no appeal with a deadline)."""
    route_id = offer.complaint_route if offer else standard.default_complaint_route
    route = standard.complaint_route(route_id)
    if route is None or not route.appealable:
        return None
    return route.deadline_weeks


def treatment_guarantee(
    standard: Standard, contact: dt.date, offer: Offer | None
) -> dt.date | None:
    """Latest start of treatment after a contact with a wish for treatment, or None if not
    covered (anonymous treatment, offers the standard leaves out)."""
    if offer is not None and not offer.guarantee:
        return None
    return add_days(contact, standard.deadlines.treatment_guarantee.days)


def guarantee_basis(standard: Standard, offer: Offer | None, covered: bool) -> str:
    """The sentence that explains the guarantee date, or why there is none."""
    if covered or offer is None:
        return standard.deadlines.treatment_guarantee.basis
    return offer.guarantee_note or f"{offer.title} er ikke omfattet af behandlingsgarantien"


def complaint_deadline(
    standard: Standard, offer: Offer | None, received: dt.date
) -> MovedDate | None:
    """The last day to complain of a decision received on `received` (None: no appeal)."""
    weeks = complaint_weeks(standard, offer)
    return None if weeks is None else deadline_in_weeks(received, weeks)


def follow_ups(standard: Standard, ended: dt.date) -> list[dt.date]:
    """Follow-up dates after a course ends (both seeds: one and six months)."""
    return [add_months(ended, m) for m in standard.deadlines.follow_up.months]
