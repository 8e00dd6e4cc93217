"""Single-item operations: PutItem, GetItem, DeleteItem."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ddblite.attrvalue import MAX_ITEM_SIZE, canonical_item
from ddblite.dispatch import operation
from ddblite.engine import items
from ddblite.engine.capacity import consumed, read_units, write_units
from ddblite.engine.keys import check_item_key, check_key
from ddblite.errors import ValidationException
from ddblite.native import item_size
from ddblite.ops.common import find_table
from ddblite.validate import (
    RETURN_CONSUMED_CAPACITY,
    RETURN_ITEM_COLLECTION_METRICS,
    RETURN_VALUES,
    Shape,
    expect_bool,
    expect_map,
    expect_str,
)

if TYPE_CHECKING:
    from ddblite.database import Database

ITEM_TOO_LARGE = "Item size has exceeded the maximum allowed size"


def checked_item(item: Any) -> tuple[dict, int]:
    """Validate an item to be written; returns its stored form and its size."""
    stored = canonical_item(item)
    size = item_size(stored)
    if size > MAX_ITEM_SIZE:
        raise ValidationException(ITEM_TOO_LARGE)
    return stored, size


def _only_none_or_all_old(return_values: str | None) -> None:
    if return_values not in (None, "NONE", "ALL_OLD"):
        raise ValidationException("ReturnValues can only be ALL_OLD or NONE")


def write_params(params: dict) -> tuple[str | None, str | None, str | None]:
    """The response options every write shares: ReturnValues, capacity, metrics."""
    return (
        expect_str(params, "ReturnValues"),
        expect_str(params, "ReturnConsumedCapacity"),
        expect_str(params, "ReturnItemCollectionMetrics"),
    )


def check_write_shape(shape: Shape, rv: Any, rcc: Any, ricm: Any) -> None:
    shape.enum(rcc, "returnConsumedCapacity", RETURN_CONSUMED_CAPACITY)
    shape.enum(ricm, "returnItemCollectionMetrics", RETURN_ITEM_COLLECTION_METRICS)
    shape.enum(rv, "returnValues", RETURN_VALUES)


def _unsupported(params: dict, *names: str) -> None:
    # Conditions and expressions arrive with the expression engine; until then
    # refuse them loudly rather than ignore a condition the caller relies on.
    for name in names:
        if params.get(name) is not None:
            raise ValidationException(f"{name} is not supported by this version of ddblite")


_EXPRESSION_PARAMS = (
    "ConditionExpression",
    "Expected",
    "ConditionalOperator",
    "ExpressionAttributeNames",
    "ExpressionAttributeValues",
)


@operation("PutItem")
def put_item(db: Database, params: dict, region: str) -> dict:
    name = expect_str(params, "TableName")
    raw_item = expect_map(params, "Item")
    rv, rcc, ricm = write_params(params)
    shape = Shape()
    check_write_shape(shape, rv, rcc, ricm)
    shape.table_name(name)
    shape.not_null(raw_item, "item")
    shape.done()
    item, size = checked_item(raw_item)
    _only_none_or_all_old(rv)
    _unsupported(params, *_EXPRESSION_PARAMS)

    def run(txn):
        table = find_table(db, txn, region, name)
        check_item_key(table, item)
        old, old_size = items.put(txn, db.catalog, table, table.item_key(item), item, size)
        return table, old, old_size

    table, old, old_size = db.storage.write(run)
    response: dict[str, Any] = {}
    if rv == "ALL_OLD" and old is not None:
        response["Attributes"] = old
    capacity = consumed(rcc, table.name, write_units(max(size, old_size)), "write")
    if capacity is not None:
        response["ConsumedCapacity"] = capacity
    return response


@operation("GetItem")
def get_item(db: Database, params: dict, region: str) -> dict:
    name = expect_str(params, "TableName")
    raw_key = expect_map(params, "Key")
    consistent = expect_bool(params, "ConsistentRead")
    rcc = expect_str(params, "ReturnConsumedCapacity")
    shape = Shape()
    shape.enum(rcc, "returnConsumedCapacity", RETURN_CONSUMED_CAPACITY)
    shape.table_name(name)
    shape.not_null(raw_key, "key")
    shape.done()
    key = canonical_item(raw_key)
    _unsupported(params, "ProjectionExpression", "AttributesToGet", "ExpressionAttributeNames")

    def run(txn):
        table = find_table(db, txn, region, name)
        check_key(table, key)
        item, size = items.get(txn, table.item_key(key))
        return table, item, size

    table, item, size = db.storage.read(run)
    response: dict[str, Any] = {}
    if item is not None:
        response["Item"] = item
    capacity = consumed(rcc, table.name, read_units(size, bool(consistent)), "read")
    if capacity is not None:
        response["ConsumedCapacity"] = capacity
    return response


@operation("DeleteItem")
def delete_item(db: Database, params: dict, region: str) -> dict:
    name = expect_str(params, "TableName")
    raw_key = expect_map(params, "Key")
    rv, rcc, ricm = write_params(params)
    shape = Shape()
    check_write_shape(shape, rv, rcc, ricm)
    shape.table_name(name)
    shape.not_null(raw_key, "key")
    shape.done()
    key = canonical_item(raw_key)
    _only_none_or_all_old(rv)
    _unsupported(params, *_EXPRESSION_PARAMS)

    def run(txn):
        table = find_table(db, txn, region, name)
        check_key(table, key)
        old, old_size = items.delete(txn, db.catalog, table, table.item_key(key))
        return table, old, old_size

    table, old, old_size = db.storage.write(run)
    response: dict[str, Any] = {}
    if rv == "ALL_OLD" and old is not None:
        response["Attributes"] = old
    capacity = consumed(rcc, table.name, write_units(old_size), "write")
    if capacity is not None:
        response["ConsumedCapacity"] = capacity
    return response
