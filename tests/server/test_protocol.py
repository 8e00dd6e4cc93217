"""ddblite.server.protocol: wire JSON <-> request/response dicts, on both JSON backends."""

from __future__ import annotations

import base64
import json
import zlib
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ddblite.errors import ConditionalCheckFailedException, SerializationException
from ddblite.server import protocol


@pytest.fixture(params=["orjson", "stdlib"], autouse=True)
def json_backend(request):
    protocol.use_json_backend(request.param)
    yield request.param
    protocol.use_json_backend("orjson")


def wire(document) -> bytes:
    return json.dumps(document).encode()


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def serialization_message(operation: str, body: bytes) -> str:
    with pytest.raises(SerializationException) as excinfo:
        protocol.decode_request(operation, body)
    return excinfo.value.message


# ---------------------------------------------------------------- decoding


def test_binary_at_every_depth_is_decoded():
    document = {
        "TableName": "things",
        "Item": {
            "pk": {"B": b64(b"\x00key")},
            "set": {"BS": [b64(b"a"), b64(b"\xff")]},
            "deep": {"M": {"list": {"L": [{"M": {"leaf": {"B": b64(b"\x01\x02")}}}]}}},
        },
    }
    decoded = protocol.decode_request("PutItem", wire(document))
    item = decoded["Item"]
    assert item["pk"] == {"B": b"\x00key"}
    assert item["set"] == {"BS": [b"a", b"\xff"]}
    assert item["deep"]["M"]["list"]["L"][0]["M"]["leaf"] == {"B": b"\x01\x02"}


def test_an_attribute_named_b_is_not_a_type_tag():
    document = {
        "TableName": "things",
        "Item": {
            "B": {"S": "QUJD"},
            "BS": {"M": {"B": {"S": "QUJD"}, "BS": {"SS": ["QUJD"]}}},
        },
        "ExpressionAttributeNames": {"#B": "B"},
    }
    decoded = protocol.decode_request("PutItem", wire(document))
    assert decoded["Item"] == document["Item"]
    assert decoded["ExpressionAttributeNames"] == {"#B": "B"}


def test_binary_outside_attribute_values_is_left_alone():
    # A table called "B" and a string "QUJD" that looks like base64 are just text.
    document = {"TableName": "B", "Key": {"pk": {"S": "QUJD"}}, "ProjectionExpression": "B"}
    assert protocol.decode_request("GetItem", wire(document)) == document


@pytest.mark.parametrize(
    ("operation", "document", "path"),
    [
        ("GetItem", {"Key": {"k": {"B": "QQ=="}}}, ("Key", "k")),
        (
            "DeleteItem",
            {"ExpressionAttributeValues": {":v": {"B": "QQ=="}}},
            ("ExpressionAttributeValues", ":v"),
        ),
        ("PutItem", {"Expected": {"a": {"Value": {"B": "QQ=="}}}}, ("Expected", "a", "Value")),
        (
            "PutItem",
            {"Expected": {"a": {"AttributeValueList": [{"B": "QQ=="}]}}},
            ("Expected", "a", "AttributeValueList", 0),
        ),
        (
            "UpdateItem",
            {"AttributeUpdates": {"a": {"Value": {"B": "QQ=="}}}},
            ("AttributeUpdates", "a", "Value"),
        ),
        ("Query", {"ExclusiveStartKey": {"k": {"B": "QQ=="}}}, ("ExclusiveStartKey", "k")),
        (
            "Query",
            {"KeyConditions": {"k": {"AttributeValueList": [{"B": "QQ=="}]}}},
            ("KeyConditions", "k", "AttributeValueList", 0),
        ),
        (
            "Query",
            {"QueryFilter": {"k": {"AttributeValueList": [{"B": "QQ=="}]}}},
            ("QueryFilter", "k", "AttributeValueList", 0),
        ),
        (
            "Scan",
            {"ScanFilter": {"k": {"AttributeValueList": [{"B": "QQ=="}]}}},
            ("ScanFilter", "k", "AttributeValueList", 0),
        ),
        (
            "BatchGetItem",
            {"RequestItems": {"t": {"Keys": [{"k": {"B": "QQ=="}}]}}},
            ("RequestItems", "t", "Keys", 0, "k"),
        ),
        (
            "BatchWriteItem",
            {"RequestItems": {"t": [{"PutRequest": {"Item": {"k": {"B": "QQ=="}}}}]}},
            ("RequestItems", "t", 0, "PutRequest", "Item", "k"),
        ),
        (
            "BatchWriteItem",
            {"RequestItems": {"t": [{"DeleteRequest": {"Key": {"k": {"B": "QQ=="}}}}]}},
            ("RequestItems", "t", 0, "DeleteRequest", "Key", "k"),
        ),
        (
            "TransactGetItems",
            {"TransactItems": [{"Get": {"Key": {"k": {"B": "QQ=="}}}}]},
            ("TransactItems", 0, "Get", "Key", "k"),
        ),
        (
            "TransactWriteItems",
            {"TransactItems": [{"Put": {"Item": {"k": {"B": "QQ=="}}}}]},
            ("TransactItems", 0, "Put", "Item", "k"),
        ),
        (
            "TransactWriteItems",
            {"TransactItems": [{"Update": {"ExpressionAttributeValues": {":v": {"B": "QQ=="}}}}]},
            ("TransactItems", 0, "Update", "ExpressionAttributeValues", ":v"),
        ),
        (
            "TransactWriteItems",
            {"TransactItems": [{"Delete": {"Key": {"k": {"B": "QQ=="}}}}]},
            ("TransactItems", 0, "Delete", "Key", "k"),
        ),
        (
            "TransactWriteItems",
            {"TransactItems": [{"ConditionCheck": {"Key": {"k": {"B": "QQ=="}}}}]},
            ("TransactItems", 0, "ConditionCheck", "Key", "k"),
        ),
        ("ExecuteStatement", {"Parameters": [{"B": "QQ=="}]}, ("Parameters", 0)),
        (
            "BatchExecuteStatement",
            {"Statements": [{"Parameters": [{"B": "QQ=="}]}]},
            ("Statements", 0, "Parameters", 0),
        ),
        (
            "ExecuteTransaction",
            {"TransactStatements": [{"Parameters": [{"B": "QQ=="}]}]},
            ("TransactStatements", 0, "Parameters", 0),
        ),
    ],
)
def test_every_attribute_value_member_is_decoded(operation, document, path):
    decoded = protocol.decode_request(operation, wire(document))
    for step in path:
        decoded = decoded[step]
    assert decoded == {"B": b"A"}


def test_escaped_type_tags_are_still_found():
    body = b'{"Key":{"k":{"\\u0042":"QQ=="},"s":{"B\\u0053":["QQ=="]}}}'
    decoded = protocol.decode_request("GetItem", body)
    assert decoded["Key"] == {"k": {"B": b"A"}, "s": {"BS": [b"A"]}}


def test_bodies_without_binary_skip_the_walk(monkeypatch):
    def fail(value):
        raise AssertionError("walked a body that holds no binary")

    monkeypatch.setattr(protocol, "_decode_attribute_value", fail)
    document = {"TableName": "things", "Item": {"pk": {"S": "x"}, "n": {"N": "1"}}}
    assert protocol.decode_request("PutItem", wire(document)) == document


def test_operations_without_attribute_values_pass_through():
    document = {"TableName": "B", "Tags": [{"Key": "B", "Value": "QQ=="}]}
    assert protocol.decode_request("CreateTable", wire(document)) == document


@given(
    st.recursive(
        st.one_of(
            st.binary(max_size=20).map(lambda raw: ("B", raw)),
            st.lists(st.binary(max_size=8), min_size=1, max_size=3).map(lambda bs: ("BS", bs)),
            st.text(max_size=10).map(lambda text: ("S", text)),
        ),
        lambda children: st.one_of(
            st.lists(children, max_size=3).map(lambda values: ("L", values)),
            st.dictionaries(st.sampled_from(["B", "BS", "S", "x"]), children, max_size=3).map(
                lambda values: ("M", values)
            ),
        ),
        max_leaves=10,
    )
)
def test_request_and_response_round_trip(value):
    def low_level(node):
        tag, inner = node
        if tag == "L":
            return {"L": [low_level(child) for child in inner]}
        if tag == "M":
            return {"M": {name: low_level(child) for name, child in inner.items()}}
        return {tag: inner}

    item = {"pk": {"S": "k"}, "v": low_level(value)}
    encoded = protocol.encode_response("GetItem", {"Item": item})
    assert protocol.decode_request("PutItem", encoded) == {"Item": item}


# ---------------------------------------------------------------- bad input


def test_malformed_json_is_a_bare_serialization_exception():
    assert serialization_message("ListTables", b'{"TableName": "x"') == ""
    assert serialization_message("ListTables", b"hi") == ""


def test_invalid_utf8_is_a_bare_serialization_exception():
    assert serialization_message("ListTables", b'{"a": "\xff\xfe"}') == ""


def test_empty_body_is_a_serialization_exception():
    assert serialization_message("ListTables", b"") == ""


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[]", "Start of list found where not expected"),
        (b'"x"', "Unexpected field type"),
        (b"12", "Unexpected field type"),
        (b"true", "Unexpected field type"),
        (b"null", "Unexpected field type"),  # INFERRED: as the other non-structures
    ],
)
def test_non_object_json(body, message):
    assert serialization_message("ListTables", body) == message


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("QQ=", "Base64 encoded length is expected a multiple of 4 bytes but found: 3"),
        ("QR==", "Invalid last non-pad Base64 character dectected"),
        ("Q!==", "Invalid last non-pad Base64 character dectected"),
        ("====", "Invalid last non-pad Base64 character dectected"),
        (12, "only base-64-encoded strings are convertible to bytes"),
        (True, "only base-64-encoded strings are convertible to bytes"),
        (["QQ=="], "Unrecognized collection type class java.nio.ByteBuffer"),
        ({"a": 1}, "Start of structure or map found where not expected"),
    ],
)
def test_invalid_binary(value, message):
    body = wire({"Key": {"k": {"L": [{"B": value}]}}})
    assert serialization_message("GetItem", body) == message
    body = wire({"Key": {"k": {"BS": ["QQ==", value]}}})
    assert serialization_message("GetItem", body) == message


def test_malformed_attribute_values_are_left_for_the_engine():
    document = {"Item": {"a": "QQ==", "b": {"BS": "QQ=="}, "c": [1], "d": {"M": [1]}}}
    assert protocol.decode_request("PutItem", wire(document)) == document


def test_very_deep_nesting_is_a_serialization_exception():
    leaf = b'{"B":"QQ=="}'
    body = b'{"Key":{"k":' + b'{"L":[' * 3000 + leaf + b"]}" * 3000 + b"}}"
    with pytest.raises(SerializationException):
        protocol.decode_request("GetItem", body)


# ---------------------------------------------------------------- encoding


def test_response_encoding():
    response = {
        "Table": {"CreationDateTime": datetime(2024, 1, 2, 3, 4, 5, 500000, tzinfo=UTC)},
        "Item": {"b": {"B": b"\x00\xff"}, "bs": {"BS": [b"a"]}, "s": {"S": "é"}},
        "ConsumedCapacity": {"CapacityUnits": Decimal("0.5"), "ReadCapacityUnits": Decimal("2")},
    }
    encoded = protocol.encode_response("GetItem", response)
    assert b" " not in encoded  # compact
    assert json.loads(encoded) == {
        "Table": {"CreationDateTime": 1704164645.5},
        "Item": {"b": {"B": "AP8="}, "bs": {"BS": ["YQ=="]}, "s": {"S": "é"}},
        "ConsumedCapacity": {"CapacityUnits": 0.5, "ReadCapacityUnits": 2},
    }


def test_response_binary_in_every_place_is_base64():
    item = {"k": {"B": b"A"}}
    response = {
        "Items": [item],
        "LastEvaluatedKey": item,
        "Responses": {"t": [item]},
        "UnprocessedKeys": {"t": {"Keys": [item]}},
        "UnprocessedItems": {"t": [{"PutRequest": {"Item": item}}]},
        "ItemCollectionMetrics": {"ItemCollectionKey": item},
        "Records": [{"dynamodb": {"Keys": item, "NewImage": item, "OldImage": item}}],
    }
    encoded = protocol.encode_response("Scan", response).decode()
    assert "QQ==" in encoded
    assert encoded.count('{"B":"QQ=="}') == 9


# ------------------------------------------------------------------ errors


def test_error_body():
    body = protocol.error_body(ConditionalCheckFailedException("The conditional request failed"))
    assert json.loads(body) == {
        "__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
        "message": "The conditional request failed",
    }


def test_error_body_with_item_encodes_binary():
    error = ConditionalCheckFailedException(
        "The conditional request failed", Item={"k": {"B": b"A"}}
    )
    assert json.loads(protocol.error_body(error))["Item"] == {"k": {"B": "QQ=="}}


def test_bare_error_body_has_no_message():
    body = protocol.error_body(SerializationException(""))
    assert body == b'{"__type":"com.amazon.coral.service#SerializationException"}'


def test_crc32_matches_dynamodb():
    # The crc32 DynamoDB sends with its bare SerializationException body.
    body = protocol.error_body(SerializationException(""))
    assert protocol.crc32(body) == "3948637019"
    assert protocol.crc32(b"healthy: dynamodb.us-east-1.amazonaws.com ") == "3128867991"
    assert protocol.crc32(b"\xff" * 64) == str(zlib.crc32(b"\xff" * 64))


def test_request_ids_look_like_dynamodb():
    first, second = protocol.request_id(), protocol.request_id()
    assert len(first) == 52 and first.isalnum() and first == first.upper()
    assert first != second
