"""The lists on a phone (375 × 800): *Mine sager*, *Frister*, *Venteliste* and the capacity
each show a row as a card with its deadline first, within the screen, and the course page
keeps to the screen's width (its key facts stack). Nothing scrolls sideways."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from browser_support import axe_violations, log_in
from factories import END_KEY_FACTS, granted_waiting, staff, treated_course
from rusmiddel.accounts.models import Municipality, Provider
from rusmiddel.capacity.models import Capacity
from rusmiddel.cases import services
from rusmiddel.cases.models import Case

pytestmark = pytest.mark.django_db(transaction=True)

WIDTH = 375
OFFER = "individuelle_samtaler"


@pytest.fixture
def world(tenants):
    today = timezone.localdate()
    therapist = staff("therapist", "helsingoer")
    head = staff("head_of_unit", "helsingoer")
    for n in range(3):  # waiting, with their guarantee deadlines open
        granted_waiting(
            therapist,
            cpr=f"0{n + 1}0185{n}234",
            offer=OFFER,
            contact_on=today - dt.timedelta(days=3 + n),
        )
    Capacity.objects.create(
        municipality=Municipality.objects.get(slug="helsingoer"),
        provider=Provider.objects.get(slug="helsingoer_rusmiddelcenter"),
        offer=OFFER,
        kind="weekly_slots",
        amount=2,
        valid_from=today - dt.timedelta(days=30),
    )
    facts = {"social": {"housing": "rented", "occupation": "employed"}}
    start = today - dt.timedelta(days=60)
    case, course = treated_course(
        therapist, cpr="0512804321", offer=OFFER, facts=facts, contact_on=start, start_on=start
    )
    services.course_end(
        actor=therapist,
        course_id=course.pk,
        version=Case.objects.get(pk=case.pk).version,
        ended_on=today - dt.timedelta(days=1),
        reason="completed",
        outcome="reduced",
        final_report="Gennemført.",
        **END_KEY_FACTS,
    )
    return {"therapist": therapist, "head": head, "course": course}


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{page.url}: {width} px wide"


def _within(page, selector: str) -> None:
    """The first `selector` is shown, and lies within the screen's width."""
    cell = page.locator(selector).first
    assert cell.is_visible(), selector
    box = cell.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, (page.url, selector, box)


def _first_in_its_card(page, selector: str) -> None:
    """On the phone the deadline is the first thing in its row's card."""
    tops = page.locator(selector).first.evaluate(
        """cell => [...cell.parentElement.children]
            .filter(c => c.offsetParent !== null)
            .map(c => [c === cell, c.getBoundingClientRect().top])"""
    )
    mine = next(top for is_cell, top in tops if is_cell)
    assert mine == min(top for _, top in tops), tops


@pytest.mark.parametrize(
    ("who", "url", "deadline"),
    [
        ("therapist", "/sager/", "main table td.rm-first"),
        ("therapist", "/frister/", "main table td.rm-first"),
        ("head", "/venteliste/", "#venteliste td.rm-first"),
        ("head", "/administration/kapacitet/", "main table td[data-title='Gælder']"),
    ],
)
def test_a_list_is_a_card_per_row_with_the_deadline_on_screen(
    page, live_server, world, who, url, deadline
):
    page.set_viewport_size({"width": WIDTH, "height": 800})
    log_in(page, live_server, world[who].username)
    page.goto(f"{live_server.url}{url}")
    _fits(page)
    _within(page, deadline)
    if "rm-first" in deadline:
        _first_in_its_card(page, deadline)
    assert axe_violations(page) == []  # the cards read as well as the table


def test_the_course_page_keeps_to_the_phones_width(page, live_server, world):
    page.set_viewport_size({"width": WIDTH, "height": 800})
    log_in(page, live_server, world["therapist"].username)
    page.goto(f"{live_server.url}/forloeb/{world['course'].pk}/")
    _fits(page)
    _within(page, "#key-facts tbody td")
    # the key facts at the end are on screen too, not in a column off to the side
    _within(page, "#key-facts td[data-title='Ved afslutning']")
    assert axe_violations(page) == []


def test_on_a_desktop_the_lists_stay_tables(page, live_server, world):
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server, world["therapist"].username)
    page.goto(f"{live_server.url}/sager/")
    assert page.locator("main table thead").first.is_visible()
    assert page.locator("main table tr").nth(1).evaluate("r => getComputedStyle(r).display") == (
        "table-row"
    )
