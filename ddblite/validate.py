"""Request-shape validation shared by the operations.

DynamoDB checks a request in two stages. First the shape: every member's
type, then the members' constraints (not null, lengths, enums, ranges), all
of which are reported together as "N validation errors detected: ...". Only
when the shape is sound does it check meaning (one ValidationException at a
time). Most members' constraints are declared in ddblite.constraints; `Shape`
collects what handlers check by hand (table names, whose rules depend on the
operation) together with the declared ones (`Shape.declared`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ddblite.errors import (
    SerializationException,
    ValidationException,
    constraint,
    validation_errors,
)

TABLE_NAME_PATTERN = re.compile(r"[a-zA-Z0-9_.-]+")
TABLE_NAME_RULE = "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"


def _kind(value: Any) -> str:
    if value is None:
        return "VALUE_NULL"
    if isinstance(value, bool):
        return "TRUE_VALUE" if value else "FALSE_VALUE"
    if isinstance(value, (int, float)):
        return "NUMBER_VALUE"
    if isinstance(value, str):
        return "VALUE_STRING"
    if isinstance(value, dict):
        return "START_OBJECT"
    if isinstance(value, (list, tuple)):
        return "START_ARRAY"
    return "VALUE_EMBEDDED_OBJECT"


def expect_type(value: Any, kind: type | tuple[type, ...], target: str) -> Any:
    """The wire deserializer's type check: wrong JSON types are SerializationExceptions."""
    if value is None:
        return None
    if kind is int and isinstance(value, bool):
        raise SerializationException(f"{_kind(value)} cannot be converted to {target}")
    if not isinstance(value, kind):
        raise SerializationException(f"{_kind(value)} cannot be converted to {target}")
    return value


def expect_str(params: dict, name: str) -> str | None:
    return expect_type(params.get(name), str, "String")


def expect_bool(params: dict, name: str) -> bool | None:
    return expect_type(params.get(name), bool, "Boolean")


def expect_int(params: dict, name: str) -> int | None:
    return expect_type(params.get(name), int, "Long")


def expect_map(params: dict, name: str) -> dict | None:
    value = params.get(name)
    if value is not None and not isinstance(value, dict):
        raise SerializationException(
            f"Unexpected value type in payload: {_kind(value)} for structure/map"
        )
    return value


def expect_list(params: dict, name: str) -> list | None:
    value = params.get(name)
    if value is not None and not isinstance(value, (list, tuple)):
        raise SerializationException(
            f"Unexpected value type in payload: {_kind(value)} for list"
        )
    return list(value) if value is not None else None


class Shape:
    """Collects constraint violations; `done()` raises them together."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, value: Any, member: str, rule: str) -> None:
        self.problems.append(constraint(value, member, rule))

    def not_null(self, value: Any, member: str) -> bool:
        if value is None:
            self.add(None, member, "Member must not be null")
            return False
        return True

    def table_name(self, value: str | None, member: str = "tableName",
                   mode: str = "data", required: bool = True) -> None:
        """Table-name constraints. mode "data": the data-plane rules (length 1..255,
        pattern on non-empty names, ARNs up to 1024); "create": CreateTable's
        (pattern, length 3..255) and ListTables' exclusiveStartTableName."""
        if value is None:
            if required:
                self.not_null(None, member)
            return
        if mode == "data":
            if value.startswith("arn:"):
                if len(value) > 1024:
                    self.add(value, member, "Member must have length less than or equal to 1024")
                return
            if not value:
                self.add(value, member, "Member must have length greater than or equal to 1")
            elif not TABLE_NAME_PATTERN.fullmatch(value):
                self.add(value, member, TABLE_NAME_RULE)
        else:
            if not TABLE_NAME_PATTERN.fullmatch(value):
                self.add(value, member, TABLE_NAME_RULE)
            if len(value) < 3:
                self.add(value, member, "Member must have length greater than or equal to 3")
        if len(value) > 255:
            self.add(value, member, "Member must have length less than or equal to 255")

    def enum(self, value: Any, member: str, allowed: Iterable[str]) -> None:
        allowed = list(allowed)
        if value is not None and value not in allowed:
            self.add(
                value, member, "Member must satisfy enum value set: [" + ", ".join(allowed) + "]"
            )

    def at_least(self, value: int | None, member: str, minimum: int) -> None:
        if value is not None and value < minimum:
            self.add(value, member, f"Member must have value greater than or equal to {minimum}")

    def at_most(self, value: int | None, member: str, maximum: int) -> None:
        if value is not None and value > maximum:
            self.add(value, member, f"Member must have value less than or equal to {maximum}")

    def length_between(self, value: Any, member: str, low: int | None, high: int | None) -> None:
        if value is None:
            return
        if low is not None and len(value) < low:
            self.add(value, member, f"Member must have length greater than or equal to {low}")
        if high is not None and len(value) > high:
            self.add(value, member, f"Member must have length less than or equal to {high}")

    def declared(self, operation: str, params: dict) -> None:
        """Add the violations of the operation's declared members (ddblite.constraints)."""
        from ddblite.constraints import problems

        self.problems += problems(operation, params)

    def done(self) -> None:
        if self.problems:
            raise validation_errors(self.problems)


def check_table_name_alone(name: str | None, mode: str = "data") -> None:
    """DynamoDB reports a bad TableName on its own, before the other members."""
    shape = Shape()
    shape.table_name(name, mode=mode)
    shape.done()


def control_table_name(params: dict) -> str:
    """TableName of DescribeTable/DeleteTable/UpdateTable, checked their way."""
    name = expect_str(params, "TableName")
    if name is None:
        raise ValidationException(
            "The parameter 'TableName' is required but was not present in the request"
        )
    if name.startswith("arn:"):
        check_table_name_alone(name)
        return name
    if not 3 <= len(name) <= 255:
        raise ValidationException(
            "TableName must be at least 3 characters long and at most 255 characters long"
        )
    check_table_name_alone(name)
    return name


RETURN_CONSUMED_CAPACITY = ("INDEXES", "TOTAL", "NONE")
RETURN_ITEM_COLLECTION_METRICS = ("SIZE", "NONE")
RETURN_VALUES = ("ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW")
RETURN_VALUES_ON_CONDITION_CHECK_FAILURE = ("ALL_OLD", "NONE")
