"""The expressions of a read request (Query, Scan, GetItem, BatchGetItem), parsed once.

Turns KeyConditionExpression / FilterExpression / ProjectionExpression (or the
legacy KeyConditions / QueryFilter / ScanFilter / AttributesToGet) into what
the read path needs: key conditions, a filter predicate and a projection.

DynamoDB checks these in phases, and the operation calls them in its order:
mixing of expression and legacy parameters, the legacy filter, AttributesToGet,
the Select rules, then the expressions themselves (names/values maps, syntax,
unused entries) and last the legacy KeyConditions.
"""

from __future__ import annotations

from collections.abc import Callable

from ddblite.attrvalue import canonical_value
from ddblite.errors import ValidationException
from ddblite.expressions import RequestExpressions, ast, checks, legacy
from ddblite.expressions.keycondition import KeyCondition
from ddblite.ops.conditions import check_expression_params, request_expressions
from ddblite.validate import expect_list, expect_map, expect_str

__all__ = ["ReadExpressions", "for_get", "parse_expressions"]

# ------------------------------------------------------------------ legacy parameters


def _canonical_conditions(conditions: dict | None) -> dict:
    result: dict = {}
    for name, condition in (conditions or {}).items():
        condition = dict(condition)
        if condition.get("AttributeValueList") is not None:
            condition["AttributeValueList"] = [
                canonical_value(value) for value in expect_list(condition, "AttributeValueList")
            ]
        result[name] = condition
    return result


def legacy_filter(params: dict, member: str):
    """QueryFilter / ScanFilter (+ ConditionalOperator) as a Condition, or None."""
    conditions = expect_map(params, member)
    if conditions is None:
        return None
    return legacy.filter_condition(
        _canonical_conditions(conditions), expect_str(params, "ConditionalOperator"), member
    )


def attributes_to_get(params: dict):
    """AttributesToGet as a Projection (duplicates refused), or None."""
    names = expect_list(params, "AttributesToGet")
    return legacy.attributes_to_get(names) if names is not None else None


def legacy_key_conditions(params: dict) -> KeyCondition | None:
    conditions = expect_map(params, "KeyConditions")
    if conditions is None:
        return None
    return legacy.key_conditions(_canonical_conditions(conditions))


# ------------------------------------------------------------------ Select


def check_select(params: dict, *, query: bool) -> None:
    """DynamoDB's rules on combining Select with a projection.

    Query words these inside the "1 validation error detected" envelope, Scan bare.
    """
    select = params.get("Select")
    if select is None:
        return
    envelope = "1 validation error detected: " if query else ""
    projection = next(
        (name for name in ("ProjectionExpression", "AttributesToGet")
         if params.get(name) is not None),
        None,
    )
    if select == "SPECIFIC_ATTRIBUTES":
        if projection is None:
            raise ValidationException(
                f"{envelope}Must specify the AttributesToGet or ProjectionExpression when "
                "choosing to get SPECIFIC_ATTRIBUTES"
            )
        return
    if projection is not None:
        target = "only the Count" if select == "COUNT" else select
        raise ValidationException(
            f"{envelope}Cannot specify the {projection} when choosing to get {target}"
        )
    if select == "ALL_PROJECTED_ATTRIBUTES" and params.get("IndexName") is None:
        raise ValidationException(
            "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"
        )


# ------------------------------------------------------------------ parsed expressions


class ReadExpressions:
    """Parsed read expressions: key condition, filter and projection."""

    __slots__ = (
        "key_condition", "filter", "filter_label", "filter_paths", "project", "projection_paths",
        "has_projection",
    )

    def __init__(self) -> None:
        self.key_condition: KeyCondition | None = None
        self.filter: Callable[[dict], bool] | None = None
        self.filter_label = "Filter Expression"  # how key-attribute errors name the filter
        self.filter_paths: list[tuple] = []
        self.project: Callable[[dict], dict] | None = None
        self.projection_paths: list[tuple] = []
        self.has_projection = False

    def set_filter(self, condition, label: str) -> None:
        self.filter = condition.evaluate
        self.filter_label = label
        self.filter_paths = [
            node.elements for node in checks.walk_condition(condition.tree)
            if isinstance(node, ast.Path)
        ]

    def set_projection(self, projection) -> None:
        self.project = projection.apply
        self.projection_paths = list(projection.paths)
        self.has_projection = True


def parse_expressions(params: dict, expressions: ReadExpressions, *, query: bool) -> None:
    """Names/values maps, then KeyConditionExpression, FilterExpression and
    ProjectionExpression in that order, then names/values no expression used."""
    request = request_expressions(params)
    if query:
        expressions.key_condition = request.key_condition(
            expect_str(params, "KeyConditionExpression")
        )
    condition = request.filter(expect_str(params, "FilterExpression"))
    if condition is not None:
        expressions.set_filter(condition, "Filter Expression")
    projection = request.projection(expect_str(params, "ProjectionExpression"))
    if projection is not None:
        expressions.set_projection(projection)
    request.finish()


def for_get(params: dict) -> ReadExpressions:
    """GetItem / one BatchGetItem table: only a projection."""
    check_expression_params(params, ("ProjectionExpression",), ("AttributesToGet",))
    names = expect_map(params, "ExpressionAttributeNames")
    request = RequestExpressions(names, None)
    parsed = ReadExpressions()
    projection = request.projection(expect_str(params, "ProjectionExpression"))
    if projection is None:
        projection = attributes_to_get(params)
    if projection is not None:
        parsed.set_projection(projection)
    request.finish()
    return parsed
