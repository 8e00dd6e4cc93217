"""Validation of parsed expressions, in DynamoDB's order.

Two phases, so each can be cached on what it depends on:

* ``static_*`` depend on the text only: redundant parentheses, function names,
  functions used in the wrong place, reserved words, repeated update clauses.
* ``resolve_*`` depend on the text, ExpressionAttributeNames and the *types* of the
  ExpressionAttributeValues: undefined #names/:values, operand counts, repeated
  operands, operand types, document-path requirements, path overlaps, limits. They fill
  ``Path.elements`` and report which names/values the expression used.

Condition rules are checked leaf by leaf (a comparison, BETWEEN, IN or function),
the first leaf with a problem wins; within a leaf: undefined name/value, operand
count, repeated operand, operand type.
"""

from __future__ import annotations

from collections.abc import Iterator

from ddblite.errors import ValidationException
from ddblite.expressions import ast
from ddblite.expressions.reserved import RESERVED_WORDS

CONDITION_FUNCTIONS = {
    "attribute_exists": 1,
    "attribute_not_exists": 1,
    "attribute_type": 2,
    "begins_with": 2,
    "contains": 2,
    "size": 1,
}
UPDATE_FUNCTIONS = {"if_not_exists": 2, "list_append": 2}
TYPE_NAMES = ("S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL")
# How DynamoDB spells a type in ADD/DELETE and comparison operand errors.
LONG_TYPE_NAMES = {
    "S": "STRING", "N": "NUMBER", "B": "BINARY", "NULL": "NULL", "BOOL": "BOOLEAN",
    "L": "LIST", "M": "MAP",
}
MAX_OPERATORS = 300
MAX_IN_OPERANDS = 100
MAX_PATH_DEPTH = 32
# DynamoDB stops counting at the first operator over the limit: a condition of 909
# operators is reported with "operator count: 301" (Scylla's test_limits.py, run
# against DynamoDB). INFERRED for update expressions, which share the limit.
TOO_MANY_OPERATORS = (
    f"The expression contains too many operators; operator count: {MAX_OPERATORS + 1}"
)
UNKNOWN_TYPE = "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}"


def invalid(kind: str, message: str) -> ValidationException:  # type: ignore[valid-type]
    return ValidationException(f"Invalid {kind}: {message}")


# ---------------------------------------------------------------- tree walks


def operands_of(node: ast.Node) -> list[ast.Node]:
    if isinstance(node, ast.Compare):
        return [node.left, node.right]
    if isinstance(node, ast.Between):
        return [node.operand, node.low, node.high]
    if isinstance(node, ast.In):
        return [node.operand, *node.choices]
    if isinstance(node, ast.Call):
        return list(node.args)
    if isinstance(node, ast.Arith):
        return [node.left, node.right]
    return []


def condition_children(node: ast.Node) -> list[ast.Node]:
    if isinstance(node, (ast.And, ast.Or)):
        return [node.left, node.right]
    if isinstance(node, ast.Not):
        return [node.operand]
    return []


def leaves(node: ast.Node) -> Iterator[ast.Node]:
    """Comparison/function leaves of a condition, in source order."""
    children = condition_children(node)
    if not children and not isinstance(node, ast.TrueCondition):
        yield node
    for child in children:
        yield from leaves(child)


def walk_operand(node: ast.Node) -> Iterator[ast.Node]:
    """The operand and everything inside it, depth first, in source order."""
    yield node
    for child in operands_of(node):
        yield from walk_operand(child)


def walk_condition(node: ast.Node) -> Iterator[ast.Node]:
    for leaf in leaves(node):
        yield from walk_operand(leaf)


def _calls(nodes: Iterator[ast.Node]) -> list[ast.Call]:
    return sorted((n for n in nodes if isinstance(n, ast.Call)), key=lambda n: n.pos)


def _paths(nodes: Iterator[ast.Node]) -> list[ast.Path]:
    return sorted((n for n in nodes if isinstance(n, ast.Path)), key=lambda n: n.pos)


def _check_reserved(kind: str, paths: list[ast.Path]) -> None:
    for path in paths:
        for element in path.raw:
            if isinstance(element, str) and element[0] != "#":
                if element.upper() in RESERVED_WORDS:
                    raise invalid(
                        kind, f"Attribute name is a reserved keyword; reserved keyword: {element}"
                    )


# ---------------------------------------------------------------- static checks


def static_condition(kind: str, tree: ast.Node, redundant_parens: bool) -> None:
    if redundant_parens:
        raise invalid(kind, "The expression has redundant parentheses;")
    nodes = list(walk_condition(tree))
    for call in _calls(iter(nodes)):
        if call.name in UPDATE_FUNCTIONS:
            raise invalid(
                kind,
                f"The function is not allowed in a condition expression; function: {call.name}",
            )
        if call.name not in CONDITION_FUNCTIONS:
            raise invalid(kind, f"Invalid function name; function: {call.name}")
    misused = _misused_function(tree)
    if misused:
        raise invalid(
            kind,
            "The function is not allowed to be used this way in an expression; "
            f"function: {misused}",
        )
    _check_reserved(kind, _paths(iter(nodes)))


def _misused_function(tree: ast.Node) -> str | None:
    """First function in the wrong place: size() as a condition, others as operands."""
    found: list[tuple[int, str]] = []
    for leaf in leaves(tree):
        if isinstance(leaf, ast.Call) and leaf.name == "size":
            found.append((leaf.pos, "size"))
        operands = operands_of(leaf)
        for operand in operands:
            for node in walk_operand(operand):
                if isinstance(node, ast.Call) and node.name != "size":
                    found.append((node.pos, node.name))
    return min(found)[1] if found else None


def static_update(tree: ast.UpdateTree, clause_order: list[str]) -> None:
    kind = "UpdateExpression"
    nodes: list[ast.Node] = []
    for action in tree.actions():
        nodes.append(action.path)  # type: ignore[attr-defined]
        value = getattr(action, "value", None)
        if value is not None:
            nodes.extend(walk_operand(value))
    _check_reserved(kind, _paths(iter(nodes)))
    for call in _calls(iter(nodes)):
        if call.name in CONDITION_FUNCTIONS:
            raise invalid(
                kind, f"The function is not allowed in an update expression; function: {call.name}"
            )
        if call.name not in UPDATE_FUNCTIONS:
            raise invalid(kind, f"Invalid function name; function: {call.name}")
    seen: set[str] = set()
    for word in clause_order:
        if word in seen:
            raise invalid(
                kind, f'The "{word}" section can only be used once in an update expression;'
            )
        seen.add(word)


def static_projection(paths: list[ast.Path]) -> None:
    _check_reserved("ProjectionExpression", paths)


# ---------------------------------------------------------------- resolution


class Usage:
    """Which placeholders an expression used (for the unused-name/value check)."""

    __slots__ = ("names", "values", "update_shape")

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.values: set[str] = set()
        # An update's (paths, attributes, touched tree), cached with its resolution.
        self.update_shape: tuple | None = None


class Resolver:
    """Resolves placeholders of one expression against one request's maps."""

    def __init__(self, kind: str, names: dict[str, str], value_types: dict[str, str]) -> None:
        self.kind = kind
        self.names = names
        self.value_types = value_types
        self.usage = Usage()

    def fail(self, message: str) -> ValidationException:  # type: ignore[valid-type]
        return invalid(self.kind, message)

    # -- placeholders

    def resolve_path(self, path: ast.Path) -> None:
        elements: list[ast.PathElement] = []
        for element in path.raw:
            if isinstance(element, str) and element[0] == "#":
                name = self.names.get(element)
                if name is None:
                    raise self.fail(
                        "An expression attribute name used in the document path is not defined; "
                        f"attribute name: {element}"
                    )
                self.usage.names.add(element)
                elements.append(name)
            else:
                elements.append(element)
        if len(elements) > MAX_PATH_DEPTH:
            raise self.fail(
                f"The document path has too many nesting levels; nesting levels: {len(elements)}"
            )
        path.elements = tuple(elements)

    def resolve_value(self, ref: ast.ValueRef) -> None:
        if ref.ref not in self.value_types:
            raise self.fail(
                "An expression attribute value used in expression is not defined; "
                f"attribute value: {ref.ref}"
            )
        self.usage.values.add(ref.ref)

    def resolve_operand(self, node: ast.Node) -> None:
        for part in walk_operand(node):
            if isinstance(part, ast.Path):
                self.resolve_path(part)
            elif isinstance(part, ast.ValueRef):
                self.resolve_value(part)

    # -- types

    def static_type(self, node: ast.Node) -> str | None:
        """The type an operand is known to have before reading any item."""
        if isinstance(node, ast.ValueRef):
            return self.value_types[node.ref]
        if isinstance(node, ast.Literal):
            return next(iter(node.value))
        if isinstance(node, ast.Call):
            if node.name == "size":
                return "N"
            if node.name == "list_append":
                return "L"
            if node.name == "if_not_exists":
                return self.static_type(node.args[1])
        if isinstance(node, ast.Arith):
            return "N"
        return None

    def operand_type_error(self, name: str, type_name: str) -> ValidationException:  # type: ignore[valid-type]
        return self.fail(
            "Incorrect operand type for operator or function; "
            f"operator or function: {name}, operand type: {type_name}"
        )

    def check_call(self, call: ast.Call, functions: dict[str, int]) -> None:
        """Operand count, then operand types, innermost call first."""
        for arg in call.args:
            for inner in walk_operand(arg):
                if isinstance(inner, ast.Call):
                    self.check_call(inner, functions)
                    break
        expected = functions[call.name]
        if len(call.args) != expected:
            raise self.fail(
                "Incorrect number of operands for operator or function; "
                f"operator or function: {call.name}, number of operands: {len(call.args)}"
            )
        name, args = call.name, call.args
        if name in ("attribute_exists", "attribute_not_exists", "if_not_exists"):
            if not isinstance(args[0], ast.Path):
                raise self.fail(
                    f"Operator or function requires a document path; operator or function: {name}"
                )
        elif name == "size":
            arg_type = self.static_type(args[0])
            if arg_type in ("N", "BOOL", "NULL"):
                raise self.operand_type_error(name, arg_type)
        elif name == "begins_with":
            for arg in args:
                arg_type = self.static_type(arg)
                if arg_type is not None and arg_type not in ("S", "B"):
                    raise self.operand_type_error(name, arg_type)
        elif name == "attribute_type":
            arg_type = self.static_type(args[1])
            if arg_type != "S":
                raise self.operand_type_error(name, arg_type or UNKNOWN_TYPE)
        elif name == "list_append":
            for arg in args:
                arg_type = self.static_type(arg)
                if arg_type is not None and arg_type != "L":
                    raise self.operand_type_error(name, arg_type)


def count_operators(tree: ast.Node) -> int:
    count = 0
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.And, ast.Or, ast.Not, ast.Compare, ast.Between, ast.In,
                             ast.Call, ast.Arith)):
            count += 1
        stack.extend(condition_children(node))
        stack.extend(operands_of(node))
    return count


def _same_path(first: ast.Node, other: ast.Node) -> bool:
    return (
        isinstance(first, ast.Path)
        and isinstance(other, ast.Path)
        and first.elements == other.elements
    )


def resolve_condition(
    kind: str, tree: ast.Node, names: dict[str, str], value_types: dict[str, str]
) -> Usage:
    resolver = Resolver(kind, names, value_types)
    for leaf in leaves(tree):
        _resolve_leaf(resolver, leaf)
    if count_operators(tree) > MAX_OPERATORS:
        raise resolver.fail(TOO_MANY_OPERATORS)
    return resolver.usage


def _distinct_error(resolver: Resolver, operator: str, path: ast.Path) -> ValidationException:  # type: ignore[valid-type]
    return resolver.fail(
        "The first operand must be distinct from the remaining operands for this operator or "
        f"function; operator: {operator}, first operand: {ast.format_path(path.elements)}"
    )


_ORDERING = ("<", "<=", ">", ">=")


def _resolve_leaf(resolver: Resolver, leaf: ast.Node) -> None:
    operands = operands_of(leaf)
    for operand in operands:
        resolver.resolve_operand(operand)
    calls = [leaf] if isinstance(leaf, ast.Call) else []
    for operand in operands if not calls else []:
        if isinstance(operand, ast.Call):
            calls.append(operand)
    for call in calls:  # operand counts first
        _check_counts(resolver, call)
    if isinstance(leaf, ast.In) and len(leaf.choices) > MAX_IN_OPERANDS:
        raise resolver.fail(
            "The IN operator is provided with too many operands; "
            f"number of operands: {len(leaf.choices)}"
        )
    first, rest = operands[0], operands[1:]
    if isinstance(first, ast.Path):
        for other in rest:
            if _same_path(first, other):
                operator = {
                    ast.Compare: getattr(leaf, "op", ""), ast.Between: "BETWEEN", ast.In: "IN",
                }.get(type(leaf)) or getattr(leaf, "name", "")
                raise _distinct_error(resolver, operator, first)
    for call in calls:
        resolver.check_call(call, CONDITION_FUNCTIONS)
    if isinstance(leaf, ast.Compare) and leaf.op in _ORDERING or isinstance(leaf, ast.Between):
        operator = leaf.op if isinstance(leaf, ast.Compare) else "BETWEEN"
        for operand in operands:
            operand_type = resolver.static_type(operand)
            if operand_type is not None and operand_type not in ("S", "N", "B"):
                raise resolver.operand_type_error(
                    operator, LONG_TYPE_NAMES.get(operand_type, operand_type)
                )


def _check_counts(resolver: Resolver, call: ast.Call) -> None:
    for node in walk_operand(call):
        if isinstance(node, ast.Call):
            expected = CONDITION_FUNCTIONS[node.name]
            if len(node.args) != expected:
                raise resolver.fail(
                    "Incorrect number of operands for operator or function; "
                    f"operator or function: {node.name}, number of operands: {len(node.args)}"
                )


# ---------------------------------------------------------------- paths


def check_overlaps(kind: str, paths: list[tuple[ast.PathElement, ...]]) -> None:
    """DynamoDB's overlap (one path inside another) and conflict (map vs list) rules."""
    overlap: str | None = None
    conflict: str | None = None
    for index, second in enumerate(paths):
        for first in paths[:index]:
            relation = _relation(first, second)
            rendered = (
                "must remove or rewrite one of these paths; "
                f"path one: {ast.format_path(first)}, path two: {ast.format_path(second)}"
            )
            if relation == "overlap" and overlap is None:
                overlap = "Two document paths overlap with each other; " + rendered
            elif relation == "conflict" and conflict is None:
                conflict = "Two document paths conflict with each other; " + rendered
        if overlap:
            break
    if overlap:
        raise invalid(kind, overlap)
    if conflict:
        raise invalid(kind, conflict)


def _relation(first: tuple, second: tuple) -> str | None:
    for a, b in zip(first, second):
        if isinstance(a, int) != isinstance(b, int):
            return "conflict"
        if a != b:
            return None
    return "overlap"
