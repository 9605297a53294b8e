"""Every write to a case: one service per step, each in one transaction with its audit entry.

Services take keyword-only, typed arguments, check the actor's role and the case's version
(optimistic locking: a stale version raises Conflict and writes nothing), apply the
municipality's standard through `rusmiddel.rules`, and keep the `Deadline` rows that the due
list reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from stdnum.dk import cpr as cpr_number
from stdnum.exceptions import ValidationError as StdnumError

from rusmiddel import rules
from rusmiddel.accounts.models import Municipality, Provider
from rusmiddel.accounts.permissions import Action
from rusmiddel.audit.models import Event
from rusmiddel.audit.services import audit_record
from rusmiddel.rules.errors import RulesError
from rusmiddel.standards import registry
from rusmiddel.standards.schema import Offer

from .errors import Conflict, Invalid, NotFound
from .models import (
    Assessment,
    Attendance,
    Case,
    CaseStatus,
    Citizen,
    Complaint,
    ComplaintStatus,
    Contact,
    Course,
    CourseStatus,
    Deadline,
    DeadlineKind,
    Decision,
    DecisionOutcome,
    EndOutcome,
    EndReason,
    Evaluation,
    FollowUp,
    FreeChoiceOutcome,
    PersonRole,
    SelfPaymentAssessment,
    Session,
    StatusReport,
    StatusReportKind,
    TreatmentPlan,
)
from .scoping import case_filter, require

#: Consecutive no-shows after which a course is flagged for a talk about ending it
#: (Gentofte: "afslutte behandlingsforløb, hvor borgeren … udebliver fra planlagt behandling").
NO_SHOW_LIMIT = 3
#: The municipality reassesses a complaint and, if it upholds the decision, forwards it
#: within four weeks (retssikkerhedsloven § 66).
REASSESSMENT_WEEKS = 4


# --- shared steps -------------------------------------------------------------------------


def _standard(municipality_slug: str, on: dt.date):
    try:
        return registry.load(municipality_slug, on)
    except RulesError as exc:
        raise Invalid(str(exc), field="date") from None


def _offer(compiled: Any, offer_id: str, field: str = "offer") -> Offer:
    offer = compiled.standard.offer(offer_id)
    if offer is None:
        known = ", ".join(o.id for o in compiled.standard.offers)
        raise Invalid(
            f"Ukendt tilbud '{offer_id}' i {compiled.standard.municipality.name}s standard "
            f"(kendte: {known}).",
            field=field,
        )
    return offer


def _provider(slug: str | None, municipality: Municipality, field: str = "provider"):
    if not slug:
        return None
    provider = Provider.objects.filter(slug=slug, municipalities=municipality).first()
    if provider is None:
        raise Invalid(f"Ukendt leverandør '{slug}' for {municipality.name}.", field=field)
    return provider


def _locked_case(*, actor: Any, case_id: int, version: int, action: Action) -> Case:
    """The case, locked for this transaction, if the actor may see it and act on it and the
    version the actor saw is still current."""
    require(actor, action)
    q = case_filter(actor)
    case = (
        Case.objects.select_for_update()
        .select_related("municipality")
        .filter(q, pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound(f"Sag {case_id} findes ikke.")
    if case.version != version:
        raise Conflict(
            f"Sagen er ændret af en anden (version {case.version}, du så version {version}). "
            "Hent sagen igen; intet er gemt.",
            field="version",
        )
    return case


def _bump(case: Case, *, status: str | None = None) -> None:
    """Count one more version of the case (and move its status along)."""
    changes: dict[str, Any] = {"version": F("version") + 1}
    if status is not None:
        changes["status"] = status
        case.status = status
    Case.objects.filter(pk=case.pk).update(**changes)
    case.version += 1


def _deadline(case: Case, *, kind: str, due_on: dt.date, text: str, source: Any) -> Deadline:
    return Deadline.objects.create(
        municipality_id=case.municipality_id,
        case=case,
        kind=kind,
        due_on=due_on,
        text=text[:200],
        caseworker_id=case.caseworker_id,
        provider_id=case.provider_id,
        anonymous=case.anonymous,
        source_type=type(source).__name__.lower(),
        source_id=source.pk,
    )


def _meet(case: Case, kind: str, on: dt.date, **source: Any) -> int:
    """Mark open deadlines of `kind` on the case as met on `on`."""
    rows = Deadline.objects.filter(case=case, kind=kind, met_on__isnull=True)
    if source:
        rows = rows.filter(**source)
    return rows.update(met_on=on)


def _not_before(later: dt.date, earlier: dt.date, field: str, what: str) -> None:
    if later < earlier:
        raise Invalid(
            f"{field}: {later.isoformat()} ligger før {what} ({earlier.isoformat()}).",
            field=field,
        )


# --- contact ------------------------------------------------------------------------------


def cpr_validate(raw: str, *, field: str = "citizen.cpr") -> tuple[str, dt.date]:
    """Ten digits with a real birth date and century digit; modulus 11 is not required
    (numbers without it have been issued since 2007)."""
    try:
        number = cpr_number.validate(raw)
        born = cpr_number.get_birth_date(number)
    except StdnumError:
        raise Invalid(
            f"CPR-nummeret '{raw}' er ikke gyldigt (10 cifre med en gyldig fødselsdato).",
            field=field,
        ) from None
    return number, born


def _guarantee(case: Case, contact: Contact) -> None:
    """Start the treatment-guarantee clock where the standard says so (never for anonymous
    treatment, nor for a contact without a wish for treatment)."""
    if case.anonymous or not contact.wishes_treatment:
        contact.guarantee_basis = (
            "Ingen behandlingsgaranti ved anonym behandling (SEL § 101 a)."
            if case.anonymous
            else "Henvendelsen indeholder ikke et ønske om behandling."
        )
        return
    compiled = _standard(case.municipality.slug, contact.received_on)
    offer = (
        _offer(compiled, contact.requested_offer, "requested_offer")
        if contact.requested_offer
        else None
    )
    due = rules.treatment_guarantee(compiled.standard, contact.received_on, offer)
    contact.guarantee_due = due
    contact.guarantee_basis = rules.guarantee_basis(compiled.standard, offer, due is not None)


def case_create(
    *,
    actor: Any,
    received_on: dt.date,
    channel: str,
    contact_by: str = "citizen",
    wishes_treatment: bool = True,
    requested_offer: str = "",
    note: str = "",
    anonymous: bool = False,
    pseudonym: str = "",
    citizen_cpr: str = "",
    citizen_name: str = "",
    citizen_phone: str = "",
    citizen_email: str = "",
    citizen_address: str = "",
    person_role: str = PersonRole.USER,
    related_case_id: int | None = None,
    provider: str | None = None,
) -> Case:
    """Open a case with its first contact (henvendelse)."""
    staff = require(actor, Action.CASE_CREATE)
    municipality = staff.municipality
    if anonymous:
        if citizen_cpr or citizen_name:
            raise Invalid(
                "En anonym sag må ikke indeholde CPR-nummer eller navn.", field="citizen.cpr"
            )
        if not pseudonym.strip():
            raise Invalid("Skriv det kaldenavn, borgeren har valgt.", field="pseudonym")
    else:
        if not citizen_name.strip():
            raise Invalid("Skriv borgerens navn.", field="citizen.name")
        number, born = cpr_validate(citizen_cpr)
    if person_role not in PersonRole.values:
        raise Invalid(f"Ukendt rolle '{person_role}'.", field="person_role")
    referred = staff.provider if staff.provider_id else _provider(provider, municipality)
    with transaction.atomic():
        related = None
        if related_case_id is not None:
            related = Case.objects.filter(case_filter(actor), pk=related_case_id).first()
            if related is None:
                raise Invalid(f"Sag {related_case_id} findes ikke.", field="related_case_id")
        citizen = None
        if not anonymous:
            citizen, _ = Citizen.objects.update_or_create(
                municipality=municipality,
                cpr=number,
                defaults={
                    "name": citizen_name.strip(),
                    "birth_date": born,
                    "phone": citizen_phone,
                    "email": citizen_email,
                    "address": citizen_address,
                },
            )
        Municipality.objects.filter(pk=municipality.pk).update(case_sequence=F("case_sequence") + 1)
        sequence = Municipality.objects.values_list("case_sequence", flat=True).get(
            pk=municipality.pk
        )
        case = Case.objects.create(
            municipality=municipality,
            number=f"{municipality.slug[:3].upper()}-{received_on.year}-{sequence:06d}",
            citizen=citizen,
            anonymous=anonymous,
            pseudonym=pseudonym.strip() if anonymous else "",
            person_role=person_role,
            related_case=related,
            caseworker=actor if staff.role == "caseworker" else None,
            provider=referred,
        )
        contact = _contact_create(
            actor=actor,
            case=case,
            received_on=received_on,
            channel=channel,
            contact_by=contact_by,
            wishes_treatment=wishes_treatment,
            requested_offer=requested_offer,
            note=note,
        )
        audit_record(
            actor=actor,
            event=Event.CASE_CREATED,
            write=True,
            case_id=case.pk,
            obj=case,
            new={"number": case.number, "anonymous": anonymous, "contact_id": contact.pk},
        )
    return case


def _contact_create(*, actor: Any, case: Case, **fields: Any) -> Contact:
    from .models import ContactBy, ContactChannel

    if fields["channel"] not in ContactChannel.values:
        raise Invalid(
            f"Ukendt kanal '{fields['channel']}' (en af {', '.join(ContactChannel.values)}).",
            field="channel",
        )
    if fields["contact_by"] not in ContactBy.values:
        raise Invalid(f"Ukendt afsender '{fields['contact_by']}'.", field="contact_by")
    contact = Contact(case=case, recorded_by=actor, **fields)
    _guarantee(case, contact)
    contact.save()
    if contact.guarantee_due is not None:
        _deadline(
            case,
            kind=DeadlineKind.TREATMENT_GUARANTEE,
            due_on=contact.guarantee_due,
            text=f"Behandling skal være iværksat senest {contact.guarantee_due:%d.%m.%Y}",
            source=contact,
        )
    return contact


def contact_record(
    *,
    actor: Any,
    case_id: int,
    version: int,
    received_on: dt.date,
    channel: str,
    contact_by: str = "citizen",
    wishes_treatment: bool = True,
    requested_offer: str = "",
    note: str = "",
) -> Contact:
    """A further contact on an open case (a new wish for treatment starts a new clock)."""
    with transaction.atomic():
        case = _locked_case(
            actor=actor, case_id=case_id, version=version, action=Action.CONTACT_RECORD
        )
        contact = _contact_create(
            actor=actor,
            case=case,
            received_on=received_on,
            channel=channel,
            contact_by=contact_by,
            wishes_treatment=wishes_treatment,
            requested_offer=requested_offer,
            note=note,
        )
        _bump(case)
        audit_record(
            actor=actor,
            event=Event.CONTACT_RECORDED,
            write=True,
            case_id=case.pk,
            obj=contact,
            new={"received_on": received_on.isoformat(), "channel": channel},
        )
    return contact


# --- assessment and evaluation -------------------------------------------------------------


def assessment_record(
    *, actor: Any, case_id: int, version: int, facts: dict[str, Any], on: dt.date
) -> tuple[Assessment, Evaluation]:
    """Record a new version of the facts and evaluate every offer of the standard in force
    on `on`; the evaluation is stored with the standard's exact version."""
    with transaction.atomic():
        case = _locked_case(
            actor=actor, case_id=case_id, version=version, action=Action.ASSESSMENT_RECORD
        )
        facts = _with_citizen_birth_date(case, facts)
        compiled = _standard(case.municipality.slug, on)
        try:
            result = rules.evaluate(compiled, facts, on)
        except RulesError as exc:
            field, _, message = str(exc).partition(": ")
            raise Invalid(str(exc), field=f"facts.{field}" if message else "facts") from None
        previous = case.assessments.order_by("-version").values_list("version", flat=True)
        assessment = Assessment.objects.create(
            case=case, version=(previous.first() or 0) + 1, facts=facts, recorded_by=actor
        )
        evaluation = Evaluation.objects.create(
            case=case,
            assessment=assessment,
            evaluated_on=on,
            standard_version=compiled.version,
            result=result.to_json(),
            created_by=actor,
        )
        _bump(case, status=CaseStatus.ASSESSMENT if case.status == "contact" else None)
        audit_record(
            actor=actor,
            event=Event.ASSESSMENT_RECORDED,
            write=True,
            case_id=case.pk,
            obj=assessment,
            new={"version": assessment.version, "facts": facts},
        )
        audit_record(
            actor=actor,
            event=Event.EVALUATION_RECORDED,
            write=True,
            case_id=case.pk,
            obj=evaluation,
            new={"standard_version": compiled.version, "on": on.isoformat()},
        )
    return assessment, evaluation


def _with_citizen_birth_date(case: Case, facts: Any) -> Any:
    """A named citizen's birth date comes from the CPR number, not from what is typed."""
    if not isinstance(facts, dict) or case.citizen_id is None:
        return facts
    person = facts.get("person")
    if person is not None and not isinstance(person, dict):
        return facts  # let validation name the field
    born = case.citizen.birth_date.isoformat()
    if person and person.get("birth_date") not in (None, born):
        raise Invalid(
            f"Fødselsdatoen {person['birth_date']} passer ikke med CPR-nummeret ({born}).",
            field="facts.person.birth_date",
        )
    return {**facts, "person": {**(person or {}), "birth_date": born}}


# --- decision -----------------------------------------------------------------------------


def _reasoning(offer: Offer, offer_result: dict[str, Any], outcome: str, note: str) -> str:
    """Forvaltningsloven §§ 22–24: the legal rules, the main facts and the assessment."""
    verb = "bevilget" if outcome == DecisionOutcome.GRANTED else "ikke bevilget"
    met = [r["text"] for r in offer_result["reasons"] if r["met"] is True]
    failed = [r["text"] for r in offer_result["reasons"] if r["met"] is False]
    unknown = [r["text"] for r in offer_result["reasons"] if r["met"] is None]
    lines = [
        f"Du er {verb} {offer.title}.",
        f"Afgørelsen er truffet efter {', '.join(offer.legal_basis)}.",
    ]
    if met:
        lines.append("Vi har lagt vægt på, at: " + "; ".join(met) + ".")
    if failed:
        lines.append("Betingelserne er ikke opfyldt, fordi det ikke er tilfældet, at: ")
        lines[-1] += "; ".join(failed) + "."
    if unknown:
        lines.append("Vi mangler oplysninger om: " + "; ".join(unknown) + ".")
    if note.strip():
        lines.append(note.strip())
    return "\n".join(lines)


def decision_record(
    *,
    actor: Any,
    case_id: int,
    version: int,
    offer: str,
    outcome: str,
    decided_on: dt.date,
    send_channel: str = "digital_post",
    provider: str | None = None,
    free_choice_requested: str = "",
    free_choice_outcome: str = FreeChoiceOutcome.NOT_REQUESTED,
    override_reason: str = "",
    note: str = "",
) -> Decision:
    """Grant or refuse one offer on the latest evaluation. Granting an offer the evaluation
    does not find eligible needs an override reason; the complaint deadline follows the
    offer's route and how the letter is sent."""
    if outcome not in DecisionOutcome.values:
        raise Invalid(f"Ukendt udfald '{outcome}' (granted eller refused).", field="outcome")
    if send_channel not in rules.CHANNELS:
        raise Invalid(
            f"Ukendt forsendelse '{send_channel}' (en af {', '.join(rules.CHANNELS)}).",
            field="send_channel",
        )
    if free_choice_outcome not in FreeChoiceOutcome.values:
        raise Invalid(f"Ukendt udfald '{free_choice_outcome}'.", field="free_choice_outcome")
    if free_choice_requested and free_choice_outcome == FreeChoiceOutcome.NOT_REQUESTED:
        raise Invalid(
            "Borgeren har ønsket et andet tilbud: angiv om ønsket imødekommes.",
            field="free_choice_outcome",
        )
    with transaction.atomic():
        case = _locked_case(
            actor=actor, case_id=case_id, version=version, action=Action.DECISION_RECORD
        )
        evaluation = case.evaluations.order_by("-created_at", "-id").first()
        if evaluation is None:
            raise Invalid("Sagen er ikke udredt: registrér udredningen først.", field="offer")
        compiled = _standard(case.municipality.slug, evaluation.evaluated_on)
        chosen = _offer(compiled, offer)
        result = evaluation.offer_result(offer)
        if (
            outcome == DecisionOutcome.GRANTED
            and result["status"] != "eligible"
            and not override_reason.strip()
        ):
            raise Invalid(
                f"{chosen.title} kan ikke bevilges efter visitationen "
                f"({result['status']}); skriv en begrundelse for at fravige den.",
                field="override_reason",
            )
        _not_before(decided_on, evaluation.evaluated_on, "decided_on", "udredningen")
        received = rules.received_on(decided_on, send_channel)
        deadline = rules.complaint_deadline(compiled.standard, chosen, received)
        chosen_provider = _provider(provider, case.municipality) or case.provider
        decision = Decision.objects.create(
            case=case,
            evaluation=evaluation,
            offer=offer,
            outcome=outcome,
            evaluation_status=result["status"],
            reasoning=_reasoning(chosen, result, outcome, note),
            override_reason=override_reason.strip(),
            legal_basis=list(chosen.legal_basis),
            provider=chosen_provider,
            free_choice_requested=free_choice_requested,
            free_choice_outcome=free_choice_outcome,
            decided_on=decided_on,
            sent_on=decided_on,
            send_channel=send_channel,
            received_on=received,
            complaint_route=chosen.complaint_route or "",
            complaint_deadline=deadline.date if deadline else None,
            standard_version=evaluation.standard_version,
            decided_by=actor,
        )
        if outcome == DecisionOutcome.GRANTED and chosen_provider and not case.provider_id:
            case.provider = chosen_provider
            Case.objects.filter(pk=case.pk).update(provider=chosen_provider)
            Deadline.objects.filter(case=case).update(provider=chosen_provider)
        if case.caseworker_id is None and actor.staff.role == "caseworker":
            Case.objects.filter(pk=case.pk).update(caseworker=actor)
            Deadline.objects.filter(case=case).update(caseworker=actor)
        _bump(case, status=CaseStatus.DECIDED if case.status in ("contact", "assessment") else None)
        audit_record(
            actor=actor,
            event=Event.DECISION_RECORDED,
            write=True,
            case_id=case.pk,
            obj=decision,
            new={
                "offer": offer,
                "outcome": outcome,
                "evaluation_status": result["status"],
                "override_reason": decision.override_reason,
                "complaint_deadline": deadline.date.isoformat() if deadline else None,
            },
        )
    return decision


# --- course -------------------------------------------------------------------------------


def _locked_course(*, actor: Any, course_id: int, version: int, action: Action) -> Course:
    course, case = _locked_child(
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
    compiled = _standard(course.case.municipality.slug, after)
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
        case = _locked_case(
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
        _bump(case, status=CaseStatus.IN_COURSE)
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
    compiled = _standard(case.municipality.slug, started_on)
    decision = None
    if decision_id is not None:
        decision = case.decisions.filter(pk=decision_id).first()
        if decision is None:
            raise Invalid(f"Afgørelse {decision_id} findes ikke på sagen.", field="decision_id")
        if decision.outcome != DecisionOutcome.GRANTED:
            raise Invalid("Afgørelsen er et afslag; der kan ikke startes forløb.", "decision_id")
        _not_before(started_on, decision.decided_on, "started_on", "afgørelsen")
        chosen = _offer(compiled, decision.offer)
    else:
        if not offer:
            raise Invalid("Angiv afgørelsen, forløbet bygger på.", field="decision_id")
        chosen = _offer(compiled, offer)
        if not (chosen.anonymous or case.anonymous or not chosen.treatment):
            raise Invalid(f"{chosen.title} kræver en afgørelse om bevilling.", field="decision_id")
    first_contact = case.contacts.order_by("received_on").values_list("received_on", flat=True)
    if first_contact.first():
        _not_before(started_on, first_contact.first(), "started_on", "henvendelsen")
    chosen_provider = (
        _provider(provider, case.municipality)
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
        case.provider = chosen_provider
        Case.objects.filter(pk=case.pk).update(provider=chosen_provider)
        Deadline.objects.filter(case=case).update(provider=chosen_provider)
    _meet(case, DeadlineKind.TREATMENT_GUARANTEE, started_on)
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
    from .models import Goal

    if goal not in Goal.values:
        raise Invalid(f"Ukendt mål '{goal}' (en af {', '.join(Goal.values)}).", field="goal")
    if not goals_text.strip():
        raise Invalid("Skriv borgerens mål med egne ord.", field="goals_text")
    with transaction.atomic():
        course = _locked_course(
            actor=actor, course_id=course_id, version=version, action=Action.COURSE_MANAGE
        )
        _not_before(agreed_on, course.started_on, "agreed_on", "forløbets start")
        latest = course.plans.order_by("-version").values_list("version", flat=True).first()
        plan = TreatmentPlan.objects.create(
            course=course,
            version=(latest or 0) + 1,
            goal=goal,
            goals_text=goals_text.strip(),
            agreed_on=agreed_on,
            recorded_by=actor,
        )
        _bump(course.case)
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
        _not_before(starts_at.date(), course.started_on, "starts_at", "forløbets start")
        session = Session.objects.create(
            course=course,
            starts_at=starts_at,
            ends_at=ends_at,
            attendance=attendance,
            note=note,
            recorded_by=actor,
        )
        _bump(course.case)
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
        session, case = _locked_child(
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
        _bump(case)
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
        compiled = _standard(course.case.municipality.slug, group.starts_on)
        offer = _offer(compiled, group.offer)
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
        _bump(course.case)
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
        _bump(course.case)
    return report


def _status_report_create(
    actor: Any, course: Course, kind: str, text: str, submitted_on: dt.date
) -> StatusReport:
    _not_before(submitted_on, course.started_on, "submitted_on", "forløbets start")
    report = StatusReport.objects.create(
        course=course, kind=kind, text=text.strip(), submitted_on=submitted_on, submitted_by=actor
    )
    _meet(course.case, DeadlineKind.STATUS_REPORT, submitted_on, source_id=course.pk)
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
        compiled = _standard(course.case.municipality.slug, course.started_on)
        offer = _offer(compiled, course.offer)
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
        _bump(course.case)
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
        raise Invalid(f"Ukendt årsag '{reason}' (en af {', '.join(EndReason.values)}).", "reason")
    if outcome not in EndOutcome.values:
        raise Invalid(
            f"Ukendt resultat '{outcome}' (en af {', '.join(EndOutcome.values)}).", "outcome"
        )
    _active(course)
    _not_before(ended_on, course.started_on, "ended_on", "forløbets start")
    course.status = CourseStatus.ENDED
    course.ended_on = ended_on
    course.end_reason = reason
    course.outcome = outcome
    course.save(update_fields=["status", "ended_on", "end_reason", "outcome"])
    _meet(course.case, DeadlineKind.STATUS_REPORT, ended_on, source_id=course.pk)
    follow_ups: list[FollowUp] = []
    if reason in (EndReason.DECEASED, EndReason.TRANSFERRED, EndReason.MOVED):
        return follow_ups  # nobody to follow up here: the next course or municipality does
    compiled = _standard(course.case.municipality.slug, ended_on)
    months = compiled.standard.deadlines.follow_up.months
    for n, due in zip(months, rules.follow_ups(compiled.standard, ended_on), strict=True):
        follow_up = FollowUp.objects.create(course=course, months=n, due_on=due)
        _deadline(
            course.case,
            kind=DeadlineKind.FOLLOW_UP,
            due_on=due,
            text=f"Opfølgning {n} måned{'er' if n > 1 else ''} efter afsluttet forløb",
            source=follow_up,
        )
        follow_ups.append(follow_up)
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
        _bump(course.case, status=None if still_active else CaseStatus.ENDED)
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
        _bump(course.case, status=CaseStatus.IN_COURSE)
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


# --- follow-up and complaints ---------------------------------------------------------------


def _locked_child(
    model: Any, *, actor: Any, pk: int, version: int, action: Action, path: str, what: str
) -> tuple[Any, Case]:
    """A row hanging off a case (by `path`), with its case locked and version-checked."""
    case_id = model.objects.filter(case_filter(actor, path), pk=pk).values_list(
        f"{path}id", flat=True
    )
    if not case_id:
        require(actor, action)
        raise NotFound(f"{what} {pk} findes ikke.")
    case = _locked_case(actor=actor, case_id=case_id[0], version=version, action=action)
    return model.objects.get(pk=pk), case


def follow_up_record(
    *,
    actor: Any,
    follow_up_id: int,
    version: int,
    done_on: dt.date,
    channel: str,
    reached: bool,
    outcome: str = "",
    note: str = "",
) -> FollowUp:
    """The answer of a follow-up (attendance, phone or video), against the ending's outcome."""
    from .models import FollowUpChannel

    if channel not in FollowUpChannel.values:
        raise Invalid(
            f"Ukendt kanal '{channel}' (en af {', '.join(FollowUpChannel.values)}).",
            field="channel",
        )
    if outcome and outcome not in EndOutcome.values:
        raise Invalid(f"Ukendt resultat '{outcome}'.", field="outcome")
    if reached and not outcome:
        raise Invalid("Angiv borgerens situation ved opfølgningen.", field="outcome")
    with transaction.atomic():
        follow_up, case = _locked_child(
            FollowUp,
            actor=actor,
            pk=follow_up_id,
            version=version,
            action=Action.FOLLOW_UP_RECORD,
            path="course__case__",
            what="Opfølgning",
        )
        ended_on = follow_up.course.ended_on
        _not_before(done_on, ended_on, "done_on", "forløbets afslutning")
        old = {"done_on": follow_up.done_on and follow_up.done_on.isoformat()}
        follow_up.done_on = done_on
        follow_up.channel = channel
        follow_up.reached = reached
        follow_up.outcome = outcome
        follow_up.note = note
        follow_up.recorded_by = actor
        follow_up.save()
        _meet(case, DeadlineKind.FOLLOW_UP, done_on, source_id=follow_up.pk)
        _bump(case)
        audit_record(
            actor=actor,
            event=Event.FOLLOW_UP_RECORDED,
            write=True,
            case_id=case.pk,
            obj=follow_up,
            old=old,
            new={"done_on": done_on.isoformat(), "reached": reached, "outcome": outcome},
        )
    return follow_up


def complaint_receive(
    *,
    actor: Any,
    case_id: int,
    version: int,
    decision_id: int,
    received_on: dt.date,
    text: str,
) -> Complaint:
    """Register a complaint of a decision along its route; the municipality must reassess
    (and forward, if it upholds the decision) within four weeks."""
    if not text.strip():
        raise Invalid("Skriv hvad klagen går ud på.", field="text")
    with transaction.atomic():
        case = _locked_case(
            actor=actor, case_id=case_id, version=version, action=Action.COMPLAINT_HANDLE
        )
        decision = case.decisions.filter(pk=decision_id).first()
        if decision is None:
            raise Invalid(f"Afgørelse {decision_id} findes ikke på sagen.", field="decision_id")
        compiled = _standard(case.municipality.slug, decision.decided_on)
        route = compiled.standard.complaint_route(decision.complaint_route or None)
        if route is None or not route.appealable:
            raise Invalid(
                "Der er ikke klageadgang over denne afgørelse"
                + (f": {route.deadline_text}" if route else " (anonym behandling)."),
                field="decision_id",
            )
        _not_before(received_on, decision.decided_on, "received_on", "afgørelsen")
        reassess_by = rules.deadline_in_weeks(received_on, REASSESSMENT_WEEKS).date
        complaint = Complaint.objects.create(
            case=case,
            decision=decision,
            route=route.id,
            received_on=received_on,
            within_deadline=decision.complaint_deadline is None
            or received_on <= decision.complaint_deadline,
            text=text.strip(),
            reassess_by=reassess_by,
            recorded_by=actor,
        )
        if route.reassessment:
            _deadline(
                case,
                kind=DeadlineKind.COMPLAINT_REASSESSMENT,
                due_on=reassess_by,
                text=f"Genvurdér klagen og send den evt. videre senest {reassess_by:%d.%m.%Y}",
                source=complaint,
            )
        _bump(case)
        audit_record(
            actor=actor,
            event=Event.COMPLAINT_RECEIVED,
            write=True,
            case_id=case.pk,
            obj=complaint,
            new={"route": route.id, "within_deadline": complaint.within_deadline},
        )
    return complaint


def complaint_reassess(
    *,
    actor: Any,
    complaint_id: int,
    version: int,
    reassessed_on: dt.date,
    upheld: bool,
    text: str,
) -> Complaint:
    """The municipality's reassessment: changed in the citizen's favour, or upheld and
    forwarded to the route's next instance (Ankestyrelsen)."""
    if not text.strip():
        raise Invalid("Skriv genvurderingen.", field="text")
    with transaction.atomic():
        complaint, case = _locked_child(
            Complaint,
            actor=actor,
            pk=complaint_id,
            version=version,
            action=Action.COMPLAINT_HANDLE,
            path="case__",
            what="Klage",
        )
        if complaint.status != ComplaintStatus.RECEIVED:
            raise Invalid("Klagen er allerede genvurderet.", field="complaint_id")
        _not_before(reassessed_on, complaint.received_on, "reassessed_on", "klagens modtagelse")
        compiled = _standard(case.municipality.slug, complaint.decision.decided_on)
        route = compiled.standard.complaint_route(complaint.route)
        complaint.status = ComplaintStatus.FORWARDED if upheld else ComplaintStatus.CHANGED
        complaint.forwarded_to = (route.forwards_to or "") if upheld and route else ""
        complaint.reassessed_on = reassessed_on
        complaint.reassessment_text = text.strip()
        complaint.save()
        _meet(case, DeadlineKind.COMPLAINT_REASSESSMENT, reassessed_on, source_id=complaint.pk)
        _bump(case)
        audit_record(
            actor=actor,
            event=Event.COMPLAINT_REASSESSED,
            write=True,
            case_id=case.pk,
            obj=complaint,
            new={"status": complaint.status, "forwarded_to": complaint.forwarded_to},
        )
    return complaint


#: Every service, by name: the API, the web and the authorization tests read this.
SERVICES: dict[str, Callable[..., Any]] = {
    f.__name__: f
    for f in (
        case_create,
        contact_record,
        assessment_record,
        decision_record,
        course_start,
        plan_record,
        session_record,
        attendance_record,
        group_enrol,
        status_report_record,
        self_payment_record,
        course_end,
        offer_change,
        follow_up_record,
        complaint_receive,
        complaint_reassess,
    )
}
