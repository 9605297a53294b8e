"""The whole course of a case through the JSON API: contact → assessment → evaluation →
decision → course (plan, sessions, status report, self-payment) → ending → follow-ups →
complaint. Runs on SQLite and PostgreSQL (CI runs both)."""

from __future__ import annotations

import pytest

from rusmiddel.audit.models import AuditEntry
from support import AFTER_THE_EVENTS

#: The tests record events ahead of the real today: on a clock after them.
pytestmark = pytest.mark.time_machine(AFTER_THE_EVENTS, tick=False)

CPR = "0702921234"  # 7 Feb 1992, century digit 1 → 1900s; fails modulus 11, valid since 2007

FACTS = {
    "person": {"role": "user", "children_at_home": 0, "pregnant": False},
    "use": {
        "substances": [{"substance": "cannabis", "primary": True}],
        "level": "problematic",
        "harms_daily_life": True,
    },
    "social": {"self_supporting": True, "housing": "rented", "social_problems": "none"},
    "health": {"psychiatric_disorder": "none"},
    "wishes": {"requests_substitution": False},
}


def _open_case(api, **changes):
    body = {
        "received_on": "2026-11-24",
        "channel": "digital_post",
        "citizen": {"cpr": CPR, "name": "Mette Jensen"},
        "requested_offer": "ambulant",
    } | changes
    return api.post("/cases", body)


@pytest.mark.django_db
def test_a_case_from_contact_to_follow_up(as_role):
    # Given a caseworker in Gentofte
    caseworker = as_role("caseworker", "gentofte")

    # When a citizen writes by Digital Post on 24 November 2026 wishing ambulant treatment
    status, case = _open_case(caseworker)
    assert status == 201, case
    assert case["number"] == "GENTOFTE-2026-000001"
    assert case["citizen"]["birth_date"] == "1992-02-07"
    # Then the 14-day guarantee runs to 8 December
    assert case["contacts"][0]["treatment_guarantee"] == "2026-12-08"
    assert [d["kind"] for d in case["deadlines"]] == ["treatment_guarantee"]

    # When the assessment is recorded, every offer is evaluated under the standard in force
    status, evaluation = caseworker.post(
        f"/cases/{case['id']}/assessments",
        {"version": case["version"], "facts": FACTS, "on": "2026-11-26"},
    )
    assert status == 201, evaluation
    assert evaluation["age"] == 34  # from the CPR number, not typed in
    ambulant = next(o for o in evaluation["offers"] if o["offer"] == "ambulant")
    assert ambulant["status"] == "eligible"

    # When ambulant treatment is granted, sent by ordinary post on Friday 18 December
    version = case["version"] + 1
    status, decision = caseworker.post(
        f"/cases/{case['id']}/decisions",
        {
            "version": version,
            "offer": "ambulant",
            "outcome": "granted",
            "decided_on": "2026-12-18",
            "send_channel": "post",
            "provider": "kabs",
        },
    )
    assert status == 201, decision
    # Then it counts as received six working days later (24–26 Dec closed) and the
    # complaint deadline is four weeks after receipt
    assert decision["received_on"] == "2026-12-29"
    assert decision["complaint_deadline"] == "2027-01-26"
    assert "SEL § 101" in decision["reasoning"]
    assert "Borgeren har et problematisk forbrug af rusmidler" in decision["reasoning"]

    # The therapist at the provider starts the course within the guarantee
    version += 1
    therapist = as_role("therapist", "gentofte")
    status, course = therapist.post(
        f"/cases/{case['id']}/courses",
        {
            "version": version,
            "started_on": "2026-12-21",
            "decision_id": decision["id"],
            "use_frequency": "daily",
            "occupation": "unemployed",
        },
    )
    assert status == 201, course
    # Then it is a drug course (Gentofte's ambulant offer), and its key facts at the start
    # take the housing from the assessment
    assert course["substance"] == "drugs"
    assert {k: course["key_facts"]["start"][k] for k in ("use_frequency", "housing")} == {
        "use_frequency": "daily",
        "housing": "rented",
    }
    version += 1
    status, _ = therapist.post(
        f"/courses/{course['id']}/plans",
        {
            "version": version,
            "goal": "abstinence",
            "goals_text": "Holde op med hash og komme tilbage i arbejde",
            "agreed_on": "2026-12-21",
        },
    )
    assert status == 201
    version += 1
    for day in (4, 11, 18):
        status, session = therapist.post(
            f"/courses/{course['id']}/sessions",
            {
                "version": version,
                "starts_at": f"2027-01-{day:02d}T10:00:00+01:00",
                "ends_at": f"2027-01-{day:02d}T11:00:00+01:00",
            },
        )
        assert status == 201, session
        version += 1
        status, attendance = therapist.post(
            f"/sessions/{session['id']}/attendance", {"version": version, "attendance": "no_show"}
        )
        assert status == 200, attendance
        version += 1
    # Three no-shows in a row raise the flag (Gentofte: ends courses where the citizen stays away)
    assert attendance["no_show_streak"] == 3 and attendance["flag"] is True

    status, _ = therapist.post(
        f"/courses/{course['id']}/status-reports",
        {"version": version, "text": "Borgeren er mødt stabilt", "submitted_on": "2027-01-20"},
    )
    assert status == 201
    version += 1

    # When the course ends on 31 August 2027
    status, ended = therapist.post(
        f"/courses/{course['id']}/end",
        {
            "version": version,
            "ended_on": "2027-08-31",
            "reason": "completed",
            "outcome": "substance_free",
            "final_report": "Forløbet er gennemført; borgeren er stoffri.",
            "use_frequency": "not_used",
            "housing": "rented",
            "occupation": "employed",
        },
    )
    assert status == 200, ended
    version += 1
    # Then follow-ups fall at one and six months, clamped to the month's end (leap year 2028)
    assert [(f["months"], f["due_on"]) for f in ended["follow_ups"]] == [
        (1, "2027-09-30"),
        (6, "2028-02-29"),
    ]

    consultant = as_role("substance_consultant", "gentofte")
    status, done = consultant.post(
        f"/follow-ups/{ended['follow_ups'][0]['id']}",
        {
            "version": version,
            "done_on": "2027-10-01",
            "channel": "phone",
            "reached": True,
            "outcome": "substance_free",
            "use_frequency": "not_used",
            "housing": "own",
            "occupation": "employed",
        },
    )
    assert status == 200, done
    version += 1

    # A complaint of the decision is registered and reassessed
    status, complaint = caseworker.post(
        f"/cases/{case['id']}/complaints",
        {
            "version": version,
            "decision_id": decision["id"],
            "received_on": "2027-01-15",
            "text": "Jeg ønsker dagbehandling i stedet",
        },
    )
    assert status == 201, complaint
    assert complaint["within_deadline"] is True
    assert complaint["reassess_by"] == "2027-02-12"
    version += 1
    status, reassessed = caseworker.post(
        f"/complaints/{complaint['id']}/reassessment",
        {
            "version": version,
            "reassessed_on": "2027-02-01",
            "upheld": True,
            "text": "Afgørelsen fastholdes",
        },
    )
    assert status == 200, reassessed
    assert reassessed["status"] == "forwarded"
    assert "Ankestyrelsen" in reassessed["forwarded_to"]

    # The whole case reads back, and every step left its audit entry
    status, full = caseworker.get(f"/cases/{case['id']}")
    assert status == 200
    assert full["status"] == "ended"
    assert full["version"] == version + 1
    # …with the outcome counted as the drug goal it met, and the same key facts at start,
    # end and the first follow-up, so the change is measured
    course = full["courses"][0]
    assert (course["outcome"], course["goal_met"]) == ("substance_free", "substance_free")
    assert {
        moment: (k["use_frequency"], k["housing"], k["occupation"], k["recorded_on"])
        for moment, k in course["key_facts"].items()
    } == {
        "start": ("daily", "rented", "unemployed", "2026-12-21"),
        "end": ("not_used", "rented", "employed", "2027-08-31"),
        "follow_up_1": ("not_used", "own", "employed", "2027-10-01"),
    }
    met = {d["kind"]: d["met_on"] for d in full["deadlines"] if d["met_on"]}
    assert met["treatment_guarantee"] == "2026-12-21"
    assert met["complaint_reassessment"] == "2027-02-01"
    events = set(AuditEntry.objects.filter(case_id=case["id"]).values_list("event", flat=True))
    assert {
        "case_created",
        "assessment_recorded",
        "evaluation_recorded",
        "decision_recorded",
        "course_started",
        "plan_recorded",
        "session_recorded",
        "attendance_recorded",
        "status_report_recorded",
        "course_ended",
        "follow_up_recorded",
        "complaint_received",
        "complaint_reassessed",
        "case_read",
    } <= events


@pytest.mark.django_db
def test_residential_self_payment_when_the_citizen_keeps_paying_rent(as_role):
    """Helsingør: keeping the rent → no stay part, only food and laundry (SEL § 163, stk. 2)."""
    therapist = as_role("therapist", "helsingoer")
    status, case = _open_case(therapist, requested_offer="")
    assert status == 201, case
    facts = {
        "person": {"role": "user", "pregnant": False, "children_at_home": 0},
        "use": {
            "substances": [{"substance": "cocaine", "primary": True}],
            "level": "dependent",
            "harms_daily_life": True,
        },
        "history": {"previous_offers": ["individuelle_samtaler"]},
        "social": {"housing": "rented", "occupation": "employed"},
        "health": {"psychiatric_disorder": "none"},
        "professional": {"needs_more_than_outpatient": True, "benefits_from_shielding": True},
    }
    status, evaluation = therapist.post(
        f"/cases/{case['id']}/assessments",
        {"version": case["version"], "facts": facts, "on": "2026-11-26"},
    )
    assert status == 201, evaluation
    residential = next(o for o in evaluation["offers"] if o["offer"] == "doegnbehandling")
    override = "" if residential["status"] == "eligible" else "Visitationsmødet har vurderet det"
    status, decision = therapist.post(
        f"/cases/{case['id']}/decisions",
        {
            "version": case["version"] + 1,
            "offer": "doegnbehandling",
            "outcome": "granted",
            "decided_on": "2026-11-30",
            "override_reason": override,
        },
    )
    assert status == 201, decision
    status, course = therapist.post(
        f"/cases/{case['id']}/courses",
        {
            "version": case["version"] + 2,
            "started_on": "2026-12-07",
            "decision_id": decision["id"],
            "use_frequency": "daily",
        },
    )
    assert status == 201, course
    status, calc = therapist.post(
        f"/courses/{course['id']}/self-payment",
        {"version": case["version"] + 3, "days": 90, "keeps_rent": True},
    )
    assert status == 201, calc
    assert [line["item"] for line in calc["lines"]] == ["food", "laundry"]
    # 90 days × 80 kr. food + 3 months × 100 kr. laundry (the file's example rates)
    assert calc["total_dkk"] == "7500.00"
    assert calc["amounts_are_examples"] is True
