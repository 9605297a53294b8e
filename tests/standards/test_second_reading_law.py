"""Issue 18, second reading of the law: the citations the standard files rest on, the seed's
own wording kept beside them, `standard check`'s warnings about outdated citations, and the
elements of each standard's assessment (udredning).

Each test is named after the statute or the seed passage it holds. Sources: DESIGN.md, "Legal
notes" (2026-12-07); the seeds 000_4d2e5a9c8648a4a1.txt (Gentofte) and
001_813fdf5c3fea97dc.txt (Helsingør).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import hypothesis.strategies as st
import pytest
from hypothesis import given, settings

from rusmiddel.cli import main
from rusmiddel.standards.citations import (
    outdated_in,
    parse,
    seed_wording,
    warning_lines,
    warnings_of,
    with_seed_wording,
)
from rusmiddel.standards.loader import StandardFileError, load_file
from rusmiddel.standards.registry import PACKAGE_DATA, load
from rusmiddel.standards.render import to_markdown
from rusmiddel.standards.schema import DEFAULT_ASSESSMENT_SECTIONS

ON = dt.date(2026, 12, 7)
FILES = {m: PACKAGE_DATA / m / "2024-01-01.yaml" for m in ("gentofte", "helsingoer")}


def standard(municipality: str):
    return load(municipality, ON).standard


def every_citation(municipality: str) -> list[str]:
    """Every citation the standard decides on: offers, free choice, payment, guarantee."""
    s = standard(municipality)
    out = [c for o in s.offers for c in o.legal_basis]
    out += [b.citation for b in s.legal_bases]
    out += list(s.free_choice.legal_basis) + [c for p in s.self_payment for c in p.legal_basis]
    return [*out, s.deadlines.treatment_guarantee.basis]


def copy_with(tmp_path: Path, municipality: str, old: str, new: str) -> tuple[Path, int]:
    """The standard file with the first `old` replaced; (the copy, the line it stands on)."""
    text = FILES[municipality].read_text(encoding="utf-8")
    at = text.index(old)
    target = tmp_path / municipality / "2024-01-01.yaml"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text[:at] + new + text[at + len(old) :], encoding="utf-8")
    return target, text.count("\n", 0, at) + 1


# --- barnets lov § 33 ------------------------------------------------------------------------


@pytest.mark.parametrize("municipality", FILES)
def test_barnets_lov_33_is_youth_drug_treatment_not_32(municipality):
    """DESIGN.md: "social drug treatment of young people under 18 is barnets lov § 33 … § 32
    is the general supportive measures". No citation the files decide on names § 32."""
    citations = every_citation(municipality)
    assert "barnets lov § 33" in citations
    assert not [c for c in citations if re.search(r"barnets lov §+ ?32\b", c)]
    action = next(a for a in standard(municipality).actions if a.id == "youth_legal_basis")
    assert "barnets lov § 33" in action.text and "§ 32" not in action.text
    assert "§ 52, stk. 3" in action.text  # the seed's (former) paragraph, named as former


def test_barnets_lov_33_helsingoer_youth_offers_and_the_seeds_section_52():
    """Seed (Helsingør, Lovgrundlag): "Behandlingen af unge under 18 år gives i henhold til
    servicelovens § 52, stk. 3 nr. 3 eller nr. 9." — today barnets lov § 33, the seed's wording
    kept beside it; Dagteamet is for under-18s only, so serviceloven is not its basis."""
    s = standard("helsingoer")
    for offer_id in ("unge_individuel", "unge_gruppe", "kokain_hashstop"):
        assert s.offer(offer_id).legal_basis == ["SEL § 101", "barnets lov § 33"]
    assert s.offer("dagteamet").legal_basis == ["barnets lov § 33"]
    assert seed_wording(s, "barnets lov § 33") == "servicelovens § 52, stk. 3 nr. 3 eller nr. 9"


# --- SEL § 11 → barnets lov; SEL § 10 --------------------------------------------------------


@pytest.mark.parametrize("municipality", FILES)
def test_sel_11_moved_to_barnets_lov_on_1_january_2024(municipality):
    """DESIGN.md: "SEL § 11 (counselling of families with children) moved to barnets lov on
    1 January 2024; general free counselling of adults is SEL § 10"."""
    for citation in every_citation(municipality):
        assert not any(r.law == "SEL" and r.paragraph == "11" for r in parse(citation)), citation


def test_sel_10_gentofte_raadgivning_rusmiddelkonsulent():
    """Seed (Gentofte, Rådgivning, vejledning og coaching): "tilbyder Gentofte Kommune gratis
    og anonym støtte fra en rusmiddelkonsulent" — no paragraph in the seed; read as the
    general free counselling of SEL § 10."""
    assert standard("gentofte").offer("raadgivning").legal_basis == ["SEL § 10"]


def test_sel_10_and_barnets_lov_helsingoer_forældreaftner_and_anonymous_counselling():
    """Seed (Helsingør, under 25 år): "Den anonyme rådgivning er etableret i henhold til
    servicelovens §§ 10 og 11" and "Forældrekurser etableres i henhold til servicelovens
    § 11"."""
    s = standard("helsingoer")
    assert s.offer("unge_anonym_raadgivning").legal_basis == ["SEL § 10", "barnets lov §§ 28-31"]
    assert s.offer("foraeldreaftner").legal_basis == ["barnets lov §§ 28-31"]
    for offer_id in ("anonym_raadgivning", "paaroerendegruppe", "konsulentopgaver"):
        assert s.offer(offer_id).legal_basis == ["SEL § 10"]
    assert with_seed_wording(s, ["barnets lov §§ 28-31"]) == [
        "barnets lov §§ 28-31 (standarden: servicelovens § 11)"
    ]


# --- retssikkerhedsloven §§ 66-67 ------------------------------------------------------------


@pytest.mark.parametrize("municipality", FILES)
def test_retssikkerhedsloven_67_deadline_and_66_reassessment(municipality):
    """DESIGN.md: "retssikkerhedsloven §§ 66–67: § 67 the 4-week deadline, § 66 the
    reassessment"."""
    bases = {b.citation: b for b in standard(municipality).legal_bases}
    assert "4 uger" in bases["retssikkerhedsloven § 67"].text
    assert "genvurderer" in bases["retssikkerhedsloven § 66"].text
    assert "inden 4 uger efter, at" not in bases["retssikkerhedsloven § 66"].text


# --- SEL § 101, stk. 5-7 ---------------------------------------------------------------------


@pytest.mark.parametrize("municipality", FILES)
def test_sel_101_stk_5_to_7_free_choice(municipality):
    """DESIGN.md, "Current numbering": "stk. 5 free choice, stk. 6 the guarantee may lapse when
    the citizen chooses another provider, stk. 7 free choice may be limited"."""
    s = standard(municipality)
    assert s.free_choice.legal_basis[0] == "SEL § 101, stk. 5-7"
    bases = {b.citation: b for b in s.legal_bases}
    assert "14 dage" in bases["SEL § 101, stk. 6"].text
    assert "fraviges" in bases["SEL § 101, stk. 6"].text
    assert "stk. 6" in s.free_choice.text


def test_sel_101_old_numbering_helsingoer_frit_valg_and_behandlingsgaranti():
    """Seed (Helsingør): "I servicelovens § 101, stk. 2 … er der fastsat en behandlingsgaranti
    på 14 dage" and "I servicelovens § 101, stk. 4 beskrives borgerens ret til frit valg":
    the numbering before lov nr. 1421 af 17. december 2019, shown beside today's."""
    s = standard("helsingoer")
    assert with_seed_wording(s, s.free_choice.legal_basis) == [
        "SEL § 101, stk. 5-7 (standarden: servicelovens § 101, stk. 4)",
        "SUL § 141",
    ]
    assert with_seed_wording(s, [s.deadlines.treatment_guarantee.basis]) == [
        "SEL § 101, stk. 4 og SUL § 141, stk. 2 (standarden: servicelovens § 101, stk. 2)"
    ]


def test_seed_wording_is_left_out_where_the_seed_cites_the_same_paragraph():
    """Seed (Gentofte, Lovgrundlag): "§ 101: Kommunalbestyrelsen skal tilbyde social
    behandling …" — the same paragraph as today's, so nothing is added beside it."""
    s = standard("gentofte")
    assert with_seed_wording(s, ["SEL § 101", "SUL § 142", "SEL § 101, stk. 4"]) == [
        "SEL § 101",
        "SUL § 142",
        "SEL § 101, stk. 4",
    ]


def test_standard_show_renders_the_seeds_wording_beside_the_offers_legal_basis(capsys):
    """`rusmiddel standard show`: "barnets lov § 33 (standarden: …)" on the offer's basis."""
    assert main(["standard", "show", "helsingoer", "--on", ON.isoformat()]) == 0
    shown = capsys.readouterr().out
    assert (
        "| Lovgrundlag | SEL § 101, barnets lov § 33 (standarden: servicelovens § 52, stk. 3 "
        "nr. 3 eller nr. 9) |"
    ) in shown
    assert "(SEL § 101, stk. 5-7 (standarden: servicelovens § 101, stk. 4), SUL § 141)" in shown


# --- standard check: outdated citations ------------------------------------------------------


def test_citations_register_sel_52_sel_11_and_renumbered_101():
    """src/rusmiddel/standards/citations.yaml: SEL § 52 and § 11 (barnets lov, 1 January 2024),
    barnets lov § 32 for drug treatment (§ 33), SEL § 101, stk. 2/4 before lov nr. 1421 af
    17. december 2019 — read as citations, with context where the old number is in use."""
    day = dt.date(2024, 6, 1)
    assert [e.old for _, e in outdated_in("servicelovens § 52, stk. 3, nr. 3", "x", day)] == [
        "SEL § 52"
    ]
    assert [e.old for _, e in outdated_in("SEL §§ 10-11", "x", day)] == ["SEL § 11"]
    assert [e.old for _, e in outdated_in("barnets lov § 32", "x", day)] == ["barnets lov § 32"]
    # the old stk. 4 (free choice) is today's guarantee: only free choice is warned about
    assert outdated_in("SEL § 101, stk. 4", "deadlines.treatment_guarantee.basis", day) == []
    assert outdated_in("SEL § 101, stk. 4", "free_choice.legal_basis[0]", day)
    assert outdated_in("servicelovens § 101, stk. 2 om behandlingsgaranti", "x", day)
    # a paragraph of another law with the same number is not the old one
    assert outdated_in("SUL § 141, stk. 2", "deadlines.treatment_guarantee.basis", day) == []
    # written as a former citation, it is the seed's wording
    assert outdated_in("barnets lov § 33 (tidligere servicelovens § 52, stk. 3)", "x", day) == []
    # before the change, the old citation was right
    assert outdated_in("servicelovens § 52, stk. 3", "x", dt.date(2023, 12, 31)) == []


def test_standard_check_warns_file_line_field_and_exits_0(tmp_path, capsys):
    """A new file citing SEL §§ 10-11 is caught like the seeds were: `file:line: field:
    advarsel: …` on stderr, and a valid file still exits 0."""
    path, line = copy_with(
        tmp_path, "gentofte", 'legal_basis: ["SEL § 10"]', 'legal_basis: ["SEL §§ 10-11"]'
    )
    assert main(["standard", "check", str(path)]) == 0
    captured = capsys.readouterr()
    assert "OK" in captured.out
    [warning] = captured.err.splitlines()
    assert warning.startswith(f"{path}:{line}: offers[0].legal_basis[0]: advarsel: 'SEL §§ 10-11'")
    assert "barnets lov §§ 28-31" in warning and "SEL § 10" in warning


def test_standard_check_names_the_line_of_a_citation_within_a_folded_text(tmp_path):
    """The line of a warning is the line the citation stands on inside a folded text, not the
    line of its key: here "servicelovens § 52, stk. 3" once no longer written as former."""
    path, line = copy_with(
        tmp_path,
        "gentofte",
        "barnets lov § 33 (tidligere\n      servicelovens § 52, stk. 3)",
        "barnets lov § 33 (se\n      servicelovens § 52, stk. 3)",
    )
    [warning] = warning_lines(path, warnings_of(path.read_bytes()))
    assert warning.startswith(f"{path}:{line + 1}: legal_bases[8].text: advarsel: 'SEL § 52")


def test_standard_check_seed_wording_kept_on_purpose_does_not_warn(tmp_path):
    """The seed's own wording (`seed_wording`, `reading`, `section`) is quoted on purpose."""
    path, _ = copy_with(
        tmp_path,
        "gentofte",
        "    seed_wording: frit valg af leverandør (uden paragrafhenvisning)",
        "    seed_wording: servicelovens § 101, stk. 4 og § 52, stk. 3 og §§ 10-11",
    )
    assert warnings_of(path.read_bytes()) == []


def test_standard_check_an_invalid_file_keeps_exit_2_and_still_warns(tmp_path, capsys):
    path, _ = copy_with(tmp_path, "gentofte", "  complaint_weeks: 4", "  complaint_weeks: fire")
    text = path.read_text(encoding="utf-8").replace('["SEL § 10"]', '["SEL § 11"]', 1)
    path.write_text(text, encoding="utf-8")
    assert main(["standard", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert ": deadlines.complaint_weeks: " in err and "advarsel: 'SEL § 11'" in err


def test_standard_check_shipped_files_warn_only_about_the_contracts_offer_titles():
    """Every citation the files decide on is current. Left: two Helsingør offer titles that
    contracts/offers.md fixes word for word ("… SEL §§ 10–11", "Forældreaftner (SEL § 11)")."""
    assert warnings_of(FILES["gentofte"].read_bytes()) == []
    paths = {w.path for w in warnings_of(FILES["helsingoer"].read_bytes())}
    s = standard("helsingoer")
    titled = {
        f"offers[{i}].title"
        for i, o in enumerate(s.offers)
        if "§ 11" in o.title or "§§ 10" in o.title
    }
    assert paths == titled and {s.offers[int(p[7:-7])].id for p in paths} == {
        "unge_anonym_raadgivning",
        "foraeldreaftner",
    }


# --- the assessment's sections ----------------------------------------------------------------


def test_kriterier_den_samlede_vurdering_gentofte_motivation_and_medvirken():
    """Seed (Gentofte, Kriterier): "Den samlede vurdering vil indeholde en beskrivelse af
    borgerens: fysiske og psykiske tilstand, forbrug af rusmidler, sociale situation,
    motivation for at engagere sig i behandling …, medvirken til aktivt at løse egne
    problemer."""
    sections = standard("gentofte").assessment_sections()
    assert [p.id for p in sections] == [
        "fysisk_psykisk_tilstand",
        "forbrug",
        "social_situation",
        "motivation",
        "medvirken",
    ]
    assert all(p.section == "Kriterier – den samlede vurdering" for p in sections)
    assert sections[3].reading and sections[4].reading


def test_udredning_indskrivning_helsingoer_sociale_fysiske_og_psykiske_forhold():
    """Seed (Helsingør, Udredning/indskrivning): "Der foretages en grundig udredning af
    borgerens samlede situation, sociale, fysiske og psykiske forhold, som udmunder i en
    behandlingsplan"; "… tager udgangspunkt i den enkeltes problemstillinger, situation,
    ressourcer og ønsker"."""
    assert [p.id for p in standard("helsingoer").assessment_sections()] == [
        "sociale_forhold",
        "fysiske_forhold",
        "psykiske_forhold",
        "ressourcer_og_oensker",
    ]


def test_assessment_sections_default_where_a_standard_is_silent(tmp_path):
    """A standard without `assessment` asks for one overall assessment (forvaltningsloven
    § 24: the main considerations)."""
    text = FILES["gentofte"].read_text(encoding="utf-8")
    start, end = text.index("\nassessment:\n"), text.index("\ntexts:\n")
    path = tmp_path / "gentofte" / "2024-01-01.yaml"
    path.parent.mkdir()
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    compiled = load_file(path)
    assert compiled.standard.assessment_sections() == list(DEFAULT_ASSESSMENT_SECTIONS)
    assert "**Samlet vurdering**" in to_markdown(compiled)


def test_assessment_sections_a_duplicate_id_names_file_line_and_field(tmp_path):
    path, _ = copy_with(tmp_path, "gentofte", "    - id: medvirken", "    - id: motivation")
    with pytest.raises(StandardFileError) as caught:
        load_file(path)
    [problem] = caught.value.lines()
    assert re.match(rf"{re.escape(str(path))}:\d+: assessment\.sections: each section id", problem)


# --- whatever the file holds, the warnings pass never fails -------------------------------------

SEED_TEXT = {m: p.read_text(encoding="utf-8") for m, p in FILES.items()}


@st.composite
def _mutated(draw) -> str:
    lines = SEED_TEXT[draw(st.sampled_from(sorted(FILES)))].splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["delete", "cut", "indent", "text"]))
        if kind == "delete":
            del lines[i]
        elif kind == "cut":
            lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))] + "\n"
        elif kind == "indent":
            lines[i] = " " * draw(st.integers(0, 8)) + lines[i].lstrip(" ")
        else:
            lines.insert(i, draw(st.text(max_size=30)) + "\n")
    return "".join(lines)


@settings(max_examples=40, deadline=None, database=None)
@given(st.one_of(_mutated(), st.text(max_size=200), st.binary(max_size=100)))
def test_standard_check_warnings_of_any_file_are_warnings_or_none(text):
    raw = text if isinstance(text, bytes) else text.encode("utf-8", "replace")
    for line in warning_lines("x.yaml", warnings_of(raw)):
        assert "\n" not in line and re.match(r"x\.yaml:(\d+|\?): \S+: advarsel: '", line), line
