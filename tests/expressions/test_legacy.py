import pytest

from ddblite.expressions import attribute_updates, expected_condition, filter_condition
from tests.expressions.conftest import N, S, message_of

P = "One or more parameter values were invalid: "
ITEM = {"a": S("abc"), "n": N("5"), "tags": {"SS": ["x", "y"]}}


@pytest.mark.parametrize("spec,message", [
    ({"Exists": True}, "Value must be provided when Exists is true for Attribute: a"),
    ({"Exists": False, "Value": S("a")},
     "Value cannot be used when Exists is false for Attribute: a"),
    ({}, "Value must be provided when Exists is null for Attribute: a"),
    ({"ComparisonOperator": "EQ"},
     "Value or AttributeValueList must be used with ComparisonOperator: EQ for Attribute: a"),
    ({"Exists": True, "ComparisonOperator": "EQ"},
     "Exists and ComparisonOperator cannot be used together for Attribute: a"),
    ({"Value": S("a"), "AttributeValueList": [S("a")], "ComparisonOperator": "EQ"},
     "Value and AttributeValueList cannot be used together for Attribute: a"),
    ({"AttributeValueList": [S("a")]},
     "AttributeValueList can only be used with a ComparisonOperator for Attribute: a"),
    ({"ComparisonOperator": "BETWEEN", "AttributeValueList": [S("a")]},
     "Invalid number of argument(s) for the BETWEEN ComparisonOperator"),
    ({"ComparisonOperator": "NULL", "AttributeValueList": [S("a")]},
     "Invalid number of argument(s) for the NULL ComparisonOperator"),
    ({"ComparisonOperator": "LT", "AttributeValueList": [{"BOOL": True}]},
     "ComparisonOperator LT is not valid for BOOL AttributeValue type"),
    ({"ComparisonOperator": "IN", "AttributeValueList": [S("b"), N("1")]},
     "AttributeValues inside AttributeValueList must be of same type"),
])
def test_expected_validation(spec, message):
    assert message_of(expected_condition, {"a": spec}) == P + message


def test_between_order():
    assert message_of(filter_condition, {"a": {"ComparisonOperator": "BETWEEN",
                                               "AttributeValueList": [S("b"), S("a")]}}) == (
        "The BETWEEN condition was provided a range where the lower bound is greater than the "
        "upper bound"
    )


@pytest.mark.parametrize("op,values,expected", [
    ("EQ", [S("abc")], True), ("NE", [S("abc")], False), ("LT", [S("abd")], True),
    ("GE", [S("abc")], True), ("NOT_NULL", [], True), ("NULL", [], False),
    ("BEGINS_WITH", [S("ab")], True), ("CONTAINS", [S("bc")], True),
    ("NOT_CONTAINS", [S("zz")], True), ("IN", [S("q"), S("abc")], True),
    ("BETWEEN", [S("a"), S("b")], True),
])
def test_filter_operators(op, values, expected):
    cond = filter_condition({"a": {"ComparisonOperator": op, "AttributeValueList": values}})
    assert cond.evaluate(ITEM) is expected


def test_expected_forms_and_conditional_operator():
    assert expected_condition({"a": {"Value": S("abc")}}).evaluate(ITEM)
    assert expected_condition({"zz": {"Exists": False}}).evaluate(ITEM)
    assert not expected_condition({"a": {"Exists": False}}).evaluate(ITEM)
    both = {"a": {"Value": S("nope")}, "n": {"Value": N("5")}}
    assert not expected_condition(both).evaluate(ITEM)
    assert expected_condition(both, "OR").evaluate(ITEM)
    assert expected_condition({}).evaluate(ITEM)


def test_attribute_updates():
    update = attribute_updates({
        "a": {"Action": "PUT", "Value": S("new")}, "n": {"Action": "ADD", "Value": N("2")},
        "tags": {"Action": "DELETE", "Value": {"SS": ["x"]}}, "gone": {"Action": "DELETE"},
        "l": {"Action": "ADD", "Value": {"L": [N("1")]}},
    })
    new = update.apply({**ITEM, "gone": S("g"), "l": {"L": [N("0")]}})
    assert new == {"a": S("new"), "n": N("7"), "tags": {"SS": ["y"]}, "l": {"L": [N("0"), N("1")]}}
    assert message_of(attribute_updates, {"a": {"Action": "PUT"}}) == (
        P + "Only DELETE action is allowed when no attribute value is specified"
    )
    assert message_of(attribute_updates, {"a": {"Action": "ADD", "Value": S("x")}}) == (
        P + "ADD action is not supported for the type S"
    )
    assert message_of(attribute_updates, {"a": {"Action": "DELETE", "Value": N("1")}}) == (
        P + "DELETE action with value is not supported for the type N"
    )


@pytest.mark.parametrize("updates", [
    {"n": {"Action": "ADD", "Value": {"SS": ["a"]}}},
    {"ss": {"Action": "ADD", "Value": N("1")}},
    {"ss": {"Action": "DELETE", "Value": {"NS": ["1"]}}},
    {"n": {"Action": "DELETE", "Value": {"NS": ["1"]}}},
])
def test_attribute_updates_type_clash_has_its_own_wording(updates):
    update = attribute_updates(updates)
    assert message_of(update.apply, {"n": N("1"), "ss": {"SS": ["a"]}}) == (
        "Type mismatch for attribute to update"
    )
