"""Pure rules over a municipality's standard: no Django, no database.

The public surface: evaluate eligibility, compute deadlines, complaint routes and group
calendars, and the Danish calendar they rest on.
"""

from . import integrated_treatment
from .calendar import (
    add_months,
    add_working_days,
    age_on,
    closed_day_name,
    is_closed,
    is_public_holiday,
    is_working_day,
)
from .compiled import CompiledStandard
from .deadlines import (
    CHANNELS,
    FOLLOW_UP_EARLY_DAYS,
    MovedDate,
    complaint_deadline,
    complaint_weeks,
    deadline_in_weeks,
    follow_up_applies,
    follow_up_earliest,
    follow_ups,
    guarantee_basis,
    no_show_limit,
    reassessment_weeks,
    received_on,
    treatment_guarantee,
    typical_duration,
)
from .errors import ErrorCode, InputError, RuleFailure, RulesError
from .evaluation import Evaluation, OfferResult, Reason, evaluate, grant_blockers
from .payment import SelfPaymentCalculation, self_payment
from .routes import RouteChoice, complaint_routes
from .schedule import Session, group_sessions, longest_run

__all__ = [
    "CHANNELS",
    "CompiledStandard",
    "FOLLOW_UP_EARLY_DAYS",
    "ErrorCode",
    "Evaluation",
    "InputError",
    "MovedDate",
    "OfferResult",
    "Reason",
    "RuleFailure",
    "RouteChoice",
    "RulesError",
    "SelfPaymentCalculation",
    "Session",
    "add_months",
    "add_working_days",
    "age_on",
    "closed_day_name",
    "complaint_deadline",
    "complaint_routes",
    "complaint_weeks",
    "deadline_in_weeks",
    "evaluate",
    "follow_up_applies",
    "follow_up_earliest",
    "follow_ups",
    "grant_blockers",
    "group_sessions",
    "guarantee_basis",
    "integrated_treatment",
    "is_closed",
    "is_public_holiday",
    "is_working_day",
    "longest_run",
    "no_show_limit",
    "reassessment_weeks",
    "received_on",
    "self_payment",
    "treatment_guarantee",
    "typical_duration",
]
