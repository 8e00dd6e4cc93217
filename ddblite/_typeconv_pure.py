"""Native Python values <-> DynamoDB AttributeValues: the pure-Python twin.

ext/_typeconv.pyx compiles the same rules as ``ddblite._typeconv``; ddblite.typeconv
picks one. Both follow boto3's TypeSerializer/TypeDeserializer, so code written for
boto3's Table resource sees the same values and the same errors:

    None -> NULL, bool -> BOOL, int/Decimal -> N (float refused), str -> S,
    bytes/bytearray/Binary -> B, a set of numbers/strings/binaries -> NS/SS/BS,
    any Mapping -> M, list/tuple -> L.  Numbers come back as Decimal, binaries as
    Binary, sets as set.

Two deliberate differences from boto3: every non-finite number is refused here
(boto3 lets "-Infinity", "-NaN" and "sNaN" through, for DynamoDB to reject), and
numbers are read back exactly, so 1E+38, which DynamoDB returns as 39 digits,
reads as a Decimal where boto3 raises decimal.Rounded.

Binary and the exception texts live here only, so both twins share them.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Set
from decimal import Clamped, Context, Decimal, Inexact, Overflow, Rounded, Underflow
from typing import Any

__all__ = [
    "DYNAMODB_CONTEXT",
    "Binary",
    "deserialize",
    "deserialize_item",
    "serialize",
    "serialize_item",
]

# DynamoDB numbers: 38 significant digits, exponent range of boto3's context; any
# rounding raises instead of silently changing the number.
DYNAMODB_CONTEXT = Context(
    Emin=-128,
    Emax=126,
    prec=38,
    traps=[Clamped, Overflow, Inexact, Rounded, Underflow],
)

FLOAT_MESSAGE = "Float types are not supported. Use Decimal types instead."
NON_FINITE_MESSAGE = "Infinity and NaN not supported"
EMPTY_VALUE_MESSAGE = (
    "Value must be a nonempty dictionary whose key is a valid dynamodb type."
)

# Integers below this magnitude have at most 38 digits: their text is already canonical.
SMALL_INT_LIMIT = 10**38


class Binary:
    """Bytes read back from DynamoDB, as boto3's ``boto3.dynamodb.types.Binary``.

    Compares and hashes like the bytes it wraps (``Binary(b"x") == b"x"``), so it
    finds itself in sets and dict keys of plain bytes; ``bytes(b)`` and ``b.value``
    give the bytes.
    """

    __slots__ = ("value",)

    def __init__(self, value: bytes | bytearray) -> None:
        if not isinstance(value, (bytearray, bytes)):
            raise TypeError(
                "Value must be of the following types: <class 'bytearray'>, <class 'bytes'>"
            )
        self.value = value

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Binary):
            return self.value == other.value
        return self.value == other

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(self.value)

    def __bytes__(self) -> bytes:
        return bytes(self.value)

    def __len__(self) -> int:
        return len(self.value)

    def __repr__(self) -> str:
        return f"Binary({self.value!r})"


def foreign_binary_type() -> type | None:
    """boto3's own Binary class if boto3 is already imported (never imports it)."""
    module = sys.modules.get("boto3.dynamodb.types")
    return getattr(module, "Binary", None) if module is not None else None


def _is_binary(value: Any) -> bool:
    if isinstance(value, (bytes, bytearray, Binary)):
        return True
    foreign = foreign_binary_type()
    return foreign is not None and isinstance(value, foreign)


def _binary(value: Any) -> bytes | bytearray:
    return value if isinstance(value, (bytes, bytearray)) else value.value


def _number(value: Any) -> str:
    if type(value) is int and -SMALL_INT_LIMIT < value < SMALL_INT_LIMIT:
        return str(value)
    number = DYNAMODB_CONTEXT.create_decimal(value)
    if not number.is_finite():
        raise TypeError(NON_FINITE_MESSAGE)
    return str(number)


def _set_tag(value: Set) -> str | None:
    """NS, SS or BS for a set, tested in boto3's order (numbers, strings, binaries).

    Each test stops at the first member that fails it; a float met while testing
    for numbers is refused outright, as boto3 does. An empty set is a number set
    (DynamoDB then refuses it as empty).
    """
    for member in value:
        if isinstance(member, (int, Decimal)):
            continue
        if isinstance(member, float):
            raise TypeError(FLOAT_MESSAGE)
        break
    else:
        return "NS"
    for member in value:
        if not isinstance(member, str):
            break
    else:
        return "SS"
    for member in value:
        if not _is_binary(member):
            break
    else:
        return "BS"
    return None


def _unsupported(value: Any) -> TypeError:
    return TypeError(f'Unsupported type "{type(value)}" for value "{value}"')


# DynamoDB refuses any value nested deeper than 32 levels, wherever it sits in the
# request, and its validator stops looking at level 32. Below this depth a stand-in
# replaces whatever is there: the validator still words the nesting error, and no
# native value can exhaust the stack (the compiled twin would crash, not raise).
STAND_IN_DEPTH = 64
_STAND_IN = {"NULL": True}


def serialize(value: Any, depth: int = 1) -> dict:
    """One native value as an AttributeValue."""
    if depth > STAND_IN_DEPTH:
        return dict(_STAND_IN)
    kind = type(value)
    # Exact built-in types first: the common case, one type check each.
    if kind is str:
        return {"S": value}
    if kind is int or kind is Decimal:
        return {"N": _number(value)}
    if kind is dict:
        return {"M": {name: serialize(inner, depth + 1) for name, inner in value.items()}}
    if kind is list or kind is tuple:
        return {"L": [serialize(inner, depth + 1) for inner in value]}
    if kind is bool:
        return {"BOOL": value}
    if value is None:
        return {"NULL": True}
    if kind is bytes:
        return {"B": value}
    # Everything else in boto3's order of tests.
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, (int, Decimal)):
        return {"N": _number(value)}
    if isinstance(value, float):
        raise TypeError(FLOAT_MESSAGE)
    if isinstance(value, str):
        return {"S": value}
    if _is_binary(value):
        return {"B": _binary(value)}
    if isinstance(value, Set):
        tag = _set_tag(value)
        if tag == "NS":
            return {"NS": [_number(member) for member in value]}
        if tag == "SS":
            return {"SS": list(value)}
        if tag == "BS":
            return {"BS": [_binary(member) for member in value]}
    if isinstance(value, Mapping):
        return {"M": {name: serialize(inner, depth + 1) for name, inner in value.items()}}
    if isinstance(value, (list, tuple)):
        return {"L": [serialize(inner, depth + 1) for inner in value]}
    raise _unsupported(value)


def serialize_item(item: Any) -> Any:
    """An item (attribute name -> native value) as an AttributeValue map.

    Anything but a mapping is passed on untouched, for DynamoDB to refuse.
    """
    if not isinstance(item, Mapping):
        return item
    return {name: serialize(value) for name, value in item.items()}


# Numbers read back are exact: Decimal(text), not boto3's create_decimal, which
# raises decimal.Rounded on numbers DynamoDB stores and returns with more than 38
# digits of trailing zeros, such as 1E+38 (boto3 issues #2500 and #4693).
_deserialize_number = Decimal


def deserialize(value: Any) -> Any:
    """One AttributeValue as a native value."""
    if not isinstance(value, dict) or not value:
        raise TypeError(EMPTY_VALUE_MESSAGE)
    tag = next(iter(value))  # boto3 reads the first tag only
    inner = value[tag]
    reader = _READERS.get(tag)
    if reader is None and isinstance(tag, str):
        reader = _READERS.get(tag.upper())
    if reader is None:
        raise TypeError(f"Dynamodb type {tag} is not supported")
    return reader(inner)


def deserialize_item(item: Any) -> Any:
    """An AttributeValue map as a dict of native values (non-mappings pass untouched)."""
    if not isinstance(item, dict):
        return item
    return {name: deserialize(value) for name, value in item.items()}


_READERS = {
    "S": lambda inner: inner,
    "N": _deserialize_number,
    "B": Binary,
    "BOOL": lambda inner: inner,
    "NULL": lambda inner: None,
    "M": lambda inner: {name: deserialize(v) for name, v in inner.items()},
    "L": lambda inner: [deserialize(v) for v in inner],
    "SS": set,
    "NS": lambda inner: set(map(_deserialize_number, inner)),
    "BS": lambda inner: set(map(Binary, inner)),
}
