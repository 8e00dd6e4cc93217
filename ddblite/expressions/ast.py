"""Syntax tree shared by every expression kind.

The parser builds these nodes with placeholders unresolved (``Path.raw`` holds bare
names, ``#name`` placeholders and list indexes; ``ValueRef.ref`` holds ``:name``);
the resolver fills ``Path.elements`` (a tuple of str map keys and int list indexes)
once per (expression, ExpressionAttributeNames).
"""

from __future__ import annotations

from typing import Any

PathElement = str | int


class Node:
    __slots__ = ("pos",)

    def __init__(self, pos: int) -> None:
        self.pos = pos  # index of the node's first token, for error ordering


# ----------------------------------------------------------------- operands


class Path(Node):
    """A document path: ``a.b[2].#c``."""

    __slots__ = ("raw", "elements")

    def __init__(self, pos: int, raw: list[PathElement]) -> None:
        super().__init__(pos)
        self.raw = raw  # bare names, "#placeholders", int indexes
        self.elements: tuple[PathElement, ...] = ()


class ValueRef(Node):
    """An ``:placeholder`` from ExpressionAttributeValues."""

    __slots__ = ("ref",)

    def __init__(self, pos: int, ref: str) -> None:
        super().__init__(pos)
        self.ref = ref


class Literal(Node):
    """A constant AttributeValue (legacy API translations use these directly)."""

    __slots__ = ("value",)

    def __init__(self, pos: int, value: dict[str, Any]) -> None:
        super().__init__(pos)
        self.value = value


class Call(Node):
    """A function call: condition functions, size, if_not_exists, list_append."""

    __slots__ = ("name", "args")

    def __init__(self, pos: int, name: str, args: list[Node]) -> None:
        super().__init__(pos)
        self.name = name
        self.args = args


class Arith(Node):
    """``left + right`` or ``left - right`` in a SET action."""

    __slots__ = ("op", "left", "right")

    def __init__(self, pos: int, op: str, left: Node, right: Node) -> None:
        super().__init__(pos)
        self.op = op
        self.left = left
        self.right = right


# ----------------------------------------------------------------- conditions


class Compare(Node):
    __slots__ = ("op", "left", "right")

    def __init__(self, pos: int, op: str, left: Node, right: Node) -> None:
        super().__init__(pos)
        self.op = op  # = <> < <= > >=
        self.left = left
        self.right = right


class Between(Node):
    __slots__ = ("operand", "low", "high")

    def __init__(self, pos: int, operand: Node, low: Node, high: Node) -> None:
        super().__init__(pos)
        self.operand = operand
        self.low = low
        self.high = high


class In(Node):
    __slots__ = ("operand", "choices")

    def __init__(self, pos: int, operand: Node, choices: list[Node]) -> None:
        super().__init__(pos)
        self.operand = operand
        self.choices = choices


class And(Node):
    __slots__ = ("left", "right")

    def __init__(self, pos: int, left: Node, right: Node) -> None:
        super().__init__(pos)
        self.left = left
        self.right = right


class Or(Node):
    __slots__ = ("left", "right")

    def __init__(self, pos: int, left: Node, right: Node) -> None:
        super().__init__(pos)
        self.left = left
        self.right = right


class Not(Node):
    __slots__ = ("operand",)

    def __init__(self, pos: int, operand: Node) -> None:
        super().__init__(pos)
        self.operand = operand


class TrueCondition(Node):
    """Always true (legacy requests with an empty condition map)."""

    __slots__ = ()


# ----------------------------------------------------------------- update actions


class SetAction(Node):
    __slots__ = ("path", "value")

    def __init__(self, pos: int, path: Path, value: Node) -> None:
        super().__init__(pos)
        self.path = path
        self.value = value


class RemoveAction(Node):
    __slots__ = ("path",)

    def __init__(self, pos: int, path: Path) -> None:
        super().__init__(pos)
        self.path = path


class AddAction(Node):
    __slots__ = ("path", "value")

    def __init__(self, pos: int, path: Path, value: Node) -> None:
        super().__init__(pos)
        self.path = path
        self.value = value


class DeleteAction(Node):
    __slots__ = ("path", "value")

    def __init__(self, pos: int, path: Path, value: Node) -> None:
        super().__init__(pos)
        self.path = path
        self.value = value


class UpdateTree:
    """The four clauses of an update expression, actions in source order."""

    __slots__ = ("sets", "removes", "adds", "deletes")

    def __init__(self) -> None:
        self.sets: list[SetAction] = []
        self.removes: list[RemoveAction] = []
        self.adds: list[AddAction] = []
        self.deletes: list[DeleteAction] = []

    def actions(self) -> list[Node]:
        """Every action, ordered as written."""
        every: list[Node] = [*self.sets, *self.removes, *self.adds, *self.deletes]
        every.sort(key=lambda action: action.pos)
        return every


def format_path(elements: tuple[PathElement, ...] | list[PathElement]) -> str:
    """DynamoDB's rendering of a path in messages: ``[a, b, [2]]``."""
    return "[" + ", ".join(f"[{e}]" if isinstance(e, int) else e for e in elements) + "]"
