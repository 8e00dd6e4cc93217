"""db.usage(): every request's units, counted once, equal to what ConsumedCapacity says."""

from __future__ import annotations

import pytest

import ddblite
from ddblite.engine.cost import PRICES, estimate
from tests.conftest import create_table


def total_of(response) -> float:
    capacity = response.get("ConsumedCapacity")
    if isinstance(capacity, list):
        return sum(entry["CapacityUnits"] for entry in capacity)
    return capacity["CapacityUnits"] if capacity else 0.0


def item(key: str, kilobytes: float = 1.0, **more) -> dict:
    return {"pk": {"S": key}, "v": {"S": "x" * int(kilobytes * 1024 - 3 - len(key))}, **more}


def test_usage_agrees_with_consumed_capacity(db):
    client = db.client()
    client.create_table(
        TableName="things",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "g", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        GlobalSecondaryIndexes=[{
            "IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"}}],
    )
    rcc = {"ReturnConsumedCapacity": "TOTAL"}
    reads = writes = 0.0
    writes += total_of(client.put_item(TableName="things", Item=item("a", 2.5, g={"S": "x"}),
                                       **rcc))
    writes += total_of(client.put_item(TableName="things", Item=item("b", 5), **rcc))
    writes += total_of(client.update_item(
        TableName="things", Key={"pk": {"S": "a"}}, UpdateExpression="SET n = :n",
        ExpressionAttributeValues={":n": {"N": "1"}}, **rcc))
    reads += total_of(client.get_item(TableName="things", Key={"pk": {"S": "b"}}, **rcc))
    reads += total_of(client.get_item(TableName="things", Key={"pk": {"S": "b"}},
                                      ConsistentRead=True, **rcc))
    reads += total_of(client.query(TableName="things", KeyConditionExpression="pk = :a",
                                   ExpressionAttributeValues={":a": {"S": "a"}}, **rcc))
    reads += total_of(client.query(TableName="things", IndexName="byg",
                                   KeyConditionExpression="g = :x",
                                   ExpressionAttributeValues={":x": {"S": "x"}}, **rcc))
    reads += total_of(client.scan(TableName="things", **rcc))
    reads += total_of(client.batch_get_item(RequestItems={"things": {"Keys": [
        {"pk": {"S": "a"}}, {"pk": {"S": "b"}}]}}, **rcc))
    writes += total_of(client.batch_write_item(RequestItems={"things": [
        {"PutRequest": {"Item": item("c")}}, {"DeleteRequest": {"Key": {"pk": {"S": "b"}}}}]},
        **rcc))
    writes += total_of(client.transact_write_items(TransactItems=[
        {"Put": {"TableName": "things", "Item": item("d")}}], **rcc))
    reads += total_of(client.transact_get_items(TransactItems=[
        {"Get": {"TableName": "things", "Key": {"pk": {"S": "d"}}}}], **rcc))
    writes += total_of(client.delete_item(TableName="things", Key={"pk": {"S": "c"}}, **rcc))

    usage = db.usage()["Tables"]["things"]
    assert usage["ReadCapacityUnits"] == reads
    assert usage["WriteCapacityUnits"] == writes
    assert usage["ReadRequests"] == 8   # batch and transaction members count one each
    assert usage["WriteRequests"] == 7
    # The GSI's own units are listed apart (and included in the totals above).
    assert usage["Indexes"]["byg"]["WriteCapacityUnits"] == 1.0
    assert usage["Indexes"]["byg"]["ReadCapacityUnits"] == 0.5
    assert usage["HotKeys"][0]["Key"] == "b"


def test_failed_conditions_and_reset(db):
    client = db.client()
    create_table(client)
    client.put_item(TableName="things", Item=item("a", 3))
    with pytest.raises(client.exceptions.ConditionalCheckFailedException):
        client.put_item(TableName="things", Item=item("a"),
                        ConditionExpression="attribute_not_exists(pk)")
    # INFERRED: a refused write is billed as the write would have been (larger item).
    assert db.usage()["Tables"]["things"]["WriteCapacityUnits"] == 6.0
    db.reset_usage()
    assert db.usage()["Tables"] == {}


def test_cost_estimate_from_the_dated_price_table(clock):
    with ddblite.connect(":memory:", clock=clock) as db:
        client = db.client()
        create_table(client)
        for number in range(10):
            client.put_item(TableName="things", Item=item(f"k{number}"))
        clock.advance(3600)
        cost = db.usage()["Tables"]["things"]["EstimatedMonthlyCost"]
    # 10 WRU an hour for 730 hours at $0.625 a million; 1 WCU provisioned all month.
    assert cost["Region"] == "us-east-1" and cost["PricesDated"] == PRICES["date"]
    assert cost["OnDemandMonthly"] == pytest.approx(7300 / 1e6 * 0.625 + cost["StorageMonthly"],
                                                    abs=1e-4)
    assert cost["ProvisionedWriteCapacityUnits"] == 1
    assert estimate(0, 3.5 * 3600, 3600)["ProvisionedWriteCapacityUnits"] == 5


def test_usage_is_saved_for_every_process_of_a_directory(tmp_path, clock):
    path = str(tmp_path / "db")
    for _ in range(2):
        with ddblite.connect(path, durability="lazy", clock=clock) as db:
            client = db.client()
            if not client.list_tables()["TableNames"]:
                create_table(client)
            client.put_item(TableName="things", Item=item("a", 2))
            client.get_item(TableName="things", Key={"pk": {"S": "a"}})
    with ddblite.connect(path, durability="lazy", clock=clock) as db:
        saved = db.stored_usage()["Tables"]["things"]
    assert saved["WriteCapacityUnits"] == 4.0
    assert saved["ReadCapacityUnits"] == 1.0
    assert saved["HotKeys"] == [{"Key": "a", "ReadCapacityUnits": 1.0,
                                 "WriteCapacityUnits": 4.0}]
