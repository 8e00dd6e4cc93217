"""What a statement's WHERE clause becomes, given the key schema it reads or writes.

SELECT: equality (or IN, or an OR of equalities) on the partition key among the
top-level AND terms makes a Query per partition value - a GetItem when the whole
primary key is pinned and nothing else is asked; one term on the sort key with an
indexable operator narrows it; every other term is the filter. Anything else is a Scan.

UPDATE / DELETE: every key attribute must be pinned by an equality among the
top-level AND terms; the remaining terms are the write's condition.
"""

from __future__ import annotations

from ddblite.attrvalue import canonical_item
from ddblite.errors import ValidationException
from ddblite.expressions import ast as ex
from ddblite.partiql import ast
from ddblite.partiql.bind import Binder, make_condition
from ddblite.partiql.parser import INCOMPLETE_KEY

_FLIP = {"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_SORT_OPS = {"=": "EQ", "<": "LT", "<=": "LE", ">": "GT", ">=": "GE"}


def conjuncts(node: ast.Node | None) -> list[ast.Node]:
    if node is None:
        return []
    if isinstance(node, ast.And):
        return conjuncts(node.left) + conjuncts(node.right)
    return [node]


def _top_name(node: ast.Node) -> str | None:
    if isinstance(node, ast.Path) and len(node.elements) == 1:
        return node.name
    return None


def _is_value(node: ast.Node) -> bool:
    return isinstance(node, (ast.Literal, ast.Param, ast.ListValue, ast.MapValue, ast.BagValue))


def equality_on(node: ast.Node, name: str) -> ast.Node | None:
    """The value side of `name = value` (either way round), or None."""
    if isinstance(node, ast.Compare) and node.op == "=":
        if _top_name(node.left) == name and _is_value(node.right):
            return node.right
        if _top_name(node.right) == name and _is_value(node.left):
            return node.left
    return None


def _partition_values(node: ast.Node, name: str) -> list[ast.Node] | None:
    """The values of `pk = v`, `pk IN [..]` or `pk = a OR pk = b ...`, else None."""
    value = equality_on(node, name)
    if value is not None:
        return [value]
    if isinstance(node, ast.In) and _top_name(node.operand) == name and all(
            _is_value(choice) for choice in node.choices):
        return list(node.choices)
    if isinstance(node, ast.Or):
        left = _partition_values(node.left, name)
        right = _partition_values(node.right, name) if left is not None else None
        if left is not None and right is not None:
            return left + right
    return None


def _sort_condition(node: ast.Node, name: str) -> tuple[str, list[ast.Node]] | None:
    """(operator, value nodes) of a key condition on the sort key, or None."""
    if isinstance(node, ast.Compare) and node.op in _SORT_OPS:
        if _top_name(node.left) == name and _is_value(node.right):
            return _SORT_OPS[node.op], [node.right]
        if _top_name(node.right) == name and _is_value(node.left):
            return _SORT_OPS[_FLIP[node.op]], [node.left]
    if isinstance(node, ast.Between) and _top_name(node.operand) == name and _is_value(
            node.low) and _is_value(node.high):
        return "BETWEEN", [node.low, node.high]
    if (isinstance(node, ast.Call) and node.name == "begins_with" and len(node.args) == 2
            and _top_name(node.args[0]) == name and _is_value(node.args[1])):
        return "BEGINS_WITH", [node.args[1]]
    return None


def _filter(terms: list[ast.Node], binder: Binder):
    if not terms:
        return None
    tree = binder.condition(terms[0])
    for term in terms[1:]:
        tree = ex.And(0, tree, binder.condition(term))
    return make_condition(tree)


class ReadPlan:
    """kind: "get" (key), "query" (partitions + sort condition) or "scan"."""

    __slots__ = ("kind", "key", "partitions", "sort", "filter")

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.key: dict | None = None
        self.partitions: list[dict] = []
        self.sort: tuple | None = None
        self.filter = None


class SelectShape:
    """What a SELECT's WHERE becomes for one key schema, before values are bound.

    Depends only on the statement's text and the key names, so it is cached on the
    (cached) statement: a repeated statement is planned once.
    """

    __slots__ = ("kind", "partitions", "sort", "terms", "pk", "sk")

    def __init__(self, kind: str, pk: str, sk: str | None) -> None:
        self.kind = kind
        self.pk = pk
        self.sk = sk
        self.partitions: list[ast.Node] = []
        self.sort: tuple[str, list[ast.Node]] | None = None
        self.terms: list[ast.Node] = []  # the filter's AND terms

    def key(self, binder: Binder) -> dict:
        """A "get" shape's primary key, checked on the item checker's fast path (as
        GetItem's Key is)."""
        raw = binder.raw
        key = {self.pk: raw(self.partitions[0])}
        if self.sk is not None:
            key[self.sk] = raw(self.sort[1][0])  # type: ignore[index]
        return canonical_item(key)

    def bind(self, binder: Binder) -> ReadPlan:
        plan = ReadPlan(self.kind)
        value = binder.value
        if self.kind == "get":
            plan.key = self.key(binder)
            return plan
        plan.partitions = [value(node) for node in self.partitions]
        if self.sort is not None:
            plan.sort = (self.sort[0], [value(node) for node in self.sort[1]])
        plan.filter = _filter(self.terms, binder)
        return plan


def shape_select(where: ast.Node | None, pk: str, sk: str | None, allow_get: bool
                 ) -> SelectShape:
    terms = conjuncts(where)
    for position, term in enumerate(terms):
        values = _partition_values(term, pk)
        if values is not None:
            rest = terms[:position] + terms[position + 1:]
            break
    else:
        shape = SelectShape("scan", pk, sk)
        shape.terms = terms
        return shape
    shape = SelectShape("query", pk, sk)
    shape.partitions = values
    if sk is not None:
        found = [(i, c) for i, term in enumerate(rest)
                 if (c := _sort_condition(term, sk)) is not None]
        if len(found) == 1:
            position, shape.sort = found[0]
            rest = rest[:position] + rest[position + 1:]
    shape.terms = rest
    single = len(values) == 1 and not rest
    if allow_get and single and (sk is None or (shape.sort is not None
                                                and shape.sort[0] == "EQ")):
        shape.kind = "get"
    return shape


def plan_select(where: ast.Node | None, pk: str, sk: str | None, binder: Binder,
                allow_get: bool) -> ReadPlan:
    return shape_select(where, pk, sk, allow_get).bind(binder)


def plan_write(where: ast.Node, key_names: tuple[str, ...], binder: Binder
               ) -> tuple[dict, ex.Node | None]:
    """The key a DML statement names and the rest of its WHERE as a condition tree."""
    terms = conjuncts(where)
    key: dict = {}
    rest: list[ast.Node] = []
    for term in terms:
        for name in key_names:
            value = equality_on(term, name)
            if value is not None and name not in key:
                key[name] = binder.value(value)
                break
        else:
            rest.append(term)
    if len(key) != len(key_names):
        raise ValidationException(INCOMPLETE_KEY)
    tree = None
    for term in rest:
        node = binder.condition(term)
        tree = node if tree is None else ex.And(0, tree, node)
    return key, tree
