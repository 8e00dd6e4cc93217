"""Syntax tree of a PartiQL statement, before parameters are bound.

Values stay symbolic here (a `?` is a Param, a literal a Literal in PartiQL's
notation) so one parsed statement serves every call with other parameters;
ddblite.partiql.bind turns them into AttributeValues and expression trees.
"""

from __future__ import annotations

from typing import Any

PathElement = str | int


class Node:
    __slots__ = ()


# ----------------------------------------------------------------- values


class Path(Node):
    """``a.b[2]``: a top-level name, then map keys and list indexes."""

    __slots__ = ("elements",)

    def __init__(self, elements: list[PathElement]) -> None:
        self.elements = tuple(elements)

    @property
    def name(self) -> str:
        return self.elements[0]  # type: ignore[return-value]


class Literal(Node):
    """A scalar literal: kind is S, N, BOOL, NULL or MISSING."""

    __slots__ = ("kind", "value")

    def __init__(self, kind: str, value: Any) -> None:
        self.kind = kind
        self.value = value


class Param(Node):
    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index


class ListValue(Node):
    __slots__ = ("items",)

    def __init__(self, items: list[Node]) -> None:
        self.items = items


class BagValue(Node):
    """``<<a, b>>``: a DynamoDB set."""

    __slots__ = ("items",)

    def __init__(self, items: list[Node]) -> None:
        self.items = items


class MapValue(Node):
    __slots__ = ("pairs",)

    def __init__(self, pairs: list[tuple[Node, Node]]) -> None:
        self.pairs = pairs


class Call(Node):
    __slots__ = ("name", "args")

    def __init__(self, name: str, args: list[Node]) -> None:
        self.name = name  # lower case
        self.args = args


class Arith(Node):
    __slots__ = ("op", "left", "right")

    def __init__(self, op: str, left: Node, right: Node) -> None:
        self.op = op
        self.left = left
        self.right = right


# ----------------------------------------------------------------- conditions


class Compare(Node):
    __slots__ = ("op", "left", "right")

    def __init__(self, op: str, left: Node, right: Node) -> None:
        self.op = op  # = <> < <= > >=
        self.left = left
        self.right = right


class Between(Node):
    __slots__ = ("operand", "low", "high")

    def __init__(self, operand: Node, low: Node, high: Node) -> None:
        self.operand = operand
        self.low = low
        self.high = high


class In(Node):
    __slots__ = ("operand", "choices")

    def __init__(self, operand: Node, choices: list[Node]) -> None:
        self.operand = operand
        self.choices = choices


class Is(Node):
    """``x IS [NOT] MISSING`` / NULL / a type name."""

    __slots__ = ("operand", "type_name", "negated")

    def __init__(self, operand: Node, type_name: str, negated: bool) -> None:
        self.operand = operand
        self.type_name = type_name
        self.negated = negated


class And(Node):
    __slots__ = ("left", "right")

    def __init__(self, left: Node, right: Node) -> None:
        self.left = left
        self.right = right


class Or(Node):
    __slots__ = ("left", "right")

    def __init__(self, left: Node, right: Node) -> None:
        self.left = left
        self.right = right


class Not(Node):
    __slots__ = ("operand",)

    def __init__(self, operand: Node) -> None:
        self.operand = operand


# ----------------------------------------------------------------- statements


class Statement:
    __slots__ = ("table", "index", "params", "plans")
    kind = ""
    writes = False

    def __init__(self, table: str, index: str | None = None) -> None:
        self.table = table
        self.index = index  # `"table"."index"`: reads only; writes refuse it
        self.params = 0  # how many `?` the statement holds
        self.plans: dict = {}  # key schema -> plan shape (ddblite.partiql.plan)


class Select(Statement):
    __slots__ = ("projection", "where", "order")
    kind = "SELECT"

    def __init__(self, table: str, index: str | None, projection: list[Path] | None,
                 where: Node | None, order: list[tuple[str, bool]]) -> None:
        super().__init__(table, index)
        self.projection = projection  # None for *
        self.where = where
        self.order = order  # (attribute, descending)


class Insert(Statement):
    __slots__ = ("item",)
    kind = "INSERT"
    writes = True

    def __init__(self, table: str, item: Node) -> None:
        super().__init__(table)
        self.item = item


class Update(Statement):
    __slots__ = ("sets", "removes", "where", "returning")
    kind = "UPDATE"
    writes = True

    def __init__(self, table: str, index: str | None, sets: list[tuple[Path, Node]],
                 removes: list[Path], where: Node, returning: str | None) -> None:
        super().__init__(table, index)
        self.sets = sets
        self.removes = removes
        self.where = where
        self.returning = returning  # "ALL OLD", "MODIFIED NEW", ...


class Delete(Statement):
    __slots__ = ("where", "returning")
    kind = "DELETE"
    writes = True

    def __init__(self, table: str, index: str | None, where: Node,
                 returning: str | None) -> None:
        super().__init__(table, index)
        self.where = where
        self.returning = returning


class Exists(Statement):
    """``EXISTS(SELECT ...)``: a transaction's condition check on one item."""

    __slots__ = ("select",)
    kind = "EXISTS"
    writes = True

    def __init__(self, select: Select) -> None:
        super().__init__(select.table)
        self.select = select
