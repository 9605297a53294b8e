"""Issue 18, "Rules, second reading": eligibility and actions read again against the seeds.

Gentofte's seed is 000_4d2e5a9c8648a4a1.txt (social behandling af stofmisbrug, SEL §§ 101,
101 a, SUL § 142); Helsingør's is 001_813fdf5c3fea97dc.txt (rusmiddelbehandling, SEL § 101,
SUL §§ 141–142). Each test is named after the seed passage or the statute it rests on and
quotes it; each failed before this reading. Integrated treatment (SUL § 82 c, L 126 2023-24)
follows DESIGN.md's legal notes.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from rusmiddel import rules
from rusmiddel.standards.loader import validate
from rusmiddel.standards.registry import load
from support import TODAY, birth_date_for_age, evaluation, status

G, H = "gentofte", "helsingoer"

GENTOFTE_TREATMENT = [
    "ambulant",
    "anonym_ambulant",
    "dagbehandling",
    "doegnbehandling",
    "substitution",
    "familiebehandling",
]


def changed(facts: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A copy of `facts` with `section__field=value` changes (None removes the fact)."""
    out = copy.deepcopy(facts)
    for key, value in changes.items():
        section, field = key.split("__", 1)
        if value is None:
            out.setdefault(section, {}).pop(field, None)
        else:
            out.setdefault(section, {})[field] = value
    return out


def gentofte_adult(*substances: str, age: int = 34) -> dict[str, Any]:
    """A working adult with a problematic use of `substances` that harms daily life, who meets
    every criterion of ambulant and anonymous ambulant treatment when a drug is among them."""
    return {
        "person": {
            "birth_date": birth_date_for_age(age),
            "role": "user",
            "pregnant": False,
            "expecting_father": False,
            "children_at_home": 0,
        },
        "use": {
            "substances": [{"substance": s, "primary": i == 0} for i, s in enumerate(substances)],
            "level": "problematic",
            "harms_daily_life": True,
            "harms_education_work_or_family": False,
            "withdrawal_risk": "mild",
        },
        "social": {
            "self_supporting": True,
            "housing": "rented",
            "occupation": "employed",
            "social_problems": "none",
            "chaotic_life": False,
            "can_stay_at_home_during_treatment": True,
            "residential_impossible_for_family_reasons": False,
            "wishes_to_stay_local": False,
        },
        "health": {"psychiatric_disorder": "none", "dual_diagnosis_assessed": False},
        "wishes": {"requests_substitution": False},
        "professional": {
            "needs_more_than_outpatient": False,
            "cannot_benefit_from_outpatient_or_day": False,
            "intensive_effort_can_help": False,
            "substitution_appropriate": False,
        },
    }


def helsingoer_user(age: int, *substances: str) -> dict[str, Any]:
    """A user of `substances` (default cannabis) with a dependency who wants to stop."""
    return {
        "person": {
            "birth_date": birth_date_for_age(age),
            "role": "user",
            "pregnant": False,
            "children_at_home": 0,
        },
        "use": {
            "substances": [{"substance": s} for s in (substances or ("cannabis",))],
            "level": "dependent",
            "withdrawal_risk": "mild",
            "substance_free": False,
        },
        "history": {"in_medical_treatment": False, "has_fixed_therapist": True},
        "social": {"housing": "rented", "occupation": "student", "social_problems": "none"},
        "health": {"psychiatric_disorder": "none"},
        "wishes": {"goal": "abstinence", "medication_to_be_prescribed": False},
        "consents": {},
        "professional": {"substitution_appropriate": False},
    }


def action_ids(municipality: str, facts: dict[str, Any]) -> list[str]:
    return [a["id"] for a in evaluation(municipality, facts).actions]


def met(municipality: str, facts: dict[str, Any], offer: str, reason: str) -> bool | None:
    return next(
        r.met for r in evaluation(municipality, facts).offer(offer).reasons if r.id == reason
    )


# ------------------------------------------------------------------ Gentofte: stofmisbrug


def test_gentofte_indledning_alcohol_only_is_referred_to_alcohol_treatment_sul_141():
    """Seed: "Kvalitetsstandarden beskriver Gentofte Kommunes serviceniveau for social
    behandling af stofmisbrug" and § 101: "social behandling til personer med et stofmisbrug".
    An alcohol-only citizen is not a § 101 case: referred to alcohol treatment (SUL § 141)."""
    # given an adult whose problematic use is of alcohol only
    facts = gentofte_adult("alcohol")
    result = evaluation(G, facts)
    # then they are outside the drug standard's target group, no treatment offer is open,
    # nor the free doctor's consultation for drug treatment (SUL § 142)
    assert result.in_target_group is False
    for offer in GENTOFTE_TREATMENT:
        assert result.offer(offer).status == "not_eligible", offer
    assert result.offer("laegesamtale").status == "not_eligible"
    # and staff are told where the citizen goes instead
    [refer] = [a for a in result.actions if a["id"] == "refer_alcohol_treatment"]
    assert "sundhedslovens § 141" in refer["text"]
    # while counselling about one's own use of "rusmidler" stays open
    assert result.offer("raadgivning").status == "eligible"
    # and alcohol beside a drug is a drug problem: § 101 treatment, no referral
    mixed = evaluation(G, gentofte_adult("alcohol", "cocaine"))
    assert mixed.offer("ambulant").status == "eligible"
    assert "refer_alcohol_treatment" not in [a["id"] for a in mixed.actions]


def test_gentofte_maalgruppe_substances_not_recorded_need_information():
    """Målgruppe: "afhængige af et eller flere bevidsthedsændrende stoffer": until the
    substances are recorded, a § 101 offer cannot be decided, and the fact is named."""
    facts = changed(gentofte_adult("cannabis"), use__substances=None)
    result = evaluation(G, facts).offer("ambulant")
    assert result.status == "needs_information"
    assert result.missing == ("use.substances",)


def test_gentofte_maalgruppe_performance_enhancing_substances_are_not_mind_altering():
    """Målgruppe: "bevidsthedsændrende stoffer (rusmidler)": anabolic steroids alone are not."""
    facts = gentofte_adult("performance_enhancing")
    assert evaluation(G, facts).in_target_group is False
    assert status(G, gentofte_adult("prescribed_medicine"), "ambulant") == "eligible"


# ------------------------------------------------------------------ Gentofte: own gates


def test_gentofte_substitution_sul_142_is_not_gated_by_cannot_manage_daily_life():
    """Seed: "Substitutionsbehandling kan indgå i misbrugsbehandling efter udredning af
    borgeren, og når behandlingsstedet vurderer, at det er hensigtsmæssigt." A stable opioid
    patient who manages daily life is not refused because of Målgruppe's social clause."""
    # given a dependent opioid user who manages daily life, found suited by the clinic
    facts = changed(
        gentofte_adult("opioids"),
        use__level="dependent",
        use__harms_daily_life=False,
        professional__substitution_appropriate=True,
        wishes__requests_substitution=True,
    )
    result = evaluation(G, facts)
    # then they are in the target group and substitution is open
    assert result.in_target_group is True
    assert result.offer("substitution").status == "eligible"
    # while social treatment under § 101 keeps its social target group
    assert result.offer("ambulant").status == "not_eligible"
    for offer in ("dagbehandling", "doegnbehandling"):
        assert met(G, facts, offer, "harms_daily_life") is False, offer


def test_gentofte_anonym_ambulant_101a_for_the_self_supporting_with_a_home():
    """Seed: "Kriterierne for at modtage anonym ambulant behandling er, at borgeren har et
    problematisk forbrug af rusmidler, men derudover er selvforsørgende og har en bolig."
    § 101 a: "… men som ikke har andre sociale problemer"."""
    # given a self-supporting cocaine user with a home whose daily life still works
    facts = changed(gentofte_adult("cocaine"), use__harms_daily_life=False)
    result = evaluation(G, facts)
    # then anonymous treatment is open to them
    assert result.offer("anonym_ambulant").status == "eligible"
    reasons = [r.id for r in result.offer("anonym_ambulant").reasons]
    assert "harms_daily_life" not in reasons
    # and the drug problem itself is still required
    assert status(G, gentofte_adult("alcohol"), "anonym_ambulant") == "not_eligible"


def test_gentofte_familiebehandling_keeps_the_social_target_group_of_section_101():
    """Målgruppe: "… således, at borgeren ikke kan klare sin dagligdag på grund af misbruget" is
    the target group of social treatment under § 101, the family course included."""
    parent = changed(gentofte_adult("cannabis"), person__children_at_home=1)
    offer = evaluation(G, parent).offer("familiebehandling")
    assert offer.status == "eligible"
    assert [r.id for r in offer.reasons][:3] == ["target_group", "age", "harms_daily_life"]
    coping = changed(parent, use__harms_daily_life=False)
    assert status(G, coping, "familiebehandling") == "not_eligible"


# ------------------------------------------------------------------ Gentofte: actions


def test_gentofte_gravide_boern_og_familie_only_with_a_use_of_rusmidler():
    """Seed: "Hvis borgere har et forbrug af rusmidler og hjemmeboende børn, tager Gentofte
    Kommune altid initiativ til et samarbejde med Børn og Familie-afdelingen." No use: no
    action."""
    parent = changed(gentofte_adult("cannabis"), person__children_at_home=2)
    assert "involve_children_and_family_services" in action_ids(G, parent)
    no_use = changed(parent, use__level="none", use__substances=[])
    assert "involve_children_and_family_services" not in action_ids(G, no_use)
    # an alcohol use is a use of rusmidler, too
    drinking = changed(gentofte_adult("alcohol"), person__children_at_home=1)
    assert "involve_children_and_family_services" in action_ids(G, drinking)


@pytest.mark.parametrize("municipality", [G, H])
def test_withdrawal_and_dual_diagnosis_actions_concern_the_user_not_a_relative(municipality):
    """Kriterier (Gentofte) / Ambulant afrusning, Døgnbehandling (Helsingør): the hospital
    assessment of withdrawal and the assessment of a dual diagnosis concern the citizen with
    the substance problem, not a relative who calls."""
    relative = {
        "person": {"birth_date": birth_date_for_age(50), "role": "relative"},
        "use": {"withdrawal_risk": "severe"},
        "health": {"psychiatric_disorder": "suspected"},
    }
    ids = action_ids(municipality, relative)
    assert "withdrawal_hospital_assessment" not in ids
    assert "dual_diagnosis_assessment_required" not in ids


# ------------------------------------------------------------------ SUL § 82 c


@pytest.mark.parametrize("municipality", [G, H])
def test_sul_82c_integrated_treatment_referral_for_mental_illness_and_substance_problem(
    municipality,
):
    """SUL § 82 c (L 126 2023-24, from 1 September 2024): a severe mental illness with a
    substance problem is treated in the regional psychiatry, starting within 14 days of the
    referral; SUL §§ 141–142 do not apply once referred. Sundhedsstyrelsen's referral
    guideline: "no wrong door", no diagnosis needed."""
    base = gentofte_adult("cannabis") if municipality == G else helsingoer_user(40)
    facts = changed(base, health__psychiatric_disorder="requires_treatment")
    [action] = [
        a
        for a in evaluation(municipality, facts).actions
        if a["id"] == "refer_integrated_treatment"
    ]
    assert "sundhedslovens § 82 c" in action["text"]
    assert "14 dage" in action["text"]
    assert "§§ 141 og 142" in action["text"]
    # a suspicion is assessed first (dual_diagnosis_assessment_required), not referred yet
    suspected = changed(base, health__psychiatric_disorder="suspected")
    assert "refer_integrated_treatment" not in action_ids(municipality, suspected)
    # an experimental use is not a substance problem
    light = changed(facts, use__level="experimental")
    assert "refer_integrated_treatment" not in action_ids(municipality, light)
    # the reading beside the rule names its sources
    standard = load(municipality, TODAY).standard
    [rule] = [a for a in standard.actions if a.id == "refer_integrated_treatment"]
    for source in ("L 126 (2023-24)", "§ 82 c", "8. september 2023", "no\n      wrong door"):
        assert " ".join(source.split()) in " ".join(rule.reading.split()), source


# ------------------------------------------------------------------ Helsingør: consents


def test_helsingoer_formaal_under_18_treatment_waits_for_both_consents():
    """Seed (Formål): "For de unge under 18 år vil der altid være tale om et samarbejde med
    forældrene og Familierådgivningen, der begge skal give samtykke til behandlingen." Unknown
    consent is missing information naming both facts; a grant needs both given."""
    young = helsingoer_user(16)
    offer = evaluation(H, young).offer("unge_individuel")
    assert offer.status == "needs_information"
    assert offer.missing == ("consents.parents", "consents.family_services")
    one = changed(young, consents__parents=True)
    assert evaluation(H, one).offer("unge_individuel").missing == ("consents.family_services",)
    assert action_ids(H, one).count("family_services_consent_required") == 1
    assert "parental_consent_required" not in action_ids(H, one)
    both = changed(one, consents__family_services=True)
    assert status(H, both, "unge_individuel") == "eligible"
    refused = changed(one, consents__family_services=False)
    assert status(H, refused, "unge_individuel") == "not_eligible"


def test_helsingoer_formaal_no_grant_without_consent_even_with_an_override():
    """Formål: "… der begge skal give samtykke til behandlingen": while a consent is not
    recorded as given, the consent actions stop a grant of any treatment offer."""
    compiled = load(H, TODAY)
    young = evaluation(H, helsingoer_user(16)).to_json()
    blockers = rules.grant_blockers(compiled, "unge_individuel", young)
    assert len(blockers) == 2
    assert any("samtykke fra forældrene" in text for text in blockers)
    # counselling is not treatment and needs no consent
    assert rules.grant_blockers(compiled, "unge_anonym_raadgivning", young) == []
    given = changed(helsingoer_user(16), consents__parents=True, consents__family_services=True)
    assert rules.grant_blockers(compiled, "unge_individuel", evaluation(H, given).to_json()) == []


@pytest.mark.django_db
def test_helsingoer_formaal_decision_service_refuses_a_grant_without_consent(tenants):
    """The decision service: an override reason lifts a needs_information evaluation, but not
    a minor's missing consent (Formål)."""
    from factories import staff
    from rusmiddel.cases import services
    from rusmiddel.cases.errors import Invalid
    from rusmiddel.cases.models import Case

    actor = staff("therapist", H)
    on = dt.date(2026, 11, 24)

    def version(case_id: int) -> int:
        return Case.objects.values_list("version", flat=True).get(pk=case_id)

    # a 16-year-old: the birth date comes from the CPR number (24 November 2010)
    case = services.case_create(
        actor=actor, received_on=on, channel="walk_in", citizen_cpr="2411104123", citizen_name="U"
    )
    services.assessment_record(
        actor=actor, case_id=case.pk, version=1, facts=helsingoer_user(16), on=on
    )
    grant = {"offer": "unge_individuel", "outcome": "granted", "decided_on": on}
    with pytest.raises(Invalid) as refused:
        services.decision_record(
            actor=actor,
            case_id=case.pk,
            version=version(case.pk),
            override_reason="Den unge ønsker selv behandling",
            **grant,
        )
    assert "samtykke" in str(refused.value)
    # once both consents are recorded, the grant goes through without an override
    consents = changed(helsingoer_user(16), consents__parents=True, consents__family_services=True)
    services.assessment_record(
        actor=actor, case_id=case.pk, version=version(case.pk), facts=consents, on=on
    )
    decision = services.decision_record(
        actor=actor, case_id=case.pk, version=version(case.pk), **grant
    )
    assert decision.evaluation_status == "eligible"


# ------------------------------------------------------------------ Helsingør: medical treatment


def test_helsingoer_medicinsk_behandling_sul_142_has_no_age_floor():
    """SUL § 142 (and § 141) have no age limit, and the seed's youth section ("tager afsæt i
    servicelovens § 101") has no medical treatment: a young opioid user in substitution is not
    refused medical treatment, detox or vaccination for being under 25."""
    # given a 20-year-old opioid user already in substitution treatment
    young = changed(
        helsingoer_user(20, "opioids"),
        history__in_medical_treatment=True,
        use__withdrawal_risk="mild",
    )
    result = evaluation(H, young)
    # then medical treatment, detox, vaccination and the ad-hoc support are open
    for offer in ("medicinsk_behandling", "ambulant_afrusning", "vaccination", "adhoc_behandling"):
        assert result.offer(offer).status == "eligible", offer
    # and the talk-based programme stays split at 25
    assert result.offer("individuelle_samtaler").status == "not_eligible"
    assert result.offer("unge_individuel").status == "eligible"


def test_helsingoer_medicinsk_behandling_under_18_with_both_consents():
    """Under 18 the medical offers follow Formål's consent rule; ad-hoc behandling is social
    support under SEL § 101 (from 18): a minor gets it in the youth programme."""
    minor = changed(helsingoer_user(16, "opioids"), history__in_medical_treatment=True)
    waiting = evaluation(H, minor).offer("medicinsk_behandling")
    assert waiting.status == "needs_information"
    assert waiting.missing == ("consents.parents", "consents.family_services")
    consented = changed(minor, consents__parents=True, consents__family_services=True)
    result = evaluation(H, consented)
    assert result.offer("medicinsk_behandling").status == "eligible"
    assert result.offer("adhoc_behandling").status == "not_eligible"
    assert result.offer("unge_individuel").status == "eligible"


def test_helsingoer_alkoholbehandling_medicinsk_sul_141_has_no_age_floor():
    """SUL § 141: medical alcohol treatment (adepend, campral, antabus) has no age limit."""
    facts = changed(helsingoer_user(22, "alcohol"), wishes__medication_to_be_prescribed=True)
    assert status(H, facts, "alkoholbehandling_medicinsk") == "eligible"


# ------------------------------------------------------------------ Helsingør: whom actions concern


def test_helsingoer_doegnbehandling_gravide_early_intervention_is_for_the_pregnant_user():
    """Seed (Døgnbehandling): "Når rusmiddelcenteret får kendskab til at en af de indskrevne
    borgere er gravide … skal borgerne tilknyttes tidlig indsats på Hillerød Hospital": the
    enrolled citizen, not a pregnant relative; the residential priorities likewise."""
    relative = {
        "person": {
            "birth_date": birth_date_for_age(30),
            "role": "relative",
            "pregnant": True,
            "continuing_pregnancy": True,
            "children_at_home": 1,
            "youngest_child_age": 2,
        },
        "social": {"occupation": "employed"},
    }
    result = evaluation(H, relative)
    assert "early_intervention_hospital" not in [a["id"] for a in result.actions]
    assert result.priorities == ()
    user = changed(helsingoer_user(30), person__pregnant=True, person__continuing_pregnancy=True)
    assert "early_intervention_hospital" in action_ids(H, user)
    assert "pregnant" in evaluation(H, user).priorities


def test_helsingoer_formaal_family_conversations_not_promised_where_the_offer_is_closed():
    """Seed (Formål): "Borgere, som har hjemmeboende børn, tilbydes familiesamtaler og der
    samarbejdes eventuelt med Familierådgivningen og Familiehuset"; Familiesamtaler stands
    under "Ambulante behandlingstilbud til borgere fra 25 år og opefter"."""
    young_parent = changed(helsingoer_user(22), person__children_at_home=1)
    result = evaluation(H, young_parent)
    assert result.offer("familiesamtaler").status == "not_eligible"
    ids = [a["id"] for a in result.actions]
    assert "involve_children_and_family_services" in ids
    assert "offer_family_conversations" not in ids
    assert all("familiesamtaler" not in a["text"] for a in result.actions)
    parent = changed(helsingoer_user(30), person__children_at_home=1)
    assert "offer_family_conversations" in action_ids(H, parent)


# ------------------------------------------------------------------ the format


def _gentofte_data() -> dict[str, Any]:
    from ruamel.yaml import YAML

    path = load(G, TODAY).path
    with open(path, encoding="utf-8") as handle:
        return YAML(typ="safe").load(handle)


def test_standard_format_action_offer_must_name_an_offer_of_the_standard():
    """docs/standards.md: an action's `offer` names the offer it refers the citizen to."""
    data = _gentofte_data()
    data["actions"][0]["offer"] = "familiesamtaler"
    standard, _, problems = validate(data)
    assert standard is None
    assert any("unknown offer 'familiesamtaler'" in p.message for p in problems)
    data["actions"][0]["offer"] = "familiebehandling"
    data["actions"][0]["blocks_grant"] = True
    standard, _, problems = validate(data)
    assert problems == [] and standard.actions[0].blocks_grant is True
