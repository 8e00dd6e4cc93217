"""AttributeValue rules: type tags, numbers, sets, nesting, key values.

Values enter in DynamoDB's low-level shape ({"S": "x"}, {"N": "1.5"}, binary as
bytes). `canonical_value` checks one value the way DynamoDB does and returns
its stored form: numbers in canonical text, set members sorted (a stable order),
binaries as bytes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ddblite.errors import SerializationException, ValidationException
from ddblite.native import NumberError, normalize_number

TYPES = frozenset(("S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"))
KEY_TYPES = frozenset(("S", "N", "B"))
MAX_DEPTH = 32
MAX_ITEM_SIZE = 400 * 1024
MAX_PARTITION_KEY_BYTES = 2048
MAX_SORT_KEY_BYTES = 1024

_SET_NAMES = {"SS": "string set", "NS": "number set", "BS": "binary set"}

NUMBER_MESSAGES = {
    "invalid": "A value provided cannot be converted into a number",
    "overflow": "Number overflow. Attempting to store a number with magnitude larger than "
    "supported range",
    "underflow": "Number underflow. Attempting to store a number with magnitude smaller than "
    "supported range",
    "precision": "Attempting to store more than 38 significant digits in a Number",
}

_BINARY_TYPES = (bytes, bytearray, memoryview)


def _type_name(value: Any) -> str:
    """How DynamoDB's JSON deserializer names a value it cannot convert."""
    if value is None:
        return "VALUE_NULL"
    if isinstance(value, bool):
        return "TRUE_VALUE" if value else "FALSE_VALUE"
    if isinstance(value, (int, float, Decimal)):
        return "NUMBER_VALUE"
    if isinstance(value, str):
        return "VALUE_STRING"
    if isinstance(value, dict):
        return "START_OBJECT"
    if isinstance(value, (list, tuple, set, frozenset)):
        return "START_ARRAY"
    return "VALUE_EMBEDDED_OBJECT"


def _serialization(value: Any, target: str) -> SerializationException:  # type: ignore[valid-type]
    return SerializationException(f"{_type_name(value)} cannot be converted to {target}")


def number(text: Any) -> str:
    """Canonical text of a number value, or DynamoDB's ValidationException."""
    if not isinstance(text, str):
        raise _serialization(text, "String")
    try:
        return normalize_number(text)
    except NumberError as exc:
        raise ValidationException(NUMBER_MESSAGES[exc.kind]) from None


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise _serialization(value, "String")
    return value


def _binary(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):  # boto3 accepts text for blobs and sends its UTF-8
        return value.encode("utf-8")
    raise _serialization(value, "Blob")


def _members(value: Any) -> list:
    if not isinstance(value, (list, tuple, set, frozenset)):
        raise SerializationException(f"Unexpected field type: {_type_name(value)}")
    return list(value)


def _number_key(canonical: str) -> Decimal:
    return Decimal(canonical)


def canonical_value(value: Any, depth: int = 1) -> dict:
    """Validate one AttributeValue and return its stored form."""
    if not isinstance(value, dict):
        raise SerializationException(
            f"Unexpected value type in payload: {_type_name(value)} for AttributeValue"
        )
    if len(value) != 1:
        if not value:
            raise ValidationException(
                "Supplied AttributeValue is empty, must contain exactly one of the supported "
                "datatypes"
            )
        unknown = [tag for tag in value if tag not in TYPES]
        if unknown:
            raise SerializationException(f"Unknown AttributeValue type: {unknown[0]}")
        raise ValidationException(
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one "
            "of the supported datatypes"
        )
    ((tag, inner),) = value.items()
    if tag == "S":
        return {"S": _string(inner)}
    if tag == "N":
        return {"N": number(inner)}
    if tag == "B":
        return {"B": _binary(inner)}
    if tag == "BOOL":
        if not isinstance(inner, bool):
            raise _serialization(inner, "Boolean")
        return {"BOOL": inner}
    if tag == "NULL":
        if not isinstance(inner, bool):
            raise _serialization(inner, "Boolean")
        if not inner:
            raise ValidationException(
                "One or more parameter values were invalid: Null attribute value types must "
                "have the value of true"
            )
        return {"NULL": True}
    if tag == "M":
        if not isinstance(inner, dict):
            raise _serialization(inner, "Map")
        if depth >= MAX_DEPTH:
            raise ValidationException("Nesting Levels have exceeded supported limits")
        return {"M": {_attr_name(k): canonical_value(v, depth + 1) for k, v in inner.items()}}
    if tag == "L":
        if not isinstance(inner, (list, tuple)):
            raise _serialization(inner, "List")
        if depth >= MAX_DEPTH:
            raise ValidationException("Nesting Levels have exceeded supported limits")
        return {"L": [canonical_value(v, depth + 1) for v in inner]}
    if tag in _SET_NAMES:
        return {tag: _canonical_set(tag, _members(inner))}
    raise SerializationException(f"Unknown AttributeValue type: {tag}")


def _canonical_set(tag: str, members: list) -> list:
    if not members:
        raise ValidationException(
            f"One or more parameter values were invalid: An {_SET_NAMES[tag]}  may not be empty"
        )
    if tag == "SS":
        items = [_string(m) for m in members]
        ordered = sorted(items, key=lambda s: s.encode("utf-8"))
        identity = ordered
    elif tag == "NS":
        items = [number(m) for m in members]
        ordered = sorted(items, key=_number_key)
        identity = [_number_key(m) for m in ordered]
    else:
        items = [_binary(m) for m in members]
        ordered = sorted(items)
        identity = ordered
    for left, right in zip(identity, identity[1:]):
        if left == right:
            shown = ", ".join(_render_member(m) for m in members)
            raise ValidationException(
                "One or more parameter values were invalid: Input collection "
                f"[{shown}] contains duplicates."
            )
    return ordered


def _render_member(member: Any) -> str:
    if isinstance(member, _BINARY_TYPES):
        import base64

        return base64.b64encode(bytes(member)).decode()
    return str(member)


def _attr_name(name: Any) -> str:
    if not isinstance(name, str):
        raise _serialization(name, "String")
    return name


def canonical_item(item: Any) -> dict:
    """Validate a whole item (attribute name -> AttributeValue)."""
    if not isinstance(item, dict):
        raise SerializationException(f"Unexpected value type in payload: {_type_name(item)}")
    return {_attr_name(name): canonical_value(value) for name, value in item.items()}


def key_value_bytes(tag: str, value: Any) -> int:
    """Bytes a key attribute value counts against the key-size limits."""
    if tag == "S":
        return len(value.encode("utf-8"))
    if tag == "B":
        return len(value)
    from ddblite.native import attribute_value_size

    return attribute_value_size({"N": value})
