"""`rusmiddel synth` at demo scale: consistent rows, realistic proportions, the same rows for
the same seed, the real pages on synthetic data, and a clear error for a filled database."""

from __future__ import annotations

import datetime as dt
import io
import os
from collections import Counter

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count, Q
from django.test import Client
from django.utils import timezone
from stdnum.dk import cpr as cpr_number

from rusmiddel.accounts.models import Municipality
from rusmiddel.cases.models import (
    Case,
    Contact,
    Course,
    Deadline,
    FollowUp,
    Session,
)
from rusmiddel.rules import add_months
from rusmiddel.standards import registry
from rusmiddel.synth.generate import TABLES

FIXED_DAY = dt.date(2026, 11, 24)


@pytest.fixture(scope="module")
def synth_env(tmp_path_factory):
    """The synthetic standards in one folder for the whole session (written once)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RUSMIDDEL_DATA_DIR", str(tmp_path_factory.getbasetemp() / "synth-data"))
        mp.setenv("RUSMIDDEL_STANDARDS_PATH", os.environ.get("RUSMIDDEL_STANDARDS_PATH", ""))
        yield


@pytest.fixture(scope="module")
def synth_loaded(synth_env, django_db_setup, django_db_blocker):
    """One demo dataset for the module's tests (committed, flushed afterwards)."""
    from rusmiddel.synth.command import synth

    with django_db_blocker.unblock():
        rows = synth(scale="demo", seed=1, today=timezone.localdate(), out=io.StringIO())
    yield rows
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def synth_demo(synth_loaded, db):
    return synth_loaded


def _model(key: str):
    return apps.get_model(*key.split("."))


def test_every_reference_points_at_a_row(synth_demo):
    for key in TABLES:
        model = _model(key)
        for field in model._meta.concrete_fields:
            if not field.is_relation:
                continue
            target = field.related_model._default_manager.values("pk")
            dangling = (
                model._default_manager.exclude(**{f"{field.attname}__isnull": True})
                .exclude(**{f"{field.attname}__in": target})
                .count()
            )
            assert dangling == 0, (key, field.name)
    assert synth_demo["cases.Course"] > 300


def test_cases_courses_and_deadlines_are_consistent(synth_demo):
    today = timezone.localdate()
    courses = Course.objects.select_related("case__municipality", "provider", "decision")
    for course in courses:
        case = course.case
        assert course.provider.municipalities.filter(pk=case.municipality_id).exists()
        if course.decision_id:
            assert course.decision.case_id == case.pk and course.decision.outcome == "granted"
            # the treatment guarantee was met: started within 14 days of a contact
            assert Contact.objects.filter(
                case=case, received_on__lte=course.started_on, guarantee_due__gte=course.started_on
            ).exists(), course.pk
        first_day = registry.versions(case.municipality.slug)[0]
        assert course.started_on >= first_day  # a standard in force at the start
        assert (course.status == "ended") == (course.ended_on is not None)
        if course.ended_on:
            assert course.ended_on <= today and course.end_reason and course.outcome
    for session in Session.objects.select_related("course"):
        day = timezone.localtime(session.starts_at).date()
        course = session.course
        assert course.started_on <= day
        assert course.ended_on is None or day <= course.ended_on
        assert session.ends_at > session.starts_at
        assert 7 <= timezone.localtime(session.starts_at).hour <= 17
        assert (session.attendance == "") == (day >= today)
    for follow_up in FollowUp.objects.select_related("course"):
        assert follow_up.months in (1, 6)
        assert follow_up.due_on == add_months(follow_up.course.ended_on, follow_up.months)
        assert (follow_up.done_on is None) == (follow_up.reached is None)
    # case status follows its courses; anonymous cases name nobody
    for case in Case.objects.annotate(active=Count("courses", filter=Q(courses__status="active"))):
        assert (case.status == "in_course") == (case.active > 0), case.number
        assert not case.anonymous or case.citizen_id is None
    for municipality in Municipality.objects.all():
        named = Case.objects.filter(municipality=municipality, anonymous=False).count()
        assert municipality.case_sequence == named
    for cpr in Case.objects.filter(citizen__isnull=False).values_list("citizen__cpr", flat=True):
        assert cpr_number.is_valid(cpr)


def test_deadlines_are_met_except_recent_ones(synth_demo):
    today = timezone.localdate()
    open_ = Deadline.objects.filter(met_on__isnull=True)
    for d in open_.exclude(kind="status_report"):
        assert d.due_on >= today - dt.timedelta(days=31), (d.kind, d.due_on)
    for d in open_.filter(kind="status_report"):
        assert Course.objects.get(pk=d.source_id).status == "active"
    for d in Deadline.objects.filter(kind="treatment_guarantee", met_on__isnull=False):
        assert d.met_on <= d.due_on
    per_caseworker = Counter(open_.values_list("caseworker_id", flat=True))
    assert per_caseworker and max(per_caseworker.values()) < 200
    # the deadlines carry the case's own caseworker and provider (the due list reads them)
    for d in Deadline.objects.select_related("case"):
        assert (d.caseworker_id, d.provider_id) == (d.case.caseworker_id, d.case.provider_id)


def test_proportions(synth_demo):
    courses = list(Course.objects.select_related("case__municipality"))
    substances = Counter(c.substance for c in courses if c.substance)
    alcohol = substances["alcohol"] / sum(substances.values())
    assert 0.35 < alcohol < 0.65, substances
    settings = Counter(
        registry.load(c.case.municipality.slug, c.started_on).standard.offer(c.offer).setting
        for c in courses
    )
    total = sum(settings.values())
    assert settings["outpatient"] / total > 0.8, settings
    assert 0.005 < settings["residential"] / total < 0.08, settings
    active = sum(c.status == "active" for c in courses)
    assert 0.02 < active / len(courses) < 0.25
    per_course = Session.objects.count() / len(courses)
    assert 10 < per_course < 25


def test_same_seed_same_rows(synth_env):
    from rusmiddel.synth.generate import Generator, selected
    from rusmiddel.synth.standards import write_standards

    standards = write_standards(selected("demo"))

    def rows(seed: int) -> list:
        g = Generator(scale="demo", seed=seed, today=FIXED_DAY, standards=standards)
        return [(slug, sorted(batch.items())) for slug, batch in g.batches()]

    first = rows(1)
    assert first == rows(1)
    assert first != rows(2)


def test_pages_render_on_synthetic_data(synth_demo):
    User = get_user_model()
    busiest = (
        Case.objects.filter(municipality__slug="koebenhavn")
        .exclude(status="ended")
        .values("caseworker")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    user = User.objects.get(pk=busiest["caseworker"])
    assert user.username.startswith("koebenhavn-sagsbehandler-")
    assert not user.has_usable_password()
    client = Client()
    client.force_login(user)
    case = Case.objects.filter(caseworker=user, status="in_course").first()
    ended = Case.objects.filter(caseworker=user, status="ended").first()
    for path in ("/sager/", f"/sager/{case.pk}/", f"/sager/{ended.pk}/", "/frister/"):
        assert client.get(path).status_code == 200, path
    head = User.objects.get(username="helsingoer-leder-1")
    client.force_login(head)
    assert client.get("/sager/").status_code == 200


def test_a_filled_database_needs_reset(synth_demo, monkeypatch, capsys):
    from rusmiddel import cli
    from rusmiddel.synth import target

    monkeypatch.setenv("DATABASE_URL", os.environ.get("DATABASE_URL", ""))
    monkeypatch.setattr(target, "database_create", lambda url: False)  # the test database
    assert cli.main(["synth", "--scale", "demo"]) == 2
    message = capsys.readouterr().err.strip()
    assert "--reset" in message and "\n" not in message
