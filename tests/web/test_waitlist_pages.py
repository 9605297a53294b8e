"""The waitlist page (/venteliste/): a head of unit sees the waitlist in the standard's
order with proposals, warnings and the forecast, books a proposal with one click, and the
page's queries do not grow with the data."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from factories import granted_waiting, staff
from rusmiddel.accounts.models import Municipality, Provider
from rusmiddel.audit.models import AuditEntry, Event
from rusmiddel.capacity.models import Capacity
from rusmiddel.cases.models import Course
from rusmiddel.groups.models import Group
from rusmiddel.rules.calendar import next_working_day
from rusmiddel.web import waitlist_pages

OFFER = "individuelle_samtaler"
CENTER = "helsingoer_rusmiddelcenter"


def html(response) -> str:
    return response.content.decode()


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html(response)))


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def therapist(tenants):
    return staff("therapist", "helsingoer")


@pytest.fixture
def head(client, tenants):
    client.force_login(staff("head_of_unit", "helsingoer"))
    return client


def capacity(amount: int, kind: str = "weekly_slots") -> Capacity:
    return Capacity.objects.create(
        municipality=Municipality.objects.get(slug="helsingoer"),
        provider=Provider.objects.get(slug=CENTER),
        offer=OFFER,
        kind=kind,
        amount=amount,
        valid_from=timezone.localdate() - dt.timedelta(days=30),
    )


def waiting(therapist, n: int, days_ago: int):
    return granted_waiting(
        therapist,
        cpr=f"{n + 1:02d}0180{n % 10}234",
        offer=OFFER,
        contact_on=timezone.localdate() - dt.timedelta(days=days_ago),
    )


def test_a_head_of_unit_sees_the_order_books_a_proposal_and_sees_the_forecast(
    head, therapist, today
):
    # given two waiting, the one contacted 9 days ago with fewer days left, and one slot a week
    fresh, _ = waiting(therapist, 1, 1)
    urgent, decision = waiting(therapist, 2, 9)
    capacity(1)
    # when the head of unit opens the waitlist
    page = head.get("/venteliste/")
    # then the urgent one is first, a proposal each, and the forecast with its what-if
    assert page.status_code == 200
    body = html(page)
    assert body.index(urgent.number) < body.index(fresh.number)
    assert "Prognose for de næste 8 uger" in body
    assert "Venteliste, hvis +20 % og én gruppe færre" in body
    assert 'href="/venteliste/"' in body  # the menu entry
    # when they book the first proposal with its one button
    form = re.search(
        r'<form method="post" action="/venteliste/book/".*?</form>', body, flags=re.S
    ).group(0)
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))
    assert fields["case"] == str(urgent.pk) and fields["decision"] == str(decision.pk)
    booked = head.post("/venteliste/book/", {**fields, "use_frequency": "daily"})
    # then the course starts on the proposed day and the page says so
    assert booked.status_code == 302 and booked["Location"].endswith(f"?booket={urgent.number}")
    course = Course.objects.get(case=urgent)
    assert course.started_on.isoformat() == fields["starts_on"]
    after = head.get(booked["Location"])
    assert f"Start booket på sag {urgent.number}" in text(after)
    assert urgent.number not in html(after).split('id="venteliste"')[1]
    # and booking the same proposal again is told, not written twice
    again = head.post("/venteliste/book/", {**fields, "use_frequency": "daily"})
    assert again.status_code == 409
    assert "Forslaget blev ikke booket" in text(again)
    assert Course.objects.filter(case=urgent).count() == 1


def test_a_late_citizen_gets_a_warning_with_days_left_and_what_would_place_them(
    head, therapist, today
):
    capacity(1, kind="places")
    for n, days_ago in enumerate((10, 8)):
        waiting(therapist, n, days_ago)
    page = text(head.get("/venteliste/"))
    warning = page.split("Garantibrud på vej")[1].split("Prognose")[0]
    assert "6 dage tilbage af garantien" in warning
    assert "Én plads mere hos Helsingør Rusmiddelcenter giver start" in warning


def test_who_may_see_and_book(client, tenants):
    for role, status in [
        ("substance_consultant", 403),
        ("administrator", 403),
        ("provider_staff", 200),
        ("caseworker", 200),
    ]:
        provider = CENTER if role == "provider_staff" else None
        client.force_login(staff(role, "helsingoer", provider))
        assert client.get("/venteliste/").status_code == status, role
    client.force_login(staff("provider_staff", "helsingoer", CENTER))
    assert client.post("/venteliste/book/", {}).status_code == 403
    assert "/venteliste/book/" not in html(client.get("/venteliste/"))


def test_the_page_queries_do_not_grow_with_the_waitlist(head, therapist, today):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert head.get("/venteliste/").status_code == 200
        return len(ctx.captured_queries)

    capacity(2)
    Group.objects.create(
        municipality=Municipality.objects.get(slug="helsingoer"),
        provider=Provider.objects.get(slug=CENTER),
        offer="kokain_hashstop",
        title="Kokain- og hashstop",
        starts_on=next_working_day(today + dt.timedelta(days=7)),
        stop_day=next_working_day(today + dt.timedelta(days=14)),
        seats=8,
    )
    waiting(therapist, 0, 3)
    few = queries()
    for n in range(1, 9):
        waiting(therapist, n, n)
    assert queries() == few


def test_the_due_list_fetches_the_breaches_coming(head, therapist, today):
    # given one citizen who cannot be placed (no capacity at all) and a due list
    late, _ = waiting(therapist, 0, 5)
    due = html(head.get("/frister/"))
    assert 'hx-get="/venteliste/garantibrud/" hx-trigger="load"' in due
    # when the due list fetches its fragment
    fragment = head.get("/venteliste/garantibrud/")
    # then the breach is there with its days left, and only its read is logged
    assert fragment.status_code == 200
    assert late.number in html(fragment)
    assert "9 dage tilbage af garantien" in text(fragment)
    assert "ingen ledig kapacitet" in text(fragment)


def _table(body: str) -> str:
    return body.split('id="venteliste"')[1].split("</table>")[0]


def _logged() -> list[int]:
    return list(
        AuditEntry.objects.filter(event=Event.CASE_LIST, write=False, why="venteliste")
        .order_by("seq")
        .values_list("case_id", flat=True)
    )


def test_a_long_waitlist_is_shown_a_page_at_a_time_and_only_the_page_is_read(
    head, therapist, monkeypatch
):
    # given five waiting, the longest waiting first in the order, room for all of them
    monkeypatch.setattr(waitlist_pages, "PAGE_ROWS", 2)
    cases = [waiting(therapist, n, 5 - n)[0] for n in range(5)]
    capacity(10)
    # when the head of unit opens the waitlist
    first = head.get("/venteliste/")
    body = html(first)
    # then the first two are shown, the heading counts all five, and only the two are logged
    assert "5 venter" in text(first)
    assert [c.number in _table(body) for c in cases] == [True, True, False, False, False]
    assert _logged() == [cases[0].pk, cases[1].pk]
    assert "Første side" not in body
    # when they follow "Næste side", twice
    seen, numbers = [], []
    url = re.search(r'<a href="([^"]+)">Næste side', body).group(1)
    while url:
        page = html(head.get(url))
        seen.append([c.number for c in cases if c.number in _table(page)])
        numbers += re.findall(r"<tr>\s*<td[^>]*>(\d+)</td>", _table(page))
        assert "Første side" in page
        found = re.search(r'<a href="([^"]+)">Næste side', page)
        url = found.group(1) if found else None
    # then the rest follow in the order, numbered on from the first page, and each is logged
    assert seen == [[cases[2].number, cases[3].number], [cases[4].number]]
    assert numbers == ["3", "4", "5"]
    assert sorted(_logged()) == sorted(c.pk for c in cases)
    # and a cursor that is no cursor shows the first page
    assert cases[0].number in _table(html(head.get("/venteliste/?efter=x.1")))


def test_the_queries_do_not_grow_with_a_waitlist_longer_than_a_page(head, therapist, monkeypatch):
    monkeypatch.setattr(waitlist_pages, "PAGE_ROWS", 5)
    capacity(1, kind="places")  # most cannot start in time: the breaches are listed too

    def queries(url: str = "/venteliste/") -> int:
        head.get(url)  # the counts kept in the cache are read after each write: once here
        with CaptureQueriesContext(connection) as ctx:
            assert head.get(url).status_code == 200
        return len(ctx.captured_queries)

    for n in range(2):
        waiting(therapist, n, 1 + n % 9)
    few = queries()
    for n in range(2, 20):
        waiting(therapist, n, 1 + n % 9)
    many = queries()
    body = html(head.get("/venteliste/"))
    assert "20 venter" in text(head.get("/venteliste/"))
    assert _table(body).count('<th scope="row">') == 5  # one page of rows
    url = re.search(r'<a href="([^"]+)">Næste side', body).group(1)
    assert few == many == queries(url)


def test_the_counts_kept_in_the_cache_follow_each_write_but_not_the_reads(head, therapist):
    # given one waiting 20 days after asking (the guarantee date passed without a start),
    # and the page seen once
    capacity(1)
    waiting(therapist, 0, 20)
    kept = "holdt for 0 af 1 (0,0 %); ikke holdt: 0 startet for sent, 1 ikke startet."
    assert kept in text(head.get("/venteliste/"))

    # when it is seen again, nothing was written: the ten years' count is not read again
    def counted() -> tuple[object, bool]:
        with CaptureQueriesContext(connection) as ctx:
            page = head.get("/venteliste/")
        return page, any('COUNT("cases_deadline"' in q["sql"] for q in ctx.captured_queries)

    page, again = counted()
    assert kept in text(page) and not again
    # when another citizen is granted, the page counts anew: the write is in the figures
    waiting(therapist, 1, 16)
    page, again = counted()
    assert again
    assert "holdt for 0 af 2 (0,0 %)" in text(page)
