"""`rusmiddel demo`: the demo data covers every state of a case, written through the services
(audit entries, deadlines), for every role in both municipalities, once; and the command runs
end to end."""

from __future__ import annotations

import datetime as dt
import os
import random
import subprocess
import sys
from collections import Counter

import pytest
from django.db import transaction
from stdnum.dk import cpr as stdnum_cpr

from rusmiddel.accounts.models import Role, StaffProfile
from rusmiddel.audit.models import AuditEntry
from rusmiddel.cases.models import (
    Case,
    CaseStatus,
    Citizen,
    Complaint,
    Course,
    Deadline,
    SelfPaymentAssessment,
)
from rusmiddel.cases.services import cpr_validate
from rusmiddel.demo_data import DEMO_PASSWORD, MUNICIPALITIES, cpr_number, demo_fill, demo_users
from rusmiddel.groups.models import Enrolment
from rusmiddel.rules import age_on

TODAY = dt.date.today()  # the demo runs on the day it is started


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo filled once for this module, rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        result = demo_fill(today=TODAY)
        yield result
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_every_state_in_both_municipalities(demo):
    assert demo["created"] is True
    for municipality in MUNICIPALITIES:
        counts = Counter(
            Case.objects.filter(municipality__slug=municipality).values_list("status", flat=True)
        )
        assert set(counts) == set(CaseStatus.values), (municipality, counts)
        assert 25 <= sum(counts.values()) <= 45  # Helsingør: 43 with five residential waiting
    assert demo["by_status"]["gentofte"] == dict(
        Counter(Case.objects.filter(municipality__slug="gentofte").values_list("status", flat=True))
    )


@pytest.mark.django_db
def test_every_role_in_both_municipalities(demo):
    staff = set(StaffProfile.objects.values_list("municipality__slug", "role"))
    assert staff == {(m, r) for m in MUNICIPALITIES for r in Role.values}
    providers = dict(
        StaffProfile.objects.filter(role="provider_staff").values_list(
            "municipality__slug", "provider__slug"
        )
    )
    assert providers == {"gentofte": "kabs", "helsingoer": "privat_doegnbehandling"}
    user = StaffProfile.objects.get(user__username="gentofte-sagsbehandler").user
    assert user.check_password(DEMO_PASSWORD)
    assert {u.username for u in demo_users()} == set(
        StaffProfile.objects.values_list("user__username", flat=True)
    )


@pytest.mark.django_db
def test_every_case_has_its_audit_trail(demo):
    created = set(AuditEntry.objects.filter(event="case_created").values_list("case_id", flat=True))
    assert created == set(Case.objects.values_list("id", flat=True))
    # every write bumped the version: no case was written around the services
    writes = Counter(
        AuditEntry.objects.filter(write=True)
        .exclude(event__in=["case_created", "evaluation_recorded"])
        .values_list("case_id", flat=True)
    )
    for case_id, version in Case.objects.values_list("id", "version"):
        assert version - 1 <= writes[case_id], case_id


@pytest.mark.django_db
def test_anonymous_cases_hold_no_person(demo):
    anonymous = Case.objects.filter(anonymous=True)
    assert anonymous.count() == demo["anonymous"] >= 6
    assert not anonymous.filter(citizen__isnull=False).exists()
    assert all(anonymous.values_list("pseudonym", flat=True))
    assert not Deadline.objects.filter(anonymous=True, kind="treatment_guarantee").exists()
    offers = set(
        Course.objects.filter(case__anonymous=True).values_list(
            "case__municipality__slug", "offer", "provider__slug"
        )
    )
    assert offers == {
        ("gentofte", "anonym_ambulant", "kabs"),
        ("helsingoer", "anonym_gruppe", "helsingoer_rusmiddelcenter"),
    }


@pytest.mark.django_db
def test_every_cpr_number_is_valid(demo):
    citizens = list(Citizen.objects.all())
    assert len(citizens) == Case.objects.filter(anonymous=False).count()
    for citizen in citizens:
        number, born = cpr_validate(citizen.cpr)
        assert born == citizen.birth_date
        assert stdnum_cpr.checksum(number) == 0, number  # modulus 11


def test_generated_cpr_numbers_across_centuries():
    rng = random.Random(1)
    taken: set[str] = set()
    for year in (1900, 1936, 1937, 1958, 1999, 2000, 2010, TODAY.year - 1):
        born = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
        for _ in range(20):
            number, checked = cpr_validate(cpr_number(born, rng, taken))
            assert checked == born and stdnum_cpr.checksum(number) == 0
    assert len(taken) == 160


@pytest.mark.django_db
def test_the_due_list_has_something_in_every_corner(demo):
    for municipality in MUNICIPALITIES:
        guarantees = Deadline.objects.filter(
            municipality__slug=municipality, kind="treatment_guarantee", met_on__isnull=True
        )
        assert guarantees.filter(due_on__lt=TODAY).exists(), municipality  # overdue
        soon = guarantees.filter(due_on__gte=TODAY, due_on__lte=TODAY + dt.timedelta(days=3))
        assert soon.exists(), municipality
        follow_ups = Deadline.objects.filter(municipality__slug=municipality, kind="follow_up")
        assert follow_ups.filter(met_on__isnull=True).exists()
        assert follow_ups.filter(met_on__isnull=False).exists()
    assert set(Complaint.objects.values_list("status", flat=True)) >= {"received", "forwarded"}


@pytest.mark.django_db
def test_courses_groups_self_payment_youth_and_relatives(demo):
    helsingoer = Case.objects.filter(municipality__slug="helsingoer")
    assert set(
        SelfPaymentAssessment.objects.filter(course__offer="doegnbehandling").values_list(
            "keeps_rent", flat=True
        )
    ) == {True, False}
    assert set(Enrolment.objects.values_list("group__offer", flat=True)) == {
        "anonym_gruppe",
        "kokain_hashstop",
    }
    assert Course.objects.filter(previous__isnull=False).count() >= 2  # changes of offer
    ages = [age_on(c.citizen.birth_date, TODAY) for c in helsingoer.filter(anonymous=False)]
    assert any(a < 18 for a in ages) and any(18 <= a <= 24 for a in ages)
    relatives = Case.objects.filter(person_role="relative")
    assert relatives.count() == 2 and not relatives.filter(related_case__isnull=True).exists()
    in_course = Course.objects.filter(status="active", case__status="in_course")
    assert in_course.filter(plans__isnull=False, status_reports__kind="periodic").exists()
    assert in_course.filter(sessions__attendance="no_show").exists()
    assert in_course.filter(sessions__attendance="", sessions__starts_at__date__gt=TODAY).exists()


def test_outcomes_in_their_substances_categories_and_key_facts_to_measure_change(demo):
    from rusmiddel.cases.models import FollowUp
    from rusmiddel.outcomes.key_facts import FOLLOW_UP_MOMENTS
    from rusmiddel.outcomes.models import KeyFacts
    from rusmiddel.rules.end_outcomes import goal_met, outcomes_for

    facts = {(k.course_id, k.moment): k for k in KeyFacts.objects.all()}
    courses = list(Course.objects.all())
    assert {c.substance for c in courses} >= {"drugs", "alcohol"}
    ended = [c for c in courses if c.status == "ended"]
    for c in ended:
        assert c.outcome in outcomes_for(c.substance), (c.pk, c.substance, c.outcome)
        if (c.pk, "start") in facts and c.end_reason not in ("moved", "deceased", "transferred"):
            assert (c.pk, "end") in facts, c.pk
    assert {goal_met(c.substance, c.outcome) for c in ended} >= {
        "substance_free",
        "reduced",
        "referred",
    }
    # the use changed between start and end on some courses: measured, not guessed
    assert any(
        facts[(c.pk, "start")].use_frequency != facts[(c.pk, "end")].use_frequency
        for c in ended
        if (c.pk, "start") in facts and (c.pk, "end") in facts
    )
    reached = FollowUp.objects.filter(reached=True).exclude(outcome__in=["moved", "deceased"])
    assert reached.exists()
    for f in reached:
        if (f.course_id, "start") in facts:
            assert (f.course_id, FOLLOW_UP_MOMENTS[f.months]) in facts, f.pk


@pytest.mark.django_db
def test_helsingoers_residential_waitlist_shows_its_priority_groups_in_rank_order(demo):
    from django.contrib.auth import get_user_model

    from rusmiddel.capacity.selectors import waitlist_board

    head = get_user_model().objects.get(username="helsingoer-leder")
    rows = [
        r
        for r in waitlist_board(user=head, today=TODAY).rows
        if r.decision.offer == "doegnbehandling"
    ]
    # the four priority groups in the standard's rank, then the one who has waited longest
    assert [r.waiting.priorities for r in rows] == [
        ("pregnant",),
        ("small_children",),
        ("employed",),
        ("youth_final_detox",),
        (),
    ]
    assert all(r.waiting.guarantee_due is None for r in rows)  # no guarantee on residential
    waited = [r.waiting.waiting_since for r in rows]
    assert waited[-1] == min(waited)  # waited longest, yet last: no priority group


@pytest.mark.django_db
def test_running_it_again_changes_nothing(demo):
    again = demo_fill(today=TODAY)
    assert again["created"] is False
    assert {k: v for k, v in again.items() if k != "created"} == {
        k: v for k, v in demo.items() if k != "created"
    }


@pytest.mark.slow
def test_the_demo_command_runs_end_to_end(tmp_path):
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    # as a user runs it: no RUSMIDDEL_DEBUG and no key (the demo runs with DEBUG off)
    env = {k: v for k, v in env.items() if not k.startswith("RUSMIDDEL_")}
    env |= {"RUSMIDDEL_DATA_DIR": str(tmp_path)}
    command = [sys.executable, "-m", "rusmiddel.cli", "demo", "--no-server"]
    first = subprocess.run(command, env=env, capture_output=True, text=True, timeout=180)
    assert first.returncode == 0, first.stderr
    assert "Demo data created" in first.stdout
    assert "gentofte-sagsbehandler" in first.stdout and DEMO_PASSWORD in first.stdout
    assert "/api/auth/token" in first.stdout and "/api/docs" in first.stdout
    assert (tmp_path / "rusmiddel.sqlite3").exists() and (tmp_path / "demo-secret-key").exists()
    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=180)
    assert second.returncode == 0, second.stderr
    assert "nothing created" in second.stdout
