"""Behaviours once seen to differ from DynamoDB (issue #12's checklist), each pinned
with DynamoDB's answer through every front door."""

from __future__ import annotations

import pytest

from tests.conftest import create_table, error_of

KEY = {"pk": {"S": "a"}}
INVALID_ARN = "Invalid TableArn: Invalid ResourceArn provided as input "


def _fails(call, **params) -> tuple[str, str]:
    with pytest.raises(Exception) as excinfo:
        call(**params)
    return error_of(excinfo)


def test_describe_continuous_backups_on_a_new_table(client):
    create_table(client)
    response = client.describe_continuous_backups(TableName="things")
    assert response["ContinuousBackupsDescription"] == {
        "ContinuousBackupsStatus": "ENABLED",
        "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"},
    }


def test_an_empty_expected_on_update_item_is_no_condition(client):
    create_table(client)
    client.update_item(TableName="things", Key=KEY, Expected={})
    assert client.get_item(TableName="things", Key=KEY)["Item"] == KEY


def test_get_item_with_an_empty_attributes_to_get(db):
    # boto3 refuses the empty list before sending it; the engine answers what DynamoDB does
    # to a client that does send it.
    db.call("CreateTable", {
        "TableName": "things", "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]})
    with pytest.raises(Exception) as excinfo:
        db.call("GetItem", {"TableName": "things", "Key": KEY, "AttributesToGet": []})
    assert error_of(excinfo) == (
        "ValidationException",
        "1 validation error detected: Value '[]' at 'attributesToGet' failed to satisfy "
        "constraint: Member must have length greater than or equal to 1",
    )


@pytest.mark.parametrize("operation", ["get_item", "delete_item", "update_item"])
def test_an_improperly_named_table_in_item_operations(client, operation):
    call = getattr(client, operation)
    assert _fails(call, TableName="a b", Key=KEY) == (
        "ValidationException",
        "1 validation error detected: Value 'a b' at 'tableName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
    )
    # Item operations take names (and ARNs) from 1 character: a short name is just absent.
    assert _fails(call, TableName="ab", Key=KEY) == (
        "ResourceNotFoundException", "Requested resource not found")


def test_put_item_with_an_improperly_named_table(client):
    assert _fails(client.put_item, TableName="a b", Item=KEY)[0] == "ValidationException"


def test_create_table_with_a_duplicated_attribute_name(client):
    definition = {"AttributeName": "pk", "AttributeType": "S"}
    assert _fails(
        client.create_table, TableName="things", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[definition, {**definition, "AttributeType": "N"}],
    ) == ("ValidationException", "Cannot have two attributes with the same name")


def test_tag_resource_with_malformed_arns(client):
    arn = create_table(client)["TableDescription"]["TableArn"]
    tags = [{"Key": "k", "Value": "v"}]
    for bad in ("not-an-arn", arn.replace("table/things", "index/things"),
                arn.replace(":us-east-1:", ":us-west-2:"), arn + "/index/byName"):
        assert _fails(client.tag_resource, ResourceArn=bad, Tags=tags) == (
            "ValidationException", INVALID_ARN + bad)
    # Another service's resource is denied, not called malformed.
    assert _fails(client.tag_resource, ResourceArn="arn:aws:s3:::bucket", Tags=tags) == (
        "AccessDeniedException",
        "User: arn:aws:iam::123456789012:root is not authorized to perform: "
        "dynamodb:TagResource on resource: arn:aws:s3:::bucket",
    )


def test_unknown_functions_and_misplaced_tokens_in_update_expressions(client):
    create_table(client)
    assert _fails(client.update_item, TableName="things", Key=KEY,
                  UpdateExpression="SET x = foo(y)") == (
        "ValidationException", "Invalid UpdateExpression: Invalid function name; function: foo")
    values = {":v": {"S": "1"}}
    assert _fails(client.update_item, TableName="things", Key=KEY,
                  UpdateExpression="SET :v = y", ExpressionAttributeValues=values) == (
        "ValidationException",
        'Invalid UpdateExpression: Syntax error; token: ":v", near: "SET :v ="')
    assert _fails(client.update_item, TableName="things", Key=KEY,
                  UpdateExpression="REMOVE :v", ExpressionAttributeValues=values) == (
        "ValidationException", 'Invalid UpdateExpression: Syntax error; token: ":v", near: '
        '"REMOVE :v"')


def test_arithmetic_that_loses_precision(client):
    create_table(client)
    assert _fails(client.update_item, TableName="things", Key=KEY,
                  UpdateExpression="SET n = :a + :b",
                  ExpressionAttributeValues={":a": {"N": "1e30"}, ":b": {"N": "1e-10"}}) == (
        "ValidationException", "Attempting to store more than 38 significant digits in a Number")
    assert client.get_item(TableName="things", Key=KEY).get("Item") is None


def test_list_indexes_in_projections_on_non_lists(client):
    create_table(client)
    client.put_item(TableName="things", Item={**KEY, "s": {"S": "x"}, "m": {"M": {
        "0": {"S": "zero"}}}})
    for projection in ("s[0]", "m[0]", "nothing[0]"):
        assert client.get_item(TableName="things", Key=KEY,
                               ProjectionExpression=projection)["Item"] == {}


def test_exclusive_start_key_with_a_sort_key_on_a_table_without_one(client):
    create_table(client)
    start = {**KEY, "sk": {"S": "b"}}
    assert _fails(client.scan, TableName="things", ExclusiveStartKey=start) == (
        "ValidationException",
        "The provided starting key is invalid: The provided key element does not match the "
        "schema",
    )
    assert _fails(client.query, TableName="things", KeyConditionExpression="pk = :p",
                  ExpressionAttributeValues={":p": {"S": "a"}}, ExclusiveStartKey=start) == (
        "ValidationException", "The provided starting key is invalid")


def test_a_nested_remove_on_a_missing_item_creates_nothing(client):
    create_table(client)
    response = client.update_item(TableName="things", Key=KEY, UpdateExpression="REMOVE a.b",
                                  ReturnValues="ALL_NEW")
    assert "Attributes" not in response
    assert "Item" not in client.get_item(TableName="things", Key=KEY)
