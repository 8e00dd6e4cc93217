"""Index key values carry the table key's size limits: 2048 bytes for a partition key
part, 1024 for a sort key part, on every write to an indexed attribute; a GSI backfill
leaves such items out instead of failing."""

from __future__ import annotations

import pytest

from tests.conftest import error_of

HASH_TOO_BIG = ("ValidationException", "One or more parameter values were invalid: Size of "
                "hashkey has exceeded the maximum size limit of2048 bytes")
RANGE_TOO_BIG = ("ValidationException", "One or more parameter values were invalid: "
                 "Aggregated size of all range keys has exceeded the size limit of 1024 bytes")
KEY = {"pk": {"S": "a"}}


def _table(client, names=("pk",), **extra):
    types = {"pk": "S", "g": "S", "r": "B"}
    client.create_table(
        TableName="things", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": types[n]} for n in names],
        **extra,
    )


def _with_gsi(client):
    _table(client, ("pk", "g", "r"), GlobalSecondaryIndexes=[{
        "IndexName": "byG", "Projection": {"ProjectionType": "ALL"},
        "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                      {"AttributeName": "r", "KeyType": "RANGE"}]}])


def _fails(call, **params):
    with pytest.raises(Exception) as excinfo:
        call(TableName="things", **params)
    return error_of(excinfo)


def test_put_item_with_index_keys_over_the_limits(client):
    _with_gsi(client)
    assert _fails(client.put_item, Item={**KEY, "g": {"S": "x" * 2049}}) == HASH_TOO_BIG
    assert _fails(client.put_item, Item={**KEY, "g": {"S": "é" * 1025}}) == HASH_TOO_BIG
    assert _fails(client.put_item, Item={**KEY, "g": {"S": "x"},
                                         "r": {"B": b"x" * 1025}}) == RANGE_TOO_BIG
    client.put_item(TableName="things", Item={**KEY, "g": {"S": "x" * 2048},
                                              "r": {"B": b"x" * 1024}})
    assert client.scan(TableName="things", IndexName="byG")["Count"] == 1


def test_update_and_batch_writes_check_index_keys_too(client):
    _with_gsi(client)
    assert _fails(client.update_item, Key=KEY, UpdateExpression="SET g = :g",
                  ExpressionAttributeValues={":g": {"S": "x" * 2049}}) == HASH_TOO_BIG
    with pytest.raises(Exception) as excinfo:
        client.batch_write_item(RequestItems={"things": [
            {"PutRequest": {"Item": {**KEY, "r": {"B": b"x" * 1025}}}}]})
    assert error_of(excinfo) == RANGE_TOO_BIG
    assert client.scan(TableName="things")["Count"] == 0


def test_unindexed_attributes_have_no_key_limit(client):
    _table(client)
    client.put_item(TableName="things", Item={**KEY, "g": {"S": "x" * 5000}})


def test_a_gsi_backfill_leaves_out_items_with_oversized_keys(client):
    _table(client)
    client.put_item(TableName="things", Item={**KEY, "g": {"S": "x" * 2049}})
    client.put_item(TableName="things", Item={"pk": {"S": "b"}, "g": {"S": "fits"}})
    client.update_table(TableName="things", AttributeDefinitions=[
        {"AttributeName": "g", "AttributeType": "S"}], GlobalSecondaryIndexUpdates=[{"Create": {
            "IndexName": "byG", "Projection": {"ProjectionType": "KEYS_ONLY"},
            "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}]}}])
    items = client.scan(TableName="things", IndexName="byG")["Items"]
    assert items == [{"pk": {"S": "b"}, "g": {"S": "fits"}}]
