"""The group calendar in a real browser: a Helsingør therapist opens the week view and a run
of `anonym_gruppe`, records attendance with htmx; axe-core checks both pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from browser_support import axe_violations, log_in
from factories import START_KEY_FACTS, staff
from rusmiddel.accounts.models import Municipality, Provider
from rusmiddel.cases import services
from rusmiddel.cases.models import Case, Session
from rusmiddel.groups.models import Group
from support import noon

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_therapist_opens_the_week_view_and_a_run(page, live_server, tenants, time_machine):
    therapist = staff("therapist", "helsingoer")
    today = timezone.localdate()
    group = Group.objects.create(
        municipality=Municipality.objects.get(slug="helsingoer"),
        provider=Provider.objects.get(slug="helsingoer_rusmiddelcenter"),
        offer="anonym_gruppe",
        title="Anonym gruppe forår 2027",
        starts_on=dt.date(2027, 3, 15),
        seats=10,
    )
    case = services.case_create(
        actor=therapist,
        received_on=today - dt.timedelta(days=3),
        channel="walk_in",
        anonymous=True,
        pseudonym="Kim",
    )
    course = services.course_start(
        actor=therapist,
        case_id=case.pk,
        version=1,
        started_on=today,
        offer="anonym_gruppe",
        **START_KEY_FACTS,
    )
    version = Case.objects.values_list("version", flat=True).get(pk=case.pk)
    services.group_enrol(
        actor=therapist,
        course_id=course.pk,
        version=version,
        group_id=group.pk,
        enrolled_on=dt.date(2027, 3, 15),
    )

    # the week after the run's first meeting: attendance waits for a meeting to begin
    time_machine.move_to(noon(dt.date(2027, 3, 20)))
    log_in(page, live_server, therapist.username)
    page.goto(f"{live_server.url}/grupper/?uge=2027-W13")
    assert "Anden påskedag" in page.locator("main").inner_text()
    assert axe_violations(page) == []

    page.get_by_role("link", name="Forrige uge").click()
    page.wait_for_load_state()
    page.get_by_role("link", name=group.title).first.click()
    page.wait_for_load_state()
    assert "Kim (anonym)" in page.locator("main").inner_text()
    assert axe_violations(page) == []

    page.get_by_role("button", name="Mødt").first.click()
    page.get_by_text("Fremmøde registreret 15.03.2027").wait_for()
    first = Session.objects.filter(group=group).order_by("starts_at").first()
    assert first.attendance == "attended"
    assert axe_violations(page) == []
