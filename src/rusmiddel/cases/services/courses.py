"""Courses (forløb): start, treatment plan, sessions and attendance, groups, status reports,
self-payment, change of offer and ending with its follow-ups."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction

from rusmiddel import rules
from rusmiddel.accounts.permissions import Action
from rusmiddel.audit.models import Event
from rusmiddel.audit.services import audit_record
from rusmiddel.letters.services import letter_for_follow_up, letter_for_self_payment
from rusmiddel.rules.errors import RulesError

from ..errors import Conflict, Invalid
from ..models import (
    Attendance,
    Case,
    CaseStatus,
    Course,
    CourseStatus,
    Deadline,
    DeadlineKind,
    DecisionOutcome,
    EndOutcome,
    EndReason,
    FollowUp,
    SelfPaymentAssessment,
    Session,
    StatusReport,
    StatusReportKind,
    TreatmentPlan,
)
from ._common import (
    bump,
    case_assign,
    deadline_add,
    deadlines_meet,
    locked_case,
    locked_child,
    not_before,
    offer_in,
    provider_in,
    standard_on,
)

#: Consecutive no-shows after which a course is flagged for a talk about ending it
#: (Gentofte: "afslutte behandlingsforløb, hvor borgeren … udebliver fra planlagt behandling").
NO_SHOW_LIMIT = 3


def _locked_course(*, actor: Any, course_id: int, version: int, action: Action) -> Course:
    course, case = locked_child(
        Course,
        actor=actor,
        pk=course_id,
        version=version,
        action=action,
        path="case__",
        what="Forløb",
    )
    course.case = case
    return course


def _status_report_deadline(course: Course, after: dt.date) -> None:
    compiled = standard_on(course.case.municipality.slug, after)
    reports = compiled.standard.deadlines.status_reports
    if reports is None or reports.every_months is None:
        return
    due = rules.add_months(after, reports.every_months)
    Deadline.objects.update_or_create(
        kind=DeadlineKind.STATUS_REPORT,
        source_type="course",
        source_id=course.pk,
        defaults={
            "municipality_id": course.case.municipality_id,
            "case": course.case,
            "due_on": due,
            "text": f"Status fra leverandøren senest {due:%d.%m.%Y}",
            "caseworker_id": course.case.caseworker_id,
            "provider_id": course.provider_id,
            "anonymous": course.case.anonymous,
            "met_on": None,
        },
    )


def course_start(
    *,
    actor: Any,
    case_id: int,
    version: int,
    started_on: dt.date,
    decision_id: int | None = None,
    offer: str | None = None,
    provider: str | None = None,
) -> Course:
    """Start treatment on a granted decision (or, for anonymous and direct-access offers
    without a decision, on the offer). Meets the treatment guarantee."""
    with transaction.atomic():
        case = locked_case(
            actor=actor, case_id=case_id, version=version, action=Action.COURSE_MANAGE
        )
        course = _course_create(
            actor=actor,
            case=case,
            started_on=started_on,
            decision_id=decision_id,
            offer=offer,
            provider=provider,
        )
        bump(case, status=CaseStatus.IN_COURSE)
        audit_record(
            actor=actor,
            event=Event.COURSE_STARTED,
            write=True,
            case_id=case.pk,
            obj=course,
            new={"offer": course.offer, "started_on": started_on.isoformat()},
        )
    return course


def _course_create(
    *,
    actor: Any,
    case: Case,
    started_on: dt.date,
    decision_id: int | None,
    offer: str | None,
    provider: str | None,
    previous: Course | None = None,
) -> Course:
    compiled = standard_on(case.municipality.slug, started_on)
    decision = None
    if decision_id is not None:
        decision = case.decisions.filter(pk=decision_id).first()
        if decision is None:
            raise Invalid(f"Afgørelse {decision_id} findes ikke på sagen.", field="decision_id")
        if decision.outcome != DecisionOutcome.GRANTED:
            raise Invalid(
                "Afgørelsen er et afslag; der kan ikke startes forløb.", field="decision_id"
            )
        not_before(started_on, decision.decided_on, "started_on", "afgørelsen")
        chosen = offer_in(compiled, decision.offer)
    else:
        if not offer:
            raise Invalid("Angiv afgørelsen, forløbet bygger på.", field="decision_id")
        chosen = offer_in(compiled, offer)
        if not (chosen.anonymous or case.anonymous or not chosen.treatment):
            raise Invalid(f"{chosen.title} kræver en afgørelse om bevilling.", field="decision_id")
    first_contact = case.contacts.order_by("received_on").values_list("received_on", flat=True)
    if first_contact.first():
        not_before(started_on, first_contact.first(), "started_on", "henvendelsen")
    chosen_provider = (
        provider_in(provider, case.municipality)
        or (decision.provider if decision else None)
        or case.provider
    )
    course = Course.objects.create(
        case=case,
        decision=decision,
        offer=chosen.id,
        provider=chosen_provider,
        started_on=started_on,
        previous=previous,
        created_by=actor,
    )
    if chosen_provider and case.provider_id != chosen_provider.pk:
        case_assign(case, provider=chosen_provider)
    deadlines_meet(case, DeadlineKind.TREATMENT_GUARANTEE, started_on)
    _status_report_deadline(course, started_on)
    return course


def plan_record(
    *,
    actor: Any,
    course_id: int,
    version: int,
    goal: str,
    goals_text: str,
    agreed_on: dt.date,
) -> TreatmentPlan:
    """A new version of the treatment plan with the citizen's goals (SEL § 101, stk. 8)."""
    from ..models import Goal

    if goal not in Goal.values:
        raise Invalid(f"Ukendt mål '{goal}' (en af {', '.join(Goal.values)}).", field="goal")
    if not goals_text.strip():
        raise Invalid("Skriv borgerens mål med egne ord.", field="goals_text")
    with transaction.atomic():
        course = _locked_course(
            actor=actor, course_id=course_id, version=version, action=Action.COURSE_MANAGE
        )
        not_before(agreed_on, course.started_on, "agreed_on", "forløbets start")
        latest = course.plans.order_by("-version").values_list("version", flat=True).first()
        plan = TreatmentPlan.objects.create(
            course=course,
            version=(latest or 0) + 1,
            goal=goal,
            goals_text=goals_text.strip(),
            agreed_on=agreed_on,
            recorded_by=actor,
        )
        bump(course.case)
        audit_record(
            actor=actor,
            event=Event.PLAN_RECORDED,
            write=True,
            case_id=course.case_id,
            obj=plan,
            new={"goal": goal, "version": plan.version},
        )
    return plan


def session_record(
    *,
    actor: Any,
    course_id: int,
    version: int,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    attendance: str = "",
    note: str = "",
) -> Session:
    """Book (or record) an individual session on an active course."""
    if ends_at <= starts_at:
        raise Invalid("Samtalen skal slutte efter, den begynder.", field="ends_at")
    if attendance and attendance not in Attendance.values:
        raise Invalid(f"Ukendt fremmøde '{attendance}'.", field="attendance")
    with transaction.atomic():
        course = _locked_course(
            actor=actor, course_id=course_id, version=version, action=Action.COURSE_MANAGE
        )
        _active(course)
        not_before(starts_at.date(), course.started_on, "starts_at", "forløbets start")
        session = Session.objects.create(
            course=course,
            starts_at=starts_at,
            ends_at=ends_at,
            attendance=attendance,
            note=note,
            recorded_by=actor,
        )
        bump(course.case)
        audit_record(
            actor=actor,
            event=Event.SESSION_RECORDED,
            write=True,
            case_id=course.case_id,
            obj=session,
            new={"starts_at": starts_at.isoformat(), "attendance": attendance},
        )
    return session


def _active(course: Course) -> None:
    if course.status != CourseStatus.ACTIVE:
        raise Invalid("Forløbet er afsluttet.", field="course_id")


def attendance_record(
    *, actor: Any, session_id: int, version: int, attendance: str, note: str = ""
) -> dict[str, Any]:
    """Record attendance; returns the run of consecutive no-shows, flagged at NO_SHOW_LIMIT."""
    if attendance not in Attendance.values:
        raise Invalid(
            f"Ukendt fremmøde '{attendance}' (en af {', '.join(Attendance.values)}).",
            field="attendance",
        )
    with transaction.atomic():
        session, case = locked_child(
            Session,
            actor=actor,
            pk=session_id,
            version=version,
            action=Action.COURSE_MANAGE,
            path="course__case__",
            what="Samtale",
        )
        course = session.course
        old = session.attendance
        session.attendance = attendance
        session.note = note or session.note
        session.save(update_fields=["attendance", "note"])
        recent = list(
            course.sessions.exclude(attendance="")
            .exclude(attendance=Attendance.CANCELLED)
            .order_by("-starts_at")
            .values_list("attendance", flat=True)[:NO_SHOW_LIMIT]
        )
        streak = 0
        for value in recent:
            if value != Attendance.NO_SHOW:
                break
            streak += 1
        bump(case)
        audit_record(
            actor=actor,
            event=Event.ATTENDANCE_RECORDED,
            write=True,
            case_id=case.pk,
            obj=session,
            old={"attendance": old},
            new={"attendance": attendance},
        )
    return {
        "session": session,
        "no_show_streak": streak,
        "flag": streak >= NO_SHOW_LIMIT,
    }


def group_enrol(
    *, actor: Any, course_id: int, version: int, group_id: int, enrolled_on: dt.date
) -> Any:
    """Enrol a course in a group run: its remaining sessions (from the standard's calendar,
    public holidays skipped) are booked. A full group refuses."""
    from rusmiddel.groups.models import Enrolment, Group

    with transaction.atomic():
        course = _locked_course(
            actor=actor, course_id=course_id, version=version, action=Action.COURSE_MANAGE
        )
        _active(course)
        group = (
            Group.objects.select_for_update()
            .filter(pk=group_id, municipality_id=course.case.municipality_id)
            .first()
        )
        if group is None:
            raise Invalid(f"Gruppe {group_id} findes ikke.", field="group_id")
        if group.offer != course.offer:
            raise Invalid(
                f"Gruppen hører til tilbuddet '{group.offer}', forløbet er '{course.offer}'.",
                field="group_id",
            )
        if group.enrolments.count() >= group.seats:
            raise Conflict(f"Gruppen er fuld ({group.seats} pladser).", field="group_id")
        if group.enrolments.filter(course=course).exists():
            raise Invalid("Borgeren er allerede tilmeldt gruppen.", field="group_id")
        compiled = standard_on(course.case.municipality.slug, group.starts_on)
        offer = offer_in(compiled, group.offer)
        try:
            calendar = rules.group_sessions(offer, group.starts_on, group.stop_day)
        except RulesError as exc:
            raise Invalid(str(exc), field="group_id") from None
        enrolment = Enrolment.objects.create(
            group=group, course=course, enrolled_on=enrolled_on, enrolled_by=actor
        )
        Session.objects.bulk_create(
            Session(
                course=course,
                starts_at=s.start,
                ends_at=s.end,
                group=group,
                recorded_by=actor,
            )
            for s in calendar
            if s.start.date() >= enrolled_on
        )
        bump(course.case)
        audit_record(
            actor=actor,
            event=Event.GROUP_ENROLLED,
            write=True,
            case_id=course.case_id,
            obj=enrolment,
            new={"group": group.pk, "enrolled_on": enrolled_on.isoformat()},
        )
    return enrolment


def status_report_record(
    *,
    actor: Any,
    course_id: int,
    version: int,
    text: str,
    submitted_on: dt.date,
    kind: str = StatusReportKind.PERIODIC,
) -> StatusReport:
    """A status report from the provider; it meets the one due and sets the next."""
    if kind not in StatusReportKind.values:
        raise Invalid(f"Ukendt statustype '{kind}'.", field="kind")
    if not text.strip():
        raise Invalid("Skriv statusbeskrivelsen.", field="text")
    with transaction.atomic():
        course = _locked_course(
            actor=actor, course_id=course_id, version=version, action=Action.COURSE_MANAGE
        )
        report = _status_report_create(actor, course, kind, text, submitted_on)
        if kind == StatusReportKind.PERIODIC and course.status == CourseStatus.ACTIVE:
            _status_report_deadline(course, submitted_on)
        bump(course.case)
    return report


def _status_report_create(
    actor: Any, course: Course, kind: str, text: str, submitted_on: dt.date
) -> StatusReport:
    not_before(submitted_on, course.started_on, "submitted_on", "forløbets start")
    report = StatusReport.objects.create(
        course=course, kind=kind, text=text.strip(), submitted_on=submitted_on, submitted_by=actor
    )
    deadlines_meet(course.case, DeadlineKind.STATUS_REPORT, submitted_on, source_id=course.pk)
    audit_record(
        actor=actor,
        event=Event.STATUS_REPORT_RECORDED,
        write=True,
        case_id=course.case_id,
        obj=report,
        new={"kind": kind, "submitted_on": submitted_on.isoformat()},
    )
    return report


def self_payment_record(
    *,
    actor: Any,
    course_id: int,
    version: int,
    days: int,
    keeps_rent: bool,
    monthly_income_dkk: Decimal | None = None,
) -> SelfPaymentAssessment:
    """Self-payment for a residential stay from the standard's rule (keeps paying rent →
    food and laundry only), capped so the rådighedsbeløb is left."""
    with transaction.atomic():
        course = _locked_course(
            actor=actor, course_id=course_id, version=version, action=Action.COURSE_MANAGE
        )
        compiled = standard_on(course.case.municipality.slug, course.started_on)
        offer = offer_in(compiled, course.offer)
        rule = next((r for r in compiled.standard.self_payment if r.id == offer.self_payment), None)
        if rule is None:
            raise Invalid(f"{offer.title} har ingen egenbetaling.", field="course_id")
        try:
            calc = rules.self_payment(
                rule, days=days, keeps_rent=keeps_rent, monthly_income_dkk=monthly_income_dkk
            )
        except RulesError as exc:
            field, _, _ = str(exc).partition(":")
            raise Invalid(str(exc), field=field) from None
        record = SelfPaymentAssessment.objects.create(
            course=course,
            rule=rule.id,
            days=days,
            keeps_rent=keeps_rent,
            monthly_income_dkk=monthly_income_dkk,
            calculation=calc.to_json(),
            total_dkk=calc.total_dkk,
            recorded_by=actor,
        )
        letter_for_self_payment(record=record, actor=actor)
        bump(course.case)
        audit_record(
            actor=actor,
            event=Event.SELF_PAYMENT_RECORDED,
            write=True,
            case_id=course.case_id,
            obj=record,
            new=calc.to_json(),
        )
    return record


def _end(
    *, actor: Any, course: Course, ended_on: dt.date, reason: str, outcome: str
) -> list[FollowUp]:
    if reason not in EndReason.values:
        raise Invalid(
            f"Ukendt årsag '{reason}' (en af {', '.join(EndReason.values)}).", field="reason"
        )
    if outcome not in EndOutcome.values:
        raise Invalid(
            f"Ukendt resultat '{outcome}' (en af {', '.join(EndOutcome.values)}).",
            field="outcome",
        )
    _active(course)
    not_before(ended_on, course.started_on, "ended_on", "forløbets start")
    course.status = CourseStatus.ENDED
    course.ended_on = ended_on
    course.end_reason = reason
    course.outcome = outcome
    course.save(update_fields=["status", "ended_on", "end_reason", "outcome"])
    deadlines_meet(course.case, DeadlineKind.STATUS_REPORT, ended_on, source_id=course.pk)
    follow_ups: list[FollowUp] = []
    if reason in (EndReason.DECEASED, EndReason.TRANSFERRED, EndReason.MOVED):
        return follow_ups  # nobody to follow up here: the next course or municipality does
    compiled = standard_on(course.case.municipality.slug, ended_on)
    months = compiled.standard.deadlines.follow_up.months
    for n, due in zip(months, rules.follow_ups(compiled.standard, ended_on), strict=True):
        follow_up = FollowUp.objects.create(course=course, months=n, due_on=due)
        deadline_add(
            course.case,
            kind=DeadlineKind.FOLLOW_UP,
            due_on=due,
            text=f"Opfølgning {n} måned{'er' if n > 1 else ''} efter afsluttet forløb",
            source=follow_up,
        )
        follow_ups.append(follow_up)
        letter_for_follow_up(follow_up=follow_up, actor=actor)
    return follow_ups


def course_end(
    *,
    actor: Any,
    course_id: int,
    version: int,
    ended_on: dt.date,
    reason: str,
    outcome: str,
    final_report: str,
) -> list[FollowUp]:
    """End a course with reason, outcome and a final status report; follow-ups at the
    standard's months (both seeds: one and six) are created and put on the due list."""
    if not final_report.strip():
        raise Invalid("Skriv den afsluttende status.", field="final_report")
    with transaction.atomic():
        course = _locked_course(
            actor=actor, course_id=course_id, version=version, action=Action.COURSE_END
        )
        follow_ups = _end(
            actor=actor, course=course, ended_on=ended_on, reason=reason, outcome=outcome
        )
        _status_report_create(actor, course, StatusReportKind.FINAL, final_report, ended_on)
        still_active = course.case.courses.filter(status=CourseStatus.ACTIVE).exists()
        bump(course.case, status=None if still_active else CaseStatus.ENDED)
        audit_record(
            actor=actor,
            event=Event.COURSE_ENDED,
            write=True,
            case_id=course.case_id,
            obj=course,
            new={"ended_on": ended_on.isoformat(), "reason": reason, "outcome": outcome},
        )
    return follow_ups


def offer_change(
    *, actor: Any, course_id: int, version: int, decision_id: int, changed_on: dt.date
) -> Course:
    """Change of offer: the course ends as transferred and a new one starts on the new
    granted decision, linked to the old one."""
    with transaction.atomic():
        course = _locked_course(
            actor=actor, course_id=course_id, version=version, action=Action.COURSE_MANAGE
        )
        # the change date ends one course and starts the next: name it, not their fields
        not_before(changed_on, course.started_on, "changed_on", "forløbets start")
        decision = course.case.decisions.filter(pk=decision_id).first()
        if decision is not None:
            not_before(changed_on, decision.decided_on, "changed_on", "afgørelsen")
        _end(
            actor=actor,
            course=course,
            ended_on=changed_on,
            reason=EndReason.TRANSFERRED,
            outcome=EndOutcome.UNCHANGED,
        )
        new = _course_create(
            actor=actor,
            case=course.case,
            started_on=changed_on,
            decision_id=decision_id,
            offer=None,
            provider=None,
            previous=course,
        )
        bump(course.case, status=CaseStatus.IN_COURSE)
        audit_record(
            actor=actor,
            event=Event.OFFER_CHANGED,
            write=True,
            case_id=course.case_id,
            obj=new,
            old={"course": course.pk, "offer": course.offer},
            new={"course": new.pk, "offer": new.offer},
        )
    return new
