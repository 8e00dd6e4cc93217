"""Query and Scan: one read path (engine.reader) behind two request shapes.

Each request is checked in DynamoDB's order:
  1. JSON types of the members (SerializationException);
  2. TableName alone, then the other members' constraints together
     ("N validation errors detected");
  3. expression / non-expression parameter mixing;
  4. the legacy filter, AttributesToGet duplicates, ExclusiveStartKey values;
  5. Scan: Segment / TotalSegments; Query: some key condition is given;
  6. Select against the projection;
  7. the expressions (maps, syntax, unused entries), then legacy KeyConditions;
  8. the table (ResourceNotFoundException);
  9. Query: each key attribute in schema order against the ExclusiveStartKey and the
     key condition, then the start key against the condition's bounds;
     Scan: the start key against the schema and the segment;
 10. projection and filter paths that touch key attributes.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ddblite import constraints
from ddblite.attrvalue import canonical_item, type_check_item
from ddblite.dispatch import operation
from ddblite.engine.capacity import consumed, read_units
from ddblite.engine.keys import SCHEMA_MISMATCH, check_key
from ddblite.engine.reader import Page, read_range
from ddblite.errors import ValidationException
from ddblite.expressions.keycondition import check_key_attribute, sort_condition_holds
from ddblite.native import encode_key_part, segment_bounds
from ddblite.ops import index_read
from ddblite.ops import read_expressions as rx
from ddblite.ops.common import find_table, page_response
from ddblite.ops.conditions import check_expression_params
from ddblite.storage.interface import prefix_end
from ddblite.validate import (
    TABLE_NAME_PATTERN,
    check_table_name_alone,
    expect_bool,
    expect_int,
    expect_list,
    expect_map,
    expect_str,
)

if TYPE_CHECKING:
    from ddblite.database import Database
    from ddblite.engine.catalog import TableInfo


START_KEY_INVALID = "The provided starting key is invalid"
OUTSIDE_QUERY = "The provided starting key is outside query boundaries based on provided conditions"
OUTSIDE_RANGE_PREDICATE = "The provided starting key does not match the range key predicate"
ONE_ROW = "The query can return at most one row and cannot be restarted"
NO_KEY_CONDITION = (
    "Either the KeyConditions or KeyConditionExpression parameter must be specified in the "
    "request."
)
KEY_NOT_SCALAR = (
    "Key attributes must be scalars; list random access '[]' and map lookup '.' are not "
    "allowed: Key: "
)
# AttributeValue problems DynamoDB reports bare for a start key; the rest get a prefix.
_BARE_VALUE_ERRORS = re.compile(
    "contains duplicates|number set|numeric value|significant digits|number with magnitude"
)
_STRING_MEMBERS = (
    "IndexName", "Select", "ReturnConsumedCapacity", "ConditionalOperator",
    "KeyConditionExpression", "FilterExpression", "ProjectionExpression",
)


# ------------------------------------------------------------------ request shape


class _Request:
    """The members Query and Scan share, type-checked."""

    __slots__ = ("name", "index", "limit", "select", "consistent", "start", "rcc")

    def __init__(self, params: dict) -> None:
        for member in _STRING_MEMBERS:
            expect_str(params, member)
        expect_bool(params, "ScanIndexForward")
        expect_int(params, "Segment")
        expect_int(params, "TotalSegments")
        for member in ("QueryFilter", "ScanFilter", "KeyConditions", "ExpressionAttributeNames"):
            expect_map(params, member)
        expect_list(params, "AttributesToGet")
        values = expect_map(params, "ExpressionAttributeValues")
        if values is not None:
            type_check_item(values)
        self.start = expect_map(params, "ExclusiveStartKey")
        if self.start is not None:
            type_check_item(self.start)
        self.limit = expect_int(params, "Limit")
        self.consistent = bool(expect_bool(params, "ConsistentRead"))
        self.index = params.get("IndexName")
        self.select = params.get("Select")
        self.rcc = params.get("ReturnConsumedCapacity")
        self.name = _table_name(params)


def _table_name(params: dict) -> str:
    """TableName, or its constraint problems reported on their own."""
    name = params.get("TableName")
    if type(name) is str and 0 < len(name) <= 255 and TABLE_NAME_PATTERN.fullmatch(name):
        return name
    name = expect_str(params, "TableName")
    check_table_name_alone(name)
    return name


def _start_values(raw: dict | None) -> dict | None:
    """The ExclusiveStartKey's AttributeValues, checked and canonical."""
    if raw is None:
        return None
    try:
        return canonical_item(raw)
    except ValidationException as exc:
        if _BARE_VALUE_ERRORS.search(exc.message):
            raise
        raise ValidationException(f"{START_KEY_INVALID}: {exc.message}") from None


# ------------------------------------------------------------------ key checks


def check_query_keys(table: TableInfo, conditions: dict, start: dict | None) -> None:
    """Each key attribute in schema order: the start key's, then the condition's.

    DynamoDB interleaves the two, so which error wins depends on the attribute.
    """
    if start is not None and len(start) != len(table.key_names):
        raise ValidationException(START_KEY_INVALID)
    ranged = table.sk_name is not None
    for name, key_type, is_hash in _schema(table):
        if start is not None:
            value = start.get(name)
            if value is None:
                raise ValidationException(START_KEY_INVALID)
            if key_type not in value:
                raise ValidationException(SCHEMA_MISMATCH)
        check_key_attribute(conditions, name, key_type, is_hash, ranged)
    if start is not None:
        check_key(table, start)  # empty values and key sizes


def _schema(table: TableInfo):
    yield table.pk_name, table.pk_type, True
    if table.sk_name is not None:
        yield table.sk_name, table.sk_type, False


def _check_start_bounds(table: TableInfo, conditions: dict, start: dict) -> None:
    """A Query's start key must lie in the partition and sort range it reads."""
    same_partition = start[table.pk_name] == conditions[table.pk_name][1][0]
    sort = conditions.get(table.sk_name) if table.sk_name is not None else None
    if sort is None:
        if not same_partition:
            raise ValidationException(OUTSIDE_QUERY)
        return
    if not sort_condition_holds(sort[0], sort[1], start[table.sk_name]):
        raise ValidationException(OUTSIDE_RANGE_PREDICATE)
    if not same_partition:
        raise ValidationException(ONE_ROW)


def _check_key_paths(table: TableInfo, exprs: rx.ReadExpressions, *, query: bool) -> None:
    """Projection and filter paths may not look inside key attributes; a Query's
    filter may not name them at all."""
    key_names = table.key_names
    for elements in exprs.projection_paths:
        if len(elements) > 1 and elements[0] in key_names:
            raise ValidationException(KEY_NOT_SCALAR + elements[0])
    if exprs.filter is None:
        return
    heads = {elements[0] for elements in exprs.filter_paths}
    if query:
        for name in key_names:
            if name in heads:
                raise ValidationException(
                    f"{exprs.filter_label} can only contain non-primary key attributes: "
                    f"Primary key attribute: {name}"
                )
    nested = {elements[0] for elements in exprs.filter_paths if len(elements) > 1}
    for name in key_names:
        if name in nested:
            raise ValidationException(KEY_NOT_SCALAR + name)


# ------------------------------------------------------------------ key ranges


def _sort_bounds(
    table: TableInfo, partition: bytes, sort: tuple | None
) -> tuple[bytes, bytes | None]:
    """The storage-key range [lo, hi) of a partition narrowed by a sort-key condition.

    Sort keys are stored unterminated after the partition prefix, so for a value v
    the keys equal to v are exactly [at(v), at(v) + 0x00).
    """
    end = prefix_end(partition)
    if sort is None:
        return partition, end
    op, operands = sort
    sk_type = table.sk_type

    def at(value: dict) -> bytes:
        return partition + encode_key_part(sk_type, value[sk_type], False)

    if op == "EQ":
        return at(operands[0]), at(operands[0]) + b"\x00"
    if op == "LT":
        return partition, at(operands[0])
    if op == "LE":
        return partition, at(operands[0]) + b"\x00"
    if op == "GT":
        return at(operands[0]) + b"\x00", end
    if op == "GE":
        return at(operands[0]), end
    if op == "BETWEEN":
        return at(operands[0]), at(operands[1]) + b"\x00"
    start = at(operands[0])  # BEGINS_WITH
    return start, (prefix_end(start) if start != partition else end)


def _scan_bounds(
    table: TableInfo, segment: int | None, total: int | None
) -> tuple[bytes, bytes | None]:
    """The storage-key range [lo, hi) of a table's Scan, or of one of its segments."""
    lo, hi = table.prefix, prefix_end(table.prefix)
    if total is not None:
        seg_lo, seg_hi = segment_bounds(segment, total)
        lo = table.prefix + seg_lo
        hi = table.prefix + seg_hi if seg_hi is not None else hi
    return lo, hi


# ------------------------------------------------------------------ table reads


def query_table(
    txn, table: TableInfo, conditions: dict, start: dict | None, *, forward: bool = True,
    limit: int | None = None, keep=None, decode: bool = True,
) -> Page:
    """One Query page of the table: the partition and sort range of `conditions`
    (checked by check_query_keys), resuming after the item key `start`."""
    partition = table.partition_prefix(conditions[table.pk_name][1][0][table.pk_type])
    sort = conditions.get(table.sk_name) if table.sk_name is not None else None
    lo, hi = _sort_bounds(table, partition, sort)
    after = table.item_key(start) if start is not None else None
    return read_range(txn, lo, hi, reverse=not forward, after=after, limit=limit, keep=keep,
                      decode=decode)


def scan_table(
    txn, table: TableInfo, start: dict | None, *, segment: int | None = None,
    total: int | None = None, limit: int | None = None, keep=None, decode: bool = True,
) -> Page:
    """One Scan page of the table (or of a segment), resuming after the item key `start`."""
    lo, hi = _scan_bounds(table, segment, total)
    after = table.item_key(start) if start is not None else None
    return read_range(txn, lo, hi, after=after, limit=limit, keep=keep, decode=decode)


# ------------------------------------------------------------------ responses


def _page_response(db: Database, table: TableInfo, page, request: _Request, project,
                   pk: Any = None) -> dict[str, Any]:
    units = read_units(page.read_bytes, request.consistent)
    if db.throttle is not None:
        db.throttle.read(table, units, pk)
    db.usage_counters.charge(table.name, False, units, None, pk)
    capacity = None
    if request.rcc is not None:
        capacity = consumed(request.rcc, table.name, units, "read")
    return page_response(page, request.select, project, table.key_names, capacity)


# ------------------------------------------------------------------ Query


@operation("Query", reads=True)
def query(db: Database, params: dict, region: str) -> dict:
    request = _Request(params)
    forward = params.get("ScanIndexForward")
    constraints.check("Query", params)
    check_expression_params(
        params,
        ("ProjectionExpression", "FilterExpression", "KeyConditionExpression"),
        ("AttributesToGet", "QueryFilter", "ConditionalOperator", "KeyConditions"),
    )
    exprs = rx.ReadExpressions()
    legacy_filter = rx.legacy_filter(params, "QueryFilter")
    if legacy_filter is not None:
        exprs.set_filter(legacy_filter, "QueryFilter")
    legacy_projection = rx.attributes_to_get(params)
    start_values = _start_values(request.start)
    if params.get("KeyConditions") is None and params.get("KeyConditionExpression") is None:
        raise ValidationException(NO_KEY_CONDITION)
    rx.check_select(params, query=True)
    with index_read.multi_attribute_keys(request.index is not None):
        rx.parse_expressions(params, exprs, query=True)
        if exprs.key_condition is None:
            exprs.key_condition = rx.legacy_key_conditions(params)
    if legacy_projection is not None:
        exprs.set_projection(legacy_projection)
    conditions = exprs.key_condition.conditions
    if request.index is not None:
        return index_read.query_index(
            db, region, request, conditions, start_values, exprs, forward)

    def run(txn):
        table = find_table(db, txn, region, request.name)
        check_query_keys(table, conditions, start_values)
        if start_values is not None:
            _check_start_bounds(table, conditions, start_values)
        _check_key_paths(table, exprs, query=True)
        page = query_table(
            txn, table, conditions, start_values, forward=forward is not False,
            limit=request.limit, keep=exprs.filter, decode=request.select != "COUNT",
        )
        return table, page, conditions[table.pk_name][1][0][table.pk_type]

    table, page, pk = db.storage.read(run)
    return _page_response(db, table, page, request, exprs.project, pk)


# ------------------------------------------------------------------ Scan


def _check_segments(segment: int | None, total: int | None) -> None:
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
    if segment is not None and segment >= total:  # type: ignore[operator]
        raise ValidationException(
            "The Segment parameter is zero-based and must be less than parameter TotalSegments: "
            f"Segment: {segment} is not less than TotalSegments: {total}"
        )


def _scan_start(table: TableInfo, start: dict) -> bytes:
    """Storage key of a Scan's ExclusiveStartKey (the item itself need not exist)."""
    try:
        check_key(table, start)
    except ValidationException as exc:
        raise ValidationException(f"{START_KEY_INVALID}: {exc.message}") from None
    return table.item_key(start)


@operation("Scan", reads=True)
def scan(db: Database, params: dict, region: str) -> dict:
    request = _Request(params)
    segment = params.get("Segment")
    total = params.get("TotalSegments")
    constraints.check("Scan", params)
    check_expression_params(
        params,
        ("ProjectionExpression", "FilterExpression"),
        ("AttributesToGet", "ScanFilter", "ConditionalOperator"),
    )
    exprs = rx.ReadExpressions()
    legacy_projection = rx.attributes_to_get(params)
    legacy_filter = rx.legacy_filter(params, "ScanFilter")
    if legacy_filter is not None:
        exprs.set_filter(legacy_filter, "ScanFilter")
    start_values = _start_values(request.start)
    _check_segments(segment, total)
    rx.check_select(params, query=False)
    rx.parse_expressions(params, exprs, query=False)
    if legacy_projection is not None:
        exprs.set_projection(legacy_projection)
    if request.index is not None:
        return index_read.scan_index(db, region, request, start_values, exprs, segment, total)

    def run(txn):
        table = find_table(db, txn, region, request.name)
        if start_values is not None:
            after = _scan_start(table, start_values)
            lo, hi = _scan_bounds(table, segment, total)
            if after < lo or (hi is not None and after >= hi):
                raise ValidationException(
                    f"{START_KEY_INVALID}: Invalid ExclusiveStartKey. Please use "
                    f"ExclusiveStartKey with correct Segment. TotalSegments: {total} "
                    f"Segment: {segment}"
                )
        _check_key_paths(table, exprs, query=False)
        page = scan_table(
            txn, table, start_values, segment=segment, total=total, limit=request.limit,
            keep=exprs.filter, decode=request.select != "COUNT",
        )
        return table, page

    table, page = db.storage.read(run)
    return _page_response(db, table, page, request, exprs.project)
