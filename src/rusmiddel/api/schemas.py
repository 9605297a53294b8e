"""Request bodies of the JSON API. Unknown keys are refused, so a misspelt field is an error
that names it, not a silently ignored value."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field


class In(Schema):
    model_config = ConfigDict(extra="forbid")


class Versioned(In):
    version: int = Field(description="the case version you read; a stale one answers 409")


class TokenIn(In):
    username: str
    password: str
    otp: str | None = Field(
        default=None,
        description="the current TOTP code: required for staff with two-step verification",
    )


class CitizenIn(In):
    cpr: str = Field(description="10 digits; modulus 11 is not required")
    name: str
    phone: str = ""
    email: str = ""
    address: str = ""


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
    received_on: dt.date
    channel: Literal["self_service", "digital_post", "phone", "walk_in", "letter"]
    contact_by: Literal["citizen", "relative", "professional"] = "citizen"
    wishes_treatment: bool = True
    requested_offer: str = ""
    note: str = ""
    anonymous: bool = False
    pseudonym: str = ""
    citizen: CitizenIn | None = None
    person_role: str = "user"
    related_case_id: int | None = None
    provider: str | None = None


class ContactIn(Versioned):
    received_on: dt.date
    channel: Literal["self_service", "digital_post", "phone", "walk_in", "letter"]
    contact_by: Literal["citizen", "relative", "professional"] = "citizen"
    wishes_treatment: bool = True
    requested_offer: str = ""
    note: str = ""


class AssessmentIn(Versioned):
    facts: dict[str, Any] = Field(description="contracts/assessment.schema.json")
    on: dt.date | None = Field(None, description="evaluation date (default today)")


class DecisionIn(Versioned):
    offer: str
    outcome: Literal["granted", "refused"]
    decided_on: dt.date
    send_channel: Literal["digital_post", "post", "quickpost"] = "digital_post"
    provider: str | None = None
    free_choice_requested: str = ""
    free_choice_outcome: Literal["not_requested", "granted", "refused"] = "not_requested"
    override_reason: str = ""
    note: str = ""


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

    started_on: dt.date
    decision_id: int | None = None
    offer: str | None = None
    provider: str | None = None


class PlanIn(Versioned):
    goal: Literal["abstinence", "reduction", "stabilisation"]
    goals_text: str
    agreed_on: dt.date


class SessionIn(Versioned):
    starts_at: dt.datetime
    ends_at: dt.datetime
    attendance: Literal["", "attended", "no_show", "cancelled"] = ""
    note: str = ""


class AttendanceIn(Versioned):
    attendance: Literal["attended", "no_show", "cancelled"]
    note: str = ""


class EnrolIn(Versioned):
    group_id: int
    enrolled_on: dt.date


class BookingIn(KeyFactsOptional):
    """Book a proposal from the waitlist: the granted decision, the capacity line
    ("capacity:<id>" or "group:<id>", as the waitlist gives it) and the start day."""

    decision_id: int
    line: str
    starts_on: dt.date


class StatusReportIn(Versioned):
    text: str
    submitted_on: dt.date


class SelfPaymentIn(Versioned):
    days: int
    keeps_rent: bool
    monthly_income_dkk: Decimal | None = None


class CourseEndIn(KeyFactsOptional):
    """`outcome` in the categories of the course's substance (drugs: substance_free,
    reduced, stabilised; alcohol: substance_free, reduced, referred) or unchanged,
    dropped_out, moved, deceased. Key facts at the end: required on treatment for the
    citizen's own use unless the citizen moved away or died."""

    ended_on: dt.date
    reason: Literal[
        "completed", "dropped_out", "terminated", "transferred", "moved", "deceased", "other"
    ]
    outcome: Outcome
    final_report: str


class OfferChangeIn(KeyFactsOptional):
    """Key facts given are the old course's end and the new one's start; without them the
    new course starts with the old one's latest."""

    decision_id: int
    changed_on: dt.date


class FollowUpIn(KeyFactsOptional):
    """`outcome` as at the ending; key facts of the moment (one or six months) when the
    citizen was reached."""

    done_on: dt.date
    channel: Literal["attendance", "phone", "video"]
    reached: bool
    outcome: OutcomeOrNot = ""
    note: str = ""


class KeyFactsIn(Versioned):
    moment: Literal["start", "end", "follow_up_1", "follow_up_6"]
    recorded_on: dt.date
    use_frequency: UseFrequency
    housing: Housing
    occupation: Occupation


class FitIn(Versioned):
    instrument: str = Field(description="an instrument of the standard: ors or srs")
    items: list[float | str] = Field(description="one score per line of the instrument")


class ComplaintIn(Versioned):
    decision_id: int
    received_on: dt.date
    text: str


class ReassessIn(Versioned):
    reassessed_on: dt.date
    upheld: bool
    text: str
