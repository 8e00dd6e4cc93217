"""BatchGetItem and BatchWriteItem.

Order of checks, as DynamoDB makes them: member constraints (together), then
per table in request order the AttributeValues of every key / item (and item
sizes), the request count across tables, then the tables themselves
(ResourceNotFoundException), the keys against each schema, and duplicates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ddblite.attrvalue import MULTIPLE_TYPES, canonical_item, type_check_item
from ddblite.dispatch import operation
from ddblite.engine import items
from ddblite.engine.capacity import consumed, read_units, write_consumed
from ddblite.engine.indexes import collection_metrics
from ddblite.engine.keys import check_key
from ddblite.engine.throttle import exceeded
from ddblite.engine.usage import partition_value
from ddblite.errors import SerializationException, ValidationException, validation_errors
from ddblite.ops import read_expressions
from ddblite.ops.common import find_table
from ddblite.ops.items import checked_item
from ddblite.ops.writes import DeleteWrite, ItemWrite, PutWrite
from ddblite.validate import (
    RETURN_CONSUMED_CAPACITY,
    RETURN_ITEM_COLLECTION_METRICS,
    TABLE_NAME_PATTERN,
    Shape,
    expect_bool,
    expect_str,
)

if TYPE_CHECKING:
    from ddblite.database import Database

MAX_GET_KEYS = 100
MAX_WRITE_REQUESTS = 25
MAX_GET_RESPONSE_BYTES = 16 * 1024 * 1024
DUPLICATE_KEYS = "Provided list of item keys contains duplicates"
MAP_KEY_RULES = (
    "Map keys must satisfy constraint: [Member must have length less than or equal to 255, "
    "Member must have length greater than or equal to 3, "
    "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+]"
)
WRITE_LIST_RULES = (
    "Map value must satisfy constraint: [Member must have length less than or equal to "
    f"{MAX_WRITE_REQUESTS}, Member must have length greater than or equal to 1]"
)


def _request_items(params: dict, operation_name: str) -> dict | None:
    request_items = params.get("RequestItems")
    if request_items is None:
        return None
    if not isinstance(request_items, dict):
        if isinstance(request_items, (list, tuple)):
            raise SerializationException(
                "Unrecognized collection type java.util.Map<java.lang.String, "
                "com.amazonaws.dynamodb.v20120810.KeysAndAttributes>"
                if operation_name == "BatchGetItem"
                else "Unrecognized collection type java.util.Map<java.lang.String, "
                "java.util.List<com.amazonaws.dynamodb.v20120810.WriteRequest>>"
            )
        raise SerializationException("Unexpected field type")
    if not request_items:
        raise ValidationException(f"The requestItems parameter is required for {operation_name}")
    return request_items


def _bad_table_name(name: Any) -> bool:
    if not isinstance(name, str):
        raise SerializationException(f"{type(name).__name__} cannot be converted to String")
    if name.startswith("arn:"):
        return len(name) > 1024
    return not 3 <= len(name) <= 255 or not TABLE_NAME_PATTERN.fullmatch(name)


def render_java(value: Any) -> str:
    """A Java-toString-like rendering of a request member, for constraint messages."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={render_java(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(render_java(v) for v in value) + "]"
    return str(value)


def _enum(shape: Shape, value: Any, member: str, allowed: tuple) -> None:
    if value is not None and value not in allowed:
        shape.enum(value, member, allowed)


# ------------------------------------------------------------------ BatchGetItem


def _key_identity(key: dict) -> tuple:
    # Canonical values (sorted sets, canonical numbers) make equal keys equal tuples.
    return tuple(sorted((name, repr(value)) for name, value in key.items()))


@operation("BatchGetItem", reads=True)
def batch_get_item(db: Database, params: dict, region: str) -> dict:
    rcc = expect_str(params, "ReturnConsumedCapacity")
    shape = Shape()
    _enum(shape, rcc, "returnConsumedCapacity", RETURN_CONSUMED_CAPACITY)
    request_items = params.get("RequestItems")
    if request_items is None:
        shape.not_null(None, "requestItems")
        shape.done()
    request_items = _request_items(params, "BatchGetItem")
    specs: list[tuple[str, dict, list]] = []
    bad_names = False
    for name, spec in request_items.items():
        bad_names = _bad_table_name(name) or bad_names
        if not isinstance(spec, dict):
            raise SerializationException("Unexpected value type in payload")
        keys = spec.get("Keys")
        expect_bool(spec, "ConsistentRead")
        if keys is not None and not isinstance(keys, (list, tuple)):
            raise SerializationException("Unexpected field type")
        specs.append((name, spec, list(keys) if keys is not None else None))
    if bad_names:
        shape.problems.append(
            f"Value '{render_java(request_items)}' at 'requestItems' failed to satisfy constraint: "
            + MAP_KEY_RULES
        )
    for name, _, keys in specs:
        member = f"RequestItems.{name}.member.Keys"
        if keys is None:
            shape.problems.append(
                f"Value null at '{member}' failed to satisfy constraint: Member must not be null"
            )
        elif not keys:
            shape.problems.append(
                f"Value at '{member}' failed to satisfy constraint: "
                "Member must have length greater than or equal to 1"
            )
        elif len(keys) > MAX_GET_KEYS:
            shape.problems.append(
                f"Value at '{member}' failed to satisfy constraint: "
                f"Member must have length less than or equal to {MAX_GET_KEYS}"
            )
    if shape.problems:
        for _, _, keys in specs:
            for key in keys or ():
                type_check_item(key)
        raise validation_errors(shape.problems)

    requests: list[tuple[str, dict, list[dict]]] = []
    projections = []
    count = 0
    for name, spec, keys in specs:
        projections.append(read_expressions.for_get(spec).project)
        canonical = []
        seen: set[tuple] = set()
        for raw_key in keys:
            key = canonical_item(raw_key)
            identity = _key_identity(key)
            if identity in seen:
                raise ValidationException(DUPLICATE_KEYS)
            seen.add(identity)
            canonical.append(key)
            count += 1
            if count > MAX_GET_KEYS:
                raise ValidationException("Too many items requested for the BatchGetItem call")
        requests.append((name, spec, canonical))

    def run(txn):
        tables = []
        for name, _spec, keys in requests:
            table = find_table(db, txn, region, name)
            for key in keys:
                check_key(table, key)
            tables.append(table)
        # (name, table, spec, key, item, size) of each key read; keys past 16 MB are
        # handed back to be asked for again.
        fetched: list[tuple] = []
        later: dict[str, list] = {}
        total = 0
        for table, (name, spec, keys) in zip(tables, requests):
            for i, key in enumerate(keys):
                item, size = items.get(txn, table.item_key(key))
                if total + size > MAX_GET_RESPONSE_BYTES:
                    later[name] = keys[i:]
                    return fetched, later
                fetched.append((name, table, spec, key, item, size))
                if item is not None:
                    total += size
        return fetched, later

    fetched, later = db.storage.read(run)
    costs = [(table, read_units(size, bool(spec.get("ConsistentRead"))),
              partition_value(table, key)) for _, table, spec, key, _, size in fetched]
    admitted = db.throttle.read_batch(costs, False) if db.throttle is not None else None
    projection_of = {name: project for (name, _, _), project in zip(requests, projections)}
    responses: dict[str, list] = {name: [] for name, _, _ in requests}
    unprocessed: dict[str, Any] = {}
    units_by_table: dict[str, float] = {}   # table name -> units, in request order
    refused = None
    for number, (fetch, (_, units, pk)) in enumerate(zip(fetched, costs)):
        name, table, spec, key, item, _ = fetch
        if admitted is not None and not admitted[number]:
            # A throttled key is handed back as unprocessed, as DynamoDB does.
            refused = refused or table
            db.usage_counters.throttled(table.name, False)
            unprocessed.setdefault(name, dict(spec, Keys=[]))["Keys"].append(key)
            continue
        db.usage_counters.charge(table.name, False, units, None, pk)
        units_by_table[table.name] = units_by_table.get(table.name, 0.0) + units
        if item is not None:
            project = projection_of[name]
            responses[name].append(item if project is None else project(item))
    specs = {name: spec for name, spec, _ in requests}
    for name, keys in later.items():
        entry = unprocessed.setdefault(name, dict(specs[name], Keys=[]))
        entry["Keys"] = entry["Keys"] + keys
    if refused is not None and not units_by_table:
        # Nothing could be read: DynamoDB refuses the whole request.
        raise db.throttle.refused_read(refused)  # type: ignore[union-attr]
    response: dict[str, Any] = {"Responses": responses, "UnprocessedKeys": unprocessed}
    if rcc is not None and rcc != "NONE":
        response["ConsumedCapacity"] = [
            consumed(rcc, name, units, "read") for name, units in units_by_table.items()
        ]
    return response


# ------------------------------------------------------------------ BatchWriteItem


def _parse_write_request(name: str, request: Any) -> tuple[str, Any]:
    if not isinstance(request, dict):
        raise SerializationException("Unexpected value type in payload")
    put = request.get("PutRequest")
    delete = request.get("DeleteRequest")
    for part in (put, delete):
        if part is not None and not isinstance(part, dict):
            raise SerializationException("Unexpected field type")
    if (put is None) == (delete is None):
        # WriteRequest is a union: DynamoDB words "none or both set" as for AttributeValue.
        raise ValidationException(MULTIPLE_TYPES)
    if put is not None:
        item = put.get("Item")
        if item is None:
            raise validation_errors([
                f"Value null at 'requestItems.{name}.member.putRequest.item' failed to "
                "satisfy constraint: Member must not be null"
            ])
        return "put", item
    key = delete.get("Key")
    if key is None:
        raise validation_errors([
            f"Value null at 'requestItems.{name}.member.deleteRequest.key' failed to "
            "satisfy constraint: Member must not be null"
        ])
    return "delete", key


@operation("BatchWriteItem")
def batch_write_item(db: Database, params: dict, region: str) -> dict:
    rcc = expect_str(params, "ReturnConsumedCapacity")
    ricm = expect_str(params, "ReturnItemCollectionMetrics")
    shape = Shape()
    _enum(shape, rcc, "returnConsumedCapacity", RETURN_CONSUMED_CAPACITY)
    _enum(shape, ricm, "returnItemCollectionMetrics", RETURN_ITEM_COLLECTION_METRICS)
    if params.get("RequestItems") is None:
        shape.not_null(None, "requestItems")
        shape.done()
    request_items = _request_items(params, "BatchWriteItem")
    bad_names = bad_lengths = False
    for name, requests in request_items.items():
        bad_names = _bad_table_name(name) or bad_names
        if not isinstance(requests, (list, tuple)):
            raise SerializationException("Unexpected field type")
        bad_lengths = bad_lengths or not 1 <= len(requests) <= MAX_WRITE_REQUESTS
    rendered = render_java(request_items) if bad_names or bad_lengths else ""
    if bad_names:
        shape.problems.append(
            f"Value '{rendered}' at 'requestItems' failed to satisfy constraint: "
            + MAP_KEY_RULES
        )
    if bad_lengths:
        shape.problems.append(
            f"Value '{rendered}' at 'requestItems' failed to satisfy constraint: "
            + WRITE_LIST_RULES
        )
    shape.done()

    parsed: list[tuple[str, list[ItemWrite]]] = []
    count = 0
    for name, requests in request_items.items():
        writes: list[ItemWrite] = []
        for request in requests:
            kind, body = _parse_write_request(name, request)
            if kind == "put":
                item, size = checked_item(body)
                writes.append(PutWrite(name, item, size, None, None))
            else:
                writes.append(DeleteWrite(name, canonical_item(body), None, None))
        count += len(writes)
        parsed.append((name, writes))
    if count > MAX_WRITE_REQUESTS:
        raise ValidationException("Too many items requested for the BatchWriteItem call")

    def run(txn):
        tables = []
        for name, writes in parsed:
            table = find_table(db, txn, region, name)
            seen = set()
            for write in writes:
                if isinstance(write, PutWrite):
                    write.bind(table, batch=True)
                else:
                    write.bind(table)
                if write.storage_key in seen:
                    raise ValidationException(DUPLICATE_KEYS)
                seen.add(write.storage_key)
            tables.append(table)
        capacities = []
        metrics: dict[str, list] = {}
        unprocessed: dict[str, list] = {}
        ledger = db.throttle.ledger(txn) if db.throttle is not None else None
        refused = None
        applied = 0
        for table, (name, writes), raw in zip(tables, parsed, request_items.values()):
            units = 0.0
            index_writes: list = []
            for write, raw_request in zip(writes, raw):
                if ledger is not None:
                    # A throttled request is handed back as unprocessed, as DynamoDB does.
                    bucket = ledger.refusal(table, True, partition_value(table, write.key))
                    if bucket is None:
                        write.prepare()
                        bucket = write.index_refusal(ledger)
                    if bucket is not None:
                        refused = refused or (bucket, table)
                        db.usage_counters.throttled(table.name, True)
                        unprocessed.setdefault(name, []).append(raw_request)
                        continue
                else:
                    write.prepare()
                result = write.apply(txn, db)
                applied += 1
                units += write.settle(db, txn, result, ledger)
                index_writes.extend(result.index_writes)
                if ricm == "SIZE" and result.collection_size is not None:
                    metrics.setdefault(table.name, []).append(collection_metrics(
                        table.pk_name, write.key[table.pk_name], result.collection_size
                    ))
            if units:
                capacity = write_consumed(rcc, table.name, units, index_writes)
                if capacity is not None:
                    capacities.append(capacity)
        if refused is not None and not applied:
            # Nothing could be written: DynamoDB refuses the whole request.
            bucket, table = refused
            raise exceeded(bucket, table, db.throttle.arn(table))  # type: ignore[union-attr]
        return capacities, metrics, unprocessed

    capacities, metrics, unprocessed = db.storage.write(run)
    response: dict[str, Any] = {"UnprocessedItems": unprocessed}
    if metrics:
        response["ItemCollectionMetrics"] = metrics
    if rcc is not None and rcc != "NONE":
        response["ConsumedCapacity"] = capacities
    return response
