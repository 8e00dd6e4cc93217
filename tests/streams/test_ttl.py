"""UpdateTimeToLive / DescribeTimeToLive and expiry on the injected clock."""

from __future__ import annotations

import pytest

from tests.conftest import create_table, error_of
from tests.streams.conftest import read_stream

HOUR = 3600


def enable(doors, attribute: str = "expires", table: str = "things") -> dict:
    return doors.ddb.update_time_to_live(
        TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": attribute})


def describe(doors, table: str = "things") -> dict:
    return doors.ddb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]


def keys(doors, table: str = "things") -> list[str]:
    items = doors.ddb.scan(TableName=table, ConsistentRead=True)["Items"]
    return sorted(item["pk"]["S"] for item in items)


def fails(doors, call, *args, **kwargs) -> tuple[str, str]:
    with pytest.raises(doors.ddb.exceptions.ClientError) as excinfo:
        call(*args, **kwargs)
    return error_of(excinfo)


# ------------------------------------------------------------------ the operations


def test_enable_and_describe(doors):
    create_table(doors.ddb)
    assert describe(doors) == {"TimeToLiveStatus": "DISABLED"}
    response = enable(doors)
    assert response["TimeToLiveSpecification"] == {"Enabled": True, "AttributeName": "expires"}
    assert describe(doors) == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires"}


def test_disable_goes_through_disabling(doors):
    create_table(doors.ddb)
    enable(doors)
    doors.clock.advance(HOUR)
    doors.ddb.update_time_to_live(
        TableName="things", TimeToLiveSpecification={"Enabled": False, "AttributeName": "expires"})
    assert describe(doors) == {"TimeToLiveStatus": "DISABLING", "AttributeName": "expires"}
    doors.clock.advance(HOUR)
    assert describe(doors) == {"TimeToLiveStatus": "DISABLED"}


def test_state_errors(doors):
    create_table(doors.ddb)
    disable = {"Enabled": False, "AttributeName": "expires"}
    assert fails(doors, doors.ddb.update_time_to_live, TableName="things",
                 TimeToLiveSpecification=disable) == (
        "ValidationException", "TimeToLive is already disabled")
    enable(doors)
    assert fails(doors, enable, doors, "other") == (
        "ValidationException", "TimeToLive is already enabled")
    assert fails(doors, doors.ddb.update_time_to_live, TableName="things",
                 TimeToLiveSpecification=disable) == (
        "ValidationException",
        "Time to live has been modified multiple times within a fixed interval")
    doors.clock.advance(HOUR)
    doors.ddb.update_time_to_live(TableName="things", TimeToLiveSpecification=disable)
    doors.clock.advance(HOUR)
    enable(doors, "other")
    assert describe(doors)["AttributeName"] == "other"


def test_missing_table(doors):
    code, _ = fails(doors, enable, doors, table="missing")
    assert code == "ResourceNotFoundException"
    code, _ = fails(doors, describe, doors, "missing")
    assert code == "ResourceNotFoundException"


def test_specification_shape(db):
    create_table(db.client())
    with pytest.raises(db.client().exceptions.ClientError) as excinfo:
        db.call("UpdateTimeToLive", {"TableName": "things",
                                     "TimeToLiveSpecification": {"AttributeName": ""}})
    assert error_of(excinfo) == ("ValidationException", (
        "2 validation errors detected: Value null at 'timeToLiveSpecification.enabled' failed "
        "to satisfy constraint: Member must not be null; Value '' at "
        "'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must "
        "have length greater than or equal to 1"))
    with pytest.raises(db.client().exceptions.ClientError) as excinfo:
        db.call("UpdateTimeToLive", {"TableName": "things"})
    assert error_of(excinfo)[1] == (
        "1 validation error detected: Value null at 'timeToLiveSpecification' failed to "
        "satisfy constraint: Member must not be null")


# ------------------------------------------------------------------ expiry


def test_expired_items_are_deleted_by_the_sweep(doors):
    create_table(doors.ddb)
    enable(doors)
    now = int(doors.clock.now())
    put = doors.ddb.put_item
    put(TableName="things", Item={"pk": {"S": "past"}, "expires": {"N": str(now - 10)}})
    put(TableName="things", Item={"pk": {"S": "now"}, "expires": {"N": str(now)}})
    put(TableName="things", Item={"pk": {"S": "future"}, "expires": {"N": str(now + 10)}})
    put(TableName="things", Item={"pk": {"S": "fraction"}, "expires": {"N": f"{now - 1}.5"}})
    put(TableName="things", Item={"pk": {"S": "string"}, "expires": {"S": str(now - 10)}})
    put(TableName="things", Item={"pk": {"S": "set"}, "expires": {"NS": [str(now - 10)]}})
    put(TableName="things", Item={"pk": {"S": "missing"}})
    put(TableName="things", Item={"pk": {"S": "ancient"},
                                  "expires": {"N": str(now - 6 * 365 * 86400)}})
    # Expired but not yet swept: still there, as in DynamoDB.
    assert "past" in keys(doors)
    assert doors.db.expire_now() == 3
    assert keys(doors) == ["ancient", "future", "missing", "set", "string"]
    doors.clock.advance(10)
    assert doors.db.expire_now() == 1
    assert keys(doors) == ["ancient", "missing", "set", "string"]


def test_no_expiry_while_ttl_is_off(doors):
    create_table(doors.ddb)
    doors.ddb.put_item(TableName="things", Item={"pk": {"S": "a"}, "expires": {"N": "1"}})
    assert doors.db.expire_now() == 0
    enable(doors, "other")
    assert doors.db.expire_now() == 0
    assert keys(doors) == ["a"]


def test_ttl_deletes_write_service_records_and_keep_indexes(doors):
    schema = {
        "TableName": "things",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                 {"AttributeName": "g", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
        "GlobalSecondaryIndexes": [{
            "IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"}}],
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    }
    arn = doors.ddb.create_table(**schema)["TableDescription"]["LatestStreamArn"]
    enable(doors)
    now = int(doors.clock.now())
    doors.ddb.put_item(TableName="things", Item={"pk": {"S": "a"}, "g": {"S": "x"},
                                                  "expires": {"N": str(now - 1)}})
    doors.ddb.put_item(TableName="things", Item={"pk": {"S": "b"}, "g": {"S": "x"}})
    doors.ddb.delete_item(TableName="things", Key={"pk": {"S": "b"}})
    assert doors.db.expire_now() == 1
    records = read_stream(doors.streams, arn)
    removes = [r for r in records if r["eventName"] == "REMOVE"]
    by_key = {r["dynamodb"]["Keys"]["pk"]["S"]: r for r in removes}
    assert by_key["a"]["userIdentity"] == {"Type": "Service",
                                           "PrincipalId": "dynamodb.amazonaws.com"}
    assert by_key["a"]["dynamodb"]["OldImage"]["g"] == {"S": "x"}
    assert "userIdentity" not in by_key["b"]
    query = doors.ddb.query(TableName="things", IndexName="by-g",
                            KeyConditionExpression="g = :g",
                            ExpressionAttributeValues={":g": {"S": "x"}})
    assert query["Items"] == []
    table = doors.ddb.describe_table(TableName="things")["Table"]
    assert table["ItemCount"] == 0


def test_sweep_rechecks_items_changed_since_the_snapshot(db, clock):
    from ddblite.engine import expiry

    client = db.client()
    create_table(client)
    client.update_time_to_live(TableName="things",
                               TimeToLiveSpecification={"Enabled": True, "AttributeName": "e"})
    now = int(clock.now())
    client.put_item(TableName="things", Item={"pk": {"S": "a"}, "e": {"N": str(now - 1)}})
    table = db.storage.read(lambda txn: db.catalog.get(txn, "us-east-1", "things"))
    key = table.item_key({"pk": {"S": "a"}})
    # Another writer renews the item between the sweep's snapshot and its delete.
    client.put_item(TableName="things", Item={"pk": {"S": "a"}, "e": {"N": str(now + 100)}})
    deleted = db.storage.write(lambda txn: expiry._delete(txn, db.catalog, table, [key], now))
    assert deleted == 0
    assert client.get_item(TableName="things", Key={"pk": {"S": "a"}})["Item"]["e"] == {
        "N": str(now + 100)}


def test_many_expired_items_in_batches(db, clock):
    client = db.client()
    create_table(client)
    client.update_time_to_live(TableName="things",
                               TimeToLiveSpecification={"Enabled": True, "AttributeName": "e"})
    now = int(clock.now())
    for i in range(600):
        client.put_item(TableName="things", Item={"pk": {"S": f"k{i}"},
                                                  "e": {"N": str(now - (i % 2))}})
    assert db.expire_now() == 600
    assert client.scan(TableName="things")["Count"] == 0
