"""A therapist's path in a real browser: open the course from the case page, agree the plan,
book sessions, record attendance (three no-shows raise the warning), end the course with its
follow-ups and the key facts at the end, which then stand beside those at the start. axe-core
checks the course page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from browser_support import axe_violations, log_in
from factories import granted_course, staff
from rusmiddel.cases.models import Course, FollowUp

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_therapist_runs_a_course_from_plan_to_ending(page, live_server, tenants):
    therapist = staff("therapist", "helsingoer")
    today = timezone.localdate()
    # started yesterday: its sessions then have begun whatever the time of day (attendance
    # waits for a session to begin)
    yesterday = today - dt.timedelta(days=1)
    case, course = granted_course(
        therapist,
        on=yesterday,
        offer="individuelle_samtaler",
        received_on=today - dt.timedelta(days=3),
    )

    log_in(page, live_server, therapist.username)
    page.goto(f"{live_server.url}/forloeb/{course.pk}/")
    assert axe_violations(page) == []

    page.get_by_label("Ophør (stof-/alkoholfrihed)").check()
    page.get_by_label("Borgerens mål med egne ord").fill("Stoppe med kokain og beholde jobbet")
    with page.expect_navigation():
        page.get_by_role("button", name="Gem planen").click()
    assert "Stoppe med kokain" in page.locator("main").inner_text()

    for n in range(3):
        page.locator("summary", has_text="Book en samtale").click()
        page.get_by_label("Dato", exact=True).first.fill(yesterday.isoformat())
        page.get_by_label("Fra kl.").fill(f"{9 + n:02d}:00")
        page.get_by_label("Til kl.").fill(f"{9 + n:02d}:45")
        with page.expect_navigation():
            page.get_by_role("button", name="Book samtalen").click()
    for n in range(3):
        page.get_by_role("button", name="Udeblevet").nth(n).click()
        # each answer swaps the list in: wait for it before the next click (networkidle can
        # come before htmx has swapped, and a click on the old list is lost)
        expect(page.locator("#sessions .badge-error")).to_have_count(n + 1)
    page.get_by_text("Udeblevet 3 gange i træk", exact=True).wait_for()
    assert axe_violations(page) == []

    page.locator("summary", has_text="Afslut forløbet").click()
    page.get_by_label("Slutdato").fill(today.isoformat())
    page.get_by_label("Årsag").select_option("dropped_out")
    page.get_by_label("Resultat").select_option("dropped_out")
    # housing and occupation come filled in as at the start; the use is asked anew
    assert page.get_by_label("Boligsituation").input_value() == "rented"
    page.get_by_label("Brug af rusmidler de seneste 30 dage").select_option("days_2_3")
    page.get_by_label("Afsluttende status").fill("Borgeren er udeblevet; forløbet afsluttes.")
    with page.expect_navigation():
        page.get_by_role("button", name="Afslut forløbet").click()
    assert Course.objects.get(pk=course.pk).status == "ended"
    assert FollowUp.objects.filter(course=course).count() == 2
    table = page.locator("#key-facts")
    assert table.locator("thead th").all_inner_texts() == ["Ved start", "Ved afslutning"]
    assert "Dagligt\t2–3 dage om ugen" in table.inner_text()
    assert axe_violations(page) == []
