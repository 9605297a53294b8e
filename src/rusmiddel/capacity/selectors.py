"""Reads for the waitlist page and the API: who waits, where there is room, who goes first,
what each can be offered, and the forecast. A fixed number of queries, whatever the data.

Waiting: a granted decision with no course started on it, on a case not ended. The order
is the standard's (`waitlist.order`, rules/waitlist.py); capacity is the `Capacity` rows and
the group runs' seats; the proposals and the forecast are the pure rules' (rules/waitlist.py,
rules/forecast.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery

from rusmiddel import rules
from rusmiddel.accounts.models import Provider
from rusmiddel.accounts.permissions import Action
from rusmiddel.audit.models import Event
from rusmiddel.audit.services import audit_reads
from rusmiddel.cases.models import (
    Case,
    CaseStatus,
    Contact,
    Course,
    CourseStatus,
    Deadline,
    DeadlineKind,
    Decision,
    DecisionOutcome,
    Evaluation,
    FreeChoiceOutcome,
)
from rusmiddel.cases.scoping import case_filter, require
from rusmiddel.groups.models import Group
from rusmiddel.rules import forecast as fc
from rusmiddel.rules import waitlist as wl
from rusmiddel.rules.errors import RulesError
from rusmiddel.standards import registry
from rusmiddel.standards.schema import Offer, Standard

from .models import Capacity, CapacityKind

#: How long a simulated forecast is kept: a day, since waiting days change with the date.
FORECAST_CACHE_SECONDS = 24 * 3600

#: The forecast's history: inflow and lengths of stay of the last twelve months.
HISTORY_DAYS = 365
DEFAULT_LENGTH_DAYS = 90
#: Group runs started longer ago than this are over (no group offer runs half a year).
GROUP_RUNS_BACK_DAYS = 200
#: The what-if: inflow +20 % (and one group fewer).
WHAT_IF_INFLOW = 1.2


def length_days(offer: Offer | None) -> int:
    """How long a course of the offer typically holds its place (the standard's duration)."""
    d = offer.duration if offer else None
    if d is None:
        return DEFAULT_LENGTH_DAYS
    if d.weeks:
        return d.weeks * 7
    months = d.months_max or d.months_min
    return round(months * 30.44) if months else DEFAULT_LENGTH_DAYS


@dataclass(frozen=True)
class WaitRow:
    """One line of the waitlist as the page and the API show it."""

    position: int
    case: Case
    decision: Decision
    offer_title: str
    proposal: wl.Proposal
    priority_texts: tuple[str, ...]

    @property
    def waiting(self) -> wl.Waiting:
        return self.proposal.waiting


@dataclass(frozen=True)
class Board:
    """The morning's view of a municipality's waitlists."""

    today: dt.date
    rows: tuple[WaitRow, ...]
    lines: tuple[wl.Line, ...]
    providers: dict[str, str]  # slug → name
    order: tuple[str, ...]

    @property
    def share(self) -> tuple[int, int]:
        return wl.guarantee_share([r.proposal for r in self.rows])


def _standard(slug: str, on: dt.date) -> Standard | None:
    try:
        return registry.load(slug, on).standard
    except RulesError:
        return None


def _waiting_decisions_all(municipality_id: int) -> QuerySet[Decision]:
    """Every waiting decision of the municipality: granted, no course started on it, the case
    not ended; with the day of the first contact that asked for treatment."""
    first_contact = (
        Contact.objects.filter(case=OuterRef("case"), wishes_treatment=True)
        .order_by("received_on")
        .values("received_on")[:1]
    )
    return (
        Decision.objects.filter(
            case__municipality_id=municipality_id, outcome=DecisionOutcome.GRANTED
        )
        .exclude(case__status=CaseStatus.ENDED)
        .filter(~Exists(Course.objects.filter(decision=OuterRef("pk"))))
        .annotate(waiting_since=Subquery(first_contact))
    )


def _waiting_decisions(user: Any, municipality_id: int) -> QuerySet[Decision]:
    """The waiting decisions on cases the user may see, with what the order needs: the
    priority groups of the latest evaluation and the open treatment guarantee's last day."""
    q = case_filter(user, "case__")
    if q is None:
        return Decision.objects.none()
    latest_eval = Evaluation.objects.filter(case=OuterRef("case")).order_by("-pk")
    open_guarantee = Deadline.objects.filter(
        case=OuterRef("case"), kind=DeadlineKind.TREATMENT_GUARANTEE, met_on__isnull=True
    ).order_by("due_on")
    return (
        _waiting_decisions_all(municipality_id)
        .filter(q)
        .select_related("case__citizen", "provider")
        .annotate(
            priorities=Subquery(latest_eval.values("result__priorities")[:1]),
            guarantee_due=Subquery(open_guarantee.values("due_on")[:1]),
        )
        .order_by("pk")
    )


def _waiting(d: Decision) -> wl.Waiting:
    priorities = d.priorities if isinstance(d.priorities, list) else []
    wish = (
        d.provider.slug
        if d.provider_id and d.free_choice_outcome == FreeChoiceOutcome.GRANTED
        else None
    )
    return wl.Waiting(
        key=d.pk,
        case_id=d.case_id,
        offer=d.offer,
        waiting_since=d.waiting_since or d.decided_on,
        guarantee_due=d.guarantee_due,
        earliest=d.decided_on,
        priorities=tuple(priorities),
        birth_date=d.case.citizen.birth_date if d.case.citizen_id else None,
        wish=wish,
    )


def capacity_lines(
    *,
    municipality_id: int,
    standard: Standard,
    today: dt.date,
    capacity_id: int | None = None,
    group_id: int | None = None,
) -> list[wl.Line]:
    """The municipality's capacity from today on, with what is already taken: places held by
    active courses (to their expected end), starts booked per week, seats taken per run.
    `capacity_id`/`group_id` narrows to one line (the booking's)."""
    caps = Capacity.objects.filter(municipality_id=municipality_id).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )
    groups = Group.objects.filter(municipality_id=municipality_id)
    if capacity_id is not None or group_id is not None:
        caps = caps.filter(pk=capacity_id) if capacity_id is not None else caps.none()
        groups = groups.filter(pk=group_id) if group_id is not None else groups.none()
    caps = list(caps.select_related("provider"))
    groups = list(
        groups.filter(starts_on__gte=today - dt.timedelta(days=GROUP_RUNS_BACK_DAYS))
        .select_related("provider")
        .annotate(taken=Count("enrolments"))
    )
    offers = {c.offer for c in caps}
    courses: dict[tuple[str, int], list[tuple[dt.date, str]]] = defaultdict(list)
    if offers:
        rows = Course.objects.filter(
            case__municipality_id=municipality_id,
            offer__in=offers,
            status=CourseStatus.ACTIVE,
            provider_id__isnull=False,
        ).values_list("offer", "provider_id", "started_on")
        for offer, provider_id, started_on in rows:
            courses[(offer, provider_id)].append(started_on)
    lines: list[wl.Line] = []
    for c in caps:
        offer = standard.offer(c.offer)
        length = length_days(offer)
        started = courses.get((c.offer, c.provider_id), [])
        if c.kind == CapacityKind.PLACES:
            # a course booked to start later holds its place from its start
            extra: dict[str, Any] = {
                "busy": tuple((s, s + dt.timedelta(days=length)) for s in started)
            }
        else:
            extra = {"starts": tuple(started)}
        line = wl.Line(
            key=f"capacity:{c.pk}",
            offer=c.offer,
            provider=c.provider.slug,
            kind=c.kind,
            amount=c.amount,
            valid_from=c.valid_from,
            valid_until=c.valid_until,
            age_min=c.age_min,
            age_max=c.age_max,
            length_days=length,
            **extra,
        )
        lines.append(line)
    for g in groups:
        offer = standard.offer(g.offer)
        if offer is None or offer.schedule is None:
            continue
        try:
            meetings = tuple(
                dict.fromkeys(
                    s.start.date() for s in rules.group_sessions(offer, g.starts_on, g.stop_day)
                )
            )
        except RulesError:
            continue
        if not meetings or meetings[-1] < today:
            continue
        lines.append(
            wl.Line(
                key=f"group:{g.pk}",
                offer=g.offer,
                provider=g.provider.slug,
                kind="group",
                amount=g.seats,
                valid_from=g.starts_on,
                taken=g.taken,
                meetings=meetings,
                rolling=offer.schedule.rolling_intake,
                length_days=(meetings[-1] - meetings[0]).days + 1,
            )
        )
    return lines


def age_bands(standard: Standard) -> dict[str, tuple[int | None, int | None]]:
    return {o.id: (o.age.min, o.age.max) for o in standard.offers if o.age}


def priority_ranks(standard: Standard) -> dict[str, dict[str, int]]:
    ranks: dict[str, dict[str, int]] = defaultdict(dict)
    for p in standard.priorities:
        for offer in p.offers:
            ranks[offer][p.id] = p.rank
    return dict(ranks)


def waitlist_board(
    *, user: Any, today: dt.date, why: str = "venteliste", only_late: bool = False
) -> Board:
    """The waitlist of every offer in the user's municipality (the cases the user may see),
    in the standard's order, each with its proposal; the read is logged per case shown.
    `only_late`: only those who cannot start within the guarantee (the breaches coming)."""
    staff = require(user, Action.WAITLIST_READ)
    municipality = staff.municipality
    standard = _standard(municipality.slug, today)
    if standard is None:
        return Board(today, (), (), {}, ())
    decisions = list(_waiting_decisions(user, municipality.pk))
    items = [_waiting(d) for d in decisions]
    order = tuple(standard.waitlist.order) if standard.waitlist else wl.DEFAULT_ORDER
    ordered = wl.waitlist_order(
        items, today=today, order=order, priorities=priority_ranks(standard)
    )
    lines = capacity_lines(municipality_id=municipality.pk, standard=standard, today=today)
    proposals = wl.proposals(ordered, lines, today=today, age_bands=age_bands(standard))
    by_key = {d.pk: d for d in decisions}
    texts = {p.id: p.text for p in standard.priorities}
    ranks = priority_ranks(standard)
    rows = []
    for n, p in enumerate(proposals, start=1):
        d = by_key[p.waiting.key]
        offer = standard.offer(d.offer)
        mine = ranks.get(d.offer, {})
        rows.append(
            WaitRow(
                position=n,
                case=d.case,
                decision=d,
                offer_title=offer.title if offer else d.offer,
                proposal=p,
                priority_texts=tuple(texts[x] for x in p.waiting.priorities if x in mine),
            )
        )
    providers = dict(
        Provider.objects.filter(municipalities=municipality).values_list("slug", "name")
    )
    if only_late:
        rows = [r for r in rows if not r.proposal.in_time and r.waiting.guarantee_due]
    audit_reads(actor=user, event=Event.CASE_LIST, case_ids=[r.case.pk for r in rows], why=why)
    return Board(today, tuple(rows), tuple(lines), providers, order)


def guarantee_kept_share(*, municipality_id: int) -> tuple[int, int]:
    """(kept, all) of the municipality's treatment-guarantee deadlines: kept when met (the
    course started, or is booked to start) on or before its last day."""
    rows = Deadline.objects.filter(
        municipality_id=municipality_id, kind=DeadlineKind.TREATMENT_GUARANTEE
    ).aggregate(
        all=Count("pk"),
        kept=Count("pk", filter=Q(met_on__isnull=False, met_on__lte=F("due_on"))),
    )
    return rows["kept"], rows["all"]


# --- the forecast ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OfferForecast:
    offer: str
    title: str
    scenario: fc.Scenario
    base: fc.Result
    what_if: fc.Result
    group_seats: int  # the seats taken away in the what-if (one group fewer), 0 if no group
    inflow: float  # the what-if's inflow factor


def _places(lines: list[wl.Line], today: dt.date, days: int, mean_stay: float) -> tuple[float, int]:
    """Places at once over the period: places as they are; weekly start slots as the places
    they keep filled (slots a week × weeks of stay, Little's law); a group's seats on the days
    it runs (mean over the period). Also the seats of one run (for 'one group fewer')."""
    places = 0.0
    seats: list[int] = []
    for line in lines:
        if line.kind == CapacityKind.PLACES:
            places += line.amount
        elif line.kind == CapacityKind.WEEKLY_SLOTS:
            places += line.amount * mean_stay / 7
        else:
            end = today + dt.timedelta(days=days)
            lo, hi = max(line.meetings[0], today), min(line.meetings[-1], end)
            share = max((hi - lo).days + 1, 0) / days
            places += line.amount * share
            seats.append(line.amount)
    one_run = round(sum(seats) / len(seats)) if seats else 0
    return places, one_run


def simulated(scenario: fc.Scenario, *, runs: int = fc.RUNS) -> fc.Result:
    """`forecast.simulate`, kept in the cache under its inputs. The simulation is a pure
    function of the scenario (its random draws are seeded), so a kept result is exactly what
    a new run would give: any change of inflow, stays, places or waiting (a grant, a start, a
    new day) is a new scenario and so a new key. It saves the page tens of milliseconds."""
    key = "forecast:" + hashlib.sha256(repr((scenario, runs, fc.DAYS)).encode()).hexdigest()
    result = cache.get(key)
    if result is None:
        result = fc.simulate(scenario, runs=runs)
        cache.set(key, result, timeout=FORECAST_CACHE_SECONDS)
    return result


def waitlist_forecast(
    *, user: Any, today: dt.date, inflow: float = WHAT_IF_INFLOW, runs: int = fc.RUNS
) -> list[OfferForecast]:
    """Per offer with capacity: the next eight weeks' expected waitlist and share of starts
    within the guarantee, from the last twelve months' inflow (grants) and lengths of stay,
    and a what-if (inflow × `inflow`, one group run fewer). Counts only, no person."""
    staff = require(user, Action.WAITLIST_READ)
    municipality = staff.municipality
    standard = _standard(municipality.slug, today)
    if standard is None:
        return []
    lines = capacity_lines(municipality_id=municipality.pk, standard=standard, today=today)
    by_offer: dict[str, list[wl.Line]] = defaultdict(list)
    for line in lines:
        by_offer[line.offer].append(line)
    if not by_offer:
        return []
    since = today - dt.timedelta(days=HISTORY_DAYS)
    scope = Q(case__municipality_id=municipality.pk, offer__in=list(by_offer))
    inflow_of = dict(
        Decision.objects.filter(scope, outcome=DecisionOutcome.GRANTED, decided_on__gt=since)
        .values("offer")
        .annotate(n=Count("pk"))
        .values_list("offer", "n")
    )
    stays: dict[str, list[int]] = defaultdict(list)
    active: dict[str, list[dt.date]] = defaultdict(list)
    for offer, started, ended, status in Course.objects.filter(
        scope, Q(status=CourseStatus.ACTIVE) | Q(ended_on__gt=since)
    ).values_list("offer", "started_on", "ended_on", "status"):
        if status == CourseStatus.ACTIVE:
            active[offer].append(started)
        elif ended:
            stays[offer].append((ended - started).days)
    waiting: dict[str, list[int]] = defaultdict(list)
    for offer, since_on in (
        _waiting_decisions_all(municipality.pk)
        .filter(offer__in=list(by_offer))
        .values_list("offer", "waiting_since")
    ):
        waiting[offer].append((today - since_on).days if since_on else 0)
    guarantee = standard.deadlines.treatment_guarantee.days
    out = []
    for offer_id, offer_lines in by_offer.items():
        offer = standard.offer(offer_id)
        typical = length_days(offer)
        mean_stay = sum(stays[offer_id]) / len(stays[offer_id]) if stays[offer_id] else typical
        places, one_run = _places(offer_lines, today, fc.DAYS, mean_stay)
        scenario = fc.Scenario(
            arrivals_per_day=inflow_of.get(offer_id, 0) / HISTORY_DAYS,
            mean_stay_days=max(mean_stay, 1.0),
            places=round(places),
            occupied_days_left=tuple(
                max((s + dt.timedelta(days=typical) - today).days, wl.OVERDUE_GRACE_DAYS)
                for s in active[offer_id]
            ),
            waited_days=tuple(waiting[offer_id]),
            guarantee_days=guarantee,
        )
        out.append(
            OfferForecast(
                offer=offer_id,
                title=offer.title if offer else offer_id,
                scenario=scenario,
                base=simulated(scenario, runs=runs),
                what_if=simulated(
                    fc.what_if(scenario, inflow=inflow, fewer_places=one_run), runs=runs
                ),
                group_seats=one_run,
                inflow=inflow,
            )
        )
    return out


__all__ = [
    "Board",
    "OfferForecast",
    "WaitRow",
    "capacity_lines",
    "guarantee_kept_share",
    "length_days",
    "waitlist_board",
    "waitlist_forecast",
]
