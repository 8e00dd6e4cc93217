"""Applying a resolved update expression to a stored item.

``apply(old) -> new`` is pure: ``old`` is never mutated; containers on the way to a
changed path are copied. Every SET operand is read from the item as it was before the
update (DynamoDB evaluates the whole expression against the old image). Within a
clause, actions apply in document-path order (list indexes ascending), so
``SET l[4] = :a, l[2] = :b`` on a two-element list appends :b then :a, as DynamoDB
does. Numbers are added exactly (Decimal with enough precision for any two DynamoDB
numbers) and the result is canonicalised, which raises DynamoDB's overflow/precision
errors.

The errors found while applying carry no "Invalid UpdateExpression:" prefix: DynamoDB
reports them bare ("The document path provided in the update expression is invalid
for update"), unlike the errors found while parsing.
"""

from __future__ import annotations

from decimal import Context, Decimal
from typing import Any

from ddblite.errors import ValidationException
from ddblite.expressions import ast
from ddblite.expressions.evaluate import AttributeValue, Item, get_path, type_of
from ddblite.native import NumberError, normalize_number

# 38 significant digits across exponents 10^-130..10^125 fit well inside 400 digits,
# so sums and differences of two DynamoDB numbers are exact before canonicalising.
_EXACT = Context(prec=400, Emax=10**6, Emin=-(10**6))
_SETS = ("SS", "NS", "BS")


INVALID_PATH = "The document path provided in the update expression is invalid for update"
WRONG_TYPE = "An operand in the update expression has an incorrect data type"
# The legacy AttributeUpdates API words an ADD/DELETE type clash differently.
LEGACY_WRONG_TYPE = "Type mismatch for attribute to update"
MISSING_OPERAND = "The provided expression refers to an attribute that does not exist in the item"


def invalid_path() -> ValidationException:  # type: ignore[valid-type]
    return ValidationException(INVALID_PATH)


def wrong_type() -> ValidationException:  # type: ignore[valid-type]
    return ValidationException(WRONG_TYPE)


def missing_operand() -> ValidationException:  # type: ignore[valid-type]
    return ValidationException(MISSING_OPERAND)


def _path_order(action: Any) -> tuple:
    # Map keys and list indexes never share a position under one parent (the
    # resolver refuses such conflicts), but tag them so any two paths compare.
    return tuple((1, e) if isinstance(e, int) else (0, e) for e in action.path.elements)


def canonical_number(value: Decimal) -> str:
    try:
        return normalize_number(str(value))
    except NumberError as exc:
        raise ValidationException(str(exc)) from None


def add_numbers(left: str, right: str, subtract: bool = False) -> str:
    a, b = Decimal(left), Decimal(right)
    result = _EXACT.subtract(a, b) if subtract else _EXACT.add(a, b)
    return canonical_number(result)


def _number_key(text: str) -> Decimal:
    return Decimal(text)


def sort_set(tag: str, members: list) -> list:
    """Stored order of set members: strings/binary bytewise, numbers numerically."""
    if tag == "NS":
        return sorted(members, key=_number_key)
    return sorted(members)


def _set_union(tag: str, current: list, extra: list) -> list:
    if tag == "NS":
        seen = {Decimal(m) for m in current}
        merged = list(current) + [m for m in extra if Decimal(m) not in seen]
    else:
        present = set(current)
        merged = list(current) + [m for m in extra if m not in present]
    return sort_set(tag, merged)


def _set_difference(tag: str, current: list, removed: list) -> list:
    if tag == "NS":
        gone = {Decimal(m) for m in removed}
        return [m for m in current if Decimal(m) not in gone]
    gone_set = set(removed)
    return [m for m in current if m not in gone_set]


# ---------------------------------------------------------------- SET operands


def evaluate_value(node: ast.Node, old: Item, values: dict[str, AttributeValue]) -> AttributeValue:
    if isinstance(node, ast.ValueRef):
        return values[node.ref]
    if isinstance(node, ast.Literal):
        return node.value
    if isinstance(node, ast.Path):
        found = get_path(old, node.elements)
        if found is None:
            raise missing_operand()
        return found
    if isinstance(node, ast.Call):
        if node.name == "if_not_exists":
            found = get_path(old, node.args[0].elements)  # type: ignore[attr-defined]
            return found if found is not None else evaluate_value(node.args[1], old, values)
        if node.name == "list_append":
            first = evaluate_value(node.args[0], old, values)
            second = evaluate_value(node.args[1], old, values)
            if "L" not in first or "L" not in second:
                raise wrong_type()
            return {"L": first["L"] + second["L"]}
    if isinstance(node, ast.Arith):
        left = evaluate_value(node.left, old, values)
        right = evaluate_value(node.right, old, values)
        if "N" not in left or "N" not in right:
            raise wrong_type()
        return {"N": add_numbers(left["N"], right["N"], subtract=node.op == "-")}
    raise TypeError(f"not an update operand: {type(node).__name__}")


# ---------------------------------------------------------------- writing paths


def _writable_parent(root: dict, elements: tuple) -> Any:
    """The container holding the last element, copied so it may be changed.

    Returns a dict (map members or the item itself) or a list (list elements).
    Raises DynamoDB's invalid-path error when a step is missing or of the wrong type.
    """
    container: Any = root
    for depth, element in enumerate(elements[:-1]):
        child = _child(container, element)
        if child is None:
            raise invalid_path()
        wanted = "L" if isinstance(elements[depth + 1], int) else "M"
        inner = child.get(wanted)
        if inner is None:
            raise invalid_path()
        copied = list(inner) if wanted == "L" else dict(inner)
        _store(container, element, {wanted: copied})
        container = copied
    return container


def _child(container: Any, element: ast.PathElement) -> AttributeValue | None:
    if isinstance(container, dict):
        return container.get(element) if isinstance(element, str) else None
    if isinstance(element, int) and element < len(container):
        return container[element]
    return None


def _store(container: Any, element: ast.PathElement, value: AttributeValue) -> None:
    if isinstance(container, dict):
        if not isinstance(element, str):
            raise invalid_path()
        container[element] = value
    else:
        if not isinstance(element, int):
            raise invalid_path()
        if element < len(container):
            container[element] = value
        else:
            container.append(value)


def _remove(container: Any, element: ast.PathElement) -> None:
    if isinstance(container, dict):
        if not isinstance(element, str):
            raise invalid_path()
        container.pop(element, None)
    else:
        if not isinstance(element, int):
            raise invalid_path()
        if element < len(container):
            del container[element]


# ---------------------------------------------------------------- apply


def apply_update(tree: ast.UpdateTree, old: Item, values: dict[str, AttributeValue],
                 legacy: bool = False) -> Item:
    """The item after the update. ``legacy`` selects AttributeUpdates' type-clash wording."""
    try:
        return _apply(tree, old, values)
    except ValidationException as exc:
        if legacy and exc.message == WRONG_TYPE:
            raise ValidationException(LEGACY_WRONG_TYPE) from None
        raise


def _in_path_order(actions: list, reverse: bool = False) -> list:
    if len(actions) < 2:
        return actions
    return sorted(actions, key=_path_order, reverse=reverse)


def _apply(tree: ast.UpdateTree, old: Item, values: dict[str, AttributeValue]) -> Item:
    new: Item = dict(old)
    # Evaluate every SET operand against the old image first.
    assignments = [(action.path.elements, evaluate_value(action.value, old, values))
                   for action in _in_path_order(tree.sets)]
    for elements, value in assignments:
        _store(_writable_parent(new, elements), elements[-1], value)
    # Later list indexes first, so removing one element never shifts another target.
    for elements in [a.path.elements for a in _in_path_order(tree.removes, reverse=True)]:
        _remove(_writable_parent(new, elements), elements[-1])
    for action in _in_path_order(tree.adds):
        elements = action.path.elements
        parent = _writable_parent(new, elements)
        added = _value_of(action.value, values)
        current = _child(parent, elements[-1])
        _store(parent, elements[-1], _added(current, added))
    for action in _in_path_order(tree.deletes):
        elements = action.path.elements
        parent = _writable_parent(new, elements)
        current = _child(parent, elements[-1])
        if current is None:
            continue
        removed = _value_of(action.value, values)
        tag = type_of(removed)
        if tag not in current:
            raise wrong_type()
        remaining = _set_difference(tag, current[tag], removed[tag])
        if remaining:
            _store(parent, elements[-1], {tag: remaining})
        else:
            _remove(parent, elements[-1])
    return new


def _value_of(node: ast.Node, values: dict[str, AttributeValue]) -> AttributeValue:
    return values[node.ref] if isinstance(node, ast.ValueRef) else node.value  # type: ignore[attr-defined]


def _added(current: AttributeValue | None, added: AttributeValue) -> AttributeValue:
    if current is None:
        return added
    tag = type_of(added)
    if tag not in current:
        raise wrong_type()
    if tag == "N":
        return {"N": add_numbers(current["N"], added["N"])}
    if tag in _SETS:
        return {tag: _set_union(tag, current[tag], added[tag])}
    if tag == "L":  # legacy AttributeUpdates ADD appends to lists
        return {"L": current["L"] + added["L"]}
    raise wrong_type()
