"""Every write to a case: one service per step, each in one transaction with its audit entry.

Services take keyword-only, typed arguments, check the actor's role and the case's version
(optimistic locking: a stale version raises Conflict and writes nothing), apply the
municipality's standard through `rusmiddel.rules`, and keep the `Deadline` rows that the due
list reads.
"""

from collections.abc import Callable
from typing import Any

from .assignment import case_assign
from .citizens import citizen_update
from .complaints import complaint_reassess, complaint_receive
from .courses import (
    attendance_record,
    course_end,
    course_start,
    group_enrol,
    offer_change,
    plan_record,
    self_payment_record,
    session_record,
    status_report_record,
)
from .decisions import decision_correct, decision_record, decision_withdraw
from .follow_ups import follow_up_record
from .intake import assessment_record, case_create, contact_record, cpr_validate
from .region import region_referral_accept, region_referral_record
from .self_service import self_service_apply

#: Every service, by name: the API, the web and the authorization tests read this.
#: (`self_service_apply`, the citizen's own way in, is the one without a staff actor;
#: `citizen_update` changes the citizen of every case of theirs, at the citizen's version.)
SERVICES: dict[str, Callable[..., Any]] = {
    f.__name__: f
    for f in (
        case_create,
        contact_record,
        assessment_record,
        decision_record,
        decision_withdraw,
        decision_correct,
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
        self_service_apply,
        citizen_update,
        region_referral_record,
        region_referral_accept,
        case_assign,
    )
}

__all__ = [
    "SERVICES",
    "cpr_validate",
    *SERVICES,
]
