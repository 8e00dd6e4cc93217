"""Throttling (opt-in): token buckets on the injectable clock, through every front door.

Every sequence is driven by a ManualClock: buckets start with one second of their rate,
refill at their rate up to 300 s of it (provisioned) and admit a request while their
balance is positive; the request then pays its real units (the balance may go negative).
"""

from __future__ import annotations

import contextlib

import pytest

import ddblite
from ddblite.clock import ManualClock
from ddblite.engine.throttle import (
    INDEX_EXCEEDED,
    KEY_RANGE_EXCEEDED,
    MAX_ON_DEMAND_EXCEEDED,
    TABLE_EXCEEDED,
    partition_slot,
)
from ddblite.mock import Mock
from tests.conftest import create_table, error_of
from tests.front_doors import _mock_client, _server_client, session_server

ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/things"


@contextlib.contextmanager
def _embedded(tmp_path, clock, path):
    with ddblite.connect(path, durability="lazy" if path != ":memory:" else None,
                         clock=clock, throttle=True) as db:
        yield db, db.client()


@contextlib.contextmanager
def _server(tmp_path, clock):
    server = session_server()
    with ddblite.connect(":memory:", clock=clock, throttle=True) as db:
        server.app.db = db
        try:
            yield db, _server_client()
        finally:
            server.app.db = None


@contextlib.contextmanager
def _mock(tmp_path, clock):
    with ddblite.connect(":memory:", clock=clock, throttle=True) as db, Mock(db=db):
        yield db, _mock_client()


DOORS = {
    "memory": lambda tmp_path, clock: _embedded(tmp_path, clock, ":memory:"),
    "lmdb": lambda tmp_path, clock: _embedded(tmp_path, clock, str(tmp_path / "db")),
    "server": _server,
    "mock": _mock,
}


@pytest.fixture(params=sorted(DOORS))
def throttled(request, tmp_path, clock):
    """(db, client) with throttling on."""
    with DOORS[request.param](tmp_path, clock) as made:
        yield made


def provisioned(client, read: int, write: int, **extra):
    return create_table(client, BillingMode="PROVISIONED", ProvisionedThroughput={
        "ReadCapacityUnits": read, "WriteCapacityUnits": write}, **extra)


def item(key: str, kilobytes: int = 1, **more) -> dict:
    # "pk" + key + "v" + the value: kilobytes KB, so this many write units.
    filler = kilobytes * 1024 - 3 - len(key)
    return {"pk": {"S": key}, "v": {"S": "x" * filler}, **more}


def refused(excinfo, message: str, reason: str, resource: str = ARN) -> None:
    assert error_of(excinfo) == ("ProvisionedThroughputExceededException", message)
    assert excinfo.value.response["ThrottlingReasons"] == [
        {"reason": reason, "resource": resource}]


def test_provisioned_writes_drain_refill_and_burst(throttled, clock):
    db, client = throttled
    provisioned(client, 5, 5)
    for number in range(5):  # one second of the rate to start with
        client.put_item(TableName="things", Item=item(f"k{number}"))
    with pytest.raises(client.exceptions.ProvisionedThroughputExceededException) as excinfo:
        client.put_item(TableName="things", Item=item("k5"))
    refused(excinfo, TABLE_EXCEEDED, "TableWriteProvisionedThroughputExceeded")
    clock.advance(0.2)  # one unit back
    client.put_item(TableName="things", Item=item("k5"))
    with pytest.raises(client.exceptions.ProvisionedThroughputExceededException):
        client.put_item(TableName="things", Item=item("k6"))
    usage = db.usage()["Tables"]["things"]
    assert usage["ThrottledWrites"] == 2
    assert usage["WriteCapacityUnits"] == 6


def test_burst_holds_300_seconds_of_unused_capacity(throttled, clock):
    db, client = throttled
    provisioned(client, 1, 1)
    # Unused capacity piles up to 300 s of the rate (300 units), no more:
    # 100 KB items cost 100 units, so three go through and the fourth is refused.
    clock.advance(10_000)
    for number in range(3):
        client.put_item(TableName="things", Item=item(f"big{number}", 100))
    with pytest.raises(client.exceptions.ProvisionedThroughputExceededException):
        client.put_item(TableName="things", Item=item("big3", 100))
    assert db.usage()["Tables"]["things"]["ThrottledWrites"] == 1


def test_one_large_request_goes_through_then_the_debt_holds_back(throttled, clock):
    _, client = throttled
    provisioned(client, 1, 1)
    client.put_item(TableName="things", Item=item("a", 300))  # balance 1 -> -299
    clock.advance(299)
    with pytest.raises(client.exceptions.ProvisionedThroughputExceededException):
        client.put_item(TableName="things", Item=item("b"))
    clock.advance(1.5)
    client.put_item(TableName="things", Item=item("b"))


def test_reads_strong_and_eventual(throttled, clock):
    _, client = throttled
    provisioned(client, 1, 5)
    client.put_item(TableName="things", Item=item("a"))
    client.get_item(TableName="things", Key={"pk": {"S": "a"}}, ConsistentRead=True)
    with pytest.raises(client.exceptions.ProvisionedThroughputExceededException) as excinfo:
        client.get_item(TableName="things", Key={"pk": {"S": "a"}})
    refused(excinfo, TABLE_EXCEEDED, "TableReadProvisionedThroughputExceeded")
    clock.advance(1)  # one unit: two eventually consistent reads of half a unit
    client.get_item(TableName="things", Key={"pk": {"S": "a"}})
    client.get_item(TableName="things", Key={"pk": {"S": "a"}})
    with pytest.raises(client.exceptions.ProvisionedThroughputExceededException):
        client.get_item(TableName="things", Key={"pk": {"S": "a"}})
    with pytest.raises(client.exceptions.ProvisionedThroughputExceededException):
        client.query(TableName="things", KeyConditionExpression="pk = :a",
                     ExpressionAttributeValues={":a": {"S": "a"}})
    clock.advance(1)
    found = client.scan(TableName="things", ReturnConsumedCapacity="TOTAL")
    assert found["Count"] == 1


def test_update_table_changes_the_rate_at_once(throttled, clock):
    _, client = throttled
    provisioned(client, 5, 1)
    client.put_item(TableName="things", Item=item("a", 300))   # balance -299
    clock.advance(10)                                          # -289 at 1 WCU/s
    with pytest.raises(client.exceptions.ProvisionedThroughputExceededException):
        client.put_item(TableName="things", Item=item("b"))
    client.update_table(TableName="things", ProvisionedThroughput={
        "ReadCapacityUnits": 5, "WriteCapacityUnits": 100})
    clock.advance(3)                                           # +300 at 100 WCU/s
    client.put_item(TableName="things", Item=item("b"))


def test_gsi_without_write_capacity_holds_back_the_table(throttled, clock):
    _, client = throttled
    client.create_table(
        TableName="things",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "g", "AttributeType": "S"}],
        BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 100, "WriteCapacityUnits": 100},
        GlobalSecondaryIndexes=[{
            "IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"},
            "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
        }],
    )
    client.put_item(TableName="things", Item=item("a", 1, g={"S": "x"}))  # GSI 1 -> 0
    with pytest.raises(client.exceptions.ProvisionedThroughputExceededException) as excinfo:
        client.put_item(TableName="things", Item=item("b"))
    refused(excinfo, INDEX_EXCEEDED, "IndexWriteProvisionedThroughputExceeded",
            f"{ARN}/index/byg")
    assert "Item" not in client.get_item(TableName="things", Key={"pk": {"S": "b"}})
    clock.advance(2)  # "a" with its g attribute is just over 1 KB: 2 units on the GSI
    client.put_item(TableName="things", Item=item("b"))
    # A Query on the GSI pays from the GSI's own read bucket (1 RCU, 3 saved since the
    # table was made): half a unit per eventually consistent read of "a", so six.
    query = {"TableName": "things", "IndexName": "byg", "KeyConditionExpression": "g = :x",
             "ExpressionAttributeValues": {":x": {"S": "x"}}}
    for _ in range(6):
        client.query(**query)
    with pytest.raises(client.exceptions.ProvisionedThroughputExceededException) as excinfo:
        client.query(**query)
    refused(excinfo, INDEX_EXCEEDED, "IndexReadProvisionedThroughputExceeded",
            f"{ARN}/index/byg")


def _same_and_other_partition(count: int = 4) -> tuple[str, str]:
    """Two keys other than "hot": one in its partition, one in another (of `count`)."""
    home = partition_slot("hot", count)
    same = next(f"k{n}" for n in range(1000) if partition_slot(f"k{n}", count) == home)
    other = next(f"k{n}" for n in range(1000) if partition_slot(f"k{n}", count) != home)
    return same, other


def test_on_demand_partition_limit(throttled, clock):
    db, client = throttled
    create_table(client)
    for _ in range(4):  # 1,000 WCU a second per partition: 300 KB puts, 1000 -> -200
        client.put_item(TableName="things", Item=item("hot", 300))
    same, other = _same_and_other_partition()
    with pytest.raises(client.exceptions.ProvisionedThroughputExceededException) as excinfo:
        client.put_item(TableName="things", Item=item(same))
    refused(excinfo, KEY_RANGE_EXCEEDED, "TableWriteKeyRangeThroughputExceeded")
    client.put_item(TableName="things", Item=item(other))   # another partition
    clock.advance(1)
    client.put_item(TableName="things", Item=item("hot"))  # billed on the 300 KB it replaces
    hot = db.usage()["Tables"]["things"]["HotKeys"][0]
    assert hot == {"Key": "hot", "ReadCapacityUnits": 0.0, "WriteCapacityUnits": 1500.0}


def test_on_demand_maximum(throttled, clock):
    _, client = throttled
    create_table(client, OnDemandThroughput={"MaxReadRequestUnits": 2,
                                             "MaxWriteRequestUnits": 3})
    for number in range(3):
        client.put_item(TableName="things", Item=item(f"k{number}"))
    with pytest.raises(client.exceptions.ProvisionedThroughputExceededException) as excinfo:
        client.put_item(TableName="things", Item=item("k3"))
    refused(excinfo, MAX_ON_DEMAND_EXCEEDED, "TableWriteMaxOnDemandThroughputExceeded")
    key = {"pk": {"S": "k0"}}
    client.get_item(TableName="things", Key=key, ConsistentRead=True)
    client.get_item(TableName="things", Key=key, ConsistentRead=True)
    with pytest.raises(client.exceptions.ProvisionedThroughputExceededException) as excinfo:
        client.get_item(TableName="things", Key=key, ConsistentRead=True)
    refused(excinfo, MAX_ON_DEMAND_EXCEEDED, "TableReadMaxOnDemandThroughputExceeded")


def test_batch_write_hands_back_unprocessed_items(throttled, clock):
    db, client = throttled
    provisioned(client, 5, 2)
    requests = [{"PutRequest": {"Item": item(f"k{n}")}} for n in range(5)]
    answer = client.batch_write_item(RequestItems={"things": requests},
                                     ReturnConsumedCapacity="TOTAL")
    assert answer["UnprocessedItems"] == {"things": requests[2:]}
    assert answer["ConsumedCapacity"] == [{"TableName": "things", "CapacityUnits": 2.0}]
    # Nothing at all can be written: the whole request is refused.
    with pytest.raises(client.exceptions.ProvisionedThroughputExceededException):
        client.batch_write_item(RequestItems=answer["UnprocessedItems"])
    clock.advance(1)
    again = client.batch_write_item(RequestItems=answer["UnprocessedItems"])
    assert again["UnprocessedItems"] == {"things": requests[4:]}
    assert db.usage()["Tables"]["things"]["ThrottledWrites"] == 3 + 3 + 1


def test_batch_get_hands_back_unprocessed_keys(throttled, clock):
    _, client = throttled
    provisioned(client, 2, 10)
    for number in range(4):
        client.put_item(TableName="things", Item=item(f"k{number}"))
    keys = [{"pk": {"S": f"k{n}"}} for n in range(4)]
    answer = client.batch_get_item(RequestItems={
        "things": {"Keys": keys, "ConsistentRead": True}})
    assert len(answer["Responses"]["things"]) == 2
    assert answer["UnprocessedKeys"] == {"things": {"Keys": keys[2:], "ConsistentRead": True}}
    with pytest.raises(client.exceptions.ProvisionedThroughputExceededException):
        client.batch_get_item(RequestItems=answer["UnprocessedKeys"])


def test_transactions_cancel_with_throttling_error(throttled, clock):
    _, client = throttled
    provisioned(client, 1, 2)
    client.transact_write_items(TransactItems=[{"Put": {"TableName": "things",
                                                        "Item": item("a")}}])  # 2 WCU
    with pytest.raises(client.exceptions.TransactionCanceledException) as excinfo:
        client.transact_write_items(TransactItems=[{"Put": {"TableName": "things",
                                                            "Item": item("b")}}])
    assert excinfo.value.response["CancellationReasons"] == [
        {"Code": "ThrottlingError", "Message": TABLE_EXCEEDED}]
    client.transact_get_items(TransactItems=[{"Get": {"TableName": "things",
                                                      "Key": {"pk": {"S": "a"}}}}])
    with pytest.raises(client.exceptions.TransactionCanceledException) as excinfo:
        client.transact_get_items(TransactItems=[{"Get": {"TableName": "things",
                                                          "Key": {"pk": {"S": "a"}}}}])
    assert excinfo.value.response["CancellationReasons"][0]["Code"] == "ThrottlingError"


def test_buckets_are_shared_through_the_directory(tmp_path, clock):
    path = str(tmp_path / "db")
    with ddblite.connect(path, durability="lazy", clock=clock, throttle=True) as first:
        provisioned(first.client(), 5, 1)
        first.client().put_item(TableName="things", Item=item("a", 300))
        with ddblite.connect(path, durability="lazy", clock=clock, throttle=True) as second:
            clock.advance(1)  # the first process writes its debt back when next due
            first.client().get_item(TableName="things", Key={"pk": {"S": "a"}})
            with pytest.raises(ddblite.errors.ProvisionedThroughputExceededException):
                second.client().put_item(TableName="things", Item=item("b"))


def test_throttling_is_off_by_default(clock):
    with ddblite.connect(":memory:", clock=clock) as db:
        client = db.client()
        provisioned(client, 1, 1)
        for number in range(20):
            client.put_item(TableName="things", Item=item(f"k{number}", 10))
        assert db.throttle is None
        assert db.usage()["Tables"]["things"]["WriteCapacityUnits"] == 200.0


def test_the_mock_opens_a_throttled_database(clock):
    with ddblite.mock(clock=clock, throttle=True) as mocked:
        client = _mock_client()
        provisioned(client, 1, 1)
        client.put_item(TableName="things", Item=item("a"))
        with pytest.raises(client.exceptions.ProvisionedThroughputExceededException):
            client.put_item(TableName="things", Item=item("b"))
        assert mocked.db.throttle is not None


def test_failed_conditional_writes_pay_their_units(throttled, clock):
    db, client = throttled
    provisioned(client, 5, 3)
    client.put_item(TableName="things", Item=item("a"))  # 3 -> 2
    for _ in range(2):  # each refused condition still costs its write: 2 -> 0
        with pytest.raises(client.exceptions.ConditionalCheckFailedException):
            client.put_item(TableName="things", Item=item("a"),
                            ConditionExpression="attribute_not_exists(pk)")
    with pytest.raises(client.exceptions.ProvisionedThroughputExceededException) as excinfo:
        client.put_item(TableName="things", Item=item("b"))
    refused(excinfo, TABLE_EXCEEDED, "TableWriteProvisionedThroughputExceeded")
    usage = db.usage()["Tables"]["things"]
    assert (usage["WriteCapacityUnits"], usage["ThrottledWrites"]) == (3, 1)
    clock.advance(1 / 3)  # one unit back
    client.put_item(TableName="things", Item=item("b"))


def _on_demand_with_gsi(client, **gsi_extra) -> None:
    client.create_table(
        TableName="things",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "g", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        GlobalSecondaryIndexes=[{
            "IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"}, **gsi_extra,
        }],
    )


def _gsi_query(value: str) -> dict:
    return {"TableName": "things", "IndexName": "byg", "KeyConditionExpression": "g = :x",
            "ExpressionAttributeValues": {":x": {"S": value}}}


def test_on_demand_gsi_maximum_holds_back_writes_and_its_queries(throttled, clock):
    _, client = throttled
    _on_demand_with_gsi(client, OnDemandThroughput={"MaxReadRequestUnits": 1,
                                                    "MaxWriteRequestUnits": 2})
    client.put_item(TableName="things", Item=item("a", 1, g={"S": "x"}))  # GSI 2 -> 0
    with pytest.raises(client.exceptions.ProvisionedThroughputExceededException) as excinfo:
        client.put_item(TableName="things", Item=item("b"))
    refused(excinfo, MAX_ON_DEMAND_EXCEEDED, "IndexWriteMaxOnDemandThroughputExceeded",
            f"{ARN}/index/byg")
    clock.advance(1)
    client.put_item(TableName="things", Item=item("b"))  # no g: the GSI pays nothing
    client.put_item(TableName="things", Item=item("c"))
    # Queries pay the GSI's read maximum: one unit a second, half a unit a read of "a".
    client.query(**_gsi_query("x"))
    client.query(**_gsi_query("x"))
    with pytest.raises(client.exceptions.ProvisionedThroughputExceededException) as excinfo:
        client.query(**_gsi_query("x"))
    refused(excinfo, MAX_ON_DEMAND_EXCEEDED, "IndexReadMaxOnDemandThroughputExceeded",
            f"{ARN}/index/byg")


def test_gsi_query_pays_the_index_partition_it_reads(throttled, clock):
    db, client = throttled
    _on_demand_with_gsi(client)
    for number in range(4):
        client.put_item(TableName="things", Item=item(f"h{number}", 350, g={"S": "hot"}))
        clock.advance(1)
    # Each Query of "hot" reads a 1 MB page (three of the 350 KB items), paid by the GSI
    # partition "hot" falls in: 3,000 units a second, none saved, and the request that
    # finds a positive balance is let into the debt.
    units = client.query(**_gsi_query("hot"), ReturnConsumedCapacity="TOTAL")[
        "ConsumedCapacity"]["CapacityUnits"]
    assert units == 131.5
    queries = 1
    with pytest.raises(client.exceptions.ProvisionedThroughputExceededException) as excinfo:
        while queries < 100:
            client.query(**_gsi_query("hot"))
            queries += 1
    refused(excinfo, KEY_RANGE_EXCEEDED, "IndexReadKeyRangeThroughputExceeded",
            f"{ARN}/index/byg")
    assert queries == 23  # 3,000 / 131.5 = 22.8
    same, other = _same_and_other_index_partition(db)
    with pytest.raises(client.exceptions.ProvisionedThroughputExceededException):
        client.query(**_gsi_query(same))
    client.query(**_gsi_query(other))  # another partition of the index
    # The base table's partitions are not the index's: GetItem of a hot item still runs.
    client.get_item(TableName="things", Key={"pk": {"S": "h0"}})
    assert db.usage()["Tables"]["things"]["ThrottledReads"] == 2


def _same_and_other_index_partition(db, count: int = 4) -> tuple[str, str]:
    """Two GSI key values other than "hot": one in its index partition, one not (the
    index hashes the encoded partition key it stores entries under)."""
    table = db.storage.read(lambda txn: db.catalog.get(txn, "us-east-1", "things"))
    index = table.indexes_by_name["byg"]

    def slot(value: str) -> int:
        return partition_slot(index.partition_bytes([value]), count)

    home = slot("hot")
    same = next(f"k{n}" for n in range(1000) if slot(f"k{n}") == home)
    other = next(f"k{n}" for n in range(1000) if slot(f"k{n}") != home)
    return same, other


def test_on_demand_tables_are_held_to_the_account_quota(tmp_path, clock):
    """Without a maximum of their own, an on-demand table and its GSIs answer to the
    account's per-table quota of 40,000 units a second."""
    with ddblite.connect(":memory:", clock=clock, throttle=True) as db:
        client = db.client()
        _on_demand_with_gsi(client)
        table = db.storage.read(lambda txn: db.catalog.get(txn, "us-east-1", "things"))
        ledger = db.throttle.buckets
        write = ledger.build_plan(None, table, True, None, clock.now())
        assert [(b.reason, b.rate, b.burst, b.index) for b in write.fixed] == [
            ("TableWriteAccountLimitExceeded", 40000.0, 40000.0, None),
            ("IndexWriteAccountLimitExceeded", 40000.0, 40000.0, "byg")]
        index = table.indexes_by_name["byg"]
        read = ledger.build_plan(None, table, False, index, clock.now())
        assert [(b.reason, b.rate) for b in read.fixed] == [
            ("IndexReadAccountLimitExceeded", 40000.0)]
        assert (read.part_reason, len(read.parts)) == ("IndexReadKeyRangeThroughputExceeded", 4)


def test_a_hot_gsi_key_holds_back_the_writes_that_feed_it(throttled, clock):
    db, client = throttled
    _on_demand_with_gsi(client)
    # Different table keys, one GSI key: the GSI partition "hot" falls in pays every
    # entry (1,000 WCU a second, none saved): 300 KB items, 1000 -> 700 -> 400 -> 100 -> -200.
    for number in range(4):
        client.put_item(TableName="things", Item=item(f"a{number}", 300, g={"S": "hot"}))
    same, other = _same_and_other_index_partition(db)
    with pytest.raises(client.exceptions.ProvisionedThroughputExceededException) as excinfo:
        client.put_item(TableName="things", Item=item("b", 1, g={"S": same}))
    refused(excinfo, KEY_RANGE_EXCEEDED, "IndexWriteKeyRangeThroughputExceeded",
            f"{ARN}/index/byg")
    assert "Item" not in client.get_item(TableName="things", Key={"pk": {"S": "b"}})
    with pytest.raises(client.exceptions.ProvisionedThroughputExceededException):
        client.update_item(TableName="things", Key={"pk": {"S": "c"}},
                           UpdateExpression="SET g = :g",
                           ExpressionAttributeValues={":g": {"S": "hot"}})
    client.put_item(TableName="things", Item=item("b", 1, g={"S": other}))  # other partition
    client.put_item(TableName="things", Item=item("c"))  # no GSI entry at all
    answer = client.batch_write_item(RequestItems={"things": [
        {"PutRequest": {"Item": item("d", 1, g={"S": "hot"})}},
        {"PutRequest": {"Item": item("e", 1, g={"S": other})}},
    ]})
    assert answer["UnprocessedItems"] == {"things": [
        {"PutRequest": {"Item": item("d", 1, g={"S": "hot"})}}]}
    with pytest.raises(client.exceptions.TransactionCanceledException) as excinfo:
        client.transact_write_items(TransactItems=[
            {"Put": {"TableName": "things", "Item": item("f", 1, g={"S": other})}},
            {"Put": {"TableName": "things", "Item": item("g", 1, g={"S": "hot"})}},
        ])
    reasons = excinfo.value.response["CancellationReasons"]
    assert [reason["Code"] for reason in reasons] == ["None", "ThrottlingError"]
    assert reasons[1]["Message"] == KEY_RANGE_EXCEEDED
    clock.advance(1)  # 800 back: the debt of -200 is paid and "hot" takes writes again
    client.put_item(TableName="things", Item=item("d", 1, g={"S": "hot"}))
    assert db.usage()["Tables"]["things"]["ThrottledWrites"] == 4


def test_a_clock_set_on_the_database_drives_the_buckets(tmp_path):
    with ddblite.connect(":memory:", clock=ManualClock(), throttle=True) as db:
        client = db.client()
        provisioned(client, 1, 1)
        client.put_item(TableName="things", Item=item("a"))  # 1 -> 0
        later = ManualClock(db.clock.now())
        db.clock = later
        with pytest.raises(client.exceptions.ProvisionedThroughputExceededException):
            client.put_item(TableName="things", Item=item("b"))
        later.advance(1)  # only the clock the database holds now refills the bucket
        client.put_item(TableName="things", Item=item("b"))


def test_removing_a_gsi_entry_pays_the_partition_it_leaves(throttled, clock):
    db, client = throttled
    _on_demand_with_gsi(client)
    for number in range(3):  # the GSI partition of "hot": 1000 -> 700 -> 400 -> 100
        client.put_item(TableName="things", Item=item(f"a{number}", 300, g={"S": "hot"}))
    client.delete_item(TableName="things", Key={"pk": {"S": "a0"}})  # its entry: 100 -> -200
    same, _ = _same_and_other_index_partition(db)
    with pytest.raises(client.exceptions.ProvisionedThroughputExceededException) as excinfo:
        client.put_item(TableName="things", Item=item("b", 1, g={"S": same}))
    refused(excinfo, KEY_RANGE_EXCEEDED, "IndexWriteKeyRangeThroughputExceeded",
            f"{ARN}/index/byg")
    client.update_item(TableName="things", Key={"pk": {"S": "a1"}},  # leaves "hot": no check
                       UpdateExpression="REMOVE g")                   # -200 - 300 = -500
    clock.advance(0.4)  # 400 back: still -100
    with pytest.raises(client.exceptions.ProvisionedThroughputExceededException):
        client.put_item(TableName="things", Item=item("b", 1, g={"S": same}))
    clock.advance(0.2)  # 100
    client.put_item(TableName="things", Item=item("b", 1, g={"S": same}))
