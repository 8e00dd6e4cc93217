"""DynamoDB's JSON 1.0 wire format <-> ddblite's low-level request/response dicts.

Shared by the HTTP server and the botocore mock. On the wire, binary
AttributeValues (B, BS) are base64 text; inside ddblite they are `bytes`.

Requests: which members hold AttributeValues is declared per operation in
REQUEST_SHAPES, and only those places are visited, so an attribute *named* "B"
is never mistaken for the B type tag. Most requests carry no binary at all: a
cheap substring test of the raw body skips the walk for them.

Responses: the JSON encoder's fallback turns every `bytes` into base64 and every
`datetime` into epoch seconds. ddblite responses hold `bytes` only inside
AttributeValues (Item, Attributes, Items, LastEvaluatedKey, Responses,
UnprocessedKeys, UnprocessedItems, ItemCollectionMetrics.ItemCollectionKey,
CancellationReasons[].Item, stream records' Keys/NewImage/OldImage), so this
encodes exactly those places without walking the response.
"""

from __future__ import annotations

import binascii
import os
import zlib
from datetime import datetime
from decimal import Decimal
from typing import Any

from ddblite.errors import DynamoDBError, SerializationException

try:  # orjson is several times faster; the stdlib json is the fallback.
    import orjson as _orjson
except ImportError:  # pragma: no cover - exercised by tests that swap the backend
    _orjson = None
import json as _json

# --------------------------------------------------------------- request shapes


class _Shape:
    """A node of a request shape: decodes the binaries below it in place."""

    __slots__ = ()

    def decode(self, value: Any) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


class _Value(_Shape):
    """One AttributeValue."""

    __slots__ = ()

    def decode(self, value: Any) -> None:
        _decode_attribute_value(value)


class _ValueMap(_Shape):
    """{attribute name: AttributeValue}: Item, Key, ExpressionAttributeValues..."""

    __slots__ = ()

    def decode(self, value: Any) -> None:
        if isinstance(value, dict):
            for member in value.values():
                _decode_attribute_value(member)


class _ValueList(_Shape):
    """[AttributeValue]: AttributeValueList, PartiQL Parameters."""

    __slots__ = ()

    def decode(self, value: Any) -> None:
        if isinstance(value, list):
            for member in value:
                _decode_attribute_value(member)


class Struct(_Shape):
    """A structure; only the members named here can hold AttributeValues."""

    __slots__ = ("members",)

    def __init__(self, **members: _Shape) -> None:
        self.members = members

    def decode(self, value: Any) -> None:
        if isinstance(value, dict):
            for name, shape in self.members.items():
                member = value.get(name)
                if member is not None:
                    shape.decode(member)


class MapOf(_Shape):
    """A map with arbitrary keys (table names, attribute names) of one shape."""

    __slots__ = ("shape",)

    def __init__(self, shape: _Shape) -> None:
        self.shape = shape

    def decode(self, value: Any) -> None:
        if isinstance(value, dict):
            for member in value.values():
                self.shape.decode(member)


class ListOf(_Shape):
    __slots__ = ("shape",)

    def __init__(self, shape: _Shape) -> None:
        self.shape = shape

    def decode(self, value: Any) -> None:
        if isinstance(value, list):
            for member in value:
                self.shape.decode(member)


VALUE = _Value()
VALUE_MAP = _ValueMap()
VALUE_LIST = _ValueList()

# Legacy conditions: Expected, KeyConditions, QueryFilter, ScanFilter, AttributeUpdates.
_EXPECTED = MapOf(Struct(Value=VALUE, AttributeValueList=VALUE_LIST))
_CONDITIONS = MapOf(Struct(AttributeValueList=VALUE_LIST))
_ATTRIBUTE_UPDATES = MapOf(Struct(Value=VALUE))
_STATEMENTS = ListOf(Struct(Parameters=VALUE_LIST))

REQUEST_SHAPES: dict[str, Struct] = {
    "PutItem": Struct(Item=VALUE_MAP, Expected=_EXPECTED, ExpressionAttributeValues=VALUE_MAP),
    "GetItem": Struct(Key=VALUE_MAP),
    "DeleteItem": Struct(Key=VALUE_MAP, Expected=_EXPECTED, ExpressionAttributeValues=VALUE_MAP),
    "UpdateItem": Struct(
        Key=VALUE_MAP,
        Expected=_EXPECTED,
        AttributeUpdates=_ATTRIBUTE_UPDATES,
        ExpressionAttributeValues=VALUE_MAP,
    ),
    "Query": Struct(
        ExclusiveStartKey=VALUE_MAP,
        KeyConditions=_CONDITIONS,
        QueryFilter=_CONDITIONS,
        ExpressionAttributeValues=VALUE_MAP,
    ),
    "Scan": Struct(
        ExclusiveStartKey=VALUE_MAP, ScanFilter=_CONDITIONS, ExpressionAttributeValues=VALUE_MAP
    ),
    "BatchGetItem": Struct(RequestItems=MapOf(Struct(Keys=ListOf(VALUE_MAP)))),
    "BatchWriteItem": Struct(
        RequestItems=MapOf(
            ListOf(
                Struct(
                    PutRequest=Struct(Item=VALUE_MAP),
                    DeleteRequest=Struct(Key=VALUE_MAP),
                )
            )
        )
    ),
    "TransactGetItems": Struct(TransactItems=ListOf(Struct(Get=Struct(Key=VALUE_MAP)))),
    "TransactWriteItems": Struct(
        TransactItems=ListOf(
            Struct(
                ConditionCheck=Struct(Key=VALUE_MAP, ExpressionAttributeValues=VALUE_MAP),
                Put=Struct(Item=VALUE_MAP, ExpressionAttributeValues=VALUE_MAP),
                Delete=Struct(Key=VALUE_MAP, ExpressionAttributeValues=VALUE_MAP),
                Update=Struct(Key=VALUE_MAP, ExpressionAttributeValues=VALUE_MAP),
            )
        )
    ),
    "ExecuteStatement": Struct(Parameters=VALUE_LIST),
    "BatchExecuteStatement": Struct(Statements=_STATEMENTS),
    "ExecuteTransaction": Struct(TransactStatements=_STATEMENTS),
}

# A binary value needs a "B" or "BS" type tag in the body, written plainly or
# with the \u escape of its B or S. One-byte probes (memchr) rule most bodies
# out before the slower substring searches run.
def _might_hold_binary(body: bytes) -> bool:
    if b"B" in body and (b'"B"' in body or b'"BS"' in body):
        return True
    return b"\\" in body and (b"\\u0042" in body or b"\\u0053" in body)


# --------------------------------------------------------------------- base64

_WRONG_BLOB_TYPE = "only base-64-encoded strings are convertible to bytes"


def _blob(text: Any) -> bytes:
    """DynamoDB's base64 decoding of one Blob member, with its error texts."""
    if not isinstance(text, str):
        if isinstance(text, list):
            raise SerializationException("Unrecognized collection type class java.nio.ByteBuffer")
        if isinstance(text, dict):
            raise SerializationException("Start of structure or map found where not expected")
        raise SerializationException(_WRONG_BLOB_TYPE)
    if len(text) % 4:
        raise SerializationException(
            f"Base64 encoded length is expected a multiple of 4 bytes but found: {len(text)}"
        )
    try:
        raw = binascii.a2b_base64(text, strict_mode=True)
    except (binascii.Error, ValueError):
        raise SerializationException("Invalid last non-pad Base64 character dectected") from None
    # With padding, the last character's unused bits must be zero (canonical form).
    if text.endswith("=") and binascii.b2a_base64(raw, newline=False).decode() != text:
        raise SerializationException("Invalid last non-pad Base64 character dectected")
    return raw


def _decode_attribute_value(value: Any) -> None:
    # Shape errors (not a map, several tags) are the engine's to report.
    if not isinstance(value, dict):
        return
    if "B" in value:
        value["B"] = _blob(value["B"])
    if "BS" in value:
        members = value["BS"]
        if isinstance(members, list):
            value["BS"] = [_blob(member) for member in members]
    if "M" in value:
        members = value["M"]
        if isinstance(members, dict):
            for member in members.values():
                _decode_attribute_value(member)
    if "L" in value:
        members = value["L"]
        if isinstance(members, list):
            for member in members:
                _decode_attribute_value(member)


# ----------------------------------------------------------------------- JSON


def _loads_stdlib(body: bytes) -> Any:
    return _json.loads(body.decode("utf-8"))


def _loads_orjson(body: bytes) -> Any:
    return _orjson.loads(body)


def _encode_extra(value: Any) -> Any:
    """Values the JSON encoder does not know: binaries, timestamps, decimals."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return binascii.b2a_base64(value, newline=False).decode("ascii")
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


_STDLIB_ENCODER = _json.JSONEncoder(
    separators=(",", ":"), ensure_ascii=False, default=_encode_extra
)


def _dumps_stdlib(value: Any) -> bytes:
    return _STDLIB_ENCODER.encode(value).encode("utf-8")


def _dumps_orjson(value: Any) -> bytes:
    return _orjson.dumps(value, default=_encode_extra, option=_orjson.OPT_PASSTHROUGH_DATETIME)


def use_json_backend(name: str) -> None:
    """Select "orjson" or "stdlib" for parsing and encoding (tests run both)."""
    global _loads, _dumps
    if name == "orjson":
        if _orjson is None:
            raise RuntimeError("orjson is not installed")
        _loads, _dumps = _loads_orjson, _dumps_orjson
    elif name == "stdlib":
        _loads, _dumps = _loads_stdlib, _dumps_stdlib
    else:
        raise ValueError(f"unknown JSON backend {name!r}")


_loads = _loads_orjson if _orjson is not None else _loads_stdlib
_dumps = _dumps_orjson if _orjson is not None else _dumps_stdlib


# ------------------------------------------------------------------ public API


def parse_json(body: bytes) -> Any:
    """The JSON document of a request body.

    Malformed JSON and invalid UTF-8 get DynamoDB's bare SerializationException
    (it sends no message for them).
    """
    try:
        return _loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise SerializationException("") from None


def decode_params(operation: str, document: Any, body: bytes = b"") -> dict:
    """Turn a parsed request document into ddblite's request dict (base64 -> bytes).

    `body`, the raw bytes the document came from, lets the binary walk be skipped
    when no binary can be present; without it the walk always runs.
    """
    if not isinstance(document, dict):
        raise SerializationException(_top_level_type_error(document))
    shape = REQUEST_SHAPES.get(operation)
    if shape is not None and (not body or _might_hold_binary(body)):
        try:
            shape.decode(document)
        except RecursionError:
            raise SerializationException("Request nesting too deep") from None
    return document


def decode_request(operation: str, body: bytes) -> dict:
    """Wire body -> the low-level request dict `Database.call` takes."""
    if not body:
        raise SerializationException("")
    return decode_params(operation, parse_json(body), body)


def _top_level_type_error(document: Any) -> str:
    if isinstance(document, list):
        return "Start of list found where not expected"
    # Strings, numbers, booleans and `null` alike: not the structure expected.
    # (For `null` the text is INFERRED from the other scalar tokens.)
    return "Unexpected field type"


def encode_response(operation: str, response: dict) -> bytes:
    """A response dict -> compact wire JSON (bytes base64, datetimes epoch seconds).

    `operation` is not needed by the encoder today; it stays in the signature so
    a per-operation shape can be added without touching the callers.
    """
    return _dumps(response)


def error_body(exc: DynamoDBError) -> bytes:
    """The JSON body DynamoDB sends for an error.

    Errors DynamoDB sends without a message (bare SerializationException or
    UnknownOperationException) are raised here with an empty message.
    """
    body = exc.wire_body()
    if not body.get("message"):
        body.pop("message", None)
    return _dumps(body)


def request_id() -> str:
    """52 characters of [0-9A-Z], like DynamoDB's x-amzn-RequestId."""
    return os.urandom(26).hex().upper()


def crc32(body: bytes) -> str:
    """The `x-amz-crc32` header value of a response body (unsigned decimal)."""
    return str(zlib.crc32(body))
