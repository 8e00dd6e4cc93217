"""The expressions of a read request (Query, Scan, GetItem, BatchGetItem), parsed once.

Turns KeyConditionExpression / FilterExpression / ProjectionExpression (or the
legacy KeyConditions / QueryFilter / ScanFilter / AttributesToGet) into what
the read path needs: a key range, a filter predicate and a projection.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ddblite.attrvalue import canonical_value
from ddblite.errors import ValidationException
from ddblite.expressions import RequestExpressions, legacy
from ddblite.validate import expect_list, expect_map, expect_str

if TYPE_CHECKING:
    from ddblite.engine.catalog import TableInfo

_SORT_OPS = {
    "EQ": "=",
    "LT": "<",
    "LE": "<=",
    "GT": ">",
    "GE": ">=",
    "BETWEEN": "BETWEEN",
    "BEGINS_WITH": "begins_with",
}


def check_expression_params(
    params: dict, expressions: tuple[str, ...], legacy_names: tuple[str, ...]
) -> None:
    """DynamoDB's rules on mixing expression and legacy (non-expression) parameters."""
    used = [name for name in expressions if params.get(name) is not None]
    if used:
        others = list(legacy_names)
        # KeyConditions alone may go with expressions that are not a key condition.
        if params.get("KeyConditions") is not None and params.get("KeyConditionExpression") is None:
            others = [name for name in others if name != "KeyConditions"]
        mixed = [name for name in others if params.get(name) is not None]
        if mixed:
            raise ValidationException(
                "Can not use both expression and non-expression parameters in the same request: "
                f"Non-expression parameters: {{{', '.join(mixed)}}} "
                f"Expression parameters: {{{', '.join(used)}}}"
            )
    if params.get("ExpressionAttributeNames") is not None and not used:
        raise ValidationException(
            "ExpressionAttributeNames can only be specified when using expressions"
        )
    value_exprs = [name for name in expressions if name != "ProjectionExpression"]
    if (
        value_exprs
        and params.get("ExpressionAttributeValues") is not None
        and all(params.get(name) is None for name in value_exprs)
    ):
        verb = "are" if len(value_exprs) > 1 else "is"
        raise ValidationException(
            "ExpressionAttributeValues can only be specified when using expressions: "
            f"{' and '.join(value_exprs)} {verb} null"
        )


def canonical_values(values: dict | None) -> dict | None:
    if values is None:
        return None
    return {name: canonical_value(value) for name, value in values.items()}


class ReadExpressions:
    """Parsed read expressions: key condition, filter and projection."""

    def __init__(self) -> None:
        self.key_condition = None
        self.filter: Callable[[dict], bool] | None = None
        self.project: Callable[[dict], dict] | None = None
        self.has_projection = False

    def key_range(self, table: TableInfo) -> tuple[Any, tuple | None]:
        """(partition key value, sort condition (op, *values) or None) for a table's schema."""
        if self.key_condition is None:
            raise ValidationException(
                "Either the KeyConditions or KeyConditionExpression parameter must be specified "
                "in the request."
            )
        found = self.key_condition.key_range(
            table.pk_name, table.pk_type, table.sk_name, table.sk_type
        )
        partition = found.partition_value[table.pk_type]
        if found.sort_op is None:
            return partition, None
        op = _SORT_OPS[found.sort_op]
        return partition, (op, *(value[table.sk_type] for value in found.sort_values))


def _parse(params: dict, *, query: bool) -> ReadExpressions:
    legacy_filter_name = "QueryFilter" if query else "ScanFilter"
    expressions = ("ProjectionExpression", "FilterExpression")
    legacy_names = ("AttributesToGet", legacy_filter_name, "ConditionalOperator")
    if query:
        expressions += ("KeyConditionExpression",)
        legacy_names += ("KeyConditions",)
    check_expression_params(params, expressions, legacy_names)
    names = expect_map(params, "ExpressionAttributeNames")
    values = canonical_values(expect_map(params, "ExpressionAttributeValues"))
    request = RequestExpressions(names, values)
    parsed = ReadExpressions()
    if query:
        key_text = expect_str(params, "KeyConditionExpression")
        if key_text is not None:
            parsed.key_condition = request.key_condition(key_text)
        elif params.get("KeyConditions") is not None:
            parsed.key_condition = legacy.key_conditions(
                _canonical_conditions(expect_map(params, "KeyConditions"))
            )
    filter_text = expect_str(params, "FilterExpression")
    legacy_filter = expect_map(params, legacy_filter_name)
    condition = None
    if filter_text is not None:
        condition = request.filter(filter_text)
    elif legacy_filter is not None:
        condition = legacy.filter_condition(
            _canonical_conditions(legacy_filter),
            expect_str(params, "ConditionalOperator"),
            legacy_filter_name,
        )
    if condition is not None:
        parsed.filter = condition.evaluate
    projection = _projection(params, request)
    if projection is not None:
        parsed.project = projection.apply
        parsed.has_projection = True
    request.finish()
    return parsed


def _projection(params: dict, request: RequestExpressions):
    text = expect_str(params, "ProjectionExpression")
    if text is not None:
        return request.projection(text)
    names = expect_list(params, "AttributesToGet")
    if names is not None:
        return legacy.attributes_to_get(names)
    return None


def _canonical_conditions(conditions: dict | None) -> dict:
    result: dict = {}
    for name, condition in (conditions or {}).items():
        condition = dict(condition)
        if condition.get("AttributeValueList") is not None:
            condition["AttributeValueList"] = [
                canonical_value(value) for value in condition["AttributeValueList"]
            ]
        result[name] = condition
    return result


def for_query(params: dict) -> ReadExpressions:
    return _parse(params, query=True)


def for_scan(params: dict) -> ReadExpressions:
    return _parse(params, query=False)


def for_get(params: dict) -> ReadExpressions:
    """GetItem / one BatchGetItem table: only a projection."""
    check_expression_params(params, ("ProjectionExpression",), ("AttributesToGet",))
    names = expect_map(params, "ExpressionAttributeNames")
    request = RequestExpressions(names, None)
    parsed = ReadExpressions()
    projection = _projection(params, request)
    if projection is not None:
        parsed.project = projection.apply
        parsed.has_projection = True
    request.finish()
    return parsed
