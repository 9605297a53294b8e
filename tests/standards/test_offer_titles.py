"""Every offer has a title of its own (issue 19, item 12: "Konsulentopgaver" appeared twice in
every list of Helsingør's offers, once for the families' professionals and once for the young
people's). The seed names both so; the standard file tells them apart, and a file with two
offers by one title is refused, naming the line."""

from __future__ import annotations

import pytest
from django.test import Client

from factories import staff
from rusmiddel.standards.loader import StandardFileError, load_file
from rusmiddel.standards.registry import PACKAGE_DATA

SEEDS = {m: PACKAGE_DATA / m / "2024-01-01.yaml" for m in ("gentofte", "helsingoer")}


@pytest.mark.parametrize("municipality", SEEDS)
def test_no_two_offers_of_a_standard_share_a_title(municipality):
    titles = [o.title for o in load_file(SEEDS[municipality]).standard.offers]
    assert len(titles) == len(set(titles)), sorted(t for t in titles if titles.count(t) > 1)


def test_helsingoers_two_offers_for_professionals_are_told_apart():
    offers = {o.id: o for o in load_file(SEEDS["helsingoer"]).standard.offers}
    assert offers["konsulentopgaver"].title == "Konsulentopgaver (familier)"
    assert offers["unge_konsulentopgaver"].title == "Konsulentopgaver (unge)"
    # the file says why it differs from the seed's words
    assert "Konsulentopgaver" in offers["konsulentopgaver"].reading


def test_a_file_with_two_offers_by_one_title_names_the_second(tmp_path):
    text = SEEDS["helsingoer"].read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    youth = "Konsulentopgaver (unge)"
    number = next(n for n, line in enumerate(lines, 1) if line.strip() == f"title: {youth}")
    # the same title but for case and spaces
    lines[number - 1] = lines[number - 1].replace(youth, "konsulentopgaver  (FAMILIER)")
    path = tmp_path / "helsingoer" / "2024-01-01.yaml"
    path.parent.mkdir()
    path.write_text("".join(lines), encoding="utf-8")

    with pytest.raises(StandardFileError) as caught:
        load_file(path)

    [problem] = caught.value.lines()
    assert problem.startswith(f"{path}:{number}: offers[")
    assert problem.endswith(
        ".title: the title 'konsulentopgaver (FAMILIER)' is also the title of offer "
        "'konsulentopgaver': give each offer a title of its own"
    )


@pytest.mark.django_db
def test_the_list_of_offers_staff_pick_from_names_each_once(tenants):
    """Ny henvendelse's "Hvad ønskes?" lists Helsingør's offers: each title once."""
    client = Client()
    client.force_login(staff("therapist", "helsingoer"))
    page = client.get("/sager/ny/").content.decode()
    assert page.count(">Konsulentopgaver (familier)</option>") == 1
    assert page.count(">Konsulentopgaver (unge)</option>") == 1
    assert ">Konsulentopgaver</option>" not in page
