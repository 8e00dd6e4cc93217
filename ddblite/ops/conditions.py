"""Write conditions: ConditionExpression or legacy Expected, checked against the old item.

Shared by PutItem, UpdateItem, DeleteItem (and transactions). Each function is one
phase of DynamoDB's validation order, so an operation calls them where its order says:

    return_on_failure = expect_condition_types(params)      # 1. JSON types
    add_condition_constraints(shape, params)                # 2. collected constraints
    check_expression_params(params, ...)                    # 3. expression/legacy mixing
    ...the item's / key's AttributeValues...                # 4.
    condition = parse_condition(params)                     # 5. maps, values, expressions
    ...table lookup, key schema, read the old item...
    check(condition, old_item, return_on_failure)           # 6. ConditionalCheckFailed

UpdateItem shares one ExpressionAttributeNames/Values pair between its
UpdateExpression and ConditionExpression, so it uses `request_expressions` and
`write_condition` directly and calls `finish()` itself.
"""

from __future__ import annotations

from typing import Any

from ddblite.attrvalue import (
    AttributeNameError,
    canonical_value,
    type_check_item,
    type_check_value,
)
from ddblite.errors import ConditionalCheckFailedException, ValidationException
from ddblite.expressions import Condition, RequestExpressions, check_attribute_maps
from ddblite.expressions import expected_condition as legacy_expected_condition
from ddblite.validate import (
    RETURN_VALUES_ON_CONDITION_CHECK_FAILURE,
    Shape,
    expect_bool,
    expect_list,
    expect_map,
    expect_str,
)

CONDITION_FAILED = "The conditional request failed"
COMPARISON_OPERATORS = (
    "IN", "NULL", "BETWEEN", "LT", "NOT_CONTAINS", "EQ", "GT", "NOT_NULL", "NE", "LE",
    "BEGINS_WITH", "GE", "CONTAINS",
)
CONDITIONAL_OPERATORS = ("OR", "AND")
WRITE_EXPRESSIONS = ("ConditionExpression",)
WRITE_LEGACY = ("Expected", "ConditionalOperator")
# The legacy members ConditionalOperator joins, whichever the request has.
_OPERATOR_TARGETS = ("Expected", "QueryFilter", "ScanFilter")

_COMPARISON_OPERATORS = frozenset(COMPARISON_OPERATORS)
_RVOCCF = frozenset(RETURN_VALUES_ON_CONDITION_CHECK_FAILURE)


# ---------------------------------------------------------------- 1. JSON types


def expect_condition_types(params: dict) -> str | None:
    """The deserializer's checks of the condition members; returns
    ReturnValuesOnConditionCheckFailure. Values are type-checked in full here, so a
    JSON type error in them wins over every validation error, as on DynamoDB."""
    expect_str(params, "ConditionExpression")
    expect_str(params, "ConditionalOperator")
    names = expect_map(params, "ExpressionAttributeNames")
    if names:
        for value in names.values():
            expect_str({"v": value}, "v")
    values = expect_map(params, "ExpressionAttributeValues")
    if values:
        type_check_item(values)
    expected = expect_map(params, "Expected")
    if expected:
        for spec in expected.values():
            _expect_expected_entry(spec)
    return expect_str(params, "ReturnValuesOnConditionCheckFailure")


def _expect_expected_entry(spec: Any) -> None:
    entry = expect_map({"v": spec}, "v")
    if entry is None:
        return
    expect_bool(entry, "Exists")
    expect_str(entry, "ComparisonOperator")
    if entry.get("Value") is not None:
        type_check_value(entry["Value"])
    for value in expect_list(entry, "AttributeValueList") or ():
        type_check_value(value)


# ---------------------------------------------------------------- 2. constraints


def add_condition_constraints(shape: Shape, params: dict) -> None:
    """conditionalOperator, expected.<name>.member.comparisonOperator and
    returnValuesOnConditionCheckFailure enum violations, into the collected ones."""
    operator = params.get("ConditionalOperator")
    if operator is not None and operator not in CONDITIONAL_OPERATORS:
        shape.enum(operator, "conditionalOperator", CONDITIONAL_OPERATORS)
    for name, spec in (params.get("Expected") or {}).items():
        op = (spec or {}).get("ComparisonOperator")
        if op is not None and op not in _COMPARISON_OPERATORS:
            shape.enum(op, f"expected.{name}.member.comparisonOperator", COMPARISON_OPERATORS)
    on_failure = params.get("ReturnValuesOnConditionCheckFailure")
    if on_failure is not None and on_failure not in _RVOCCF:
        shape.enum(
            on_failure, "returnValuesOnConditionCheckFailure",
            RETURN_VALUES_ON_CONDITION_CHECK_FAILURE,
        )


# ---------------------------------------------------------------- 3. mixing


def check_expression_params(params: dict, expressions: tuple[str, ...] = WRITE_EXPRESSIONS,
                            legacy: tuple[str, ...] = WRITE_LEGACY) -> None:
    """DynamoDB's rules on mixing expression and non-expression (legacy) parameters.

    `expressions` and `legacy` are the request's members of each kind, in the order
    DynamoDB lists them (UpdateItem: UpdateExpression, ConditionExpression /
    AttributeUpdates, Expected; Query: ProjectionExpression, FilterExpression,
    KeyConditionExpression / AttributesToGet, QueryFilter, ConditionalOperator,
    KeyConditions). Reads and writes share this one rule set.
    """
    used = [name for name in expressions if params.get(name) is not None]
    if used:
        others = legacy
        # KeyConditions may go with expressions as long as none is a key condition.
        if params.get("KeyConditions") is not None and params.get("KeyConditionExpression") is None:
            others = tuple(name for name in legacy if name != "KeyConditions")
        mixed = [name for name in others if params.get(name) is not None]
        if mixed:
            raise ValidationException(
                "Can not use both expression and non-expression parameters in the same request: "
                f"Non-expression parameters: {{{', '.join(mixed)}}} "
                f"Expression parameters: {{{', '.join(used)}}}"
            )
    else:
        if params.get("ConditionalOperator") is not None:
            _check_conditional_operator(params, legacy)
        if params.get("ExpressionAttributeNames") is not None:
            raise ValidationException(
                "ExpressionAttributeNames can only be specified when using expressions"
            )
    # A projection takes no values: only the other expressions can use them.
    value_expressions = [name for name in expressions if name != "ProjectionExpression"]
    if (
        value_expressions
        and params.get("ExpressionAttributeValues") is not None
        and all(params.get(name) is None for name in value_expressions)
    ):
        verb = "are" if len(value_expressions) > 1 else "is"
        raise ValidationException(
            "ExpressionAttributeValues can only be specified when using expressions: "
            f"{' and '.join(value_expressions)} {verb} null"
        )


def _check_conditional_operator(params: dict, legacy: tuple[str, ...]) -> None:
    """ConditionalOperator joins two or more conditions of Expected / QueryFilter /
    ScanFilter; DynamoDB refuses it alone, with an empty map, or with one condition."""
    target = next((name for name in _OPERATOR_TARGETS if name in legacy), None)
    conditions = params.get(target) if target is not None else None
    if not conditions:
        raise ValidationException("ConditionalOperator cannot be used without Filter or Expected")
    if len(conditions) < 2:
        raise ValidationException(
            "ConditionalOperator can only be used when Filter or Expected has two or more "
            "elements"
        )


# ---------------------------------------------------------------- 4/5. parse


def canonical_expression_values(values: dict | None) -> dict | None:
    """ExpressionAttributeValues in stored form; a bad value names its key."""
    if not values:
        return values
    canonical = {}
    for key, value in values.items():
        try:
            canonical[key] = canonical_value(value)
        except AttributeNameError:
            raise  # measured: a bad name inside a value is reported bare
        except ValidationException as exc:
            raise ValidationException(
                f"ExpressionAttributeValues contains invalid value: {exc.message} for key {key}"
            ) from None
    return canonical


def request_expressions(params: dict) -> RequestExpressions:
    """The request's ExpressionAttributeNames/Values, checked and canonicalised.

    Order: names (empty, key syntax), values (empty, key syntax), then each value."""
    names = params.get("ExpressionAttributeNames")
    values = params.get("ExpressionAttributeValues")
    check_attribute_maps(names, values)
    return RequestExpressions(names, canonical_expression_values(values))


def expected_condition(params: dict) -> Condition | None:
    """Legacy Expected (+ ConditionalOperator) as a Condition, values canonicalised."""
    expected = params.get("Expected")
    if expected is None:
        return None
    canonical: dict[str, dict] = {}
    for name, spec in expected.items():
        entry = dict(spec or {})
        if entry.get("Value") is not None:
            entry["Value"] = canonical_value(entry["Value"])
        if entry.get("AttributeValueList") is not None:
            entry["AttributeValueList"] = [canonical_value(v) for v in entry["AttributeValueList"]]
        canonical[name] = entry
    return legacy_expected_condition(canonical, params.get("ConditionalOperator"))


def write_condition(params: dict, exprs: RequestExpressions) -> Condition | None:
    """ConditionExpression (through the request's shared maps) or Expected; None if neither."""
    text = params.get("ConditionExpression")
    if text is not None:
        return exprs.condition(text)
    return expected_condition(params)


def parse_condition(params: dict) -> Condition | None:
    """PutItem / DeleteItem: Expected, then the maps, the ConditionExpression and the
    unused-name/value check. Call after `check_expression_params`."""
    if params.get("ConditionExpression") is None:
        # No expression: the mixing rules already refused the maps; Expected or nothing.
        return expected_condition(params)
    exprs = request_expressions(params)
    condition = write_condition(params, exprs)
    exprs.finish()
    return condition


# ---------------------------------------------------------------- 6. check


def check(condition: Condition | None, old_item: dict | None,
          return_values_on_failure: str | None = None) -> None:
    """Raise ConditionalCheckFailedException unless the old item (None: no item) passes.

    With ReturnValuesOnConditionCheckFailure ALL_OLD the error carries the old item
    as its top-level `Item` member (on the wire too), unless there was none.
    DynamoDB still charges the failed write (units of the old item's size, 1 at
    least) but never reports ConsumedCapacity on the error, so nothing is returned.
    """
    if condition is None or condition.evaluate(old_item or {}):
        return
    if return_values_on_failure == "ALL_OLD" and old_item is not None:
        raise ConditionalCheckFailedException(CONDITION_FAILED, Item=old_item)
    raise ConditionalCheckFailedException(CONDITION_FAILED)
