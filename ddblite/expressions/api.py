"""The expression objects operations use: Condition, Update, Projection.

Pipeline per expression: text -> tokens -> parser -> static checks (cached by text)
-> resolve (#names, :value types; cached by text + names + value types) -> bind the
request's values (value-content checks, closures) -> evaluate / apply.
"""

from __future__ import annotations

import base64
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from ddblite.errors import ValidationException
from ddblite.expressions import ast, checks
from ddblite.expressions.evaluate import AttributeValue, Item, compare, constant_of, type_of
from ddblite.expressions.evaluator import compile_condition
from ddblite.expressions.parser import ConditionParser, ProjectionParser, UpdateParser
from ddblite.expressions.projection import build_tree, project
from ddblite.expressions.update import apply_update
from ddblite.recursion import recursion_room

MAX_EXPRESSION_BYTES = 4096
CACHE_SIZE = 1024


class LRUCache:
    """A small least-recently-used map (parse results are immutable once built)."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._data: OrderedDict[Hashable, Any] = OrderedDict()
        # Counters, so tests and benchmarks can show a repeated expression is not re-parsed.
        self.hits = 0
        self.misses = 0

    def get_or_build(self, key: Hashable, build: Callable[[], Any]) -> Any:
        data = self._data
        try:
            data.move_to_end(key)
            value = data[key]
            self.hits += 1
            return value
        except KeyError:
            pass
        self.misses += 1
        with recursion_room():  # a 4 KB text can nest some thousands of levels
            value = build()
        data[key] = value
        if len(data) > self.size:
            data.popitem(last=False)
        return value

    def clear(self) -> None:
        self._data.clear()

    def __len__(self) -> int:
        return len(self._data)


_parsed = LRUCache()
_resolved = LRUCache()


def clear_caches() -> None:
    _parsed.clear()
    _resolved.clear()


def cache_stats() -> dict[str, tuple[int, int]]:
    """(hits, misses) of the parse and resolve caches."""
    return {"parse": (_parsed.hits, _parsed.misses), "resolve": (_resolved.hits, _resolved.misses)}


def check_text(kind: str, text: str) -> None:
    if not text.strip():
        raise checks.invalid(kind, "The expression can not be empty;")
    size = len(text.encode("utf-8"))
    if size > MAX_EXPRESSION_BYTES:
        # Measured (ExtendDB's dual-target tests): only conditions and filters add the size.
        suffix = f" expression size: {size}" if kind in _SIZED_KINDS else ""
        raise checks.invalid(
            kind, f"Expression size has exceeded the maximum allowed size;{suffix}"
        )


_SIZED_KINDS = frozenset(("ConditionExpression", "FilterExpression"))


def _value_types(values: dict[str, AttributeValue] | None) -> dict[str, str]:
    return {ref: type_of(value) for ref, value in (values or {}).items()}


def _resolve_key(kind: str, text: str, names: dict | None, types: dict[str, str]) -> tuple:
    return (kind, text, tuple((names or {}).items()), tuple(types.items()))


def render_value(value: AttributeValue) -> str:
    """``{S:abc}`` as DynamoDB prints an AttributeValue inside messages."""
    tag = type_of(value)
    inner = value[tag]
    if tag == "B":
        inner = base64.b64encode(inner).decode()
    return "{" + f"{tag}:{inner}" + "}"


# ---------------------------------------------------------------- conditions


class Condition:
    """A validated condition bound to one request's values.

    ``evaluate(item)`` (also ``condition(item)``) tells whether a stored item matches;
    pass ``{}`` for an item that does not exist.
    """

    __slots__ = ("kind", "tree", "names_used", "values_used", "evaluate")

    def __init__(self, kind: str, tree: ast.Node, usage: checks.Usage,
                 values: dict[str, AttributeValue]) -> None:
        self.kind = kind
        self.tree = tree
        self.names_used = frozenset(usage.names)
        self.values_used = frozenset(usage.values)
        _check_bound_condition(kind, tree, values)
        self.evaluate: Callable[[Item], bool] = compile_condition(tree, values)

    def __call__(self, item: Item) -> bool:
        return self.evaluate(item)


def _check_bound_condition(kind: str, tree: ast.Node, values: dict[str, AttributeValue]) -> None:
    """Rules that need the values themselves: attribute_type names, BETWEEN bounds."""
    for leaf in checks.leaves(tree):
        if isinstance(leaf, ast.Call) and leaf.name == "attribute_type":
            wanted = constant_of(leaf.args[1], values)
            if wanted is not None and wanted["S"] not in checks.TYPE_NAMES:
                raise checks.invalid(
                    kind,
                    f"Invalid attribute type name found; type: {wanted['S']}, "
                    "valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}",
                )
        elif isinstance(leaf, ast.Between):
            low, high = constant_of(leaf.low, values), constant_of(leaf.high, values)
            check_between_bounds(kind, low, high)


def check_between_bounds(kind: str, low: AttributeValue | None,
                         high: AttributeValue | None) -> None:
    if low is None or high is None:
        return
    bounds = (
        f"lower bound operand: AttributeValue: {render_value(low)}, "
        f"upper bound operand: AttributeValue: {render_value(high)}"
    )
    if type_of(low) != type_of(high):
        raise checks.invalid(
            kind, "The BETWEEN operator requires same data type for lower and upper bounds; "
            + bounds,
        )
    if compare(">", low, high):
        raise checks.invalid(
            kind,
            "The BETWEEN operator requires upper bound to be greater than or equal to lower "
            "bound; " + bounds,
        )


def _parse_condition_tree(kind: str, text: str) -> ast.Node:
    def build() -> ast.Node:
        check_text(kind, text)
        parser = ConditionParser(kind, text)
        tree = parser.parse()
        checks.static_condition(kind, tree, parser.redundant_parens)
        return tree

    return _parsed.get_or_build(("condition", kind, text), build)


def resolve_condition(kind: str, text: str, names: dict[str, str] | None,
                      types: dict[str, str]) -> tuple[ast.Node, checks.Usage]:
    """Parse and resolve (cached); returns the resolved tree and what it used."""

    def build() -> tuple[ast.Node, checks.Usage]:
        tree = _copy_tree(_parse_condition_tree(kind, text))
        usage = checks.resolve_condition(kind, tree, names or {}, types)
        return tree, usage

    return _resolved.get_or_build(_resolve_key(kind, text, names, types), build)


def parse_condition(text: str, names: dict[str, str] | None = None,
                    values: dict[str, AttributeValue] | None = None,
                    kind: str = "ConditionExpression") -> Condition:
    """A ConditionExpression / FilterExpression bound to the request's maps."""
    values = values or {}
    tree, usage = resolve_condition(kind, text, names, _value_types(values))
    return Condition(kind, tree, usage, values)


def condition_from_tree(tree: ast.Node, kind: str = "ConditionExpression") -> Condition:
    """A Condition for a tree built in code (legacy translations): literals, no placeholders."""
    usage = checks.resolve_condition(kind, tree, {}, {})
    return Condition(kind, tree, usage, {})


def _copy_tree(node: Any) -> Any:
    """A copy of a parsed tree whose Paths can be resolved without touching the cache."""
    if isinstance(node, ast.Path):
        return ast.Path(node.pos, node.raw)
    if isinstance(node, list):
        return [_copy_tree(n) for n in node]
    if isinstance(node, ast.UpdateTree):
        copied = ast.UpdateTree()
        copied.sets = _copy_tree(node.sets)
        copied.removes = _copy_tree(node.removes)
        copied.adds = _copy_tree(node.adds)
        copied.deletes = _copy_tree(node.deletes)
        return copied
    if isinstance(node, ast.Node):
        clone = object.__new__(type(node))
        for cls in type(node).__mro__:
            for slot in getattr(cls, "__slots__", ()):
                setattr(clone, slot, _copy_tree(getattr(node, slot)))
        return clone
    return node


# ---------------------------------------------------------------- projection


class Projection:
    """A validated ProjectionExpression (or AttributesToGet)."""

    def __init__(self, paths: list[tuple], names_used: frozenset[str] = frozenset()) -> None:
        self.paths = paths
        self.names_used = names_used
        self.values_used: frozenset[str] = frozenset()
        # Top-level attributes read (what an index projection must cover).
        self.attributes = tuple(dict.fromkeys(p[0] for p in paths))
        self._tree = build_tree(paths)

    def apply(self, item: Item) -> Item:
        return project(item, self._tree)

    __call__ = apply


def parse_projection(text: str, names: dict[str, str] | None = None) -> Projection:
    kind = "ProjectionExpression"

    def build() -> Projection:
        def parse() -> list[ast.Path]:
            check_text(kind, text)
            paths = ProjectionParser(text).parse()
            checks.static_projection(paths)
            return paths

        paths = _copy_tree(_parsed.get_or_build(("projection", text), parse))
        resolver = checks.Resolver(kind, names or {}, {})
        for path in paths:
            resolver.resolve_path(path)
        elements = [p.elements for p in paths]
        checks.check_overlaps(kind, elements)
        return Projection(elements, frozenset(resolver.usage.names))

    return _resolved.get_or_build(_resolve_key(kind, text, names, {}), build)


# ---------------------------------------------------------------- update


class Update:
    """A validated update expression bound to one request's values.

    ``apply(old) -> new`` never mutates ``old``. ``paths`` lists every target path and
    ``attributes`` the top-level attributes touched; ``updated_old(old)`` /
    ``updated_new(new)`` give the ReturnValues UPDATED_OLD / UPDATED_NEW images.
    """

    def __init__(self, tree: ast.UpdateTree, usage: checks.Usage,
                 values: dict[str, AttributeValue]) -> None:
        self.tree = tree
        self.values = values
        self.names_used = frozenset(usage.names)
        self.values_used = frozenset(usage.values)
        # Derived from the (cached) tree only, so computed once per resolved expression.
        shape = usage.update_shape
        if shape is None:
            paths = [action.path.elements for action in tree.actions()]  # type: ignore[attr-defined]
            shape = (paths, tuple(dict.fromkeys(p[0] for p in paths)), build_tree(paths))
            usage.update_shape = shape
        self.paths, self.attributes, self._touched = shape
        # AttributeUpdates (legacy) words an ADD/DELETE type clash its own way.
        self.legacy = False

    @property
    def only_removes(self) -> bool:
        """True when the update has actions and all of them take attributes (or set
        members) away: REMOVE / DELETE only."""
        tree = self.tree
        return bool(tree.removes or tree.deletes) and not tree.sets and not tree.adds

    def check_key_attributes(self, key_names: tuple[str, ...] | list[str]) -> None:
        """Refuse an update of a primary-key attribute, as DynamoDB words it."""
        for path in self.paths:
            if path[0] in key_names:
                raise ValidationException(
                    "One or more parameter values were invalid: Cannot update attribute "
                    f"{path[0]}. This attribute is part of the key"
                )

    def apply(self, old: Item) -> Item:
        return apply_update(self.tree, old, self.values, self.legacy)

    def updated_old(self, old: Item) -> Item:
        return project(old, self._touched)

    def updated_new(self, new: Item) -> Item:
        return project(new, self._touched)


def resolve_update(text: str, names: dict[str, str] | None,
                   types: dict[str, str]) -> tuple[ast.UpdateTree, checks.Usage]:
    kind = "UpdateExpression"

    def parse() -> ast.UpdateTree:
        check_text(kind, text)
        parser = UpdateParser(text)
        tree = parser.parse()
        checks.static_update(tree, parser.clause_order)
        return tree

    def build() -> tuple[ast.UpdateTree, checks.Usage]:
        tree = _copy_tree(_parsed.get_or_build(("update", text), parse))
        usage = resolve_update_tree(tree, names or {}, types)
        return tree, usage

    return _resolved.get_or_build(_resolve_key(kind, text, names, types), build)


def resolve_update_tree(tree: ast.UpdateTree, names: dict[str, str],
                        types: dict[str, str]) -> checks.Usage:
    resolver = checks.Resolver("UpdateExpression", names, types)
    actions = tree.actions()
    for action in actions:  # undefined names first, then undefined values
        for node in _update_nodes(action):
            if isinstance(node, ast.Path):
                resolver.resolve_path(node)
    for action in actions:
        for node in _update_nodes(action):
            if isinstance(node, ast.ValueRef):
                resolver.resolve_value(node)
    checks.check_overlaps("UpdateExpression", [a.path.elements for a in actions])  # type: ignore[attr-defined]
    for action in actions:
        if isinstance(action, (ast.AddAction, ast.DeleteAction)):
            _check_add_delete(resolver, action)
    operators = 0
    for action in actions:
        value = getattr(action, "value", None)
        if isinstance(action, ast.SetAction) and value is not None:
            for node in checks.walk_operand(value):
                if isinstance(node, ast.Call):
                    resolver.check_call(node, checks.UPDATE_FUNCTIONS)
                    operators += 1
                elif isinstance(node, ast.Arith):
                    _check_arith(resolver, node)
                    operators += 1
    if operators > checks.MAX_OPERATORS:
        raise resolver.fail(checks.TOO_MANY_OPERATORS)
    return resolver.usage


def _update_nodes(action: ast.Node) -> list[ast.Node]:
    nodes: list[ast.Node] = [action.path]  # type: ignore[attr-defined]
    value = getattr(action, "value", None)
    if value is not None:
        nodes.extend(checks.walk_operand(value))
    return nodes


def _check_add_delete(resolver: checks.Resolver, action: ast.Node) -> None:
    operator = "ADD" if isinstance(action, ast.AddAction) else "DELETE"
    value_type = resolver.static_type(action.value)  # type: ignore[attr-defined]
    allowed = ("N", "SS", "NS", "BS") if operator == "ADD" else ("SS", "NS", "BS")
    if value_type is not None and value_type not in allowed:
        raise resolver.fail(
            "Incorrect operand type for operator or function; "
            f"operator: {operator}, "
            f"operand type: {checks.LONG_TYPE_NAMES.get(value_type, value_type)}"
        )


def _check_arith(resolver: checks.Resolver, node: ast.Arith) -> None:
    for operand in (node.left, node.right):
        operand_type = resolver.static_type(operand)
        if operand_type is not None and operand_type != "N":
            raise resolver.operand_type_error(node.op, operand_type)


def parse_update(text: str, names: dict[str, str] | None = None,
                 values: dict[str, AttributeValue] | None = None) -> Update:
    values = values or {}
    tree, usage = resolve_update(text, names, _value_types(values))
    return Update(tree, usage, values)


def update_from_tree(tree: ast.UpdateTree) -> Update:
    """An Update for a tree built in code (legacy AttributeUpdates)."""
    for action in tree.actions():
        action.path.elements = tuple(action.path.raw)  # type: ignore[attr-defined]
    update = Update(tree, checks.Usage(), {})
    update.legacy = True
    return update
