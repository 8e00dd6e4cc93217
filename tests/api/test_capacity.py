"""ReturnConsumedCapacity: DynamoDB's arithmetic and response shape per operation."""

from __future__ import annotations

import pytest

from ddblite.engine.capacity import consumed, read_units, write_units
from tests.conftest import create_table


def test_unit_arithmetic():
    assert read_units(0, True) == 1.0 and read_units(0, False) == 0.5
    assert read_units(4096, True) == 1.0 and read_units(4097, True) == 2.0
    assert read_units(4097, False) == 1.0
    assert write_units(0) == 1.0 and write_units(1024) == 1.0 and write_units(1025) == 2.0


def test_shapes():
    assert consumed("NONE", "t", 1.0, "read") is None
    assert consumed(None, "t", 1.0, "read") is None
    assert consumed("TOTAL", "t", 1.0, "read") == {"TableName": "t", "CapacityUnits": 1.0}
    assert consumed("INDEXES", "t", 2.0, "write") == {
        "TableName": "t", "CapacityUnits": 2.0, "Table": {"CapacityUnits": 2.0}
    }
    # Only transactional operations report the read/write split.
    assert consumed("TOTAL", "t", 2.0, "write", split=True) == {
        "TableName": "t", "CapacityUnits": 2.0, "WriteCapacityUnits": 2.0
    }
    with_index = consumed("INDEXES", "t", 1.0, "write", global_indexes={"g": 1.0})
    assert with_index == {
        "TableName": "t", "CapacityUnits": 2.0, "Table": {"CapacityUnits": 1.0},
        "GlobalSecondaryIndexes": {"g": {"CapacityUnits": 1.0}},
    }


def item_of(kilobytes: float) -> dict:
    # "pk" + "a" + "v" = 4 bytes of names and key
    return {"pk": {"S": "a"}, "v": {"S": "x" * (int(kilobytes * 1024) - 4)}}


@pytest.mark.parametrize("billing", ["PAY_PER_REQUEST", "PROVISIONED"])
def test_single_item_operations(client, billing):
    extra = {"BillingMode": billing}
    if billing == "PROVISIONED":
        extra["ProvisionedThroughput"] = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    create_table(client, **extra)
    put = client.put_item(TableName="things", Item=item_of(1.5), ReturnConsumedCapacity="TOTAL")
    assert put["ConsumedCapacity"] == {"TableName": "things", "CapacityUnits": 2.0}
    # A smaller item replacing a larger one is billed on the larger.
    put = client.put_item(
        TableName="things", Item={"pk": {"S": "a"}}, ReturnConsumedCapacity="INDEXES"
    )
    assert put["ConsumedCapacity"] == {
        "TableName": "things", "CapacityUnits": 2.0, "Table": {"CapacityUnits": 2.0}
    }
    client.put_item(TableName="things", Item=item_of(5))
    key = {"pk": {"S": "a"}}
    strong = client.get_item(
        TableName="things", Key=key, ConsistentRead=True, ReturnConsumedCapacity="TOTAL"
    )
    assert strong["ConsumedCapacity"] == {"TableName": "things", "CapacityUnits": 2.0}
    eventual = client.get_item(TableName="things", Key=key, ReturnConsumedCapacity="TOTAL")
    assert eventual["ConsumedCapacity"]["CapacityUnits"] == 1.0
    miss = client.get_item(
        TableName="things", Key={"pk": {"S": "b"}}, ReturnConsumedCapacity="TOTAL"
    )
    assert miss["ConsumedCapacity"]["CapacityUnits"] == 0.5
    deleted = client.delete_item(TableName="things", Key=key, ReturnConsumedCapacity="TOTAL")
    assert deleted["ConsumedCapacity"] == {"TableName": "things", "CapacityUnits": 5.0}
    again = client.delete_item(TableName="things", Key=key, ReturnConsumedCapacity="TOTAL")
    assert again["ConsumedCapacity"]["CapacityUnits"] == 1.0
    none = client.get_item(TableName="things", Key=key, ReturnConsumedCapacity="NONE")
    assert "ConsumedCapacity" not in none


def test_batch_operations_report_a_list_per_table(client):
    create_table(client)
    create_table(client, name="others")
    written = client.batch_write_item(
        RequestItems={
            "things": [{"PutRequest": {"Item": item_of(1.5)}},
                       {"PutRequest": {"Item": {"pk": {"S": "b"}}}}],
            "others": [{"DeleteRequest": {"Key": {"pk": {"S": "a"}}}}],
        },
        ReturnConsumedCapacity="TOTAL",
    )
    assert sorted(written["ConsumedCapacity"], key=lambda c: c["TableName"]) == [
        {"TableName": "others", "CapacityUnits": 1.0},
        {"TableName": "things", "CapacityUnits": 3.0},
    ]
    read = client.batch_get_item(
        RequestItems={"things": {"Keys": [{"pk": {"S": "a"}}, {"pk": {"S": "b"}}]}},
        ReturnConsumedCapacity="INDEXES",
    )
    assert read["ConsumedCapacity"] == [
        {"TableName": "things", "CapacityUnits": 1.0, "Table": {"CapacityUnits": 1.0}}
    ]
    quiet = client.batch_get_item(
        RequestItems={"things": {"Keys": [{"pk": {"S": "a"}}]}}, ReturnConsumedCapacity="NONE"
    )
    assert "ConsumedCapacity" not in quiet
