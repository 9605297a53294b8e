"""A standard's text is rendered as text (issue 17, item 8): raw HTML in it is shown, never
run, and a link keeps its target only when that is http, https, mailto, tel or relative —
in `rusmiddel standard show --format html` and on /standarder/<municipality>/ alike."""

from __future__ import annotations

import re

import pytest

from hostile_files import hostile_text, write
from rusmiddel.cli import main
from rusmiddel.standards.loader import load_file
from rusmiddel.standards.render import to_html

ON = "2026-11-24"


def assert_text_only(html: str) -> None:
    """No markup from the file's text; its safe links and the document's lists still work."""
    assert "<script" not in html and "<img" not in html and "<b " not in html
    assert "&lt;script&gt;alert('tekst')&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "Indledning &lt;b onclick=x&gt;fed&lt;/b&gt;" in html
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert "https://www.gentofte.dk" in hrefs and "mailto:rusmiddel@gentofte.dk" in hrefs
    assert not [h for h in hrefs if not h.startswith(("https:", "mailto:", "/", "#", "?"))], hrefs
    assert re.search(r"<a>klik</a>.*<a>data</a>.*<a>vb</a>.*<a>tab</a>", html)  # text, no target
    assert "<li>" in html and "<table>" in html and "<h3>" in html


@pytest.fixture
def testby(tmp_path, monkeypatch):
    """A municipality `testby` whose standard is the Gentofte seed with hostile text."""
    path = write(tmp_path, hostile_text("testby"), municipality="testby")
    monkeypatch.setenv("RUSMIDDEL_STANDARDS_PATH", str(tmp_path))
    return path


def test_to_html_shows_the_files_html_as_text(testby):
    assert_text_only(to_html(load_file(testby)))


def test_standard_show_html_shows_the_files_html_as_text(testby, capsys):
    assert main(["standard", "show", "testby", "--on", ON, "--format", "html"]) == 0
    assert_text_only(capsys.readouterr().out)


@pytest.mark.django_db
def test_the_standard_page_shows_the_files_html_as_text(testby, client):
    response = client.get(f"/standarder/testby/?on={ON}")
    assert response.status_code == 200
    page = response.content.decode()
    document = page.split('<main id="main-content"')[1].split("</main>")[0]
    assert_text_only(document)


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://www.gentofte.dk/a?b=1&c=2", True),
        ("http://x.dk", True),
        ("mailto:a@b.dk", True),
        ("tel:+4512345678", True),
        ("/standarder/gentofte/", True),
        ("#frister", True),
        ("side.html?x=a:b", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        (" javascript:alert(1)", False),
        ("java\tscript:alert(1)", False),
        ("java&#09;script:alert(1)", False),
        ("&#106;avascript:alert(1)", False),
        ("javascript&colon;alert(1)", False),
        ("data:text/html;base64,PHNjcmlwdD4=", False),
        ("vbscript:msgbox", False),
        ("file:///etc/passwd", False),
    ],
)
def test_safe_url(url, safe):
    from rusmiddel.standards.render import safe_url

    assert safe_url(url) is safe
