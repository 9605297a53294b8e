"""The pure register mapping (rules.registers): code tables, TDI 99 for what is not known,
the order of secondary drugs (REGISTERS.md: injected first, then frequency, then the list's
order), scope and the validation of one record."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from rusmiddel.rules import registers as r
from rusmiddel.rules.registers import SubstanceUse, order_secondary

BASE = r.CourseInput(
    municipality="helsingoer",
    case_number="HELSINGOER-2026-000001",
    anonymous=False,
    pseudonym="",
    cpr="0101901238",
    birth_date=dt.date(1990, 1, 1),
    person_role="user",
    course_id=1,
    offer="kokain_hashstop",
    offer_known=True,
    setting="outpatient",
    offer_substances=("drugs",),
    offer_treatment=True,
    substance="drugs",
    provider="helsingoer_rusmiddelcenter",
    started_on=dt.date(2026, 3, 10),
    ended_on=None,
    end_reason="",
    outcome="",
    request_date=dt.date(2026, 3, 2),
    contact_by="citizen",
    guarantee_due=dt.date(2026, 3, 16),
    facts={"use": {"substances": [{"substance": "cocaine", "primary": True}]}},
    start_facts={"use_frequency": "days_2_3", "housing": "own", "occupation": "student"},
)


def course(**changes) -> r.CourseInput:
    return dataclasses.replace(BASE, **changes)


def test_every_register_column_is_filled_by_the_mapping():
    for register in r.REGISTERS:
        row = r.register_row(register, BASE)
        assert list(row.values) == [name for name, _ in r.columns(register)]
        # every column but those that are empty by nature (no end yet, no secondary drug)
        empty = {k for k, v in row.values.items() if v == ""}
        assert empty <= {
            "slutdato",
            "afslutningsaarsag",
            "slutstatus",
            "bistoffer",
            "leverandoer",
            *(f"secondary_drug_{i}" for i in range(1, 5)),
        }, (register, empty)


@pytest.mark.parametrize(
    ("substance", "code"),
    [
        ("opioids", "1"),
        ("cocaine", "2"),
        ("amphetamine", "3.1"),
        ("ecstasy", "3.3"),
        ("benzodiazepines", "4.2"),
        ("ghb", "4.3"),
        ("hallucinogens", "5"),
        ("cannabis", "7.1"),
        ("alcohol", "8"),
        ("performance_enhancing", "9"),
        ("something new", "9"),
    ],
)
def test_tdi_drug_codes(substance, code):
    assert r.tdi_drug(substance) == code


def test_secondary_drugs_injected_first_then_frequency_then_list_order():
    uses = [
        SubstanceUse("cannabis", position=0),  # 7.1
        SubstanceUse("alcohol", frequency=1, position=1),  # 8, daily
        SubstanceUse("benzodiazepines", injecting=True, frequency=4, position=2),  # 4.2
        SubstanceUse("amphetamine", position=3),  # 3.1
        SubstanceUse("opioids", injecting=True, frequency=1, position=4),  # 1
        SubstanceUse("ecstasy", frequency=1, position=5),  # 3.3, daily
    ]
    ordered = [u.substance for u in order_secondary(uses)]
    assert ordered == [
        "opioids",  # injected, daily
        "benzodiazepines",  # injected, weekly
        "ecstasy",  # daily, 3.3 before 8 on the list
        "alcohol",
        "amphetamine",  # frequency unknown: 3.1 before 7.1
        "cannabis",
    ]


def test_secondary_drugs_from_the_assessment_put_the_injected_one_first():
    facts = {
        "use": {
            "substances": [
                {"substance": "cannabis"},
                {"substance": "opioids", "primary": True},
                {"substance": "cocaine", "injecting": True},
                {"substance": "alcohol"},
            ]
        }
    }
    items = r.tdi_items(course(facts=facts))
    assert items["primary_drug"] == "1"
    assert [items[f"secondary_drug_{i}"] for i in range(1, 5)] == ["2", "7.1", "8", ""]
    assert (items["polydrug"], items["injecting"], items["route"]) == ("1", "2", "99")


def test_one_substance_listed_is_the_primary_one_and_its_usual_route():
    facts = {"use": {"substances": [{"substance": "cannabis"}]}}
    items = r.tdi_items(course(facts=facts))
    assert (items["primary_drug"], items["route"], items["polydrug"]) == ("7.1", "2", "2")
    injected = {"use": {"substances": [{"substance": "opioids", "injecting": True}]}}
    assert r.tdi_items(course(facts=injected))["route"] == "1"


def test_tdi_is_99_for_everything_not_known():
    bare = course(
        anonymous=True,
        cpr="",
        birth_date=None,
        setting="",
        contact_by="",
        facts={},
        start_facts=None,
    )
    items = r.tdi_items(bare)
    known = {"year_of_start": "2026"}
    unknown = {k for k, v in items.items() if v == "99"}
    assert unknown == {k for k in items if k not in known and not k.startswith("secondary_drug")}
    assert all(items[f"secondary_drug_{i}"] == "" for i in range(1, 5))


def test_tdi_codes_of_a_known_start():
    facts = {
        **BASE.facts,
        "history": {"previous_offers": ["ambulant"]},
        "person": {"children_at_home": 2},
    }
    items = r.tdi_items(course(facts=facts, setting="residential", contact_by="professional"))
    assert items == {
        **items,
        "centre_type": "2",
        "treatment_status": "2",
        "sex": "2",  # the CPR number ends even
        "age_at_start": "36",
        "source_of_referral": "4",
        "living_with_children": "2",
        "living_where": "1",
        "labour_status": "3",
        "frequency": "3",
        "education": "99",
        "age_first_use": "99",
    }
    never = {**BASE.facts, "history": {"ever_in_contact_with_treatment_system": False}}
    assert r.tdi_items(course(facts=never))["treatment_status"] == "1"


@pytest.mark.parametrize(
    ("housing", "where", "whom"),
    [
        ("own", "1", "99"),
        ("rented", "1", "99"),
        ("temporary", "2", "99"),
        ("homeless", "2", "99"),
        ("shelter", "2", "6"),
        ("institution", "4", "6"),
    ],
)
def test_living_where_and_with_whom(housing, where, whom):
    items = r.tdi_items(course(start_facts={"housing": housing, "use_frequency": "daily"}))
    assert (items["living_where"], items["living_with_whom"]) == (where, whom)


def test_key_facts_at_the_start_win_over_the_assessment():
    facts = {**BASE.facts, "social": {"housing": "homeless", "occupation": "unemployed"}}
    items = r.tdi_items(course(facts=facts))
    assert (items["living_where"], items["labour_status"]) == ("1", "3")  # own, student
    items = r.tdi_items(course(facts=facts, start_facts=None))
    assert (items["living_where"], items["labour_status"]) == ("2", "4")


@pytest.mark.parametrize(
    ("start", "guarantee", "expected"),
    [
        (dt.date(2026, 3, 16), dt.date(2026, 3, 16), "overholdt"),
        (dt.date(2026, 3, 17), dt.date(2026, 3, 16), "ikke_overholdt"),
        (dt.date(2026, 3, 17), None, "ikke_omfattet"),
    ],
)
def test_the_guarantee(start, guarantee, expected):
    assert r.guarantee_status(course(started_on=start, guarantee_due=guarantee)) == expected


@pytest.mark.parametrize(
    ("register", "outcome", "status"),
    [
        ("sib", "substance_free", "stoffri"),
        ("sib", "reduced", "reduceret_stabiliseret"),
        ("sib", "stabilised", "reduceret_stabiliseret"),
        ("sib", "unchanged", "andet"),
        ("sib", "dropped_out", "andet"),
        ("nab", "substance_free", "alkoholfri"),
        ("nab", "reduced", "reduceret"),
        ("nab", "referred", "henvist"),
        ("nab", "deceased", "andet"),
    ],
)
def test_end_status(register, outcome, status):
    assert r.end_status(register, outcome) == status


def test_an_anonymous_record_has_no_cpr_and_is_flagged():
    values = r.register_row("sib", course(anonymous=True, cpr="", birth_date=None)).values
    assert (values["cpr"], values["anonym"]) == ("", "1")
    assert r.register_row("sib", BASE).values["anonym"] == "0"


def test_scope():
    assert r.in_scope("sib", BASE, 2026) and r.in_scope("tdi", BASE, 2026)
    assert not r.in_scope("nab", BASE, 2026)
    assert not r.in_scope("tdi", BASE, 2027) and r.in_scope("sib", BASE, 2027)  # still active
    assert not r.in_scope("sib", course(ended_on=dt.date(2026, 12, 1)), 2027)
    assert not r.in_scope("sib", course(birth_date=dt.date(2009, 1, 1)), 2026)  # 17
    assert r.in_scope("tdi", course(birth_date=dt.date(2009, 1, 1)), 2026)
    assert not r.in_scope("sib", course(person_role="relative"), 2026)
    assert not r.in_scope("sib", course(offer_treatment=False), 2026)
    # an offer for both substances: the assessment's primary substance decides
    both = course(substance="", offer_substances=("drugs", "alcohol"))
    assert r.in_scope("sib", both, 2026)
    alcohol = {"use": {"substances": [{"substance": "alcohol", "primary": True}]}}
    assert r.in_scope("nab", dataclasses.replace(both, facts=alcohol), 2026)


@pytest.mark.parametrize(
    ("register", "changes", "expected"),
    [
        ("sib", {}, []),
        ("sib", {"request_date": None}, [("anmodningsdato", "no_request", True)]),
        (
            "sib",
            {"started_on": dt.date(2026, 3, 1)},
            [("startdato", "start_before_request", True)],
        ),
        ("sib", {"offer_known": False}, [("behandlingstype", "unknown_offer", True)]),
        ("sib", {"facts": {}}, [("hovedstof", "no_primary", True)]),
        ("sib", {"municipality": "roskilde_fjord"}, [("kommunekode", "municipality_code", True)]),
        (
            "sib",
            {"ended_on": dt.date(2026, 6, 1)},
            [("afslutningsaarsag", "no_end_reason", True), ("slutstatus", "no_outcome", True)],
        ),
        ("sib", {"cpr": ""}, [("cpr", "no_cpr", True)]),
        ("sib", {"anonymous": True, "cpr": ""}, []),
        ("nab", {"start_facts": None}, [("forbrug_start", "unknown_frequency", False)]),
        (
            "tdi",
            {"facts": {}},
            [
                ("primary_drug", "no_primary", True),
                ("treatment_status", "unknown_treatment_status", False),
            ],
        ),
        (
            "tdi",
            {"start_facts": None},
            [
                ("treatment_status", "unknown_treatment_status", False),
                ("living_where", "unknown_living_where", False),
                ("labour_status", "unknown_labour_status", False),
                ("frequency", "unknown_frequency", False),
            ],
        ),
    ],
)
def test_validation_names_the_field(register, changes, expected):
    if register == "tdi" and "facts" not in changes:
        changes = {**changes, "facts": {**BASE.facts, "history": {}}}
    row = r.register_row(register, course(**changes))
    assert [(p.field, p.code, p.blocking) for p in row.problems] == expected
    assert row.valid == (not any(b for _, _, b in expected))
    for p in row.problems:
        assert p.message.strip() and p.message[0].isupper()


def test_an_unknown_register_is_refused():
    with pytest.raises(ValueError, match="register"):
        r.register_row("lpr", BASE)


def test_every_danish_municipality_has_its_official_code():
    """98 municipalities, 98 distinct three-digit codes (Danmarks Statistik's numbers)."""
    codes = r.table()["municipality_codes"]
    assert len(codes) == 98 and len(set(codes.values())) == 98
    assert all(len(c) == 3 and c.isdigit() for c in codes.values())
    assert codes["koebenhavn"] == "101" and codes["aalborg"] == "851"
    assert codes["gentofte"] == "157" and codes["helsingoer"] == "217"
