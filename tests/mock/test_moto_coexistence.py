"""ddblite.mock inside or around moto's mock_aws: DynamoDB and DynamoDB Streams go
to ddblite, every other service to moto, whichever context is entered first."""

from __future__ import annotations

import contextlib

import boto3
import pytest

import ddblite

moto = pytest.importorskip("moto")  # in the test extras; absent only in a bare install

REGION = "us-east-1"


@contextlib.contextmanager
def _both(order: str, fast):
    mock = ddblite.mock(fast=fast)
    if order == "ddblite-outer":
        with mock, moto.mock_aws():
            yield mock.db
    else:
        with moto.mock_aws(), mock:
            yield mock.db


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "wire"])
@pytest.mark.parametrize("order", ["ddblite-outer", "moto-outer"])
def test_dynamodb_to_ddblite_other_services_to_moto(order, fast):
    with _both(order, fast) as db:
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        dynamodb.create_table(
            TableName="orders",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
        )
        dynamodb.put_item(TableName="orders", Item={"pk": {"S": "o-1"}})
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket="receipts")
        s3.put_object(Bucket="receipts", Key="o-1", Body=b"paid")

        # The item lives in ddblite's database, not in moto's DynamoDB backend.
        assert db.client().get_item(TableName="orders", Key={"pk": {"S": "o-1"}})["Item"] == {
            "pk": {"S": "o-1"}}
        assert s3.get_object(Bucket="receipts", Key="o-1")["Body"].read() == b"paid"
        streams = boto3.client("dynamodbstreams", region_name=REGION)
        [stream] = streams.list_streams(TableName="orders")["Streams"]
        assert stream["StreamArn"] == db.client().describe_table(
            TableName="orders")["Table"]["LatestStreamArn"]
    # moto's own DynamoDB never saw the table.
    from moto.dynamodb.models import dynamodb_backends

    assert "orders" not in dynamodb_backends["123456789012"][REGION].tables
