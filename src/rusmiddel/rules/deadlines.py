"""Legal and follow-up deadlines computed from a standard.

Complaint deadlines follow Justitsministeriets vejledning nr. 9533 af 26. juni 2018 om
beregning af klagefrister: counted from the day of receipt (not included), weeks as weeks,
and a deadline ending on a Saturday, Sunday or public holiday moves to the next working
day. Receipt: Digital Post the same day; ordinary post six working days after the letter's
date; Quickpost two days after. The treatment guarantee (SEL § 101, stk. 4; SUL § 141,
stk. 2; SUL § 142 for medical treatment; barnets lov § 33 under 18, as the standard's
`treatment_guarantee.bases` say) is a maximum and is never moved later.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from rusmiddel.standards.schema import ComplaintRoute, Duration, DurationVariant, Offer, Standard

from .calendar import add_days, add_months, add_working_days, danish_date, next_working_day
from .end_outcomes import SUBSTANCES, citizen_substances, treated_substances
from .errors import InputError
from .routes import complaint_routes

Facts = Mapping[str, Any] | None

#: Consecutive no-shows that flag a course, where the standard does not say (`no_shows`).
DEFAULT_NO_SHOW_LIMIT = 3

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


def complaint_weeks(standard: Standard, offer: Offer | None, facts: Facts = None) -> int | None:
    """The complaint deadline in weeks of the decision's route, from the offer and the
    citizen's substances (None: no appeal with a deadline)."""
    route = complaint_routes(standard, offer, facts).route
    if route is None or not route.appealable:
        return None
    return route.deadline_weeks


def reassessment_weeks(route: ComplaintRoute) -> int:
    """Weeks the first instance has to reassess a complaint (and forward it if it upholds the
    decision): the route's `reassessment_weeks` (retssikkerhedsloven §§ 66–67: four)."""
    return route.reassessment_weeks


def no_show_limit(standard: Standard) -> int:
    """Consecutive no-shows that flag a course for a talk about ending it."""
    return standard.no_shows.limit if standard.no_shows else DEFAULT_NO_SHOW_LIMIT


def typical_duration(offer: Offer, age: int | None = None) -> Duration | DurationVariant | None:
    """The offer's typical duration for a citizen of `age`: the first variant whose age band
    fits, else the offer's own duration (None: the standard gives none)."""
    duration = offer.duration
    if duration is None or age is None:
        return duration
    for variant in duration.variants:
        band = variant.age
        if (band.min is None or age >= band.min) and (band.max is None or age <= band.max):
            return variant
    return duration


def treatment_guarantee(
    standard: Standard, contact: dt.date, offer: Offer | None
) -> dt.date | None:
    """Latest start of treatment after a contact with a wish for treatment, or None if not
    covered (anonymous treatment, offers the standard leaves out)."""
    if offer is not None and not offer.guarantee:
        return None
    return add_days(contact, standard.deadlines.treatment_guarantee.days)


def guarantee_basis(
    standard: Standard,
    offer: Offer | None,
    covered: bool,
    *,
    contact: dt.date | None = None,
    age: int | None = None,
    facts: Facts = None,
) -> str:
    """The law the guarantee rests on for this offer and citizen, or why there is none: the
    first of the standard's `treatment_guarantee.bases` that fits (the offer asked for, the
    substances the treatment is for, the citizen's `age`), else the guarantee's own basis.
    An offer not covered takes only a rule naming it (what the guarantee then means), else
    its note. A rule's `{date}` is the guarantee's last day counted from `contact`."""
    guarantee = standard.deadlines.treatment_guarantee
    offered = offer.substances if offer else SUBSTANCES
    treated = treated_substances(offered, facts) if offer else citizen_substances(facts)
    for rule in guarantee.bases:
        if rule.offers is not None and (offer is None or offer.id not in rule.offers):
            continue
        if not covered and rule.offers is None:
            continue
        if rule.substances is not None and not (treated and treated <= set(rule.substances)):
            continue
        if rule.max_age is not None and (age is None or age > rule.max_age):
            continue
        if rule.text is None:
            return rule.basis
        last = (
            danish_date(add_days(contact, guarantee.days))
            if contact
            else f"{guarantee.days} dage efter henvendelsen"
        )
        return " ".join(rule.text.replace("{date}", last).split())
    if covered or offer is None:
        return guarantee.basis
    return offer.guarantee_note or f"{offer.title} er ikke omfattet af behandlingsgarantien"


def complaint_deadline(
    standard: Standard, offer: Offer | None, received: dt.date, facts: Facts = None
) -> MovedDate | None:
    """The last day to complain of a decision received on `received` (None: no appeal), by
    the route the offer and the citizen's substances give."""
    weeks = complaint_weeks(standard, offer, facts)
    return None if weeks is None else deadline_in_weeks(received, weeks)


def follow_up_applies(
    standard: Standard, offer: Offer | None = None, facts: Facts = None, *, anonymous: bool = False
) -> bool:
    """Whether an ended course is followed up. A standard that follows up only courses for
    some substance problems (`follow_up.substances`, Helsingør: drugs) follows up a course on
    an offer for the citizen's own use whose treated substances (the citizen's within the
    offer's; the offer's own when the facts name none) include one of them; courses for
    relatives and professionals are no one's substance problem. `follow_up.anonymous: false`
    leaves out anonymous courses (Gentofte: the municipality holds no identity to follow up)."""
    rule = standard.deadlines.follow_up
    if anonymous and not rule.anonymous:
        return False
    if rule.substances is None:
        return True
    if offer is None:
        known = citizen_substances(facts)
        return not known or bool(known & set(rule.substances))
    if offer.audience != "user":
        return False
    treated = treated_substances(offer.substances, facts) or frozenset(offer.substances)
    return bool(treated & set(rule.substances))


#: How many days before its due date a follow-up may be done. Both seeds say when, not how
#: early: Gentofte follows up "efter en måned og igen efter seks måneder", Helsingør "en måned
#: og igen seks måneder efter" the course ended, and neither gives a window (nor does the
#: schema: `deadlines.follow_up` has months, channels and who). Our reading: a follow-up asks
#: how the citizen has fared since the ending, so it is not done at the ending (before this,
#: both could be recorded on the end date); two weeks before the due date leaves the
#: consultant two working weeks to reach the citizen, and keeps the one-month follow-up at
#: least about two weeks after the end (halfway there). Late is allowed: an overdue
#: follow-up is still done, and the due list shows it overdue meanwhile.
FOLLOW_UP_EARLY_DAYS = 14


def follow_up_earliest(due: dt.date) -> dt.date:
    """The first day a follow-up due on `due` may be done (`FOLLOW_UP_EARLY_DAYS` before)."""
    return due - dt.timedelta(days=FOLLOW_UP_EARLY_DAYS)


def follow_ups(
    standard: Standard,
    ended: dt.date,
    offer: Offer | None = None,
    facts: Facts = None,
    *,
    anonymous: bool = False,
) -> list[dt.date]:
    """Follow-up dates after a course ends (both seeds: one and six months), or none where
    the standard does not follow up this course (see `follow_up_applies`)."""
    if not follow_up_applies(standard, offer, facts, anonymous=anonymous):
        return []
    return [add_months(ended, m) for m in standard.deadlines.follow_up.months]
