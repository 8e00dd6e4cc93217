"""Condition objects (`Key`, `Attr`) and the builder that renders them as expressions.

The API is boto3.dynamodb.conditions': ``Key("pk").eq("a") & Attr("n").gt(3)``
and so on, and the rendered text and placeholders are the ones boto3 sends
(``#n0``, ``:v0``, numbered across one request). The builder also renders
boto3's own condition objects when boto3 is in use, so code can keep
``from boto3.dynamodb.conditions import Key, Attr`` unchanged; boto3 is never
imported here, only recognised once the caller has imported it.
"""

from __future__ import annotations

import re
import sys
from collections import namedtuple
from functools import lru_cache
from typing import Any

__all__ = [
    "Attr",
    "BuiltConditionExpression",
    "ConditionBase",
    "ConditionExpressionBuilder",
    "DynamoDBNeedsConditionError",
    "DynamoDBNeedsKeyConditionError",
    "DynamoDBOperationNotSupportedError",
    "Key",
    "is_condition",
]


# ---------------------------------------------------------------- errors (boto3's texts)


class DynamoDBOperationNotSupportedError(Exception):
    """&, | or ~ applied to something that is not a condition."""

    def __init__(self, operation: str, value: Any) -> None:
        super().__init__(
            f"{operation} operation cannot be applied to value {value} of type "
            f"{type(value)} directly. Must use AttributeBase object methods "
            f"(i.e. Attr().eq()). to generate ConditionBase instances first."
        )


class DynamoDBNeedsConditionError(Exception):
    """A condition was expected and something else was given."""

    def __init__(self, value: Any) -> None:
        super().__init__(
            f"Expecting a ConditionBase object. Got {value} of type {type(value)}. "
            f"Use AttributeBase object methods (i.e. Attr().eq()). to "
            f"generate ConditionBase instances."
        )


class DynamoDBNeedsKeyConditionError(Exception):
    """A key condition names an `Attr` instead of a `Key`."""


# ---------------------------------------------------------------- conditions


class ConditionBase:
    """One condition: a format, an operator and its operands (attributes, values, conditions)."""

    expression_format = ""
    expression_operator = ""
    has_grouped_values = False  # IN: the value is a collection, one placeholder per member

    def __init__(self, *values: Any) -> None:
        self._values = values

    def __and__(self, other: Any) -> And:
        if not is_condition(other):
            raise DynamoDBOperationNotSupportedError("AND", other)
        return And(self, other)

    def __or__(self, other: Any) -> Or:
        if not is_condition(other):
            raise DynamoDBOperationNotSupportedError("OR", other)
        return Or(self, other)

    def __invert__(self) -> Not:
        return Not(self)

    def get_expression(self) -> dict[str, Any]:
        return {
            "format": self.expression_format,
            "operator": self.expression_operator,
            "values": self._values,
        }

    def __eq__(self, other: object) -> bool:
        return isinstance(other, type(self)) and self._values == other._values

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = None  # type: ignore[assignment]  # mutable-equality objects, as boto3's


class AttributeBase:
    """A named attribute (a document path such as ``a.b[2].c``) to build conditions on."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __and__(self, other: Any) -> Any:
        raise DynamoDBOperationNotSupportedError("AND", self)

    def __or__(self, other: Any) -> Any:
        raise DynamoDBOperationNotSupportedError("OR", self)

    def __invert__(self) -> Any:
        raise DynamoDBOperationNotSupportedError("NOT", self)

    def eq(self, value: Any) -> Equals:
        return Equals(self, value)

    def lt(self, value: Any) -> LessThan:
        return LessThan(self, value)

    def lte(self, value: Any) -> LessThanEquals:
        return LessThanEquals(self, value)

    def gt(self, value: Any) -> GreaterThan:
        return GreaterThan(self, value)

    def gte(self, value: Any) -> GreaterThanEquals:
        return GreaterThanEquals(self, value)

    def begins_with(self, value: Any) -> BeginsWith:
        return BeginsWith(self, value)

    def between(self, low_value: Any, high_value: Any) -> Between:
        return Between(self, low_value, high_value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, type(self)) and self.name == other.name

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = None  # type: ignore[assignment]


class ConditionAttributeBase(ConditionBase, AttributeBase):
    """A condition that is also an operand, like ``size(a)`` in ``size(a) > :v``."""

    def __init__(self, *values: Any) -> None:
        ConditionBase.__init__(self, *values)
        AttributeBase.__init__(self, values[0].name)

    def __eq__(self, other: object) -> bool:
        return ConditionBase.__eq__(self, other) and AttributeBase.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = None  # type: ignore[assignment]


def _condition(name: str, operator: str, template: str, base: type = ConditionBase,
               grouped: bool = False) -> type:
    attrs = {"expression_operator": operator, "expression_format": template,
             "has_grouped_values": grouped, "__doc__": f"The `{operator}` condition."}
    return type(name, (base,), attrs)


_COMPARISON = "{0} {operator} {1}"
_FUNCTION_2 = "{operator}({0}, {1})"
_FUNCTION_1 = "{operator}({0})"

Equals = _condition("Equals", "=", _COMPARISON)
NotEquals = _condition("NotEquals", "<>", _COMPARISON)
LessThan = _condition("LessThan", "<", _COMPARISON)
LessThanEquals = _condition("LessThanEquals", "<=", _COMPARISON)
GreaterThan = _condition("GreaterThan", ">", _COMPARISON)
GreaterThanEquals = _condition("GreaterThanEquals", ">=", _COMPARISON)
In = _condition("In", "IN", _COMPARISON, grouped=True)
Between = _condition("Between", "BETWEEN", "{0} {operator} {1} AND {2}")
BeginsWith = _condition("BeginsWith", "begins_with", _FUNCTION_2)
Contains = _condition("Contains", "contains", _FUNCTION_2)
AttributeType = _condition("AttributeType", "attribute_type", _FUNCTION_2)
AttributeExists = _condition("AttributeExists", "attribute_exists", _FUNCTION_1)
AttributeNotExists = _condition("AttributeNotExists", "attribute_not_exists", _FUNCTION_1)
Size = _condition("Size", "size", _FUNCTION_1, base=ConditionAttributeBase)
And = _condition("And", "AND", "({0} {operator} {1})")
Or = _condition("Or", "OR", "({0} {operator} {1})")
Not = _condition("Not", "NOT", "({operator} {0})")


class Key(AttributeBase):
    """A key attribute, for KeyConditionExpression (eq, lt, lte, gt, gte, begins_with, between)."""


class Attr(AttributeBase):
    """Any attribute, for ConditionExpression and FilterExpression."""

    def ne(self, value: Any) -> NotEquals:
        return NotEquals(self, value)

    def is_in(self, value: Any) -> In:
        return In(self, value)

    def exists(self) -> AttributeExists:
        return AttributeExists(self)

    def not_exists(self) -> AttributeNotExists:
        return AttributeNotExists(self)

    def contains(self, value: Any) -> Contains:
        return Contains(self, value)

    def size(self) -> Size:
        return Size(self)

    def attribute_type(self, value: Any) -> AttributeType:
        return AttributeType(self, value)


# ---------------------------------------------------------------- recognising boto3's objects


def _boto3_classes() -> tuple[type, type, type] | None:
    """boto3's (ConditionBase, AttributeBase, Key) if the caller imported boto3's conditions."""
    module = sys.modules.get("boto3.dynamodb.conditions")
    if module is None:
        return None
    return module.ConditionBase, module.AttributeBase, module.Key


def is_condition(value: Any) -> bool:
    """Whether `value` is a condition object, ddblite's or boto3's."""
    if isinstance(value, ConditionBase):
        return True
    boto3_classes = _boto3_classes()
    return boto3_classes is not None and isinstance(value, boto3_classes[0])


def _is_attribute(value: Any) -> bool:
    if isinstance(value, AttributeBase):
        return True
    boto3_classes = _boto3_classes()
    return boto3_classes is not None and isinstance(value, boto3_classes[1])


def _is_key(value: Any) -> bool:
    if isinstance(value, Key):
        return True
    boto3_classes = _boto3_classes()
    return boto3_classes is not None and isinstance(value, boto3_classes[2])


# ---------------------------------------------------------------- rendering

# A document path's name parts: runs between '.', '[' and ']', leaving out list
# indexes (the digits inside brackets). Each part gets its own #n placeholder.
_NAME_PART = re.compile(r"[^.\[\]]+(?![^\[]*\])")


@lru_cache(maxsize=1024)
def _path_template(path: str) -> tuple[str, tuple[str, ...]]:
    """('%s.%s[1]', ('a', 'b')) for 'a.b[1]': the path with its name parts cut out."""
    return _NAME_PART.sub("%s", path.replace("%", "%%")), tuple(_NAME_PART.findall(path))


BuiltConditionExpression = namedtuple(
    "BuiltConditionExpression",
    ["condition_expression", "attribute_name_placeholders", "attribute_value_placeholders"],
)


class ConditionExpressionBuilder:
    """Renders conditions with ``#n<i>``/``:v<i>`` placeholders, numbered across calls.

    One builder serves one request: a Query's FilterExpression and
    KeyConditionExpression share the numbering, as boto3 numbers them.
    """

    def __init__(self) -> None:
        self._name_count = 0
        self._value_count = 0

    def reset(self) -> None:
        self._name_count = 0
        self._value_count = 0

    def build_expression(self, condition: Any, is_key_condition: bool = False
                         ) -> BuiltConditionExpression:
        """(expression text, {#placeholder: name}, {:placeholder: native value})."""
        if not is_condition(condition):
            raise DynamoDBNeedsConditionError(condition)
        names: dict[str, str] = {}
        values: dict[str, Any] = {}
        text = self._render(condition, names, values, is_key_condition)
        return BuiltConditionExpression(text, names, values)

    def _render(self, condition: Any, names: dict, values: dict, key_only: bool) -> str:
        spec = condition.get_expression()
        grouped = condition.has_grouped_values
        operands = [
            self._operand(operand, names, values, key_only, grouped)
            for operand in spec["values"]
        ]
        return spec["format"].format(*operands, operator=spec["operator"])

    def _operand(self, operand: Any, names: dict, values: dict, key_only: bool,
                 grouped: bool) -> str:
        if is_condition(operand):
            return self._render(operand, names, values, key_only)
        if _is_attribute(operand):
            if key_only and not _is_key(operand):
                raise DynamoDBNeedsKeyConditionError(
                    f"Attribute object {operand.name} is of type {type(operand)}. "
                    f"KeyConditionExpression only supports Attribute objects of type Key"
                )
            return self._name(operand.name, names)
        if grouped:  # IN (a, b, c): one value placeholder per member
            return "(" + ", ".join(self._value(member, values) for member in operand) + ")"
        return self._value(operand, values)

    def _name(self, path: str, names: dict) -> str:
        template, parts = _path_template(path)
        placeholders = []
        for part in parts:
            placeholder = f"#n{self._name_count}"
            self._name_count += 1
            names[placeholder] = part
            placeholders.append(placeholder)
        return template % tuple(placeholders)

    def _value(self, value: Any, values: dict) -> str:
        placeholder = f":v{self._value_count}"
        self._value_count += 1
        values[placeholder] = value
        return placeholder
