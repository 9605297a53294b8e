"""Properties of evaluation that must hold for any schema-valid facts, in every standard."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from rusmiddel.rules import evaluate
from rusmiddel.rules.facts import SECTIONS, assessment_schema
from rusmiddel.standards.registry import load, municipalities

ON = dt.date(2026, 11, 24)
MUNICIPALITIES = ["gentofte", "helsingoer"]


def _facts(municipality: str):
    """Schema-valid facts whose offer ids and birth date make sense for the standard."""
    offer_ids = [o.id for o in load(municipality, ON).standard.offers]
    births = st.dates(min_value=dt.date(1920, 1, 1), max_value=ON).map(dt.date.isoformat)

    def fix(data, facts):
        person = facts.get("person")
        if person and "birth_date" in person:
            person["birth_date"] = data.draw(births)
        wishes = facts.get("wishes")
        if wishes and "requested_offer" in wishes:
            wishes["requested_offer"] = data.draw(st.sampled_from(offer_ids))
        history = facts.get("history")
        if history and "previous_offers" in history:
            history["previous_offers"] = data.draw(
                st.lists(st.sampled_from([*offer_ids, "ambulant", "doegnbehandling"]), max_size=3)
            )
        return facts

    return st.data(), from_schema(assessment_schema()), fix


def _drop_some(data, facts):
    """The same facts with some of them removed (never changed)."""
    fewer = {}
    for section in SECTIONS:
        if section in facts:
            keys = [k for k in facts[section] if data.draw(st.booleans())]
            fewer[section] = {k: facts[section][k] for k in keys}
    return fewer


@pytest.mark.parametrize("municipality", MUNICIPALITIES)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_valid_facts_evaluate_and_list_every_offer(municipality, data):
    _, facts_strategy, fix = _facts(municipality)
    facts = fix(data, data.draw(facts_strategy))
    compiled = load(municipality, ON)
    result = evaluate(compiled, facts, ON).to_json()
    assert [o["offer"] for o in result["offers"]] == [o.id for o in compiled.standard.offers]
    for offer in result["offers"]:
        assert offer["status"] in {"eligible", "not_eligible", "needs_information"}
        assert bool(offer["missing"]) == (offer["status"] == "needs_information")


@pytest.mark.parametrize("municipality", MUNICIPALITIES)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_adding_facts_never_turns_not_eligible_into_needs_information(municipality, data):
    _, facts_strategy, fix = _facts(municipality)
    more = fix(data, data.draw(facts_strategy))
    fewer = _drop_some(data, more)
    compiled = load(municipality, ON)
    before = evaluate(compiled, fewer, ON)
    after = evaluate(compiled, more, ON)
    for b, a in zip(before.offers, after.offers, strict=True):
        if b.status == "not_eligible":
            assert a.status != "needs_information", (b.offer.id, fewer, more)


@pytest.mark.parametrize("municipality", MUNICIPALITIES)
def test_empty_facts_list_every_offer(municipality):
    compiled = load(municipality, ON)
    result = evaluate(compiled, {}, ON)
    assert [o.offer.id for o in result.offers] == [o.id for o in compiled.standard.offers]
    assert result.age is None


def test_seed_municipalities_are_installed():
    assert set(MUNICIPALITIES) <= set(municipalities())
