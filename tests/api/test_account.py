"""The account id: configurable, carried by ARNs; other accounts' ARNs are refused."""

from __future__ import annotations

import boto3
import pytest

import ddblite
from ddblite.server.app import app_from_options, serve_options
from tests.conftest import create_table, error_of


def test_arns_carry_the_configured_account():
    with ddblite.connect(":memory:", account_id="111122223333") as db:
        arn = create_table(db.client())["TableDescription"]["TableArn"]
        assert arn == "arn:aws:dynamodb:us-east-1:111122223333:table/things"
        item = {"pk": {"S": "a"}}
        db.client().put_item(TableName=arn, Item=item)
        assert db.client().get_item(TableName=arn, Key=item)["Item"] == item


def test_default_account_is_not_dynamodb_locals(client):
    arn = create_table(client)["TableDescription"]["TableArn"]
    assert arn == "arn:aws:dynamodb:us-east-1:123456789012:table/things"


@pytest.mark.parametrize("operation, params", [
    ("get_item", {"Key": {"pk": {"S": "a"}}}),
    ("put_item", {"Item": {"pk": {"S": "a"}}}),
    ("query", {"KeyConditionExpression": "pk = :a",
               "ExpressionAttributeValues": {":a": {"S": "a"}}}),
])
def test_another_accounts_arn_is_access_denied(client, operation, params):
    create_table(client)
    foreign = "arn:aws:dynamodb:us-east-1:000000000000:table/things"
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        getattr(client, operation)(TableName=foreign, **params)
    api = "".join(part.title() for part in operation.split("_"))
    assert error_of(excinfo) == (
        "AccessDeniedException",
        f"User: arn:aws:iam::123456789012:root is not authorized to perform: "
        f"dynamodb:{api} on resource: {foreign}",
    )


def test_account_id_must_be_twelve_digits():
    with pytest.raises(ValueError):
        ddblite.connect(":memory:", account_id="12")


def test_mock_and_serve_take_an_account_id():
    with ddblite.mock(account_id="444455556666"):
        client = boto3.client("dynamodb", region_name="us-east-1")
        arn = create_table(client)["TableDescription"]["TableArn"]
    assert ":444455556666:" in arn
    options = serve_options(":memory:", "memory", None, None, account_id="777788889999")
    app = app_from_options(options)
    db = app._open_database()
    assert db.account_id == "777788889999"
    db.close()
