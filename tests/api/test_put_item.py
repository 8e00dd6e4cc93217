"""PutItem: serialization -> validation (and its order) -> behaviour."""

from __future__ import annotations

import pytest

from ddblite.errors import SerializationException, ValidationException
from tests.conftest import create_table, error_of

INVALID = "One or more parameter values were invalid: "
ITEM = {"pk": {"S": "a"}}


# ------------------------------------------------------------------ serialization


def test_table_name_of_the_wrong_type(db):
    with pytest.raises(SerializationException) as excinfo:
        db.call("PutItem", {"TableName": 5, "Item": ITEM})
    assert error_of(excinfo) == (
        "SerializationException", "NUMBER_VALUE cannot be converted to String"
    )


def test_item_of_the_wrong_type(db):
    with pytest.raises(SerializationException) as excinfo:
        db.call("PutItem", {"TableName": "things", "Item": "x"})
    assert error_of(excinfo)[1] == "Unexpected field type"


# ------------------------------------------------------------------ validation


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (None, "1 validation error detected: Value null at 'tableName' failed to satisfy "
               "constraint: Member must not be null"),
        ("", "1 validation error detected: Value '' at 'tableName' failed to satisfy "
             "constraint: Member must have length greater than or equal to 1"),
        ("a" * 256, f"1 validation error detected: Value '{'a' * 256}' at 'tableName' failed to "
                    "satisfy constraint: Member must have length less than or equal to 255"),
        ("bad table!@#", "1 validation error detected: Value 'bad table!@#' at 'tableName' "
                         "failed to satisfy constraint: Member must satisfy regular expression "
                         "pattern: [a-zA-Z0-9_.-]+"),
    ],
)
def test_table_name_constraints(db, name, message):
    params = {"Item": ITEM}
    if name is not None:
        params["TableName"] = name
    with pytest.raises(ValidationException) as excinfo:
        db.call("PutItem", params)
    assert error_of(excinfo) == ("ValidationException", message)


def test_a_bad_table_name_is_reported_alone(db):
    with pytest.raises(ValidationException) as excinfo:
        db.call("PutItem", {"TableName": "", "ReturnValues": "INVALID"})
    assert error_of(excinfo)[1] == (
        "1 validation error detected: Value '' at 'tableName' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1"
    )


def test_member_constraints_are_reported_together_in_order(db):
    with pytest.raises(ValidationException) as excinfo:
        db.call("PutItem", {
            "TableName": "things", "ReturnConsumedCapacity": "hi",
            "ReturnItemCollectionMetrics": "hi", "ReturnValues": "hi",
        })
    assert error_of(excinfo)[1] == (
        "4 validation errors detected: "
        "Value 'hi' at 'returnConsumedCapacity' failed to satisfy constraint: Member must "
        "satisfy enum value set: [INDEXES, TOTAL, NONE]; "
        "Value null at 'item' failed to satisfy constraint: Member must not be null; "
        "Value 'hi' at 'returnValues' failed to satisfy constraint: Member must satisfy enum "
        "value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]; "
        "Value 'hi' at 'returnItemCollectionMetrics' failed to satisfy constraint: Member must "
        "satisfy enum value set: [SIZE, NONE]"
    )


@pytest.mark.parametrize("return_values", ["ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"])
def test_return_values_other_than_all_old_or_none(client, return_values):
    create_table(client)
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.put_item(TableName="things", Item=ITEM, ReturnValues=return_values)
    assert error_of(excinfo) == ("ValidationException", "ReturnValues can only be ALL_OLD or NONE")


def test_attribute_values_are_checked_before_return_values(client):
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.put_item(TableName="missing", Item={"pk": {"SS": []}}, ReturnValues="ALL_NEW")
    assert error_of(excinfo)[1] == INVALID + "An string set  may not be empty"


def test_bad_values_and_oversized_items_are_reported_before_a_missing_table(client):
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.put_item(TableName="missing", Item={"pk": {"NULL": False}})
    assert error_of(excinfo)[1] == (
        INVALID + "Null attribute value types must have the value of true"
    )
    big = {"pk": {"S": "a"}, "v": {"S": "x" * (400 * 1024)}}
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.put_item(TableName="missing", Item=big)
    assert error_of(excinfo)[1] == "Item size has exceeded the maximum allowed size"


def test_missing_table(client):
    with pytest.raises(client.exceptions.ResourceNotFoundException) as excinfo:
        client.put_item(TableName="missing", Item={})
    assert error_of(excinfo) == ("ResourceNotFoundException", "Requested resource not found")


def test_key_attribute_checks(client):
    create_table(client, range_key=("sk", "N"))
    cases = [
        ({"sk": {"N": "1"}}, INVALID + "Missing the key pk in the item"),
        ({"pk": {"S": "a"}}, INVALID + "Missing the key sk in the item"),
        ({"pk": {"N": "1"}, "sk": {"N": "1"}},
         INVALID + "Type mismatch for key pk expected: S actual: N"),
        ({"pk": {"S": "a"}, "sk": {"SS": ["1"]}},
         INVALID + "Type mismatch for key sk expected: N actual: SS"),
        ({"pk": {"S": ""}, "sk": {"N": "1"}},
         "One or more parameter values are not valid. The AttributeValue for a key attribute "
         "cannot contain an empty string value. Key: pk"),
        ({"pk": {"S": "x" * 2049}, "sk": {"N": "1"}},
         INVALID + "Size of hashkey has exceeded the maximum size limit of2048 bytes"),
    ]
    for item, message in cases:
        with pytest.raises(client.exceptions.ClientError) as excinfo:
            client.put_item(TableName="things", Item=item)
        assert error_of(excinfo) == ("ValidationException", message)


def test_key_size_limits_are_inclusive(client):
    create_table(client, range_key=("sk", "B"))
    client.put_item(TableName="things", Item={"pk": {"S": "é" * 1024}, "sk": {"B": b"x" * 1024}})
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.put_item(TableName="things", Item={"pk": {"S": "a"}, "sk": {"B": b"x" * 1025}})
    assert error_of(excinfo)[1] == (
        INVALID + "Aggregated size of all range keys has exceeded the size limit of 1024 bytes"
    )
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.put_item(TableName="things", Item={"pk": {"S": "a"}, "sk": {"B": b""}})
    assert error_of(excinfo)[1] == (
        "One or more parameter values are not valid. The AttributeValue for a key attribute "
        "cannot contain an empty binary value. Key: sk"
    )


# ------------------------------------------------------------------ behaviour


def test_put_returns_an_empty_response(client):
    create_table(client)
    response = client.put_item(TableName="things", Item=ITEM)
    del response["ResponseMetadata"]
    assert response == {}


def test_put_replaces_the_whole_item(client):
    create_table(client)
    client.put_item(TableName="things", Item={"pk": {"S": "a"}, "x": {"N": "1"}})
    client.put_item(TableName="things", Item={"pk": {"S": "a"}, "y": {"N": "2"}})
    item = client.get_item(TableName="things", Key=ITEM)["Item"]
    assert item == {"pk": {"S": "a"}, "y": {"N": "2"}}


def test_return_values_all_old(client):
    create_table(client)
    first = client.put_item(TableName="things", Item=ITEM, ReturnValues="ALL_OLD")
    assert "Attributes" not in first
    second = client.put_item(
        TableName="things", Item={"pk": {"S": "a"}, "v": {"N": "01.0"}}, ReturnValues="ALL_OLD"
    )
    assert second["Attributes"] == ITEM
    third = client.put_item(TableName="things", Item=ITEM, ReturnValues="ALL_OLD")
    assert third["Attributes"] == {"pk": {"S": "a"}, "v": {"N": "1"}}
    assert "Attributes" not in client.put_item(TableName="things", Item=ITEM, ReturnValues="NONE")


def test_numeric_keys_are_normalised(client):
    create_table(client, hash_key=("pk", "N"))
    client.put_item(TableName="things", Item={"pk": {"N": "1.50"}, "v": {"S": "a"}})
    client.put_item(TableName="things", Item={"pk": {"N": "15E-1"}, "v": {"S": "b"}})
    got = client.get_item(TableName="things", Key={"pk": {"N": "1.5"}})["Item"]
    assert got == {"pk": {"N": "1.5"}, "v": {"S": "b"}}


def test_binary_keys(client):
    create_table(client, hash_key=("pk", "B"))
    client.put_item(TableName="things", Item={"pk": {"B": b"\x00\xff"}})
    got = client.get_item(TableName="things", Key={"pk": {"B": b"\x00\xff"}})
    assert got["Item"] == {"pk": {"B": b"\x00\xff"}}


def test_table_arn_is_accepted_as_table_name(client):
    arn = create_table(client)["TableDescription"]["TableArn"]
    client.put_item(TableName=arn, Item=ITEM)
    assert client.get_item(TableName="things", Key=ITEM)["Item"] == ITEM


def test_conditional_put_succeeds_and_fails(client):
    create_table(client)
    client.put_item(TableName="things", Item=ITEM, ConditionExpression="attribute_not_exists(pk)")
    with pytest.raises(client.exceptions.ConditionalCheckFailedException) as excinfo:
        client.put_item(
            TableName="things", Item=ITEM, ConditionExpression="attribute_not_exists(pk)"
        )
    assert error_of(excinfo) == (
        "ConditionalCheckFailedException", "The conditional request failed"
    )


def test_failed_condition_returns_old_item_when_asked(client):
    create_table(client)
    old = dict(ITEM, n={"N": "1"})
    client.put_item(TableName="things", Item=old)
    with pytest.raises(client.exceptions.ConditionalCheckFailedException) as excinfo:
        client.put_item(
            TableName="things",
            Item=dict(ITEM, n={"N": "2"}),
            ConditionExpression="n = :two",
            ExpressionAttributeValues={":two": {"N": "2"}},
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    assert excinfo.value.response["Item"] == old
    assert client.get_item(TableName="things", Key=ITEM)["Item"] == old


def test_legacy_expected_condition(client):
    create_table(client)
    client.put_item(TableName="things", Item=ITEM, Expected={"pk": {"Exists": False}})
    with pytest.raises(client.exceptions.ConditionalCheckFailedException):
        client.put_item(TableName="things", Item=ITEM, Expected={"pk": {"Exists": False}})
