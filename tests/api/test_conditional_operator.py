"""ConditionalOperator: only with two or more legacy conditions, and a legacy member
in the expression/non-expression mixing rule."""

from __future__ import annotations

import pytest

from tests.conftest import create_table, error_of

WITHOUT = "ConditionalOperator cannot be used without Filter or Expected"
TWO_OR_MORE = (
    "ConditionalOperator can only be used when Filter or Expected has two or more elements"
)
KEY = {"pk": {"S": "a"}}


def _cond(value: str = "x") -> dict:
    return {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": value}]}


def _mixing(legacy: str, expressions: str) -> str:
    return ("Can not use both expression and non-expression parameters in the same request: "
            f"Non-expression parameters: {{{legacy}}} Expression parameters: {{{expressions}}}")


@pytest.fixture
def table(client):
    create_table(client)
    client.put_item(TableName="things", Item={**KEY, "a": {"S": "x"}})
    return client


CASES = [
    ("scan", {}, WITHOUT),
    ("scan", {"ScanFilter": {}}, WITHOUT),
    ("scan", {"AttributesToGet": ["a"]}, WITHOUT),
    ("scan", {"ScanFilter": {"a": _cond()}}, TWO_OR_MORE),
    ("query", {"KeyConditions": {"pk": _cond("a")}}, WITHOUT),
    ("query", {}, WITHOUT),
    ("query", {"KeyConditions": {"pk": _cond("a")}, "QueryFilter": {"a": _cond()}}, TWO_OR_MORE),
    ("put_item", {"Item": KEY}, WITHOUT),
    ("put_item", {"Item": KEY, "Expected": {"a": _cond()}}, TWO_OR_MORE),
    ("delete_item", {"Key": KEY}, WITHOUT),
    ("delete_item", {"Key": KEY, "Expected": {"a": _cond()}}, TWO_OR_MORE),
    ("update_item", {"Key": KEY}, WITHOUT),
    ("update_item", {"Key": KEY, "Expected": {}}, WITHOUT),
    ("update_item", {"Key": KEY, "AttributeUpdates": {"b": {"Value": {"S": "v"},
                                                            "Action": "PUT"}}}, WITHOUT),
    ("scan", {"FilterExpression": "a = :v", "ExpressionAttributeValues": {":v": {"S": "x"}}},
     _mixing("ConditionalOperator", "FilterExpression")),
    ("scan", {"ProjectionExpression": "a"}, _mixing("ConditionalOperator", "ProjectionExpression")),
    ("scan", {"AttributesToGet": ["a"], "ScanFilter": {"a": _cond()}, "FilterExpression": "a = :v",
              "ProjectionExpression": "a", "ExpressionAttributeValues": {":v": {"S": "x"}}},
     _mixing("AttributesToGet, ScanFilter, ConditionalOperator",
             "ProjectionExpression, FilterExpression")),
    ("query", {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues":
               {":p": {"S": "a"}}}, _mixing("ConditionalOperator", "KeyConditionExpression")),
    ("put_item", {"Item": KEY, "ConditionExpression": "attribute_exists(pk)"},
     _mixing("ConditionalOperator", "ConditionExpression")),
    ("put_item", {"Item": KEY, "Expected": {"a": _cond()},
                  "ConditionExpression": "attribute_exists(pk)"},
     _mixing("Expected, ConditionalOperator", "ConditionExpression")),
    ("delete_item", {"Key": KEY, "ConditionExpression": "attribute_exists(pk)"},
     _mixing("ConditionalOperator", "ConditionExpression")),
    ("update_item", {"Key": KEY, "UpdateExpression": "SET a = :v",
                     "ExpressionAttributeValues": {":v": {"S": "x"}}},
     _mixing("ConditionalOperator", "UpdateExpression")),
    ("update_item", {"Key": KEY, "AttributeUpdates": {"a": {"Value": {"S": "v"}, "Action": "PUT"}},
                     "Expected": {"a": _cond()}, "UpdateExpression": "SET a = :v",
                     "ConditionExpression": "attribute_exists(pk)",
                     "ExpressionAttributeValues": {":v": {"S": "x"}}},
     _mixing("AttributeUpdates, Expected, ConditionalOperator",
             "UpdateExpression, ConditionExpression")),
]


@pytest.mark.parametrize("operation, params, message", CASES)
def test_conditional_operator_rules(table, operation, params, message):
    with pytest.raises(table.exceptions.ClientError) as excinfo:
        getattr(table, operation)(TableName="things", ConditionalOperator="AND", **params)
    assert error_of(excinfo) == ("ValidationException", message)


def test_two_expected_conditions_with_or(table):
    table.put_item(TableName="things", Item={**KEY, "a": {"S": "y"}}, ConditionalOperator="OR",
                   Expected={"a": _cond("x"), "b": {"Exists": True, "Value": {"S": "z"}}})
    assert table.get_item(TableName="things", Key=KEY)["Item"]["a"] == {"S": "y"}
