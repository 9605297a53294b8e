"""Every read of cases: scoped to what the user may see, and written to the audit log.

Query counts stay constant as data grows: lists use keyset pagination on the primary key and
fetch related rows with select_related/prefetch_related; reads of personal data are logged
in one bulk INSERT per page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from rusmiddel.accounts.permissions import Action
from rusmiddel.audit.models import AuditEntry, Event
from rusmiddel.audit.services import audit_reads, audit_record

from .errors import NotFound
from .models import Case, CaseStatus, Course, Deadline
from .scoping import case_filter, not_found, require, visible_cases, visible_deadlines

MAX_PAGE = 200


def case_list_visible_to(
    *,
    user: Any,
    after: int | None = None,
    limit: int = 50,
    status: str | None = None,
    why: str = "sagsliste",
) -> list[Case]:
    """A page of the cases the user may read, newest first (keyset: ids below `after`)."""
    require(user, Action.CASE_READ)
    rows = visible_cases(user).select_related("citizen", "provider", "caseworker")
    if status:
        rows = rows.filter(status=status)
    if after is not None:
        rows = rows.filter(pk__lt=after)
    page = list(rows.order_by("-pk")[: max(1, min(limit, MAX_PAGE))])
    audit_reads(actor=user, event=Event.CASE_LIST, case_ids=[c.pk for c in page], why=why)
    return page


def _case_parts() -> dict[str, Any]:
    """The case's related rows by name, each as the case page prefetches it."""
    courses = Course.objects.select_related("provider").prefetch_related(
        "plans", "sessions", "status_reports", "follow_ups", "self_payments", "key_facts"
    )
    return {
        "contacts": "contacts",
        "assessments": "assessments",
        "evaluations": "evaluations",
        "decisions": "decisions__provider",
        "courses": Prefetch("courses", queryset=courses),
        "complaints": "complaints",
        "deadlines": "deadlines",
        "citizen_notices": "citizen_notices",  # its citizen's details changed
    }


def case_get(
    *, user: Any, case_id: int, why: str = "sagsvisning", parts: tuple[str, ...] | None = None
) -> Case:
    """One case with its whole course, in a fixed number of queries; the read is logged.
    `parts` names the related rows a page needs (all when None): the assessment page has no
    use for every session of every course. A part not named is read if touched, not missed.
    A case the user may not see is not found, whatever the role (never 403)."""
    every = _case_parts()
    case = (
        visible_cases(user)
        # the referral to the region (SUL § 82 c) in the same query: one case has at most one
        .select_related("citizen", "provider", "caseworker", "municipality", "region_referral")
        .prefetch_related(*(every[name] for name in (every if parts is None else parts)))
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound(f"Sag {case_id} findes ikke.")
    require(user, Action.CASE_READ)
    audit_record(actor=user, event=Event.CASE_READ, write=False, case_id=case.pk, why=why)
    return case


def open_cases_of_cpr(*, user: Any, cpr: str, why: str = "henvendelse: CPR-opslag") -> list[Case]:
    """The open (not ended) cases of the citizen with this CPR number (ten digits) that the
    user may see, oldest first: where a new contact may belong before a new case is opened.
    For those who register contacts (`CONTACT_RECORD`); each case found is logged as read.
    Scoped like every read, so provider staff find only the cases referred to them, and an
    anonymous case has no CPR number to be found by."""
    require(user, Action.CONTACT_RECORD)
    page = list(
        visible_cases(user)
        .filter(citizen__cpr=cpr)
        .exclude(status=CaseStatus.ENDED)
        .select_related("citizen", "caseworker", "provider")
        .order_by("pk")[:MAX_PAGE]
    )
    audit_reads(actor=user, event=Event.CASE_LIST, case_ids=[c.pk for c in page], why=why)
    return page


def course_get(*, user: Any, course_id: int, why: str = "forløb") -> Course:
    """One course with its case (municipality and citizen), scoped like its case: a course
    the user may not see is not found. The read is logged on the case."""
    q = case_filter(user, "case__")
    course = (
        None
        if q is None
        else Course.objects.select_related("case__municipality", "case__citizen")
        .filter(q, pk=course_id)
        .first()
    )
    if course is None:
        raise NotFound(f"Forløb {course_id} findes ikke.")
    require(user, Action.CASE_READ)
    audit_record(actor=user, event=Event.CASE_READ, write=False, case_id=course.case_id, why=why)
    return course


# --- keyset cursors over (a date, id): the lists' "after" ------------------------------------


def day_cursor(raw: str | None) -> tuple[dt.date, int] | None:
    """`2026-12-01.42` (a row's date and id) as (date, id); None when absent or garbled."""
    day, _, pk = (raw or "").partition(".")
    if not (pk.isascii() and pk.isdigit()):
        return None
    try:
        return dt.date.fromisoformat(day), int(pk)
    except ValueError:
        return None


def day_cursor_text(day: dt.date, pk: int) -> str:
    return f"{day.isoformat()}.{pk}"


def after_day(field: str, cursor: tuple[dt.date, int]) -> Q:
    """The rows after `cursor` in (`field`, id) order: what keyset pagination filters by."""
    day, pk = cursor
    return Q(**{f"{field}__gt": day}) | Q(**{field: day, "pk__gt": pk})


def _open_due(
    user: Any, until: dt.date, caseworker_id: int | None, provider_id: int | None
) -> QuerySet[Deadline]:
    require(user, Action.DUE_LIST)
    rows = visible_deadlines(user).filter(met_on__isnull=True, due_on__lte=until)
    if caseworker_id is not None:
        rows = rows.filter(caseworker_id=caseworker_id)
    if provider_id is not None:
        rows = rows.filter(provider_id=provider_id)
    return rows


def due_list(
    *,
    user: Any,
    until: dt.date,
    caseworker_id: int | None = None,
    provider_id: int | None = None,
    after: tuple[dt.date, int] | None = None,
    limit: int = 1000,
) -> list[Deadline]:
    """The open deadlines on cases the user may read that fall due by `until`, soonest
    first, `limit` at a time after the (due date, id) `after`: one indexed query over the
    `Deadline` rows the services keep."""
    rows = _open_due(user, until, caseworker_id, provider_id)
    if after is not None:
        rows = rows.filter(after_day("due_on", after))
    rows = rows.select_related("case", "case__citizen").order_by("due_on", "pk")
    page = list(rows[: max(1, min(limit, 1000))])
    audit_reads(actor=user, event=Event.DUE_LIST, case_ids=sorted({d.case_id for d in page}))
    return page


@dataclass(frozen=True)
class DueCount:
    """How many open deadlines of one kind, and how many of them overdue or due soon."""

    total: int = 0
    overdue: int = 0
    soon: int = 0


def due_counts(
    *,
    user: Any,
    until: dt.date,
    today: dt.date,
    soon_until: dt.date,
    caseworker_id: int | None = None,
    provider_id: int | None = None,
) -> dict[str, DueCount]:
    """Per kind, the open deadlines by `until`: counted in the database in one query, so the
    figures cover every row, not just the ones a page shows. Counts reveal no person."""
    rows = _open_due(user, until, caseworker_id, provider_id)
    per_kind = rows.values("kind").annotate(
        total=Count("pk"),
        overdue=Count("pk", filter=Q(due_on__lt=today)),
        soon=Count("pk", filter=Q(due_on__gte=today, due_on__lte=soon_until)),
    )
    return {r["kind"]: DueCount(r["total"], r["overdue"], r["soon"]) for r in per_kind}


@dataclass(frozen=True)
class DuePage:
    rows: list[Deadline]
    more: bool  # rows of the kind after these


def due_pages(
    *,
    user: Any,
    until: dt.date,
    kinds: list[str],
    limit: int,
    after: tuple[dt.date, int] | None = None,
    caseworker_id: int | None = None,
    provider_id: int | None = None,
) -> dict[str, DuePage]:
    """Per kind, the first `limit` open deadlines by `until`, soonest first (keyset: after
    the (due date, id) `after`); one indexed query per kind, whatever the data, and one
    audit INSERT for every case shown."""
    rows = _open_due(user, until, caseworker_id, provider_id).select_related(
        "case", "case__citizen"
    )
    if after is not None:
        rows = rows.filter(after_day("due_on", after))
    limit = max(1, limit)
    pages = {}
    for kind in kinds:
        found = list(rows.filter(kind=kind).order_by("due_on", "pk")[: limit + 1])
        pages[kind] = DuePage(found[:limit], len(found) > limit)
    shown = sorted({d.case_id for page in pages.values() for d in page.rows})
    audit_reads(actor=user, event=Event.DUE_LIST, case_ids=shown)
    return pages


def audit_list(
    *,
    user: Any,
    case_id: int | None = None,
    after: int | None = None,
    limit: int = 100,
) -> QuerySet[AuditEntry] | list[AuditEntry]:
    """The audit log of the user's municipality, newest first (heads and administrators).

    With `case_id`, the entries of one case of the municipality, erased cases included; any
    other id (another municipality's, none at all) is not found, and its read is not logged."""
    staff = require(user, Action.AUDIT_READ)
    rows = AuditEntry.objects.filter(municipality_id=staff.municipality_id)
    if case_id is not None:
        # every case of the municipality, anonymous ones too: the log shows ids, never people
        ours = Case.objects.filter(pk=case_id, municipality_id=staff.municipality_id).exists()
        if not ours and not rows.filter(case_id=case_id, event=Event.CASE_ERASED).exists():
            raise not_found("Sag", case_id)
        rows = rows.filter(case_id=case_id)
    if after is not None:
        rows = rows.filter(pk__lt=after)
    page = list(rows.order_by("-pk")[: max(1, min(limit, MAX_PAGE))])
    audit_record(actor=user, event=Event.AUDIT_READ, write=False, case_id=case_id, why="logvisning")
    return page
