"""Acceptance tests for Helsingør's quality standard, one per rule sentence of the seed.

The seed is 001_813fdf5c3fea97dc.txt (Helsingør Kommune, Rusmiddelbehandling); each test is
named after the seed section it checks and quotes the seed sentence in its docstring. The
standard file cites the current legal numbering (SEL § 101, stk. 4 guarantee, stk. 5-7 free
choice; barnets lov § 33) where the seed still cites the old one.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from rusmiddel.rules import InputError, complaint_weeks, follow_ups, group_sessions
from rusmiddel.rules import treatment_guarantee as guarantee_date
from rusmiddel.standards.registry import load
from support import TODAY, birth_date_for_age, evaluation, status

M = "helsingoer"
D = dt.date

#: contracts/offers.md, Helsingør: the adult table, then the youth table.
OFFERS = [
    (
        "anonym_gruppe",
        "Anonymt gruppebehandlingstilbud (SEL § 101 a; 14 mandage kl. 16–18, løbende optag)",
    ),
    ("anonym_raadgivning", "Anonym rådgivning (tre samtaler, når der ikke skal ordineres medicin)"),
    ("ambulant_afrusning", "Ambulant afrusning"),
    ("udredning", "Udredning/indskrivning (→ behandlingsplan)"),
    ("medicinsk_behandling", "Medicinsk behandling: substitution, stabilisering, nedtrapning"),
    ("vaccination", "Vaccination mod hepatitis A+B"),
    ("adhoc_behandling", "Ad-hoc behandling"),
    ("stoettende_samtaler", "Støttende samtaler"),
    ("individuelle_samtaler", "Individuelle samtaler"),
    ("godt_paa_vej", '"Godt på vej" (gruppe)'),
    ("rusmiddelfrit_tilbud", "Rusmiddelfrit tilbud (gruppe)"),
    ("familiesamtaler", "Familiesamtaler"),
    ("konsulentopgaver", "Konsulentopgaver (familier)"),  # the seed's title twice (see reading)
    ("tilbagefaldsgruppe", "Gruppe for rusmiddelfrie borgere efter gennemført forløb"),
    ("kokain_hashstop", "Kokain- og Hashstop-gruppe (12 uger)"),
    ("paaroerendegruppe", "Pårørendegruppe (fra 25 år)"),
    ("voksne_boern_gruppe", "Voksent barn samtalegruppe (18–30 år)"),
    ("foraeldrenetvaerk", "Forældrenetværk"),
    ("boernegruppe", "Samtalegruppe for børn (8–12 år)"),
    (
        "en_bedre_hverdag",
        'Kursus "En bedre hverdag" (over 30 år, ikke tidligere i kontakt med '
        "behandlingssystemet; 4 × 2 timer)",
    ),
    (
        "alkoholbehandling_medicinsk",
        "Alkoholbehandling med adepend, campral eller antabus (SUL § 141; 6 måneder)",
    ),
    ("psykologsamtaler", "Psykologsamtaler (6 måneder)"),
    ("doegnbehandling", "Døgnbehandling hos privat leverandør (SEL § 101)"),
    ("unge_anonym_raadgivning", "Den anonyme rådgivning (op til fem samtaler; SEL §§ 10–11)"),
    ("unge_individuel", "Individuel behandling (typisk en samtale om ugen)"),
    ("unge_adhoc_gruppe", "Ad-hoc gruppetilbud"),
    ("unge_gruppe", "Gruppetilbud"),
    ("dagteamet", "Dagteamet (under 18 år, faldet ud af skolesystemet)"),
    ("foraeldreaftner", "Forældreaftner (SEL § 11)"),
    ("unge_konsulentopgaver", "Konsulentopgaver (unge)"),
    ("digital_raadgivning", "Digitalrådgivning/behandling"),
]

TREATMENT_OFFERS = [
    "anonym_gruppe",
    "ambulant_afrusning",
    "udredning",
    "medicinsk_behandling",
    "vaccination",
    "adhoc_behandling",
    "stoettende_samtaler",
    "individuelle_samtaler",
    "godt_paa_vej",
    "rusmiddelfrit_tilbud",
    "familiesamtaler",
    "tilbagefaldsgruppe",
    "kokain_hashstop",
    "alkoholbehandling_medicinsk",
    "psykologsamtaler",
    "doegnbehandling",
    "unge_individuel",
    "unge_gruppe",
    "dagteamet",
]


def standard():
    return load(M, TODAY).standard


def offer(offer_id: str):
    found = standard().offer(offer_id)
    assert found is not None, offer_id
    return found


def adult(age: int = 40) -> dict[str, Any]:
    """A typical 40-year-old user with a dependency, eligible for most adult offers."""
    return {
        "person": {
            "birth_date": birth_date_for_age(age),
            "role": "user",
            "pregnant": False,
            "children_at_home": 0,
        },
        "use": {
            "substances": [
                {"substance": "alcohol", "primary": True},
                {"substance": "cannabis"},
                {"substance": "cocaine"},
            ],
            "level": "dependent",
            "withdrawal_risk": "mild",
            "realistic_12_week_stop": True,
            "substance_free": False,
        },
        "history": {
            "previous_offers": ["individuelle_samtaler"],
            "ever_in_contact_with_treatment_system": True,
            "completed_course": False,
            "in_medical_treatment": False,
            "has_fixed_therapist": True,
        },
        "social": {
            "self_supporting": True,
            "housing": "rented",
            "occupation": "employed",
            "social_problems": "none",
            "dropped_out_of_school": False,
        },
        "health": {"psychiatric_disorder": "none", "dual_diagnosis_assessed": False},
        "wishes": {
            "goal": "abstinence",
            "wants_substance_free_life": True,
            "medication_to_be_prescribed": False,
            "requests_substitution": False,
        },
        "consents": {},
        "professional": {
            "needs_more_than_outpatient": True,
            "substitution_appropriate": False,
            "final_detox_phase": False,
        },
    }


def with_(facts: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A copy of `facts` with `section__field=value` changes (value None removes the fact)."""
    out = copy.deepcopy(facts)
    for key, value in changes.items():
        section, field = key.split("__", 1)
        if value is None:
            out.setdefault(section, {}).pop(field, None)
        else:
            out.setdefault(section, {})[field] = value
    return out


def person(role: str, age: int, **extra: Any) -> dict[str, Any]:
    return {"person": {"birth_date": birth_date_for_age(age), "role": role, **extra}}


def action_ids(facts: dict[str, Any], on: dt.date | str = TODAY) -> list[str]:
    return [a["id"] for a in evaluation(M, facts, on).actions]


def reason_texts(offer_id: str, facts: dict[str, Any]) -> dict[str, bool | None]:
    return {r.text: r.met for r in evaluation(M, facts).offer(offer_id).reasons}


# ------------------------------------------------------------------ the file itself


def test_offers_are_the_31_of_the_contract_in_order_with_their_titles():
    """contracts/offers.md: the adult table, then the youth table, titles as written."""
    # Given the standard in force today
    # When we list its offers
    found = [(o.id, o.title) for o in standard().offers]
    # Then they are the contract's 31, in order
    assert found == OFFERS


def test_every_rule_names_its_seed_section():
    """Every criterion, action and priority carries the seed section it was read from."""
    s = standard()
    rules = [*s.target_group.criteria, *s.treatment_criteria, *s.actions, *s.priorities]
    rules += [c for o in s.offers for c in o.criteria]
    assert rules and all(r.section.strip() for r in rules)
    assert all(r.text[0].isupper() for r in rules)


@pytest.mark.parametrize("offer_id", TREATMENT_OFFERS)
def test_treatment_offers_are_marked_as_treatment(offer_id):
    """Målgruppe: treatment offers need the target group; relatives' offers are not treatment."""
    assert offer(offer_id).treatment is True


@pytest.mark.parametrize(
    "offer_id",
    [
        "paaroerendegruppe",
        "voksne_boern_gruppe",
        "foraeldrenetvaerk",
        "boernegruppe",
        "foraeldreaftner",
        "konsulentopgaver",
        "unge_konsulentopgaver",
    ],
)
def test_relatives_and_consultancy_offers_are_not_treatment(offer_id):
    """Relatives', children's, parents' and professionals' offers do not treat own use."""
    assert offer(offer_id).treatment is False
    assert offer(offer_id).guarantee is False


# ------------------------------------------------------------------ Lovgrundlag


def test_lovgrundlag_cites_current_numbering_and_keeps_the_seeds_wording():
    """ "I servicelovens § 101, stk. 2 … er der fastsat en behandlingsgaranti på 14 dage";
    "I servicelovens § 101, stk. 4 beskrives borgerens ret til frit valg"."""
    bases = {b.citation: b for b in standard().legal_bases}
    assert "stk. 2" in bases["SEL § 101, stk. 4"].seed_wording
    assert "stk. 4" in bases["SEL § 101, stk. 5"].seed_wording
    assert "§ 52, stk. 3 nr. 3 eller nr. 9" in bases["barnets lov § 33"].seed_wording
    for citation in ("SEL § 101", "SUL § 141", "SUL § 142", "SEL § 101 a", "SEL § 10"):
        assert citation in bases


@pytest.mark.parametrize(
    ("offer_id", "basis"),
    [
        ("individuelle_samtaler", "SEL § 101"),
        ("alkoholbehandling_medicinsk", "SUL § 141"),
        ("medicinsk_behandling", "SUL § 142"),
        ("anonym_gruppe", "SEL § 101 a"),
        ("unge_anonym_raadgivning", "SEL § 10"),
        ("unge_anonym_raadgivning", "barnets lov §§ 28-31"),
        ("foraeldreaftner", "barnets lov §§ 28-31"),
        ("unge_individuel", "barnets lov § 33"),
    ],
)
def test_lovgrundlag_of_each_offer(offer_id, basis):
    """ "Socialfaglig behandling for stofmisbrug sker efter servicelovens § 101 … Lægelig
    behandling for stofmisbrug sker efter sundhedslovens § 142."""
    assert basis in offer(offer_id).legal_basis


def test_lovgrundlag_youth_under_18_is_a_measure_under_barnets_lov():
    """ "Behandlingen af unge under 18 år gives i henhold til servicelovens § 52, stk. 3 nr. 3
    eller nr. 9." — today barnets lov § 33; the action names both."""
    # Given a 16-year-old user
    facts = with_(adult(16))
    # When evaluated
    actions = {a["id"]: a["text"] for a in evaluation(M, facts).actions}
    # Then the youth legal basis is raised and names both the new and the seed's paragraph
    text = actions["youth_legal_basis"]
    assert "barnets lov § 33" in text and "§ 52, stk. 3, nr. 3 eller nr. 9" in text
    assert "Familierådgivningen" in text


def test_lovgrundlag_no_youth_legal_basis_from_18():
    """The youth rules apply under 18 only: an 18-year-old is under serviceloven."""
    assert "youth_legal_basis" not in action_ids(adult(18))


# ------------------------------------------------------------------ Målgruppe


def test_maalgruppe_user_with_substance_problem_is_in_target_group():
    """ "Målgruppen omfatter overordnet borgere … som har problemer relateret til rusmidler.\""""
    result = evaluation(M, adult())
    assert result.in_target_group is True
    assert result.offer("udredning").status == "eligible"


def test_maalgruppe_experimental_use_is_outside_for_treatment():
    """A problem related to substances: an experimental use is not a treatment-requiring one."""
    result = evaluation(M, with_(adult(), use__level="experimental"))
    assert result.in_target_group is False
    assert {result.offer(o).status for o in TREATMENT_OFFERS} == {"not_eligible"}


def test_maalgruppe_relatives_are_in_the_target_group_but_not_treated_for_own_use():
    """ "Målgruppen omfatter overordnet borgere og deres pårørende." """
    # Given a 40-year-old relative with no use recorded
    result = evaluation(M, person("relative", 40))
    # Then the relative is in the target group and may join the relatives' group …
    assert result.in_target_group is True
    assert result.offer("paaroerendegruppe").status == "eligible"
    # … but is not offered treatment for an own use
    assert result.offer("individuelle_samtaler").status == "not_eligible"


@pytest.mark.parametrize(
    "substances",
    [
        [{"substance": "prescribed_medicine", "primary": True}, {"substance": "alcohol"}],
        [{"substance": "performance_enhancing"}],
        [{"substance": "prescribed_medicine"}, {"substance": "performance_enhancing"}],
    ],
)
def test_maalgruppe_no_treatment_of_prescribed_medicine_or_performance_enhancing(substances):
    """ "Der ydes som udgangspunkt ikke behandling af overforbrug, der skyldes lægeordineret
    medicin eller indtagelse af præstationsfremmende stoffer.\""""
    result = evaluation(M, with_(adult(), use__substances=substances))
    assert result.in_target_group is False
    assert result.offer("individuelle_samtaler").status == "not_eligible"


def test_maalgruppe_medicine_beside_a_primary_drug_is_not_excluded():
    """The exclusion is for overuse *caused by* medicine: a secondary one does not exclude."""
    substances = [{"substance": "opioids", "primary": True}, {"substance": "prescribed_medicine"}]
    assert evaluation(M, with_(adult(), use__substances=substances)).in_target_group is True


def test_maalgruppe_unknown_use_needs_information():
    """Without the level of use, the target group cannot be decided: the fact is named."""
    result = evaluation(M, with_(adult(), use__level=None))
    assert result.in_target_group is None
    assert result.offer("udredning").status == "needs_information"
    assert "use.level" in result.offer("udredning").missing


# ------------------------------------------------------------------ Formål


@pytest.mark.parametrize("consent", ["parents", "family_services"])
def test_formaal_under_18_refused_consent_excludes_treatment(consent):
    """ "For de unge under 18 år vil der altid være tale om et samarbejde med forældrene og
    Familierådgivningen, der begge skal give samtykke til behandlingen.\""""
    # Given a 17-year-old whose consent is recorded as refused
    facts = with_(adult(17), **{f"consents__{consent}": False})
    # Then every treatment offer is not eligible
    result = evaluation(M, facts)
    assert result.offer("unge_individuel").status == "not_eligible"
    assert result.offer("dagteamet").status == "not_eligible"


def test_formaal_under_18_without_recorded_consent_raises_both_consent_actions():
    """ "… der begge skal give samtykke til behandlingen": until given, staff must obtain it."""
    facts = adult(17)
    ids = action_ids(facts)
    assert "parental_consent_required" in ids
    assert "family_services_consent_required" in ids
    # and treatment waits for both consents (not refused, not granted)
    result = evaluation(M, facts).offer("unge_individuel")
    assert result.status == "needs_information"
    assert result.missing == ("consents.parents", "consents.family_services")


def test_formaal_under_18_with_both_consents_given():
    """Both consents given: no consent actions, treatment eligible."""
    facts = with_(adult(17), consents__parents=True, consents__family_services=True)
    ids = action_ids(facts)
    assert "parental_consent_required" not in ids
    assert "family_services_consent_required" not in ids
    assert status(M, facts, "unge_individuel") == "eligible"


def test_formaal_consent_not_needed_from_the_18th_birthday():
    """The consent rule is for "de unge under 18 år": on the 18th birthday it no longer applies."""
    facts = with_(adult(18), consents__parents=False, consents__family_services=False)
    assert "parental_consent_required" not in action_ids(facts)
    assert status(M, facts, "unge_individuel") == "eligible"


def test_formaal_children_at_home_involve_family_services():
    """ "Borgere, som har hjemmeboende børn, tilbydes familiesamtaler og der samarbejdes
    eventuelt med Familierådgivningen og Familiehuset.\""""
    facts = with_(adult(), person__children_at_home=2, person__youngest_child_age=9)
    assert "involve_children_and_family_services" in action_ids(facts)
    assert status(M, facts, "familiesamtaler") == "eligible"


def test_formaal_pregnancy_involves_family_services():
    """A pregnancy, too, involves Familierådgivningen (contract action)."""
    facts = with_(adult(), person__pregnant=True)
    assert "involve_children_and_family_services" in action_ids(facts)


def test_formaal_no_children_no_family_action():
    """No children at home and not pregnant: nothing to involve."""
    assert "involve_children_and_family_services" not in action_ids(adult())


def test_formaal_goals_abstinence_reduction_stabilisation():
    """ "For nogle borgere vil målet være stof- og/eller alkoholfrihed, for andre en reduktion …
    og for andre igen stabilisering og kontrol med rusmiddelforbruget.\""""
    for goal in ("abstinence", "reduction", "stabilisation"):
        assert status(M, with_(adult(), wishes__goal=goal), "individuelle_samtaler") == "eligible"
    formaal = next(t for t in standard().texts if t.title == "Formål")
    assert "reduktion" in formaal.text and "stabilisering" in formaal.text


# ------------------------------------------------------------------ Anonymt gruppebehandlingstilbud


@pytest.mark.parametrize(("age", "expected"), [(17, "not_eligible"), (18, "eligible")])
def test_anonymt_gruppebehandlingstilbud_requires_18(age, expected):
    """ "Tilbuddet henvender sig til borgere fra 18 år og op efter.\""""
    assert status(M, adult(age), "anonym_gruppe") == expected


def test_anonymt_gruppebehandlingstilbud_requires_only_a_substance_problem():
    """ "… som udelukkende har en rusmiddelproblematik" (§ 101 a: "ikke har andre sociale
    problemer")."""
    assert status(M, with_(adult(), social__social_problems="some"), "anonym_gruppe") == (
        "not_eligible"
    )


@pytest.mark.parametrize(
    ("occupation", "expected"),
    [("employed", "eligible"), ("student", "eligible"), ("unemployed", "not_eligible")],
)
def test_anonymt_gruppebehandlingstilbud_requires_work_or_education(occupation, expected):
    """ "Som udgangspunkt skal borgeren have tilknytning til arbejdsmarkedet eller
    uddannelsessystemet.\""""
    assert status(M, with_(adult(), social__occupation=occupation), "anonym_gruppe") == expected


def test_anonymt_gruppebehandlingstilbud_is_anonymous_without_guarantee_or_appeal():
    """§ 101 a is anonymous: no treatment guarantee and no complaint route."""
    s, o = standard(), offer("anonym_gruppe")
    assert o.anonymous is True
    assert guarantee_date(s, D(2026, 11, 24), o) is None
    assert complaint_weeks(s, o) is None


def test_anonymt_gruppebehandlingstilbud_14_mondays_16_to_18():
    """ "Gruppetilbuddet forløber over 14 mandage Kl. 16.00 - 18.00.\""""
    sessions = group_sessions(offer("anonym_gruppe"), D(2027, 1, 6))  # a Wednesday
    assert len(sessions) == 14
    assert sessions[0].start.date() == D(2027, 1, 11)  # the first Monday after
    assert all(s.start.weekday() == 0 for s in sessions)
    assert all((s.start.hour, s.end.hour) == (16, 18) for s in sessions)


def test_anonymt_gruppebehandlingstilbud_skips_easter_and_whit_monday():
    """14 mandage: a Monday that is a public holiday is skipped, and 14 sessions still run."""
    days = [s.start.date() for s in group_sessions(offer("anonym_gruppe"), D(2027, 3, 1))]
    assert len(days) == 14
    assert D(2027, 3, 29) not in days  # 2. påskedag
    assert D(2027, 5, 17) not in days  # 2. pinsedag
    assert days[-1] == D(2027, 6, 14)


def test_anonymt_gruppebehandlingstilbud_rolling_intake():
    """ "Der løbende tilgang under hele forløbet.\""""
    assert offer("anonym_gruppe").schedule.rolling_intake is True


# ------------------------------------------------------------------ Ambulante tilbud fra 25 år


@pytest.mark.parametrize(
    ("on", "adult_status", "youth_status"),
    [("2025-02-28", "not_eligible", "eligible"), ("2025-03-01", "eligible", "not_eligible")],
)
def test_ambulante_behandlingstilbud_fra_25_aar_and_under_25_aar(on, adult_status, youth_status):
    """ "Ambulante behandlingstilbud til borgere fra 25 år og opefter" / "… under 25 år".
    Born 29 February 2000: still 24 on 28 February 2025, 25 on 1 March 2025."""
    facts = with_(adult(), person__birth_date="2000-02-29")
    result = evaluation(M, facts, on)
    assert result.offer("individuelle_samtaler").status == adult_status
    assert result.offer("unge_individuel").status == youth_status


def test_anonym_raadgivning_not_when_medication_is_to_be_prescribed():
    """ "Borgeren tilbydes tre anonyme samtaler, såfremt der ikke skal ordineres medicin.\""""
    assert status(M, adult(), "anonym_raadgivning") == "eligible"
    facts = with_(adult(), wishes__medication_to_be_prescribed=True)
    assert status(M, facts, "anonym_raadgivning") == "not_eligible"


def test_anonym_raadgivning_three_anonymous_sessions():
    """ "Borgeren tilbydes tre anonyme samtaler.\""""
    o = offer("anonym_raadgivning")
    assert o.anonymous is True
    assert (o.intensity.per, o.intensity.max) == ("course", 3)
    assert o.complaint_route is None


def test_ambulant_afrusning_severe_withdrawal_needs_hospital_assessment():
    """ "Der foretages en vurdering af borgerens abstinenser. Vurderingen danner grundlag for,
    om afrusningen kan foregå ambulant, eller om der kræves hospitalsindlæggelse.\""""
    assert status(M, adult(), "ambulant_afrusning") == "eligible"
    facts = with_(adult(), use__withdrawal_risk="severe")
    assert status(M, facts, "ambulant_afrusning") == "not_eligible"
    assert "withdrawal_hospital_assessment" in action_ids(facts)


def test_ambulant_afrusning_daily_attendance():
    """ "Afruses borgeren ambulant, skal borgeren påregne dagligt fremmøde så længe afrusningen
    står på.\""""
    assert offer("ambulant_afrusning").intensity.per == "day"


def test_ambulant_afrusning_withdrawal_not_yet_assessed_needs_information():
    """The assessment of withdrawal comes first: without it the offer needs information."""
    result = evaluation(M, with_(adult(), use__withdrawal_risk=None)).offer("ambulant_afrusning")
    assert result.status == "needs_information"
    assert result.missing == ("use.withdrawal_risk",)


def test_udredning_leads_to_a_treatment_plan_within_the_guarantee():
    """ "Der foretages en grundig udredning … som udmunder i en behandlingsplan.\""""
    assert status(M, adult(), "udredning") == "eligible"
    assert offer("udredning").guarantee is True


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, "not_eligible"),
        ({"professional__substitution_appropriate": True}, "eligible"),
        ({"history__in_medical_treatment": True}, "eligible"),
    ],
)
def test_medicinsk_behandling_substitution_stabilisation_tapering(changes, expected):
    """ "Medicinsk behandling: Substitutionsbehandling, stabilisering og nedtrapning af
    medicin.\""""
    assert status(M, with_(adult(), **changes), "medicinsk_behandling") == expected


def test_medicinsk_behandling_start_up_and_lifelong_maintenance():
    """ "Opstart i substitutionsbehandling tager op til 14 dage med dagligt fremmøde" and
    "Borgere i behandling med substitutionsmedicin kan … være livslang.\""""
    o = offer("medicinsk_behandling")
    assert o.intensity.per == "day" and "14 dage" in o.intensity.text
    assert o.duration.open_ended is True
    assert o.complaint_route == "medical"


def test_medicinsk_behandling_not_for_alcohol_only():
    """Medical drug treatment is under SUL § 142: an alcohol-only use is not covered."""
    facts = with_(
        adult(),
        use__substances=[{"substance": "alcohol", "primary": True}],
        history__in_medical_treatment=True,
    )
    assert status(M, facts, "medicinsk_behandling") == "not_eligible"


def test_vaccination_mod_hepatitis_for_drug_users():
    """ "Vaccination mod hepatitis A+B, vejledning og rådgivning om smitte og forebyggelse.\""""
    assert status(M, adult(), "vaccination") == "eligible"
    alcohol_only = with_(adult(), use__substances=[{"substance": "alcohol"}])
    assert status(M, alcohol_only, "vaccination") == "not_eligible"


def test_adhoc_behandling_for_clients_in_medical_treatment():
    """ "Ad-hoc behandling er et minimumstilbud om løbende socialfaglig støtte til klienter i
    medicinsk behandling i henhold til behandlingsplan.\""""
    assert status(M, adult(), "adhoc_behandling") == "not_eligible"
    facts = with_(adult(), history__in_medical_treatment=True)
    assert status(M, facts, "adhoc_behandling") == "eligible"


@pytest.mark.parametrize(
    "changes",
    [
        {"wishes__goal": "undecided"},
        {"use__substance_free": True},
        {"history__in_medical_treatment": True, "history__has_fixed_therapist": False},
    ],
    ids=["no_fixed_goal", "keep_substance_free", "medical_without_fixed_therapist"],
)
def test_stoettende_samtaler_who_they_are_for(changes):
    """ "For borgere, der endnu ikke har et fast mål med behandlingen … også til borgere, der
    ønsker hjælp til fastholdelse i at være stoffri/ædru. Borgere, der er i medicinsk
    behandling, men ikke tilknyttet en fast behandler, tilbydes samtale 1 x månedligt.\""""
    assert status(M, with_(adult(), **changes), "stoettende_samtaler") == "eligible"


def test_stoettende_samtaler_not_for_a_fixed_goal_with_a_therapist():
    """A user with a fixed goal who is not substance-free goes to the other offers."""
    assert status(M, adult(), "stoettende_samtaler") == "not_eligible"
    o = offer("stoettende_samtaler")
    assert o.intensity.per == "month" and "1 x månedligt" in o.intensity.text


def test_individuelle_samtaler_for_those_who_want_to_change():
    """ "Ambulante samtaler med borgere, der ønsker at ændre deres rusmiddelvaner.\""""
    assert status(M, adult(), "individuelle_samtaler") == "eligible"
    undecided = with_(adult(), wishes__goal="undecided")
    assert status(M, undecided, "individuelle_samtaler") == "not_eligible"


def test_godt_paa_vej_for_those_wishing_a_substance_free_life():
    """ "Gruppebehandling til borgere, der har et ønske om et rusmiddelfrit liv.\""""
    assert status(M, adult(), "godt_paa_vej") == "eligible"
    facts = with_(adult(), wishes__wants_substance_free_life=False)
    assert status(M, facts, "godt_paa_vej") == "not_eligible"


def test_rusmiddelfrit_tilbud_for_those_free_of_their_problem():
    """ "Gruppebehandlingen henvender sig til borgere, som er fri af deres
    rusmiddelproblematik.\""""
    assert status(M, adult(), "rusmiddelfrit_tilbud") == "not_eligible"
    assert status(M, with_(adult(), use__substance_free=True), "rusmiddelfrit_tilbud") == (
        "eligible"
    )


def test_familiesamtaler_for_families_with_children_at_home():
    """ "Familiesamtaler: Tilbydes til familier med børn i hjemmet.\""""
    assert status(M, adult(), "familiesamtaler") == "not_eligible"
    assert offer("familiesamtaler").delivery == "family"


def test_konsulentopgaver_for_professionals():
    """ "Konsulentopgaver: Et tilbud til professionelle og andre voksne, der har kontakt med
    familierne.\""""
    assert status(M, person("professional", 23), "konsulentopgaver") == "eligible"
    assert status(M, adult(), "konsulentopgaver") == "not_eligible"


def test_tilbagefaldsgruppe_for_substance_free_after_a_completed_course():
    """ "Gruppetilbud til rusmiddelfrie borgere, der har gennemført et behandlingsforløb.\""""
    free = with_(adult(), use__substance_free=True)
    assert status(M, free, "tilbagefaldsgruppe") == "not_eligible"
    assert status(M, with_(free, history__completed_course=True), "tilbagefaldsgruppe") == (
        "eligible"
    )


# ------------------------------------------------------------------ Kokain- og Hashstop-gruppe


def test_kokain_hashstop_requires_cocaine_or_hash():
    """ "Gruppebehandling, der henvender sig til borgere, der ønsker et kokain- og hashstop.\""""
    assert status(M, adult(), "kokain_hashstop") == "eligible"
    alcohol_only = with_(adult(), use__substances=[{"substance": "alcohol", "primary": True}])
    assert status(M, alcohol_only, "kokain_hashstop") == "not_eligible"


def test_kokain_hashstop_requires_a_realistic_12_week_stop():
    """ "… og som har en realistisk mulighed for et stop på 12 uger.\""""
    facts = with_(adult(), use__realistic_12_week_stop=False)
    assert status(M, facts, "kokain_hashstop") == "not_eligible"


def test_kokain_hashstop_requires_a_wish_to_stop():
    """ "… borgere, der ønsker et kokain- og hashstop": a wish to reduce is not enough."""
    facts = with_(adult(), wishes__goal="reduction", wishes__wants_substance_free_life=False)
    assert status(M, facts, "kokain_hashstop") == "not_eligible"


@pytest.mark.parametrize("age", [20, 40])
def test_kokain_hashstop_serves_both_age_groups(age):
    """The group is listed both for "borgere fra 25 år" and for "borgere under 25 år"."""
    assert status(M, adult(age), "kokain_hashstop") == "eligible"
    assert offer("kokain_hashstop").age is None


def test_kokain_hashstop_twelve_weeks_with_two_weekly_after_the_stop_day():
    """ "Gruppen mødes en gang ugentlig. I en af de første uger aftales der en fælles dag for
    ophør af hash og kokain. De første to uger efter kokain- og hashstoppet er der krav om
    fremmøde to gange ugentligt.\""""
    # Given a course starting on Tuesday 5 January 2027 with the stop day at the third session
    stop = D(2027, 1, 19)
    sessions = group_sessions(offer("kokain_hashstop"), D(2027, 1, 5), stop)
    days = [s.start.date() for s in sessions]
    # Then 12 weekly sessions on the start's weekday plus one extra in each of the two weeks
    assert len(days) == 14
    assert sum(1 for d in days if d.weekday() == 1) == 12
    assert [d for d in days if stop <= d < stop + dt.timedelta(weeks=2)] == [
        D(2027, 1, 19),
        D(2027, 1, 22),
        D(2027, 1, 26),
        D(2027, 1, 29),
    ]
    assert days == sorted(days)


def test_kokain_hashstop_without_a_stop_day_is_an_error():
    """The common stop day is agreed in the first weeks: the calendar needs it."""
    with pytest.raises(InputError, match="--stop-day"):
        group_sessions(offer("kokain_hashstop"), D(2027, 1, 5))


def test_kokain_hashstop_stop_day_must_lie_in_the_first_weeks():
    """ "I en af de første uger aftales der en fælles dag for ophør.\""""
    with pytest.raises(InputError, match="--stop-day"):
        group_sessions(offer("kokain_hashstop"), D(2027, 1, 5), D(2027, 3, 2))


# ------------------------------------------------------------------ Relatives' offers


@pytest.mark.parametrize(
    ("role", "age", "expected"),
    [
        ("relative", 24, "not_eligible"),
        ("relative", 25, "eligible"),
        ("parent_of_user", 50, "eligible"),
        ("adult_child_of_user", 30, "eligible"),
        ("user", 40, "not_eligible"),
    ],
)
def test_paaroerendegruppe_relatives_from_25(role, age, expected):
    """ "Tilbuddet henvender sig til pårørende fra 25 år og opefter. Pårørende kan defineres
    bredt, som for eksempel forældre, voksne børn, ægtefæller, ven/kollega.\""""
    assert status(M, person(role, age), "paaroerendegruppe") == expected


def test_paaroerendegruppe_user_need_not_be_in_treatment():
    """ "Der er ikke krav om, at den, som har et rusmiddelproblem, er indskrevet i
    rusmiddelbehandling": only the relative's own facts are needed."""
    result = evaluation(M, person("relative", 45)).offer("paaroerendegruppe")
    assert result.status == "eligible" and result.missing == ()


@pytest.mark.parametrize(
    ("age", "expected"),
    [(17, "not_eligible"), (18, "eligible"), (30, "eligible"), (31, "not_eligible")],
)
def test_voksent_barn_samtalegruppe_18_to_30(age, expected):
    """ "Gruppen henvender sig til unge voksne mellem 18 – 30 år.\""""
    assert status(M, person("adult_child_of_user", age), "voksne_boern_gruppe") == expected


def test_voksent_barn_samtalegruppe_is_for_children_of_parents_with_a_problem():
    """ "… voksne børn af en eller flere forældre med et rusmiddelproblem.\""""
    assert status(M, person("relative", 25), "voksne_boern_gruppe") == "not_eligible"


def test_foraeldrenetvaerk_for_parents_of_children_with_a_problem():
    """ "Netværksgruppen henvender sig til forældre til børn med en rusmiddelproblematik.\""""
    assert status(M, person("parent_of_user", 48), "foraeldrenetvaerk") == "eligible"
    assert status(M, person("relative", 48), "foraeldrenetvaerk") == "not_eligible"


@pytest.mark.parametrize(
    ("age", "expected"),
    [(7, "not_eligible"), (8, "eligible"), (12, "eligible"), (13, "not_eligible")],
)
def test_samtalegruppe_for_boern_8_to_12(age, expected):
    """ "Tilbuddet henvender sig til børn mellem 8-12 år.\""""
    assert status(M, person("child_of_user", age), "boernegruppe") == expected


# ------------------------------------------------------------------ En bedre hverdag


def bedre_hverdag(age: int) -> dict[str, Any]:
    return with_(adult(age), history__ever_in_contact_with_treatment_system=False)


@pytest.mark.parametrize(
    ("age", "expected"), [(29, "not_eligible"), (30, "eligible"), (31, "eligible")]
)
def test_en_bedre_hverdag_over_30(age, expected):
    """ "Kurset henvender sig til borgere over 30 år" (read: from the 30th birthday)."""
    assert status(M, bedre_hverdag(age), "en_bedre_hverdag") == expected


def test_en_bedre_hverdag_not_for_those_in_contact_with_the_treatment_system():
    """ "… som ikke tidligere har været i kontakt med behandlingssystemet.\""""
    assert status(M, adult(), "en_bedre_hverdag") == "not_eligible"


def test_en_bedre_hverdag_is_about_own_alcohol_use():
    """ "… reflektere over eget alkoholforbrug": a drug-only user is not the audience."""
    facts = with_(bedre_hverdag(40), use__substances=[{"substance": "cannabis"}])
    assert status(M, facts, "en_bedre_hverdag") == "not_eligible"


def test_en_bedre_hverdag_four_times_two_hours():
    """ "Kurset er gruppebaseret og afvikles over fire gange af to timer.\""""
    sessions = group_sessions(offer("en_bedre_hverdag"), D(2027, 1, 7))
    assert len(sessions) == 4
    assert all(s.end - s.start == dt.timedelta(hours=2) for s in sessions)


# ------------------------------------------------------------------ Varighed af ydelsen


def test_alkoholbehandling_medicinsk_requires_medication():
    """ "Alkoholbehandling hvor borgeren medicineres med adepend, campral eller antabus.\""""
    assert status(M, adult(), "alkoholbehandling_medicinsk") == "not_eligible"
    facts = with_(adult(), wishes__medication_to_be_prescribed=True)
    assert status(M, facts, "alkoholbehandling_medicinsk") == "eligible"


@pytest.mark.parametrize(
    ("offer_id", "months_min", "months_max", "open_ended"),
    [
        ("individuelle_samtaler", 6, 9, False),
        ("alkoholbehandling_medicinsk", 6, 6, False),
        ("psykologsamtaler", 6, 6, False),
        ("medicinsk_behandling", None, None, True),
    ],
)
def test_varighed_af_ydelsen(offer_id, months_min, months_max, open_ended):
    """ "Socialfaglig behandling: 6-9 måneder … Alkoholbehandling …: 6 måneder …
    Psykologsamtaler: 6 måneder … substitutionsmedicin kan … være livslang.\""""
    duration = offer(offer_id).duration
    assert (duration.months_min, duration.months_max, duration.open_ended) == (
        months_min,
        months_max,
        open_ended,
    )


# ------------------------------------------------------------------ Døgnbehandling


def residential(**changes: Any) -> dict[str, Any]:
    return with_(adult(), **changes)


def test_doegnbehandling_eligible_after_ambulant_with_a_home():
    """The typical adult, who has tried ambulant treatment and has a home, may be referred."""
    assert status(M, residential(), "doegnbehandling") == "eligible"


@pytest.mark.parametrize(
    ("previous", "expected"),
    [
        ([], "not_eligible"),
        (["udredning"], "not_eligible"),
        (["ambulant"], "eligible"),
        (["godt_paa_vej"], "eligible"),
    ],
)
def test_doegnbehandling_requires_ambulant_tried_first(previous, expected):
    """ "Borgerne kan ikke tilbydes døgnbehandling før ambulans behandling er forsøgt.\""""
    facts = residential(history__previous_offers=previous)
    assert status(M, facts, "doegnbehandling") == expected


@pytest.mark.parametrize(
    ("housing", "expected"),
    [
        ("own", "eligible"),
        ("rented", "eligible"),
        ("shelter", "not_eligible"),
        ("homeless", "not_eligible"),
    ],
)
def test_doegnbehandling_requires_a_fixed_address(housing, expected):
    """ "… og borgeren har en fast bopæl.\""""
    assert status(M, residential(social__housing=housing), "doegnbehandling") == expected


def test_doegnbehandling_dual_diagnosis_assessed_first():
    """ "Hvis borgeren har en dobbeltbelastning (misbrug og samtidig psykisk sygdom) skal dette
    udredes inden døgnbehandling kan iværksættes.\""""
    facts = residential(health__psychiatric_disorder="suspected")
    assert status(M, facts, "doegnbehandling") == "not_eligible"
    assert "dual_diagnosis_assessment_required" in action_ids(facts)
    assessed = with_(facts, health__dual_diagnosis_assessed=True)
    assert status(M, assessed, "doegnbehandling") == "eligible"
    assert "dual_diagnosis_assessment_required" not in action_ids(assessed)


def test_doegnbehandling_decided_on_professional_judgement_at_visitation():
    """ "Beslutning om visitation til døgnbehandling træffes af Helsingør Rusmiddelcenter på
    visitationsmøde": without a need beyond outpatient treatment, no residential treatment."""
    facts = residential(professional__needs_more_than_outpatient=False)
    assert status(M, facts, "doegnbehandling") == "not_eligible"


def test_doegnbehandling_private_providers_and_self_payment():
    """ "Helsingør kommune har ikke eget døgnbehandlingstilbud. Der benyttes private aktørers
    døgnbehandlingstilbud" and the stay part carries a self-payment."""
    s, o = standard(), offer("doegnbehandling")
    assert [s.provider(p).kind for p in o.providers] == ["private"]
    assert all(s.provider(p).tilbudsportalen for p in o.providers)
    assert o.self_payment == "doegnophold" and o.setting == "residential"


def test_doegnbehandling_typical_stay_youth_six_weeks_adults_three_months():
    """ "Et døgnophold for unge under 25 år vil typisk være op til seks uger … for voksne over 25
    år vil typisk være på tre måneder.\""""
    text = offer("doegnbehandling").duration.text
    assert "seks uger" in text and "tre måneder" in text


def test_doegnbehandling_priorities_pregnant():
    """ "Gravide: Når rusmiddelcenteret får kendskab til at en af de indskrevne borgere er gravide
    og denne ønsker at gennemføre graviditeten, skal borgerne tilknyttes tidlig indsats på
    Hillerød Hospital, hvorefter døgnbehandling kan tilbydes.\""""
    facts = residential(person__pregnant=True, person__continuing_pregnancy=True)
    result = evaluation(M, facts)
    assert "pregnant" in result.priorities
    texts = {a["id"]: a["text"] for a in result.actions}
    assert "Hillerød Hospital" in texts["early_intervention_hospital"]


def test_doegnbehandling_priorities_pregnant_only_when_continuing():
    """Only a pregnancy the woman wants to carry to term gives the priority."""
    facts = residential(person__pregnant=True, person__continuing_pregnancy=False)
    result = evaluation(M, facts)
    assert "pregnant" not in result.priorities
    assert "early_intervention_hospital" not in [a["id"] for a in result.actions]


@pytest.mark.parametrize(("youngest", "expected"), [(5, True), (6, False)])
def test_doegnbehandling_priorities_small_children(youngest, expected):
    """ "Småbørnefamilier: Dette for at sikre småbørn de bedst mulige vilkår" (read: a child
    under school age)."""
    facts = residential(person__children_at_home=1, person__youngest_child_age=youngest)
    assert ("small_children" in evaluation(M, facts).priorities) is expected


@pytest.mark.parametrize(("occupation", "expected"), [("employed", True), ("sick_leave", False)])
def test_doegnbehandling_priorities_employed(occupation, expected):
    """ "Mennesker, der er i arbejde: Dette for at understøtte, at de kan fastholde arbejdet.\""""
    facts = residential(social__occupation=occupation)
    assert ("employed" in evaluation(M, facts).priorities) is expected


@pytest.mark.parametrize(("age", "expected"), [(24, True), (25, False)])
def test_doegnbehandling_priorities_youth_final_detox(age, expected):
    """ "De mest belastede unge, kan tilbydes døgnbehandling i den sidste afgiftningsfase.\""""
    facts = with_(adult(age), professional__final_detox_phase=True)
    assert ("youth_final_detox" in evaluation(M, facts).priorities) is expected


def test_doegnbehandling_priorities_in_the_seeds_order():
    """ "Følgende målgrupper prioriteres": gravide, småbørnefamilier, i arbejde, unge."""
    ranked = sorted(standard().priorities, key=lambda p: p.rank)
    assert [p.id for p in ranked] == ["pregnant", "small_children", "employed", "youth_final_detox"]
    assert all(p.offers == ["doegnbehandling"] for p in ranked)


# ------------------------------------------------------------------ Ungeafsnittet (under 25 år)


def test_unge_anonym_raadgivning_up_to_five_sessions():
    """ "Den anonyme rådgivning: Op til fem samtaler … etableret i henhold til servicelovens
    §§ 10 og 11.\""""
    o = offer("unge_anonym_raadgivning")
    assert o.anonymous is True and o.intensity.max == 5
    assert status(M, adult(19), "unge_anonym_raadgivning") == "eligible"
    assert status(M, adult(25), "unge_anonym_raadgivning") == "not_eligible"


def test_unge_individuel_one_session_a_week_on_the_young_persons_own_wish():
    """ "Individuel behandling: Et tilbud, hvor den unge typisk får en samtale om ugen" and
    "Behandlingen baserer sig på den unges eget ønske om forandring.\""""
    assert offer("unge_individuel").intensity.per == "week"
    assert status(M, with_(adult(20), wishes__goal="undecided"), "unge_individuel") == (
        "not_eligible"
    )


def test_unge_gruppe_reduce_or_keep_a_stop():
    """ "Det kan være grupper, der motiverer til at reducere de unges forbrug eller grupper, der
    støtter de unge i at fastholde et rusmiddelstop.\""""
    assert status(M, with_(adult(20), wishes__goal="reduction"), "unge_gruppe") == "eligible"
    assert status(M, with_(adult(20), wishes__goal="stabilisation"), "unge_gruppe") == (
        "not_eligible"
    )


def test_unge_adhoc_gruppe_motivates_young_people_with_a_use():
    """ "Der oprettes ad-hoc gruppetilbud fx på grundskoler og ungdomsuddannelserne for at
    motivere unge til at arbejde med deres forbrug.\""""
    experimenting = with_(adult(16), use__level="experimental")
    assert status(M, experimenting, "unge_adhoc_gruppe") == "eligible"
    assert status(M, with_(adult(16), use__level="none"), "unge_adhoc_gruppe") == "not_eligible"


@pytest.mark.parametrize(
    ("age", "dropped_out", "expected"),
    [(17, True, "eligible"), (18, True, "not_eligible"), (17, False, "not_eligible")],
)
def test_dagteamet_under_18_dropped_out_of_school(age, dropped_out, expected):
    """ "Dagteamet: Et tilbud, der retter sig mod unge under 18 år, som har et så stort forbrug af
    rusmidler, at de er faldet ud af skolesystemet.\" (Both consents given: Formål.)"""
    facts = with_(
        adult(age),
        social__dropped_out_of_school=dropped_out,
        consents__parents=True,
        consents__family_services=True,
    )
    assert status(M, facts, "dagteamet") == expected


def test_foraeldreaftner_for_parents():
    """ "Forældreaftner: Et tilbud til forældre … Forældrekurser etableres i henhold til
    servicelovens § 11.\""""
    assert status(M, person("parent_of_user", 45), "foraeldreaftner") == "eligible"
    assert status(M, adult(45), "foraeldreaftner") == "not_eligible"


def test_unge_konsulentopgaver_for_professionals_in_contact_with_young_people():
    """ "Konsulentopgaver: Et tilbud til professionelle og andre voksne, der har kontakt med
    unge.\""""
    assert status(M, person("professional", 50), "unge_konsulentopgaver") == "eligible"


@pytest.mark.parametrize(
    ("age", "expected"), [(15, "eligible"), (24, "eligible"), (25, "not_eligible")]
)
def test_digital_raadgivning_for_young_people_also_outside_treatment(age, expected):
    """ "… styrkes indsatsen over for de eksperimenterende unge … apps'ene kan også bruges af
    unge, der ikke er i behandling.\""""
    facts = {"person": {"birth_date": birth_date_for_age(age)}, "use": {"level": "experimental"}}
    assert status(M, facts, "digital_raadgivning") == expected


# ------------------------------------------------------------------ Visitation


def test_visitation_direct_access_to_ambulant_treatment():
    """ "Borgere i Helsingør Kommune kan, uden forudgående visitation, henvende sig på kommunens
    Rusmiddelcenter … og modtage ambulante behandling.\""""
    visitation = next(t for t in standard().texts if t.title == "Visitation")
    assert "uden forudgående visitation" in visitation.text
    assert "Familierådgivningen" in visitation.text


def test_behandlingsgaranti_14_days_never_moved():
    """ "… der højst må gå 14 dage fra borgeren har henvendt sig med ønske om behandling til
    behandlingen iværksættes." A maximum: a Sunday is not moved."""
    s = standard()
    assert guarantee_date(s, D(2026, 12, 20), offer("individuelle_samtaler")) == D(2027, 1, 3)


def test_behandlingsgaranti_cites_current_numbering():
    """The seed cites "servicelovens § 101, stk. 2"; today's number is stk. 4."""
    g = standard().deadlines.treatment_guarantee
    assert g.days == 14
    assert g.basis == "SEL § 101, stk. 4 og SUL § 141, stk. 2"


@pytest.mark.parametrize(
    ("offer_id", "covered"),
    [
        ("anonym_gruppe", False),
        ("anonym_raadgivning", False),
        ("paaroerendegruppe", False),
        ("individuelle_samtaler", True),
        ("alkoholbehandling_medicinsk", True),
        ("unge_individuel", True),
    ],
)
def test_behandlingsgaranti_coverage(offer_id, covered):
    """Treatment under § 101 and SUL § 141 is covered; anonymous and relatives' offers are not."""
    result = guarantee_date(standard(), D(2026, 11, 24), offer(offer_id))
    assert (result == D(2026, 12, 8)) is covered
    assert (result is None) is (not covered)


# ------------------------------------------------------------------ Klageadgang


@pytest.mark.parametrize(
    ("offer_id", "weeks"),
    [
        ("individuelle_samtaler", 4),
        ("unge_individuel", 4),
        ("doegnbehandling", 4),
        ("alkoholbehandling_medicinsk", None),
        ("medicinsk_behandling", None),
        ("anonym_gruppe", None),
    ],
)
def test_klageadgang_deadline_by_route(offer_id, weeks):
    """Social part: "Klagefristen er fire uger"; alcohol: "Der kan ikke klages … over kommunens
    beslutning om behandling"; medical: no weeks-deadline; anonymous: no complaint."""
    assert complaint_weeks(standard(), offer(offer_id)) == weeks


def test_klageadgang_social_part_reassessed_then_ankestyrelsen():
    """ "Rusmiddelcentret revurderer sagen … Hvis Rusmiddelcenteret fastholder afgørelsen,
    sender de klagen med relevante akter videre til Ankestyrelsen.\""""
    route = standard().complaint_route("social")
    assert route.reassessment is True
    assert route.address == "Kongevejen 4b, 3000 Helsingør"
    assert "Ankestyrelsen" in route.forwards_to
    assert standard().default_complaint_route == "social"


def test_klageadgang_medical_part_goes_to_the_patient_complaints_body():
    """ "Klager over den medicinske del af behandlingen … Rettes til Sundhedsvæsenets
    Patientklagenævn" — today Styrelsen for Patientklager."""
    route = standard().complaint_route("medical")
    assert route.appealable is True and route.deadline_weeks is None
    assert "Styrelsen for Patientklager" in route.first_instance
    assert "Patientklagenævn" in route.text


def test_klagevejledning_alkoholbehandling_only_general_service_level():
    """ "Der kan ikke klages til patientklagenævnet over kommunens beslutning om behandling …
    men der kan klages over kommunens generelle serviceniveau.\""""
    route = standard().complaint_route("alcohol")
    assert route.appealable is False
    assert "generelle serviceniveau" in route.text


# ------------------------------------------------------------------ Frit valg, opfølgning, betaling


def test_mulighed_for_frit_valg_current_numbering_and_limits():
    """ "… borgeren har ret til at vælge et alternativt behandlingssted, forudsat at dette
    opfylder og kan levere det behandlingstilbud, der er visiteret til. I særlige tilfælde kan
    retten til frit valg dog tilsidesættes eller begrænses.\""""
    free = standard().free_choice
    assert free.legal_basis == ["SEL § 101, stk. 5-7", "SUL § 141"]
    joined = " ".join(free.conditions)
    assert "visiteret til" in joined
    assert "§ 141, stk. 3" in joined
    assert "§ 101, stk. 7" in joined


def test_opfoelgning_paa_faerdigbehandlede_one_and_six_months():
    """ "Der følges op på behandlingsplanen en måned efter … og igen seks måneder efter at et
    behandlingsforløb er afsluttet … fremmøde, telefon eller Skype-opfølgning.\""""
    s = standard()
    assert follow_ups(s, D(2026, 8, 31)) == [D(2026, 9, 30), D(2027, 2, 28)]
    assert s.deadlines.follow_up.channels == ["attendance", "phone", "video"]


def test_omkostninger_self_payment_for_the_stay_part_only():
    """ "Såfremt borgeren, under døgnbehandlingen, bevarer økonomiske forpligtigelser til
    husleje, opkræves der ikke egenbetaling for ophold - men alene for kost, vask, m.v.\""""
    [rule] = standard().self_payment
    assert rule.id == "doegnophold"
    assert rule.keeps_rent_pays_only == ["food", "laundry"]
    assert rule.amounts_are_examples is True
    assert "SEL § 163, stk. 2" in rule.legal_basis


# ------------------------------------------------------------------ the evaluation as a whole


def test_evaluation_json_lists_every_offer_with_danish_reasons():
    """Every offer, in the standard's order, with reasons fit for a decision letter."""
    result = evaluation(M, adult()).to_json()
    assert [o["offer"] for o in result["offers"]] == [i for i, _ in OFFERS]
    reasons = reason_texts("doegnbehandling", adult())
    assert reasons["Borgeren har forsøgt ambulant behandling"] is True
    assert reasons["Borgeren har en fast bopæl"] is True


def test_empty_facts_need_information_rather_than_refuse():
    """Nothing known yet: no offer is refused, the missing facts are named."""
    result = evaluation(M, {})
    assert "not_eligible" not in {o.status for o in result.offers}
    assert all(o.missing for o in result.offers)
    assert result.actions == () and result.priorities == ()
