"""The wire deserializer's checks, for every member of every operation's request.

DynamoDB reads a request into typed objects before any operation logic runs: a
member of the wrong JSON type is a SerializationException, a null member of a
list is a constraint violation (ValidationException). The handlers then see
only well-typed values. ddblite's handlers check the members they use; this
module applies the same first stage to everything else (list members, map
values, nested structures) from one declaration of the input shapes
(ddblite/_service_shapes.py, generated from botocore's service model), so a
request never reaches a handler with a type it cannot handle.

Each operation's checker is built once, on its first call. AttributeValues are
left to ddblite.attrvalue, which checks them with their own texts.

Texts follow those the handlers already use (ddblite.attrvalue, ddblite.validate);
they are DynamoDB's Jackson-based deserializer's. # INFERRED for nested members:
AWS documents no list of these texts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from ddblite._service_shapes import OPERATIONS, SHAPES
from ddblite.errors import SerializationException, validation_errors
from ddblite.validate import _kind

Checker = Callable[[Any], None]

_JAVA_SCALARS = {
    "string": "java.lang.String",
    "boolean": "java.lang.Boolean",
    "integer": "java.lang.Integer",
    "long": "java.lang.Long",
    "double": "java.lang.Double",
    "timestamp": "java.util.Date",
    "blob": "java.nio.ByteBuffer",
}
# The target type named in "X cannot be converted to T"; integers are "Long" as the
# handlers already say for Limit. # INFERRED
_TARGETS = {
    "string": "String",
    "boolean": "Boolean",
    "integer": "Long",
    "long": "Long",
    "double": "Double",
    "timestamp": "Date",
    "blob": "ByteBuffer",
}
_LISTS = (list, tuple)


class _NullMember(Exception):
    """A null list member; becomes a ValidationException with the member's path."""

    def __init__(self, value: Any) -> None:
        self.value = value
        self.path: list[str] = []


def _token(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE_VALUE" if value else "FALSE_VALUE"
    if isinstance(value, int):
        return "NUMBER_VALUE"
    if isinstance(value, float):
        return "DECIMAL_VALUE"
    if isinstance(value, str):
        return "VALUE_STRING"
    return "VALUE_EMBEDDED_OBJECT"


def _java_type(name: str) -> str:
    spec = SHAPES[name]
    if isinstance(spec, str):
        if spec == "attributevalue":
            return "com.amazonaws.dynamodb.v20120810.AttributeValue"
        return _JAVA_SCALARS[spec]
    kind, inner = spec
    if kind == "list":
        return f"java.util.List<{_java_type(inner)}>"
    if kind == "map":
        return f"java.util.Map<java.lang.String, {_java_type(inner)}>"
    return "com.amazonaws.dynamodb.v20120810." + name.removeprefix("Streams.")


def _utf8(text: str) -> None:
    # A lone surrogate cannot be UTF-8: DynamoDB's parser rejects such a body with
    # a bare SerializationException (as ddblite.server.protocol does for bad UTF-8).
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise SerializationException("") from None


def _scalar(kind: str) -> Checker:
    target = _TARGETS[kind]
    collection = f"Unrecognized collection type class {_JAVA_SCALARS[kind]}"

    def wrong(value: Any) -> SerializationException:  # type: ignore[valid-type]
        if isinstance(value, dict):
            return SerializationException("Start of structure or map found where not expected")
        if isinstance(value, _LISTS):
            return SerializationException(collection)
        return SerializationException(f"{_token(value)} cannot be converted to {target}")

    if kind == "string":

        def check(value: Any) -> None:
            if type(value) is str:
                if not value.isascii():
                    _utf8(value)
            elif not isinstance(value, str):
                raise wrong(value)

    elif kind == "boolean":

        def check(value: Any) -> None:
            if not isinstance(value, bool):
                raise wrong(value)

    elif kind in ("integer", "long"):

        def check(value: Any) -> None:
            if not isinstance(value, int) or isinstance(value, bool):
                raise wrong(value)

    elif kind == "double":

        def check(value: Any) -> None:
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise wrong(value)

    elif kind == "timestamp":  # epoch seconds on the wire; datetimes from Python callers

        def check(value: Any) -> None:
            if not isinstance(value, (int, float, datetime, str)) or isinstance(value, bool):
                raise wrong(value)

    else:  # blob: base64 text on the wire, bytes from Python callers

        def check(value: Any) -> None:
            if not isinstance(value, (bytes, bytearray, memoryview, str)):
                if isinstance(value, (dict, *_LISTS)):
                    raise wrong(value)
                raise SerializationException(
                    "only base-64-encoded strings are convertible to bytes"
                )

    return check


def _attribute_value(value: Any) -> None:
    """AttributeValues are ddblite.attrvalue's to check, where they are used."""


class _Builder:
    """Turns shape names into checkers, each built once (shapes may hold themselves)."""

    def __init__(self) -> None:
        self.checkers: dict[str, Checker] = {}

    def get(self, name: str) -> Checker:
        checker = self.checkers.get(name)
        if checker is None:
            # A forwarding stub first, so a shape that holds itself refers to it.
            def stub(value: Any, name: str = name) -> None:
                self.checkers[name](value)

            self.checkers[name] = stub
            checker = self.checkers[name] = self._build(name)
        return checker

    def _build(self, name: str) -> Checker:
        spec = SHAPES[name]
        if isinstance(spec, str):
            return _attribute_value if spec == "attributevalue" else _scalar(spec)
        kind, inner = spec
        if kind == "structure":
            return self._structure(name, inner)
        if kind == "list":
            return self._list(inner)
        return self._map(name, inner)

    def top(self, name: str) -> Checker:
        """An operation's input: its own members' container checks use the texts the
        handlers use for them (ddblite.validate), nested ones the Java collection texts."""
        spec = SHAPES[name]
        members = spec[1]
        return self._structure(name, members, top=True)

    def _structure(self, name: str, members: dict[str, str], top: bool = False) -> Checker:
        checkers = {member: self.get(shape) for member, shape in members.items()}
        if top:
            checkers = {
                member: _top_container(SHAPES[members[member]], checker)
                for member, checker in checkers.items()
            }
        # Members with nothing to check are left out: they cost no call.
        checkers = {m: c for m, c in checkers.items() if c is not _attribute_value}
        collection = f"Unrecognized collection type class {_java_type(name)}"

        def check(value: Any) -> None:
            if not isinstance(value, dict):
                if isinstance(value, _LISTS):
                    raise SerializationException(collection)
                raise SerializationException("Unexpected value type in payload")
            for member, member_value in value.items():
                if member_value is None:  # JSON null: the member is absent
                    continue
                member_check = checkers.get(member)
                if member_check is None:  # members DynamoDB does not know are ignored
                    continue
                try:
                    member_check(member_value)
                except _NullMember as null:
                    null.path.append(member[:1].lower() + member[1:])
                    raise

        return check

    def _list(self, member_shape: str) -> Checker:
        member_check = self.get(member_shape)
        skip = member_check is _attribute_value

        def check(value: Any) -> None:
            if not isinstance(value, _LISTS):
                if isinstance(value, dict):
                    raise SerializationException(
                        "Start of structure or map found where not expected"
                    )
                raise SerializationException("Unexpected field type")
            for position, member in enumerate(value, 1):
                if member is None:
                    raise _NullMember(value)
                if skip:
                    continue
                try:
                    member_check(member)
                except _NullMember as null:
                    null.path.append(f"{position}.member")
                    raise

        return check

    def _map(self, name: str, value_shape: str) -> Checker:
        value_check = self.get(value_shape)
        skip = value_check is _attribute_value
        collection = f"Unrecognized collection type {_java_type(name)}"

        def check(value: Any) -> None:
            if not isinstance(value, dict):
                if isinstance(value, _LISTS):
                    raise SerializationException(collection)
                raise SerializationException("Unexpected field type")
            for key, member in value.items():
                if type(key) is not str:
                    raise SerializationException(
                        f"{_token(key)} cannot be converted to String"
                    )
                if not key.isascii():
                    _utf8(key)
                if skip or member is None:  # null map values: the handlers' to report
                    continue
                value_check(member)

        return check


def _top_container(spec: Any, checker: Checker) -> Checker:
    if not isinstance(spec, tuple):
        return checker
    if spec[0] == "map" and SHAPES[spec[1]] == "attributevalue":
        return _attribute_value  # Item, Key, ...: ddblite.attrvalue checks them, in its texts
    kind = "list" if spec[0] == "list" else "structure/map"
    wanted = _LISTS if kind == "list" else dict

    def check(value: Any) -> None:
        if not isinstance(value, wanted):
            raise SerializationException(
                f"Unexpected value type in payload: {_kind(value)} for {kind}"
            )
        checker(value)

    return check


_BUILDER = _Builder()
_BY_OPERATION: dict[str, Checker] = {}


def checker_for(operation: str) -> Checker | None:
    """The request checker of one operation (None for operations the model lacks)."""
    checker = _BY_OPERATION.get(operation)
    if checker is None:
        shape = OPERATIONS.get(operation)
        if shape is None:
            return None
        checker = _BY_OPERATION[operation] = _BUILDER.top(shape)
    return checker


def check_request(operation: str, params: dict) -> None:
    """Raise DynamoDB's SerializationException/ValidationException for a mistyped member."""
    checker = _BY_OPERATION.get(operation) or checker_for(operation)
    if checker is None:
        return
    try:
        checker(params)
    except _NullMember as null:
        path = ".".join(reversed(null.path))
        rendered = "[" + ", ".join(_render(member) for member in null.value) + "]"
        # INFERRED: the constraint DynamoDB reports for a null list member.
        raise validation_errors(
            [
                f"Value '{rendered}' at '{path}' failed to satisfy constraint: "
                "Member must satisfy constraint: [Member must not be null]"
            ]
        ) from None


def _render(value: Any) -> str:
    """Java's toString of a request value, as DynamoDB's constraint messages show it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={_render(v)}" for k, v in value.items()) + "}"
    if isinstance(value, _LISTS):
        return "[" + ", ".join(_render(v) for v in value) + "]"
    return str(value)
