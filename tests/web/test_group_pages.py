"""The group calendar: Helsingør's runs of `anonym_gruppe` (14 Mondays 16–18), the week and
month views from the standard's calendar (Easter Monday 2027 skipped), one run's page with
enrolment and attendance, scoping, and constant query counts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from factories import START_KEY_FACTS, staff
from rusmiddel.accounts.models import Municipality, Provider
from rusmiddel.audit.models import AuditEntry
from rusmiddel.cases import services
from rusmiddel.cases.models import Case, Course, Session
from rusmiddel.groups.models import Enrolment, Group
from rusmiddel.web.group_pages import RECENT_RUN_DAYS
from support import noon

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
START = dt.date(2027, 3, 15)  # a Monday two weeks before Easter Monday (29 March 2027)
EASTER_MONDAY = dt.date(2027, 3, 29)
#: The most queries the pages may make, whatever the number of enrolments and sessions.
MAX_GROUP_PAGE_QUERIES = 11  # measured: 11 (the sessions per date, then the window's)
MAX_CALENDAR_QUERIES = 7  # measured: 6


def version(case_id: int) -> int:
    return Case.objects.values_list("version", flat=True).get(pk=case_id)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def a_group(*, seats: int = 10, title: str = "Anonym gruppe forår 2027") -> Group:
    return Group.objects.create(
        municipality=Municipality.objects.get(slug="helsingoer"),
        provider=Provider.objects.get(slug="helsingoer_rusmiddelcenter"),
        offer="anonym_gruppe",
        title=title,
        starts_on=START,
        seats=seats,
    )


def a_course(actor, n: int = 0, *, anonymous: bool = False) -> Course:
    today = timezone.localdate()
    who = (
        {"anonymous": True, "pseudonym": f"Kim{n}"}
        if anonymous
        else {"citizen_cpr": f"07029{n:02d}234"[:10], "citizen_name": f"Borger Nummer{n}"}
    )
    case = services.case_create(
        actor=actor, received_on=today - dt.timedelta(days=3), channel="walk_in", **who
    )
    return services.course_start(
        actor=actor,
        case_id=case.pk,
        version=version(case.pk),
        started_on=today,
        offer="anonym_gruppe",
        **START_KEY_FACTS,
    )


def enrol_data(course: Course, on: dt.date = START) -> dict:
    return {
        "enrol-course": f"{course.pk}-{version(course.case_id)}",
        "enrol-enrolled_on": on.isoformat(),
    }


def no_inline_style_or_script(body: str) -> None:
    assert not re.search(r"<style[\s>]", body, re.I)
    for attributes, content in re.findall(r"<script([^>]*)>(.*?)</script>", body, re.I | re.S):
        assert "src=" in attributes and not content.strip(), "inline <script> block"
    assert not re.search(r"\sstyle\s*=", body, re.I), "inline style attribute"
    assert not re.search(r"\son[a-z]+\s*=", body, re.I), "inline event handler"


def labels_tied_to_inputs(body: str) -> None:
    for target in re.findall(r'<label[^>]*\sfor="([^"]+)"', body):
        assert f'id="{target}"' in body, target


def test_the_week_view_shows_the_calendar_of_an_empty_run(tenants):
    therapist = staff("therapist", "helsingoer")
    group = a_group()
    client = client_for(therapist)
    body = client.get("/grupper/?uge=2027-W11").content.decode()
    assert "Anonymt gruppebehandlingstilbud" in body  # the offer's title from the standard
    assert "Helsingør" in body or "rusmiddelcenter" in body.lower()
    assert "0 optaget, 10 ledige af 10" in body
    assert 'id="dag-2027-03-15"' in body
    day = re.search(r'id="dag-2027-03-15".*?</tr>', body, re.S)[0]
    assert "16:00–18:00" in day and group.title in day and "0 tilmeldte" in day
    assert "?uge=2027-W10" in body and "?uge=2027-W12" in body  # previous and next week
    no_inline_style_or_script(body)
    # the page has the menu item
    assert ">Grupper</span>" in body


def test_runs_older_than_a_year_are_a_link_away(tenants):
    therapist = staff("therapist", "helsingoer")
    today = timezone.localdate()
    recent = a_group(title="Hold fra i år")
    old = a_group(title="Hold fra for længe siden")
    Group.objects.filter(pk=old.pk).update(starts_on=today - dt.timedelta(days=366))
    Group.objects.filter(pk=recent.pk).update(starts_on=today - dt.timedelta(days=365))
    client = client_for(therapist)
    body = client.get("/grupper/").content.decode()
    assert f'id="hold-{recent.pk}"' in body and f'id="hold-{old.pk}"' not in body
    link = re.search(r'<a href="(\?[^"]*afsluttede=1[^"]*)">Vis også 1 ældre hold</a>', body)
    assert link is not None
    every = client.get("/grupper/" + link[1].replace("&amp;", "&")).content.decode()
    assert f'id="hold-{recent.pk}"' in every and f'id="hold-{old.pk}"' in every
    assert "Vis også" not in every


def test_a_run_long_over_is_counted_listed_on_request_and_in_its_own_month(tenants):
    """Grupper works out no calendar for a run over before the last year (rules.longest_run):
    the page says the same as if it did."""
    therapist = staff("therapist", "helsingoer")
    today = timezone.localdate()
    back = today - dt.timedelta(days=RECENT_RUN_DAYS + 300)
    monday = back - dt.timedelta(days=back.weekday())  # anonym_gruppe meets on Mondays
    old = a_group(title="Hold for længe siden")
    Group.objects.filter(pk=old.pk).update(starts_on=monday)
    client = client_for(therapist)
    body = client.get("/grupper/").content.decode()
    assert f'id="hold-{old.pk}"' not in body and "Vis også 1 ældre hold" in body
    every = client.get("/grupper/?afsluttede=1").content.decode()
    row = re.search(rf'id="hold-{old.pk}".*?</tr>', every, re.S)[0]
    assert f"{monday:%d.%m.%Y}" in row  # its first day, worked out when asked for
    last = re.search(r'data-title="Sidste gang">(\d\d\.\d\d\.\d{4})<', row)
    assert last is not None  # and its last
    month = client.get(f"/grupper/?maaned={monday:%Y-%m}").content.decode()
    day = re.search(rf'id="dag-{monday.isoformat()}".*?</tr>', month, re.S)[0]
    assert old.title in day and "16:00–18:00" in day


def test_the_holiday_is_shown_as_skipped(tenants):
    therapist = staff("therapist", "helsingoer")
    a_group()
    client = client_for(therapist)
    body = client.get("/grupper/?uge=2027-W13").content.decode()
    day = re.search(r'id="dag-2027-03-29".*?</tr>', body, re.S)[0]
    assert "Anden påskedag" in day and "springes over" in day
    assert "16:00" not in day
    month = client.get("/grupper/?maaned=2027-03").content.decode()
    assert "Marts 2027" in month
    for monday in (15, 22):
        assert f'id="dag-2027-03-{monday}"' in month
    assert "Anden påskedag" in month
    assert "?maaned=2027-02" in month and "?maaned=2027-04" in month
    # 14 sessions: the last two weeks later because of Easter Monday and Whit Monday
    june = client.get("/grupper/?maaned=2027-06").content.decode()
    assert 'id="dag-2027-06-28"' in june and "Pinse" not in june
    july = client.get("/grupper/?maaned=2027-07").content.decode()
    assert 'id="dag-2027-07-05"' not in july and "Ingen gruppemøder" in july
    may = client.get("/grupper/?maaned=2027-05").content.decode()
    assert "Anden pinsedag" in may


def test_a_bad_week_is_told_in_danish(tenants):
    therapist = staff("therapist", "helsingoer")
    response = client_for(therapist).get("/grupper/?uge=2027-W99")
    assert response.status_code == 200
    assert "er ikke gyldig" in response.content.decode()


def test_enrolling_through_the_page_books_the_remaining_sessions(tenants):
    therapist = staff("therapist", "helsingoer")
    group = a_group()
    course = a_course(therapist, 1)
    anonymous = a_course(therapist, 2, anonymous=True)
    client = client_for(therapist)
    page = client.get(f"/grupper/{group.pk}/").content.decode()
    assert course.case.number in page and "Kim2 (anonym)" in page  # both in the choices
    labels_tied_to_inputs(page)
    no_inline_style_or_script(page)

    response = client.post(f"/grupper/{group.pk}/tilmeld/", enrol_data(course))
    assert response.status_code == 302, response.content.decode()
    assert Enrolment.objects.filter(group=group, course=course).exists()
    assert Session.objects.filter(group=group, course=course).count() == 14
    response = client.post(f"/grupper/{group.pk}/tilmeld/", enrol_data(anonymous))
    assert response.status_code == 302

    page = client.get(f"/grupper/{group.pk}/").content.decode()
    assert "er tilmeldt" in page
    assert course.case.number in page and "Borger Nummer1" in page and "Kim2 (anonym)" in page
    assert "2 optaget, 8 ledige af 10" in page
    assert "Anden påskedag" in page
    week = client.get("/grupper/?uge=2027-W11").content.decode()
    assert "2 tilmeldte" in re.search(r'id="dag-2027-03-15".*?</tr>', week, re.S)[0]


def test_enrolment_errors_are_shown_by_the_field_in_danish(tenants):
    therapist = staff("therapist", "helsingoer")
    group = a_group(seats=1)
    first, second = a_course(therapist, 1), a_course(therapist, 2)
    client = client_for(therapist)
    response = client.post(
        f"/grupper/{group.pk}/tilmeld/", {"enrol-course": "", "enrol-enrolled_on": "31.02.2027"}
    )
    body = response.content.decode()
    assert response.status_code == 422
    assert 'id="id_enrol-course_error"' in body and "Vælg forløbet" in body
    assert 'id="id_enrol-enrolled_on_error"' in body and "Datoen er ikke gyldig" in body

    stale = enrol_data(first)
    services.plan_record(
        actor=therapist,
        course_id=first.pk,
        version=version(first.case_id),
        goal="abstinence",
        goals_text="Stoppe",
        agreed_on=timezone.localdate(),
    )
    response = client.post(f"/grupper/{group.pk}/tilmeld/", stale)
    assert response.status_code == 409 and "Hent siden igen" in response.content.decode()

    assert client.post(f"/grupper/{group.pk}/tilmeld/", enrol_data(first)).status_code == 302
    page = client.get(f"/grupper/{group.pk}/").content.decode()
    assert "Gruppen er fuld" in page and "Tilmeld et forløb" not in page
    # a form loaded before the group filled up says so too
    response = client.post(
        f"/grupper/{group.pk}/tilmeld/",
        {
            "enrol-course": f"{second.pk}-{version(second.case_id)}",
            "enrol-enrolled_on": "2027-03-15",
        },
    )
    assert "Gruppen er fuld (1 pladser)" in response.content.decode()
    assert not Enrolment.objects.filter(course=second).exists()


def test_attendance_is_recorded_with_htmx_and_versions_follow(tenants, time_machine):
    therapist = staff("therapist", "helsingoer")
    group = a_group()
    course = a_course(therapist, 1)
    client = client_for(therapist)
    client.post(f"/grupper/{group.pk}/tilmeld/", enrol_data(course))
    sessions = list(Session.objects.filter(group=group).order_by("starts_at"))
    # the day after the second meeting: attendance is recorded once a meeting has begun
    time_machine.move_to(noon(dt.date(2027, 3, 23)), tick=False)
    client.force_login(therapist)  # the log-in of months ago has expired
    page = client.get(f"/grupper/{group.pk}/").content.decode()
    assert f'id="fremmoede-{sessions[0].pk}-attended"' in page
    response = client.post(
        f"/grupper/{group.pk}/fremmoede/{sessions[0].pk}/",
        {"version": version(course.case_id), "attendance": "attended"},
        **HTMX,
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'id="fremmoede"' in body
    assert "Fremmøde registreret 15.03.2027 kl. 16:00: mødt." in body
    # the next session's buttons carry the case's new version
    new = version(course.case_id)
    assert f'name="version" value="{new}"' in body
    response = client.post(
        f"/grupper/{group.pk}/fremmoede/{sessions[1].pk}/",
        {"version": new, "attendance": "no_show"},
        **HTMX,
    )
    assert "udeblevet" in response.content.decode()
    assert [s.attendance for s in Session.objects.filter(group=group).order_by("starts_at")][
        :2
    ] == ["attended", "no_show"]
    # without javascript: back to the run's page
    response = client.post(
        f"/grupper/{group.pk}/fremmoede/{sessions[2].pk}/",
        {"version": version(course.case_id), "attendance": "cancelled"},
    )
    assert response.status_code == 302 and response["Location"].endswith("#fremmoede")


def test_authority_roles_never_see_anonymous_cases(tenants):
    therapist = staff("therapist", "helsingoer")
    caseworker = staff("caseworker", "helsingoer")
    group = a_group()
    named, anonymous = a_course(therapist, 1), a_course(therapist, 2, anonymous=True)
    for course in (named, anonymous):
        services.group_enrol(
            actor=therapist,
            course_id=course.pk,
            version=version(course.case_id),
            group_id=group.pk,
            enrolled_on=START,
        )
    page = client_for(caseworker).get(f"/grupper/{group.pk}/").content.decode()
    assert named.case.number in page
    assert anonymous.case.number not in page and "Kim2" not in page
    assert AuditEntry.objects.filter(actor_id=caseworker.pk, case_id=named.case_id).exists()
    assert not AuditEntry.objects.filter(actor_id=caseworker.pk, case_id=anonymous.case_id).exists()


def test_another_municipality_sees_404(tenants):
    group = a_group()
    other = client_for(staff("therapist", "gentofte"))
    assert other.get(f"/grupper/{group.pk}/").status_code == 404
    assert other.post(f"/grupper/{group.pk}/tilmeld/", {}).status_code == 404
    assert group.title not in other.get("/grupper/?uge=2027-W11").content.decode()
    assert Client().get("/grupper/").status_code == 302  # login first


def test_the_pages_make_the_same_queries_for_1_and_8_enrolments(tenants):
    """8 of 8 seats taken: a full run (no enrolment form) makes the same queries too."""
    therapist = staff("therapist", "helsingoer")
    group = a_group(seats=8)
    courses = [a_course(therapist, n, anonymous=n % 2 == 1) for n in range(8)]
    client = client_for(therapist)

    def measure(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    assert client.post(f"/grupper/{group.pk}/tilmeld/", enrol_data(courses[0])).status_code == 302
    one = measure(f"/grupper/{group.pk}/"), measure("/grupper/?uge=2027-W11")
    month_one = measure("/grupper/?maaned=2027-04")
    for course in courses[1:]:
        assert client.post(f"/grupper/{group.pk}/tilmeld/", enrol_data(course)).status_code == 302
    assert Session.objects.filter(group=group).count() == 8 * 14
    many = measure(f"/grupper/{group.pk}/"), measure("/grupper/?uge=2027-W11")
    month_many = measure("/grupper/?maaned=2027-04")
    print(f"group page {one[0]}/{many[0]}, week {one[1]}/{many[1]}, month {month_one}/{month_many}")
    assert one == many and month_one == month_many
    assert many[0] <= MAX_GROUP_PAGE_QUERIES, many
    assert many[1] <= MAX_CALENDAR_QUERIES and month_many <= MAX_CALENDAR_QUERIES


# --- the attendance list's window of dates ------------------------------------------------

#: the run's 14 dates (Easter Monday and Whit Monday 2027 skipped)
DATES = [
    dt.date(2027, 3, 15) + dt.timedelta(weeks=n) for n in (0, 1, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13)
] + [dt.date(2027, 6, 21), dt.date(2027, 6, 28)]


def shown_dates(body: str) -> list[dt.date]:
    return [dt.date.fromisoformat(d) for d in re.findall(r'<h3 id="moede-([\d-]+)"', body)]


def a_run_with_one_enrolled(therapist) -> tuple[Group, Client, Course]:
    group = a_group()
    course = a_course(therapist, 1)
    services.group_enrol(
        actor=therapist,
        course_id=course.pk,
        version=version(course.case_id),
        group_id=group.pk,
        enrolled_on=START,
    )
    return group, client_for(therapist), course


def test_the_attendance_list_shows_a_window_of_dates_with_links_to_the_rest(tenants):
    therapist = staff("therapist", "helsingoer")
    group, client, _ = a_run_with_one_enrolled(therapist)
    assert sorted(DATES) == DATES and len(set(DATES)) == 14
    sessions = {
        timezone.localtime(s.starts_at).date(): s for s in Session.objects.filter(group=group)
    }
    assert sorted(sessions) == DATES

    # before the run: its first six dates, a link to the later ones
    page = client.get(f"/grupper/{group.pk}/").content.decode()
    assert shown_dates(page) == DATES[:6]
    assert "Viser 6 af 14 datoer." in page
    assert 'href="?fra=2027-04-27#fremmoede"' in page and "?foer=" not in page
    assert f'id="samtale-{sessions[DATES[5]].pk}"' in page
    assert f'id="samtale-{sessions[DATES[6]].pk}"' not in page
    # the dates table still counts every date of the calendar
    assert page.count('<td data-title="Tilmeldte">1</td>') == 14

    later = client.get(f"/grupper/{group.pk}/?fra=2027-04-27").content.decode()
    assert shown_dates(later) == DATES[6:12]
    assert 'href="?foer=2027-05-03#fremmoede"' in later
    assert 'href="?fra=2027-06-15#fremmoede"' in later
    last = client.get(f"/grupper/{group.pk}/?fra=2027-06-15").content.decode()
    assert shown_dates(last) == DATES[12:] and 'href="?fra=' not in last
    earlier = client.get(f"/grupper/{group.pk}/?foer=2027-05-03").content.decode()
    assert shown_dates(earlier) == DATES[:6]
    # a garbled date is the default window
    garbled = client.get(f"/grupper/{group.pk}/?fra=2027-13-01").content.decode()
    assert shown_dates(garbled) == DATES[:6]


def test_by_default_the_latest_dates_and_the_next_ones_are_shown(tenants, monkeypatch):
    from rusmiddel.web import group_pages

    therapist = staff("therapist", "helsingoer")
    group, client, _ = a_run_with_one_enrolled(therapist)
    # during the run: the three latest dates before today and the next three
    monkeypatch.setattr(group_pages, "_today", lambda: dt.date(2027, 4, 20))
    page = client.get(f"/grupper/{group.pk}/").content.decode()
    assert shown_dates(page) == DATES[2:8]
    assert 'href="?foer=2027-04-05#fremmoede"' in page
    assert 'href="?fra=2027-05-11#fremmoede"' in page
    # after the run: its last six dates
    monkeypatch.setattr(group_pages, "_today", lambda: dt.date(2027, 8, 2))
    page = client.get(f"/grupper/{group.pk}/").content.decode()
    assert shown_dates(page) == DATES[-6:]
    assert 'href="?foer=2027-05-24#fremmoede"' in page and 'href="?fra=' not in page


def test_recording_attendance_keeps_the_window_of_dates(tenants, time_machine):
    therapist = staff("therapist", "helsingoer")
    group, client, course = a_run_with_one_enrolled(therapist)
    time_machine.move_to(noon(dt.date(2027, 5, 4)), tick=False)  # after the meeting of 3 May
    client.force_login(therapist)  # the log-in of months ago has expired
    session = Session.objects.get(group=group, starts_at__date=dt.date(2027, 5, 3))
    page = client.get(f"/grupper/{group.pk}/?fra=2027-04-27").content.decode()
    action = f"/grupper/{group.pk}/fremmoede/{session.pk}/?fra=2027-05-03"
    assert f'hx-post="{action}"' in page
    response = client.post(
        action, {"version": version(course.case_id), "attendance": "attended"}, **HTMX
    )
    body = response.content.decode()
    assert response.status_code == 200 and "Fremmøde registreret 03.05.2027" in body
    assert shown_dates(body) == DATES[6:12]
    # without javascript: back to the same dates
    response = client.post(action, {"version": version(course.case_id), "attendance": "no_show"})
    assert response.status_code == 302
    assert response["Location"] == f"/grupper/{group.pk}/?fra=2027-05-03#fremmoede"


def test_a_long_run_shows_a_window_and_makes_the_same_queries(tenants):
    """Courses that join all year leave sessions on hundreds of dates outside the calendar:
    the page shows six of them, and makes as many queries as for a short run."""
    therapist = staff("therapist", "helsingoer")
    group, client, course = a_run_with_one_enrolled(therapist)

    def measure() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/grupper/{group.pk}/?fra=2027-06-21")
        assert response.status_code == 200
        return len(queries), response.content.decode()

    short, _ = measure()
    first = timezone.make_aware(dt.datetime(2027, 7, 1, 10))
    Session.objects.bulk_create(
        Session(
            course=course,
            group=group,
            starts_at=first + dt.timedelta(days=2 * n),
            ends_at=first + dt.timedelta(days=2 * n, hours=2),
            recorded_by=therapist,
        )
        for n in range(200)
    )
    long, page = measure()
    assert long == short
    assert shown_dates(page) == DATES[12:] + [
        dt.date(2027, 7, 1) + dt.timedelta(days=2 * n) for n in range(4)
    ]
    assert "Viser 6 af 214 datoer." in page
    assert "10:00–12:00" in page  # a date off the calendar shows its sessions' time


def test_the_window_links_speak_english_when_english_is_chosen(tenants):
    from django.conf import settings

    therapist = staff("therapist", "helsingoer")
    group, client, _ = a_run_with_one_enrolled(therapist)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/grupper/{group.pk}/?fra=2027-04-27").content.decode()
    assert "Showing 6 of 14 dates." in page
    assert "Earlier dates" in page and "Later dates" in page
    assert 'aria-label="Attendance dates"' in page and "Tidligere datoer" not in page
