"""The statistics page (/statistik/) and its CSV and XLSX downloads, on the hand-made fixture
of tests/statistics_world.py (its figures are computed by hand in
tests/reporting/test_statistics.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from factories import staff
from rusmiddel.accounts.models import Provider
from rusmiddel.standards import registry
from statistics_world import Fixture, d, world_fixture  # noqa: F401 - the `world` fixture

PERIOD = "start=2026-01-01&end=2026-03-31"
#: Queries of the page whatever the data size: session, user, staff profile, municipality,
#: providers, and the five statistics.
MAX_QUERIES = 10


def html(response) -> str:
    return response.content.decode()


@pytest.fixture
def head_client(client, tenants):
    client.force_login(staff("head_of_unit", "helsingoer"))
    return client


def _csv_tables(content: bytes) -> dict[str, list[list[str]]]:
    """The CSV's tables by title: {title: [header, *rows]} (blank lines separate them)."""
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM Danish Excel needs for UTF-8
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    tables: dict[str, list[list[str]]] = {}
    current = None
    for row in rows:
        if not row:
            current = None
        elif current is None and len(row) == 1:
            current = tables.setdefault(row[0], [])
        elif current is not None:
            current.append(row)
    return tables


def test_the_page_shows_the_figures_with_charts(world, head_client):
    response = head_client.get(f"/statistik/?{PERIOD}")
    assert response.status_code == 200
    page = html(response)
    assert page.count("<svg viewBox") >= 3  # guarantee, waiting days, outcomes (+ icons)
    for title in ("garanti-title", "ventetid-title", "resultat-title"):
        assert f'id="{title}"' in page
    # the guarantee table by month of the guarantee date (kept, late, not started, decided,
    # share, not passed): January 2 of 2, February 1 of 4, March 0 of 1 (C6, started late)
    table = re.search(r'id="tabel-garanti".*?</table>', page, re.S).group(0)
    cells = re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", table)
    assert cells[7:] == [
        "januar 2026", "2", "0", "0", "2", "100,0", "0",
        "februar 2026", "1", "3", "0", "4", "25,0", "0",
        "marts 2026", "0", "1", "0", "1", "0,0", "0",
        "I alt", "3", "4", "0", "7", "42,9", "0",
    ]  # fmt: skip
    # the 100 % bars of January and the suppressed anonymous caseload
    assert ">100 %</text>" in page
    assert "&lt;3" in page
    assert 'aria-current="page"><span>Statistik</span>' in page
    # CSP: no inline script or style
    assert not re.search(r"<style[\s>]|\sstyle\s*=|\son[a-z]+\s*=", page, re.I)
    for attributes, body in re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S):
        assert "src=" in attributes and not body.strip()
    for target in re.findall(r'<label[^>]*\sfor="([^"]+)"', page):
        assert page.count(f'id="{target}"') == 1, target
    for labelled in re.findall(r'aria-labelledby="([^"]+)"', page):
        for target in labelled.split():
            assert f'id="{target}"' in page, target


def test_the_default_period_is_the_last_twelve_months(tenants, head_client):
    page = html(head_client.get("/statistik/"))
    today = dt.date.today()
    assert f'value="{today.isoformat()}"' in page
    assert page.count('<th scope="row">') >= 12  # one guarantee row per month at least


@pytest.mark.parametrize("role", ["caseworker", "therapist", "substance_consultant"])
def test_other_roles_are_refused(tenants, client, role):
    client.force_login(staff(role, "helsingoer"))
    for url in ("/statistik/", "/statistik/statistik.csv", "/statistik/statistik.xlsx"):
        assert client.get(url).status_code == 403, url
    assert "/statistik/" not in html(client.get("/frister/"))  # no menu entry


def test_a_visitor_who_is_not_logged_in_is_sent_to_the_log_in(tenants, client):
    response = client.get("/statistik/statistik.csv")
    assert response.status_code == 302 and response["Location"].startswith("/log-ind/")


def test_the_administrator_sees_the_page(tenants, client):
    client.force_login(staff("administrator", "helsingoer"))
    assert client.get("/statistik/").status_code == 200


def test_filters_narrow_the_figures(world, head_client):
    private = Provider.objects.get(slug="privat_doegnbehandling")
    page = html(head_client.get(f"/statistik/?{PERIOD}&provider={private.pk}"))
    table = re.search(r'id="tabel-garanti".*?</table>', page, re.S).group(0)
    cells = re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", table)
    # PRIVATE: February C3 kept, C4 late
    assert cells[-7:] == ["I alt", "1", "1", "0", "2", "50,0", "0"]
    page = html(head_client.get(f"/statistik/?{PERIOD}&offer=kokain_hashstop"))
    table = re.search(r'id="tabel-garanti".*?</table>', page, re.S).group(0)
    # KH: C3 kept, C6 late
    cells = re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", table)
    assert cells[-7:] == ["I alt", "1", "1", "0", "2", "50,0", "0"]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("start=2026-03-01&end=2026-02-01", "end", "Til: slutdatoen ligger før startdatoen"),
        ("start=2026-13-01&end=2026-02-01", "start", "Fra: datoen er ikke gyldig"),
        ("start=&end=2026-02-01", "start", "Fra: skriv en dato"),
        ("start=2026-01-01&end=nej", "end", "Til: datoen er ikke gyldig"),
        ("start=2010-01-01&end=2026-02-01", "start", "Fra: perioden må højst være 60 måneder"),
        (f"{PERIOD}&offer=ukendt", "offer", "Tilbud: ukendt valg"),
        (f"{PERIOD}&provider=999999", "provider", "Leverandør: ukendt valg"),
    ],
)
def test_bad_filters_answer_400_naming_the_field(tenants, head_client, query, field, message):
    response = head_client.get(f"/statistik/?{query}")
    assert response.status_code == 400
    page = html(response)
    assert message in page
    assert f'href="#id_{field}"' in page  # the error summary links to the field
    tag = re.search(rf'<(?:input|select)[^>]*id="id_{field}"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in tag
    assert "<svg viewBox" not in page  # no figures for a bad filter
    download = head_client.get(f"/statistik/statistik.csv?{query}")
    assert download.status_code == 400 and message in download.content.decode()


def test_csv_download_has_the_same_figures(world, head_client):
    response = head_client.get(f"/statistik/statistik.csv?{PERIOD}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "statistik-helsingoer-2026-01-01-2026-03-31.csv" in response["Content-Disposition"]
    tables = _csv_tables(response.content)
    garanti = tables["Behandlingsgaranti pr. måned for garantidatoen"]
    assert garanti[1:] == [
        ["januar 2026", "2", "0", "0", "2", "100,0", "0"],
        ["februar 2026", "1", "3", "0", "4", "25,0", "0"],
        ["marts 2026", "0", "1", "0", "1", "0,0", "0"],
        ["I alt", "3", "4", "0", "7", "42,9", "0"],
    ]
    waiting = tables["Ventetid fra henvendelse til start (dage)"]
    assert waiting[1:] == [
        ["0–7", "1"], ["8–14", "2"], ["15–28", "3"], ["29+", "1"], ["I alt", "7"],
        ["Median (dage)", "16,0"],
    ]  # fmt: skip
    standard = registry.load("helsingoer", d(3, 31)).standard
    title = {o.id: o.title for o in standard.offers}
    centre, private = (
        Provider.objects.get(slug=slug).name
        for slug in ("helsingoer_rusmiddelcenter", "privat_doegnbehandling")
    )
    assert tables["Forløb pr. tilbud og leverandør"][1:] == [
        [title["individuelle_samtaler"], centre, "Nej", "3", "4"],
        [title["individuelle_samtaler"], private, "Nej", "1", "2"],
        [title["kokain_hashstop"], private, "Nej", "0", "1"],
        ["Navngivne forløb i alt", "", "", "4", "7"],
        [title["anonym_raadgivning"], centre, "Ja", "<3", "<3"],  # C12 active, C9 started
        ["Anonyme forløb i alt", "", "", "<3", "<3"],
    ]
    outcomes = {r[0]: r for r in tables["Resultat ved afslutning i forhold til regeringens mål"]}
    assert outcomes["Stoffer"][1] == "4" and outcomes["Stoffer"][-2:] == ["3", "75,0"]
    assert outcomes["Alkohol"][-2:] == ["2", "66,7"]
    follow = tables["Opfølgning efter afsluttet forløb"]
    assert follow[1:] == [
        ["Efter 1 måned(er)", "3", "2", "1", "33,3"],
        ["Efter 6 måned(er)", "2", "1", "1", "50,0"],
    ]
    fit = tables["FIT: ændring i ORS fra første til seneste måling"]
    assert fit[1] == ["4", "1,0", "1", "25,0", "1", "25,0"]


def test_xlsx_download_has_the_same_figures(world, head_client):
    from openpyxl import load_workbook

    response = head_client.get(f"/statistik/statistik.xlsx?{PERIOD}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "Filtre", "garanti", "ventetid", "belastning", "resultater", "opfoelgning", "fit",
    ]  # fmt: skip
    garanti = [list(r) for r in book["garanti"].iter_rows(min_row=3, values_only=True)]
    assert garanti == [
        ["januar 2026", 2, 0, 0, 2, 100.0, 0],
        ["februar 2026", 1, 3, 0, 4, 25.0, 0],
        ["marts 2026", 0, 1, 0, 1, 0.0, 0],
        ["I alt", 3, 4, 0, 7, 42.9, 0],
    ]
    fit = list(book["fit"].iter_rows(min_row=3, values_only=True))
    assert list(fit[0]) == [4, 1.0, 1, 25.0, 1, 25.0]
    waiting = {r[0]: r[1] for r in book["ventetid"].iter_rows(min_row=3, values_only=True)}
    assert waiting["Median (dage)"] == 16.0 and waiting["15–28"] == 3
    filters = {r[0]: r[1] for r in book["Filtre"].iter_rows(values_only=True)}
    assert filters["Periode"] == "01.01.2026–31.03.2026"


def _measure(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_the_data(tenants, head_client):
    f = Fixture()
    urls = [f"/statistik/?{PERIOD}", f"/statistik/statistik.csv?{PERIOD}"]

    def make(n: int, start: int) -> None:
        for i in range(start, start + n):
            day = d(1, 1) + dt.timedelta(days=3 * i)
            course = f.guaranteed(
                "individuelle_samtaler", f.centre, day, day + dt.timedelta(days=14),
                day + dt.timedelta(days=i % 20), day + dt.timedelta(days=30), "drugs", "reduced",
            )  # fmt: skip
            f.follow_up(course, 1, day + dt.timedelta(days=60))
            for week in range(2):
                f.ors(course, dt.datetime(2026, day.month, day.day, 9, tzinfo=dt.UTC)
                      + dt.timedelta(weeks=week), 10 + 5 * week)  # fmt: skip

    make(2, 0)
    few = {url: _measure(head_client, url) for url in urls}
    make(18, 2)
    many = {url: _measure(head_client, url) for url in urls}
    page = html(head_client.get(urls[0]))
    assert "<td>20</td>" in page  # twenty courses counted …
    for url in urls:
        assert many[url] == few[url], url  # … in the same number of queries
        assert many[url] <= MAX_QUERIES, (url, many[url])
