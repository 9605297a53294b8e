"""The staff's daily lists: Mine sager (with search), Frister, Opfølgning and Klager.

Data is made through the services, with every date relative to `timezone.localdate()`, so
the labels ("Overskredet …", "Om 2 dage") are the same whatever day the suite runs.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from case_world import FACTS, OVERRIDE
from factories import staff
from rusmiddel.audit.models import AuditEntry, Event
from rusmiddel.cases import services
from rusmiddel.cases.models import Case, Complaint, Deadline, FollowUp
from rusmiddel.web import caseload as lists

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
#: Queries a list page may make, whatever the number of cases (measured: see the report).
#: Frister is the most: its counts, then one indexed query per deadline kind.
MAX_QUERIES = 13


def today() -> dt.date:
    return timezone.localdate()


def days(n: int) -> dt.date:
    return today() + dt.timedelta(days=n)


def version(case_id: int) -> int:
    return Case.objects.values_list("version", flat=True).get(pk=case_id)


_cprs = iter(range(1000, 9999))


def cpr() -> str:
    """A fresh valid CPR number (born 7 March 1985; modulus 11 is not required)."""
    return f"070385{next(_cprs):04d}"


def open_case(actor, name: str, *, received: int = 0, wishes=True, number=None, **kw) -> Case:
    """A named case whose treatment guarantee falls due 14 days after `received` (days from
    today), or none when the contact holds no wish for treatment."""
    return services.case_create(
        actor=actor,
        received_on=days(received),
        channel="phone",
        citizen_cpr=number or cpr(),
        citizen_name=name,
        wishes_treatment=wishes,
        **kw,
    )


def ended_course(actor, case: Case, *, ended: int, offer: str = "raadgivning") -> list[FollowUp]:
    """Counselling (no decision needed) started and ended `ended` days from today: the
    follow-ups fall due one and six months later."""
    course = services.course_start(
        actor=actor,
        case_id=case.pk,
        version=version(case.pk),
        started_on=days(ended - 5),
        offer=offer,
    )
    return services.course_end(
        actor=actor,
        course_id=course.pk,
        version=version(case.pk),
        ended_on=days(ended),
        reason="completed",
        outcome="reduced",
        final_report="Forløbet er gennemført.",
    )


def complained_case(actor, name: str, *, received: int = -3) -> tuple[Case, Complaint]:
    """A case with a granted decision and a complaint received `received` days from today."""
    case = open_case(actor, name, received=-20, provider="kabs")
    services.assessment_record(
        actor=actor,
        case_id=case.pk,
        version=version(case.pk),
        facts=FACTS["gentofte"],
        on=days(-18),
    )
    decision = services.decision_record(
        actor=actor,
        case_id=case.pk,
        version=version(case.pk),
        offer="ambulant",
        outcome="granted",
        decided_on=days(-15),
        provider="kabs",
        override_reason=OVERRIDE,
    )
    complaint = services.complaint_receive(
        actor=actor,
        case_id=case.pk,
        version=version(case.pk),
        decision_id=decision.pk,
        received_on=days(received),
        text="Jeg ønsker et andet tilbud.",
    )
    return case, complaint


def anonymous_case(consultant, pseudonym: str = "Solsikke") -> Case:
    return services.case_create(
        actor=consultant,
        received_on=days(-40),
        channel="walk_in",
        anonymous=True,
        pseudonym=pseudonym,
    )


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def without_echo(body: str) -> str:
    """The page without the search term it repeats back (»…« and in the search field)."""
    return re.sub(r'»[^«]*«|name="q" value="[^"]*"', "", body)


def main_table(page: str) -> str:
    """The caseload table (after its heading), not the search results above it."""
    return page.split("<h2>Sager efter frist</h2>", 1)[1]


def order_of(page: str, *needles: str) -> list[int]:
    return [page.index(n) for n in needles]


# ---------------------------------------------------------------------------------------
# Mine sager
# ---------------------------------------------------------------------------------------


def test_caseload_is_sorted_by_what_falls_due_with_words_and_colours(tenants, client):
    me = staff("caseworker", "gentofte")
    overdue = open_case(me, "Anna Overskredet", received=-16)  # due 2 days ago
    amber = open_case(me, "Bo Snart", received=-12)  # due in 2 days
    later = open_case(me, "Carl Senere", received=0)  # due in 14 days
    nothing = open_case(me, "Dorte Uden Frist", wishes=False)
    unassigned = open_case(staff("therapist", "gentofte"), "Erik Ufordelt", received=-1)
    colleagues = open_case(staff("caseworker", "gentofte"), "Frida Kollega", received=-15)

    client.force_login(me)
    page = main_table(html(client.get("/sager/")))

    order = order_of(
        page, overdue.number, amber.number, unassigned.number, later.number, nothing.number
    )
    assert order == sorted(order)
    assert colleagues.number not in page  # another caseworker's case is not in my caseload
    row = {c.number: page.split(c.number, 1)[1].split("</tr>", 1)[0] for c in (overdue, amber)}
    assert '<span class="badge badge-error">Overskredet med 2 dage</span>' in row[overdue.number]
    assert '<span class="badge badge-warning">Om 2 dage</span>' in row[amber.number]
    assert "Behandlingsgaranti" in row[overdue.number]
    later_row = page.split(later.number, 1)[1].split("</tr>", 1)[0]
    assert "Om 14 dage" in later_row and "badge" not in later_row  # far off: no colour
    assert "Ikke tildelt" in page.split(unassigned.number, 1)[1].split("</tr>", 1)[0]
    assert "Ingen åbne frister" in page.split(nothing.number, 1)[1].split("</tr>", 1)[0]
    assert f'href="/sager/{overdue.pk}/"' in page
    assert '<th scope="col">Sagsnummer</th>' in page and '<th scope="row">' in page

    shown = AuditEntry.objects.filter(actor_id=me.pk, event=Event.CASE_LIST)
    assert set(shown.values_list("case_id", flat=True)) == {
        overdue.pk,
        amber.pk,
        later.pk,
        nothing.pk,
        unassigned.pk,
    }


def test_a_head_of_unit_sees_every_case_of_the_municipality(tenants, client):
    a = open_case(staff("caseworker", "gentofte"), "Gitte Gentofte", received=-3)
    b = open_case(staff("therapist", "gentofte"), "Hans Hellerup")
    client.force_login(staff("head_of_unit", "gentofte"))
    page = html(client.get("/sager/"))
    assert a.number in page and b.number in page


def test_caseload_pages_by_keyset_across_dates_and_cases_without_deadlines(
    tenants, client, monkeypatch
):
    me = staff("caseworker", "gentofte")
    first = open_case(me, "Ida Først", received=-14)
    second = open_case(me, "Jens Anden", received=-10)
    third = open_case(me, "Karen Tredje", received=-10)  # same date: the id decides
    fourth = open_case(me, "Lars Fjerde", wishes=False)
    fifth = open_case(me, "Mona Femte", wishes=False)
    monkeypatch.setattr(lists, "PAGE_SIZE", 2)
    client.force_login(me)

    seen: list[list[str]] = []
    url = "/sager/"
    while url:
        page = main_table(html(client.get(url)))
        seen.append([c.number for c in (first, second, third, fourth, fifth) if c.number in page])
        found = re.search(r'<a href="(\?[^"]*after=[^"]+)">Næste side</a>', page)
        url = "/sager/" + found[1].replace("&amp;", "&") if found else ""
    assert seen == [
        [first.number, second.number],
        [third.number, fourth.number],
        [fifth.number],
    ]


def test_status_filter_and_a_bad_cursor(tenants, client):
    me = staff("caseworker", "gentofte")
    case = open_case(me, "Nina Status", received=-2)
    client.force_login(me)
    assert case.number in html(client.get("/sager/?status=contact"))
    assert case.number not in main_table(html(client.get("/sager/?status=ended")))
    assert case.number in html(client.get("/sager/?after=not-a-cursor"))


# ---------------------------------------------------------------------------------------
# Search
# ---------------------------------------------------------------------------------------


def test_search_by_name_cpr_with_or_without_dash_and_case_number(tenants, client):
    me = staff("caseworker", "gentofte")
    mette = open_case(me, "Mette Jensen", number="0702921234", received=-1)
    other = open_case(me, "Ole Hansen", number="0803931234")
    client.force_login(staff("caseworker", "gentofte"))  # search covers every visible case

    def search(q: str) -> str:
        response = client.get("/sager/soeg/", {"q": q}, **HTMX)
        body = html(response)
        assert "<html" not in body  # a partial for htmx
        return body

    for q in (
        "jensen",
        "METTE",
        "mette jensen",
        "jensen mette",
        "070292-1234",
        "0702921234",
        "070292",
        "070292-12",
        mette.number,
        mette.number.lower(),
        mette.number[-11:],
    ):
        body = search(q)
        assert mette.number in body and "Mette Jensen" in body, q
        assert other.number not in body, q
    assert mette.number not in search("07029")  # fewer than six digits: no CPR search
    assert "Skriv mindst 2 tegn" in search("m")
    assert "Ingen sager fundet" in search("Zacharias")
    assert search("").strip() == ""


def test_search_works_without_javascript_and_is_wired_for_htmx(tenants, client):
    me = staff("caseworker", "gentofte")
    mette = open_case(me, "Mette Jensen", received=-1)
    client.force_login(me)
    page = html(client.get("/sager/"))
    field = re.search(r'<input[^>]*id="case-search"[^>]*>', page)[0]
    assert 'hx-get="/sager/soeg/"' in field and 'name="q"' in field
    assert 'hx-trigger="input changed delay:250ms, search"' in field
    assert 'hx-target="#search-results"' in field
    assert '<div id="search-results" aria-live="polite">' in page
    assert '<label class="form-label" for="case-search">' in page

    full = html(client.get("/sager/", {"q": "Jensen"}))  # the form submitted without JS
    results = full.split('<div id="search-results"', 1)[1].split("<h2>Sager efter frist", 1)[0]
    assert mette.number in results and "<html" in full
    assert mette.number in html(client.get("/sager/soeg/", {"q": "Jensen"}))  # no HX header
    why = AuditEntry.objects.filter(actor_id=me.pk, case_id=mette.pk, why="søgning")
    assert why.count() == 2


def test_search_shows_at_most_twenty(tenants, client):
    me = staff("caseworker", "gentofte")
    for i in range(lists.SEARCH_LIMIT + 2):
        open_case(me, f"Peter Mange{i:02d}", wishes=False)
    client.force_login(me)
    body = html(client.get("/sager/soeg/", {"q": "mange"}, **HTMX))
    assert body.count('<th scope="row">') == lists.SEARCH_LIMIT
    assert "skriv mere for at indsnævre" in body


def test_a_pseudonym_is_searched_for_treatment_roles(tenants, client):
    consultant = staff("substance_consultant", "gentofte")
    anon = anonymous_case(consultant, "Solsikke")
    client.force_login(consultant)
    body = html(client.get("/sager/soeg/", {"q": "solsik"}, **HTMX))
    assert anon.number in body and "Solsikke (anonym)" in body


# ---------------------------------------------------------------------------------------
# Who sees what
# ---------------------------------------------------------------------------------------

PAGES = ["/sager/", "/frister/", "/opfoelgning/", "/klager/"]


def test_anonymous_cases_are_never_shown_to_the_authority(tenants, client):
    # Helsingør: Gentofte follows up no anonymous course (it holds no identity to call)
    consultant = staff("substance_consultant", "helsingoer")
    anon = anonymous_case(consultant, "Solsikke")
    # anonymous follow-ups on the due list
    ended_course(consultant, anon, ended=-28, offer="anonym_raadgivning")
    secrets = (anon.number, "Solsikke")

    client.force_login(consultant)  # the consultant does see it
    assert anon.number in html(client.get("/opfoelgning/"))
    assert anon.number in html(client.get("/frister/"))
    assert anon.number in html(client.get("/sager/"))

    for role in ("caseworker", "head_of_unit"):
        client.force_login(staff(role, "helsingoer"))
        bodies = [html(client.get(p)) for p in PAGES]
        for q in ("Solsikke", anon.number, "solsik"):
            bodies.append(html(client.get("/sager/soeg/", {"q": q}, **HTMX)))
            bodies.append(html(client.get("/sager/", {"q": q})))
            assert "Ingen sager fundet" in bodies[-1]
        for body in map(without_echo, bodies):
            for secret in secrets:
                assert secret not in body, (role, secret)


def test_another_municipalitys_cases_are_never_shown(tenants, client):
    therapist = staff("therapist", "helsingoer")
    theirs = open_case(therapist, "Helle Kronborg", number="1705871234", received=-16)
    ended_course(
        therapist,
        open_case(therapist, "Holger Øresund", received=-60),
        ended=-28,
        offer="anonym_raadgivning",
    )
    secrets = (theirs.number, "Helle Kronborg", "Holger", "HELSINGOER-")

    for role in ("caseworker", "therapist", "head_of_unit", "substance_consultant"):
        client.force_login(staff(role, "gentofte"))
        bodies = [html(client.get(p)) for p in PAGES]
        for q in ("Helle", "170587-1234", "170587", theirs.number):
            bodies.append(html(client.get("/sager/soeg/", {"q": q}, **HTMX)))
            assert "Ingen sager fundet" in bodies[-1]
        for body in map(without_echo, bodies):
            for secret in secrets:
                assert secret not in body, (role, secret)


def test_an_administrator_is_refused_and_a_stranger_sent_to_log_in(tenants, client):
    urls = [*PAGES, "/sager/soeg/?q=abc", "/opfoelgning/1/", "/klager/1/genvurdering/"]
    for url in urls:
        assert client.get(url).status_code == 302, url
    client.force_login(staff("administrator", "gentofte"))
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert client.post("/opfoelgning/1/", {}).status_code == 403


# ---------------------------------------------------------------------------------------
# Frister
# ---------------------------------------------------------------------------------------


def test_due_list_groups_by_kind_with_filters_and_labels(tenants, client):
    me = staff("caseworker", "gentofte")
    colleague = staff("caseworker", "gentofte")
    mine = open_case(me, "Anna Garanti", received=-15)  # overdue by 1 day
    theirs = open_case(colleague, "Bent Garanti", received=-11, provider="kabs")  # in 3 days
    followed = open_case(me, "Clara Opfølgning", received=-60)
    ended_course(me, followed, ended=-29)  # follow-up due in a day or two
    complained, _ = complained_case(me, "Dennis Klage", received=-3)

    client.force_login(me)
    page = html(client.get("/frister/"))
    sections = dict(re.findall(r'<h2 id="frist-([a-z-]+)">(.*?)</section>', page, re.S))
    guarantee = sections["treatment-guarantee"]
    assert mine.number in guarantee and theirs.number in guarantee
    assert guarantee.index(mine.number) < guarantee.index(theirs.number)
    assert "Overskredet med 1 dag<" in guarantee and "badge-error" in guarantee
    assert '<span class="badge badge-warning">Om 3 dage</span>' in guarantee
    assert followed.number in sections["follow-up"]
    assert complained.number in sections["complaint-reassessment"]
    assert "Status fra leverandør" in page
    assert '<th scope="col">Frist</th>' in page

    only_mine = html(client.get("/frister/", {"caseworker": me.pk}))
    assert mine.number in only_mine and theirs.number not in only_mine
    kabs = html(client.get("/frister/", {"provider": theirs.provider_id}))
    assert theirs.number in kabs and mine.number not in kabs
    week = html(client.get("/frister/", {"days": "7"}))
    assert mine.number in week and followed.number in week
    reassess = week.split('id="frist-complaint-reassessment"', 1)[1].split("</section>", 1)[0]
    assert "Ingen åbne frister." in reassess  # the complaint is reassessed in ~25 days
    assert html(client.get("/frister/", {"caseworker": "x", "days": "999"}))  # ignored


def test_due_list_counts_every_deadline_and_pages_through_one_kind(tenants, client, monkeypatch):
    """At national scale a municipality has thousands of open deadlines: the page counts them
    all in the database, shows the first rows of each kind and pages through one kind by
    keyset (due date, id), soonest first, auditing only the cases it shows."""
    monkeypatch.setattr(lists, "DUE_OVERVIEW_ROWS", 2)
    monkeypatch.setattr(lists, "DUE_KIND_PAGE", 2)
    me = staff("caseworker", "gentofte")
    # guarantees due in -1, 0, 1, 2 and 3 days; two on the same day for the keyset's tie
    cases = [
        open_case(me, f"Garanti {i}", received=r)
        for i, r in enumerate([-15, -14, -13, -12, -12, -11])
    ]
    client.force_login(me)

    page = html(client.get("/frister/"))
    assert "6 åbne frister: 1 overskredet og 5 inden for 3 dage." in page
    assert '<h2 id="frist-treatment-guarantee">Behandlingsgaranti (6)</h2>' in page
    guarantee = page.split('id="frist-treatment-guarantee"', 1)[1].split("</section>", 1)[0]
    assert [c.number in guarantee for c in cases] == [True, True, False, False, False, False]
    more = re.search(r'<a href="(\?[^"]+)">Flere frister: behandlingsgaranti</a>', guarantee)
    assert more is not None

    seen = [c.number for c in cases[:2]]
    url = "/frister/" + more.group(1).replace("&amp;", "&")
    while url:
        body = html(client.get(url))
        assert "Vis alle fristtyper" in body and 'id="frist-follow-up"' not in body
        assert "6 åbne frister" in body  # the counts stay those of the whole list
        rows = re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', body)
        assert 1 <= len(rows) <= 2
        seen += rows
        link = re.search(r'<a href="(\?[^"]+)">Flere frister', body)
        url = "/frister/" + link.group(1).replace("&amp;", "&") if link else ""
    assert seen == [c.number for c in cases]  # each once, soonest first, ties by id

    shown = AuditEntry.objects.filter(event=Event.DUE_LIST).values_list("case_id", flat=True)
    assert sorted(shown) == sorted(c.pk for c in cases)  # each case audited when shown
    assert html(client.get("/frister/", {"kind": "treatment_guarantee", "after": "x.1"}))


# ---------------------------------------------------------------------------------------
# Opfølgning
# ---------------------------------------------------------------------------------------


def test_a_follow_up_is_recorded_through_the_page(tenants, client):
    me = staff("caseworker", "gentofte")
    case = open_case(me, "Eva Opfølgning", received=-60)
    one, six = ended_course(me, case, ended=-29)
    client.force_login(me)
    page = html(client.get("/opfoelgning/"))
    assert page.index(f'id="fu-{one.pk}"') < page.index(f'id="fu-{six.pk}"')  # soonest first
    # the list links each row's form: htmx swaps it into the row, or it is a page of its own
    link = (
        f'<a href="/opfoelgning/{one.pk}/" hx-get="/opfoelgning/{one.pk}/" hx-target="#fu-{one.pk}"'
    )
    assert link in page and 'name="version"' not in page
    row = html(client.get(f"/opfoelgning/{one.pk}/", **HTMX))
    assert row.strip().startswith(f'<li id="fu-{one.pk}"') and "<html" not in row
    assert '<details class="details" open>' in row and " autofocus>" in row
    for page in (row, html(client.get(f"/opfoelgning/{one.pk}/"))):
        assert f'<input type="hidden" name="version" value="{version(case.pk)}"' in page
        for target in re.findall(r'<label[^>]*\sfor="([^"]+)"', page):
            assert f'id="{target}"' in page

    response = client.post(
        f"/opfoelgning/{one.pk}/",
        {
            "version": version(case.pk),
            "done_on": today().isoformat(),
            "channel": "phone",
            "reached": "ja",
            "outcome": "reduced",
            "note": "Går godt.",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/opfoelgning/"
    one.refresh_from_db()
    assert one.done_on == today() and one.channel == "phone" and one.reached is True
    assert Deadline.objects.get(source_type="followup", source_id=one.pk).met_on == today()
    after = html(client.get("/opfoelgning/"))
    assert f"Opfølgningen på sag {case.number} er registreret." in after
    assert f'id="fu-{one.pk}"' not in after and f'id="fu-{six.pk}"' in after
    # a row opened after someone else recorded it: htmx reloads the list with a word why
    stale = client.get(f"/opfoelgning/{one.pk}/", **HTMX)
    assert stale.status_code == 204 and stale["HX-Redirect"] == "/opfoelgning/"
    assert "Opfølgningen er allerede registreret." in html(client.get("/opfoelgning/"))


def test_follow_ups_page_by_keyset_soonest_first(tenants, client, monkeypatch):
    monkeypatch.setattr(lists, "FOLLOW_UP_PAGE", 1)
    me = staff("caseworker", "gentofte")
    one, six = ended_course(me, open_case(me, "Fie Sider", received=-60), ended=-29)
    client.force_login(me)
    first = html(client.get("/opfoelgning/"))
    assert f'id="fu-{one.pk}"' in first and f'id="fu-{six.pk}"' not in first
    after = re.search(r'<a href="\?after=([^"]+)">Næste side</a>', first)
    assert after is not None and after.group(1) == f"{one.due_on.isoformat()}.{one.pk}"
    second = html(client.get("/opfoelgning/", {"after": after.group(1)}))
    assert f'id="fu-{six.pk}"' in second and f'id="fu-{one.pk}"' not in second
    assert "Næste side" not in second and '<a href="/opfoelgning/">Første side</a>' in second
    assert f'id="fu-{one.pk}"' in html(client.get("/opfoelgning/", {"after": "ikke.en-dato"}))


def test_a_follow_up_of_treatment_asks_the_key_facts_in_the_courses_categories(tenants, client):
    # Given an alcohol course (Helsingør's individual talks for a citizen whose primary
    # substance is alcohol, beside cannabis: followed up, as Helsingør follows up a drug
    # problem), ended
    from factories import END_KEY_FACTS, treated_course
    from rusmiddel.outcomes.models import KeyFacts

    me = staff("therapist", "helsingoer")
    facts = {
        "use": {
            "substances": [{"substance": "alcohol", "primary": True}, {"substance": "cannabis"}]
        }
    }
    case, course = treated_course(
        me,
        cpr=cpr(),
        offer="individuelle_samtaler",
        facts=facts,
        contact_on=days(-90),
        start_on=days(-90),
    )
    assert course.substance == "alcohol"
    one = services.course_end(
        actor=me,
        course_id=course.pk,
        version=version(case.pk),
        ended_on=days(-29),
        reason="completed",
        outcome="referred",
        final_report="Henvist",
        **END_KEY_FACTS,
    )[0]
    client.force_login(me)
    # Then its form offers the alcohol goals, housing and occupation as last recorded
    row = html(client.get(f"/opfoelgning/{one.pk}/", **HTMX))
    assert '<option value="substance_free">Alkoholfri</option>' in row
    assert '<option value="stabilised">' not in row
    assert '<option value="employed" selected>' in row
    answer = {
        "version": version(case.pk),
        "done_on": today().isoformat(),
        "channel": "phone",
        "reached": "ja",
        "outcome": "referred",
        "housing": "rented",
        "occupation": "employed",
    }
    # When the use is left out, the error stands next to it and nothing is recorded
    body = html(client.post(f"/opfoelgning/{one.pk}/", answer, **HTMX))
    assert f'id="fu-{one.pk}-use_frequency-error"' in body
    assert not KeyFacts.objects.filter(course=course, moment="follow_up_1").exists()
    # …and with it, the follow-up's key facts are recorded
    response = client.post(f"/opfoelgning/{one.pk}/", {**answer, "use_frequency": "not_used"})
    assert response.status_code == 302
    facts = KeyFacts.objects.get(course=course, moment="follow_up_1")
    assert (facts.use_frequency, facts.housing, facts.recorded_on) == (
        "not_used",
        "rented",
        today(),
    )


def test_a_stale_version_answers_the_danish_conflict_and_records_nothing(tenants, client):
    me = staff("caseworker", "gentofte")
    case = open_case(me, "Finn Forældet", received=-60)
    one, _ = ended_course(me, case, ended=-29)
    client.force_login(me)
    stale = version(case.pk) - 1
    data = {
        "version": stale,
        "done_on": today().isoformat(),
        "channel": "video",
        "reached": "nej",
        "note": "Ringede to gange.",
    }
    response = client.post(f"/opfoelgning/{one.pk}/", data)
    assert response.status_code == 409
    body = response.content.decode()
    assert "Sagen er ændret af en anden – hent siden igen" in body
    assert 'value="video" checked' in body and "Ringede to gange." in body  # nothing lost
    assert f'name="version" value="{stale}"' in body
    one.refresh_from_db()
    assert one.done_on is None

    partial = html(client.post(f"/opfoelgning/{one.pk}/", data, **HTMX))  # htmx: 200, swapped
    assert f'<li id="fu-{one.pk}"' in partial and "<html" not in partial
    assert "Sagen er ændret af en anden – hent siden igen" in partial


def test_follow_up_errors_are_shown_next_to_the_field(tenants, client):
    me = staff("caseworker", "gentofte")
    case = open_case(me, "Gorm Fejl", received=-60)
    one, _ = ended_course(me, case, ended=-29)
    client.force_login(me)
    base = {"version": version(case.pk), "done_on": today().isoformat(), "channel": "phone"}

    body = client.post(f"/opfoelgning/{one.pk}/", {**base, "reached": "ja"}, **HTMX)
    body = html(body)  # the service: reached without an outcome
    assert f'id="fu-{one.pk}-outcome-error"' in body
    assert "Angiv borgerens situation ved opfølgningen." in body
    select = re.search(r"<select[^>]*outcome[^>]*>", body)[0]
    assert 'aria-invalid="true"' in select and f"fu-{one.pk}-outcome-error" in select

    early = (one.course.ended_on - dt.timedelta(days=1)).isoformat()
    body = client.post(f"/opfoelgning/{one.pk}/", {**base, "done_on": early, "reached": "nej"})
    assert body.status_code == 422
    text = body.content.decode()
    field = re.search(r'<input[^>]*name="done_on"[^>]*>', text)[0]
    assert 'aria-invalid="true"' in field
    assert f'aria-describedby="fu-{one.pk}-done_on-error"' in field
    assert f'<span class="form-error-message" id="fu-{one.pk}-done_on-error">' in text
    assert "ligger før forløbets afslutning" in text and "done_on:" not in text

    body = client.post(
        f"/opfoelgning/{one.pk}/", {"version": version(case.pk), "done_on": "32.13.2026"}
    )
    text = body.content.decode()
    assert body.status_code == 422
    for message in (
        "Datoen er ikke gyldig",
        "Vælg hvordan opfølgningen foregik.",
        "Angiv om borgeren blev truffet.",
    ):
        assert message in text
    assert 'value="32.13.2026"' in text
    one.refresh_from_db()
    assert one.done_on is None


def test_htmx_swaps_the_row_and_updates_the_other_row_of_the_case(tenants, client):
    me = staff("caseworker", "gentofte")
    case = open_case(me, "Hanne Htmx", received=-60)
    one, six = ended_course(me, case, ended=-29)
    client.force_login(me)
    body = html(
        client.post(
            f"/opfoelgning/{one.pk}/",
            {
                "version": version(case.pk),
                "done_on": today().isoformat(),
                "channel": "attendance",
                "reached": "nej",
            },
            **HTMX,
        )
    )
    assert f'<li id="fu-{one.pk}"' in body and "er registreret" in body
    assert (
        f'<input type="hidden" name="version" value="{version(case.pk)}" '
        f'id="fu-{six.pk}-version" hx-swap-oob="true">'
    ) in body


# ---------------------------------------------------------------------------------------
# Klager
# ---------------------------------------------------------------------------------------


def test_a_complaint_is_reassessed_through_the_page(tenants, client):
    me = staff("caseworker", "gentofte")
    case, complaint = complained_case(me, "Ivan Klager", received=-3)
    client.force_login(me)
    page = html(client.get("/klager/"))
    item = page.split(f'id="klage-{complaint.pk}"', 1)[1].split("</li>", 1)[0]
    assert "Jeg ønsker et andet tilbud." in item
    assert f"Genvurderes senest {complaint.reassess_by:%d.%m.%Y}" in item
    # the form is a link away: htmx swaps it into the row, or it is a page of its own
    url = f"/klager/{complaint.pk}/genvurdering/"
    assert f'<a href="{url}" hx-get="{url}" hx-target="#klage-{complaint.pk}"' in item
    assert 'name="version"' not in item
    row = html(client.get(url, **HTMX))
    assert row.strip().startswith(f'<li id="klage-{complaint.pk}"') and "<html" not in row
    assert '<details class="details" open>' in row and " autofocus>" in row
    assert "klagen sendes videre til Ankestyrelsen" in row
    assert "klagen sendes videre til Ankestyrelsen" in html(client.get(url))

    empty = client.post(f"/klager/{complaint.pk}/genvurdering/", {"version": version(case.pk)})
    assert empty.status_code == 422
    assert "Vælg resultatet af genvurderingen." in empty.content.decode()

    response = client.post(
        f"/klager/{complaint.pk}/genvurdering/",
        {
            "version": version(case.pk),
            "reassessed_on": today().isoformat(),
            "result": "upheld",
            "text": "Afgørelsen er rigtig.",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/klager/"
    complaint.refresh_from_db()
    assert complaint.status == "forwarded" and complaint.forwarded_to == "Ankestyrelsen"
    page = html(client.get("/klager/"))
    assert "sendes videre til Ankestyrelsen" in page
    done = page.split("Senest genvurderede klager", 1)[1]
    assert case.number in done and "Afgørelsen er rigtig." in done

    again = client.post(
        f"/klager/{complaint.pk}/genvurdering/",
        {
            "version": version(case.pk),
            "reassessed_on": today().isoformat(),
            "result": "changed",
            "text": "Igen.",
        },
    )
    assert again.status_code == 422 and "allerede genvurderet" in again.content.decode()


def test_open_complaints_page_by_keyset_and_count_them_all(tenants, client, monkeypatch):
    monkeypatch.setattr(lists, "COMPLAINT_PAGE", 1)
    me = staff("caseworker", "gentofte")
    (_, first), (_, second) = (
        complained_case(me, n, received=r) for n, r in (("Ole", -5), ("Pia", -3))
    )
    client.force_login(me)
    page = html(client.get("/klager/"))
    assert "Åbne klager (2)" in page and "Senest genvurderede klager" in page
    assert f'id="klage-{first.pk}"' in page and f'id="klage-{second.pk}"' not in page
    after = re.search(r'<a href="\?after=([^"]+)">Næste side</a>', page)
    assert after is not None
    rest = html(client.get("/klager/", {"after": after.group(1)}))
    assert f'id="klage-{second.pk}"' in rest and f'id="klage-{first.pk}"' not in rest
    assert "Næste side" not in rest and "Senest genvurderede klager" not in rest
    assert '<a href="/klager/">Første side</a>' in rest


def test_a_complaint_changed_through_htmx_and_a_stale_one(tenants, client):
    me = staff("therapist", "gentofte")
    case, complaint = complained_case(me, "Jonna Medhold")
    client.force_login(me)
    data = {"reassessed_on": today().isoformat(), "result": "changed", "text": "Medhold."}
    stale = html(
        client.post(
            f"/klager/{complaint.pk}/genvurdering/",
            {**data, "version": version(case.pk) - 1},
            **HTMX,
        )
    )
    assert "Sagen er ændret af en anden – hent siden igen" in stale and "Medhold." in stale
    body = html(
        client.post(
            f"/klager/{complaint.pk}/genvurdering/", {**data, "version": version(case.pk)}, **HTMX
        )
    )
    assert "ændret til borgerens fordel" in body
    complaint.refresh_from_db()
    assert complaint.status == "changed"


def test_roles_that_may_not_act_see_the_lists_without_forms(tenants, client):
    caseworker = staff("caseworker", "gentofte")
    case, complaint = complained_case(caseworker, "Kim Læser")
    ended_course(caseworker, open_case(caseworker, "Lise Læser", received=-60), ended=-29)
    client.force_login(staff("head_of_unit", "gentofte"))
    assert case.number in (page := html(client.get("/klager/")))
    assert "hx-post" not in page and "Genvurdér klagen" not in page
    assert "Lise Læser" in (page := html(client.get("/opfoelgning/")))
    assert "hx-post" not in page and "Registrér opfølgningen" not in page
    response = client.post(
        f"/klager/{complaint.pk}/genvurdering/",
        {
            "version": version(case.pk),
            "reassessed_on": today().isoformat(),
            "result": "changed",
            "text": "Nej.",
        },
    )
    assert response.status_code == 403


# ---------------------------------------------------------------------------------------
# Layout
# ---------------------------------------------------------------------------------------


def test_list_pages_keep_the_layout_rules(tenants, client):
    """No inline style or script (a strict CSP is coming), every label tied to a field,
    every column header scoped, the page in the menu marked as current."""
    me = staff("caseworker", "gentofte")
    open_case(me, "Ulla Layout", received=-2)
    ended_course(me, open_case(me, "Viggo Layout", received=-60), ended=-29)
    complained_case(me, "Willy Layout")
    client.force_login(me)
    for url, name in [
        ("/sager/?q=layout", "Mine sager"),
        ("/frister/", "Frister"),
        ("/opfoelgning/", "Opfølgning"),
        ("/klager/", "Klager"),
    ]:
        page = html(client.get(url))
        assert not re.search(r"<style[\s>]|\sstyle\s*=|\son[a-z]+\s*=", page, re.I), url
        for attributes, body in re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S):
            assert "src=" in attributes and not body.strip(), url
        for target in re.findall(r'<label[^>]*\sfor="([^"]+)"', page):
            assert page.count(f'id="{target}"') == 1, (url, target)
        for described in re.findall(r'aria-describedby="([^"]+)"', page):
            for target in described.split():
                assert f'id="{target}"' in page, (url, target)
        assert "<th>" not in page and "<th " not in page.replace("<th scope=", ""), url
        assert f'aria-current="page"><span>{name}</span>' in page, url


# ---------------------------------------------------------------------------------------
# Query counts
# ---------------------------------------------------------------------------------------


def _measure(client, url: str, **headers) -> tuple[int, int]:
    """(queries, rows shown) for one page."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **headers)
    body = html(response)
    rows = body.count('<th scope="row">') + body.count('<li id="fu-') + body.count('<li id="kl')
    return len(ctx.captured_queries), rows


def test_query_counts_do_not_grow_with_the_number_of_cases(tenants, client):
    me = staff("caseworker", "gentofte")
    client.force_login(me)
    urls = [
        ("/sager/", {}),
        ("/sager/?q=Tælles", {}),
        ("/sager/soeg/?q=t%C3%A6lles", HTMX),
        ("/frister/", {}),
        ("/opfoelgning/", {}),
        ("/klager/", {}),
    ]

    def make(n: int, start: int) -> None:
        for i in range(start, start + n):
            case = open_case(me, f"Tælles Nummer{i}", received=-40 - i)
            if i % 5 == 0:
                ended_course(me, case, ended=-29)
            if i % 5 == 1:
                complained_case(me, f"Tælles Klage{i}")

    make(2, 0)
    few = {url: _measure(client, url, **h) for url, h in urls}
    make(18, 2)
    many = {url: _measure(client, url, **h) for url, h in urls}
    print("\nqueries (rows) with 2 and with 20 cases:")
    for url, _ in urls:
        print(f"  {url}: {few[url][0]} ({few[url][1]} rows) / {many[url][0]} ({many[url][1]} rows)")
    for url, _ in urls:
        assert many[url][1] > few[url][1], url  # more rows shown …
        assert many[url][0] == few[url][0], url  # … in the same number of queries
        assert many[url][0] <= MAX_QUERIES, url
