"""Reads for the waitlist page and the API: who waits, where there is room, who goes first,
what each can be offered, and the forecast. A fixed number of queries, whatever the data.

Waiting: a granted decision with no course started on it, on a case not ended. The order
is the standard's (`waitlist.order`, rules/waitlist.py); capacity is the `Capacity` rows and
the group runs' seats; the proposals and the forecast are the pure rules' (rules/waitlist.py,
rules/forecast.py).

What is counted from the data and names no one (the capacity taken, which decisions wait, the
forecast's counts, the guarantee kept) is kept in the cache under the municipality's last
audited write (`writes_mark`), so a page looked at again reads only the rows it shows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import (
    BigIntegerField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Greatest

from rusmiddel import rules
from rusmiddel.accounts.models import Provider
from rusmiddel.accounts.permissions import Action
from rusmiddel.audit.models import AuditChain, AuditEntry, Event
from rusmiddel.audit.services import audit_reads, chain_key
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
    DecisionStatus,
    Evaluation,
    FreeChoiceOutcome,
)
from rusmiddel.cases.scoping import case_filter, require
from rusmiddel.groups.models import Group
from rusmiddel.reporting.statistics import Filters, default_period, guarantee_statistics
from rusmiddel.rules import forecast as fc
from rusmiddel.rules import waitlist as wl
from rusmiddel.rules.compiled import CompiledStandard
from rusmiddel.rules.errors import RulesError
from rusmiddel.rules.guarantee import Tally
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
#: A case not ended, spelled as the statuses it may have, so that the (municipality, status)
#: index reads a municipality's open cases instead of all its cases of ten years.
OPEN_STATUSES = tuple(s for s in CaseStatus.values if s != CaseStatus.ENDED)


def length_days(offer: Offer | None, age: int | None = None) -> int:
    """How long a course of the offer typically holds its place: the standard's typical
    duration for a citizen of `age` (`rules.typical_duration`: Helsingør's residential stay
    is up to six weeks under 25, three months from 25), the offer's own without an age."""
    d = rules.typical_duration(offer, age) if offer else None
    if d is None:
        return DEFAULT_LENGTH_DAYS
    if d.weeks:
        return d.weeks * 7
    months = d.months_max or getattr(d, "months_min", None)  # a variant gives no minimum
    return round(months * 30.44) if months else DEFAULT_LENGTH_DAYS


def length_days_for(offer: Offer | None, birth_date: dt.date | None, on: dt.date) -> int:
    """`length_days` for a citizen born `birth_date` (None: anonymous, the offer's own) whose
    course starts on `on`."""
    return length_days(offer, rules.age_on(birth_date, on) if birth_date else None)


@dataclass(frozen=True)
class WaitRow:
    """One line of the waitlist as the page and the API show it."""

    position: int
    case: Case
    decision: Decision
    offer_title: str
    proposal: wl.Proposal
    priority_texts: tuple[str, ...]
    key: tuple[int, ...] = ()  # its place in the order (`waitlist.sort_key`): the page cursor

    @property
    def waiting(self) -> wl.Waiting:
        return self.proposal.waiting


@dataclass(frozen=True)
class Board:
    """The morning's view of a municipality's waitlists. `rows` is the page asked for (all,
    unless a limit was given); `total`, `share` and `late` are of the whole list."""

    today: dt.date
    rows: tuple[WaitRow, ...]
    lines: tuple[wl.Line, ...]
    providers: dict[str, str]  # slug → name
    order: tuple[str, ...]
    share: tuple[int, int] = (0, 0)  # (can start in time, covered by the guarantee)
    total: int = 0
    late: tuple[WaitRow, ...] = ()  # who cannot start within the guarantee, in order
    next_after: tuple[int, ...] | None = None  # the cursor of the next page, if there is one


def _compiled(slug: str, on: dt.date) -> CompiledStandard | None:
    try:
        return registry.load(slug, on)
    except RulesError:
        return None


def _standard(slug: str, on: dt.date) -> Standard | None:
    compiled = _compiled(slug, on)
    return compiled.standard if compiled else None


def _waiting_decisions_all(municipality_id: int) -> QuerySet[Decision]:
    """Every waiting decision of the municipality: granted and standing (not withdrawn or
    corrected), no course started on it, the case not ended; with the day of the first
    contact that asked for treatment."""
    first_contact = (
        Contact.objects.filter(case=OuterRef("case"), wishes_treatment=True)
        .order_by("received_on")
        .values("received_on")[:1]
    )
    return (
        Decision.objects.filter(
            case__municipality_id=municipality_id,
            case__status__in=OPEN_STATUSES,
            outcome=DecisionOutcome.GRANTED,
            status=DecisionStatus.ACTIVE,
        )
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


def _waiting_rows(user: Any, municipality_id: int, mark: str | None) -> list[Decision]:
    """`_waiting_decisions`, read. With `mark` (`writes_mark`), which decisions wait is kept
    in the cache under it (ids only, per scope): finding them walks every open case of the
    municipality, reading them again by id is one index probe each, every condition checked
    anew."""
    waiting = _waiting_decisions(user, municipality_id)
    if mark is None:
        return list(waiting)
    scope = str(case_filter(user, "case__"))
    digest = hashlib.sha256(repr((scope, mark)).encode()).hexdigest()
    key = f"waiting-decisions:{municipality_id}:{digest}"
    ids = cache.get(key)
    if ids is None:
        rows = list(waiting)
        cache.set(key, [d.pk for d in rows], timeout=FORECAST_CACHE_SECONDS)
        return rows
    return list(waiting.filter(pk__in=ids)) if ids else []


def _waiting(d: Decision, standard: Standard, today: dt.date) -> wl.Waiting:
    priorities = d.priorities if isinstance(d.priorities, list) else []
    born = d.case.citizen.birth_date if d.case.citizen_id else None
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
        birth_date=born,
        wish=wish,
        # the stay as long as the citizen's age at the earliest start gives
        length_days=length_days_for(standard.offer(d.offer), born, max(today, d.decided_on)),
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
    # (start, the days it holds its place by its citizen's age at the start) per line
    courses: dict[tuple[str, int], list[tuple[dt.date, int]]] = defaultdict(list)
    if offers:
        rows = (
            # an active course has no end date: the (municipality, end) index's open range
            Course.objects.filter(
                municipality_id=municipality_id,
                ended_on__isnull=True,
                status=CourseStatus.ACTIVE,
                offer__in=offers,
                provider_id__isnull=False,
            )
            .order_by()
            # the citizen's birth date in the same query (a join, not a query per course)
            .values_list("offer", "provider_id", "started_on", "case__citizen__birth_date")
        )
        for offer, provider_id, started_on, born in rows:
            held = length_days_for(standard.offer(offer), born, started_on)
            courses[(offer, provider_id)].append((started_on, held))
    lines: list[wl.Line] = []
    for c in caps:
        offer = standard.offer(c.offer)
        length = length_days(offer)
        started = courses.get((c.offer, c.provider_id), [])
        if c.kind == CapacityKind.PLACES:
            # a course booked to start later holds its place from its start
            extra: dict[str, Any] = {
                "busy": tuple((s, s + dt.timedelta(days=held)) for s, held in started)
            }
        else:
            extra = {"starts": tuple(s for s, _ in started)}
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
            # each meeting day with the moment its first session begins
            firsts: dict[dt.date, dt.datetime] = {}
            for s in rules.group_sessions(
                offer, g.starts_on, g.stop_day, closed=standard.closed_days
            ):
                firsts.setdefault(s.start.date(), s.start)
        except RulesError:
            continue
        meetings = tuple(firsts)
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
                meeting_starts=tuple(firsts.values()),
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
    *,
    user: Any,
    today: dt.date,
    now: dt.datetime | None = None,
    why: str = "venteliste",
    only_late: bool = False,
    after: tuple[int, ...] | None = None,
    limit: int | None = None,
    mark: str | None = None,
) -> Board:
    """The waitlist of every offer in the user's municipality (the cases the user may see),
    in the standard's order, each with its proposal; the read is logged per case shown.
    `now`: the moment of `today` the proposals are made (from the same clock): no start is
    proposed that begins less than `waitlist.LEAD_TIME` after it.
    `only_late`: only those who cannot start within the guarantee (the breaches coming).
    `limit`/`after`: one page of at most `limit` rows after the row whose key is `after`;
    the proposals are still made for the whole list (who is first chooses first), but only
    the page and the breaches coming are read out, and logged. With `mark` (`writes_mark`),
    the capacity (no person in it) is kept in the cache under it; the waiting are read anew."""
    staff = require(user, Action.WAITLIST_READ)
    municipality = staff.municipality
    compiled = _compiled(municipality.slug, today)
    if compiled is None:
        return Board(today, (), (), {}, ())
    standard = compiled.standard
    decisions = _waiting_rows(user, municipality.pk, mark)
    items = [_waiting(d, standard, today) for d in decisions]
    order = tuple(standard.waitlist.order) if standard.waitlist else wl.DEFAULT_ORDER
    ranks = priority_ranks(standard)
    ordered = wl.waitlist_order(items, today=today, order=order, priorities=ranks)

    def read_lines() -> list[wl.Line]:
        return capacity_lines(municipality_id=municipality.pk, standard=standard, today=today)

    if mark is None:
        lines = read_lines()
    else:
        digest = hashlib.sha256(repr((compiled.version, mark)).encode()).hexdigest()
        lines = _kept(f"capacity-lines:{municipality.pk}:{today.isoformat()}:{digest}", read_lines)
    proposals = wl.proposals(ordered, lines, today=today, now=now, age_bands=age_bands(standard))
    by_key = {d.pk: d for d in decisions}
    texts = {p.id: p.text for p in standard.priorities}
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
                key=wl.sort_key(p.waiting, today=today, order=order, ranks=mine),
            )
        )
    share = wl.guarantee_share(proposals)
    late = [r for r in rows if not r.proposal.in_time and r.waiting.guarantee_due]
    if only_late:
        rows = late
    total = len(rows)
    if after is not None:
        rows = [r for r in rows if r.key > after]
    next_after = None
    if limit is not None and len(rows) > limit:
        rows = rows[:limit]
        next_after = rows[-1].key
    providers = dict(
        Provider.objects.filter(municipalities=municipality).values_list("slug", "name")
    )
    shown = {r.decision.pk for r in rows}
    read = [*rows, *(r for r in late if r.decision.pk not in shown)]
    audit_reads(actor=user, event=Event.CASE_LIST, case_ids=[r.case.pk for r in read], why=why)
    return Board(
        today, tuple(rows), tuple(lines), providers, order, share, total, tuple(late), next_after
    )


#: `writes_mark` looks back over at most two blocks of this many audit entries.
MARK_BLOCK = 1000


def writes_mark(municipality_id: int) -> str:
    """A mark that changes with every write to the municipality's data. Every write (a
    contact, a grant, a start, an ending, a booking, capacity) appends its audit entry in its
    own transaction, so a figure counted from the data and kept under this mark is exactly
    what counting again would give, until the next write. Reads are logged too but are no
    writes, so the mark stays while the waitlist is only looked at.

    The mark is the hash of the last write among the chain's latest one to two blocks of
    entries (a bounded index range however long the log); with no write there, it is the
    hash of the range's first entry, which stays until the range moves on a block."""
    head = AuditChain.objects.filter(key=chain_key(municipality_id)).values("seq")[:1]
    # aligned on a block: the same range while a block of reads is appended
    start = ExpressionWrapper(
        (Subquery(head) / MARK_BLOCK - 1) * MARK_BLOCK, output_field=BigIntegerField()
    )
    found = (
        AuditEntry.objects.filter(municipality_id=municipality_id)
        .alias(start=start)
        .filter(seq__gt=F("start"))
        .filter(Q(write=True) | Q(seq=Greatest(F("start"), 0) + 1))
        .order_by("-seq")
        .values_list("write", "hash")
        .first()
    )
    if found is None:
        return ""
    write, digest = found
    return digest if write else f"quiet:{digest}"


def _kept(key: str, compute: Any) -> Any:
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, timeout=FORECAST_CACHE_SECONDS)
    return found


def guarantee_kept_share(
    *, municipality_id: int, today: dt.date, mark: str | None = None
) -> GuaranteeFigure:
    """The treatment guarantee kept in the municipality over the statistics page's default
    period (the last twelve months), counted as that page counts it (`rules.guarantee`, in
    SQL by `reporting.statistics.guarantee_statistics`): the two pages show the same figure.
    With `mark` (`writes_mark`), the count is kept in the cache under it and the day."""
    start, end = default_period(today)

    def count() -> GuaranteeFigure:
        g = guarantee_statistics(
            municipality_id=municipality_id, filters=Filters(start=start, end=end), today=today
        )
        return GuaranteeFigure(start, end, g.tally)

    if mark is None:
        return count()
    return _kept(f"guarantee-kept:{municipality_id}:{today.isoformat()}:{mark}", count)


@dataclass(frozen=True)
class GuaranteeFigure:
    """The guarantee kept over a period (the requests whose guarantee date lies in it)."""

    start: dt.date
    end: dt.date
    tally: Tally


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


@dataclass(frozen=True)
class _History:
    """What the forecast counts per offer: grants of the last twelve months, the mean length
    of the courses ended in them, the starts of the active courses (each with the days it
    typically holds its place, by its citizen's age), and the days each one waiting has
    waited. Counts only, no person."""

    inflow: dict[str, int]
    mean_stay: dict[str, float]
    active: dict[str, list[tuple[dt.date, int]]]
    waited: dict[str, list[int]]


def _history(
    municipality_id: int, offers: list[str], today: dt.date, standard: Standard
) -> _History:
    since = today - dt.timedelta(days=HISTORY_DAYS)
    inflow_of = dict(
        Decision.objects.filter(
            case__municipality_id=municipality_id,
            offer__in=offers,
            outcome=DecisionOutcome.GRANTED,
            status=DecisionStatus.ACTIVE,  # a corrected grant counts once, by its replacement
            decided_on__gt=since,
        )
        .values("offer")
        .annotate(n=Count("pk"))
        .values_list("offer", "n")
    )
    stays: dict[str, list[int]] = defaultdict(list)
    active: dict[str, list[tuple[dt.date, int]]] = defaultdict(list)
    for offer, started, ended, status, born in (
        Course.objects.filter(municipality_id=municipality_id, offer__in=offers)
        .filter(Q(ended_on__isnull=True, status=CourseStatus.ACTIVE) | Q(ended_on__gt=since))
        .order_by()
        .values_list("offer", "started_on", "ended_on", "status", "case__citizen__birth_date")
    ):
        if status == CourseStatus.ACTIVE:
            active[offer].append((started, length_days_for(standard.offer(offer), born, started)))
        elif ended:
            stays[offer].append((ended - started).days)
    waited: dict[str, list[int]] = defaultdict(list)
    for offer, since_on in (
        _waiting_decisions_all(municipality_id)
        .filter(offer__in=offers)
        .values_list("offer", "waiting_since")
    ):
        waited[offer].append((today - since_on).days if since_on else 0)
    return _History(
        inflow=inflow_of,
        mean_stay={o: sum(v) / len(v) for o, v in stays.items()},
        active=dict(active),
        waited=dict(waited),
    )


def waitlist_forecast(
    *,
    user: Any,
    today: dt.date,
    inflow: float = WHAT_IF_INFLOW,
    runs: int = fc.RUNS,
    lines: Sequence[wl.Line] | None = None,
    mark: str | None = None,
) -> list[OfferForecast]:
    """Per offer with capacity: the next eight weeks' expected waitlist and share of starts
    within the guarantee, from the last twelve months' inflow (grants) and lengths of stay,
    and a what-if (inflow × `inflow`, one group run fewer). Counts only, no person.
    `lines`: the capacity as `waitlist_board` read it today (not read again). The counts
    are kept in the cache under the municipality's `writes_mark` (`mark`, if already read),
    so they are read again after any write, and each new day."""
    staff = require(user, Action.WAITLIST_READ)
    municipality = staff.municipality
    standard = _standard(municipality.slug, today)
    if standard is None:
        return []
    if lines is None:
        lines = capacity_lines(municipality_id=municipality.pk, standard=standard, today=today)
    by_offer: dict[str, list[wl.Line]] = defaultdict(list)
    for line in lines:
        by_offer[line.offer].append(line)
    if not by_offer:
        return []
    offers = sorted(by_offer)
    if mark is None:
        mark = writes_mark(municipality.pk)
    digest = hashlib.sha256(repr((offers, mark)).encode()).hexdigest()
    history: _History = _kept(
        f"forecast-history-by-age:{municipality.pk}:{today.isoformat()}:{digest}",
        lambda: _history(municipality.pk, offers, today, standard),
    )
    guarantee = standard.deadlines.treatment_guarantee.days
    out = []
    for offer_id, offer_lines in by_offer.items():
        offer = standard.offer(offer_id)
        typical = length_days(offer)
        mean_stay = history.mean_stay.get(offer_id, typical)
        places, one_run = _places(offer_lines, today, fc.DAYS, mean_stay)
        scenario = fc.Scenario(
            arrivals_per_day=history.inflow.get(offer_id, 0) / HISTORY_DAYS,
            mean_stay_days=max(mean_stay, 1.0),
            places=round(places),
            occupied_days_left=tuple(
                max((s + dt.timedelta(days=held) - today).days, wl.OVERDUE_GRACE_DAYS)
                for s, held in history.active.get(offer_id, ())
            ),
            waited_days=tuple(history.waited.get(offer_id, ())),
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
    "length_days_for",
    "waitlist_board",
    "waitlist_forecast",
    "writes_mark",
]
