"""The pre-expression API, translated into the same trees as expressions.

Expected (+ ConditionalOperator), QueryFilter/ScanFilter, KeyConditions,
AttributesToGet and AttributeUpdates, with DynamoDB's validation messages.
"""

from __future__ import annotations

from typing import Any

from ddblite.attrvalue import check_attribute_name
from ddblite.errors import ValidationException
from ddblite.expressions import ast
from ddblite.expressions.api import (
    Condition,
    Projection,
    Update,
    check_between_bounds,
    condition_from_tree,
    update_from_tree,
)
from ddblite.expressions.evaluate import AttributeValue, compare, type_of
from ddblite.expressions.keycondition import TOO_MANY_CONDITIONS, KeyCondition, condition_limit

_PREFIX = "One or more parameter values were invalid: "
# Operator -> number of values it takes (None: one or more).
_ARITY: dict[str, int | None] = {
    "EQ": 1, "NE": 1, "LE": 1, "LT": 1, "GE": 1, "GT": 1, "CONTAINS": 1,
    "NOT_CONTAINS": 1, "BEGINS_WITH": 1, "NULL": 0, "NOT_NULL": 0, "IN": None, "BETWEEN": 2,
}
# Operator -> value types it accepts (None: any).
_TYPES: dict[str, tuple[str, ...] | None] = {
    "EQ": None, "NE": None, "LE": ("S", "N", "B"), "LT": ("S", "N", "B"),
    "GE": ("S", "N", "B"), "GT": ("S", "N", "B"), "CONTAINS": ("S", "N", "B"),
    "NOT_CONTAINS": ("S", "N", "B"), "BEGINS_WITH": ("S", "B"), "IN": ("S", "N", "B"),
    "BETWEEN": ("S", "N", "B"), "NULL": None, "NOT_NULL": None,
}
_COMPARATORS = {"EQ": "=", "NE": "<>", "LE": "<=", "LT": "<", "GE": ">=", "GT": ">"}


def _invalid(message: str) -> ValidationException:  # type: ignore[valid-type]
    return ValidationException(_PREFIX + message)


def check_operator(op: str, operands: list[AttributeValue]) -> None:
    arity = _ARITY[op]
    if (arity is None and not operands) or (arity is not None and len(operands) != arity):
        raise _invalid(f"Invalid number of argument(s) for the {op} ComparisonOperator")
    allowed = _TYPES[op]
    if allowed is not None and operands and type_of(operands[0]) not in allowed:
        raise _invalid(
            f"ComparisonOperator {op} is not valid for {type_of(operands[0])} AttributeValue type"
        )
    if op in ("IN", "BETWEEN") and len({type_of(v) for v in operands}) > 1:
        raise _invalid("AttributeValues inside AttributeValueList must be of same type")
    if op == "BETWEEN" and compare(">", operands[0], operands[1]):
        raise ValidationException(
            "The BETWEEN condition was provided a range where the lower bound is greater than "
            "the upper bound"
        )


def operator_tree(name: str, op: str, operands: list[AttributeValue]) -> ast.Node:
    """One legacy comparison on a top-level attribute as an expression tree."""
    path = ast.Path(0, [name])
    literals: list[ast.Node] = [ast.Literal(0, v) for v in operands]
    if op in _COMPARATORS:
        return ast.Compare(0, _COMPARATORS[op], path, literals[0])
    if op == "NULL":
        return ast.Call(0, "attribute_not_exists", [path])
    if op == "NOT_NULL":
        return ast.Call(0, "attribute_exists", [path])
    if op == "CONTAINS":
        return ast.Call(0, "contains", [path, literals[0]])
    if op == "NOT_CONTAINS":
        exists = ast.Call(0, "attribute_exists", [ast.Path(0, [name])])
        return ast.And(0, exists, ast.Not(0, ast.Call(0, "contains", [path, literals[0]])))
    if op == "BEGINS_WITH":
        return ast.Call(0, "begins_with", [path, literals[0]])
    if op == "IN":
        return ast.In(0, path, literals)
    return ast.Between(0, path, literals[0], literals[1])


def _combine(trees: list[ast.Node], conditional_operator: str | None) -> ast.Node:
    if not trees:
        return ast.TrueCondition(0)
    joiner = ast.Or if conditional_operator == "OR" else ast.And
    tree = trees[0]
    for other in trees[1:]:
        tree = joiner(0, tree, other)
    return tree


def _resolved(tree: ast.Node) -> ast.Node:
    for node in _all_paths(tree):
        node.elements = tuple(node.raw)
    return tree


def _all_paths(node: Any) -> list[ast.Path]:
    if isinstance(node, ast.Path):
        return [node]
    found: list[ast.Path] = []
    for slot in ("left", "right", "operand", "low", "high"):
        child = getattr(node, slot, None)
        if isinstance(child, ast.Node):
            found.extend(_all_paths(child))
    for child in getattr(node, "args", None) or getattr(node, "choices", None) or []:
        found.extend(_all_paths(child))
    return found


def expected_condition(
    expected: dict[str, dict], conditional_operator: str | None = None
) -> Condition:
    """Expected (+ ConditionalOperator) as a Condition."""
    trees = []
    for name, spec in expected.items():
        check_attribute_name(name)  # INFERRED: as for items, before the entry's own rules
        value = spec.get("Value")
        value_list = spec.get("AttributeValueList")
        op = spec.get("ComparisonOperator")
        exists = spec.get("Exists")
        if value is not None and value_list is not None:
            raise _invalid(
                f"Value and AttributeValueList cannot be used together for Attribute: {name}"
            )
        if exists is not None and op is not None:
            raise _invalid(
                f"Exists and ComparisonOperator cannot be used together for Attribute: {name}"
            )
        if value_list is not None and op is None:
            raise _invalid(
                "AttributeValueList can only be used with a ComparisonOperator for Attribute: "
                + name
            )
        if op is not None:
            operands = value_list if value_list is not None else ([value] if value else [])
            if not operands and _ARITY[op] != 0:
                raise _invalid(
                    f"Value or AttributeValueList must be used with ComparisonOperator: {op} "
                    f"for Attribute: {name}"
                )
            check_operator(op, operands)
            trees.append(operator_tree(name, op, operands))
        elif exists is False:
            if value is not None:
                raise _invalid(
                    f"Value cannot be used when Exists is false for Attribute: {name}"
                )
            trees.append(operator_tree(name, "NULL", []))
        else:
            if value is None:
                state = "true" if exists else "null"
                raise _invalid(
                    f"Value must be provided when Exists is {state} for Attribute: {name}"
                )
            trees.append(operator_tree(name, "EQ", [value]))
    return condition_from_tree(_resolved(_combine(trees, conditional_operator)))


def filter_condition(conditions: dict[str, dict], conditional_operator: str | None = None,
                     kind: str = "QueryFilter") -> Condition:
    """QueryFilter / ScanFilter as a Condition."""
    trees = []
    for name, spec in conditions.items():
        check_attribute_name(name)  # INFERRED: as for items
        op = spec.get("ComparisonOperator")
        operands = spec.get("AttributeValueList") or []
        check_operator(op, operands)
        trees.append(operator_tree(name, op, operands))
    return condition_from_tree(_resolved(_combine(trees, conditional_operator)), kind)


def key_conditions(conditions: dict[str, dict]) -> KeyCondition:
    """KeyConditions as a KeyCondition (check it with ``key_range``)."""
    parsed: dict[str, tuple[str, list[AttributeValue]]] = {}
    for name, spec in conditions.items():
        check_attribute_name(name)  # INFERRED: as for items
        op = spec.get("ComparisonOperator")
        operands = list(spec.get("AttributeValueList") or [])
        check_operator(op, operands)
        parsed[name] = (op, operands)
    # A multi-attribute GSI key takes up to eight conditions, as in the expression form.
    if not 1 <= len(parsed) <= condition_limit():
        raise ValidationException(TOO_MANY_CONDITIONS)
    for op, operands in parsed.values():
        if op == "BETWEEN":
            check_between_bounds("KeyConditionExpression", operands[0], operands[1])
    return KeyCondition(parsed)


def attributes_to_get(names: list[str]) -> Projection:
    seen: set[str] = set()
    for name in names:
        check_attribute_name(name)  # INFERRED: the item wording (Scylla saw 6553x)
        if name in seen:
            raise _invalid(f"Duplicate value in attribute name: {name}")
        seen.add(name)
    return Projection([(name,) for name in names])


def check_attribute_update(action: str, value: AttributeValue | None) -> None:
    """One AttributeUpdates entry's rules (Action defaults to PUT)."""
    if value is None:
        if action != "DELETE":
            raise _invalid("Only DELETE action is allowed when no attribute value is specified")
        return
    tag = type_of(value)
    if action == "ADD" and tag not in ("N", "SS", "NS", "BS", "L"):
        raise _invalid(f"ADD action is not supported for the type {tag}")
    if action == "DELETE" and tag not in ("SS", "NS", "BS"):
        raise _invalid(f"DELETE action with value is not supported for the type {tag}")


def attribute_updates(updates: dict[str, dict]) -> Update:
    """AttributeUpdates (PUT / ADD / DELETE per attribute) as an Update."""
    tree = ast.UpdateTree()
    for position, (name, spec) in enumerate(updates.items()):
        action = spec.get("Action") or "PUT"
        value = spec.get("Value")
        check_attribute_update(action, value)
        path = ast.Path(position, [name])
        if value is None:
            tree.removes.append(ast.RemoveAction(position, path))
            continue
        literal = ast.Literal(position, value)
        if action == "PUT":
            tree.sets.append(ast.SetAction(position, path, literal))
        elif action == "ADD":
            tree.adds.append(ast.AddAction(position, path, literal))
        else:
            tree.deletes.append(ast.DeleteAction(position, path, literal))
    return update_from_tree(tree)
