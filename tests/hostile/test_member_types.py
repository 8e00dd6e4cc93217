"""Issue 16's bad member types: DynamoDB's deserializer errors, never an internal error.

Each case runs through the embedded client (Database.call) and the HTTP server
(raw JSON, since botocore would refuse to send it).
"""

from __future__ import annotations

import pytest

import ddblite
from ddblite.errors import DynamoDBError
from tests.front_doors import session_server
from tests.hostile.wire import WireClient, code_of

ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/things"
TABLE = {
    "TableName": "things",
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
    "BillingMode": "PAY_PER_REQUEST",
}
NULL_MEMBER = (
    "1 validation error detected: Value '[null]' at '{}' failed to satisfy constraint: "
    "Member must satisfy constraint: [Member must not be null]"
)
STRUCTURE = "Unexpected value type in payload"

CASES = [
    ("TagResource", {"ResourceArn": ARN, "Tags": [1]}, "SerializationException", STRUCTURE),
    ("TagResource", {"ResourceArn": ARN, "Tags": [None]}, "ValidationException",
     NULL_MEMBER.format("tags")),
    ("TagResource", {"ResourceArn": ARN, "Tags": [{"Key": [], "Value": "v"}]},
     "SerializationException", "Unrecognized collection type class java.lang.String"),
    ("CreateTable", {**TABLE, "TableName": "other", "Tags": [1]}, "SerializationException",
     STRUCTURE),
    ("UntagResource", {"ResourceArn": ARN, "TagKeys": [[]]}, "SerializationException",
     "Unrecognized collection type class java.lang.String"),
    ("UntagResource", {"ResourceArn": ARN, "TagKeys": [1]}, "SerializationException",
     "NUMBER_VALUE cannot be converted to String"),
    ("GetItem", {"TableName": "things", "Key": {"pk": {"S": "a"}}, "AttributesToGet": [[]]},
     "SerializationException", "Unrecognized collection type class java.lang.String"),
    ("GetItem", {"TableName": "things", "Key": {"pk": {"S": "a"}}, "AttributesToGet": [None]},
     "ValidationException", NULL_MEMBER.format("attributesToGet")),
    ("Scan", {"TableName": "things", "AttributesToGet": [[]]}, "SerializationException",
     "Unrecognized collection type class java.lang.String"),
    ("Scan", {"TableName": "things", "AttributesToGet": [True]}, "SerializationException",
     "TRUE_VALUE cannot be converted to String"),
    ("Query", {"TableName": "things", "KeyConditions": {"pk": {"ComparisonOperator": 1.5}}},
     "SerializationException", "DECIMAL_VALUE cannot be converted to String"),
    ("CreateTable", {**TABLE, "TableName": "other", "KeySchema": [{"AttributeName": {}}]},
     "SerializationException", "Start of structure or map found where not expected"),
    ("BatchWriteItem", {"RequestItems": {"things": [{"PutRequest": []}]}},
     "SerializationException",
     "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.PutRequest"),
]


def _ids(case):
    return f"{case[0]}-{case[1]}"


@pytest.fixture
def tagged_db(clock):
    with ddblite.connect(":memory:", clock=clock) as db:
        db.call("CreateTable", TABLE)
        db.call("TagResource", {"ResourceArn": ARN, "Tags": [{"Key": "k", "Value": "v"}]})
        yield db


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_embedded(tagged_db, case):
    operation, params, code, message = case
    with pytest.raises(DynamoDBError) as excinfo:
        tagged_db.call(operation, params)
    assert (excinfo.value.code, excinfo.value.message) == (code, message)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_server(tagged_db, case):
    operation, params, code, message = case
    server = session_server()
    server.app.db = tagged_db
    wire = WireClient(server.url)
    try:
        status, body = wire.call(operation, params)
    finally:
        wire.close()
        server.app.db = None
    assert (status, code_of(body), body.get("message")) == (400, code, message)


def test_a_lone_surrogate_is_a_serialization_error(tagged_db):
    # Not valid UTF-8: the server's JSON parser refuses such a body with a bare
    # SerializationException, and the embedded client answers the same.
    for params in (
        {"TableName": "things", "Item": {"pk": {"S": "a\ud800"}}},
        {"TableName": "things", "Item": {"pk": {"S": "a"}, "x\udfff": {"S": "b"}}},
        {"TableName": "things\ud800", "Item": {"pk": {"S": "a"}}},
        {"TableName": "things", "Item": {"pk": {"S": "a"}}, "ConditionExpression": "x <> :v",
         "ExpressionAttributeValues": {":v": {"S": "\ud800"}}},
    ):
        with pytest.raises(DynamoDBError) as excinfo:
            tagged_db.call("PutItem", params)
        assert (excinfo.value.code, excinfo.value.message) == ("SerializationException", "")
    assert tagged_db.call("Scan", {"TableName": "things"})["Count"] == 0


def test_a_lone_surrogate_on_the_wire(tagged_db):
    server = session_server()
    server.app.db = tagged_db
    wire = WireClient(server.url)
    try:
        # json.dumps escapes it as \ud800, as botocore does.
        item = {"pk": {"S": "\ud800"}}
        status, body = wire.call("PutItem", {"TableName": "things", "Item": item})
    finally:
        wire.close()
        server.app.db = None
    assert (status, code_of(body), body.get("message", "")) == (400, "SerializationException", "")
