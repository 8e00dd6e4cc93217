"""DescribeTable: validation -> behaviour."""

from __future__ import annotations

import pytest

from ddblite.errors import SerializationException, ValidationException
from tests.conftest import create_table, error_of


def test_table_name_of_the_wrong_type(db):
    with pytest.raises(SerializationException):
        db.call("DescribeTable", {"TableName": ["things"]})


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "The parameter 'TableName' is required but was not present in the request"),
        ({"TableName": ""}, "TableName must be at least 3 characters long and at most 255 "
                            "characters long"),
        ({"TableName": "a;"}, "TableName must be at least 3 characters long and at most 255 "
                              "characters long"),
        ({"TableName": "a" * 256}, "TableName must be at least 3 characters long and at most "
                                   "255 characters long"),
        ({"TableName": "abc;"}, "1 validation error detected: Value 'abc;' at 'tableName' "
                                "failed to satisfy constraint: Member must satisfy regular "
                                "expression pattern: [a-zA-Z0-9_.-]+"),
    ],
)
def test_table_name_validation(db, params, message):
    with pytest.raises(ValidationException) as excinfo:
        db.call("DescribeTable", params)
    assert error_of(excinfo) == ("ValidationException", message)


def test_missing_table(client):
    with pytest.raises(client.exceptions.ResourceNotFoundException) as excinfo:
        client.describe_table(TableName="missing")
    assert error_of(excinfo) == (
        "ResourceNotFoundException", "Requested resource not found: Table: missing not found"
    )


def test_describe_shows_counts_and_accepts_an_arn(client):
    arn = create_table(client)["TableDescription"]["TableArn"]
    client.put_item(TableName="things", Item={"pk": {"S": "a"}, "v": {"S": "xyz"}})
    table = client.describe_table(TableName=arn)["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert table["ItemCount"] == 1
    assert table["TableSizeBytes"] == 2 + 1 + 1 + 3
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert set(table) >= {
        "AttributeDefinitions", "TableName", "KeySchema", "TableStatus", "CreationDateTime",
        "ProvisionedThroughput", "TableSizeBytes", "ItemCount", "TableArn", "TableId",
        "DeletionProtectionEnabled",
    }
