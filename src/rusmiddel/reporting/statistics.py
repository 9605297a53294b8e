"""Management statistics for heads of unit: counts and shares, never a person.

Every figure is one aggregate SQL query over the municipality's rows (GROUP BY in the
database, no Python loop over cases), the same on SQLite and PostgreSQL. Python only shapes
the few aggregated rows (one per month, offer, substance …) into tables.

Definitions (also shown on the page):

* **Treatment guarantee, per month of the guarantee date** (`rules.guarantee`, the one
  definition the waitlist page uses too). Every contact with a wish for treatment that has a
  guarantee date (a `Deadline` of kind `treatment_guarantee`) is a request; requests on a
  case less than 10 days apart, the earlier not started when the later came, are one (the
  national statistics' merge; the first date counts). On the day the page is read a request
  is *met* (treatment started on or before its guarantee date: the deadline's `met_on`),
  *missed* (started later), *pending_overdue* (the date has passed without a start) or
  *pending* (the date has not passed). Share kept = met / (met + missed + pending_overdue),
  per calendar month of the guarantee date; pending requests are shown, not counted. The
  period and the filters select requests by their guarantee date, and by the offer and
  provider of the course that started them (not started: the latest granted decision's
  offer, else the offer asked for; the case's provider).
* **Waiting days** = the start − the request's receipt, for the same requests, started by
  the day the page is read: a histogram in buckets 0–7, 8–14, 15–28 and 29+ days, and the
  median. SQL counts requests per exact number of days (one row per distinct day count,
  not per request); the median is read off that frequency table.
* **Caseload** per offer and provider: courses active on the period's last day (started on
  or before it, not ended before it) and courses started in the period.
* **Outcomes** per substance, of courses ended in the period, against the government's
  goals (`rules.end_outcomes.GOALS`: drugs — drug-free, reduced, stabilised; alcohol —
  alcohol-free, reduced, referred). Share = ended in a goal category / all ended.
* **Follow-up** per 1 and 6 months: follow-ups due in the period; done (an answer
  recorded); reached (the citizen was reached). Share = reached / due.
* **FIT change**: courses running in the period (started by its end, not ended before its
  start) with at least two ORS scores up to the period end whose latest ORS falls in the
  period (so a score on a session dated after its course ended counts only while that end
  is in the period); change = latest − first ORS total; mean change and the share
  with a reliable improvement (change ≥ the ORS `reliable_change` of the municipality's
  standard) or deterioration (≤ −that).

Filters: period (from, to, both included), offer (the course's offer) and provider (the
course's provider).

Anonymous cases (SEL § 101 a) are counted with the rest, but never shown as a tiny number:
every count that includes an anonymous course and is 1 or 2 is shown as "<3" (in the page
and the downloads), and a share whose denominator is so suppressed is not shown. Caseload
keeps anonymous courses in rows of their own with their own total, so no total mixes them
with named courses and no subtraction reveals them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from rusmiddel.accounts.permissions import Action
from rusmiddel.cases.models import (
    Contact,
    Course,
    Deadline,
    DeadlineKind,
    Decision,
    DecisionOutcome,
    FollowUp,
)
from rusmiddel.cases.scoping import require
from rusmiddel.rules import guarantee as gr
from rusmiddel.rules.end_outcomes import GOALS
from rusmiddel.standards import registry

#: Counts from 1 to this, when they include an anonymous course, are shown as "<3".
SMALL = 2
#: The waiting-day buckets (first, last day; None: open-ended).
WAIT_BUCKETS: tuple[tuple[int, int | None], ...] = ((0, 7), (8, 14), (15, 28), (29, None))


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date
    offer: str = ""  # "": every offer
    provider_id: int | None = None  # None: every provider


@dataclass(frozen=True)
class Count_:
    """A count, and how many of it are anonymous courses (for small-cell suppression)."""

    n: int
    anonymous: int = 0

    @property
    def suppressed(self) -> bool:
        return self.anonymous > 0 and 0 < self.n <= SMALL

    @property
    def shown(self) -> int | str:
        return f"<{SMALL + 1}" if self.suppressed else self.n


def share(part: Count_ | int, whole: Count_ | int) -> float | None:
    """part / whole in per cent (one decimal); None when whole is 0 or suppressed."""
    p = part.n if isinstance(part, Count_) else part
    w = whole.n if isinstance(whole, Count_) else whole
    if any(isinstance(c, Count_) and c.suppressed for c in (part, whole)):
        return None
    return round(100 * p / w, 1) if w else None


@dataclass(frozen=True)
class GuaranteeMonth:
    month: dt.date  # the first day of the month
    tally: gr.Tally  # the requests whose guarantee date falls in the month

    @property
    def covered(self) -> int:
        """The requests decided (kept or not); pending ones are not counted."""
        return self.tally.counted

    @property
    def met(self) -> int:
        return self.tally.met

    @property
    def share(self) -> float | None:
        return self.tally.share


@dataclass(frozen=True)
class Guarantee:
    months: list[GuaranteeMonth]
    buckets: list[tuple[str, int]]  # ("0–7", requests)
    tally: gr.Tally
    median_days: float | None

    @property
    def covered(self) -> int:
        return self.tally.counted

    @property
    def met(self) -> int:
        return self.tally.met

    @property
    def share(self) -> float | None:
        return self.tally.share

    @property
    def started(self) -> int:
        """The requests with a start: those the waiting days are of."""
        return self.tally.met + self.tally.missed


@dataclass(frozen=True)
class CaseloadRow:
    offer: str
    provider_id: int | None
    anonymous: bool
    active: Count_
    started: Count_


@dataclass(frozen=True)
class OutcomeRow:
    substance: str  # drugs | alcohol | "" (not set)
    by_outcome: dict[str, Count_]  # outcome ("" not set) → ended courses
    ended: Count_
    in_goal: Count_

    @property
    def share(self) -> float | None:
        """None for courses without a substance: there is no goal to measure them against."""
        return share(self.in_goal, self.ended) if self.substance in GOALS else None


@dataclass(frozen=True)
class FollowUpRow:
    months: int
    due: Count_
    done: Count_
    reached: Count_

    @property
    def share(self) -> float | None:
        return share(self.reached, self.due)


@dataclass(frozen=True)
class FitChange:
    courses: Count_
    mean_change: float | None
    threshold: float | None  # the standard's reliable change; None: not given
    improved: Count_ | None
    deteriorated: Count_ | None

    @property
    def improved_share(self) -> float | None:
        return share(self.improved, self.courses) if self.improved is not None else None

    @property
    def deteriorated_share(self) -> float | None:
        return share(self.deteriorated, self.courses) if self.deteriorated is not None else None


@dataclass(frozen=True)
class Statistics:
    filters: Filters
    guarantee: Guarantee
    caseload: list[CaseloadRow]
    outcomes: list[OutcomeRow]
    follow_ups: list[FollowUpRow]
    fit: FitChange


def _anon(prefix: str = "") -> Count:
    return Count("pk", filter=Q(**{f"{prefix}anonymous": True}))


def _courses(municipality_id: int, filters: Filters, prefix: str = "") -> Q:
    """The filter of courses (reached through `prefix`) in the municipality and filters."""
    q = Q(**{f"{prefix}municipality_id": municipality_id})
    if filters.offer:
        q &= Q(**{f"{prefix}offer": filters.offer})
    if filters.provider_id is not None:
        q &= Q(**{f"{prefix}provider_id": filters.provider_id})
    return q


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    months, day = [], start.replace(day=1)
    while day <= end:
        months.append(day)
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return months


def _month(value: Any) -> dt.date:
    """TruncMonth's answer as a date (a datetime on some backends)."""
    return value.date() if isinstance(value, dt.datetime) else value


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last twelve months: from the first day of the month eleven months back to today
    (the statistics page's default, and the waitlist's guarantee figure)."""
    month = today.month - 11
    year = today.year + (month - 1) // 12
    return dt.date(year, (month - 1) % 12 + 1, 1), today


def _received(ref: str = "source_id") -> Subquery:
    """The day the deadline's contact (the request) was received."""
    return Subquery(Contact.objects.filter(pk=OuterRef(ref)).values("received_on")[:1])


def guarantee_requests(*, municipality_id: int, filters: Filters) -> QuerySet[Deadline]:
    """The requests that count (`rules.guarantee.merged`, in SQL) whose guarantee date lies in
    the period, of the filters' offer and provider, each annotated with `received`. A
    guarantee the region took over (`closed_reason`, SUL § 82 c) is not the municipality's."""
    requests = Deadline.objects.filter(
        kind=DeadlineKind.TREATMENT_GUARANTEE, source_type="contact"
    ).annotate(received=_received())
    # merged into an earlier request on the case: less than MERGE_DAYS before (the contact's
    # id breaks a tie of one day), not started when this one came
    gap = ExpressionWrapper(OuterRef("received") - F("received"), output_field=DurationField())
    earlier = (
        requests.filter(case=OuterRef("case"))
        .alias(gap=gap)
        .filter(gap__lt=dt.timedelta(days=gr.MERGE_DAYS), gap__gte=dt.timedelta(0))
        .filter(Q(gap__gt=dt.timedelta(0)) | Q(source_id__lt=OuterRef("source_id")))
        .filter(Q(met_on__isnull=True) | Q(met_on__gt=OuterRef("received")))
    )
    rows = requests.filter(
        municipality_id=municipality_id,
        due_on__gte=filters.start,
        due_on__lte=filters.end,
        closed_reason="",  # handed over to the region (SUL § 82 c): neither kept nor missed
    ).filter(~Exists(earlier))
    if filters.offer or filters.provider_id is not None:
        # the course that started it; not started: the latest grant, else what was asked for
        course = Course.objects.filter(case=OuterRef("case"), started_on=OuterRef("met_on"))
        course = course.order_by("pk")
        grant = Decision.objects.filter(case=OuterRef("case"), outcome=DecisionOutcome.GRANTED)
        grant = grant.order_by("-decided_on", "-pk")
        asked = Contact.objects.filter(pk=OuterRef("source_id")).exclude(requested_offer="")
        if filters.offer:
            offer = Coalesce(
                Subquery(course.values("offer")[:1]),
                Subquery(grant.values("offer")[:1]),
                Subquery(asked.values("requested_offer")[:1]),
            )
            rows = rows.alias(request_offer=offer).filter(request_offer=filters.offer)
        if filters.provider_id is not None:
            provider = Coalesce(
                Subquery(course.values("provider_id")[:1]),
                F("provider_id"),
                output_field=BigIntegerField(),
            )
            rows = rows.alias(request_provider=provider).filter(
                request_provider=filters.provider_id
            )
    return rows


def guarantee_statistics(
    *, municipality_id: int, filters: Filters, today: dt.date | None = None
) -> Guarantee:
    """The guarantee kept per month of the guarantee date, and the waiting days, on `today`:
    one query (requests grouped by month, outcome and exact waiting days). The outcome is
    `rules.guarantee.guarantee_outcome` in SQL."""
    today = today or timezone.localdate()
    started = Q(met_on__isnull=False, met_on__gte=F("received"), met_on__lte=today)
    outcome = Case(
        When(started & Q(met_on__lte=F("due_on")), then=Value(gr.Outcome.MET.value)),
        When(started, then=Value(gr.Outcome.MISSED.value)),
        When(due_on__lt=today, then=Value(gr.Outcome.PENDING_OVERDUE.value)),
        default=Value(gr.Outcome.PENDING.value),
        output_field=CharField(),
    )
    wait = Case(
        When(started, then=F("met_on") - F("received")),
        default=None,
        output_field=DurationField(),
    )
    rows = (
        guarantee_requests(municipality_id=municipality_id, filters=filters)
        .annotate(month=TruncMonth("due_on"), outcome=outcome, wait=wait)
        .values("month", "outcome", "wait")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_month: dict[dt.date, dict[str, int]] = {}
    frequency: dict[int, int] = {}
    for row in rows:
        counts = by_month.setdefault(_month(row["month"]), {})
        counts[row["outcome"]] = counts.get(row["outcome"], 0) + row["n"]
        if row["wait"] is not None:
            days = row["wait"].days
            frequency[days] = frequency.get(days, 0) + row["n"]
    months = [
        GuaranteeMonth(m, gr.Tally(**by_month.get(m, {})))
        for m in _months(filters.start, filters.end)
    ]
    buckets = [
        (
            f"{low}–{high}" if high is not None else f"{low}+",
            sum(n for d, n in frequency.items() if d >= low and (high is None or d <= high)),
        )
        for low, high in WAIT_BUCKETS
    ]
    total = sum((m.tally for m in months), gr.Tally())
    return Guarantee(months=months, buckets=buckets, tally=total, median_days=_median(frequency))


def _median(frequency: dict[int, int]) -> float | None:
    """The median of values given as {value: how many}."""
    total = sum(frequency.values())
    if not total:
        return None
    wanted = [(total - 1) // 2, total // 2]  # the middle position(s), 0-based
    found: list[int] = []
    seen = 0
    for value in sorted(frequency):
        seen += frequency[value]
        while wanted and wanted[0] < seen:
            found.append(value)
            wanted.pop(0)
    return sum(found) / 2


def caseload_statistics(*, municipality_id: int, filters: Filters) -> list[CaseloadRow]:
    """Courses active on the period's last day and started in the period, per offer,
    provider and anonymity: one query."""
    active = Q(ended_on__isnull=True) | Q(ended_on__gt=filters.end)
    rows = (
        Course.objects.filter(_courses(municipality_id, filters), started_on__lte=filters.end)
        .filter(active | Q(started_on__gte=filters.start))
        .values("offer", "provider_id", "anonymous")
        .annotate(
            active=Count("pk", filter=active),
            started=Count("pk", filter=Q(started_on__gte=filters.start)),
        )
        .order_by("anonymous", "offer", "provider_id")
    )
    result = []
    for r in rows:
        anonymous = r["anonymous"]
        result.append(
            CaseloadRow(
                offer=r["offer"],
                provider_id=r["provider_id"],
                anonymous=anonymous,
                active=Count_(r["active"], r["active"] if anonymous else 0),
                started=Count_(r["started"], r["started"] if anonymous else 0),
            )
        )
    return result


def outcome_statistics(*, municipality_id: int, filters: Filters) -> list[OutcomeRow]:
    """Courses ended in the period per substance and outcome, against the goals: one query."""
    rows = (
        Course.objects.filter(
            _courses(municipality_id, filters),
            ended_on__gte=filters.start,
            ended_on__lte=filters.end,
        )
        .values("substance", "outcome")
        .annotate(n=Count("pk"), anon=_anon())
        .order_by()
    )
    cells: dict[str, dict[str, Count_]] = {}
    for r in rows:
        cells.setdefault(r["substance"], {})[r["outcome"]] = Count_(r["n"], r["anon"])
    result = []
    for substance in [*GOALS, ""]:
        by_outcome = cells.get(substance, {})
        if not by_outcome and substance not in GOALS:
            continue
        goals = GOALS.get(substance, ())
        result.append(
            OutcomeRow(
                substance=substance,
                by_outcome=by_outcome,
                ended=count_sum(by_outcome.values()),
                in_goal=count_sum(c for o, c in by_outcome.items() if o in goals),
            )
        )
    return result


def count_sum(counts: Any) -> Count_:
    """The sum of counts, keeping how many of it are anonymous."""
    counts = list(counts)
    return Count_(sum(c.n for c in counts), sum(c.anonymous for c in counts))


def follow_up_statistics(*, municipality_id: int, filters: Filters) -> list[FollowUpRow]:
    """Follow-ups due in the period per months after the ending: one query."""
    rows = (
        FollowUp.objects.filter(
            _courses(municipality_id, filters, "course__"),
            due_on__gte=filters.start,
            due_on__lte=filters.end,
        )
        .values("months")
        .annotate(
            n_due=Count("pk"),
            n_due_anon=_anon("course__"),
            n_done=Count("pk", filter=Q(done_on__isnull=False)),
            n_done_anon=Count("pk", filter=Q(done_on__isnull=False, course__anonymous=True)),
            n_reached=Count("pk", filter=Q(reached=True)),
            n_reached_anon=Count("pk", filter=Q(reached=True, course__anonymous=True)),
        )
        .order_by("months")
    )
    found = {r["months"]: r for r in rows}
    result = []
    for months in sorted({1, 6} | set(found)):
        r = found.get(months, {})
        result.append(
            FollowUpRow(
                months=months,
                due=Count_(r.get("n_due", 0), r.get("n_due_anon", 0)),
                done=Count_(r.get("n_done", 0), r.get("n_done_anon", 0)),
                reached=Count_(r.get("n_reached", 0), r.get("n_reached_anon", 0)),
            )
        )
    return result


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


#: FIT change in one statement: number each course's ORS scores from the first and from the
#: latest (window functions, on SQLite and PostgreSQL alike), keep one row per course, then
#: aggregate. Scores are read only for courses running in the period, through the session
#: index (course, starts_at), so the cost follows a year's courses, not ten years' sessions.
_FIT_SQL = """
WITH ors AS (
  SELECT s.course_id, f.total, s.starts_at,
         CASE WHEN co.anonymous THEN 1 ELSE 0 END AS anon,
         ROW_NUMBER() OVER (PARTITION BY s.course_id ORDER BY s.starts_at, s.id) AS from_first,
         ROW_NUMBER() OVER (
           PARTITION BY s.course_id ORDER BY s.starts_at DESC, s.id DESC) AS from_latest
  FROM cases_course co
  JOIN cases_session s ON s.course_id = co.id AND s.starts_at < %(until)s
  JOIN outcomes_fitscore f ON f.session_id = s.id AND f.instrument = 'ors'
  WHERE co.municipality_id = %(municipality)s AND co.started_on <= %(end)s
    AND (co.ended_on IS NULL OR co.ended_on >= %(start)s) {extra}
), courses AS (
  SELECT course_id, MAX(anon) AS anon, COUNT(*) AS scores,
         MAX(CASE WHEN from_latest = 1 THEN starts_at END) AS latest_at,
         MAX(CASE WHEN from_latest = 1 THEN total END)
           - MAX(CASE WHEN from_first = 1 THEN total END) AS change
  FROM ors GROUP BY course_id
)
SELECT COUNT(*), COALESCE(SUM(anon), 0), AVG(change),
       COALESCE(SUM(CASE WHEN change >= %(limit)s THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN change >= %(limit)s THEN anon ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN change <= -%(limit)s THEN 1 ELSE 0 END), 0),
       COALESCE(SUM(CASE WHEN change <= -%(limit)s THEN anon ELSE 0 END), 0)
FROM courses
WHERE scores >= 2 AND latest_at >= %(from)s AND latest_at < %(until)s
"""


def fit_statistics(*, municipality_id: int, filters: Filters, threshold: float | None) -> FitChange:
    """ORS change of courses measured in the period: one query (`_FIT_SQL`)."""
    ops = connection.ops
    params: dict[str, Any] = {
        "municipality": municipality_id,
        "start": ops.adapt_datefield_value(filters.start),
        "end": ops.adapt_datefield_value(filters.end),
        "from": ops.adapt_datetimefield_value(_day_start(filters.start)),
        "until": ops.adapt_datetimefield_value(_day_start(filters.end + dt.timedelta(days=1))),
        "limit": float(threshold or 0),
    }
    extra = ""
    if filters.offer:
        extra += " AND co.offer = %(offer)s"
        params["offer"] = filters.offer
    if filters.provider_id is not None:
        extra += " AND co.provider_id = %(provider)s"
        params["provider"] = filters.provider_id
    with connection.cursor() as cursor:
        cursor.execute(_FIT_SQL.format(extra=extra), params)
        n, anon, mean, up, up_anon, down, down_anon = cursor.fetchone()
    courses = Count_(n, anon)
    return FitChange(
        courses=courses,
        mean_change=(
            round(float(mean), 1) if mean is not None and not courses.suppressed else None
        ),
        threshold=threshold,
        improved=Count_(up, up_anon) if threshold is not None else None,
        deteriorated=Count_(down, down_anon) if threshold is not None else None,
    )


def ors_reliable_change(municipality_slug: str, on: dt.date) -> float | None:
    """The ORS reliable-change threshold of the standard in force on `on` (None: none)."""
    ors = registry.load(municipality_slug, on).standard.instrument("ors")
    return ors.reliable_change if ors else None


def management_statistics(
    *, user: Any, filters: Filters, today: dt.date | None = None
) -> Statistics:
    """Every statistic of the page for the user's municipality (heads of unit and
    administrators; Forbidden otherwise) as on `today`: five aggregate queries, whatever the
    data size."""
    staff = require(user, Action.STATISTICS_READ)
    m = staff.municipality_id
    threshold = ors_reliable_change(staff.municipality.slug, filters.end)
    return Statistics(
        filters=filters,
        guarantee=guarantee_statistics(municipality_id=m, filters=filters, today=today),
        caseload=caseload_statistics(municipality_id=m, filters=filters),
        outcomes=outcome_statistics(municipality_id=m, filters=filters),
        follow_ups=follow_up_statistics(municipality_id=m, filters=filters),
        fit=fit_statistics(municipality_id=m, filters=filters, threshold=threshold),
    )
