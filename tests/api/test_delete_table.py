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
