"""UpdateItem: edit one item in place (creating it when missing), conditionally.

DynamoDB's order, each phase a function below:
  1. JSON types of every member (SerializationException);
  2. TableName constraints alone, then the other members' constraints together;
  3. expression / non-expression parameter mixing;
  4. the Key's AttributeValues, then AttributeUpdates (values and action rules),
     then Expected, then ExpressionAttributeNames/Values, UpdateExpression,
     ConditionExpression and unused names/values;
  5. in one write transaction: the table, the key against its schema, updates of
     key attributes, the condition on the old item, the update, the new item's size.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ddblite import constraints
from ddblite.attrvalue import (
    canonical_item,
    canonical_value,
    check_attribute_name,
    type_check_item,
)
from ddblite.attrvalue import type_check_value as _type_check_value
from ddblite.dispatch import operation
from ddblite.expressions import Condition, Update, attribute_updates
from ddblite.expressions.legacy import check_attribute_update
from ddblite.ops import conditions
from ddblite.ops.items import add_write_details
from ddblite.ops.writes import UpdateWrite
from ddblite.validate import (
    check_table_name_alone,
    expect_map,
    expect_str,
)

if TYPE_CHECKING:
    from ddblite.database import Database

EXPRESSIONS = ("UpdateExpression", "ConditionExpression")
LEGACY = ("AttributeUpdates", "Expected", "ConditionalOperator")


class _Request:
    """The validated parts of one UpdateItem request."""

    __slots__ = ("table_name", "key", "update", "condition", "return_values",
                 "return_capacity", "return_on_failure")

    def __init__(self) -> None:
        self.table_name = ""
        self.key: dict = {}
        self.update: Update | None = None
        self.condition: Condition | None = None
        self.return_values: str | None = None
        self.return_capacity: str | None = None
        self.return_on_failure: str | None = None

    def write(self) -> UpdateWrite:
        return UpdateWrite(self.table_name, self.key, self.update, self.condition,
                           self.return_on_failure)


# ---------------------------------------------------------------- 1-2. shape


def _expect_types(params: dict, request: _Request) -> None:
    expect_str(params, "TableName")
    key = expect_map(params, "Key")
    if key is not None:
        type_check_item(key)
    updates = expect_map(params, "AttributeUpdates")
    for spec in (updates or {}).values():
        entry = expect_map({"v": spec}, "v")
        if entry is not None:
            expect_str(entry, "Action")
            if entry.get("Value") is not None:
                _type_check_value(entry["Value"])
    expect_str(params, "UpdateExpression")
    request.return_values = expect_str(params, "ReturnValues")
    request.return_capacity = expect_str(params, "ReturnConsumedCapacity")
    expect_str(params, "ReturnItemCollectionMetrics")
    request.return_on_failure = conditions.expect_condition_types(params)


def _check_constraints(params: dict) -> None:
    name = params.get("TableName")
    check_table_name_alone(name)
    constraints.check("UpdateItem", params)


# ---------------------------------------------------------------- 3-4. meaning


def _legacy_update(raw: dict) -> Update:
    """AttributeUpdates: each attribute's value, then its action's rules, in order."""
    canonical: dict[str, dict] = {}
    for name, spec in raw.items():
        check_attribute_name(name)  # INFERRED: the item wording, before the value
        spec = spec or {}
        value = spec.get("Value")
        if value is not None:
            value = canonical_value(value)
        action = spec.get("Action") or "PUT"
        check_attribute_update(action, value)
        canonical[name] = {"Action": action, "Value": value}
    return attribute_updates(canonical)


def _parse(params: dict) -> _Request:
    request = _Request()
    _expect_types(params, request)
    _check_constraints(params)
    request.table_name = params["TableName"]
    conditions.check_expression_params(params, EXPRESSIONS, LEGACY)
    request.key = canonical_item(params["Key"])
    legacy_updates = params.get("AttributeUpdates")
    if legacy_updates is not None:
        request.update = _legacy_update(legacy_updates)
    if params.get("Expected") is not None:
        request.condition = conditions.expected_condition(params)
    if params.get("UpdateExpression") is not None or params.get("ConditionExpression") is not None:
        exprs = conditions.request_expressions(params)
        request.update = exprs.update(params.get("UpdateExpression"))
        request.condition = conditions.write_condition(params, exprs)
        exprs.finish()
    return request


# ---------------------------------------------------------------- 5. execute


@operation("UpdateItem")
def update_item(db: Database, params: dict, region: str) -> dict:
    request = _parse(params)
    write = request.write()
    result = db.storage.write(lambda txn: write.run(db, txn, region))
    response: dict[str, Any] = {}
    attributes = _returned(request.return_values, request.update, write.old, write.new)
    if attributes:
        response["Attributes"] = attributes
    add_write_details(
        response, write.table, result, write.new, write.charged,
        request.return_capacity, params.get("ReturnItemCollectionMetrics"),
    )
    return response


def _returned(return_values: str | None, update: Update | None, old: dict | None,
              new: dict) -> dict | None:
    """The Attributes member ReturnValues asks for; UPDATED_* keep only touched paths."""
    if return_values is None or return_values == "NONE" or (new is None and old is None):
        return None
    if return_values == "ALL_NEW":
        return new
    if return_values == "ALL_OLD":
        return old
    if update is None:
        return None
    if return_values == "UPDATED_NEW":
        return update.updated_new(new)
    return update.updated_old(old) if old is not None else None
