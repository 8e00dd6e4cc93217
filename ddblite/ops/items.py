"""Single-item operations: PutItem, GetItem, DeleteItem.

Each operation checks its request in DynamoDB's order:
  1. JSON types of the top-level members (SerializationException);
  2. TableName constraints, reported alone;
  3. the other members' constraints, together ("N validation errors detected");
  4. expression / non-expression parameter conflicts;
  5. the AttributeValues of the item or key;
  6. ReturnValues allowed for the operation, then the item size;
  7. the table (ResourceNotFoundException), then the key against its schema.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ddblite import constraints
from ddblite.attrvalue import (
    MAX_ITEM_SIZE,
    canonical_item,
    canonical_item_and_size,
    type_check_item,
)
from ddblite.dispatch import operation
from ddblite.engine import items
from ddblite.engine.capacity import consumed, write_consumed
from ddblite.engine.indexes import collection_metrics
from ddblite.engine.keys import check_key
from ddblite.errors import ValidationException, validation_errors
from ddblite.ops import conditions, read_expressions
from ddblite.ops.common import find_table
from ddblite.ops.writes import DeleteWrite, PutWrite
from ddblite.validate import (
    RETURN_CONSUMED_CAPACITY,
    RETURN_ITEM_COLLECTION_METRICS,
    RETURN_VALUES,
    TABLE_NAME_PATTERN,
    check_table_name_alone,
    expect_bool,
    expect_str,
)

if TYPE_CHECKING:
    from ddblite.database import Database

ITEM_TOO_LARGE = "Item size has exceeded the maximum allowed size"
ONLY_ALL_OLD_OR_NONE = "ReturnValues can only be ALL_OLD or NONE"

_RCC = frozenset(RETURN_CONSUMED_CAPACITY)
_RICM = frozenset(RETURN_ITEM_COLLECTION_METRICS)
_RV = frozenset(RETURN_VALUES)
_match_name = TABLE_NAME_PATTERN.fullmatch


_known_good_names: set[str] = set()


def checked_table_name(params: dict) -> str:
    """TableName of a data-plane request, or its constraint errors on their own."""
    name = params.get("TableName")
    if type(name) is not str:
        name = expect_str(params, "TableName")  # the wire's type error, or None
        check_table_name_alone(name)
        return name
    if name in _known_good_names:
        return name  # the common case: a name seen before, no pattern match
    if 0 < len(name) <= 255 and _match_name(name):
        if len(_known_good_names) > 10_000:  # bounded: names are few in practice
            _known_good_names.clear()
        _known_good_names.add(name)
        return name
    name = expect_str(params, "TableName")
    check_table_name_alone(name)
    return name


def checked_item(item: Any) -> tuple[dict, int]:
    """Validate an item to be written; returns its stored form and its size."""
    stored, size = canonical_item_and_size(item)
    if size > MAX_ITEM_SIZE:
        raise ValidationException(ITEM_TOO_LARGE)
    return stored, size


def only_all_old_or_none(return_values: str | None) -> None:
    if return_values is not None and return_values != "NONE" and return_values != "ALL_OLD":
        raise ValidationException(ONLY_ALL_OLD_OR_NONE)


def check_members(problems: list[str], values: dict | None) -> None:
    """Raise the collected constraint problems; JSON type errors in `values` win."""
    if problems:
        if values is not None:
            type_check_item(values)
        raise validation_errors(problems)


# Members that make a write conditional; a request without any takes the short path.
_CONDITION_KEYS = frozenset((
    "ConditionExpression", "Expected", "ConditionalOperator", "ExpressionAttributeNames",
    "ExpressionAttributeValues", "ReturnValuesOnConditionCheckFailure",
))


def _bad_enums(rcc: Any, rv: Any, ricm: Any) -> bool:
    return (
        (rcc is not None and rcc not in _RCC)
        or (rv is not None and rv not in _RV)
        or (ricm is not None and ricm not in _RICM)
    )


@operation("PutItem")
def put_item(db: Database, params: dict, region: str) -> dict:
    name = checked_table_name(params)
    raw_item = params.get("Item")
    rcc = expect_str(params, "ReturnConsumedCapacity")
    rv = expect_str(params, "ReturnValues")
    ricm = expect_str(params, "ReturnItemCollectionMetrics")
    conditional = not _CONDITION_KEYS.isdisjoint(params)
    on_failure = conditions.expect_condition_types(params) if conditional else None
    if conditional or raw_item is None or _bad_enums(rcc, rv, ricm):
        check_members(constraints.problems("PutItem", params), raw_item)
        conditions.check_expression_params(params)
    stored, size = canonical_item_and_size(raw_item)
    condition = conditions.parse_condition(params) if conditional else None
    only_all_old_or_none(rv)
    if size > MAX_ITEM_SIZE:
        raise ValidationException(ITEM_TOO_LARGE)

    write = PutWrite(name, stored, size, condition, on_failure)
    result = db.storage.write(lambda txn: write.run(db, txn, region))
    response: dict[str, Any] = {}
    if rv == "ALL_OLD" and result[0] is not None:
        response["Attributes"] = result[0]
    if rcc is not None or ricm is not None:
        add_write_details(response, write.table, result, stored, write.charged, rcc, ricm)
    return response


def add_write_details(response: dict, table, result, image: dict, units: float,
                      rcc: str | None, ricm: str | None) -> None:
    """ConsumedCapacity (table + index writes) and ItemCollectionMetrics of one write."""
    if rcc is not None:
        capacity = write_consumed(rcc, table.name, units, result.index_writes)
        if capacity is not None:
            response["ConsumedCapacity"] = capacity
    if ricm == "SIZE" and result.collection_size is not None:
        response["ItemCollectionMetrics"] = collection_metrics(
            table.pk_name, image[table.pk_name], result.collection_size
        )


@operation("GetItem", reads=True)
def get_item(db: Database, params: dict, region: str) -> dict:
    name = checked_table_name(params)
    raw_key = params.get("Key")
    consistent = expect_bool(params, "ConsistentRead")
    rcc = expect_str(params, "ReturnConsumedCapacity")
    names = params.get("AttributesToGet")
    if raw_key is None or (rcc is not None and rcc not in _RCC) or names == []:
        check_members(constraints.problems("GetItem", params), raw_key)
    key = canonical_item(raw_key)
    project = None
    if (
        params.get("ProjectionExpression") is not None
        or params.get("AttributesToGet") is not None
        or params.get("ExpressionAttributeNames") is not None
    ):
        project = read_expressions.for_get(params).project

    def run(txn):
        table = find_table(db, txn, region, name)
        check_key(table, key)
        item, size = items.get(txn, table.item_key(key))
        return table, item, size

    table, item, size = db.storage.read(run)
    if db.throttle is not None:
        db.throttle.read_item(table, size, bool(consistent), key)
    units = db.usage_counters.charge_read(table.name, size, consistent, key[table.pk_name])
    response: dict[str, Any] = {}
    if item is not None:
        response["Item"] = item if project is None else project(item)
    if rcc is not None:
        capacity = consumed(rcc, table.name, units, "read")
        if capacity is not None:
            response["ConsumedCapacity"] = capacity
    return response


@operation("DeleteItem")
def delete_item(db: Database, params: dict, region: str) -> dict:
    name = checked_table_name(params)
    raw_key = params.get("Key")
    rcc = expect_str(params, "ReturnConsumedCapacity")
    rv = expect_str(params, "ReturnValues")
    ricm = expect_str(params, "ReturnItemCollectionMetrics")
    conditional = not _CONDITION_KEYS.isdisjoint(params)
    on_failure = conditions.expect_condition_types(params) if conditional else None
    if conditional or raw_key is None or _bad_enums(rcc, rv, ricm):
        check_members(constraints.problems("DeleteItem", params), raw_key)
        conditions.check_expression_params(params)
    key = canonical_item(raw_key)
    condition = conditions.parse_condition(params) if conditional else None
    only_all_old_or_none(rv)

    write = DeleteWrite(name, key, condition, on_failure)
    result = db.storage.write(lambda txn: write.run(db, txn, region))
    response: dict[str, Any] = {}
    if rv == "ALL_OLD" and result[0] is not None:
        response["Attributes"] = result[0]
    add_write_details(response, write.table, result, key, write.charged, rcc, ricm)
    return response
