"""`standard show`: the standard rendered as a Danish document to hold against the PDF."""

import pytest

from rusmiddel.cli import main
from rusmiddel.standards.registry import load
from rusmiddel.standards.render import to_html, to_markdown
from support import OFFER_IDS, TODAY


@pytest.mark.parametrize("municipality", ["gentofte", "helsingoer"])
def test_markdown_has_every_offer_and_the_legal_sections(municipality):
    compiled = load(municipality, TODAY)
    text = to_markdown(compiled)
    for offer in compiled.standard.offers:
        assert f"### {offer.title}" in text
        assert f"`{offer.id}`" in text
    for heading in (
        "## Lovgrundlag",
        "## Målgruppe",
        "## Frister",
        "## Klagevejledning",
        "## Frit valg",
        "## Opbevaring og sletning",
    ):
        assert heading in text
    assert compiled.version in text
    assert len(compiled.standard.offers) == len(OFFER_IDS[municipality])


def test_html_rendering_is_a_fragment_with_tables():
    html = to_html(load("helsingoer", TODAY))
    assert html.startswith("<h1>") and "<table>" in html


def test_show_command(capsys):
    assert main(["standard", "show", "gentofte", "--on", "2026-11-24"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# ") and "Gentofte Kommune" in out


def test_show_unknown_municipality(capsys):
    assert main(["standard", "show", "odense"]) == 2
    assert "odense" in capsys.readouterr().err


def test_docs_readings_is_generated_from_the_current_standard_files():
    """docs/readings.md lists every reading; regenerate with `rusmiddel standard readings`."""
    from pathlib import Path

    from rusmiddel.standards.registry import every_version
    from rusmiddel.standards.render import readings_markdown

    expected = readings_markdown(every_version())
    doc = Path(__file__).parents[2] / "docs" / "readings.md"
    assert doc.read_text("utf-8") == expected, "run: rusmiddel standard readings > docs/readings.md"
    assert expected.count("Læsning:") >= 40
