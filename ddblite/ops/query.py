"""Query and Scan: one read path (engine.reader) behind two request shapes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ddblite.attrvalue import canonical_item
from ddblite.dispatch import operation
from ddblite.engine.capacity import consumed, read_units
from ddblite.engine.keys import key_of
from ddblite.engine.reader import read_range
from ddblite.errors import ValidationException
from ddblite.native import encode_key_part, segment_bounds
from ddblite.ops import read_expressions
from ddblite.ops.common import find_table
from ddblite.storage.interface import prefix_end
from ddblite.validate import (
    RETURN_CONSUMED_CAPACITY,
    Shape,
    expect_bool,
    expect_int,
    expect_map,
    expect_str,
)

if TYPE_CHECKING:
    from ddblite.database import Database
    from ddblite.engine.catalog import TableInfo

SELECT_VALUES = ("SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES")
MAX_SEGMENTS = 1_000_000


def _check_select(select: str | None, has_projection: bool, index_name: str | None) -> None:
    if select == "SPECIFIC_ATTRIBUTES" and not has_projection:
        raise ValidationException(
            "Must specify the AttributesToGet or ProjectionExpression when choosing to get "
            "SPECIFIC_ATTRIBUTES"
        )
    if select == "ALL_ATTRIBUTES" and has_projection:
        raise ValidationException(
            "Cannot specify the AttributesToGet or ProjectionExpression when choosing to get "
            "ALL_ATTRIBUTES"
        )
    if select == "COUNT" and has_projection:
        raise ValidationException(
            "Cannot specify the AttributesToGet or ProjectionExpression when choosing to get "
            "COUNT"
        )
    if select == "ALL_PROJECTED_ATTRIBUTES" and index_name is None:
        raise ValidationException(
            "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"
        )


def _start_key(table: TableInfo, raw: dict | None) -> bytes | None:
    """Storage key of an ExclusiveStartKey (the item itself need not exist)."""
    if raw is None:
        return None
    key = canonical_item(raw)
    if len(key) != len(table.key_names) or any(
        name not in key or next(iter(key[name])) != kind
        for name, kind in _key_types(table)
    ):
        raise ValidationException(
            "The provided starting key is invalid: The provided key element does not match the "
            "schema"
        )
    return table.item_key(key)


def _key_types(table: TableInfo):
    yield table.pk_name, table.pk_type
    if table.sk_name is not None:
        yield table.sk_name, table.sk_type


def _sort_bounds(
    table: TableInfo, partition: bytes, sort: tuple | None
) -> tuple[bytes, bytes | None]:
    """The storage-key range [lo, hi) of a partition narrowed by a sort-key condition."""
    end = prefix_end(partition)
    if sort is None:
        return partition, end
    op, values = sort[0], sort[1:]

    def at(value: Any) -> bytes:
        return partition + encode_key_part(table.sk_type, value, False)

    if op == "=":
        return at(values[0]), at(values[0]) + b"\x00"
    if op == "<":
        return partition, at(values[0])
    if op == "<=":
        return partition, at(values[0]) + b"\x00"
    if op == ">":
        return at(values[0]) + b"\x00", end
    if op == ">=":
        return at(values[0]), end
    if op == "BETWEEN":
        return at(values[0]), at(values[1]) + b"\x00"
    if op == "begins_with":
        start = at(values[0])
        return start, prefix_end(start) if start != partition else end
    raise AssertionError(f"unknown sort-key operator {op}")


def _page_response(
    table: TableInfo, page, select: str | None, project, rcc: str | None, consistent: bool
) -> dict[str, Any]:
    response: dict[str, Any] = {}
    if select != "COUNT":
        response["Items"] = page.items if project is None else [project(i) for i in page.items]
    response["Count"] = len(page.items)
    response["ScannedCount"] = page.scanned
    if page.last is not None:
        response["LastEvaluatedKey"] = key_of(table, page.last)
    capacity = consumed(rcc, table.name, read_units(page.read_bytes, consistent), "read")
    if capacity is not None:
        response["ConsumedCapacity"] = capacity
    return response


def _common(params: dict, shape: Shape) -> dict[str, Any]:
    """Members Query and Scan share, type-checked and shape-validated."""
    common = {
        "name": expect_str(params, "TableName"),
        "index": expect_str(params, "IndexName"),
        "limit": expect_int(params, "Limit"),
        "select": expect_str(params, "Select"),
        "consistent": bool(expect_bool(params, "ConsistentRead")),
        "start": expect_map(params, "ExclusiveStartKey"),
        "rcc": expect_str(params, "ReturnConsumedCapacity"),
    }
    shape.table_name(common["name"])
    shape.at_least(common["limit"], "limit", 1)
    shape.enum(common["select"], "select", SELECT_VALUES)
    shape.enum(common["rcc"], "returnConsumedCapacity", RETURN_CONSUMED_CAPACITY)
    return common


def _refuse_index(index: str | None) -> None:
    if index is not None:
        # Secondary indexes arrive with their own issue; refuse rather than misread.
        raise ValidationException("Secondary indexes are not supported by this version of ddblite")


@operation("Query")
def query(db: Database, params: dict, region: str) -> dict:
    shape = Shape()
    common = _common(params, shape)
    forward = expect_bool(params, "ScanIndexForward")
    shape.done()
    exprs = read_expressions.for_query(params)
    _check_select(common["select"], exprs.has_projection, common["index"])
    _refuse_index(common["index"])

    def run(txn):
        table = find_table(db, txn, region, common["name"])
        pk_value, sort = exprs.key_range(table)
        lo, hi = _sort_bounds(table, table.partition_prefix(pk_value), sort)
        after = _start_key(table, common["start"])
        page = read_range(
            txn, lo, hi, reverse=forward is False, after=after, limit=common["limit"],
            keep=exprs.filter,
        )
        return table, page

    table, page = db.storage.read(run)
    return _page_response(
        table, page, common["select"], exprs.project, common["rcc"], common["consistent"]
    )


@operation("Scan")
def scan(db: Database, params: dict, region: str) -> dict:
    shape = Shape()
    common = _common(params, shape)
    segment = expect_int(params, "Segment")
    total = expect_int(params, "TotalSegments")
    shape.at_least(segment, "segment", 0)
    shape.at_most(segment, "segment", MAX_SEGMENTS - 1)
    shape.at_least(total, "totalSegments", 1)
    shape.at_most(total, "totalSegments", MAX_SEGMENTS)
    shape.done()
    if segment is not None and total is None:
        raise ValidationException(
            "The TotalSegments parameter is required but was not present in the request when "
            "Segment parameter is present"
        )
    if total is not None and segment is None:
        raise ValidationException(
            "The Segment parameter is required but was not present in the request when "
            "parameter TotalSegments is present"
        )
    if segment is not None and segment >= total:
        raise ValidationException(
            "The Segment parameter is zero-based and must be less than parameter TotalSegments: "
            f"Segment: {segment} is not less than TotalSegments: {total}"
        )
    exprs = read_expressions.for_scan(params)
    _check_select(common["select"], exprs.has_projection, common["index"])
    _refuse_index(common["index"])

    def run(txn):
        table = find_table(db, txn, region, common["name"])
        lo, hi = table.prefix, prefix_end(table.prefix)
        if total is not None:
            seg_lo, seg_hi = segment_bounds(segment, total)
            lo = table.prefix + seg_lo
            hi = table.prefix + seg_hi if seg_hi is not None else hi
        after = _start_key(table, common["start"])
        page = read_range(txn, lo, hi, after=after, limit=common["limit"], keep=exprs.filter)
        return table, page

    table, page = db.storage.read(run)
    return _page_response(
        table, page, common["select"], exprs.project, common["rcc"], common["consistent"]
    )
