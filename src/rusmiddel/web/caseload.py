"""The staff's daily lists: Mine sager (with search as you type), Frister, Opfølgning and Klager.

Views parse input, read through `rusmiddel.cases.scoping` and `selectors` (so a user only ever
sees what the role allows in the own municipality), write only through
`rusmiddel.cases.services`, and log every read of personal data with `audit_reads`. Every
list is one query (plus the audit INSERT) whatever the number of cases.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

from rusmiddel.accounts.models import Provider, Role
from rusmiddel.accounts.permissions import Action, may, sees_anonymous
from rusmiddel.audit.models import Event
from rusmiddel.audit.services import audit_reads
from rusmiddel.cases import limits, selectors, services
from rusmiddel.cases.errors import Conflict, Forbidden, NotFound, ServiceError
from rusmiddel.cases.models import (
    Case,
    CaseStatus,
    Citizen,
    Complaint,
    ComplaintStatus,
    Deadline,
    DeadlineKind,
    DecisionOutcome,
    EndOutcome,
    FollowUp,
    FollowUpChannel,
)
from rusmiddel.cases.scoping import case_filter, visible_cases
from rusmiddel.outcomes.key_facts import key_facts_missing
from rusmiddel.rules import follow_up_earliest
from rusmiddel.rules.errors import RulesError
from rusmiddel.standards import registry
from rusmiddel.web.pages import staff_for, staff_page

from .outcome_forms import KEY_FACT_CHOICES, KEY_FACT_LABELS, outcome_choices
from .templatetags.due import due_badge

#: Cases per page of Mine sager (keyset pagination on the next due date and the id).
PAGE_SIZE = 50
#: The columns of a case that Mine sager and the search show (with the next deadline).
CASE_ROW_FIELDS = (
    "number",
    "anonymous",
    "pseudonym",
    "status",
    "citizen__name",
    "caseworker__first_name",
    "caseworker__last_name",
    "caseworker__username",
)
#: At most this many search results; the user is asked to narrow the search beyond it.
SEARCH_LIMIT = 20
#: At least this many characters before a name, number or pseudonym is searched.
SEARCH_MIN = 2
#: At least this many digits before a CPR number is searched by its beginning.
CPR_PREFIX_MIN = 6
#: Open follow-ups and complaints shown at most (soonest first), reassessed complaints shown.
DUE_OVERVIEW_ROWS = 20  # per kind on Frister; the rest a page of its kind away
DUE_KIND_PAGE = 100  # rows per page of one kind
FOLLOW_UP_PAGE = 25
COMPLAINT_PAGE = 25
DONE_LIMIT = 10
#: Deadlines this close (in days) are shown in amber; overdue ones in red.
SOON_DAYS = 3
#: The horizons the due list can be limited to (days ahead); "" is every open deadline.
HORIZONS = [
    ("", gettext_lazy("Alle åbne frister")),
    ("7", gettext_lazy("7 dage")),
    ("14", gettext_lazy("14 dage")),
    ("30", gettext_lazy("30 dage")),
]

# Kept in Danish (the msgid) for comparison; shown through gettext.
CONFLICT_MESSAGE = gettext_noop("Sagen er ændret af en anden – hent siden igen. Intet er gemt.")
DIGITS = re.compile(r"[\d\s-]+")
DATE_DK = re.compile(r"(\d{1,2})[.\-/](\d{1,2})[.\-/](\d{4})")


# ---------------------------------------------------------------------------------------
# Shared helpers
# ---------------------------------------------------------------------------------------


def case_href(case_id: int) -> str:
    return reverse("web:case", args=[case_id])


def person_label(case: Case) -> str:
    """The citizen's name, or the chosen pseudonym of an anonymous case (only treatment roles
    ever see those)."""
    if case.anonymous:
        return f"{case.pseudonym} (anonym)"
    return case.citizen.name if case.citizen_id and case.citizen else "–"


def staff_name(user: Any) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


@dataclass(frozen=True)
class Due:
    """A date that falls due, seen from today: overdue in red, within three days in amber,
    always with words as well as colour."""

    on: dt.date
    days: int

    @classmethod
    def of(cls, on: dt.date | None, today: dt.date) -> Due | None:
        return None if on is None else cls(on, (on - today).days)

    @property
    def tone(self) -> str:
        """The DKFDS badge variant: error (overdue), warning (within three days) or none."""
        if self.days < 0:
            return "error"
        return "warning" if self.days <= SOON_DAYS else ""

    @property
    def label(self) -> str:
        if self.days < 0:
            return ngettext(
                "Overskredet med {n} dag", "Overskredet med {n} dage", -self.days
            ).format(n=-self.days)
        if self.days == 0:
            return _("I dag")
        if self.days == 1:
            return _("I morgen")
        return _("Om {n} dage").format(n=self.days)


def _day(on: dt.date | None) -> str:
    """A date as the lists show it (the templates' `date:"d.m.Y"`); "" for none."""
    return on.strftime("%d.%m.%Y") if on else ""


def _int(raw: str | None) -> int | None:
    try:
        return int(raw) if raw not in (None, "") else None
    except ValueError:
        return None


def _date(raw: str) -> dt.date | None:
    """A date typed as ÅÅÅÅ-MM-DD (the date field) or dd.mm.åååå."""
    raw = raw.strip()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        pass
    m = DATE_DK.fullmatch(raw)
    if m:
        try:
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
        except ValueError:
            return None
    return None


def _date_problem(raw: str, day: dt.date | None, missing: str) -> str | None:
    """What is wrong with a date typed into a row's form (`day`, as `_date` read it), if
    anything: missing, not a date, or outside the years a case can hold (`limits`)."""
    if day is None:
        return missing if not raw else _("Datoen er ikke gyldig – skriv den som dd.mm.åååå.")
    if not limits.day_in_range(day):
        return _(limits.DATE_RANGE_MESSAGE)
    return None


def _standard(slug: str, on: dt.date) -> Any:
    """The municipality's standard in force on `on` (for offer and route titles), or None."""
    try:
        return registry.load(slug, on).standard
    except RulesError:
        return None


def _standard_lookup(slug: str) -> Callable[[dt.date], Any]:
    """`_standard` for a page of rows: each version in force is looked up once."""
    days = registry.versions(slug)
    seen: dict[dt.date, Any] = {}

    def standard(on: dt.date) -> Any:
        in_force = bisect.bisect_right(days, on)
        if not in_force:
            return None
        day = days[in_force - 1]
        if day not in seen:
            seen[day] = _standard(slug, day)
        return seen[day]

    return standard


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _read(user: Any, case_ids: list[int], why: str) -> None:
    """One audit entry per case shown (in one INSERT), each case once."""
    audit_reads(actor=user, event=Event.CASE_LIST, case_ids=list(dict.fromkeys(case_ids)), why=why)


# ---------------------------------------------------------------------------------------
# Mine sager and search
# ---------------------------------------------------------------------------------------


def _first_open() -> QuerySet[Deadline]:
    return Deadline.objects.filter(case=OuterRef("pk"), met_on__isnull=True).order_by(
        "due_on", "pk"
    )


def _with_next_due(rows: QuerySet[Case]) -> QuerySet[Case]:
    """Each case with the date of its earliest open deadline: a correlated subquery, one
    probe of the open-deadlines index per case (an aggregate over a join would join every
    deadline of every case first)."""
    return rows.annotate(next_due=Subquery(_first_open().values("due_on")[:1]))


def _shown(ids: list[int]) -> list[Case]:
    """The cases `ids` as the lists show them (citizen, caseworker, next deadline and its
    kind), in the order of `ids`. Lists pick their page of ids first and join the rest for
    that page only: joined over every candidate, the planner reads every citizen."""
    rows = (
        _with_next_due(Case.objects.filter(pk__in=ids))
        .select_related("citizen", "caseworker")
        .only(*CASE_ROW_FIELDS)
        .annotate(next_kind=Subquery(_first_open().values("kind")[:1]))
    )
    by_id = {c.pk: c for c in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


def _caseload_rows(user: Any, staff: Any) -> QuerySet[Case]:
    """The user's caseload: a caseworker's own cases and the municipality's unassigned ones;
    every other role the cases visible to it."""
    rows = visible_cases(user)
    if staff.role == Role.CASEWORKER:
        # the municipality in each arm, so that each is one range of the (municipality,
        # caseworker) index, not a scan of every unassigned case in the country
        here = staff.municipality_id
        rows = rows.filter(
            Q(municipality_id=here, caseworker=user)
            | Q(municipality_id=here, caseworker__isnull=True)
        )
    return rows


def _decorate(cases: list[Case], today: dt.date) -> list[dict[str, Any]]:
    """The rows of `_case_table.html`: display strings made once here, in dicts, where the
    template finds each at its first lookup (on a model instance every lookup first fails
    as a subscript)."""
    unassigned = _("Ikke tildelt")
    rows = []
    for c in cases:
        due = Due.of(c.next_due, today)
        rows.append(
            {
                "pk": c.pk,
                "next_due": c.next_due,
                "href": case_href(c.pk),
                "number": c.number,
                "person": person_label(c),
                "status": str(CaseStatus(c.status).label),
                "caseworker_name": staff_name(c.caseworker) or unassigned,
                "due_on": _day(c.next_due),
                "next_kind_label": DeadlineKind(c.next_kind).label if c.next_kind else "",
                "badge": due_badge(due),
            }
        )
    return rows


def _cursor(raw: str | None) -> tuple[dt.date | None, int] | None:
    """`after=2026-12-01.42` (next due date and case id) or `after=ingen.42` (no deadline)."""
    if not raw or "." not in raw:
        return None
    day, _, pk = raw.partition(".")
    if not pk.isdigit():
        return None
    if day == "ingen":
        return None, int(pk)
    try:
        return dt.date.fromisoformat(day), int(pk)
    except ValueError:
        return None


def _after(rows: QuerySet[Case], cursor: tuple[dt.date | None, int]) -> QuerySet[Case]:
    due, pk = cursor
    if due is None:
        return rows.filter(next_due__isnull=True, pk__gt=pk)
    return rows.filter(Q(next_due__gt=due) | Q(next_due=due, pk__gt=pk) | Q(next_due__isnull=True))


def _caseload(request: HttpRequest, staff: Any, today: dt.date) -> dict[str, Any]:
    status = request.GET.get("status", "")
    if status not in CaseStatus.values:
        status = ""
    rows = _with_next_due(_caseload_rows(request.user, staff))
    if status:
        rows = rows.filter(status=status)
    cursor = _cursor(request.GET.get("after"))
    if cursor is not None:
        rows = _after(rows, cursor)
    ordered = rows.order_by(F("next_due").asc(nulls_last=True), "pk")
    page = _shown(list(ordered.values_list("pk", flat=True)[: PAGE_SIZE + 1]))
    more = len(page) > PAGE_SIZE
    page = _decorate(page[:PAGE_SIZE], today)
    _read(request.user, [c["pk"] for c in page], "mine sager")
    next_url = ""
    if more:
        last = page[-1]
        after = f"{last['next_due'].isoformat() if last['next_due'] else 'ingen'}.{last['pk']}"
        next_url = "?" + urlencode({k: v for k, v in (("status", status), ("after", after)) if v})
    return {
        "cases": page,
        "status": status,
        "statuses": CaseStatus.choices,
        "next_url": next_url,
        "first_url": _first_page(status) if cursor is not None else "",
    }


def _first_page(status: str) -> str:
    url = reverse("web:caseload")
    return f"{url}?{urlencode({'status': status})}" if status else url


def _search_filter(term: str, staff: Any) -> Q:
    """Case number (part of it), name (every word), CPR (ten digits, or the first six or
    more, with or without the dash) and, for treatment roles, the pseudonym.

    Each column is searched in its own table's subquery, within the municipality, so that
    PostgreSQL answers each from its own index (trigram for the `icontains`, see migration
    cases 0008) instead of scanning every citizen in the country for an OR across a join."""
    in_municipality = Q(municipality_id=staff.municipality_id)
    numbers = Case.objects.filter(in_municipality, number__icontains=term).values("pk")
    q = Q(pk__in=numbers)
    if DIGITS.fullmatch(term):
        digits = re.sub(r"\D", "", term)
        if len(digits) == 10:
            q |= Q(citizen__in=Citizen.objects.filter(in_municipality, cpr=digits).values("pk"))
        elif len(digits) >= CPR_PREFIX_MIN:
            people = Citizen.objects.filter(in_municipality, cpr__startswith=digits)
            q |= Q(citizen__in=people.values("pk"))
        return q
    name = Q()
    for word in term.split():
        name &= Q(name__icontains=word)
    # the name index alone (the case's own filter keeps the municipality): a filter on the
    # municipality here makes the planner scan its citizens instead
    q |= Q(citizen__in=Citizen.objects.filter(name).values("pk"))
    if sees_anonymous(staff.role):
        q |= Q(anonymous=True, pseudonym__icontains=term)
    return q


def _search(request: HttpRequest, staff: Any, today: dt.date) -> dict[str, Any]:
    term = " ".join(request.GET.get("q", "").split())[:100]
    context: dict[str, Any] = {"q": term, "searched": bool(term), "results": [], "more": False}
    if not term:
        return context
    if len(term) < SEARCH_MIN:
        context["too_short"] = True
        return context
    # the name by a subquery per match, not a join: the planner, unable to tell how many
    # rows an OR of subqueries keeps, would otherwise hash-join every citizen in the country
    name = Citizen.objects.filter(pk=OuterRef("citizen_id")).values("name")[:1]
    order = (Coalesce(Subquery(name), "pseudonym"), "number")
    ids = list(
        visible_cases(request.user)
        .filter(_search_filter(term, staff))
        .order_by(*order)
        .values_list("pk", flat=True)[: SEARCH_LIMIT + 1]
    )
    found = _shown(ids)
    context["more"] = len(found) > SEARCH_LIMIT
    context["results"] = _decorate(found[:SEARCH_LIMIT], today)
    _read(request.user, [c["pk"] for c in context["results"]], "søgning")
    return context


@login_required
def caseload(request: HttpRequest) -> HttpResponse:
    """Mine sager: the caseload sorted by what falls due, with search as you type."""
    staff = staff_for(request, Action.CASE_READ)
    today = timezone.localdate()
    context = {
        "today": today,
        "may_register": may(staff.role, Action.CASE_CREATE),  # Ny henvendelse
        **_search(request, staff, today),
        **_caseload(request, staff, today),
    }
    return render(request, "web/lists/caseload.html", context)


@login_required
def case_search(request: HttpRequest) -> HttpResponse:
    """The search results alone for htmx; without htmx the whole page with the results."""
    if not _is_htmx(request):
        return caseload(request)
    staff = staff_for(request, Action.CASE_READ)
    context = _search(request, staff, timezone.localdate())
    return render(request, "web/lists/_search_results.html", context)


# ---------------------------------------------------------------------------------------
# Frister
# ---------------------------------------------------------------------------------------


@dataclass
class KindGroup:
    kind: str
    label: str
    count: selectors.DueCount
    rows: list[dict[str, Any]] = field(default_factory=list)  # display strings of deadlines
    more_url: str = ""  # the next page of this kind, when there is one

    @property
    def anchor(self) -> str:
        return f"frist-{self.kind.replace('_', '-')}"


@dataclass
class KeysetPage:
    rows: list[Any]
    next_url: str  # "" on the last page
    first_url: str  # "" on the first page


def _keyset_page(
    request: HttpRequest, rows: QuerySet[Any], day_field: str, size: int, first: str
) -> KeysetPage:
    """One page of `rows` in (`day_field`, id) order, after the request's `after` cursor (the
    day and id of the previous page's last row): an index range, however far on."""
    cursor = selectors.day_cursor(request.GET.get("after"))
    if cursor is not None:
        rows = rows.filter(selectors.after_day(day_field, cursor))
    found = list(rows.order_by(day_field, "pk")[: size + 1])
    page = KeysetPage(found[:size], "", reverse(first) if cursor is not None else "")
    if len(found) > size:
        last = page.rows[-1]
        page.next_url = _query(
            {"after": selectors.day_cursor_text(getattr(last, day_field), last.pk)}
        )
    return page


def _query(params: dict[str, Any]) -> str:
    """A query string of the parameters that have a value."""
    return "?" + urlencode({k: v for k, v in params.items() if v})


def _due_names(
    staff: Any, deadlines: list[Deadline]
) -> tuple[dict[int, str], list[tuple[int, str]]]:
    """The names of the rows' caseworkers and the caseworker filter's choices, in one query
    whatever the number of rows."""
    users = (
        get_user_model()
        .objects.filter(
            Q(staff__municipality_id=staff.municipality_id, staff__role=Role.CASEWORKER)
            | Q(pk__in={d.caseworker_id for d in deadlines if d.caseworker_id})
        )
        .select_related("staff")
        .only("first_name", "last_name", "username", "staff__role", "staff__municipality_id")
    )
    names = {u.pk: staff_name(u) for u in users}
    caseworkers = sorted(
        (
            (u.pk, names[u.pk])
            for u in users
            if getattr(u, "staff", None)
            and u.staff.role == Role.CASEWORKER
            and u.staff.municipality_id == staff.municipality_id
        ),
        key=lambda pair: pair[1].lower(),
    )
    return names, caseworkers


@login_required
def due(request: HttpRequest) -> HttpResponse:
    """Every open deadline the user may see, grouped by kind, soonest first; filters by
    horizon, caseworker and provider. The counts cover every open deadline (counted in the
    database); each kind shows its first rows, and `kind` pages through one kind alone."""
    staff = staff_for(request, Action.DUE_LIST)
    today = timezone.localdate()
    horizon = request.GET.get("days", "")
    if horizon not in dict(HORIZONS):
        horizon = ""
    until = today + dt.timedelta(days=int(horizon)) if horizon else dt.date.max
    caseworker_id = _int(request.GET.get("caseworker"))
    provider_id = None if staff.provider_id else _int(request.GET.get("provider"))
    kind = request.GET.get("kind", "")
    if kind not in DeadlineKind.values:
        kind = ""
    after = selectors.day_cursor(request.GET.get("after")) if kind else None
    scope = {
        "user": request.user,
        "until": until,
        "caseworker_id": caseworker_id,
        "provider_id": provider_id,
    }
    counts = selectors.due_counts(
        today=today, soon_until=today + dt.timedelta(days=SOON_DAYS), **scope
    )
    limit = DUE_KIND_PAGE if kind else DUE_OVERVIEW_ROWS
    kinds = [kind] if kind else list(DeadlineKind.values)
    pages = selectors.due_pages(kinds=kinds, limit=limit, after=after, **scope)
    shown = [d for page in pages.values() for d in page.rows]
    names, caseworkers = _due_names(staff, shown)
    providers = dict(
        Provider.objects.filter(municipalities=staff.municipality_id).values_list("pk", "name")
    )
    filters = {"days": horizon, "caseworker": caseworker_id or "", "provider": provider_id or ""}
    unassigned = _("Ikke tildelt")
    groups = []
    for value, label in DeadlineKind.choices:
        if kind and value != kind:
            continue
        group = KindGroup(value, label, counts.get(value, selectors.DueCount()))
        rows = pages[value].rows
        if pages[value].more:
            last = rows[-1]
            after_last = selectors.day_cursor_text(last.due_on, last.pk)
            group.more_url = _query({**filters, "kind": value, "after": after_last})
        # display strings made once, in dicts (see _decorate)
        group.rows = [
            {
                "href": case_href(d.case_id),
                "number": d.case.number,
                "person": person_label(d.case),
                "due_on": _day(d.due_on),
                "badge": due_badge(Due.of(d.due_on, today)),
                "text": d.text,
                "caseworker_name": names.get(d.caseworker_id) or unassigned,
                "provider_name": providers.get(d.provider_id) or "–",
            }
            for d in rows
        ]
        groups.append(group)
    context = {
        "groups": groups,
        "kind": kind,
        "paged": after is not None,
        "all_kinds_url": _query(filters),
        "first_url": _query({**filters, "kind": kind}),
        "total": sum(c.total for c in counts.values()),
        "overdue": sum(c.overdue for c in counts.values()),
        "soon": sum(c.soon for c in counts.values()),
        "soon_days": SOON_DAYS,
        "horizon": horizon,
        "horizons": HORIZONS,
        "caseworker_id": caseworker_id,
        "caseworkers": caseworkers,
        "provider_id": provider_id,
        "providers": sorted(providers.items(), key=lambda pair: pair[1].lower()),
        "show_provider_filter": not staff.provider_id,
        "today": today,
    }
    return render(request, "web/lists/due.html", context)


# ---------------------------------------------------------------------------------------
# Forms shared by Opfølgning and Klager
# ---------------------------------------------------------------------------------------


@dataclass
class RowForm:
    """What the user typed into one row's form and what was wrong with it (field → message;
    "" for an error that belongs to the whole form)."""

    values: dict[str, str]
    prefix: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def is_conflict(self) -> bool:
        return self.errors.get("") in (CONFLICT_MESSAGE, _(CONFLICT_MESSAGE))

    @property
    def first_error(self) -> str:
        """The field that gets the focus after a failed save ("" for the whole form)."""
        return next(iter(self.errors), "")

    @property
    def general_error(self) -> str:
        return self.errors.get("", "")

    def add_service_error(self, exc: ServiceError, fields: frozenset[str]) -> None:
        """Put the service's message next to the field it names (the form's fields carry the
        services' argument names), or above the form."""
        if isinstance(exc, Conflict):
            self.errors[""] = _(CONFLICT_MESSAGE)
            return
        target = exc.field if exc.field in fields else ""
        message = exc.message
        if exc.field and message.startswith(f"{exc.field}: "):
            message = message[len(exc.field) + 2 :]  # "done_on: 2027-01-01 ligger før …"
        message = message[:1].upper() + message[1:]
        self.errors[target] = message
        if exc.field in KEY_FACT_LABELS:  # the service stops at the first key fact missing
            for name, missing in key_facts_missing(self.values).items():
                if name in fields and name not in self.errors:
                    self.errors[name] = missing


def _oob_versions(case_id: int, model: Any, path: str, exclude: int) -> list[int]:
    """Other open rows on the same case: their forms carry the case's new version."""
    rows = model.objects.filter(**{f"{path}id": case_id}).exclude(pk=exclude)
    if model is FollowUp:
        rows = rows.filter(done_on__isnull=True)
    else:
        rows = rows.filter(status=ComplaintStatus.RECEIVED)
    return list(rows.values_list("pk", flat=True))


# ---------------------------------------------------------------------------------------
# Opfølgning
# ---------------------------------------------------------------------------------------

FOLLOW_UP_FIELDS = frozenset({"done_on", "channel", "reached", "outcome", "note", *KEY_FACT_LABELS})


def _open_follow_ups(user: Any) -> QuerySet[FollowUp]:
    q = case_filter(user, "course__case__")
    rows = FollowUp.objects.none() if q is None else FollowUp.objects.filter(q)
    return (
        rows.select_related("course__case__citizen", "course__provider")
        .only(*FOLLOW_UP_ROW_FIELDS)
        .prefetch_related("course__key_facts")
    )


#: What a follow-up's row shows (and its form needs: the case's version, the substance).
FOLLOW_UP_ROW_FIELDS = (
    "months",
    "due_on",
    "done_on",
    "course__offer",
    "course__substance",
    "course__started_on",
    "course__ended_on",
    "course__outcome",
    "course__provider__name",
    "course__case__number",
    "course__case__anonymous",
    "course__case__pseudonym",
    "course__case__version",
    "course__case__citizen__name",
)


def _follow_up_item(
    f: FollowUp,
    today: dt.date,
    standard_of: Callable[[dt.date], Any],
    form: RowForm | None,
    with_form: bool = True,
) -> dict[str, Any]:
    """What `_follow_up.html` shows of `f`, as display strings (dates as "d.m.Y")."""
    course = f.course
    case = course.case
    standard = standard_of(course.started_on)
    offer = standard.offer(course.offer) if standard else None
    item = {
        "pk": f.pk,
        "case_id": case.pk,
        "href": case_href(case.pk),
        "number": case.number,
        "person": person_label(case),
        "months": f.months,
        "offer_title": offer.title if offer else course.offer,
        "provider_name": course.provider.name if course.provider_id else "",
        "ended_on": _day(course.ended_on),
        "outcome": EndOutcome(course.outcome).label.lower() if course.outcome else "",
        "due_on": _day(f.due_on),
        "badge": due_badge(Due.of(f.due_on, today)),
        # a follow-up is recorded from two weeks before it falls due (`follow_up_earliest`)
        "opens_on": _day(opens) if (opens := follow_up_earliest(f.due_on)) > today else "",
        "record_url": reverse("web:follow_up_record", args=[f.pk]),
        "form": None,
        "errors": {},
    }
    if not with_form:
        return item
    item["outcomes"] = outcome_choices(course.substance)  # the course substance's categories
    latest = sorted(course.key_facts.all(), key=lambda k: (k.recorded_on, k.pk))
    form = item["form"] = form or RowForm(
        {
            "done_on": today.isoformat(),
            "channel": "",
            "reached": "",
            "outcome": "",
            "note": "",
            "version": str(case.version),
            # housing and occupation as last recorded; the use is asked anew
            "use_frequency": "",
            "housing": latest[-1].housing if latest else "",
            "occupation": latest[-1].occupation if latest else "",
        }
    )
    form.prefix = f"fu-{f.pk}"
    item["errors"] = form.errors
    item["key_facts"] = [  # (field, label, choices, the value in the form)
        (name, label, KEY_FACT_CHOICES[name].choices, form.values.get(name, ""))
        for name, label in KEY_FACT_LABELS.items()
    ]
    return item


def _follow_up_context(staff: Any) -> dict[str, Any]:
    return {
        "channels": FollowUpChannel.choices,
        "outcomes": EndOutcome.choices,
        "may_record": may(staff.role, Action.FOLLOW_UP_RECORD),
    }


@login_required
def follow_ups(request: HttpRequest) -> HttpResponse:
    """Open follow-ups visible to the user, soonest first, a page at a time (keyset: due date
    and id). Each row opens its form on demand (htmx swaps it in; without JavaScript the link
    leads to the follow-up's own page): a hundred forms at once would be most of the page's
    weight and time, and one is recorded at a time."""
    staff = staff_for(request, Action.CASE_READ)
    today = timezone.localdate()
    # the key facts fill the forms only
    rows = _open_follow_ups(request.user).filter(done_on__isnull=True).prefetch_related(None)
    page = _keyset_page(request, rows, "due_on", FOLLOW_UP_PAGE, "web:follow_ups")
    standard_of = _standard_lookup(staff.municipality.slug)
    items = [_follow_up_item(f, today, standard_of, None, False) for f in page.rows]
    _read(request.user, [f["case_id"] for f in items], "opfølgningsliste")
    context = {
        "items": items,
        "next_url": page.next_url,
        "first_url": page.first_url,
        "today": today,
    }
    return render(request, "web/lists/follow_ups.html", {**context, **_follow_up_context(staff)})


def _parse_follow_up(post: Any) -> tuple[RowForm, dict[str, Any]]:
    values = {
        k: post.get(k, "").strip()
        for k in ("done_on", "channel", "reached", "outcome", "note", "version", *KEY_FACT_LABELS)
    }
    values["note"] = post.get("note", "")  # keep the note as typed
    form = RowForm(values)
    done_on = _date(values["done_on"])
    problem = _date_problem(values["done_on"], done_on, _("Skriv datoen for opfølgningen."))
    if problem:
        form.errors["done_on"] = problem
    if values["channel"] not in FollowUpChannel.values:
        form.errors["channel"] = _("Vælg hvordan opfølgningen foregik.")
    if values["reached"] not in ("ja", "nej"):
        form.errors["reached"] = _("Angiv om borgeren blev truffet.")
    if values["outcome"] and values["outcome"] not in EndOutcome.values:
        form.errors["outcome"] = _("Vælg borgerens situation på listen.")
    for name, choices in KEY_FACT_CHOICES.items():
        if values[name] and values[name] not in choices.values:
            form.errors[name] = _("Vælg en af mulighederne på listen.")
    if len(values["note"]) > limits.TEXT:
        form.errors["note"] = _("Teksten er for lang.")
    version = _int(values["version"])
    if version is None:
        form.errors[""] = _(CONFLICT_MESSAGE)
    args = {
        "done_on": done_on,
        "channel": values["channel"],
        "reached": values["reached"] == "ja",
        "outcome": values["outcome"],
        "note": values["note"].strip(),
        "version": version,
        # key facts only of a citizen reached (housing and occupation come filled in)
        **{name: values[name] if values["reached"] == "ja" else "" for name in KEY_FACT_LABELS},
    }
    return form, args


@staff_page
def follow_up_record(request: HttpRequest, follow_up_id: int) -> HttpResponse:
    """Record a follow-up (POST); GET shows the one follow-up's form on a page of its own."""
    staff = staff_for(request, Action.CASE_READ)
    today = timezone.localdate()
    slug = staff.municipality.slug
    form = None
    status = 200
    if request.method == "POST":
        form, args = _parse_follow_up(request.POST)
        if not form.errors:
            try:
                done = services.follow_up_record(
                    actor=request.user, follow_up_id=follow_up_id, **args
                )
            except (Forbidden, NotFound):
                raise  # 403 / 404 by staff_page
            except ServiceError as exc:
                form.add_service_error(exc, FOLLOW_UP_FIELDS)
            else:
                return _follow_up_done(request, done)
        status = 409 if form.is_conflict else 422
    f = _open_follow_ups(request.user).filter(pk=follow_up_id).first()
    if f is None:
        raise Http404("Opfølgningen findes ikke.")
    if f.done_on is not None and form is None:
        messages.info(request, _("Opfølgningen er allerede registreret."))
        done = redirect("web:follow_ups")
        if _is_htmx(request):  # the whole list again, not the list swapped into its row
            done = HttpResponse(status=204, headers={"HX-Redirect": done.url})
        return done
    item = _follow_up_item(f, today, _standard_lookup(slug), form)
    _read(request.user, [item["case_id"]], "opfølgning")
    context = {"item": item, "today": today, **_follow_up_context(staff)}
    if _is_htmx(request):
        # the row with its form open: asked for from the list, or, after a POST, with its
        # errors and what was typed (htmx swaps only 2xx answers)
        return render(request, "web/lists/_follow_up.html", {**context, "opened": True})
    return render(request, "web/lists/follow_up_page.html", context, status=status)


def _follow_up_done(request: HttpRequest, done: FollowUp) -> HttpResponse:
    case = done.course.case
    text = _("Opfølgningen på sag {number} er registreret.").format(number=case.number)
    if not _is_htmx(request):
        messages.success(request, text)
        return redirect("web:follow_ups")
    version = Case.objects.values_list("version", flat=True).get(pk=case.pk)
    siblings = _oob_versions(case.pk, FollowUp, "course__case__", done.pk)
    context = {
        "done_id": done.pk,
        "text": text,
        "prefix": "fu",
        "version": version,
        "siblings": siblings,
    }
    return render(request, "web/lists/_row_done.html", context)


# ---------------------------------------------------------------------------------------
# Klager
# ---------------------------------------------------------------------------------------

COMPLAINT_FIELDS = frozenset({"reassessed_on", "result", "text"})


def _visible_complaints(user: Any) -> QuerySet[Complaint]:
    q = case_filter(user, "case__")
    rows = Complaint.objects.none() if q is None else Complaint.objects.filter(q)
    return rows.select_related("case__citizen", "decision").only(*COMPLAINT_ROW_FIELDS)


#: What a complaint's row shows (and its form needs: the case's version).
COMPLAINT_ROW_FIELDS = (
    "route",
    "received_on",
    "within_deadline",
    "text",
    "status",
    "reassess_by",
    "reassessed_on",
    "forwarded_to",
    "reassessment_text",
    "case__number",
    "case__anonymous",
    "case__pseudonym",
    "case__version",
    "case__citizen__name",
    "decision__offer",
    "decision__outcome",
    "decision__decided_on",
)


def _complaint_item(
    c: Complaint,
    today: dt.date,
    standard_of: Callable[[dt.date], Any],
    form: RowForm | None,
    with_form: bool = True,
) -> dict[str, Any]:
    """What `_complaint.html` shows of `c`, as display strings (dates as "d.m.Y")."""
    is_open = c.status == ComplaintStatus.RECEIVED
    due = Due.of(c.reassess_by, today) if is_open else None
    standard = standard_of(c.decision.decided_on)
    route = standard.complaint_route(c.route) if standard else None
    offer = standard.offer(c.decision.offer) if standard else None
    item = {
        "pk": c.pk,
        "case_id": c.case_id,
        "href": case_href(c.case_id),
        "reassess_url": reverse("web:complaint_reassess", args=[c.pk]),
        "number": c.case.number,
        "person": person_label(c.case),
        "is_open": is_open,
        "status": c.status,
        "offer_title": offer.title if offer else c.decision.offer,
        "outcome": DecisionOutcome(c.decision.outcome).label.lower(),
        "decided_on": _day(c.decision.decided_on),
        "route_title": route.title if route else c.route,
        "forwards_to": (route.forwards_to or "") if route else "",
        "received_on": _day(c.received_on),
        "within_deadline": c.within_deadline,
        "reassess_by": _day(c.reassess_by),
        "badge": due_badge(due),
        "reassessed_on": _day(c.reassessed_on),
        "forwarded_to": c.forwarded_to,
        "text": c.text,
        "reassessment_text": c.reassessment_text,
        "form": None,
        "errors": {},
    }
    if with_form:
        form = item["form"] = form or RowForm(
            {
                "reassessed_on": today.isoformat(),
                "result": "",
                "text": "",
                "version": str(c.case.version),
            }
        )
        form.prefix = f"klage-{c.pk}"
        item["errors"] = form.errors
    return item


@login_required
def complaints(request: HttpRequest) -> HttpResponse:
    """Complaints of the cases the user may see: the open ones, soonest reassessment first, a
    page at a time (keyset: reassess-by date and id), then on the first page the latest
    reassessed."""
    staff = staff_for(request, Action.CASE_READ)
    today = timezone.localdate()
    standard_of = _standard_lookup(staff.municipality.slug)
    rows = _visible_complaints(request.user)
    open_rows = rows.filter(status=ComplaintStatus.RECEIVED)
    total = open_rows.count()
    page = _keyset_page(request, open_rows, "reassess_by", COMPLAINT_PAGE, "web:complaints")
    done_rows = rows.exclude(status=ComplaintStatus.RECEIVED).order_by("-reassessed_on", "-pk")
    done_rows = [] if page.first_url else list(done_rows[:DONE_LIMIT])  # on the first page
    # each open row opens its form on demand, as on Opfølgning
    open_items = [_complaint_item(c, today, standard_of, None, False) for c in page.rows]
    done_items = [_complaint_item(c, today, standard_of, None) for c in done_rows]
    _read(request.user, [c["case_id"] for c in open_items + done_items], "klageliste")
    context = {
        "open_items": open_items,
        "open_total": total,
        "done_items": done_items,
        "next_url": page.next_url,
        "first_url": page.first_url,
        "may_handle": may(staff.role, Action.COMPLAINT_HANDLE),
        "today": today,
    }
    return render(request, "web/lists/complaints.html", context)


def _parse_reassessment(post: Any) -> tuple[RowForm, dict[str, Any]]:
    values = {k: post.get(k, "").strip() for k in ("reassessed_on", "result", "version")}
    values["text"] = post.get("text", "")
    form = RowForm(values)
    on = _date(values["reassessed_on"])
    problem = _date_problem(values["reassessed_on"], on, _("Skriv datoen for genvurderingen."))
    if problem:
        form.errors["reassessed_on"] = problem
    if values["result"] not in ("upheld", "changed"):
        form.errors["result"] = _("Vælg resultatet af genvurderingen.")
    if not values["text"].strip():
        form.errors["text"] = _("Skriv begrundelsen for genvurderingen.")
    elif len(values["text"]) > limits.TEXT:
        form.errors["text"] = _("Teksten er for lang.")
    version = _int(values["version"])
    if version is None:
        form.errors[""] = _(CONFLICT_MESSAGE)
    args = {
        "reassessed_on": on,
        "upheld": values["result"] == "upheld",
        "text": values["text"],
        "version": version,
    }
    return form, args


@staff_page
def complaint_reassess(request: HttpRequest, complaint_id: int) -> HttpResponse:
    """Record the municipality's reassessment (POST); GET shows the complaint's form alone."""
    staff = staff_for(request, Action.CASE_READ)
    today = timezone.localdate()
    form = None
    status = 200
    if request.method == "POST":
        form, args = _parse_reassessment(request.POST)
        if not form.errors:
            try:
                done = services.complaint_reassess(
                    actor=request.user, complaint_id=complaint_id, **args
                )
            except (Forbidden, NotFound):
                raise  # 403 / 404 by staff_page
            except ServiceError as exc:
                form.add_service_error(exc, COMPLAINT_FIELDS)
            else:
                return _complaint_done(request, done)
        status = 409 if form.is_conflict else 422
    c = _visible_complaints(request.user).filter(pk=complaint_id).first()
    if c is None:
        raise Http404("Klagen findes ikke.")
    item = _complaint_item(c, today, _standard_lookup(staff.municipality.slug), form)
    _read(request.user, [c.case_id], "klage")
    context = {"item": item, "today": today, "may_handle": may(staff.role, Action.COMPLAINT_HANDLE)}
    if _is_htmx(request):  # the row with its form open (asked for, or with its errors)
        return render(request, "web/lists/_complaint.html", {**context, "opened": True})
    return render(request, "web/lists/complaint_page.html", context, status=status)


def _complaint_done(request: HttpRequest, done: Complaint) -> HttpResponse:
    if done.status == ComplaintStatus.FORWARDED:
        if done.forwarded_to:
            text = _(
                "Klagen på sag {number} er genvurderet: afgørelsen er fastholdt og sendes "
                "videre til {forwarded_to}."
            ).format(number=done.case.number, forwarded_to=done.forwarded_to)
        else:
            text = _("Klagen på sag {number} er genvurderet: afgørelsen er fastholdt.").format(
                number=done.case.number
            )
    else:
        text = _(
            "Klagen på sag {number} er genvurderet: afgørelsen er ændret til borgerens fordel."
        ).format(number=done.case.number)
    if not _is_htmx(request):
        messages.success(request, text)
        return redirect("web:complaints")
    version = Case.objects.values_list("version", flat=True).get(pk=done.case_id)
    siblings = _oob_versions(done.case_id, Complaint, "case__", done.pk)
    context = {
        "done_id": done.pk,
        "text": text,
        "prefix": "klage",
        "version": version,
        "siblings": siblings,
    }
    return render(request, "web/lists/_row_done.html", context)


urlpatterns = [
    path("sager/", caseload, name="caseload"),
    path("sager/soeg/", case_search, name="case_search"),
    path("frister/", due, name="due"),
    path("opfoelgning/", follow_ups, name="follow_ups"),
    path("opfoelgning/<int:follow_up_id>/", follow_up_record, name="follow_up_record"),
    path("klager/", complaints, name="complaints"),
    path("klager/<int:complaint_id>/genvurdering/", complaint_reassess, name="complaint_reassess"),
]

__all__ = ["Due", "case_href", "person_label", "urlpatterns"]
