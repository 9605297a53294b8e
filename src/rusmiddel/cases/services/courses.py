"""Courses (forløb): start, treatment plan, sessions and attendance, groups, status reports,
self-payment, change of offer and ending with its follow-ups."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from rusmiddel import rules
from rusmiddel.accounts.permissions import Action
from rusmiddel.audit.models import Event
from rusmiddel.audit.services import audit_record
from rusmiddel.letters.services import letter_for_follow_up, letter_for_self_payment
from rusmiddel.outcomes.key_facts import (
    key_facts_defaults,
    key_facts_given,
    key_facts_json,
    key_facts_put,
)
from rusmiddel.outcomes.models import KeyFacts, Moment
from rusmiddel.rules import end_outcomes
from rusmiddel.rules.errors import RulesError
from rusmiddel.rules.evaluation import age_in_band, age_text
from rusmiddel.rules.facts import birth_date as facts_birth_date
from rusmiddel.rules.schedule import COPENHAGEN
from rusmiddel.standards.schema import Offer

from .. import limits
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
    DecisionStatus,
    EndOutcome,
    EndReason,
    FollowUp,
    SelfPaymentAssessment,
    Session,
    StatusReport,
    StatusReportKind,
    Substance,
    TreatmentPlan,
)
from ._common import (
    bump,
    case_assign,
    deadline_add,
    deadlines_meet,
    event_date_check,
    local_date,
    locked_case,
    locked_child,
    offer_in,
    provider_in,
    standard_on,
)
from .decisions import NO_LONGER


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
    """The next status report (or supervision, where the standard limits it to some settings,
    such as Helsingør's supervision of residential stays) falls due `every_months` after."""
    compiled = standard_on(course.case.municipality.slug, after)
    reports = compiled.standard.deadlines.status_reports
    if reports is None or reports.every_months is None:
        return
    if reports.settings is not None:
        offer = compiled.standard.offer(course.offer)
        if offer is None or offer.setting not in reports.settings:
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
            "text": f"{reports.due_text} senest {due:%d.%m.%Y}",
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
    use_frequency: str = "",
    housing: str = "",
    occupation: str = "",
    action: Action = Action.COURSE_MANAGE,  # booking from the waitlist: WAITLIST_BOOK
) -> Course:
    """Start treatment on a granted decision (or, for anonymous and direct-access offers
    without a decision, on the offer). Meets the treatment guarantee. Sets the course's
    substance and records the key facts at the start: housing and occupation default to the
    latest assessment's; on treatment for the citizen's own use (`measured`) they and the
    use in the last 30 days are required, elsewhere recorded when the use is given."""
    with transaction.atomic():
        case = locked_case(actor=actor, case_id=case_id, version=version, action=action)
        course, chosen = _course_create(
            actor=actor,
            case=case,
            started_on=started_on,
            decision_id=decision_id,
            offer=offer,
            provider=provider,
        )
        values = {"use_frequency": use_frequency, "housing": housing, "occupation": occupation}
        start = None
        if measured(chosen) or key_facts_given(values):
            given = {k: v for k, v in values.items() if v}
            start, _ = key_facts_put(
                course=course,
                moment=Moment.START,
                recorded_on=started_on,
                values={**key_facts_defaults(_latest_facts(case)), **given},
                actor=actor,
            )
        bump(case, status=CaseStatus.IN_COURSE)
        audit_record(
            actor=actor,
            event=Event.COURSE_STARTED,
            write=True,
            case_id=case.pk,
            obj=course,
            new={
                "offer": course.offer,
                "started_on": started_on.isoformat(),
                "substance": course.substance,
                "key_facts": key_facts_json(start) if start else None,
            },
        )
    return course


def measured(offer: Offer | None) -> bool:
    """Treatment for the citizen's own use: the courses the registers and the outcome goals
    count, whose key facts are required at start, end and follow-up. (Counselling and the
    groups for relatives record them when the use is given.)"""
    return offer is not None and offer.treatment and offer.audience == "user"


def _latest_facts(case: Case) -> dict[str, Any]:
    latest = case.assessments.order_by("-version").values_list("facts", flat=True).first()
    return latest or {}


def citizen_age(case: Case, on: dt.date) -> int | None:
    """The citizen's age on `on`: from the CPR's birth date, else (anonymous cases) the
    latest assessment's; None when neither is known."""
    citizen = case.citizen if case.citizen_id else None
    born = citizen.birth_date if citizen else None
    born = born or facts_birth_date(_latest_facts(case))
    return rules.age_on(born, on) if born and born <= on else None


def _substance(offer: Offer, case: Case) -> str:
    """The offer's single substance, or the latest assessment's primary one ("" unknown)."""
    return end_outcomes.course_substance(offer.substances, _latest_facts(case))


def _course_create(
    *,
    actor: Any,
    case: Case,
    started_on: dt.date,
    decision_id: int | None,
    offer: str | None,
    provider: str | None,
    previous: Course | None = None,
) -> tuple[Course, Offer]:
    compiled = standard_on(case.municipality.slug, started_on)
    decision = None
    if decision_id is not None:
        decision = case.decisions.filter(pk=decision_id).first()
        if decision is None:
            raise Invalid(f"Afgørelse {decision_id} findes ikke på sagen.", field="decision_id")
        if decision.status != DecisionStatus.ACTIVE:  # withdrawn or corrected: no basis
            raise Invalid(
                f"Afgørelsen er {NO_LONGER[DecisionStatus(decision.status)]} og kan ikke "
                "længere være grundlag for et forløb.",
                field="decision_id",
            )
        if decision.outcome != DecisionOutcome.GRANTED:
            raise Invalid(
                "Afgørelsen er et afslag; der kan ikke startes forløb.", field="decision_id"
            )
        chosen = offer_in(compiled, decision.offer)
    else:
        if not offer:
            raise Invalid("Angiv afgørelsen, forløbet bygger på.", field="decision_id")
        chosen = offer_in(compiled, offer)
        if not (chosen.anonymous or case.anonymous or not chosen.treatment):
            raise Invalid(f"{chosen.title} kræver en afgørelse om bevilling.", field="decision_id")
        # no decision weighed the offer's age band: a course on it must not pass it by
        age = citizen_age(case, started_on)
        if age_in_band(chosen.age, age) is False:
            raise Invalid(
                f"{chosen.title} er ikke for borgerens alder ({age} år den "
                f"{started_on:%d.%m.%Y}): {age_text(chosen.age).lower()}.",
                field="offer",
            )
    first_contact = case.contacts.order_by("received_on").values_list("received_on", flat=True)
    # A start is planned: the waitlist books it ahead (`capacity.services.proposal_book`) and
    # the treatment guarantee is met by the date booked, so it may lie after today. What
    # happens on a course (its plan, attendance, reports, ending) may not.
    event_date_check(
        started_on,
        field="started_on",
        what="Forløbets start",
        planned=True,
        follows=(
            (decision.decided_on if decision else None, "afgørelsen"),
            (first_contact.first(), "henvendelsen"),
        ),
    )
    chosen_provider = (
        provider_in(provider, case.municipality)
        or (decision.provider if decision else None)
        or case.provider
    )
    course = Course.objects.create(
        case=case,
        decision=decision,
        offer=chosen.id,
        substance=_substance(chosen, case),
        provider=chosen_provider,
        started_on=started_on,
        previous=previous,
        created_by=actor,
    )
    if chosen_provider and case.provider_id != chosen_provider.pk:
        case_assign(case, provider=chosen_provider)
    deadlines_meet(case, DeadlineKind.TREATMENT_GUARANTEE, started_on)
    _status_report_deadline(course, started_on)
    return course, chosen


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
        event_date_check(
            agreed_on,
            field="agreed_on",
            what="Behandlingsplanens dato",
            follows=((course.started_on, "forløbets start"),),
        )
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
    action: Action = Action.COURSE_MANAGE,  # booking from the waitlist: WAITLIST_BOOK
) -> Session:
    """Book (or record) an individual session on an active course."""
    if ends_at <= starts_at:
        raise Invalid("Samtalen skal slutte efter, den begynder.", field="ends_at")
    if ends_at - starts_at > limits.SESSION_LENGTH:
        raise Invalid("En samtale kan højst vare 24 timer.", field="ends_at")
    if attendance and attendance not in Attendance.values:
        raise Invalid(f"Ukendt fremmøde '{attendance}'.", field="attendance")
    with transaction.atomic():
        course = _locked_course(actor=actor, course_id=course_id, version=version, action=action)
        _active(course)
        # a session is booked ahead; only its attendance waits for it to begin
        event_date_check(
            local_date(starts_at),
            field="starts_at",
            what="Samtalens dato",
            planned=True,
            follows=((course.started_on, "forløbets start"),),
        )
        if attendance:
            _attendance_check(attendance, starts_at, course)
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


#: Attendance that says what happened at a session: only once it has begun. A session can be
#: cancelled ahead.
_HAPPENED = frozenset({Attendance.ATTENDED, Attendance.NO_SHOW})


def _attendance_check(attendance: str, starts_at: dt.datetime, course: Course) -> None:
    """Attended or no-show only for a session that has begun; nothing for a session after the
    course's end (ending cancels those: see `_end`)."""
    day = local_date(starts_at)
    if course.ended_on is not None and day > course.ended_on:
        raise Invalid(
            f"Samtalen den {day:%d.%m.%Y} ligger efter forløbets afslutning "
            f"({course.ended_on:%d.%m.%Y}) og er aflyst.",
            field="attendance",
        )
    if attendance in _HAPPENED and starts_at > timezone.now():
        when = timezone.localtime(starts_at, COPENHAGEN)
        raise Invalid(
            f"Samtalen begynder {when:%d.%m.%Y kl. %H.%M}: fremmøde registreres, når den er "
            "begyndt. En samtale, der ikke bliver til noget, kan aflyses.",
            field="attendance",
        )


def attendance_record(
    *, actor: Any, session_id: int, version: int, attendance: str, note: str = ""
) -> dict[str, Any]:
    """Record attendance; returns the run of consecutive no-shows, flagged at the standard's
    limit (`rules.no_show_limit`: Gentofte's three in a row; three where a standard is silent)."""
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
        _attendance_check(attendance, session.starts_at, course)
        limit = rules.no_show_limit(standard_on(case.municipality.slug, course.started_on).standard)
        old = session.attendance
        session.attendance = attendance
        session.note = note or session.note
        session.save(update_fields=["attendance", "note"])
        recent = list(
            course.sessions.exclude(attendance="")
            .exclude(attendance=Attendance.CANCELLED)
            .order_by("-starts_at")
            .values_list("attendance", flat=True)[:limit]
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
        "flag": streak >= limit,
        "limit": limit,
    }


def group_enrol(
    *,
    actor: Any,
    course_id: int,
    version: int,
    group_id: int,
    enrolled_on: dt.date,
    action: Action = Action.COURSE_MANAGE,  # booking from the waitlist: WAITLIST_BOOK
) -> Any:
    """Enrol a course in a group run: its remaining sessions (from the standard's calendar,
    public holidays skipped) are booked. A full group refuses."""
    from rusmiddel.groups.models import Enrolment, Group
    from rusmiddel.groups.services import enrolment_check

    with transaction.atomic():
        course = _locked_course(actor=actor, course_id=course_id, version=version, action=action)
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
            calendar = rules.group_sessions(
                offer, group.starts_on, group.stop_day, closed=compiled.standard.closed_days
            )
        except RulesError as exc:
            raise Invalid(str(exc), field="group_id") from None
        enrolment_check(course=course, group=group, enrolled_on=enrolled_on, calendar=calendar)
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
    event_date_check(
        submitted_on,
        field="submitted_on",
        what="Statusrapportens dato",
        follows=((course.started_on, "forløbets start"),),
    )
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
    food and laundry only; the stay part from the income where the rule says so), capped so
    the rådighedsbeløb is left."""
    with transaction.atomic():
        course = _locked_course(
            actor=actor, course_id=course_id, version=version, action=Action.COURSE_MANAGE
        )
        compiled = standard_on(course.case.municipality.slug, course.started_on)
        offer = offer_in(compiled, course.offer)
        rule = next((r for r in compiled.standard.self_payment if r.id == offer.self_payment), None)
        if rule is None:
            raise Invalid(f"{offer.title} har ingen egenbetaling.", field="course_id")
        if rule.basis == "income" and not keeps_rent and monthly_income_dkk is None:
            raise Invalid(
                "Egenbetalingen for opholdet udregnes af borgerens indkomst: angiv borgerens "
                "månedlige indkomst.",
                field="monthly_income_dkk",
            )
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
    *,
    actor: Any,
    course: Course,
    ended_on: dt.date,
    reason: str,
    outcome: str,
    field: str = "ended_on",
) -> tuple[list[FollowUp], int]:
    """End the course: its follow-ups, and how many sessions after the end were cancelled."""
    if reason not in EndReason.values:
        raise Invalid(
            f"Ukendt årsag '{reason}' (en af {', '.join(EndReason.values)}).", field="reason"
        )
    _active(course)
    if not course.substance:  # a course started before substances were set: derive it now
        offer = standard_on(course.case.municipality.slug, course.started_on).standard.offer(
            course.offer
        )
        course.substance = _substance(offer, course.case) if offer else ""
    outcome_check(course.substance, outcome)
    # after the last session the citizen came to (or missed): it happened while the course ran
    last = (
        course.sessions.filter(attendance__in=_HAPPENED)
        .order_by("-starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    event_date_check(
        ended_on,
        field=field,
        what="Forløbets afslutning",
        follows=(
            (course.started_on, "forløbets start"),
            (local_date(last) if last else None, "den sidste samtale med fremmøde registreret"),
        ),
    )
    course.status = CourseStatus.ENDED
    course.ended_on = ended_on
    course.end_reason = reason
    course.outcome = outcome
    course.save(update_fields=["status", "ended_on", "end_reason", "outcome", "substance"])
    # the sessions booked after the end will not be held: cancelled, kept for the record
    # (the day after the end starts at midnight in Copenhagen)
    after = dt.datetime.combine(ended_on + dt.timedelta(days=1), dt.time(), tzinfo=COPENHAGEN)
    cancelled = course.sessions.filter(starts_at__gte=after, attendance="").update(
        attendance=Attendance.CANCELLED
    )
    deadlines_meet(course.case, DeadlineKind.STATUS_REPORT, ended_on, source_id=course.pk)
    follow_ups: list[FollowUp] = []
    if reason in (EndReason.DECEASED, EndReason.TRANSFERRED, EndReason.MOVED):
        # nobody to follow up here: the next course or municipality does
        return follow_ups, cancelled
    compiled = standard_on(course.case.municipality.slug, ended_on)
    standard = compiled.standard
    dates = rules.follow_ups(
        standard,
        ended_on,
        standard.offer(course.offer),
        _latest_facts(course.case),
        anonymous=course.case.anonymous,
    )
    months = standard.deadlines.follow_up.months if dates else []
    for n, due in zip(months, dates, strict=True):
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
    return follow_ups, cancelled


def outcome_check(substance: str, outcome: str) -> None:
    """The outcome is one of the government's categories for the course's substance (drugs:
    drug-free, reduced, stabilised; alcohol: alcohol-free, reduced, referred) or a non-goal
    ending; Invalid names `outcome`."""
    try:
        end_outcomes.outcome_validate(substance, outcome)
    except RulesError:
        allowed = ", ".join(end_outcomes.outcomes_for(substance))
        what = f"et forløb for {Substance(substance).label.lower()}" if substance else "et forløb"
        raise Invalid(
            f"Ukendt resultat '{outcome}' for {what} (en af {allowed}).", field="outcome"
        ) from None


def reachable(*values: str) -> bool:
    """Can the citizen still be asked about use, housing and occupation? Not after moving
    away or death (as the reason or the outcome): no key facts are required then."""
    return not any(v in end_outcomes.UNREACHABLE for v in values)


def key_facts_after(
    *,
    actor: Any,
    course: Course,
    moment: str,
    on: dt.date,
    values: dict[str, str],
    required: bool,
    deceased: bool,
) -> KeyFacts | None:
    """The key facts at an ending or a follow-up: required when `required`, recorded when
    the use is given, refused (naming use_frequency) for a citizen who has died."""
    given = key_facts_given(values)
    if deceased and given:
        raise Invalid(
            "Der registreres ikke brug, bolig og beskæftigelse for en afdød borger.",
            field="use_frequency",
        )
    if not (required or given):
        return None
    row, _ = key_facts_put(course=course, moment=moment, recorded_on=on, values=values, actor=actor)
    return row


def course_end(
    *,
    actor: Any,
    course_id: int,
    version: int,
    ended_on: dt.date,
    reason: str,
    outcome: str,
    final_report: str,
    use_frequency: str = "",
    housing: str = "",
    occupation: str = "",
) -> list[FollowUp]:
    """End a course with reason, outcome (in the categories of the course's substance) and a
    final status report, and record the key facts at the end; follow-ups at the standard's
    months (both seeds: one and six) are created and put on the due list where the standard
    follows the course up (`rules.follow_up_applies`: Helsingør only courses for a drug
    problem, Gentofte no anonymous courses). The key facts are
    required on a measured course (see `measured`) unless the citizen moved away or died
    (reason or outcome): then they are recorded when the use is given, never for the dead."""
    if not final_report.strip():
        raise Invalid("Skriv den afsluttende status.", field="final_report")
    values = {"use_frequency": use_frequency, "housing": housing, "occupation": occupation}
    with transaction.atomic():
        course = _locked_course(
            actor=actor, course_id=course_id, version=version, action=Action.COURSE_END
        )
        follow_ups, cancelled = _end(
            actor=actor, course=course, ended_on=ended_on, reason=reason, outcome=outcome
        )
        offer = standard_on(course.case.municipality.slug, course.started_on).standard.offer(
            course.offer
        )
        end = key_facts_after(
            actor=actor,
            course=course,
            moment=Moment.END,
            on=ended_on,
            values=values,
            required=measured(offer) and reachable(reason, outcome),
            deceased=EndOutcome.DECEASED in (reason, outcome),
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
            new={
                "ended_on": ended_on.isoformat(),
                "reason": reason,
                "outcome": outcome,
                "substance": course.substance,
                "key_facts": key_facts_json(end) if end else None,
                "sessions_cancelled": cancelled,
            },
        )
    return follow_ups


def offer_change(
    *,
    actor: Any,
    course_id: int,
    version: int,
    decision_id: int,
    changed_on: dt.date,
    use_frequency: str = "",
    housing: str = "",
    occupation: str = "",
) -> Course:
    """Change of offer: the course ends as transferred and a new one starts on the new
    granted decision, linked to the old one, with the substance of the new offer.

    Key facts given here are measured on the day of the change: the old course's end and
    the new one's start. Without them, a transfer is no new admission: the new course starts
    with the old course's latest key facts, as measured (their own date), and the old course
    gets no end facts; with nothing to carry over, the new course needs them as at a start."""
    values = {"use_frequency": use_frequency, "housing": housing, "occupation": occupation}
    with transaction.atomic():
        course = _locked_course(
            actor=actor, course_id=course_id, version=version, action=Action.COURSE_MANAGE
        )
        # the change date ends one course and starts the next: name it, not their fields;
        # the ending has happened, so the change is not dated ahead
        decision = course.case.decisions.filter(pk=decision_id).first()
        event_date_check(
            changed_on,
            field="changed_on",
            what="Skiftets dato",
            follows=(
                (course.started_on, "forløbets start"),
                (decision.decided_on if decision else None, "afgørelsen"),
            ),
        )
        _, cancelled = _end(
            actor=actor,
            course=course,
            ended_on=changed_on,
            reason=EndReason.TRANSFERRED,
            outcome=EndOutcome.UNCHANGED,
            field="changed_on",
        )
        new, chosen = _course_create(
            actor=actor,
            case=course.case,
            started_on=changed_on,
            decision_id=decision_id,
            offer=None,
            provider=None,
            previous=course,
        )
        latest = (
            None
            if key_facts_given(values)
            else KeyFacts.objects.filter(course=course).order_by("-recorded_on", "-pk").first()
        )
        if latest is not None:
            KeyFacts.objects.create(
                course=new,
                moment=Moment.START,
                recorded_on=latest.recorded_on,
                use_frequency=latest.use_frequency,
                housing=latest.housing,
                occupation=latest.occupation,
                recorded_by=actor,
            )
        elif measured(chosen) or key_facts_given(values):
            given = {k: v for k, v in values.items() if v}
            facts = {**key_facts_defaults(_latest_facts(course.case)), **given}
            if key_facts_given(values):
                key_facts_put(
                    course=course,
                    moment=Moment.END,
                    recorded_on=changed_on,
                    values=facts,
                    actor=actor,
                )
            key_facts_put(
                course=new, moment=Moment.START, recorded_on=changed_on, values=facts, actor=actor
            )
        bump(course.case, status=CaseStatus.IN_COURSE)
        audit_record(
            actor=actor,
            event=Event.OFFER_CHANGED,
            write=True,
            case_id=course.case_id,
            obj=new,
            old={"course": course.pk, "offer": course.offer},
            new={"course": new.pk, "offer": new.offer, "sessions_cancelled": cancelled},
        )
    return new
