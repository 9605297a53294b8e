"""Erasure when the standard's retention period has run out (`rusmiddel retention run`)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, Max, Q

from rusmiddel.accounts.models import Municipality
from rusmiddel.audit.models import AuditEntry, Event
from rusmiddel.audit.services import audit_record
from rusmiddel.cases.models import Case, Citizen, Course, CourseStatus
from rusmiddel.rules.retention import CaseActivity, Erasure, retention_due
from rusmiddel.standards.registry import load

from .graph import case_held, deletion_order, rows_of

TZ = ZoneInfo("Europe/Copenhagen")


@dataclass
class RetentionReport:
    """One municipality's run: the cases due (erased, unless a dry run) and, per rule, how
    many; `rows` counts what went, per model."""

    municipality: str
    has_rules: bool
    erased: list[Erasure] = field(default_factory=list)
    rows: Counter[str] = field(default_factory=Counter)

    def per_rule(self) -> Counter[str]:
        return Counter(e.rule for e in self.erased)


def _activity(municipality: Municipality) -> list[CaseActivity]:
    """Each case's last write (its last write in the audit log, or its creation) and its
    courses. Three queries, whatever the number of cases."""
    cases = list(
        Case.objects.filter(municipality=municipality).values_list(
            "pk", "number", "anonymous", "created_at"
        )
    )
    last_write = dict(
        AuditEntry.objects.filter(municipality_id=municipality.pk, write=True)
        .exclude(case_id=None)
        .order_by()
        .values("case_id")
        .annotate(last=Max("at"))
        .values_list("case_id", "last")
    )
    courses = {
        row["case_id"]: row
        for row in Course.objects.filter(case__municipality=municipality)
        .order_by()
        .values("case_id")
        .annotate(active=Count("pk", filter=Q(status=CourseStatus.ACTIVE)), ended=Max("ended_on"))
    }
    activity = []
    for pk, number, anonymous, created_at in cases:
        last = max(created_at, last_write.get(pk) or created_at)
        course = courses.get(pk)
        active = bool(course and course["active"])
        activity.append(
            CaseActivity(
                case_id=pk,
                number=number,
                anonymous=anonymous,
                last_activity=last.astimezone(TZ).date(),
                course_active=active,
                courses_ended_on=course["ended"] if course and not active else None,
            )
        )
    return activity


def _erase(erasures: list[Erasure], municipality: Municipality, rows: Counter[str]) -> None:
    """Delete the cases and every row under them (and a citizen left with no case), writing
    an audit entry per case first; the audit log itself is kept."""
    locked = {
        c.pk: c
        for c in Case.objects.select_for_update().filter(pk__in=[e.case_id for e in erasures])
    }
    erasures[:] = [e for e in erasures if e.case_id in locked]  # gone meanwhile: not counted
    ids = [e.case_id for e in erasures]
    for e in erasures:
        audit_record(
            actor=None,
            event=Event.CASE_ERASED,
            write=True,
            case_id=e.case_id,
            obj=locked[e.case_id],
            why=f"opbevaringsregel {e.rule}",
            old={"number": e.number},
            new={"rule": e.rule, "counted_from": str(e.counted_from), "due_on": str(e.due_on)},
            municipality_id=municipality.pk,
        )
    for held in deletion_order(case_held()):
        _, by_model = rows_of(held, ids).delete()
        rows.update({k: v for k, v in by_model.items() if v})
    citizens = {c.citizen_id for c in locked.values() if c.citizen_id}
    for gone in (
        Case.objects.filter(pk__in=ids),
        Citizen.objects.filter(pk__in=citizens, case__isnull=True),  # no case left
    ):
        rows.update({k: v for k, v in gone.delete()[1].items() if v})


def retention_run(
    *, on: dt.date, dry_run: bool, municipality: Municipality | None = None
) -> list[RetentionReport]:
    """Per municipality (or the one given): the cases due for erasure on `on` under the
    retention rules of its standard in force that day; erased, one transaction per
    municipality, unless `dry_run`."""
    reports = []
    tenants = [municipality] if municipality else Municipality.objects.order_by("slug")
    for m in tenants:
        retention = load(m.slug, on).standard.retention
        report = RetentionReport(m.slug, has_rules=retention is not None)
        reports.append(report)
        if retention is None:
            continue
        with transaction.atomic():
            report.erased = retention_due(retention, _activity(m), on)
            if report.erased and not dry_run:
                _erase(report.erased, m, report.rows)
    return reports
