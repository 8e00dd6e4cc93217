"""Write conditions (ddblite.ops.conditions): each phase on its own, then through UpdateItem."""

from __future__ import annotations

import re

import pytest

from ddblite.errors import (
    ConditionalCheckFailedException,
    SerializationException,
    ValidationException,
)
from ddblite.ops import conditions
from ddblite.validate import Shape
from tests.conftest import create_table, error_of

INVALID = "One or more parameter values were invalid: "
KEY = {"pk": {"S": "a"}}


def message_of(call, *args) -> str:
    with pytest.raises(ValidationException) as excinfo:
        call(*args)
    return excinfo.value.message


# ------------------------------------------------------------------ JSON types


@pytest.mark.parametrize(("params", "message"), [
    ({"ConditionExpression": 1}, "NUMBER_VALUE cannot be converted to String"),
    ({"ConditionalOperator": False}, "FALSE_VALUE cannot be converted to String"),
    ({"ExpressionAttributeNames": {"#a": 1}}, "NUMBER_VALUE cannot be converted to String"),
    ({"ExpressionAttributeValues": {":a": {"SS": "a"}}}, "Unexpected field type"),
    ({"Expected": {"a": {"Exists": 1}}}, "NUMBER_VALUE cannot be converted to Boolean"),
    ({"Expected": {"a": {"ComparisonOperator": 1}}}, "NUMBER_VALUE cannot be converted to String"),
    ({"Expected": {"a": {"Value": {"N": 1}}}}, "NUMBER_VALUE cannot be converted to String"),
    ({"Expected": {"a": {"AttributeValueList": [{"B": 1}]}}},
     "only base-64-encoded strings are convertible to bytes"),
    ({"ReturnValuesOnConditionCheckFailure": 1}, "NUMBER_VALUE cannot be converted to String"),
])
def test_json_types(params, message):
    with pytest.raises(SerializationException) as excinfo:
        conditions.expect_condition_types(params)
    assert excinfo.value.message == message


def test_json_types_return_the_failure_return_values():
    assert conditions.expect_condition_types({}) is None
    assert conditions.expect_condition_types(
        {"ReturnValuesOnConditionCheckFailure": "ALL_OLD"}) == "ALL_OLD"


# ------------------------------------------------------------------ constraints


def test_constraints_join_the_collected_ones():
    shape = Shape()
    conditions.add_condition_constraints(shape, {
        "ConditionalOperator": "XOR", "Expected": {"a": {"ComparisonOperator": "eq"}, "b": {}},
        "ReturnValuesOnConditionCheckFailure": "ALL_NEW",
    })
    assert shape.problems == [
        "Value 'XOR' at 'conditionalOperator' failed to satisfy constraint: Member must satisfy "
        "enum value set: [OR, AND]",
        "Value 'eq' at 'expected.a.member.comparisonOperator' failed to satisfy constraint: "
        "Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, "
        "NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]",
        "Value 'ALL_NEW' at 'returnValuesOnConditionCheckFailure' failed to satisfy constraint: "
        "Member must satisfy enum value set: [ALL_OLD, NONE]",
    ]
    valid = Shape()
    conditions.add_condition_constraints(valid, {
        "ConditionalOperator": "OR", "Expected": {"a": {"ComparisonOperator": "EQ"}},
        "ReturnValuesOnConditionCheckFailure": "NONE"})
    assert valid.problems == []


# ------------------------------------------------------------------ mixing


@pytest.mark.parametrize(("params", "message"), [
    ({"ConditionExpression": "a = :a", "Expected": {}},
     "Can not use both expression and non-expression parameters in the same request: "
     "Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}"),
    ({"Expected": {}, "ExpressionAttributeNames": {}},
     "ExpressionAttributeNames can only be specified when using expressions"),
    ({"ExpressionAttributeNames": {"#a": "a"}, "ExpressionAttributeValues": {}},
     "ExpressionAttributeNames can only be specified when using expressions"),
    ({"ExpressionAttributeValues": {":a": {"S": "a"}}},
     "ExpressionAttributeValues can only be specified when using expressions: "
     "ConditionExpression is null"),
])
def test_mixing_rules_of_put_and_delete(params, message):
    assert message_of(conditions.check_expression_params, params) == message


def test_mixing_allows_either_kind_alone():
    conditions.check_expression_params({"Expected": {"a": {"Exists": False}}})
    conditions.check_expression_params({"ConditionExpression": "a = :a",
                                        "ExpressionAttributeValues": {":a": {"S": "a"}}})
    conditions.check_expression_params({})


# ------------------------------------------------------------------ parsing


@pytest.mark.parametrize(("values", "message"), [
    ({":a": {"NULL": False}}, INVALID + "Null attribute value types must have the value of true"),
    ({":a": {"NS": []}}, INVALID + "An number set  may not be empty"),
    ({":a": {"BS": [b"b", b"b"]}}, INVALID + "Input collection [Yg==, Yg==]of type BS contains "
     "duplicates."),
    ({":a": {"NS": ["1", "1.0"]}}, "Input collection contains duplicates"),
    ({":a": {"N": "1e-131"}}, "Number underflow. Attempting to store a number with magnitude "
     "smaller than supported range"),
    ({":a": {"S": "ok"}, ":b": {"N": ""}}, "The parameter cannot be converted to a numeric value"),
])
def test_expression_values_name_the_bad_key(values, message):
    assert message_of(conditions.canonical_expression_values, values) == (
        f"ExpressionAttributeValues contains invalid value: {message} for key "
        + list(values)[-1]
    )


def test_expression_values_are_canonicalised():
    assert conditions.canonical_expression_values(
        {":a": {"N": "01.50"}, ":b": {"SS": ["b", "a"]}}
    ) == {":a": {"N": "1.5"}, ":b": {"SS": ["a", "b"]}}
    assert conditions.canonical_expression_values(None) is None


def test_parse_condition_with_an_expression():
    condition = conditions.parse_condition({
        "ConditionExpression": "#n >= :low", "ExpressionAttributeNames": {"#n": "n"},
        "ExpressionAttributeValues": {":low": {"N": "10.0"}},
    })
    assert condition.evaluate({"n": {"N": "10"}})
    assert not condition.evaluate({"n": {"N": "9"}})
    assert not condition.evaluate({})


@pytest.mark.parametrize(("params", "message"), [
    ({"ConditionExpression": "a = :a", "ExpressionAttributeValues": {}},
     "ExpressionAttributeValues must not be empty"),
    ({"ConditionExpression": "a = :a", "ExpressionAttributeNames": {}},
     "ExpressionAttributeNames must not be empty"),
    ({"ConditionExpression": "a = :a", "ExpressionAttributeNames": {"#b": "b"},
      "ExpressionAttributeValues": {":a": {"S": "x"}}},
     "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}"),
    ({"ConditionExpression": "a = :a",
      "ExpressionAttributeValues": {":a": {"S": "x"}, ":c": {"S": "y"}}},
     "Value provided in ExpressionAttributeValues unused in expressions: keys: {:c}"),
    ({"ConditionExpression": ""}, "Invalid ConditionExpression: The expression can not be empty;"),
    ({"ConditionExpression": "a BETWEEN :hi AND :lo",
      "ExpressionAttributeValues": {":hi": {"N": "2"}, ":lo": {"N": "1"}}},
     "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than "
     "or equal to lower bound; lower bound operand: AttributeValue: {N:2}, upper bound operand: "
     "AttributeValue: {N:1}"),
    ({"Expected": {"a": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "1"}]}}},
     INVALID + "Invalid number of argument(s) for the BETWEEN ComparisonOperator"),
    ({"Expected": {"a": {"ComparisonOperator": "EQ"}}},
     INVALID + "Value or AttributeValueList must be used with ComparisonOperator: EQ for "
     "Attribute: a"),
    ({"Expected": {"a": {"AttributeValueList": [{"S": "a"}]}}},
     INVALID + "AttributeValueList can only be used with a ComparisonOperator for Attribute: a"),
    ({"Expected": {"a": {"Value": {"S": "a"}, "AttributeValueList": [], "Exists": True,
                         "ComparisonOperator": "EQ"}}},
     INVALID + "Value and AttributeValueList cannot be used together for Attribute: a"),
    ({"Expected": {"a": {"Exists": True, "ComparisonOperator": "NULL"}}},
     INVALID + "Exists and ComparisonOperator cannot be used together for Attribute: a"),
    ({"Expected": {"a": {"Value": {"SS": []}}}}, INVALID + "An string set  may not be empty"),
    ({"Expected": {"a": {"ComparisonOperator": "GT", "AttributeValueList": [{"BOOL": True}]}}},
     INVALID + "ComparisonOperator GT is not valid for BOOL AttributeValue type"),
])
def test_parse_condition_errors(params, message):
    assert message_of(conditions.parse_condition, params) == message


def test_parse_condition_without_a_condition():
    assert conditions.parse_condition({}) is None


def test_parse_condition_with_expected():
    condition = conditions.parse_condition({
        "Expected": {"a": {"Value": {"N": "1.0"}}, "b": {"Exists": False}},
        "ConditionalOperator": "OR",
    })
    assert condition.evaluate({"a": {"N": "1"}, "b": {"S": "x"}})
    assert condition.evaluate({})
    assert not condition.evaluate({"a": {"N": "2"}, "b": {"S": "x"}})


# ------------------------------------------------------------------ check


def test_check_passes_or_raises_with_the_old_item_when_asked():
    condition = conditions.parse_condition({"ConditionExpression": "attribute_not_exists(pk)"})
    conditions.check(None, KEY, "ALL_OLD")
    conditions.check(condition, None, "ALL_OLD")
    with pytest.raises(ConditionalCheckFailedException) as excinfo:
        conditions.check(condition, KEY, "ALL_OLD")
    assert error_of(excinfo)[1] == "The conditional request failed"
    assert excinfo.value.response["Item"] == KEY
    assert excinfo.value.wire_body() == {
        "__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
        "message": "The conditional request failed", "Item": KEY,
    }
    for on_failure in (None, "NONE"):
        with pytest.raises(ConditionalCheckFailedException) as excinfo:
            conditions.check(condition, KEY, on_failure)
        assert "Item" not in excinfo.value.response
    exists = conditions.parse_condition({"ConditionExpression": "attribute_exists(pk)"})
    with pytest.raises(ConditionalCheckFailedException) as excinfo:
        conditions.check(exists, None, "ALL_OLD")
    assert "Item" not in excinfo.value.response


# ------------------------------------------------------------------ through UpdateItem


ITEM = {
    **KEY, "s": {"S": "abc"}, "n": {"N": "5"}, "b": {"B": b"\x01\x02"},
    "ss": {"SS": ["x", "y"]}, "ns": {"NS": ["1", "2"]}, "l": {"L": [{"S": "x"}]},
    "t": {"BOOL": True}, "z": {"NULL": True},
}


@pytest.mark.parametrize(("expected", "passes"), [
    ({"s": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "abc"}]}}, True),
    ({"ss": {"ComparisonOperator": "EQ", "AttributeValueList": [{"SS": ["y", "x"]}]}}, True),
    ({"n": {"ComparisonOperator": "NE", "AttributeValueList": [{"N": "5.0"}]}}, False),
    ({"missing": {"ComparisonOperator": "NE", "AttributeValueList": [{"N": "5"}]}}, True),
    ({"n": {"ComparisonOperator": "LT", "AttributeValueList": [{"N": "10"}]}}, True),
    ({"s": {"ComparisonOperator": "GE", "AttributeValueList": [{"S": "abd"}]}}, False),
    ({"b": {"ComparisonOperator": "GT", "AttributeValueList": [{"B": b"\x01"}]}}, True),
    ({"n": {"ComparisonOperator": "LE", "AttributeValueList": [{"S": "5"}]}}, False),
    ({"s": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"S": "bc"}]}}, True),
    ({"ss": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"S": "y"}]}}, True),
    ({"ns": {"ComparisonOperator": "NOT_CONTAINS", "AttributeValueList": [{"N": "3"}]}}, True),
    ({"missing": {"ComparisonOperator": "NOT_CONTAINS", "AttributeValueList": [{"S": "a"}]}},
     False),
    ({"s": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "ab"}]}}, True),
    ({"n": {"ComparisonOperator": "IN", "AttributeValueList": [{"N": "4"}, {"N": "5"}]}}, True),
    ({"n": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "5"}, {"N": "6"}]}},
     True),
    ({"z": {"ComparisonOperator": "NOT_NULL"}, "missing": {"ComparisonOperator": "NULL"}}, True),
    ({"t": {"ComparisonOperator": "NULL"}}, False),
    ({"t": {"Value": {"BOOL": True}}, "missing": {"Exists": False}}, True),
    ({"t": {"Value": {"BOOL": False}}}, False),
    ({}, True),
])
def test_expected_operators(client, expected, passes):
    create_table(client)
    client.put_item(TableName="things", Item=ITEM)
    params = dict(TableName="things", Key=KEY, Expected=expected,
                  AttributeUpdates={"done": {"Value": {"BOOL": True}}})
    if passes:
        client.update_item(**params)
        got = client.get_item(TableName="things", Key=KEY)["Item"]
        assert got == {**ITEM, "done": {"BOOL": True}}
    else:
        with pytest.raises(client.exceptions.ConditionalCheckFailedException) as excinfo:
            client.update_item(ReturnValuesOnConditionCheckFailure="ALL_OLD", **params)
        assert excinfo.value.response["Item"] == ITEM


@pytest.mark.parametrize(("operator", "passes"), [("AND", False), ("OR", True), (None, False)])
def test_conditional_operator(client, operator, passes):
    create_table(client)
    client.put_item(TableName="things", Item=ITEM)
    params = dict(TableName="things", Key=KEY, Expected={
        "s": {"Value": {"S": "abc"}}, "n": {"ComparisonOperator": "GT",
                                            "AttributeValueList": [{"N": "5"}]}})
    if operator is not None:
        params["ConditionalOperator"] = operator
    if passes:
        client.update_item(**params)
    else:
        with pytest.raises(client.exceptions.ConditionalCheckFailedException):
            client.update_item(**params)


@pytest.mark.parametrize(("expression", "passes"), [
    ("(#s = :cur) AND (#n > :min)", True),
    ("(#s = :cur AND #n > :min)", True),
    ("(#s = :cur AND (#n > :min))", True),
    ("#s = :cur AND NOT (#n > :min)", False),
    ("size(ss) = :two AND contains(#s, :c)", False),
    ("attribute_type(#n, :N) OR #s = :cur", True),
])
def test_condition_expressions(client, expression, passes):
    create_table(client)
    client.put_item(TableName="things", Item=ITEM)
    values = {":cur": {"S": "abc"}, ":min": {"N": "1"}, ":two": {"N": "2"}, ":c": {"S": "z"},
              ":N": {"S": "N"}}
    names = {"#s": "s", "#n": "n"}
    tokens = set(re.findall(r"[:#]\w+", expression))
    used = {key: value for key, value in values.items() if key in tokens}
    used_names = {key: value for key, value in names.items() if key in tokens}
    params = dict(TableName="things", Key=KEY, ConditionExpression=expression,
                  ExpressionAttributeValues=used)
    if used_names:
        params["ExpressionAttributeNames"] = used_names
    if passes:
        client.update_item(**params)
    else:
        with pytest.raises(client.exceptions.ConditionalCheckFailedException):
            client.update_item(**params)
    assert client.get_item(TableName="things", Key=KEY)["Item"] == ITEM
