"""Bind a parsed statement's values and turn its clauses into expression objects.

PartiQL values become AttributeValues in the stored shape (ddblite.attrvalue checks
them as it checks any request's values); WHERE clauses and SET/REMOVE actions become
ddblite.expressions syntax trees with their paths already resolved, so conditions,
filters and updates run on the one evaluator the expression language uses.
"""

from __future__ import annotations

from typing import Any

from ddblite.attrvalue import canonical_value
from ddblite.errors import ValidationException
from ddblite.expressions import api, checks
from ddblite.expressions import ast as ex
from ddblite.partiql import ast
from ddblite.partiql.lexer import malformed

PARAMETER_COUNT = "Number of parameters in request and statement don't match."
MISSING_NEEDS_IS = "MISSING must be compared using IS operator"
EMPTY_BAG = "Empty bags are not supported"
BAG_TYPES = ("Unsupported data type in Bag. DynamoDB only supports either numbers or strings "
             "in bags")
NOT_BOOLEAN = "WHERE clause must contain an expression that resolves to a boolean"
UNSUPPORTED_ITEM = ("Unsupported format in item expression. Please use struct format {...} to "
                    "express item values for insert statement.")
OPERAND_TYPE = ("Incorrect operand type for operator or function; operator or function: {}, "
                "operand type: {}")
SET_FIRST_ARG = "The first argument to SET_{} must equal the assignment value"
SET_ARGS = "SET_{} must have exactly two arguments"
UNRECOGNIZED_FUNCTION = "Unrecognized function: {}"
KEY_NOT_STRING = "Tuple keys must be of type String. Actual type: {} under {}"

_ORDERED_TYPES = ("S", "N", "B")
_IS_TYPES = {"NULL": "NULL", "BOOLEAN": "BOOL", "BLOB": "B", "STRING": "S", "NUMERIC": "N",
             "STRUCT": "M", "TUPLE": "M", "LIST": "L"}
_CONDITION_FUNCTIONS = ("begins_with", "contains", "attribute_type", "attribute_exists",
                        "attribute_not_exists")
_BAG_OF = {"S": "SS", "N": "NS", "B": "BS"}


def check_parameters(statement: ast.Statement, params: list | None) -> list:
    given = params or []
    if len(given) != statement.params:
        raise ValidationException(PARAMETER_COUNT)
    return given


# ----------------------------------------------------------------- values


class Binder:
    """One call's parameters; builds AttributeValues and expression trees."""

    def __init__(self, params: list) -> None:
        self.params = params

    def raw(self, node: ast.Node) -> dict[str, Any]:
        """The wire-shaped AttributeValue of a value node (not yet validated)."""
        if type(node) is ast.Param:
            return self.params[node.index]
        if isinstance(node, ast.Literal):
            if node.kind == "MISSING":
                raise ValidationException(MISSING_NEEDS_IS)
            return {node.kind: node.value}
        if isinstance(node, ast.ListValue):
            return {"L": [self.raw(item) for item in node.items]}
        if isinstance(node, ast.MapValue):
            members = {}
            for key, value in node.pairs:
                name = self.raw(key)
                if "S" not in name:
                    raise ValidationException(KEY_NOT_STRING.format(_type_word(name), "item"))
                members[name["S"]] = self.raw(value)
            return {"M": members}
        if isinstance(node, ast.BagValue):
            return self.bag(node)
        raise malformed("Unexpected term")  # INFERRED

    def bag(self, node: ast.BagValue) -> dict[str, Any]:
        if not node.items:
            raise ValidationException(EMPTY_BAG)
        members = [canonical_value(self.raw(item)) for item in node.items]
        tags = {next(iter(member)) for member in members}
        if len(tags) != 1 or next(iter(tags)) not in _BAG_OF:
            raise ValidationException(BAG_TYPES)
        tag = tags.pop()
        return {_BAG_OF[tag]: [member[tag] for member in members]}

    def value(self, node: ast.Node) -> dict[str, Any]:
        """A validated AttributeValue in the stored shape."""
        return canonical_value(self.raw(node))

    def item(self, node: ast.Node) -> dict[str, Any]:
        if not isinstance(node, (ast.MapValue, ast.Param)):
            raise ValidationException(UNSUPPORTED_ITEM)
        raw = self.raw(node)
        if "M" not in raw:
            raise ValidationException(UNSUPPORTED_ITEM)
        return raw["M"]

    # ------------------------------------------------------------- conditions
    def condition(self, node: ast.Node) -> ex.Node:
        if isinstance(node, ast.And):
            return ex.And(0, self.condition(node.left), self.condition(node.right))
        if isinstance(node, ast.Or):
            return ex.Or(0, self.condition(node.left), self.condition(node.right))
        if isinstance(node, ast.Not):
            return ex.Not(0, self.condition(node.operand))
        if isinstance(node, ast.Compare):
            left, right = self.operand(node.left), self.operand(node.right)
            if node.op not in ("=", "<>"):
                _check_ordered(node.op, left)
                _check_ordered(node.op, right)
            return ex.Compare(0, node.op, left, right)
        if isinstance(node, ast.Between):
            operand = self.operand(node.operand)
            low, high = self.operand(node.low), self.operand(node.high)
            for part in (operand, low, high):
                _check_ordered("BETWEEN", part)
            api.check_between_bounds("ConditionExpression", _constant(low), _constant(high))
            return ex.Between(0, operand, low, high)
        if isinstance(node, ast.In):
            return ex.In(0, self.operand(node.operand),
                         [self.operand(choice) for choice in node.choices])
        if isinstance(node, ast.Is):
            return self.is_check(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        raise ValidationException(NOT_BOOLEAN)

    def is_check(self, node: ast.Is) -> ex.Node:
        operand = self.operand(node.operand)
        if node.type_name == "MISSING":
            name = "attribute_exists" if node.negated else "attribute_not_exists"
            return ex.Call(0, name, [operand])
        # INFERRED: `IS NULL` / `IS STRING` ... test the stored type (a missing attribute
        # is neither), as attribute_type does.
        test: ex.Node = ex.Call(0, "attribute_type", [
            operand, ex.Literal(0, {"S": _IS_TYPES[node.type_name]})])
        return ex.Not(0, test) if node.negated else test

    def call(self, node: ast.Call) -> ex.Node:
        name = node.name
        if name == "exists":  # EXISTS(...) is a statement of ExecuteTransaction only
            raise ValidationException(
                "EXISTS can only be used in ExecuteTransaction write requests.")
        if name not in _CONDITION_FUNCTIONS:
            raise ValidationException(UNRECOGNIZED_FUNCTION.format(name))
        args = [self.operand(arg) for arg in node.args]
        wanted = 1 if name.startswith("attribute_") and name != "attribute_type" else 2
        if len(args) != wanted or not isinstance(args[0], ex.Path):
            # INFERRED: the expression language's wording for a misused function.
            raise ValidationException(
                f"Incorrect number of operands for operator or function; operator or function: "
                f"{name}, number of operands: {len(args)}")
        return ex.Call(0, name, args)

    def operand(self, node: ast.Node) -> ex.Node:
        if isinstance(node, ast.Path):
            return path_node(node)
        if isinstance(node, ast.Call):
            if node.name != "size" or len(node.args) != 1:
                raise ValidationException(UNRECOGNIZED_FUNCTION.format(node.name))
            return ex.Call(0, "size", [self.operand(node.args[0])])
        if isinstance(node, (ast.Compare, ast.And, ast.Or, ast.Not, ast.Between, ast.In,
                             ast.Is, ast.Arith)):
            raise malformed("Unexpected term")  # INFERRED
        return ex.Literal(0, self.value(node))

    # ------------------------------------------------------------- updates
    def update(self, statement: ast.Update) -> api.Update:
        tree = ex.UpdateTree()
        position = 0
        for target, value in statement.sets:
            position += 1
            path = path_node(target)
            if isinstance(value, ast.Call) and value.name in ("set_add", "set_delete"):
                operand = self.set_operand(target, value)
                action = ex.AddAction if value.name == "set_add" else ex.DeleteAction
                collection = tree.adds if value.name == "set_add" else tree.deletes
                collection.append(action(position, path, operand))  # type: ignore[arg-type]
                continue
            tree.sets.append(ex.SetAction(position, path, self.update_value(value)))
        for target in statement.removes:
            position += 1
            tree.removes.append(ex.RemoveAction(position, path_node(target)))
        checks.check_overlaps("UpdateExpression", [a.path.elements for a in tree.actions()])  # type: ignore[attr-defined]
        return api.Update(tree, checks.Usage(), {})

    def set_operand(self, target: ast.Path, call: ast.Call) -> ex.Node:
        word = call.name[4:].upper()
        if len(call.args) != 2:
            raise ValidationException(SET_ARGS.format(word))
        first = call.args[0]
        if not isinstance(first, ast.Path) or first.elements != target.elements:
            raise ValidationException(SET_FIRST_ARG.format(word))
        value = self.value(call.args[1])
        if next(iter(value)) not in ("SS", "NS", "BS"):
            raise ValidationException(
                f"The second argument to SET_{word} must be a value with type SET")
        return ex.Literal(0, value)

    def update_value(self, node: ast.Node) -> ex.Node:
        if isinstance(node, ast.Path):
            return path_node(node)
        if isinstance(node, ast.Arith):
            return ex.Arith(0, node.op, self.update_value(node.left),
                            self.update_value(node.right))
        if isinstance(node, ast.Call):
            if node.name in ("list_append", "if_not_exists") and len(node.args) == 2:
                return ex.Call(0, node.name, [self.update_value(arg) for arg in node.args])
            raise ValidationException(UNRECOGNIZED_FUNCTION.format(node.name))
        return ex.Literal(0, self.value(node))


def path_node(path: ast.Path) -> ex.Path:
    node = ex.Path(0, list(path.elements))
    node.elements = path.elements
    return node


def make_condition(tree: ex.Node) -> api.Condition:
    """A Condition over a tree built here (paths resolved, values literal)."""
    return api.Condition("ConditionExpression", tree, checks.Usage(), {})


def _constant(node: ex.Node) -> dict | None:
    return node.value if isinstance(node, ex.Literal) else None


def _check_ordered(operator: str, node: ex.Node) -> None:
    value = _constant(node)
    if value is not None:
        tag = next(iter(value))
        if tag not in _ORDERED_TYPES:
            raise ValidationException(OPERAND_TYPE.format(operator, tag))


def _type_word(value: dict) -> str:
    return next(iter(value), "?")
