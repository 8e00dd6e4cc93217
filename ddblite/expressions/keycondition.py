"""KeyConditionExpression / KeyConditions: what a Query reads.

``parse_key_condition`` validates the expression as a condition, then DynamoDB's rules
for what a key condition may contain, and yields ``KeyCondition.conditions``:
attribute name -> (legacy operator, [values]). ``key_range(...)`` checks those against
the table or index key schema and returns the partition value and sort-key range.

A Query on a GSI with multi-attribute keys may condition up to four partition and
four sort attributes; the parser only allows more than two conditions inside
``multi_attribute_keys()`` (the Query path enters it for index reads, whose key
schema decides the rest: ddblite.ops.index_read).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from ddblite.errors import ValidationException
from ddblite.expressions import ast, checks
from ddblite.expressions.api import _value_types, check_between_bounds, resolve_condition
from ddblite.expressions.evaluate import (
    AttributeValue,
    begins_with,
    between,
    compare,
    type_of,
)

KIND = "KeyConditionExpression"
_OPERATORS = {"=": "EQ", "<": "LT", "<=": "LE", ">": "GT", ">=": "GE"}
_FLIPPED = {"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
NOT_INDEXABLE = frozenset(("NULL", "NOT_NULL", "NE", "CONTAINS", "NOT_CONTAINS", "IN"))
NOT_INDEXABLE_MESSAGE = "Attempted conditional constraint is not an indexable operation"
TYPE_MISMATCH = (
    "One or more parameter values were invalid: "
    "Condition parameter type does not match schema type"
)
NOT_SUPPORTED = "Query key condition not supported"
TOO_MANY_CONDITIONS = "Conditions can be of length 1 or 2 only"
MAX_MULTI_ATTRIBUTE_CONDITIONS = 8  # 4 partition + 4 sort attributes
_MULTI_ATTRIBUTE = ContextVar("ddblite_multi_attribute_keys", default=False)


@contextmanager
def multi_attribute_keys(allowed: bool = True) -> Iterator[None]:
    """Let key conditions name up to eight attributes (an index read checks them)."""
    token = _MULTI_ATTRIBUTE.set(allowed)
    try:
        yield
    finally:
        _MULTI_ATTRIBUTE.reset(token)


def condition_limit() -> int:
    """How many key attributes a key condition may name here (expression or legacy)."""
    return MAX_MULTI_ATTRIBUTE_CONDITIONS if _MULTI_ATTRIBUTE.get() else 2


def check_operand(condition: tuple[str, list[AttributeValue]], key_type: str) -> None:
    """A key attribute's condition must be indexable and of the attribute's type."""
    op, operands = condition
    if op in NOT_INDEXABLE:
        raise ValidationException(NOT_INDEXABLE_MESSAGE)
    if any(type_of(operand) != key_type for operand in operands):
        raise ValidationException(TYPE_MISMATCH)


_SORT_TESTS = {"EQ": "=", "LT": "<", "LE": "<=", "GT": ">", "GE": ">="}


def sort_condition_holds(op: str, operands: list[AttributeValue], value: AttributeValue) -> bool:
    """Whether a sort-key value satisfies a key condition (legacy operator names)."""
    if op == "BETWEEN":
        return between(value, operands[0], operands[1])
    if op == "BEGINS_WITH":
        return begins_with(value, operands[0])
    return compare(_SORT_TESTS[op], value, operands[0])


def check_key_attribute(conditions: dict, name: str, key_type: str, is_hash: bool,
                        ranged: bool) -> None:
    """DynamoDB's checks of one table key attribute against a Query's key conditions."""
    if is_hash and not ranged and len(conditions) > 1:
        raise ValidationException(NOT_SUPPORTED)
    condition = conditions.get(name)
    if condition is None:
        if is_hash or len(conditions) > 1:
            raise ValidationException(f"Query condition missed key schema element: {name}")
        return
    check_operand(condition, key_type)
    if is_hash and condition[0] != "EQ":
        raise ValidationException(NOT_SUPPORTED)


@dataclass
class KeyRange:
    """What to read: one partition, optionally narrowed by a sort-key condition.

    ``sort_op`` is one of EQ, LT, LE, GT, GE, BETWEEN, BEGINS_WITH (None: whole partition).
    """

    partition_name: str
    partition_value: AttributeValue
    sort_name: str | None = None
    sort_op: str | None = None
    sort_values: list[AttributeValue] = field(default_factory=list)


class KeyCondition:
    def __init__(self, conditions: dict[str, tuple[str, list[AttributeValue]]],
                 names_used: frozenset[str] = frozenset(),
                 values_used: frozenset[str] = frozenset()) -> None:
        self.conditions = conditions
        self.names_used = names_used
        self.values_used = values_used

    def key_range(self, hash_name: str, hash_type: str, range_name: str | None = None,
                  range_type: str | None = None) -> KeyRange:
        """Check the conditions against a key schema (types are "S", "N" or "B")."""
        conditions = self.conditions
        ranged = range_name is not None
        check_key_attribute(conditions, hash_name, hash_type, True, ranged)
        if ranged:
            check_key_attribute(conditions, range_name, range_type, False, ranged)
        key = KeyRange(hash_name, conditions[hash_name][1][0])
        if range_name is not None and range_name in conditions:
            key.sort_name = range_name
            key.sort_op, key.sort_values = conditions[range_name]
        return key


def parse_key_condition(text: str, names: dict[str, str] | None = None,
                        values: dict[str, AttributeValue] | None = None) -> KeyCondition:
    values = values or {}
    tree, usage = resolve_condition(KIND, text, names, _value_types(values))
    conditions: dict[str, tuple[str, list[AttributeValue]]] = {}
    _collect(tree, conditions, values)
    if len(conditions) > condition_limit():
        raise ValidationException(TOO_MANY_CONDITIONS)
    for op, operands in conditions.values():
        if op == "BETWEEN":
            check_between_bounds(KIND, operands[0], operands[1])
    return KeyCondition(conditions, frozenset(usage.names), frozenset(usage.values))


def _fail(message: str) -> ValidationException:  # type: ignore[valid-type]
    return ValidationException(message)


def _collect(node: ast.Node, conditions: dict, values: dict[str, AttributeValue]) -> None:
    if isinstance(node, (ast.Or, ast.Not, ast.In)):
        word = {ast.Or: "OR", ast.Not: "NOT", ast.In: "IN"}[type(node)]
        raise _fail(f"Invalid operator used in KeyConditionExpression: {word}")
    if isinstance(node, ast.Compare) and node.op == "<>":
        raise _fail("Invalid operator used in KeyConditionExpression: <>")
    if isinstance(node, ast.Call):
        if node.name in ("attribute_exists", "attribute_not_exists", "attribute_type", "contains"):
            raise _fail(f"Invalid operator used in KeyConditionExpression: {node.name}")
        if node.name == "size":
            raise _fail("KeyConditionExpressions cannot contain nested operations")
    first_operand_rule = (
        "BETWEEN" if isinstance(node, ast.Between)
        else "begins_with" if isinstance(node, ast.Call) and node.name == "begins_with"
        else None
    )
    operands = [node.left, node.right] if isinstance(node, ast.And) else checks.operands_of(node)
    if first_operand_rule and not isinstance(operands[0], ast.Path):
        raise _fail(
            f"Invalid condition in KeyConditionExpression: {first_operand_rule} operator must "
            "have the key attribute as its first operand"
        )
    attribute: str | None = None
    position = 0
    for index, operand in enumerate(operands):
        if isinstance(operand, ast.Path):
            if attribute is not None:
                raise _fail(
                    "Invalid condition in KeyConditionExpression: "
                    "Multiple attribute names used in one condition"
                )
            if len(operand.elements) > 1:
                raise _fail("KeyConditionExpressions cannot have conditions on nested attributes")
            attribute, position = operand.elements[0], index  # type: ignore[assignment]
        elif not isinstance(operand, (ast.ValueRef, ast.Literal)):
            _collect(operand, conditions, values)
    if isinstance(node, ast.And):
        return
    if attribute is None:
        raise _fail("Invalid condition in KeyConditionExpression: No key attribute specified")
    if attribute in conditions:
        raise _fail("KeyConditionExpressions must only contain one condition per key")
    constants = [
        values[o.ref] if isinstance(o, ast.ValueRef) else o.value  # type: ignore[attr-defined]
        for i, o in enumerate(operands) if i != position
    ]
    if isinstance(node, ast.Compare):
        op = _OPERATORS[node.op if position == 0 else _FLIPPED[node.op]]
    elif isinstance(node, ast.Between):
        op = "BETWEEN"
    else:
        op = "BEGINS_WITH"
    conditions[attribute] = (op, constants)
