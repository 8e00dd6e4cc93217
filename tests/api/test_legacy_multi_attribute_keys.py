"""Legacy KeyConditions on a multi-attribute GSI key: up to eight conditions, as in the
KeyConditionExpression form; two stay the limit everywhere else."""

from __future__ import annotations

import pytest

from tests.conftest import error_of

TOO_MANY = ("ValidationException", "Conditions can be of length 1 or 2 only")


def _eq(value: str) -> dict:
    return {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": value}]}


@pytest.fixture
def table(client):
    client.create_table(
        TableName="things", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"}
                              for n in ("pk", "a", "b", "c", "d")],
        GlobalSecondaryIndexes=[
            {"IndexName": "multi", "Projection": {"ProjectionType": "ALL"}, "KeySchema": [
                {"AttributeName": "a", "KeyType": "HASH"},
                {"AttributeName": "b", "KeyType": "HASH"},
                {"AttributeName": "c", "KeyType": "RANGE"},
                {"AttributeName": "d", "KeyType": "RANGE"}]},
            {"IndexName": "single", "Projection": {"ProjectionType": "ALL"}, "KeySchema": [
                {"AttributeName": "a", "KeyType": "HASH"},
                {"AttributeName": "c", "KeyType": "RANGE"}]},
        ],
    )
    for d in ("w1", "w2", "v1"):
        client.put_item(TableName="things", Item={
            "pk": {"S": d}, "a": {"S": "x"}, "b": {"S": "y"}, "c": {"S": "z"}, "d": {"S": d}})
    return client


def test_three_and_four_conditions_on_a_multi_attribute_key(table):
    three = {"a": _eq("x"), "b": _eq("y"), "c": _eq("z")}
    assert table.query(TableName="things", IndexName="multi", KeyConditions=three)["Count"] == 3
    four = {**three, "d": {"ComparisonOperator": "BEGINS_WITH",
                           "AttributeValueList": [{"S": "w"}]}}
    response = table.query(TableName="things", IndexName="multi", KeyConditions=four)
    assert [item["d"]["S"] for item in response["Items"]] == ["w1", "w2"]


def test_more_than_two_conditions_elsewhere(table):
    three = {"a": _eq("x"), "b": _eq("y"), "c": _eq("z")}
    for extra in ({"IndexName": "single"}, {}):
        with pytest.raises(Exception) as excinfo:
            table.query(TableName="things", KeyConditions=three, **extra)
        assert error_of(excinfo) == TOO_MANY
