"""BatchWriteItem: serialization -> validation (and its order) -> behaviour."""

from __future__ import annotations

import re

import pytest

from ddblite.errors import SerializationException, ValidationException
from tests.conftest import create_table, error_of

INVALID = "One or more parameter values were invalid: "


def puts(*values):
    return [{"PutRequest": {"Item": {"pk": {"S": v}}}} for v in values]


def test_requests_of_the_wrong_type(db):
    with pytest.raises(SerializationException):
        db.call("BatchWriteItem", {"RequestItems": {"things": {"PutRequest": {}}}})


def test_missing_and_empty_request_items(db):
    with pytest.raises(ValidationException) as excinfo:
        db.call("BatchWriteItem", {})
    assert error_of(excinfo)[1] == (
        "1 validation error detected: Value null at 'requestItems' failed to satisfy "
        "constraint: Member must not be null"
    )
    with pytest.raises(ValidationException) as excinfo:
        db.call("BatchWriteItem", {"RequestItems": {}})
    assert error_of(excinfo)[1] == "The requestItems parameter is required for BatchWriteItem"


@pytest.mark.parametrize("count", [0, 26])
def test_request_list_length(db, count):
    # botocore refuses an empty list client-side, so this goes in at the wire level.
    with pytest.raises(ValidationException) as excinfo:
        db.call("BatchWriteItem", {"RequestItems": {"things": puts(*map(str, range(count)))}})
    assert re.fullmatch(
        r"1 validation error detected: Value '\{things=\[.*\]\}' at 'requestItems' failed to "
        r"satisfy constraint: Map value must satisfy constraint: \[Member must have length "
        r"less than or equal to 25, Member must have length greater than or equal to 1\]",
        error_of(excinfo)[1],
        re.S,
    )


def test_more_than_25_requests_across_tables(client):
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.batch_write_item(RequestItems={
            "things": puts(*(str(i) for i in range(20))),
            "others": puts(*(str(i) for i in range(6))),
        })
    assert error_of(excinfo)[1] == "Too many items requested for the BatchWriteItem call"


def test_write_request_with_neither_or_both(db):
    for request in ({}, {"PutRequest": {"Item": {"pk": {"S": "a"}}},
                         "DeleteRequest": {"Key": {"pk": {"S": "a"}}}}):
        with pytest.raises(ValidationException) as excinfo:
            db.call("BatchWriteItem", {"RequestItems": {"things": [request]}})
        assert error_of(excinfo)[1] == (
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one "
            "of the supported datatypes"
        )


def test_values_and_sizes_are_checked_before_the_table(client):
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.batch_write_item(RequestItems={
            "missing": [{"PutRequest": {"Item": {"pk": {"S": "a"}, "s": {"SS": []}}}}]
        })
    assert error_of(excinfo)[1] == INVALID + "An string set  may not be empty"
    big = {"pk": {"S": "a"}, "v": {"S": "x" * (400 * 1024)}}
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.batch_write_item(RequestItems={"missing": [{"PutRequest": {"Item": big}}]})
    assert error_of(excinfo)[1] == "Item size has exceeded the maximum allowed size"
    with pytest.raises(client.exceptions.ResourceNotFoundException) as excinfo:
        client.batch_write_item(RequestItems={"missing": puts("a")})
    assert error_of(excinfo)[1] == "Requested resource not found"


def test_put_key_errors_use_the_schema_mismatch_wording(client):
    create_table(client)
    for item in ({"other": {"S": "a"}}, {"pk": {"N": "1"}}):
        with pytest.raises(client.exceptions.ClientError) as excinfo:
            client.batch_write_item(RequestItems={"things": [{"PutRequest": {"Item": item}}]})
        assert error_of(excinfo)[1] == "The provided key element does not match the schema"
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.batch_write_item(RequestItems={"things": puts("")})
    assert error_of(excinfo)[1] == (
        "One or more parameter values are not valid. The AttributeValue for a key attribute "
        "cannot contain an empty string value. Key: pk"
    )


def test_duplicate_keys(client):
    create_table(client)
    for requests in (
        puts("a", "a"),
        puts("a") + [{"DeleteRequest": {"Key": {"pk": {"S": "a"}}}}],
    ):
        with pytest.raises(client.exceptions.ClientError) as excinfo:
            client.batch_write_item(RequestItems={"things": requests})
        assert error_of(excinfo) == (
            "ValidationException", "Provided list of item keys contains duplicates"
        )
    assert "Item" not in client.get_item(TableName="things", Key={"pk": {"S": "a"}})


def test_puts_and_deletes_across_tables(client):
    create_table(client)
    create_table(client, name="others")
    client.put_item(TableName="things", Item={"pk": {"S": "gone"}})
    response = client.batch_write_item(RequestItems={
        "things": puts("a", "b") + [{"DeleteRequest": {"Key": {"pk": {"S": "gone"}}}}],
        "others": puts("c"),
    })
    assert response["UnprocessedItems"] == {}
    assert "ConsumedCapacity" not in response
    assert client.get_item(TableName="things", Key={"pk": {"S": "a"}})["Item"]
    assert "Item" not in client.get_item(TableName="things", Key={"pk": {"S": "gone"}})
    assert client.get_item(TableName="others", Key={"pk": {"S": "c"}})["Item"]


def test_a_failing_request_writes_nothing(client):
    create_table(client)
    with pytest.raises(client.exceptions.ClientError):
        client.batch_write_item(
            RequestItems={"things": puts("a") + [{"PutRequest": {"Item": {"x": {"S": "1"}}}}]}
        )
    assert "Item" not in client.get_item(TableName="things", Key={"pk": {"S": "a"}})
