"""Compile resolved condition trees into closures over stored items.

This is the hot path of Query/Scan filters and conditional writes, kept in one module
so a compiled twin can replace it. Items and values are in the stored shape
(``{"a": {"N": "1.5"}}``, numbers as canonical text, sets sorted, binary as bytes),
so equality is plain ``==`` on those dicts; ordering compares numbers as Decimal
(exact, never float), strings by code point (the same order as their UTF-8 bytes)
and binary bytewise. Comparing different types is simply false.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ddblite.expressions import ast

AttributeValue = dict[str, Any]
Item = dict[str, AttributeValue]
Getter = Callable[[Item], "AttributeValue | None"]
Predicate = Callable[[Item], bool]

_ORDERED = ("S", "N", "B")
_SET_MEMBER = {"SS": "S", "NS": "N", "BS": "B"}


# ---------------------------------------------------------------- value helpers


def type_of(value: AttributeValue) -> str:
    for tag in value:
        return tag
    raise ValueError("empty AttributeValue")


def get_path(item: Item, elements: tuple) -> AttributeValue | None:
    """The value at a document path, or None when any step is missing."""
    value: Any = item.get(elements[0])
    for element in elements[1:]:
        if value is None:
            return None
        if isinstance(element, int):
            inner = value.get("L")
            if inner is None or element >= len(inner):
                return None
            value = inner[element]
        else:
            inner = value.get("M")
            if inner is None:
                return None
            value = inner.get(element)
    return value


def size_of(value: AttributeValue | None) -> int | None:
    """size(): UTF-16 units for strings (DynamoDB is Java), members/elements otherwise."""
    if value is None:
        return None
    tag = type_of(value)
    inner = value[tag]
    if tag == "S":
        return len(inner) if inner.isascii() else len(inner.encode("utf-16-le")) // 2
    if tag in ("B", "SS", "NS", "BS", "L", "M"):
        return len(inner)
    return None


def compare(op: str, left: AttributeValue | None, right: AttributeValue | None) -> bool:
    """One comparison between two (possibly missing) values."""
    if op == "=":
        return left is not None and left == right
    if op == "<>":
        return left is None or right is None or left != right
    if left is None or right is None:
        return False
    tag = type_of(left)
    if tag not in _ORDERED or tag not in right:
        return False
    a, b = left[tag], right[tag]
    if tag == "N":
        a, b = Decimal(a), Decimal(b)
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    return a >= b


def between(value: AttributeValue | None, low: AttributeValue | None,
            high: AttributeValue | None) -> bool:
    return compare(">=", value, low) and compare("<=", value, high)


def begins_with(value: AttributeValue | None, prefix: AttributeValue | None) -> bool:
    if value is None or prefix is None:
        return False
    for tag in ("S", "B"):
        if tag in value and tag in prefix:
            return value[tag].startswith(prefix[tag])
    return False


def contains(value: AttributeValue | None, operand: AttributeValue | None) -> bool:
    if value is None or operand is None:
        return False
    tag = type_of(value)
    inner = value[tag]
    if tag in ("S", "B"):
        part = operand.get(tag)
        return part is not None and part in inner
    member_tag = _SET_MEMBER.get(tag)
    if member_tag is not None:
        member = operand.get(member_tag)
        return member is not None and member in inner
    if tag == "L":
        return operand in inner
    return False


# ---------------------------------------------------------------- compilation


def compile_operand(node: ast.Node, values: dict[str, AttributeValue]) -> Getter:
    if isinstance(node, ast.Path):
        elements = node.elements
        if len(elements) == 1:
            name = elements[0]
            return lambda item: item.get(name)
        return lambda item: get_path(item, elements)
    if isinstance(node, (ast.ValueRef, ast.Literal)):
        constant = values[node.ref] if isinstance(node, ast.ValueRef) else node.value
        return lambda item: constant
    if isinstance(node, ast.Call) and node.name == "size":
        inner = compile_operand(node.args[0], values)

        def size(item: Item) -> AttributeValue | None:
            n = size_of(inner(item))
            return None if n is None else {"N": str(n)}

        return size
    raise TypeError(f"not an operand: {type(node).__name__}")


def constant_of(node: ast.Node, values: dict[str, AttributeValue]) -> AttributeValue | None:
    """The value a :value or literal operand stands for (None for a path or function)."""
    if isinstance(node, ast.ValueRef):
        return values[node.ref]
    if isinstance(node, ast.Literal):
        return node.value
    return None


def _compile_compare(node: ast.Compare, values: dict[str, AttributeValue]) -> Predicate:
    op = node.op
    get_left = compile_operand(node.left, values)
    constant = constant_of(node.right, values)
    if constant is None:  # general case: both sides read the item
        get_right = compile_operand(node.right, values)
        return lambda item: compare(op, get_left(item), get_right(item))
    if op == "=":
        return lambda item: get_left(item) == constant
    if op == "<>":
        return lambda item: get_left(item) != constant
    tag = type_of(constant)
    if tag not in _ORDERED:
        return lambda item: False
    raw = constant[tag]
    key = Decimal(raw) if tag == "N" else raw
    convert = Decimal if tag == "N" else None
    test = {
        "<": key.__gt__, "<=": key.__ge__, ">": key.__lt__, ">=": key.__le__,
    }[op]

    def ordered(item: Item) -> bool:
        value = get_left(item)
        if value is None:
            return False
        x = value.get(tag)
        if x is None:
            return False
        return test(convert(x) if convert else x)

    return ordered


def _compile_in(node: ast.In, values: dict[str, AttributeValue]) -> Predicate:
    get = compile_operand(node.operand, values)
    constants = [constant_of(choice, values) for choice in node.choices]
    if all(c is not None for c in constants):
        choices = constants
        return lambda item: get(item) in choices
    getters = [compile_operand(choice, values) for choice in node.choices]

    def any_equal(item: Item) -> bool:
        value = get(item)
        return value is not None and any(value == g(item) for g in getters)

    return any_equal


def _compile_call(node: ast.Call, values: dict[str, AttributeValue]) -> Predicate:
    name = node.name
    if name == "attribute_exists":
        get = compile_operand(node.args[0], values)
        return lambda item: get(item) is not None
    if name == "attribute_not_exists":
        get = compile_operand(node.args[0], values)
        return lambda item: get(item) is None
    first = compile_operand(node.args[0], values)
    second = compile_operand(node.args[1], values)
    if name == "attribute_type":
        wanted = constant_of(node.args[1], values)
        wanted_tag = wanted["S"] if wanted is not None else None

        def has_type(item: Item) -> bool:
            value = first(item)
            return value is not None and wanted_tag in value

        return has_type
    if name == "begins_with":
        return lambda item: begins_with(first(item), second(item))
    if name == "contains":
        return lambda item: contains(first(item), second(item))
    raise TypeError(f"not a condition function: {name}")


def compile_condition(node: ast.Node, values: dict[str, AttributeValue]) -> Predicate:
    """A predicate over items for a resolved condition tree."""
    if isinstance(node, ast.And):
        left, right = compile_condition(node.left, values), compile_condition(node.right, values)
        return lambda item: left(item) and right(item)
    if isinstance(node, ast.Or):
        left, right = compile_condition(node.left, values), compile_condition(node.right, values)
        return lambda item: left(item) or right(item)
    if isinstance(node, ast.Not):
        inner = compile_condition(node.operand, values)
        return lambda item: not inner(item)
    if isinstance(node, ast.Compare):
        return _compile_compare(node, values)
    if isinstance(node, ast.Between):
        get = compile_operand(node.operand, values)
        low = compile_operand(node.low, values)
        high = compile_operand(node.high, values)
        return lambda item: between(get(item), low(item), high(item))
    if isinstance(node, ast.In):
        return _compile_in(node, values)
    if isinstance(node, ast.Call):
        return _compile_call(node, values)
    if isinstance(node, ast.TrueCondition):
        return lambda item: True
    raise TypeError(f"not a condition: {type(node).__name__}")
