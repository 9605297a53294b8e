"""Statistik and Venteliste count the treatment guarantee one way (rules/guarantee.py): on
the same data both pages give the same figure, a request 46 days past its guarantee date
without a start counts as not kept on both, and both state the same definition."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from factories import staff
from rusmiddel.cases.models import Contact, Deadline
from rusmiddel.reporting.statistics import Filters, default_period, guarantee_statistics
from rusmiddel.rules.guarantee import Request, Tally, guarantee_tally
from statistics_world import Fixture

IS = "individuelle_samtaler"


def text(response) -> str:
    body = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", htmllib.unescape(body))


@pytest.fixture
def requests(tenants):
    """Requests around today (T), in Helsingør:
    A  T-60 → due T-46, never started: 46 days overdue, not kept
    B  T-40 → due T-26, started T-30: kept
    C  T-35 → due T-21, started T-18: started late
    D  T-5  → due T+9, not started: the date has not passed, not counted
    E  T-50 → due T-36 and again T-44 → due T-30, started T-33: one request (six days
       apart), the first date counts: started late (the second date alone would be kept)
    F  T-100 → due T-86, started T-90: kept
    G  T-80 → due T-66, started T-75: kept; a new wish T-72 → due T-58 after the start is a
       request of its own, never started: not kept
    """
    today = timezone.localdate()

    def day(n: int) -> dt.date:
        return today + dt.timedelta(days=n)

    f = Fixture()

    def one(received: int, started: int | None, case=None):
        case = case or f.case()
        met = day(started) if started is not None else None
        f.contact(case, day(received), day(received + 14), met=met)
        if met is not None and not case.courses.filter(started_on=met).exists():
            f.course(case, IS, f.centre, met)
        return case

    one(-60, None)  # A
    one(-40, -30)  # B
    one(-35, -18)  # C
    one(-5, None)  # D
    e = one(-50, -33)  # E
    one(-44, -33, case=e)
    g = one(-80, -75)  # G
    one(-72, None, case=g)
    one(-100, -90)  # F
    return today


EXPECTED = Tally(met=3, missed=2, pending_overdue=2, pending=1)


def _statistics_total(client) -> list[str]:
    page = client.get("/statistik/").content.decode()  # the default period
    table = re.search(r'id="tabel-garanti".*?</table>', page, re.S).group(0)
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    return re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", rows[-1])


def test_both_pages_give_the_same_figure(client, requests):
    client.force_login(staff("head_of_unit", "helsingoer"))
    # given the requests above, when the head of unit opens Statistik (the last twelve
    # months) and Venteliste
    total = _statistics_total(client)
    waitlist = text(client.get("/venteliste/"))
    # then Statistik: 3 kept, 2 started late, 2 not started (A, 46 days overdue, and G's
    # second wish), 7 decided, 42.9 %; D's date lies after the period (it ends today)
    assert total == ["I alt", "3", "2", "2", "7", "42,9", "0"]
    # and Venteliste says the same over the same period
    start, end = default_period(requests)
    assert (
        f"Behandlingsgarantien de seneste 12 måneder (garantidato {start:%d.%m.%Y}–"
        f"{end:%d.%m.%Y}): holdt for 3 af 7 (42,9 %); ikke holdt: 2 startet for sent, "
        "2 ikke startet." in waitlist
    )


def test_both_pages_state_the_one_definition(client, requests):
    client.force_login(staff("head_of_unit", "helsingoer"))
    definition = " ".join(render_to_string("web/_guarantee_definition.html").split())
    assert "garantidatoen passeret uden start, er den ikke holdt" in definition
    assert definition in text(client.get("/statistik/"))
    assert definition in text(client.get("/venteliste/"))


def test_a_caseworker_sees_the_figure_without_the_statistics_link(client, requests):
    client.force_login(staff("caseworker", "helsingoer"))
    page = client.get("/venteliste/").content.decode()
    assert "holdt for 3 af 7" in text(client.get("/venteliste/"))
    assert "/statistik/" not in page


@pytest.mark.parametrize("days_back", [0, 20, 31, 45, 47, 60, 88])
def test_the_query_counts_as_the_pure_definition(requests, days_back):
    # given the rows as they are stored, read into the pure rules' requests
    today = requests - dt.timedelta(days=days_back)
    received = dict(Contact.objects.values_list("pk", "received_on"))
    rows = [
        Request(d.source_id, d.case_id, received[d.source_id], d.due_on, d.met_on)
        for d in Deadline.objects.filter(kind="treatment_guarantee")
    ]
    # when the statistics count them in SQL on the same day, over a period holding them all
    municipality = rows and Deadline.objects.first().municipality_id
    period = Filters(start=requests - dt.timedelta(days=400), end=requests + dt.timedelta(days=30))
    got = guarantee_statistics(municipality_id=municipality, filters=period, today=today).tally
    # then they agree with the pure definition, whatever the day
    assert got == guarantee_tally(rows, today=today)
    if days_back == 0:
        assert got == EXPECTED
