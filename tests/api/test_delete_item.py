"""DeleteItem: serialization -> validation (and its order) -> behaviour."""

from __future__ import annotations

import pytest

from ddblite.errors import SerializationException, ValidationException
from tests.conftest import create_table, error_of


def test_key_of_the_wrong_type(db):
    with pytest.raises(SerializationException):
        db.call("DeleteItem", {"TableName": "things", "Key": ["pk"]})


def test_table_name_reported_alone(db):
    with pytest.raises(ValidationException) as excinfo:
        db.call("DeleteItem", {"TableName": "x!", "Key": {}, "ReturnValues": "bad"})
    assert error_of(excinfo)[1] == (
        "1 validation error detected: Value 'x!' at 'tableName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
    )


def test_enums_reported_together(db):
    with pytest.raises(ValidationException) as excinfo:
        db.call("DeleteItem", {
            "TableName": "things", "Key": {"pk": {"S": "a"}},
            "ReturnValues": "INVALID", "ReturnConsumedCapacity": "INVALID",
        })
    assert error_of(excinfo)[1] == (
        "2 validation errors detected: Value 'INVALID' at 'returnConsumedCapacity' failed to "
        "satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]; "
        "Value 'INVALID' at 'returnValues' failed to satisfy constraint: Member must satisfy "
        "enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]"
    )


@pytest.mark.parametrize("return_values", ["ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"])
def test_return_values_other_than_all_old_or_none(client, return_values):
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.delete_item(TableName="missing", Key={"pk": {"S": "a"}}, ReturnValues=return_values)
    assert error_of(excinfo) == ("ValidationException", "ReturnValues can only be ALL_OLD or NONE")


def test_missing_table_and_key_mismatch(client):
    with pytest.raises(client.exceptions.ResourceNotFoundException) as excinfo:
        client.delete_item(TableName="missing", Key={"pk": {"S": "a"}})
    assert error_of(excinfo) == ("ResourceNotFoundException", "Requested resource not found")
    create_table(client, range_key=("sk", "S"))
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.delete_item(TableName="things", Key={"pk": {"S": "a"}})
    assert error_of(excinfo) == (
        "ValidationException", "The provided key element does not match the schema"
    )


def test_empty_binary_key(client):
    create_table(client, hash_key=("pk", "B"))
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.delete_item(TableName="things", Key={"pk": {"B": b""}})
    assert error_of(excinfo)[1] == (
        "One or more parameter values are not valid. The AttributeValue for a key attribute "
        "cannot contain an empty binary value. Key: pk"
    )


def test_delete_removes_the_item(client):
    create_table(client)
    client.put_item(TableName="things", Item={"pk": {"S": "a"}, "v": {"S": "x"}})
    response = client.delete_item(TableName="things", Key={"pk": {"S": "a"}})
    del response["ResponseMetadata"]
    assert response == {}
    assert "Item" not in client.get_item(TableName="things", Key={"pk": {"S": "a"}})


def test_return_values_all_old(client):
    create_table(client)
    client.put_item(TableName="things", Item={"pk": {"S": "a"}, "v": {"S": "x"}})
    old = client.delete_item(TableName="things", Key={"pk": {"S": "a"}}, ReturnValues="ALL_OLD")
    assert old["Attributes"] == {"pk": {"S": "a"}, "v": {"S": "x"}}
    again = client.delete_item(TableName="things", Key={"pk": {"S": "a"}}, ReturnValues="ALL_OLD")
    assert "Attributes" not in again


def test_deleting_a_missing_item_is_not_an_error(client):
    create_table(client)
    response = client.delete_item(
        TableName="things", Key={"pk": {"S": "nothing"}}, ReturnValues="NONE"
    )
    assert "Attributes" not in response
