"""Who may do what: one table, read by services, selectors, the API and the web.

Authority roles (caseworker, head of unit) never see anonymous cases (SEL § 101 a: the
municipality gets no identifying information); treatment roles see those at the
municipality's own centre, never those at an external provider (Gentofte: the citizen can
turn to KABS or Gladsaxe "uden at Gentofte Kommune får personhenførbare oplysninger").
Provider staff see only the cases referred to their provider. The administrator runs
standards, users and the audit log, and reads no case.

Opening a case never changes a known citizen; their name and contact details are changed only
by `CITIZEN_UPDATE`. Provider staff open anonymous cases (the walk-ins of SEL § 101 a) but a
named case only for a citizen already on a case referred to their provider
(`NAMED_CASE_ONLY_FOR_OWN_CITIZENS`): for any other CPR number the answer would tell them
whether the municipality knows the person, and show what it holds about them.
"""

from __future__ import annotations

from enum import StrEnum

from .models import Role


class Action(StrEnum):
    CASE_READ = "case_read"
    CASE_CREATE = "case_create"  # a contact that opens a case
    CONTACT_RECORD = "contact_record"
    ASSESSMENT_RECORD = "assessment_record"
    DECISION_RECORD = "decision_record"
    COURSE_MANAGE = "course_manage"  # start, plan, sessions, groups, status reports, change
    COURSE_END = "course_end"
    FOLLOW_UP_RECORD = "follow_up_record"
    COMPLAINT_HANDLE = "complaint_handle"
    DUE_LIST = "due_list"
    AUDIT_READ = "audit_read"
    STATISTICS_READ = "statistics_read"  # management statistics: counts, never a person
    REGISTER_EXTRACT = "register_extract"  # SIB, NAB and TDI extracts with their validation
    GROUP_MANAGE = "group_manage"  # create and change group runs (seats, dates)
    WAITLIST_READ = "waitlist_read"  # waitlists, start proposals and the capacity forecast
    WAITLIST_BOOK = "waitlist_book"  # book a proposed start (course, group seat, first session)
    CAPACITY_MANAGE = "capacity_manage"  # places and weekly start slots per provider and offer
    CITIZEN_UPDATE = "citizen_update"  # a citizen's name and contact details (where letters go)
    # refer to integrated treatment in the regional psychiatry (SUL § 82 c) and record that
    # the region has received the citizen
    REGION_REFER = "region_refer"
    CASE_ASSIGN = "case_assign"  # who holds the case: take it, or (heads) give it to a caseworker


R = Role
ALLOWED: dict[Action, frozenset[str]] = {
    Action.CASE_READ: frozenset(
        {R.CASEWORKER, R.THERAPIST, R.SUBSTANCE_CONSULTANT, R.HEAD_OF_UNIT, R.PROVIDER_STAFF}
    ),
    Action.CASE_CREATE: frozenset(
        {R.CASEWORKER, R.THERAPIST, R.SUBSTANCE_CONSULTANT, R.PROVIDER_STAFF}
    ),
    Action.CONTACT_RECORD: frozenset(
        {R.CASEWORKER, R.THERAPIST, R.SUBSTANCE_CONSULTANT, R.PROVIDER_STAFF}
    ),
    Action.ASSESSMENT_RECORD: frozenset({R.CASEWORKER, R.THERAPIST, R.PROVIDER_STAFF}),
    # Gentofte's authority decides; Helsingør's centre decides on its own offers.
    Action.DECISION_RECORD: frozenset({R.CASEWORKER, R.THERAPIST}),
    # the substance consultant gives counselling (Gentofte's rådgivning) as a course of its own
    Action.COURSE_MANAGE: frozenset(
        {R.THERAPIST, R.PROVIDER_STAFF, R.CASEWORKER, R.SUBSTANCE_CONSULTANT}
    ),
    Action.COURSE_END: frozenset(
        {R.THERAPIST, R.PROVIDER_STAFF, R.CASEWORKER, R.SUBSTANCE_CONSULTANT}
    ),
    # a provider follows up its own anonymous courses: the municipality cannot know who they are
    Action.FOLLOW_UP_RECORD: frozenset(
        {R.SUBSTANCE_CONSULTANT, R.THERAPIST, R.CASEWORKER, R.PROVIDER_STAFF}
    ),
    Action.COMPLAINT_HANDLE: frozenset({R.CASEWORKER, R.THERAPIST}),
    Action.DUE_LIST: frozenset(
        {R.CASEWORKER, R.THERAPIST, R.SUBSTANCE_CONSULTANT, R.HEAD_OF_UNIT, R.PROVIDER_STAFF}
    ),
    Action.AUDIT_READ: frozenset({R.HEAD_OF_UNIT, R.ADMINISTRATOR}),
    Action.STATISTICS_READ: frozenset({R.HEAD_OF_UNIT, R.ADMINISTRATOR}),
    # the extract carries CPR numbers of named drug cases: the administrator produces it
    Action.REGISTER_EXTRACT: frozenset({R.ADMINISTRATOR}),
    Action.GROUP_MANAGE: frozenset({R.ADMINISTRATOR, R.HEAD_OF_UNIT}),
    # the head of unit runs the morning's waitlist and books from it; the caseworker and the
    # therapist book their own citizens; provider staff see theirs on the waitlist, book none
    Action.WAITLIST_READ: frozenset({R.CASEWORKER, R.THERAPIST, R.HEAD_OF_UNIT, R.PROVIDER_STAFF}),
    Action.WAITLIST_BOOK: frozenset({R.CASEWORKER, R.THERAPIST, R.HEAD_OF_UNIT}),
    # the capacity the waitlist plans with: set up like the group runs, by the same roles
    Action.CAPACITY_MANAGE: frozenset({R.ADMINISTRATOR, R.HEAD_OF_UNIT}),
    # the municipality's own staff who run named cases: every letter on every case of the
    # citizen goes where this says. Not provider staff (an external provider's), not the
    # administrator (reads no case), not the substance consultant (counsels and follows up:
    # new details go on the contact for the caseworker)
    Action.CITIZEN_UPDATE: frozenset({R.CASEWORKER, R.THERAPIST, R.HEAD_OF_UNIT}),
    # those who assess and decide: the referral follows the assessment ("no wrong door"), and
    # the region's taking over ends the municipality's own guarantees (SUL §§ 141-142)
    Action.REGION_REFER: frozenset({R.CASEWORKER, R.THERAPIST}),
    # the case's caseworker (the authority's): a caseworker takes an unassigned case for
    # themselves; the head of unit gives any case to any caseworker (`ASSIGNS_ANY_CASEWORKER`)
    Action.CASE_ASSIGN: frozenset({R.CASEWORKER, R.HEAD_OF_UNIT}),
}

#: Roles that may give a case to any caseworker of their municipality, or take it from one;
#: the other roles of `CASE_ASSIGN` take only an unassigned case, and only for themselves.
ASSIGNS_ANY_CASEWORKER = frozenset({R.HEAD_OF_UNIT})

#: Roles that may open a named case only for a citizen already on a case referred to their
#: provider; anonymous cases they open freely (see the module's doc).
NAMED_CASE_ONLY_FOR_OWN_CITIZENS = frozenset({R.PROVIDER_STAFF})

#: Roles on the authority side: they never learn who an anonymous case is.
AUTHORITY_ROLES = frozenset({R.CASEWORKER, R.HEAD_OF_UNIT, R.ADMINISTRATOR})


def may(role: str | None, action: Action) -> bool:
    return role is not None and role in ALLOWED[action]


def sees_anonymous(role: str | None) -> bool:
    return role is not None and role not in AUTHORITY_ROLES
