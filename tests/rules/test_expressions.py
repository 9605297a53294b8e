"""Three-valued criteria over CEL: decided, or unknown with the missing facts named."""

import cel
import pytest

from rusmiddel.rules import RuleFailure
from rusmiddel.rules.expressions import ExpressionError, compile_expression, truth
from rusmiddel.rules.facts import expression_context, present_paths


def judge(source, facts, age=None):
    expr = compile_expression(source)
    return truth(expr, cel.Context(expression_context(facts, age)), present_paths(facts))


def test_decided_true_and_false():
    assert judge('use.level == "dependent"', {"use": {"level": "dependent"}}) == (True, ())
    assert judge('use.level == "dependent"', {"use": {"level": "none"}}) == (False, ())


def test_missing_fact_is_unknown_and_named():
    assert judge('use.level == "dependent"', {}) == (None, ("use.level",))


def test_or_is_decided_by_the_known_side():
    # Children at home decide it even though pregnancy is not recorded.
    source = "person.pregnant || person.children_at_home > 0"
    assert judge(source, {"person": {"children_at_home": 2}}) == (True, ())
    assert judge(source, {"person": {"children_at_home": 0}}) == (None, ("person.pregnant",))


def test_and_is_decided_by_a_known_false():
    source = "social.self_supporting && social.housing in ['own', 'rented']"
    assert judge(source, {"social": {"self_supporting": False}}) == (False, ())


def test_age_is_derived_from_birth_date():
    assert judge("age >= 18", {}) == (None, ("person.birth_date",))
    facts = {"person": {"birth_date": "2000-01-01"}}
    assert judge("age >= 18", facts, age=17) == (False, ())


def test_null_counts_as_missing():
    assert judge("social.self_supporting", {"social": {"self_supporting": None}}) == (
        None,
        ("social.self_supporting",),
    )


def test_string_literals_are_not_fact_references():
    expr = compile_expression('wishes.requested_offer != "use.level"')
    assert expr.paths == ("wishes.requested_offer",)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("use.level ==", "not a valid CEL expression"),
        ("use.levle == 'dependent'", "unknown fact 'use.levle'"),
        ("person.children_at_home", "must be true or false"),
        ("use.level > 3", "fails on complete facts"),
        ("undefined_name", "fails on complete facts"),
    ],
)
def test_bad_expressions_are_refused_at_load(source, message):
    with pytest.raises(ExpressionError, match=message):
        compile_expression(source)


def test_a_failure_with_nothing_missing_is_a_rule_failure_not_unknown():
    expr = compile_expression("person.children_at_home > 0")
    # A value of the wrong type slipping past validation must not pass as 'unknown'.
    context = cel.Context({"person": {"children_at_home": "two"}})
    with pytest.raises(RuleFailure):
        truth(expr, context, frozenset({"person.children_at_home"}))
