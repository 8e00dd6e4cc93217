"""GetItem: serialization -> validation (and its order) -> behaviour."""

from __future__ import annotations

import pytest

from ddblite.errors import SerializationException, ValidationException
from tests.conftest import create_table, error_of

SCHEMA_MISMATCH = "The provided key element does not match the schema"


# ------------------------------------------------------------------ serialization


def test_consistent_read_of_the_wrong_type(db):
    with pytest.raises(SerializationException) as excinfo:
        db.call("GetItem", {"TableName": "things", "Key": {}, "ConsistentRead": "yes"})
    assert error_of(excinfo)[1] == "VALUE_STRING cannot be converted to Boolean"


def test_key_value_of_the_wrong_type(db):
    with pytest.raises(SerializationException):
        db.call("GetItem", {"TableName": "things", "Key": {"pk": {"S": 1}}})


# ------------------------------------------------------------------ validation


def test_table_name_reported_alone_then_members_together(db):
    with pytest.raises(ValidationException) as excinfo:
        db.call("GetItem", {"TableName": "a;", "ReturnConsumedCapacity": "x"})
    assert error_of(excinfo)[1] == (
        "1 validation error detected: Value 'a;' at 'tableName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
    )
    with pytest.raises(ValidationException) as excinfo:
        db.call("GetItem", {"TableName": "things", "ReturnConsumedCapacity": "x"})
    assert error_of(excinfo)[1] == (
        "2 validation errors detected: Value 'x' at 'returnConsumedCapacity' failed to "
        "satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]; "
        "Value null at 'key' failed to satisfy constraint: Member must not be null"
    )


def test_key_values_are_checked_before_the_table(client):
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.get_item(TableName="missing", Key={"pk": {"N": "x"}})
    assert error_of(excinfo)[1] == "The parameter cannot be converted to a numeric value: x"


def test_missing_table(client):
    with pytest.raises(client.exceptions.ResourceNotFoundException) as excinfo:
        client.get_item(TableName="missing", Key={"pk": {"S": "a"}})
    assert error_of(excinfo) == ("ResourceNotFoundException", "Requested resource not found")


@pytest.mark.parametrize(
    "key",
    [
        {"pk": {"S": "a"}},  # sort key missing
        {"sk": {"S": "a"}},
        {"pk": {"S": "a"}, "sk": {"N": "1"}},  # wrong type
        {"pk": {"S": "a"}, "sk": {"S": "b"}, "extra": {"S": "c"}},  # extra attribute
        {"pk": {"S": "a"}, "other": {"S": "b"}},
        {"pk": {"SS": ["a"]}, "sk": {"S": "b"}},
    ],
)
def test_key_must_match_the_schema(client, key):
    create_table(client, range_key=("sk", "S"))
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.get_item(TableName="things", Key=key)
    assert error_of(excinfo) == ("ValidationException", SCHEMA_MISMATCH)


def test_empty_key_string(client):
    create_table(client)
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.get_item(TableName="things", Key={"pk": {"S": ""}})
    assert error_of(excinfo)[1] == (
        "One or more parameter values are not valid. The AttributeValue for a key attribute "
        "cannot contain an empty string value. Key: pk"
    )


# ------------------------------------------------------------------ behaviour


def test_hit_and_miss(client):
    create_table(client)
    client.put_item(TableName="things", Item={"pk": {"S": "a"}, "v": {"L": [{"NULL": True}]}})
    hit = client.get_item(TableName="things", Key={"pk": {"S": "a"}}, ConsistentRead=True)
    assert hit["Item"] == {"pk": {"S": "a"}, "v": {"L": [{"NULL": True}]}}
    miss = client.get_item(TableName="things", Key={"pk": {"S": "b"}})
    del miss["ResponseMetadata"]
    assert miss == {}


def test_composite_keys_address_distinct_items(client):
    create_table(client, range_key=("sk", "N"))
    for sk in ("1", "2", "10"):
        client.put_item(TableName="things", Item={"pk": {"S": "a"}, "sk": {"N": sk}})
    got = client.get_item(TableName="things", Key={"pk": {"S": "a"}, "sk": {"N": "1E1"}})
    assert got["Item"] == {"pk": {"S": "a"}, "sk": {"N": "10"}}


def test_projection_expression_selects_nested_paths(client):
    create_table(client)
    item = {"pk": {"S": "p"}, "m": {"M": {"a": {"N": "1"}, "b": {"N": "2"}}}, "l": {"L": [
        {"S": "x"}, {"S": "y"}]}, "other": {"S": "o"}}
    client.put_item(TableName="things", Item=item)
    got = client.get_item(
        TableName="things", Key={"pk": {"S": "p"}}, ProjectionExpression="#m.b, l[1]",
        ExpressionAttributeNames={"#m": "m"},
    )
    assert got["Item"] == {"m": {"M": {"b": {"N": "2"}}}, "l": {"L": [{"S": "y"}]}}


def test_attributes_to_get_selects_top_level_attributes(client):
    create_table(client)
    client.put_item(TableName="things", Item={"pk": {"S": "p"}, "a": {"S": "1"}, "b": {"S": "2"}})
    got = client.get_item(TableName="things", Key={"pk": {"S": "p"}}, AttributesToGet=["b"])
    assert got["Item"] == {"b": {"S": "2"}}


def test_projection_and_attributes_to_get_together_rejected(client):
    create_table(client)
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.get_item(
            TableName="things", Key={"pk": {"S": "p"}}, ProjectionExpression="a",
            AttributesToGet=["a"],
        )
    assert error_of(excinfo) == (
        "ValidationException",
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {AttributesToGet} Expression parameters: "
        "{ProjectionExpression}",
    )


def test_unused_expression_attribute_name_rejected(client):
    create_table(client)
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.get_item(
            TableName="things", Key={"pk": {"S": "p"}}, ProjectionExpression="a",
            ExpressionAttributeNames={"#unused": "x"},
        )
    assert error_of(excinfo) == (
        "ValidationException",
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}",
    )
