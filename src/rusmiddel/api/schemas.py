"""Request bodies of the JSON API. Unknown keys are refused, so a misspelt field is an error
that names it, not a silently ignored value.

Types are strict and bounded (`rusmiddel.cases.limits`): a yes/no is a JSON true or false, a
date the text ÅÅÅÅ-MM-DD, a time the text of an ISO 8601 time with its time zone; every text has
a largest length, every id fits a database row, and dates lie in the years 1900-2100. Text no
database can hold (NUL, a lone surrogate) is refused before the schemas, in every JSON string
(`rusmiddel.web.null_characters`)."""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
)
from pydantic_core import PydanticCustomError

from rusmiddel.cases import limits

# --- the shared types ---------------------------------------------------------------------------


def _storable(value: str) -> str:
    """No NUL and no lone surrogate (refused before the schemas too, in every JSON string:
    this keeps the types whole wherever they are used)."""
    what = limits.unstorable(value)
    if what:
        raise PydanticCustomError(
            "unstorable", "Teksten indeholder et ugyldigt tegn ({what}).", {"what": what}
        )
    return value


def _text(max_length: int) -> Any:
    """Text of at most `max_length` characters that a database can hold."""
    return Annotated[str, StringConstraints(max_length=max_length), AfterValidator(_storable)]


Name = _text(limits.NAME)
Address = _text(limits.ADDRESS)
Phone = _text(limits.PHONE)
Email = _text(limits.EMAIL)
Cpr = _text(limits.CPR)
Pseudonym = _text(limits.PSEUDONYM)
Code = _text(limits.CODE)  # the id of an offer, a provider, a role, a capacity line
Text = _text(limits.TEXT)  # notes, goals, reports, reasons, complaints
Username, Password, Otp = _text(limits.USERNAME), _text(limits.PASSWORD), _text(limits.OTP)
Id = Annotated[StrictInt, Field(ge=1, le=limits.MAX_ID)]
Version = Annotated[StrictInt, Field(ge=0, le=limits.MAX_ID)]

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
#: a date and time of day (seconds and fractions optional), then the zone: Z or ±hh:mm
_MOMENT = re.compile(
    r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)(Z|[+-]\d{2}:\d{2})?"
)


def _in_range(value: Any) -> Any:
    if not limits.day_in_range(value):
        raise PydanticCustomError("date_range", limits.DATE_RANGE_MESSAGE)
    return value


def _day(value: Any) -> dt.date:
    """Only the text ÅÅÅÅ-MM-DD: no number (read as seconds since 1970), no time of day."""
    if not isinstance(value, str):
        raise PydanticCustomError("date_type", "Skriv datoen som tekst: ÅÅÅÅ-MM-DD.")
    if not _DAY.fullmatch(value):
        raise PydanticCustomError("date_format", "Skriv datoen som ÅÅÅÅ-MM-DD, fx 2026-11-24.")
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError(
            "date_value", "{value} er ikke en gyldig dato.", {"value": value}
        ) from None
    return _in_range(day)


def _moment(value: Any) -> dt.datetime:
    """Only the text of an ISO 8601 time with its time zone (Z or ±hh:mm): a time without one
    could be read in any zone."""
    if not isinstance(value, str):
        raise PydanticCustomError(
            "datetime_type", "Skriv tidspunktet som tekst: ÅÅÅÅ-MM-DDTtt:mm:ss+01:00."
        )
    shape = _MOMENT.fullmatch(value)
    if shape is None:
        raise PydanticCustomError(
            "datetime_format", "Skriv tidspunktet som ÅÅÅÅ-MM-DDTtt:mm:ss+01:00."
        )
    if shape[2] is None:
        raise PydanticCustomError(
            "datetime_timezone", "Tidspunktet mangler sin tidszone, fx 2027-01-12T10:00:00+01:00."
        )
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError(
            "datetime_value", "{value} er ikke et gyldigt tidspunkt.", {"value": value}
        ) from None
    return _in_range(moment)


def _fit_item(value: Any) -> Any:
    """A score (a finite number) or what was typed (text, which the service names)."""
    if isinstance(value, bool) or (isinstance(value, float) and not math.isfinite(value)):
        raise PydanticCustomError("fit_item", "Skriv scoren som et tal.")
    if isinstance(value, str) and len(value) > limits.CODE:
        raise PydanticCustomError("fit_item", "Skriv scoren som et tal.")
    return value


Day = Annotated[dt.date, BeforeValidator(_day)]
Moment = Annotated[AwareDatetime, BeforeValidator(_moment)]
FitItem = Annotated[float | str, BeforeValidator(_fit_item)]


class In(Schema):
    model_config = ConfigDict(extra="forbid")


class Versioned(In):
    version: Version = Field(description="the case version you read; a stale one answers 409")


class TokenIn(In):
    username: Username
    password: Password
    otp: Otp | None = Field(
        default=None,
        description="the current TOTP code: required for staff with two-step verification",
    )


class CitizenIn(In):
    cpr: Cpr = Field(description="10 digits; modulus 11 is not required")
    name: Name
    phone: Phone = ""
    email: Email = ""
    address: Address = ""


class CitizenUpdateIn(In):
    """The details to change: those sent (null or left out: unchanged; "" erases a contact
    detail, never the name)."""

    version: int = Field(
        description="the citizen version you read (a case's citizen.version); a stale one "
        "answers 409"
    )
    name: str | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None


class CaseCreateIn(In):
    received_on: Day
    channel: Literal["self_service", "digital_post", "phone", "walk_in", "letter"]
    contact_by: Literal["citizen", "relative", "professional"] = "citizen"
    referrer: Name = Field("", description="who referred: a GP, a hospital, an authority")
    wishes_treatment: StrictBool = True
    requested_offer: Code = ""
    note: Text = ""
    anonymous: StrictBool = False
    pseudonym: Pseudonym = ""
    citizen: CitizenIn | None = None
    person_role: Code = "user"
    related_case_id: Id | None = None
    provider: Code | None = None


class ContactIn(Versioned):
    received_on: Day
    channel: Literal["self_service", "digital_post", "phone", "walk_in", "letter"]
    contact_by: Literal["citizen", "relative", "professional"] = "citizen"
    referrer: Name = Field("", description="who referred: a GP, a hospital, an authority")
    wishes_treatment: StrictBool = True
    requested_offer: Code = ""
    note: Text = ""


#: a section id of the standard's `assessment.sections`, and its text (the service checks
#: the id against the standard and the text's length, 8000 characters)
SectionId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
SectionText = _text(8000)


class AssessmentIn(Versioned):
    facts: dict[str, Any] = Field(description="contracts/assessment.schema.json")
    on: Day | None = Field(None, description="evaluation date (default today)")
    sections: dict[SectionId, SectionText] | None = Field(
        None,
        max_length=30,
        description="the caseworker's text per section id of the standard's assessment "
        "(e.g. motivation, medvirken); left out: the previous version's texts are kept",
    )


class DecisionIn(Versioned):
    offer: Code
    outcome: Literal["granted", "refused"]
    decided_on: Day
    send_channel: Literal["digital_post", "post", "quickpost"] = "digital_post"
    provider: Code | None = None
    free_choice_requested: Name = ""
    free_choice_outcome: Literal["not_requested", "granted", "refused"] = "not_requested"
    override_reason: Text = ""
    note: Text = ""


SendChannel = Literal["digital_post", "post", "quickpost"]


class DecisionWithdrawalIn(Versioned):
    reason: Text = Field(description="why the decision is withdrawn: the letter gives it")
    withdrawn_on: Day | None = Field(None, description="the day it stops counting; left out: today")
    send_channel: SendChannel = "digital_post"


class DecisionCorrectionIn(Versioned):
    """The corrected decision: what is left out is as in the decision corrected (the note:
    none)."""

    reason: Text = Field(description="why the decision is corrected: the letter gives it")
    decided_on: Day | None = Field(None, description="the new decision's date; left out: today")
    offer: Code | None = None
    outcome: Literal["granted", "refused"] | None = None
    send_channel: SendChannel = "digital_post"
    provider: Code | None = None
    free_choice_requested: Name | None = None
    free_choice_outcome: Literal["not_requested", "granted", "refused"] | None = None
    override_reason: Text | None = None
    note: Text = ""


class DecisionOut(Schema):
    """A decision as the API shows it (`decision_json`)."""

    id: int
    offer: str
    outcome: Literal["granted", "refused"]
    evaluation_status: str
    legal_basis: list[str]
    reasoning: str
    override_reason: str
    provider: str | None
    free_choice_requested: str
    free_choice_outcome: Literal["not_requested", "granted", "refused"]
    decided_on: dt.date
    send_channel: SendChannel
    received_on: dt.date
    complaint_route: str | None
    complaint_deadline: dt.date | None = Field(description="None: no appeal")
    standard_version: str
    status: Literal["active", "withdrawn", "corrected"] = Field(
        description="only an active decision is the basis of a course or a waitlist place"
    )
    withdrawn_on: dt.date | None = Field(description="when a withdrawn or corrected one stopped")
    withdrawal_reason: str | None
    withdrawal_complaint_deadline: dt.date | None = Field(
        description="the withdrawal's own complaint deadline (None: none)"
    )
    replaced_by_id: int | None = Field(description="the decision that corrected this one")
    replaces_id: int | None = Field(description="the decision this one corrected")


# The key facts' codes (outcomes.models); the "" variants: not given.
UseFrequency = Literal["daily", "days_4_6", "days_2_3", "weekly_or_less", "not_used"]
UseFrequencyOrNot = Literal["", "daily", "days_4_6", "days_2_3", "weekly_or_less", "not_used"]
Housing = Literal["own", "rented", "temporary", "shelter", "homeless", "institution"]
HousingOrNot = Literal["", "own", "rented", "temporary", "shelter", "homeless", "institution"]
Occupation = Literal["employed", "student", "unemployed", "sick_leave", "retired", "none"]
OccupationOrNot = Literal["", "employed", "student", "unemployed", "sick_leave", "retired", "none"]
Outcome = Literal[
    "substance_free",
    "reduced",
    "stabilised",
    "referred",
    "unchanged",
    "dropped_out",
    "moved",
    "deceased",
]
OutcomeOrNot = Literal[
    "",
    "substance_free",
    "reduced",
    "stabilised",
    "referred",
    "unchanged",
    "dropped_out",
    "moved",
    "deceased",
]


class KeyFactsOptional(Versioned):
    """Use in the last 30 days (TDI frequency), housing and occupation (the assessment
    contract's social.housing and social.occupation codes); "" = not given."""

    use_frequency: UseFrequencyOrNot = ""
    housing: HousingOrNot = ""
    occupation: OccupationOrNot = ""


class CourseStartIn(KeyFactsOptional):
    """Key facts at the start: housing and occupation default to the latest assessment's;
    on treatment for the citizen's own use all three are then required."""

    started_on: Day
    decision_id: Id | None = None
    offer: Code | None = None
    provider: Code | None = None


class PlanIn(Versioned):
    goal: Literal["abstinence", "reduction", "stabilisation"]
    goals_text: Text
    agreed_on: Day


class SessionIn(Versioned):
    """Times with their time zone; a session ends after it starts and lasts at most 24 hours
    (`limits.SESSION_LENGTH`, checked by the service, which names `ends_at`)."""

    starts_at: Moment
    ends_at: Moment
    attendance: Literal["", "attended", "no_show", "cancelled"] = ""
    note: Text = ""


class AttendanceIn(Versioned):
    attendance: Literal["attended", "no_show", "cancelled"]
    note: Text = ""


class EnrolIn(Versioned):
    group_id: Id
    enrolled_on: Day


class BookingIn(KeyFactsOptional):
    """Book a proposal from the waitlist: the granted decision, the capacity line
    ("capacity:<id>" or "group:<id>", as the waitlist gives it) and the start day."""

    decision_id: Id
    line: Code
    starts_on: Day


class StatusReportIn(Versioned):
    text: Text
    submitted_on: Day


class SelfPaymentIn(Versioned):
    days: Annotated[StrictInt, Field(ge=1, le=366)]  # a year's stay at most
    keeps_rent: StrictBool
    monthly_income_dkk: Annotated[Decimal, Field(ge=0, le=10_000_000)] | None = None


class CourseEndIn(KeyFactsOptional):
    """`outcome` in the categories of the course's substance (drugs: substance_free,
    reduced, stabilised; alcohol: substance_free, reduced, referred) or unchanged,
    dropped_out, moved, deceased. Key facts at the end: required on treatment for the
    citizen's own use unless the citizen moved away or died."""

    ended_on: Day
    reason: Literal[
        "completed", "dropped_out", "terminated", "transferred", "moved", "deceased", "other"
    ]
    outcome: Outcome
    final_report: Text


class OfferChangeIn(KeyFactsOptional):
    """Key facts given are the old course's end and the new one's start; without them the
    new course starts with the old one's latest."""

    decision_id: Id
    changed_on: Day


class FollowUpIn(KeyFactsOptional):
    """`outcome` as at the ending; key facts of the moment (one or six months) when the
    citizen was reached."""

    done_on: Day
    channel: Literal["attendance", "phone", "video"]
    reached: StrictBool
    outcome: OutcomeOrNot = ""
    note: Text = ""


class KeyFactsIn(Versioned):
    moment: Literal["start", "end", "follow_up_1", "follow_up_6"]
    recorded_on: Day
    use_frequency: UseFrequency
    housing: Housing
    occupation: Occupation


class FitIn(Versioned):
    instrument: Code = Field(description="an instrument of the standard: ors or srs")
    items: list[FitItem] = Field(
        description="one score per line of the instrument", max_length=limits.FIT_ITEMS
    )


class ComplaintIn(Versioned):
    decision_id: Id
    received_on: Day
    text: Text


class ReassessIn(Versioned):
    reassessed_on: Day
    upheld: StrictBool
    text: Text


class RegionReferralIn(Versioned):
    """A referral to integrated treatment in the regional psychiatry (SUL § 82 c); sent again
    before the region has received the citizen, it corrects the referral."""

    referred_on: Day = Field(description="the day the referral was sent (from 2024-09-01)")
    region: Name = Field(description="the region and unit referred to, e.g. its psychiatric centre")
    note: Text = ""


class RegionAcceptanceIn(Versioned):
    accepted_on: Day = Field(description="the day the region received the citizen")


class AssignmentIn(Versioned):
    caseworker_id: Id | None = Field(
        description="the caseworker to hold the case: your own id to take it (caseworkers take "
        "an unassigned case, or give back their own with null); heads of unit name any "
        "caseworker of the municipality, or null for none"
    )


# --- answers ----------------------------------------------------------------------------------


class HandedOverOut(Schema):
    """A treatment guarantee of the municipality that closed when the region took over."""

    deadline_id: int
    due_on: dt.date
    text: str
    closed_on: dt.date
    closed_reason: str


class RegionReferralOut(Schema):
    """The case's referral to integrated treatment in the regional psychiatry (SUL § 82 c)."""

    case_id: int
    case_version: int = Field(description="the case version after the write: the next write's")
    referred_on: dt.date
    region: str
    note: str
    accepted_on: dt.date | None = Field(
        description="the day the region received the citizen (null: not yet)"
    )
    region_start_by: dt.date = Field(
        description="the region's last day to start the treatment: 14 days after receiving "
        "the referral, counted from referred_on (the region's duty, not the municipality's)"
    )
    handed_over: list[HandedOverOut] = Field(
        description="the municipality's treatment guarantees (SUL §§ 141-142) closed as "
        "handed over to the region when it received the citizen"
    )


class CaseworkerOut(Schema):
    id: int
    username: str
    name: str = Field(description="the full name, or the username when none is recorded")


class AssignmentOut(Schema):
    case_id: int
    number: str
    version: int = Field(description="the case's version after the change")
    caseworker: CaseworkerOut | None = Field(description="null: no caseworker (Ikke tildelt)")
