"""DeleteTable: validation -> behaviour (deletion protection, items dropped)."""

from __future__ import annotations

import pytest

from ddblite.errors import ValidationException
from tests.conftest import create_table, error_of


def test_validation(db):
    with pytest.raises(ValidationException) as excinfo:
        db.call("DeleteTable", {})
    assert error_of(excinfo)[1] == (
        "The parameter 'TableName' is required but was not present in the request"
    )
    with pytest.raises(ValidationException) as excinfo:
        db.call("DeleteTable", {"TableName": "ab"})
    assert error_of(excinfo)[1] == (
        "TableName must be at least 3 characters long and at most 255 characters long"
    )


def test_missing_table(client):
    with pytest.raises(client.exceptions.ResourceNotFoundException) as excinfo:
        client.delete_table(TableName="missing")
    assert error_of(excinfo) == (
        "ResourceNotFoundException", "Requested resource not found: Table: missing not found"
    )


def test_delete_returns_the_description_and_drops_the_items(client):
    create_table(client)
    client.put_item(TableName="things", Item={"pk": {"S": "a"}})
    description = client.delete_table(TableName="things")["TableDescription"]
    assert description["TableStatus"] == "DELETING"
    assert description["TableName"] == "things" and description["ItemCount"] == 1
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.describe_table(TableName="things")
    assert client.list_tables()["TableNames"] == []
    create_table(client)
    assert "Item" not in client.get_item(TableName="things", Key={"pk": {"S": "a"}})


def test_deletion_protection(client):
    create_table(client, DeletionProtectionEnabled=True)
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.delete_table(TableName="things")
    assert error_of(excinfo) == (
        "ValidationException",
        "Resource cannot be deleted as it is currently protected against deletion. Disable "
        "deletion protection first.",
    )
    client.update_table(TableName="things", DeletionProtectionEnabled=False)
    client.delete_table(TableName="things")


def test_the_deleting_description_leaves_out_schema_and_creation_time(client):
    create_table(client)
    description = client.delete_table(TableName="things")["TableDescription"]
    for member in ("AttributeDefinitions", "KeySchema", "CreationDateTime", "WarmThroughput"):
        assert member not in description
    assert description["ProvisionedThroughput"] == {
        "NumberOfDecreasesToday": 0, "ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
    assert {"TableName", "TableStatus", "TableSizeBytes", "ItemCount", "TableArn",
            "TableId"} <= set(description)


def test_the_deleting_description_of_a_table_with_indexes(client):
    client.create_table(
        TableName="things", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"}
                              for n in ("pk", "sk", "g")],
        GlobalSecondaryIndexes=[{"IndexName": "byG", "Projection": {"ProjectionType": "ALL"},
                                 "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}]}],
        LocalSecondaryIndexes=[{"IndexName": "byG2", "Projection": {"ProjectionType": "ALL"},
                                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                              {"AttributeName": "g", "KeyType": "RANGE"}]}],
    )
    description = client.delete_table(TableName="things")["TableDescription"]
    assert "KeySchema" not in description and "AttributeDefinitions" not in description
    assert [i["IndexName"] for i in description["GlobalSecondaryIndexes"]] == ["byG"]
    assert [i["IndexName"] for i in description["LocalSecondaryIndexes"]] == ["byG2"]
