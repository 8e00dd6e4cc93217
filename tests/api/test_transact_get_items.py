"""TransactGetItems: validation -> behaviour -> capacity."""

from __future__ import annotations

import pytest

from tests.conftest import create_table, error_of


def _get(pk: str, table: str = "things", **extra) -> dict:
    return {"Get": {"TableName": table, "Key": {"pk": {"S": pk}}, **extra}}


@pytest.fixture
def table(client):
    create_table(client)
    for pk in ("a", "b"):
        client.put_item(TableName="things",
                        Item={"pk": {"S": pk}, "n": {"N": "1"}, "m": {"M": {"x": {"S": pk}}}})
    return client


def _raises(client, code: str, **params):
    with pytest.raises(Exception) as excinfo:
        client.transact_get_items(**params)
    assert error_of(excinfo)[0] == code, error_of(excinfo)
    return excinfo.value.response


def test_items_in_request_order_with_empty_entries_for_missing(table):
    response = table.transact_get_items(TransactItems=[_get("b"), _get("missing"), _get("a")])
    assert response["Responses"] == [
        {"Item": {"pk": {"S": "b"}, "n": {"N": "1"}, "m": {"M": {"x": {"S": "b"}}}}},
        {},
        {"Item": {"pk": {"S": "a"}, "n": {"N": "1"}, "m": {"M": {"x": {"S": "a"}}}}},
    ]


def test_projection_per_get(table):
    response = table.transact_get_items(TransactItems=[
        _get("a", ProjectionExpression="#m.x", ExpressionAttributeNames={"#m": "m"}),
        _get("b", ProjectionExpression="n"),
    ])
    assert response["Responses"] == [
        {"Item": {"m": {"M": {"x": {"S": "a"}}}}},
        {"Item": {"n": {"N": "1"}}},
    ]


def test_across_tables(table):
    create_table(table, "others", range_key=("sk", "N"))
    table.put_item(TableName="others", Item={"pk": {"S": "a"}, "sk": {"N": "1"}})
    response = table.transact_get_items(TransactItems=[
        _get("a"), {"Get": {"TableName": "others", "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}}}},
    ])
    assert response["Responses"][1] == {"Item": {"pk": {"S": "a"}, "sk": {"N": "1"}}}


def test_empty_list(db):
    with pytest.raises(Exception) as excinfo:
        db.call("TransactGetItems", {"TransactItems": []})
    assert error_of(excinfo) == ("ValidationException", (
        "1 validation error detected: Value '[]' at 'transactItems' failed to satisfy "
        "constraint: Member must have length greater than or equal to 1"
    ))


def test_more_than_100(table):
    response = _raises(table, "ValidationException",
                       TransactItems=[_get(f"k{i}") for i in range(101)])
    assert response["Error"]["Message"].endswith(
        "at 'transactItems' failed to satisfy constraint: "
        "Member must have length less than or equal to 100"
    )


def test_exactly_100(table):
    response = table.transact_get_items(TransactItems=[_get(f"k{i}") for i in range(100)])
    assert response["Responses"] == [{}] * 100


def test_missing_get_and_key(db):
    with pytest.raises(Exception) as excinfo:
        db.call("TransactGetItems", {"TransactItems": [{}, {"Get": {"TableName": "things"}}]})
    assert error_of(excinfo)[1] == (
        "2 validation errors detected: Value null at 'transactItems.1.member.get' failed to "
        "satisfy constraint: Member must not be null; Value null at "
        "'transactItems.2.member.get.key' failed to satisfy constraint: Member must not be null"
    )


def test_projection_syntax_error(table):
    response = _raises(table, "ValidationException",
                       TransactItems=[_get("a", ProjectionExpression="!!!")])
    assert response["Error"]["Message"] == (
        'Invalid ProjectionExpression: Syntax error; token: "!", near: "!!"'
    )


def test_missing_table(table):
    response = _raises(table, "ResourceNotFoundException",
                       TransactItems=[_get("a"), _get("a", table="nowhere")])
    assert response["Error"]["Message"] == "Requested resource not found"


def test_key_schema_mismatch_cancels(table):
    response = _raises(table, "TransactionCanceledException", TransactItems=[
        _get("a"), {"Get": {"TableName": "things", "Key": {}}},
    ])
    assert response["Error"]["Message"] == (
        "Transaction cancelled, please refer cancellation reasons for specific reasons "
        "[None, ValidationError]"
    )
    assert response["CancellationReasons"] == [
        {"Code": "None"},
        {"Code": "ValidationError",
         "Message": "The provided key element does not match the schema"},
    ]


def test_duplicate_keys(table):
    response = _raises(table, "ValidationException", TransactItems=[_get("a"), _get("a")])
    assert response["Error"]["Message"] == (
        "Transaction request cannot include multiple operations on one item"
    )


def test_consumed_capacity_doubled_and_split(table):
    table.put_item(TableName="things", Item={"pk": {"S": "big"}, "s": {"S": "x" * 5000}})
    response = table.transact_get_items(
        TransactItems=[_get("a"), _get("big"), _get("missing")], ReturnConsumedCapacity="INDEXES"
    )
    assert response["ConsumedCapacity"] == [{
        "TableName": "things", "CapacityUnits": 8.0, "ReadCapacityUnits": 8.0,
        "Table": {"CapacityUnits": 8.0, "ReadCapacityUnits": 8.0},
    }]


def test_names_without_a_projection_are_accepted(table):
    response = table.transact_get_items(TransactItems=[
        _get("a", ExpressionAttributeNames={"#n": "foo"})
    ])
    assert response["Responses"][0]["Item"]["pk"] == {"S": "a"}


def test_unused_name_with_a_projection_is_refused(table):
    response = _raises(table, "ValidationException", TransactItems=[
        _get("a", ProjectionExpression="pk", ExpressionAttributeNames={"#n": "foo"})
    ])
    assert response["Error"]["Message"] == (
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#n}"
    )
