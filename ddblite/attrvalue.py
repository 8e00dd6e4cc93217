"""AttributeValue rules: type tags, numbers, sets, nesting, key values.

Values enter in DynamoDB's low-level shape ({"S": "x"}, {"N": "1.5"}, binary as
bytes). `canonical_value` checks one value the way DynamoDB does and returns
its stored form: numbers in canonical text, set members sorted (a stable order),
binaries as bytes.

DynamoDB checks a request in phases: first the JSON deserializer converts every
member to its declared type (a wrong type is a SerializationException for the
whole request), then values are validated. `canonical_value` does both in one
pass for speed; when it finds a validation problem it first re-walks the item
with `type_check_item` so a type error anywhere still wins, as it does on
DynamoDB.
"""

from __future__ import annotations

import base64
from decimal import Decimal, InvalidOperation
from typing import Any

from ddblite.errors import SerializationException, ValidationException
from ddblite.native import NumberError, canonical_item_sized, item_size, normalize_number

# Tag order is DynamoDB's member order for AttributeValue; a value with two
# tags is checked tag by tag in the order the request gives them.
TYPES = frozenset(("S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"))
KEY_TYPES = frozenset(("S", "N", "B"))
MAX_DEPTH = 32
MAX_ITEM_SIZE = 400 * 1024
MAX_PARTITION_KEY_BYTES = 2048
MAX_SORT_KEY_BYTES = 1024
# Attribute names: 1..65535 bytes of UTF-8. A name of at most 16383 characters is at
# most 65532 bytes, so only longer ones are ever encoded to be measured.
MAX_NAME_BYTES = 65535
_NAME_CHARS_ALWAYS_FIT = MAX_NAME_BYTES // 4

_INVALID = "One or more parameter values were invalid: "
EMPTY_VALUE = (
    "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
)
MULTIPLE_TYPES = (
    "Supplied AttributeValue has more than one datatypes set, must contain exactly one of "
    "the supported datatypes"
)
NULL_NOT_TRUE = _INVALID + "Null attribute value types must have the value of true"
NESTING_TOO_DEEP = (
    "Nesting Levels have exceeded supported limits: Attributes in the item have nested "
    "levels beyond supported limit"
)
EMPTY_SET = {
    "SS": _INVALID + "An string set  may not be empty",
    "NS": _INVALID + "An number set  may not be empty",
    "BS": _INVALID + "Binary sets should not be empty",
}
NOT_A_NUMBER = "The parameter cannot be converted to a numeric value"
NUMBER_MESSAGES = {
    "overflow": "Number overflow. Attempting to store a number with magnitude larger than "
    "supported range",
    "underflow": "Number underflow. Attempting to store a number with magnitude smaller than "
    "supported range",
    "precision": "Attempting to store more than 38 significant digits in a Number",
}
# Measured on DynamoDB for a 65536-byte name in an item, in a nested map and through
# ExpressionAttributeNames (ExtendDB/extenddb#365); the number is 65536 although
# 65535 bytes are accepted.
NAME_TOO_LARGE = (
    "1 validation error detected: Attribute name is too large, must be less than 65536 bytes"
)
# INFERRED: DynamoDB's error list names this case EMPTY_ATTRIBUTE_NAME, "Empty attribute
# name"; its framing here follows NAME_TOO_LARGE, which comes from the same checks.
EMPTY_NAME = "1 validation error detected: Empty attribute name"


class AttributeNameError(ValidationException):  # type: ignore[valid-type,misc]
    """An attribute name DynamoDB refuses. Its text is never wrapped in the
    "ExpressionAttributeValues contains invalid value" framing (measured)."""

    code = "ValidationException"


# The deserializer's words for the AttributeValue and the item map.
_MAP_OF_VALUES = "java.util.Map<java.lang.String, com.amazonaws.dynamodb.v20120810.AttributeValue>"

_BINARY_TYPES = (bytes, bytearray, memoryview)
_LIST_TYPES = (list, tuple)


# ---------------------------------------------------------------- type errors


def _token(value: Any) -> str:
    """How the JSON deserializer names the token it could not convert."""
    if value is None:
        return "VALUE_NULL"
    if isinstance(value, bool):
        return "TRUE_VALUE" if value else "FALSE_VALUE"
    if isinstance(value, int):
        return "NUMBER_VALUE"
    if isinstance(value, (float, Decimal)):
        return "DECIMAL_VALUE"
    return "VALUE_STRING"


def _serialization(message: str) -> SerializationException:  # type: ignore[valid-type]
    return SerializationException(message)


def _as_string(value: Any) -> str:
    if isinstance(value, str):
        if not value.isascii():
            _valid_unicode(value)
        return value
    if isinstance(value, dict):
        raise _serialization("Start of structure or map found where not expected")
    if isinstance(value, (list, tuple, set, frozenset)):
        raise _serialization("Unrecognized collection type class java.lang.String")
    raise _serialization(f"{_token(value)} cannot be converted to String")


def _valid_unicode(text: str) -> None:
    # A lone surrogate is not UTF-8: the wire's JSON parser refuses such a body with a
    # bare SerializationException, and so does the embedded client (ddblite.shapes).
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise _serialization("") from None


def _as_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, dict):
        raise _serialization("Start of structure or map found where not expected")
    if isinstance(value, (list, tuple, set, frozenset)):
        raise _serialization("Unrecognized collection type class java.lang.Boolean")
    if isinstance(value, str):
        raise _serialization("Unexpected token received from parser")
    raise _serialization(f"{_token(value)} cannot be converted to Boolean")


def _as_binary(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):  # boto3 accepts text for blobs and sends its UTF-8
        return value.encode("utf-8")
    if isinstance(value, dict):
        raise _serialization("Start of structure or map found where not expected")
    if isinstance(value, (list, tuple, set, frozenset)):
        raise _serialization("Unrecognized collection type class java.nio.ByteBuffer")
    raise _serialization("only base-64-encoded strings are convertible to bytes")


def _as_members(value: Any) -> list:
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value)
    if isinstance(value, dict):
        raise _serialization("Start of structure or map found where not expected")
    raise _serialization("Unexpected field type")


def _as_map(value: Any) -> dict:
    if isinstance(value, dict):
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        raise _serialization(f"Unrecognized collection type {_MAP_OF_VALUES}")
    raise _serialization("Unexpected field type")


def _as_value_struct(value: Any) -> dict:
    if isinstance(value, dict):
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        raise _serialization(
            "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.AttributeValue"
        )
    raise _serialization("Unexpected value type in payload")


def _as_list(value: Any) -> list:
    if isinstance(value, _LIST_TYPES):
        return list(value)
    if isinstance(value, dict):
        raise _serialization("Start of structure or map found where not expected")
    raise _serialization("Unexpected field type")


# ---------------------------------------------------------------- numbers


def number(text: Any) -> str:
    """Canonical text of a number value, or DynamoDB's ValidationException."""
    text = _as_string(text)
    try:
        canonical = normalize_number(text)
    except NumberError as exc:
        raise ValidationException(_number_message(text, exc.kind)) from None
    if canonical == "0" and ("e" in text or "E" in text):
        _check_zero_exponent(text)
    return canonical


def _number_message(text: str, kind: str) -> str:
    if kind == "invalid":
        return f"{NOT_A_NUMBER}: {text}" if text else NOT_A_NUMBER
    if kind == "precision":
        # DynamoDB checks the magnitude before the digit count.
        try:
            adjusted = Decimal(text).adjusted()
        except InvalidOperation:  # pragma: no cover - the grammar already passed
            adjusted = 0
        if adjusted > 125:
            kind = "overflow"
        elif adjusted < -130:
            kind = "underflow"
    return NUMBER_MESSAGES[kind]


def _check_zero_exponent(text: str) -> None:
    # A zero written with an exponent is range-checked by that exponent ("0e126").
    exponent_text = text[max(text.find("e"), text.find("E")) + 1 :]
    digits = exponent_text.lstrip("+-").lstrip("0")
    magnitude = int(digits) if 0 < len(digits) < 10 else (10**10 if digits else 0)
    exponent = -magnitude if exponent_text.startswith("-") else magnitude
    if exponent > 125:
        raise ValidationException(NUMBER_MESSAGES["overflow"])
    if exponent < -130:
        raise ValidationException(NUMBER_MESSAGES["underflow"])


# ---------------------------------------------------------------- values


def canonical_value(value: Any, depth: int = 1) -> dict:
    """Validate one AttributeValue and return its stored form.

    depth is 1 for a top-level attribute; a value whose elements would sit
    deeper than 32 levels is refused.
    """
    value = _as_value_struct(value)
    if len(value) == 1:
        ((tag, inner),) = value.items()
        if inner is not None and tag in TYPES:
            return {tag: _canonical_inner(tag, inner, depth)}
    return _canonical_unusual(value, depth)


def _canonical_unusual(value: dict, depth: int) -> dict:
    """A value with no tag, several tags, or unknown tags (which the deserializer drops)."""
    present = [(tag, inner) for tag, inner in value.items() if tag in TYPES and inner is not None]
    if not present:
        raise ValidationException(EMPTY_VALUE)
    # Each tag's own problems are reported before the "more than one" problem.
    stored = {tag: _canonical_inner(tag, inner, depth) for tag, inner in present}
    if len(stored) > 1:
        raise ValidationException(MULTIPLE_TYPES)
    return stored


def _canonical_inner(tag: str, inner: Any, depth: int) -> Any:
    if tag == "S":
        return _as_string(inner)
    if tag == "N":
        return number(inner)
    if tag == "B":
        return _as_binary(inner)
    if tag == "BOOL":
        return _as_boolean(inner)
    if tag == "NULL":
        if not _as_boolean(inner):
            raise ValidationException(NULL_NOT_TRUE)
        return True
    if tag == "M":
        members = _as_map(inner)
        if members and depth >= MAX_DEPTH:
            raise ValidationException(NESTING_TOO_DEEP)
        return {
            _attr_name(name): canonical_value(element, depth + 1)
            for name, element in members.items()
        }
    if tag == "L":
        elements = _as_list(inner)
        if elements and depth >= MAX_DEPTH:
            raise ValidationException(NESTING_TOO_DEEP)
        return [canonical_value(element, depth + 1) for element in elements]
    return _canonical_set(tag, _as_members(inner))


def _canonical_set(tag: str, members: list) -> list:
    if tag == "SS":
        items = [_as_string(m) for m in members]
        if not items:
            raise ValidationException(EMPTY_SET[tag])
        ordered = sorted(items, key=_utf8)
        if _has_adjacent_equal(ordered):
            raise ValidationException(
                f"{_INVALID}Input collection [{', '.join(items)}] contains duplicates."
            )
        return ordered
    if tag == "NS":
        texts = [_as_string(m) for m in members]
        if not texts:
            raise ValidationException(EMPTY_SET[tag])
        canonical = [number(m) for m in texts]
        ordered = sorted(canonical, key=Decimal)
        if _has_adjacent_equal(ordered):  # canonical text: equal numbers, equal text
            raise ValidationException("Input collection contains duplicates")
        return ordered
    blobs = [_as_binary(m) for m in members]
    if not blobs:
        raise ValidationException(EMPTY_SET[tag])
    ordered = sorted(blobs)
    if _has_adjacent_equal(ordered):
        shown = ", ".join(base64.b64encode(b).decode() for b in blobs)
        raise ValidationException(
            f"{_INVALID}Input collection [{shown}]of type BS contains duplicates."
        )
    return ordered


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _has_adjacent_equal(ordered: list) -> bool:
    return any(left == right for left, right in zip(ordered, ordered[1:]))


def _attr_name(name: Any) -> str:
    if not isinstance(name, str):
        raise _serialization(f"{_token(name)} cannot be converted to String")
    if not name or len(name) > _NAME_CHARS_ALWAYS_FIT:
        check_attribute_name(name)
    return name


def check_attribute_name(name: str) -> None:
    """An attribute name of an item, a map, AttributesToGet or AttributeUpdates:
    not empty, at most 65535 bytes of UTF-8."""
    if not name:
        raise AttributeNameError(EMPTY_NAME)
    if len(name) > _NAME_CHARS_ALWAYS_FIT and len(_utf8(name)) > MAX_NAME_BYTES:
        raise AttributeNameError(NAME_TOO_LARGE)


def canonical_item(item: Any) -> dict:
    """Validate a whole item (attribute name -> AttributeValue)."""
    fast = canonical_item_sized(item)
    if fast is not None:
        return fast[0]
    return _canonical_item_general(item)


def canonical_item_and_size(item: Any) -> tuple[dict, int]:
    """Validate a whole item; returns its stored form and its DynamoDB size."""
    fast = canonical_item_sized(item)
    if fast is not None:
        return fast
    stored = _canonical_item_general(item)
    return stored, item_size(stored)


def _canonical_item_general(item: Any) -> dict:
    # The compiled fast path handles well-formed items; this path owns every error.
    item = _as_map(item)
    try:
        return {_attr_name(name): canonical_value(value) for name, value in item.items()}
    except ValidationException:
        type_check_item(item)  # a JSON type error anywhere wins
        raise


# ---------------------------------------------------------------- type pass


def type_check_item(item: Any, depth: int = 0) -> None:
    """Raise the SerializationException DynamoDB's deserializer would, if any.

    Run on error paths only, so a JSON type error anywhere in the request is
    reported ahead of a validation error found earlier in the same pass.
    """
    for name, value in _as_map(item).items():
        _attr_name_type(name)
        type_check_value(value, depth)


def type_check_value(value: Any, depth: int = 0) -> None:
    if depth > _RECURSIVE_LEVELS:  # deeper than any valid value: walk with a stack
        _type_check([(_VALUE, value)])
        return
    for tag, inner in _as_value_struct(value).items():
        if inner is None or tag not in TYPES:
            continue
        if tag == "M":
            type_check_item(inner, depth + 1)
        elif tag == "L":
            for element in _as_list(inner):
                type_check_value(element, depth + 1)
        else:
            _type_check_scalar(tag, inner)


def _type_check_scalar(tag: str, inner: Any) -> None:
    """The JSON type of a scalar or set value (any tag but M and L)."""
    if tag in ("S", "N"):
        _as_string(inner)
    elif tag == "B":
        _as_binary(inner)
    elif tag in ("BOOL", "NULL"):
        _as_boolean(inner)
    else:
        check = _as_binary if tag == "BS" else _as_string
        for member in _as_members(inner):
            check(member)


# Recursion is the fast walk; below this many levels (twice DynamoDB's limit) the walk
# switches to its own stack, so a value nested thousands of levels deep still reaches
# the nesting-limit message instead of exhausting Python's stack.
_RECURSIVE_LEVELS = 2 * MAX_DEPTH
_MAP, _VALUE = 0, 1


def _type_check(pending: list) -> None:
    # The same checks as type_check_value, depth first in source order.
    while pending:
        kind, node = pending.pop()
        children: list = []
        if kind == _MAP:
            for name, value in _as_map(node).items():
                _attr_name_type(name)
                children.append((_VALUE, value))
        else:
            for tag, inner in _as_value_struct(node).items():
                if inner is None or tag not in TYPES:
                    continue
                if tag == "M":
                    children.append((_MAP, inner))
                elif tag == "L":
                    children.extend((_VALUE, element) for element in _as_list(inner))
                else:
                    _type_check_scalar(tag, inner)
        pending.extend(reversed(children))


def _attr_name_type(name: Any) -> None:
    if not isinstance(name, str):
        raise _serialization(f"{_token(name)} cannot be converted to String")


# ---------------------------------------------------------------- keys


def key_value_bytes(tag: str, value: Any) -> int:
    """Bytes a key attribute value counts against the key-size limits."""
    if tag == "S":
        return len(value) if value.isascii() else len(value.encode("utf-8"))
    if tag == "B":
        return len(value)
    from ddblite.native import attribute_value_size

    return attribute_value_size({"N": value})
