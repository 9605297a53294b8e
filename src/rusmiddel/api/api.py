"""The JSON API (OpenAPI at /api/docs): thin handlers that parse, call a service or selector,
and answer. Errors are JSON naming the field: 422 for bad input, 404 for anything the user
may not see (another municipality's ids included), 403 for a role that may not act, 409 for a
stale version (nothing written)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI, Query, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth

from rusmiddel.accounts import security
from rusmiddel.accounts.models import TokenRevocation
from rusmiddel.accounts.services import api_token_check, api_token_issue, api_token_revoke
from rusmiddel.cases import limits, selectors, services
from rusmiddel.cases.errors import ErrorCode, Forbidden, ServiceError
from rusmiddel.cases.models import Case, Deadline
from rusmiddel.cases.scoping import staff_of
from rusmiddel.outcomes import selectors as outcome_selectors
from rusmiddel.outcomes import services as outcome_services

from . import schemas as s
from .serializers import (
    case_detail,
    case_summary,
    citizen_json,
    course_json,
    deadline_json,
    decision_json,
    fit_json,
    key_facts_json,
    region_referral_json,
)

STATUS = {
    ErrorCode.INVALID: 422,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.CONFLICT: 409,
}


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = api_token_check(key=token)
        if found is None:
            return None
        request.user = found.user
        request.api_token = found  # the token POST /auth/logout revokes
        return found.user


api = NinjaAPI(
    title="Rusmiddel API",
    version="1",
    description="Case management for municipal substance-use treatment. Writes take the "
    "case `version` you read; a stale one answers 409 and changes nothing.",
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
)


@api.exception_handler(ServiceError)
def _service_error(request: HttpRequest, exc: ServiceError):
    return api.create_response(request, {"error": exc.to_json()}, status=STATUS[exc.code])


def _field(loc: Any) -> str:
    parts = [str(p) for p in loc if p not in ("body", "payload", "query", "path")]
    return ".".join(parts) or "body"


def _username_in(request: HttpRequest) -> str | None:
    """The username a token request's body names, if it is a JSON object naming one a user
    could have."""
    try:
        data = json.loads(request.body)
    except (ValueError, RecursionError):
        return None
    name = data.get("username") if isinstance(data, dict) else None
    if isinstance(name, str) and 0 < len(name) <= limits.USERNAME and "\x00" not in name:
        return name
    return None


def _refused_token_request(request: HttpRequest) -> HttpResponse | None:
    """A token request whose body cannot be read is a failed log-in all the same — every
    failure counts, whatever the body — for the username it names, if any, and the address.
    The lockout answer once that pair is locked out; else None (the caller answers 422)."""
    match = request.resolver_match
    if match is None or match.view_name != "api:token_create":
        return None
    security.form_unread(request)
    if security.login_failed(request, username=_username_in(request)):
        return security.lockout_response(request)
    return None


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError):
    if locked := _refused_token_request(request):
        return locked
    errors = [
        {"code": "invalid", "field": _field(e.get("loc", ())), "message": e.get("msg", "")}
        for e in exc.errors
    ]
    return api.create_response(request, {"error": errors[0], "errors": errors}, status=422)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError):
    """A body that cannot be parsed is bad input like any other: 422 naming the body."""
    if exc.status_code == 400:
        if locked := _refused_token_request(request):
            return locked
        error = {"code": "invalid", "field": "body", "message": str(exc)}
        return api.create_response(request, {"error": error}, status=422)
    error = {"code": "error", "field": None, "message": str(exc)}
    return api.create_response(request, {"error": error}, status=exc.status_code)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError):
    return api.create_response(
        request,
        {"error": {"code": "unauthenticated", "field": None, "message": "Log ind først."}},
        status=401,
    )


#: How far ahead the due list looks at most (ten years; a date past year 9999 would crash).
MAX_DUE_DAYS = 3660
DUE_PAGE = 100  # deadlines per page of /api/due
MAX_DUE_PAGE = 1000


def _today():
    return timezone.localdate()


# --- auth and me ------------------------------------------------------------------------------


@api.post("/auth/token", auth=None, tags=["auth"])
def token_create(request: HttpRequest, body: s.TokenIn):
    """Exchange a username and password (and, for staff with two-step verification, the
    current TOTP code as `otp`) for a bearer token (shown once) and when it expires. Failures,
    a body that cannot be read included, count towards the same lockout as the web log-in:
    once locked out, 429 even with the right password. The token is refused after
    `expires_at`, after `POST /auth/logout` with it, and once the user is deactivated or
    their password changes."""
    security.form_unread(request)
    user = authenticate(request, username=body.username, password=body.password)
    if getattr(request, "axes_locked_out", False):
        return security.lockout_response(request)
    if user is None or staff_of(user) is None:
        raise ServiceError("Forkert brugernavn eller adgangskode.", field="password")
    if security.otp_required_for(user):
        device = security.confirmed_device(user)
        if device is None:  # RUSMIDDEL_REQUIRE_OTP=1 and not enrolled yet
            raise Forbidden("Opsæt to-trinsbekræftelse ved at logge ind på web først.", field="otp")
        if not body.otp:
            raise ServiceError("Koden fra godkendelses-appen mangler.", field="otp")
        if not security.otp_check(request, user=user, device=device, code=body.otp):
            if getattr(request, "axes_locked_out", False):
                return security.lockout_response(request)
            raise ServiceError("Koden er forkert eller allerede brugt.", field="otp")
    token, key = api_token_issue(user=user, name="api")
    return {"token": key, "expires_at": token.expires_at.isoformat()}


@api.post("/auth/logout", auth=TokenAuth(), tags=["auth"])
def token_logout(request: HttpRequest):
    """Revoke the bearer token of this request: it is refused from now on (the user's other
    tokens stay valid). A session logs out on the web, at /log-ud/."""
    api_token_revoke(token=request.api_token, reason=TokenRevocation.LOGOUT)
    return {"revoked": True}


@api.get("/me", tags=["auth"])
def me(request: HttpRequest):
    staff = staff_of(request.user)
    return {
        "username": request.user.get_username(),
        "role": staff.role if staff else None,
        "municipality": staff.municipality.slug if staff else None,
        "provider": staff.provider.slug if staff and staff.provider else None,
    }


# --- cases ------------------------------------------------------------------------------------


@api.get("/cases", tags=["cases"])
def case_list(
    request: HttpRequest,
    after: int | None = Query(None, ge=1, le=limits.MAX_ID),
    limit: int = 50,
    status: str | None = Query(None, max_length=limits.CODE),
):
    """Cases you may read, newest first. Keyset pagination: pass `next_after` as `after`."""
    page = selectors.case_list_visible_to(
        user=request.user, after=after, limit=limit, status=status
    )
    return {
        "items": [case_summary(c) for c in page],
        "next_after": page[-1].pk if len(page) == max(1, min(limit, selectors.MAX_PAGE)) else None,
    }


@api.post("/cases", response={201: dict}, tags=["cases"])
def case_create(request: HttpRequest, body: s.CaseCreateIn):
    """Open a case with its first contact; starts the treatment guarantee where it applies."""
    citizen = body.citizen
    case = services.case_create(
        actor=request.user,
        received_on=body.received_on,
        channel=body.channel,
        contact_by=body.contact_by,
        referrer=body.referrer,
        wishes_treatment=body.wishes_treatment,
        requested_offer=body.requested_offer,
        note=body.note,
        anonymous=body.anonymous,
        pseudonym=body.pseudonym,
        citizen_cpr=citizen.cpr if citizen else "",
        citizen_name=citizen.name if citizen else "",
        citizen_phone=citizen.phone if citizen else "",
        citizen_email=citizen.email if citizen else "",
        citizen_address=citizen.address if citizen else "",
        person_role=body.person_role,
        related_case_id=body.related_case_id,
        provider=body.provider,
    )
    return Status(201, _case(request, case.pk))


def _case(request: HttpRequest, case_id: int) -> dict[str, Any]:
    return case_detail(selectors.case_get(user=request.user, case_id=case_id), _today())


@api.get("/cases/{case_id}", tags=["cases"])
def case_read(request: HttpRequest, case_id: int):
    """The whole case: contacts, assessment, evaluation, decisions, courses, complaints and
    deadlines. The read is logged."""
    return _case(request, case_id)


@api.post("/cases/{case_id}/contacts", response={201: dict}, tags=["cases"])
def contact_create(request: HttpRequest, case_id: int, body: s.ContactIn):
    services.contact_record(actor=request.user, case_id=case_id, **body.dict())
    return Status(201, _case(request, case_id))


@api.post("/cases/{case_id}/assessments", response={201: dict}, tags=["cases"])
def assessment_create(request: HttpRequest, case_id: int, body: s.AssessmentIn):
    """Record the facts (a new version) and evaluate every offer; answers the evaluation."""
    _, evaluation = services.assessment_record(
        actor=request.user,
        case_id=case_id,
        version=body.version,
        facts=body.facts,
        on=body.on or _today(),
        sections=body.sections,
    )
    return Status(201, {"evaluation_id": evaluation.pk, **evaluation.result})


@api.post("/cases/{case_id}/decisions", response={201: dict}, tags=["cases"])
def decision_create(request: HttpRequest, case_id: int, body: s.DecisionIn):
    decision = services.decision_record(actor=request.user, case_id=case_id, **body.dict())
    return Status(201, decision_json(decision))


@api.post("/decisions/{decision_id}/withdrawal", response={200: s.DecisionOut}, tags=["cases"])
def decision_withdrawal(request: HttpRequest, decision_id: int, body: s.DecisionWithdrawalIn):
    """Withdraw a decision (tilbagekaldelse), with a reason: it stays on the case, no longer
    counts as the basis of a course or a waitlist place, and the citizen gets a letter with
    the reason and complaint guidance. Refused (422, `decision_id`) while an active course
    rests on it. The roles that decide; the case's `version` (a stale one answers 409)."""
    decision = services.decision_withdraw(
        actor=request.user, decision_id=decision_id, **body.dict()
    )
    return decision_json(decision)


@api.post("/decisions/{decision_id}/correction", response={201: s.DecisionOut}, tags=["cases"])
def decision_correction(request: HttpRequest, decision_id: int, body: s.DecisionCorrectionIn):
    """Correct a decision, with a reason: a new decision (answered, with `replaces_id`) on the
    latest evaluation replaces it, with its own complaint deadline, and the citizen gets it in
    full, saying what changed. An active course moves to the new decision when it grants the
    same offer; otherwise the correction is refused (422) until the course has ended."""
    new = services.decision_correct(actor=request.user, decision_id=decision_id, **body.dict())
    return Status(201, decision_json(new, replaces=decision_id))


@api.post("/cases/{case_id}/courses", response={201: dict}, tags=["courses"])
def course_create(request: HttpRequest, case_id: int, body: s.CourseStartIn):
    course = services.course_start(actor=request.user, case_id=case_id, **body.dict())
    return Status(201, course_json(course))


@api.post("/cases/{case_id}/complaints", response={201: dict}, tags=["complaints"])
def complaint_create(request: HttpRequest, case_id: int, body: s.ComplaintIn):
    complaint = services.complaint_receive(actor=request.user, case_id=case_id, **body.dict())
    return Status(
        201,
        {
            "id": complaint.pk,
            "route": complaint.route,
            "within_deadline": complaint.within_deadline,
            "reassess_by": complaint.reassess_by.isoformat(),
            "status": complaint.status,
        },
    )


@api.post("/complaints/{complaint_id}/reassessment", tags=["complaints"])
def complaint_reassess(request: HttpRequest, complaint_id: int, body: s.ReassessIn):
    complaint = services.complaint_reassess(
        actor=request.user, complaint_id=complaint_id, **body.dict()
    )
    return {
        "id": complaint.pk,
        "status": complaint.status,
        "forwarded_to": complaint.forwarded_to or None,
    }


# --- integrated treatment in the regional psychiatry (SUL § 82 c) ----------------------------


def _referral_answer(referral: Any) -> dict[str, Any]:
    """The referral with the case's new version and the guarantees handed over."""
    version = Case.objects.values_list("version", flat=True).get(pk=referral.case_id)
    deadlines = Deadline.objects.filter(case_id=referral.case_id).exclude(closed_reason="")
    return region_referral_json(referral, version, deadlines)


@api.post("/cases/{case_id}/region-referral", response={201: s.RegionReferralOut}, tags=["cases"])
def region_referral_create(request: HttpRequest, case_id: int, body: s.RegionReferralIn):
    """Refer the citizen to integrated treatment in the regional psychiatry (SUL § 82 c: a
    severe mental illness with a substance problem; no diagnosis needed to refer). Sent again
    before the region has received the citizen, it corrects the referral. Caseworkers and
    therapists; not for an anonymous case."""
    referral = services.region_referral_record(actor=request.user, case_id=case_id, **body.dict())
    return Status(201, _referral_answer(referral))


@api.post(
    "/cases/{case_id}/region-referral/acceptance",
    response={200: s.RegionReferralOut},
    tags=["cases"],
)
def region_referral_acceptance(request: HttpRequest, case_id: int, body: s.RegionAcceptanceIn):
    """Record the day the region received the citizen into integrated treatment. SUL §§ 141
    and 142 no longer apply: the case's open treatment guarantees resting only on them close
    as handed over (`handed_over`, with the reason); a guarantee also resting on SEL § 101 or
    barnets lov § 33 stays open (the social treatment stays the municipality's)."""
    referral, _ = services.region_referral_accept(
        actor=request.user, case_id=case_id, **body.dict()
    )
    return _referral_answer(referral)


@api.post("/cases/{case_id}/assignment", response={200: s.AssignmentOut}, tags=["cases"])
def case_assign(request: HttpRequest, case_id: int, body: s.AssignmentIn):
    """Who holds the case: a caseworker takes an unassigned case (`caseworker_id` their own
    id) or gives their own back (null); a head of unit gives any case to any caseworker of the
    municipality (or to none). A case held by another caseworker is the head of unit's to
    move (403); someone who is not an active caseworker of the municipality is refused (422,
    field `caseworker_id`). Logged with the old and new caseworker."""
    case = services.case_assign(actor=request.user, case_id=case_id, **body.dict())
    holder = case.caseworker if case.caseworker_id else None
    return {
        "case_id": case.pk,
        "number": case.number,
        "version": case.version,
        "caseworker": {
            "id": holder.pk,
            "username": holder.get_username(),
            "name": holder.get_full_name() or holder.get_username(),
        }
        if holder
        else None,
    }


# --- citizens ---------------------------------------------------------------------------------


@api.patch("/citizens/{citizen_id}", response={200: dict}, tags=["citizens"])
def citizen_update(request: HttpRequest, citizen_id: int, body: s.CitizenUpdateIn):
    """Change a citizen's name and contact details: those sent ("" erases a contact detail).
    Opening a case never changes a known citizen; this does, for every case of theirs: take
    the `version` from a case's `citizen.version` (a stale one answers 409). Each case gets a
    notice (`citizen_changes`) and the audit log the old and new values. Caseworkers,
    therapists and heads of unit; a citizen on no case you may see is not found."""
    citizen = services.citizen_update(actor=request.user, citizen_id=citizen_id, **body.dict())
    return citizen_json(citizen)


# --- courses ----------------------------------------------------------------------------------


@api.post("/courses/{course_id}/plans", response={201: dict}, tags=["courses"])
def plan_create(request: HttpRequest, course_id: int, body: s.PlanIn):
    plan = services.plan_record(actor=request.user, course_id=course_id, **body.dict())
    return Status(201, {"id": plan.pk, "version": plan.version, "goal": plan.goal})


@api.post("/courses/{course_id}/sessions", response={201: dict}, tags=["courses"])
def session_create(request: HttpRequest, course_id: int, body: s.SessionIn):
    session = services.session_record(actor=request.user, course_id=course_id, **body.dict())
    return Status(201, {"id": session.pk, "starts_at": session.starts_at.isoformat()})


@api.post("/sessions/{session_id}/attendance", tags=["courses"])
def attendance_set(request: HttpRequest, session_id: int, body: s.AttendanceIn):
    result = services.attendance_record(actor=request.user, session_id=session_id, **body.dict())
    return {
        "id": session_id,
        "attendance": result["session"].attendance,
        "no_show_streak": result["no_show_streak"],
        "flag": result["flag"],
    }


@api.post("/courses/{course_id}/enrolments", response={201: dict}, tags=["courses"])
def enrolment_create(request: HttpRequest, course_id: int, body: s.EnrolIn):
    enrolment = services.group_enrol(actor=request.user, course_id=course_id, **body.dict())
    return Status(201, {"id": enrolment.pk, "group_id": enrolment.group_id})


@api.post("/courses/{course_id}/status-reports", response={201: dict}, tags=["courses"])
def status_report_create(request: HttpRequest, course_id: int, body: s.StatusReportIn):
    report = services.status_report_record(actor=request.user, course_id=course_id, **body.dict())
    return Status(201, {"id": report.pk, "kind": report.kind})


@api.post("/courses/{course_id}/self-payment", response={201: dict}, tags=["courses"])
def self_payment_create(request: HttpRequest, course_id: int, body: s.SelfPaymentIn):
    record = services.self_payment_record(actor=request.user, course_id=course_id, **body.dict())
    return Status(201, record.calculation)


@api.post("/courses/{course_id}/end", tags=["courses"])
def course_end(request: HttpRequest, course_id: int, body: s.CourseEndIn):
    """End the course; answers the follow-ups created (one and six months)."""
    follow_ups = services.course_end(actor=request.user, course_id=course_id, **body.dict())
    return {
        "follow_ups": [
            {"id": f.pk, "months": f.months, "due_on": f.due_on.isoformat()} for f in follow_ups
        ]
    }


@api.post("/courses/{course_id}/change-offer", response={201: dict}, tags=["courses"])
def offer_change(request: HttpRequest, course_id: int, body: s.OfferChangeIn):
    course = services.offer_change(actor=request.user, course_id=course_id, **body.dict())
    return Status(201, course_json(course))


@api.post("/follow-ups/{follow_up_id}", tags=["courses"])
def follow_up_record(request: HttpRequest, follow_up_id: int, body: s.FollowUpIn):
    """The follow-up's answer: the situation (outcome) and, reached, the key facts."""
    f = services.follow_up_record(actor=request.user, follow_up_id=follow_up_id, **body.dict())
    return {"id": f.pk, "done_on": f.done_on.isoformat(), "outcome": f.outcome or None}


@api.post("/courses/{course_id}/key-facts", response={201: dict}, tags=["outcomes"])
def key_facts_record(request: HttpRequest, course_id: int, body: s.KeyFactsIn):
    """Record or correct the key facts (use, housing, occupation) of one moment: start, end
    (an ended course), follow_up_1 or follow_up_6 (a follow-up done with the citizen)."""
    row = outcome_services.key_facts_record(actor=request.user, course_id=course_id, **body.dict())
    return Status(201, key_facts_json(row))


@api.post("/sessions/{session_id}/fit", response={201: dict}, tags=["outcomes"])
def fit_record(request: HttpRequest, session_id: int, body: s.FitIn):
    """Record (or correct) a session's ORS or SRS, one score per line of the instrument."""
    score = outcome_services.fit_record(actor=request.user, session_id=session_id, **body.dict())
    return Status(
        201,
        {
            "id": score.pk,
            "session_id": score.session_id,
            "instrument": score.instrument,
            "items": [float(i) for i in score.items],
            "total": float(score.total),
        },
    )


@api.get("/courses/{course_id}/fit", tags=["outcomes"])
def course_fit(request: HttpRequest, course_id: int):
    """The course's FIT: ORS and SRS per session, the ORS trajectory with its cut-off and
    flags (reliable change, no change, deterioration) and the SRS alliance flag per session.
    `instruments` is false when the municipality's standard has none. The read is logged."""
    course = selectors.course_get(user=request.user, course_id=course_id, why="FIT")
    return fit_json(course, outcome_selectors.course_outcomes(course=course))


# --- letters and the outbox -------------------------------------------------------------------


def _letter_json(letter) -> dict[str, Any]:
    delivery = getattr(letter, "delivery", None)
    return {
        "id": letter.pk,
        "case_id": letter.case_id,
        "kind": letter.kind,
        "title": letter.title,
        "created_at": letter.created_at.isoformat(),
        "sha256": letter.sha256,
        "delivery": {
            "status": delivery.status,
            "attempts": delivery.attempts,
            "outbox": delivery.outbox or None,
            "last_error": delivery.last_error or None,
            "sent_at": delivery.sent_at.isoformat() if delivery.sent_at else None,
        }
        if delivery
        else None,
    }


@api.get("/cases/{case_id}/letters", tags=["letters"])
def case_letters(request: HttpRequest, case_id: int):
    """The letters of a case, newest first, with their delivery status."""
    from rusmiddel.letters.models import Letter

    case = selectors.case_get(user=request.user, case_id=case_id, why="brevliste")
    rows = Letter.objects.filter(case=case).select_related("delivery").defer("pdf", "context")
    return {"items": [_letter_json(letter) for letter in rows]}


@api.get("/letters/{letter_id}/pdf", tags=["letters"])
def letter_pdf(request: HttpRequest, letter_id: int):
    """The letter exactly as it was sent (PDF); the read is logged."""
    from django.http import HttpResponse

    from rusmiddel.letters.selectors import letter_get
    from rusmiddel.letters.services import letter_rendered

    # a letter the demo stored without its PDF is rendered on its first read
    letter = letter_rendered(letter_get(user=request.user, letter_id=letter_id))
    response = HttpResponse(bytes(letter.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{letter.case.number}-{letter.kind}.pdf"'
    return response


@api.get("/outbox/failures", tags=["letters"])
def outbox_failures(request: HttpRequest):
    """The worklist: letters that could not be delivered, with the reason."""
    from rusmiddel.letters.selectors import letter_worklist

    rows = letter_worklist(user=request.user)
    return {"items": [_letter_json(d.letter) for d in rows]}


@api.post("/letters/{letter_id}/retry", tags=["letters"])
def letter_retry(request: HttpRequest, letter_id: int, body: s.In):
    """Put a failed letter back in the outbox queue (body `{}`); the retry is logged."""
    from rusmiddel.letters import services as letters

    return _letter_json(letters.letter_retry(actor=request.user, letter_id=letter_id))


# --- due list and audit -----------------------------------------------------------------------


@api.get("/due", tags=["deadlines"])
def due(
    request: HttpRequest,
    days: int = Query(14, ge=0, le=MAX_DUE_DAYS),
    caseworker_id: int | None = Query(None, ge=1, le=limits.MAX_ID),
    provider: str | None = Query(None, max_length=limits.CODE),
    after: str | None = Query(None, pattern=r"^\d{4}-\d{2}-\d{2}\.\d{1,18}$"),
    limit: int = Query(DUE_PAGE, ge=1, le=MAX_DUE_PAGE),
):
    """Everything that falls due within `days` days (overdue included), soonest first.
    Keyset pagination: pass `next_after` as `after` (the due date and id of the last item)."""
    from rusmiddel.accounts.models import Provider

    today = _today()
    provider_id = None
    if provider:
        provider_id = Provider.objects.filter(slug=provider).values_list("pk", flat=True).first()
        if provider_id is None:
            raise ServiceError(f"Ukendt leverandør '{provider}'.", field="provider")
    cursor = selectors.day_cursor(after)
    if after and cursor is None:
        raise ServiceError(f"Ugyldig dato i '{after}'.", field="after")
    rows = selectors.due_list(
        user=request.user,
        until=today + dt.timedelta(days=days),
        caseworker_id=caseworker_id,
        provider_id=provider_id,
        after=cursor,
        limit=limit,
    )
    last = rows[-1] if len(rows) == limit else None
    return {
        "today": today.isoformat(),
        "items": [deadline_json(d, today) for d in rows],
        "next_after": selectors.day_cursor_text(last.due_on, last.pk) if last else None,
    }


# --- waitlist and capacity (heads of unit read and book; see accounts.permissions) ----------


@api.get("/waitlist", tags=["waitlist"])
def waitlist(request: HttpRequest):
    """Everyone granted and not started, in the standard's order, with the earliest start
    that fits (capacity, free choice, age bands) and, for whoever cannot start within the
    treatment guarantee, the days left and what would place them."""
    from rusmiddel.capacity.selectors import waitlist_board

    from .waitlist_json import board_json

    now = timezone.localtime()
    return board_json(waitlist_board(user=request.user, today=now.date(), now=now))


@api.get("/waitlist/forecast", tags=["waitlist"])
def waitlist_forecast(request: HttpRequest):
    """Per offer with capacity: eight weeks' expected waitlist and share of starts within the
    guarantee (SimPy), and the what-if of inflow +20 % with one group fewer. Counts only."""
    from rusmiddel.capacity.selectors import waitlist_forecast as forecast

    from .waitlist_json import forecast_json

    return {"items": [forecast_json(f) for f in forecast(user=request.user, today=_today())]}


@api.post("/cases/{case_id}/bookings", response={201: dict}, tags=["waitlist"])
def booking_create(request: HttpRequest, case_id: int, body: s.BookingIn):
    """Book a proposal: the course starts on the decision, with its group seat or first
    session. 409 (field `line`) when the place was taken meanwhile."""
    from rusmiddel.capacity.services import proposal_book

    course = proposal_book(
        actor=request.user, case_id=case_id, now=timezone.localtime(), **body.dict()
    )
    return Status(201, course_json(course))


@api.get("/audit", tags=["audit"])
def audit(
    request: HttpRequest,
    case_id: int | None = Query(None, ge=1, le=limits.MAX_ID),
    after: int | None = Query(None, ge=1, le=limits.MAX_ID),
):
    """The audit log of your municipality (heads of unit and administrators)."""
    rows = selectors.audit_list(user=request.user, case_id=case_id, after=after)
    return {
        "items": [
            {
                "id": e.pk,
                "at": e.at.isoformat(),
                "actor": e.actor,
                "role": e.role,
                "event": e.event,
                "write": e.write,
                "case_id": e.case_id,
                "object_type": e.object_type or None,
                "object_id": e.object_id,
                "why": e.why,
            }
            for e in rows
        ],
        "next_after": rows[-1].pk if rows else None,
    }
