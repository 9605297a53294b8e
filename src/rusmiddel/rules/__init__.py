"""Pure rules over a municipality's standard: no Django, no database.

The public surface: evaluate eligibility, compute deadlines and group calendars, and the
Danish calendar they rest on.
"""

from .calendar import add_months, add_working_days, age_on, is_public_holiday, is_working_day
from .compiled import CompiledStandard
from .deadlines import (
    CHANNELS,
    MovedDate,
    complaint_deadline,
    complaint_weeks,
    deadline_in_weeks,
    follow_ups,
    guarantee_basis,
    received_on,
    treatment_guarantee,
)
from .errors import ErrorCode, InputError, RuleFailure, RulesError
from .evaluation import Evaluation, OfferResult, Reason, evaluate, grant_blockers
from .payment import SelfPaymentCalculation, self_payment
from .schedule import Session, group_sessions, longest_run

__all__ = [
    "CHANNELS",
    "CompiledStandard",
    "ErrorCode",
    "Evaluation",
    "InputError",
    "MovedDate",
    "OfferResult",
    "Reason",
    "RuleFailure",
    "RulesError",
    "SelfPaymentCalculation",
    "Session",
    "add_months",
    "add_working_days",
    "age_on",
    "complaint_deadline",
    "complaint_weeks",
    "deadline_in_weeks",
    "evaluate",
    "follow_ups",
    "grant_blockers",
    "group_sessions",
    "guarantee_basis",
    "is_public_holiday",
    "is_working_day",
    "longest_run",
    "received_on",
    "self_payment",
    "treatment_guarantee",
]
