"""Rules, second reading (issue 18): complaint routes by substance and part, follow-ups by
substance and anonymity, the stop group's two weeks, residential stays, the standard's
numbers and the treatment guarantee's legal basis.

Each test is named after the seed passage (or statute) it holds and quotes it; the seeds are
000_4d2e5a9c8648a4a1.txt (Gentofte) and 001_813fdf5c3fea97dc.txt (Helsingør). Where a seed
is vague, the reading stands beside the rule in the standard file (docs/readings.md).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from rusmiddel import rules
from rusmiddel.cli import main
from rusmiddel.rules import InputError
from rusmiddel.standards.loader import validate
from rusmiddel.standards.registry import load
from support import TODAY

D = dt.date
G, H = "gentofte", "helsingoer"

ALCOHOL_ONLY = {"use": {"substances": [{"substance": "alcohol", "primary": True}]}}
ALCOHOL_AND_CANNABIS = {
    "use": {"substances": [{"substance": "alcohol", "primary": True}, {"substance": "cannabis"}]}
}
COCAINE = {"use": {"substances": [{"substance": "cocaine", "primary": True}]}}


def standard(municipality: str):
    return load(municipality, TODAY).standard


def offer(municipality: str, offer_id: str):
    found = standard(municipality).offer(offer_id)
    assert found is not None, offer_id
    return found


def cli(capsys, *argv: str) -> tuple[int, Any, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 else None), err


def weeks_from(stop: dt.date, days: list[dt.date], weeks: int = 2) -> list[list[dt.date]]:
    """The sessions in each of the `weeks` weeks counted from the stop day (days 0–6, 7–13)."""
    return [
        [d for d in days if stop + dt.timedelta(weeks=w) <= d < stop + dt.timedelta(weeks=w + 1)]
        for w in range(weeks)
    ]


def session_days(municipality: str, offer_id: str, start: dt.date, stop: dt.date | None = None):
    s = standard(municipality)
    found = s.offer(offer_id)
    assert found is not None
    return [x.start.date() for x in rules.group_sessions(found, start, stop, closed=s.closed_days)]


# ------------------------------------------------ 6. Klageadgang: three routes (Helsingør)


@pytest.mark.parametrize("offer_id", ["individuelle_samtaler", "doegnbehandling", "udredning"])
def test_klagevejledning_alkoholbehandling_an_alcohol_only_decision_cannot_be_appealed(offer_id):
    """ "Der kan ikke klages til patientklagenævnet over kommunens beslutning om behandling.
    Der kan heller ikke klages over beslutningen til andre myndigheder" (SUL § 141): a decision
    on an offer for both substances, for a citizen whose only problem is alcohol."""
    # Given a citizen with alcohol only
    s, o = standard(H), offer(H, offer_id)
    # Then the decision goes by the alcohol route: no appeal, no deadline, no Ankestyrelsen
    choice = rules.complaint_routes(s, o, ALCOHOL_ONLY)
    assert choice.route is not None and choice.route.id == "alcohol"
    assert choice.route.appealable is False
    assert rules.complaint_weeks(s, o, ALCOHOL_ONLY) is None
    assert rules.complaint_deadline(s, o, D(2026, 11, 24), ALCOHOL_ONLY) is None


@pytest.mark.parametrize("facts", [COCAINE, ALCOHOL_AND_CANNABIS], ids=["drugs", "both"])
def test_klager_over_den_socialfaglige_del_servicelovens_101_for_a_drug_problem(facts):
    """ "Klagefristen er fire uger … sender de klagen … videre til Ankestyrelsen": a citizen with
    a drug problem, also beside alcohol, keeps the social route of SEL § 101."""
    s, o = standard(H), offer(H, "individuelle_samtaler")
    assert rules.complaint_routes(s, o, facts).route_id == "social"
    deadline = rules.complaint_deadline(s, o, D(2026, 11, 24), facts)
    assert deadline is not None and deadline.date == D(2026, 12, 22)


def test_klageadgang_unknown_substances_keep_the_offers_own_route():
    """Nothing known of the citizen's substances: the offer's own route, so no right of appeal
    is lost (the reading of `complaint_routing.by_substance`)."""
    s, o = standard(H), offer(H, "individuelle_samtaler")
    assert rules.complaint_routes(s, o, {}).route_id == "social"
    assert rules.complaint_routes(s, o, None).route_id == "social"


def test_klager_over_den_medicinske_del_altid_til_styrelsen_for_patientklager():
    """ "Klager over den medicinske del af behandlingen (sundhedsloven §§ 141 og 142) — Rettes
    til Sundhedsvæsenets Patientklagenævn" (today Styrelsen for Patientklager): alcohol
    treatment with medication has no appeal of the decision, but its medical part has a
    complaint body."""
    s = standard(H)
    choice = rules.complaint_routes(s, offer(H, "alkoholbehandling_medicinsk"), ALCOHOL_ONLY)
    assert choice.route_id == "alcohol"
    [(part, route)] = choice.parts
    assert part.title == "Den medicinske del af behandlingen"
    assert route.id == "medical" and "Styrelsen for Patientklager" in route.first_instance
    # an offer whose decision already goes to the medical route names it once
    medical = rules.complaint_routes(s, offer(H, "medicinsk_behandling"), COCAINE)
    assert medical.route_id == "medical" and medical.parts == ()


def test_klagevejledning_gentofte_keeps_the_social_route_for_drugs():
    """Gentofte ("klage over Gentofte Kommunes afgørelse inden 4 uger") has no substance
    routing: a drug decision keeps its route, anonymous treatment none."""
    s = standard(G)
    assert rules.complaint_routes(s, offer(G, "ambulant"), COCAINE).route_id == "social"
    assert rules.complaint_routes(s, offer(G, "anonym_ambulant"), COCAINE).route is None


def test_klageadgang_cli_decision_received_by_the_citizens_substances(capsys):
    """`deadlines --substances`: the route and its deadline from the offer and the substances."""
    base = ["deadlines", "--municipality", H, "--event", "decision_received"]
    base += ["--date", "2026-11-24", "--offer", "individuelle_samtaler"]
    code, doc, _ = cli(capsys, *base, "--substances", "alcohol")
    assert code == 0
    assert doc["complaint_deadline"] is None and doc["complaint_route"] == "alcohol"
    code, doc, _ = cli(capsys, *base, "--substances", "alcohol,cannabis")
    assert doc["complaint_deadline"] == "2026-12-22" and doc["complaint_route"] == "social"
    code, _, err = cli(capsys, *base, "--substances", "beer")
    assert code == 2 and err.count("\n") == 1 and "--substances" in err


def test_klageadgang_routing_names_routes_the_file_defines():
    """A routing rule naming an undefined route is an error of the file, not of a decision."""
    data = _file_data(H)
    data["complaint_routing"]["by_substance"][0]["becomes"] = "nowhere"
    standard_, _, problems = validate(data)
    assert standard_ is None
    assert any("unknown complaint route 'nowhere'" in p.message for p in problems)


def _file_data(municipality: str) -> dict[str, Any]:
    from ruamel.yaml import YAML

    path = load(municipality, TODAY).path
    return YAML(typ="safe").load(open(path, encoding="utf-8").read())


# ------------------------------------------------ 7. Opfølgning på færdigbehandlede


@pytest.mark.parametrize(
    ("offer_id", "facts", "followed"),
    [
        ("individuelle_samtaler", ALCOHOL_ONLY, False),
        ("individuelle_samtaler", ALCOHOL_AND_CANNABIS, True),
        ("individuelle_samtaler", COCAINE, True),
        ("individuelle_samtaler", {}, True),  # not known: an offer for drugs is followed up
        ("alkoholbehandling_medicinsk", {}, False),
        ("psykologsamtaler", ALCOHOL_AND_CANNABIS, False),
        ("kokain_hashstop", {}, True),
        ("paaroerendegruppe", {}, False),  # a relative's course: no substance problem
    ],
)
def test_opfoelgning_paa_faerdigbehandlede_for_borgere_indskrevet_med_en_stofproblematik(
    offer_id, facts, followed
):
    """ "Opfølgning på færdigbehandlede – for borgere der var indskrevet med en
    stofproblematik … en måned efter … og igen seks måneder efter": Helsingør follows up a
    course for a drug problem, not one for alcohol alone."""
    dates = rules.follow_ups(standard(H), D(2027, 8, 31), offer(H, offer_id), facts)
    assert dates == ([D(2027, 9, 30), D(2028, 2, 29)] if followed else [])


def test_opfoelgning_paa_indsatsen_gentofte_follows_up_no_anonymous_course():
    """ "Gentofte Kommunes rusmiddelkonsulent følger op på endt behandlingsforløb" — but the
    anonymous treatment is given "uden at Gentofte Kommune får personhenførbare oplysninger":
    no identity to follow up."""
    s = standard(G)
    assert rules.follow_ups(s, D(2027, 1, 31), offer(G, "anonym_ambulant"), anonymous=True) == []
    assert rules.follow_ups(s, D(2027, 1, 31), offer(G, "ambulant"), COCAINE) == [
        D(2027, 2, 28),
        D(2027, 7, 31),
    ]
    assert s.deadlines.follow_up.anonymous is False and s.deadlines.follow_up.reading


BOTH = ["2027-09-30", "2028-02-29"]


def test_opfoelgning_cli_course_ended_keeps_its_shape(capsys):
    """`deadlines --event course_ended`: the contract's keys; nothing known, both dates; an
    alcohol course or an alcohol-only citizen (`--substances`), none."""
    for argv, expected in [
        ([], BOTH),
        (["--offer", "alkoholbehandling_medicinsk"], []),
        (["--offer", "individuelle_samtaler", "--substances", "alcohol"], []),
        (["--offer", "individuelle_samtaler", "--substances", "cocaine"], BOTH),
    ]:
        code, doc, _ = cli(
            capsys, "deadlines", "--municipality", H, "--event", "course_ended",
            "--date", "2027-08-31", *argv,
        )  # fmt: skip
        assert code == 0 and set(doc) == {"municipality", "event", "date", "offer", "follow_ups"}
        assert doc["follow_ups"] == expected, argv


# ------------------------------------------------ 8. Kokain- og Hashstop-gruppe


def test_kokain_hashstop_twice_in_each_of_the_two_weeks_whatever_the_stop_weekday():
    """ "De første to uger efter kokain- og hashstoppet er der krav om fremmøde to gange
    ugentligt": for every start weekday and every open stop day in the first four weeks, each
    of the two weeks from the stop day holds two sessions, and the course its 12 weekly ones."""
    s = standard(H)
    for start in (D(2027, 1, 4) + dt.timedelta(days=i) for i in range(5)):  # Monday to Friday
        regular = session_days(H, "kokain_hashstop", start, start)  # stop day = first session
        first = regular[0]
        for n in range(28):
            stop = first + dt.timedelta(days=n)
            if rules.is_closed(stop, s.closed_days):
                continue
            days = session_days(H, "kokain_hashstop", start, stop)
            assert [len(w) for w in weeks_from(stop, days)] == [2, 2], (start, stop, days)
            assert len(days) == 14 and days == sorted(set(days))
            assert all(d.weekday() < 5 and not rules.is_closed(d, s.closed_days) for d in days)


def test_kokain_hashstop_a_stop_day_between_meetings():
    """A Tuesday group whose stop day is the Friday after a meeting: the stop day's week gets
    its second session (the old calendar left it with one)."""
    days = session_days(H, "kokain_hashstop", D(2027, 1, 5), D(2027, 1, 22))
    assert weeks_from(D(2027, 1, 22), days) == [
        [D(2027, 1, 22), D(2027, 1, 26)],
        [D(2027, 1, 29), D(2027, 2, 2)],
    ]


def test_kokain_hashstop_a_holiday_in_the_window_still_two_sessions():
    """A Monday group over Easter 2027: the stop day's week loses its Monday (2. påskedag) and
    Good Friday is closed; the week still holds two sessions, on open working days."""
    stop = D(2027, 3, 23)  # a Tuesday; 29 March is Easter Monday
    days = session_days(H, "kokain_hashstop", D(2027, 3, 8), stop)
    first, second = weeks_from(stop, days)
    assert len(first) == 2 and D(2027, 3, 26) not in first and D(2027, 3, 29) not in first
    assert len(second) == 2


@pytest.mark.parametrize(
    ("start", "stop"),
    [
        (D(2027, 3, 8), D(2027, 3, 25)),  # Maundy Thursday
        (D(2029, 12, 3), D(2029, 12, 24)),  # Juleaftensdag, a closed day of the standard
    ],
)
def test_kokain_hashstop_no_stop_day_on_a_closed_day(start, stop):
    """ "I en af de første uger aftales der en fælles dag for ophør": not a day the centre is
    closed (a public holiday or one of the standard's closed days)."""
    s = standard(H)
    with pytest.raises(InputError, match="--stop-day: .* closed day"):
        rules.group_sessions(offer(H, "kokain_hashstop"), start, stop, closed=s.closed_days)


def test_kokain_hashstop_cli_refuses_a_closed_stop_day(capsys):
    code, _, err = cli(
        capsys, "schedule", "--municipality", H, "--offer", "kokain_hashstop",
        "--start", "2027-03-08", "--stop-day", "2027-03-25",
    )  # fmt: skip
    assert code == 2 and err.count("\n") == 1 and "--stop-day" in err


def test_anonymt_gruppebehandlingstilbud_not_on_24_and_31_december(capsys):
    """ "Gruppetilbuddet forløber over 14 mandage": 24 and 31 December 2029 are Mondays and
    closed days of the standard; the group skips them and still meets 14 times."""
    days = session_days(H, "anonym_gruppe", D(2029, 12, 3))
    assert D(2029, 12, 24) not in days and D(2029, 12, 31) not in days
    assert len(days) == 14 and days[-1] == D(2030, 3, 18)
    code, doc, _ = cli(
        capsys, "schedule", "--municipality", H, "--offer", "anonym_gruppe",
        "--start", "2029-12-03",
    )  # fmt: skip
    starts = [x["start"][:10] for x in doc["sessions"]]
    assert code == 0 and "2029-12-24" not in starts and len(starts) == 14
    closed = standard(H).closed_days
    assert closed is not None and closed.reading
    assert [(c.month, c.day) for c in closed.days] == [(12, 24), (12, 31)]


# ------------------------------------------------ 9. Døgnbehandling


@pytest.mark.parametrize(("age", "weeks", "months"), [(22, 6, None), (24, 6, None), (25, None, 3)])
def test_doegnbehandling_a_stay_by_age(age, weeks, months):
    """ "Et døgnophold for unge under 25 år vil typisk være op til seks uger. Et døgnophold for
    voksne over 25 år vil typisk være på tre måneder.\""""
    duration = rules.typical_duration(offer(H, "doegnbehandling"), age)
    assert duration is not None
    assert duration.weeks == weeks and duration.months_max == months


def test_tilsyn_under_doegnbehandling_has_deadlines_like_status_reports():
    """ "Ved midlertidige ophold i døgnbehandling … fører Rusmiddelcenteret … det
    personrelaterede tilsyn med behandlingen": deadlines for residential courses only."""
    reports = standard(H).deadlines.status_reports
    assert reports is not None and reports.settings == ["residential"]
    assert reports.every_months == 1 and reports.reading and "Tilsyn" in reports.due_text
    assert standard(G).deadlines.status_reports.settings is None  # every Gentofte course


def test_varighed_af_ydelsen_det_sammenhaengende_borgerforloeb_1_aar():
    """ "Borgere i det sammenhængende borgerforløb: 1 år.\""""
    [named] = standard(H).typical_durations
    assert named.id == "sammenhaengende_borgerforloeb"
    assert named.months_min == named.months_max == 12 and named.reading


# ------------------------------------------------ 10. The standard's numbers


def test_borgerens_ansvar_no_shows_flag_at_the_standards_limit():
    """Gentofte: "afslutte behandlingsforløb, hvor borgeren … udebliver fra planlagt
    behandling" — three in a row, in the standard with its reading; a standard that is silent
    (Helsingør) keeps three."""
    g = standard(G)
    assert g.no_shows is not None and g.no_shows.reading
    assert rules.no_show_limit(g) == 3
    assert rules.no_show_limit(standard(H)) == 3
    stricter = g.model_copy(update={"no_shows": g.no_shows.model_copy(update={"limit": 2})})
    assert rules.no_show_limit(stricter) == 2


@pytest.mark.parametrize("municipality", [G, H])
def test_retssikkerhedsloven_66_67_reassessment_within_the_routes_weeks(municipality):
    """The municipality reassesses a complaint and forwards it if upheld within four weeks
    (retssikkerhedsloven §§ 66–67): the route's number, with its reading."""
    route = standard(municipality).complaint_route("social")
    assert route is not None and route.reassessment_weeks == 4 and route.reading
    assert rules.reassessment_weeks(route.model_copy(update={"reassessment_weeks": 6})) == 6


def test_omkostninger_egenbetaling_udregnes_paa_baggrund_af_indkomstgrundlaget():
    """ "Egenbetalingen udregnes på baggrund af borgerens indkomstgrundlag" (bekendtgørelse nr.
    1387 af 12. december 2006 §§ 1–3): the stay part from the income above the rådighedsbeløb,
    never above the stay part's rate."""
    [rule] = standard(H).self_payment
    assert rule.basis == "income" and rule.amounts_are_examples and rule.reading
    # (6,500 − 2,500) × 0.5 / 30 = 66.67 kr. a day, below the 150 kr. rate
    low = rules.self_payment(rule, days=30, keeps_rent=False, monthly_income_dkk=Decimal(6500))
    stay = next(line for line in low.lines if line.item == "stay")
    assert stay.unit_dkk == Decimal("66.67") and stay.amount_dkk == Decimal("2000.10")
    # a high income pays the rate, no more
    high = rules.self_payment(rule, days=30, keeps_rent=False, monthly_income_dkk=Decimal(40000))
    assert next(x for x in high.lines if x.item == "stay").unit_dkk == Decimal("150.00")
    # the income is needed for the stay part, not when the citizen keeps paying rent
    with pytest.raises(InputError, match="monthly_income_dkk"):
        rules.self_payment(rule, days=30, keeps_rent=False)
    kept = rules.self_payment(rule, days=30, keeps_rent=True)
    assert [x.item for x in kept.lines] == ["food", "laundry"]


# ------------------------------------------------ 11. Behandlingsgarantien: its legal basis


@pytest.mark.parametrize(
    ("municipality", "offer_id", "age", "facts", "basis"),
    [
        (G, "substitution", 40, None, "SUL § 142"),
        (G, "laegesamtale", 16, None, "SUL § 142"),  # medical: sundhedsloven at any age
        (G, "ambulant", 16, None, "Barnets lov § 33"),
        (G, "ambulant", 40, None, "SEL § 101, stk. 4"),
        (H, "medicinsk_behandling", 40, COCAINE, "SUL § 142"),
        (H, "ambulant_afrusning", 40, ALCOHOL_ONLY, "SUL § 141, stk. 2"),
        (H, "individuelle_samtaler", 40, ALCOHOL_ONLY, "SUL § 141, stk. 2"),
        (H, "individuelle_samtaler", 40, COCAINE, "SEL § 101, stk. 4"),
        (H, "unge_individuel", 16, COCAINE, "Barnets lov § 33"),
        (H, "unge_individuel", 16, ALCOHOL_ONLY, "SUL § 141, stk. 2"),
    ],
)
def test_behandlingsgaranti_legal_basis_per_offer_substance_and_age(
    municipality, offer_id, age, facts, basis
):
    """SEL § 101, stk. 4 for social drug treatment; SUL § 142 for medical drug treatment;
    SUL § 141, stk. 2 for alcohol; barnets lov § 33 for social treatment under 18 — not
    "SEL § 101, stk. 4" everywhere."""
    s = standard(municipality)
    text = rules.guarantee_basis(
        s, offer(municipality, offer_id), True, contact=D(2026, 11, 24), age=age, facts=facts
    )
    assert text.startswith(basis), text


def test_saerlige_bemaerkninger_udredning_til_doegnbehandling_what_the_guarantee_means():
    """ "Udredning med henblik på dag- eller døgnbehandling … er ikke omfattet af
    behandlingsgarantien": the citizen asked for § 101 treatment, so § 101, stk. 4 still
    covers starting (ambulant) treatment within 14 days; no date for the stay itself."""
    s, o = standard(G), offer(G, "doegnbehandling")
    assert rules.treatment_guarantee(s, D(2026, 11, 24), o) is None
    text = rules.guarantee_basis(s, o, False, contact=D(2026, 11, 24))
    assert "ikke omfattet af behandlingsgarantien" in text
    assert "§ 101, stk. 4" in text and "senest 8. december 2026" in text
    assert "ambulant behandling" in text


def test_saerlige_bemaerkninger_cli_contact_keeps_its_shape(capsys):
    """`deadlines --event contact`: treatment_guarantee null and covered false for residential
    treatment in Gentofte (the contract), the basis telling what the guarantee then means."""
    code, doc, _ = cli(
        capsys, "deadlines", "--municipality", G, "--event", "contact",
        "--date", "2026-11-24", "--offer", "doegnbehandling",
    )  # fmt: skip
    assert code == 0 and doc["treatment_guarantee"] is None and doc["covered"] is False
    assert "senest 8. december 2026" in doc["basis"] and "§ 101, stk. 4" in doc["basis"]
    code, doc, _ = cli(
        capsys, "deadlines", "--municipality", G, "--event", "contact",
        "--date", "2026-11-24", "--offer", "substitution",
    )  # fmt: skip
    assert doc["treatment_guarantee"] == "2026-12-08" and doc["basis"].startswith("SUL § 142")
    code, doc, _ = cli(
        capsys, "deadlines", "--municipality", G, "--event", "contact",
        "--date", "2026-11-24", "--offer", "ambulant", "--age", "16",
    )  # fmt: skip
    assert doc["basis"].startswith("Barnets lov § 33")


def test_behandlingsgaranti_a_rule_text_names_only_the_date():
    """A guarantee rule's text may stand in `{date}` for the last day, nothing else."""
    data = _file_data(G)
    data["deadlines"]["treatment_guarantee"]["bases"][0]["text"] = "senest {dato}"
    standard_, _, problems = validate(data)
    assert standard_ is None and any("{dato}" in p.message for p in problems)
