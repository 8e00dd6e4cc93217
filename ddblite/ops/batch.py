"""BatchGetItem and BatchWriteItem."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ddblite.attrvalue import canonical_item
from ddblite.dispatch import operation
from ddblite.engine import items
from ddblite.engine.capacity import consumed, read_units, write_units
from ddblite.engine.keys import check_item_key, check_key, key_of
from ddblite.errors import ValidationException
from ddblite.ops.common import find_table
from ddblite.ops.items import checked_item
from ddblite.validate import (
    RETURN_CONSUMED_CAPACITY,
    RETURN_ITEM_COLLECTION_METRICS,
    TABLE_NAME_PATTERN,
    Shape,
    expect_bool,
    expect_list,
    expect_map,
    expect_str,
)

if TYPE_CHECKING:
    from ddblite.database import Database

MAX_GET_KEYS = 100
MAX_WRITE_REQUESTS = 25
MAX_GET_RESPONSE_BYTES = 16 * 1024 * 1024
DUPLICATE_KEYS = "Provided list of item keys contains duplicates"


def _table_name_problems(names: list[str]) -> list[str]:
    rules: list[str] = []
    for name in names:
        if len(name) > 1024:
            rules.append("Member must have length less than or equal to 1024")
        if len(name) < 3 and not name.startswith("arn:"):
            rules.append("Member must have length greater than or equal to 3")
        if not name.startswith("arn:") and not TABLE_NAME_PATTERN.fullmatch(name):
            rules.append("Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")
    return list(dict.fromkeys(rules))


def _render_map(request_items: dict) -> str:
    return "{" + ", ".join(f"{k}={v}" for k, v in request_items.items()) + "}"


def _check_request_items(shape: Shape, request_items: dict | None, value_rules: list[str],
                         max_tables: int | None) -> None:
    if not shape.not_null(request_items, "requestItems"):
        return
    rendered = None
    if max_tables is not None and len(request_items) > max_tables:
        rendered = rendered or _render_map(request_items)
        shape.problems.append(
            f"Value '{rendered}' at 'requestItems' failed to satisfy constraint: "
            f"Member must have length less than or equal to {max_tables}"
        )
    if not request_items:
        shape.problems.append(
            "Value '{}' at 'requestItems' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1"
        )
    key_rules = _table_name_problems(list(request_items))
    if key_rules:
        rendered = rendered or _render_map(request_items)
        shape.problems.append(
            f"Value '{rendered}' at 'requestItems' failed to satisfy constraint: "
            f"Map keys must satisfy constraint: [{', '.join(key_rules)}]"
        )
    if value_rules:
        rendered = rendered or _render_map(request_items)
        shape.problems.append(
            f"Value '{rendered}' at 'requestItems' failed to satisfy constraint: "
            f"Map value must satisfy constraint: [{', '.join(value_rules)}]"
        )


def _key_identity(table, key: dict) -> bytes:
    return table.item_key(key)


# ------------------------------------------------------------------ BatchGetItem


@operation("BatchGetItem")
def batch_get_item(db: Database, params: dict, region: str) -> dict:
    request_items = expect_map(params, "RequestItems")
    rcc = expect_str(params, "ReturnConsumedCapacity")
    value_rules: list[str] = []
    requests: list[tuple[str, list[dict], bool]] = []
    for name, spec in (request_items or {}).items():
        if not isinstance(spec, dict):
            raise ValidationException("Unexpected value type in payload")
        keys = expect_list(spec, "Keys")
        consistent = expect_bool(spec, "ConsistentRead")
        if keys is None:
            value_rules.append("Member must not be null")
        elif not keys:
            value_rules.append("Member must have length greater than or equal to 1")
        elif len(keys) > MAX_GET_KEYS:
            value_rules.append(f"Member must have length less than or equal to {MAX_GET_KEYS}")
        for unsupported in ("ProjectionExpression", "AttributesToGet"):
            if spec.get(unsupported) is not None:
                raise ValidationException(
                    f"{unsupported} is not supported by this version of ddblite"
                )
        requests.append((name, keys or [], bool(consistent)))
    shape = Shape()
    _check_request_items(shape, request_items, list(dict.fromkeys(value_rules)), MAX_GET_KEYS)
    shape.enum(rcc, "returnConsumedCapacity", RETURN_CONSUMED_CAPACITY)
    shape.done()
    if sum(len(keys) for _, keys, _ in requests) > MAX_GET_KEYS:
        raise ValidationException("Too many items requested for the BatchGetItem call")
    canonical = [(name, [canonical_item(k) for k in keys], c) for name, keys, c in requests]

    def run(txn):
        responses: dict[str, list] = {}
        unprocessed: dict[str, Any] = {}
        capacities = []
        total = 0
        for name, keys, consistent in canonical:
            table = find_table(db, txn, region, name)
            seen = set()
            for key in keys:
                check_key(table, key)
                storage_key = table.item_key(key)
                if storage_key in seen:
                    raise ValidationException(DUPLICATE_KEYS)
                seen.add(storage_key)
            found: list[dict] = []
            units = 0.0
            for i, key in enumerate(keys):
                if total > MAX_GET_RESPONSE_BYTES:
                    # Past 16 MB the rest is handed back to be asked for again.
                    spec = {"Keys": keys[i:]}
                    if consistent:
                        spec["ConsistentRead"] = True
                    unprocessed[name] = spec
                    break
                item, size = items.get(txn, table.item_key(key))
                units += read_units(size, consistent)
                if item is not None:
                    found.append(item)
                    total += size
            responses[name] = found
            capacity = consumed(rcc, table.name, units, "read")
            if capacity is not None:
                capacities.append(capacity)
        return responses, unprocessed, capacities

    responses, unprocessed, capacities = db.storage.read(run)
    response: dict[str, Any] = {"Responses": responses, "UnprocessedKeys": unprocessed}
    if capacities:
        response["ConsumedCapacity"] = capacities
    return response


# ------------------------------------------------------------------ BatchWriteItem


def _parse_write_request(request: Any) -> tuple[str, dict]:
    if not isinstance(request, dict):
        raise ValidationException("Unexpected value type in payload")
    put = expect_map(request, "PutRequest")
    delete = expect_map(request, "DeleteRequest")
    if (put is None) == (delete is None):
        raise ValidationException(
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one "
            "of the supported datatypes"
            if put is not None
            else "1 validation error detected: WriteRequest must contain either a PutRequest or "
            "a DeleteRequest"
        )
    if put is not None:
        item = expect_map(put, "Item")
        if item is None:
            raise ValidationException(
                "1 validation error detected: Value null at 'requestItems.member.putRequest.item'"
                " failed to satisfy constraint: Member must not be null"
            )
        return "put", item
    key = expect_map(delete, "Key")
    if key is None:
        raise ValidationException(
            "1 validation error detected: Value null at 'requestItems.member.deleteRequest.key'"
            " failed to satisfy constraint: Member must not be null"
        )
    return "delete", key


@operation("BatchWriteItem")
def batch_write_item(db: Database, params: dict, region: str) -> dict:
    request_items = expect_map(params, "RequestItems")
    rcc = expect_str(params, "ReturnConsumedCapacity")
    ricm = expect_str(params, "ReturnItemCollectionMetrics")
    value_rules: list[str] = []
    for requests in (request_items or {}).values():
        if not isinstance(requests, (list, tuple)):
            raise ValidationException("Unexpected value type in payload")
        if not requests:
            value_rules.append("Member must have length greater than or equal to 1")
        elif len(requests) > MAX_WRITE_REQUESTS:
            value_rules.append(
                f"Member must have length less than or equal to {MAX_WRITE_REQUESTS}"
            )
    shape = Shape()
    _check_request_items(shape, request_items, list(dict.fromkeys(value_rules)), None)
    shape.enum(rcc, "returnConsumedCapacity", RETURN_CONSUMED_CAPACITY)
    shape.enum(ricm, "returnItemCollectionMetrics", RETURN_ITEM_COLLECTION_METRICS)
    shape.done()
    if sum(len(r) for r in request_items.values()) > MAX_WRITE_REQUESTS:
        raise ValidationException("Too many items requested for the BatchWriteItem call")
    parsed: list[tuple[str, list[tuple[str, dict, int]]]] = []
    for name, requests in request_items.items():
        table_requests = []
        for request in requests:
            kind, body = _parse_write_request(request)
            if kind == "put":
                item, size = checked_item(body)
                table_requests.append((kind, item, size))
            else:
                table_requests.append((kind, canonical_item(body), 0))
        parsed.append((name, table_requests))

    def run(txn):
        capacities = []
        plan = []
        for name, table_requests in parsed:
            table = find_table(db, txn, region, name)
            seen = set()
            for kind, body, _ in table_requests:
                if kind == "put":
                    check_item_key(table, body)
                else:
                    check_key(table, body)
                storage_key = table.item_key(body)
                if storage_key in seen:
                    raise ValidationException(DUPLICATE_KEYS)
                seen.add(storage_key)
            plan.append((table, table_requests))
        for table, table_requests in plan:
            units = 0.0
            for kind, body, size in table_requests:
                storage_key = table.item_key(body)
                if kind == "put":
                    _, old_size = items.put(txn, db.catalog, table, storage_key, body, size)
                    units += write_units(max(size, old_size))
                else:
                    _, old_size = items.delete(txn, db.catalog, table, storage_key)
                    units += write_units(old_size)
            capacity = consumed(rcc, table.name, units, "write")
            if capacity is not None:
                capacities.append(capacity)
        return capacities

    capacities = db.storage.write(run)
    response: dict[str, Any] = {"UnprocessedItems": {}}
    if capacities:
        response["ConsumedCapacity"] = capacities
    return response


__all__ = ["batch_get_item", "batch_write_item", "key_of"]
