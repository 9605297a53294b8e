"""Pure rules over a municipality's standard: no Django, no database.

The public surface: evaluate eligibility, compute deadlines and group calendars, and the
Danish calendar they rest on.
"""

from .calendar import add_months, add_working_days, age_on, is_public_holiday, is_working_day
from .compiled import CompiledStandard
from .deadlines import (
    CHANNELS,
    MovedDate,
    complaint_weeks,
    deadline_in_weeks,
    follow_ups,
    received_on,
    treatment_guarantee,
)
from .errors import ErrorCode, InputError, RuleFailure, RulesError
from .evaluation import Evaluation, OfferResult, Reason, evaluate
from .schedule import Session, group_sessions

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
    "Session",
    "add_months",
    "add_working_days",
    "age_on",
    "complaint_weeks",
    "deadline_in_weeks",
    "evaluate",
    "follow_ups",
    "group_sessions",
    "is_public_holiday",
    "is_working_day",
    "received_on",
    "treatment_guarantee",
]
