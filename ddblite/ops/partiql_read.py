"""PartiQL SELECT: plan against the target's key schema, then read.

A key-equality SELECT is a GetItem (items.get, one snapshot); equality or IN on the
partition key makes a Query per value (query.query_table, or ops.index_read for
`"table"."index"`); anything else is a Scan (query.scan_table, index_read). The rest
of the WHERE clause is a filter Condition on the one expression evaluator. A NextToken
carries (statement digest, partition number, LastEvaluatedKey).
"""

from __future__ import annotations

import base64
import hashlib
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import msgpack

from ddblite.engine import items
from ddblite.engine.capacity import consumed, read_units
from ddblite.engine.keys import check_key
from ddblite.engine.usage import partition_value
from ddblite.errors import ValidationException
from ddblite.expressions.evaluate import get_path
from ddblite.ops import index_read
from ddblite.ops.common import find_table
from ddblite.ops.query import check_query_keys, query_table, scan_table
from ddblite.ops.read_expressions import ReadExpressions
from ddblite.partiql import ast
from ddblite.partiql.bind import Binder
from ddblite.partiql.plan import ReadPlan, SelectShape, shape_select

if TYPE_CHECKING:
    from ddblite.database import Database
    from ddblite.engine.catalog import TableInfo

INVALID_NEXT_TOKEN = "Invalid NextToken"
TOKEN_MISMATCH = "NextToken does not match request"
ORDER_BY_NEEDS_WHERE = "Must have WHERE clause in the statement when using ORDER BY clause."
ORDER_BY_NEEDS_HASH = ("Must have at least one non-optional hash key condition in WHERE clause "
                       "when using ORDER BY clause.")
ORDER_BY_KEY = "Variable reference {} in ORDER BY clause must be part of the primary key"
ORDER_BY_MANY_PARTITIONS = ("Must have hash key in ORDER BY clause when more than one hash key "
                            "condition specified in WHERE clause.")
GSI_CONSISTENT_READ = "Strongly consistent read is not supported on Global Secondary Indexes"
# INFERRED: DynamoDB refuses these (characterised) but its wording was not found.
UNPROJECTED_SELECT = "Attribute {} is not projected by index {}"
UNPROJECTED_FILTER = "Filter on attribute {} that is not projected by index {}"



class _ReadRequest:
    """The members ops.index_read reads from a parsed Query/Scan request."""

    __slots__ = ("name", "index", "limit", "select", "consistent", "start", "rcc")

    def __init__(self, name: str, index: str | None, limit: int | None, consistent: bool,
                 rcc: str | None) -> None:
        self.name = name
        self.index = index
        self.limit = limit
        self.select = None
        self.consistent = consistent
        self.start = None
        self.rcc = rcc


def _projector(projection: list[ast.Path] | None):
    """SELECT a, b.c: each value under its last name (`b.c` answers as `c`)."""
    if projection is None:
        return None
    paths = [(path.elements, _last_name(path.elements)) for path in projection]

    def project(item: dict) -> dict:
        result = {}
        for elements, name in paths:
            value = get_path(item, elements)
            if value is not None:
                result[name] = value
        return result

    return project


def _last_name(elements: tuple) -> str:
    # INFERRED: a path ending in a list index answers under its last map key.
    for element in reversed(elements):
        if isinstance(element, str):
            return element
    return str(elements[0])


def _key_schema(table: TableInfo, index_name: str | None, consistent: bool = False):
    """(index or None, partition key name, sort key name or None) of the read target."""
    if index_name is None:
        return None, table.pk_name, table.sk_name
    index = index_read.find_index(table, index_name)
    if consistent and index.is_global:
        raise ValidationException(GSI_CONSISTENT_READ)
    pk = index.hash_attrs[0][0] if len(index.hash_attrs) == 1 else None
    sk = index.range_attrs[0][0] if len(index.range_attrs) == 1 else None
    return index, pk, sk


def _check_order(statement: ast.Select, plan: ReadPlan, pk: str | None, sk: str | None) -> bool:
    """ORDER BY rules; returns whether the read runs backwards."""
    if not statement.order:
        return False
    if statement.where is None:
        raise ValidationException(ORDER_BY_NEEDS_WHERE)
    for name, _ in statement.order:
        if name not in (pk, sk):
            raise ValidationException(ORDER_BY_KEY.format(name))
    if plan.kind == "scan":
        raise ValidationException(ORDER_BY_NEEDS_HASH)
    order = dict(statement.order)
    if len(plan.partitions) > 1:
        if pk not in order:
            raise ValidationException(ORDER_BY_MANY_PARTITIONS)
        # Partitions are read one after another, so ordering them orders the result.
        plan.partitions.sort(key=_key_order, reverse=order[pk])
    return order.get(sk, False)


def _conditions(plan: ReadPlan, value: dict, pk: str, sk: str | None) -> dict:
    """The key conditions of the plan's Query of one partition key value."""
    conditions = {pk: ("EQ", [value])}
    if plan.sort is not None:
        conditions[sk] = plan.sort  # type: ignore[index]
    return conditions


def _key_order(value: dict) -> Any:
    """Sort key of a partition key value (S, N or B; one type per key)."""
    tag, inner = next(iter(value.items()))
    return Decimal(inner) if tag == "N" else inner


def _check_index_attributes(index, plan: ReadPlan, exprs: ReadExpressions) -> None:
    """What an index read may name beyond what the index holds.

    A GSI refuses to select an attribute it does not project (an LSI fetches it from
    the table); a keyed read refuses a filter on one; an unkeyed read (a scan of the
    index) filters the entries as they are, so such a filter simply matches nothing.
    """
    projected = index.projected_names
    if projected is None:
        return
    if index.is_global:
        for elements in exprs.projection_paths:
            if elements[0] not in projected:
                raise ValidationException(UNPROJECTED_SELECT.format(elements[0], index.name))
    if plan.kind == "query":
        for elements in exprs.filter_paths:
            if elements[0] not in projected:
                raise ValidationException(UNPROJECTED_FILTER.format(elements[0], index.name))
    exprs.filter_paths = []  # the filter never makes an LSI fetch from the table


def _encode_token(digest: bytes, partition: int, start: dict) -> str:
    return base64.b64encode(msgpack.packb([digest, partition, start], use_bin_type=True)).decode()


def _decode_token(token: str, digest: bytes) -> tuple[int, dict]:
    try:
        got, partition, start = msgpack.unpackb(base64.b64decode(token, validate=True), raw=False)
    except Exception:
        raise ValidationException(INVALID_NEXT_TOKEN) from None
    if got != digest:
        raise ValidationException(TOKEN_MISMATCH)
    return partition, start


def _digest(text: str, params: list | None) -> bytes:
    return hashlib.sha256(msgpack.packb([text, params], use_bin_type=True)).digest()[:16]


def _shape_of(statement: ast.Select, pk: str | None, sk: str | None,
              allow_get: bool) -> SelectShape:
    """The statement's plan shape for a key schema, cached on the statement."""
    cache_key = (pk, sk, allow_get)
    shape = statement.plans.get(cache_key)
    if shape is None:
        # pk None (a multi-attribute index key): no key condition, so a scan.
        shape = shape_select(statement.where, pk or "", sk, allow_get)
        if len(statement.plans) < 16:  # a table re-created with other keys adds one
            statement.plans[cache_key] = shape
    return shape


class Select:
    """One SELECT: plan against the key schema, then GetItem, Queries or a Scan."""

    def __init__(self, db: Database, region: str, statement: ast.Select, binder: Binder,
                 consistent: bool, limit: int | None, rcc: str | None, allow_get: bool) -> None:
        self.db = db
        self.region = region
        self.statement = statement
        self.binder = binder
        self.consistent = consistent
        self.limit = limit
        self.rcc = rcc
        self.allow_get = allow_get
        self.project = _projector(statement.projection)

    def plan(self, txn) -> tuple[TableInfo, Any, ReadPlan, bool]:
        statement = self.statement
        table = find_table(self.db, txn, self.region, statement.table)
        index, pk, sk = _key_schema(table, statement.index, self.consistent)
        plan = _shape_of(statement, pk, sk, self.allow_get and index is None).bind(self.binder)
        backwards = _check_order(statement, plan, pk, sk)
        if plan.kind == "query" and index is None:
            for value in plan.partitions:
                check_query_keys(table, _conditions(plan, value, pk, sk), None)
        return table, index, plan, backwards

    def get(self) -> tuple[TableInfo, Any, ReadPlan, bool, tuple | None]:
        """Plan, and read the item when the plan is a GetItem (one snapshot): the table,
        index, plan, direction and (item, size) or None."""

        def run(txn):
            table, index, plan, backwards = self.plan(txn)
            if plan.kind != "get":
                return table, index, plan, backwards, None
            check_key(table, plan.key)
            return table, index, plan, backwards, items.get(txn, table.item_key(plan.key))

        return self.db.storage.read(run)

    def run(self, token: str | None, text: str, params: list | None) -> dict[str, Any]:
        table, index, plan, backwards, found = self.get()
        if found is not None:
            item, size = found
            response: dict[str, Any] = {"Items": [] if item is None else [self.shape_item(item)]}
            _charge(self.db, response, self.rcc, table, read_units(size, self.consistent),
                    plan.key)
            return response
        exprs = ReadExpressions()
        if plan.filter is not None:
            exprs.set_filter(plan.filter, "Filter Expression")
        if self.statement.projection is not None:
            exprs.projection_paths = [path.elements for path in self.statement.projection]
        if index is not None:
            _check_index_attributes(index, plan, exprs)
        digest = _digest(text, params)  # ties a NextToken to this statement
        partition, start = (0, None) if token is None else _decode_token(token, digest)
        count = len(plan.partitions) if plan.kind == "query" else 1
        if partition >= count:
            raise ValidationException(INVALID_NEXT_TOKEN)
        found_items: list[dict] = []
        units = 0.0
        index_capacity: dict | None = None
        remaining = self.limit
        next_start = None
        while partition < count:
            request = _ReadRequest(table.name, self.statement.index, remaining, self.consistent,
                                   "INDEXES")
            page = self._read(table, index, plan, partition, start, exprs, request, backwards)
            found_items.extend(page.get("Items", []))
            capacity = page.get("ConsumedCapacity")
            if capacity is not None:
                units += capacity["CapacityUnits"]
                index_capacity = capacity
            if "LastEvaluatedKey" in page:
                next_start = (partition, page["LastEvaluatedKey"])
                break
            partition += 1
            start = None
            if remaining is not None:
                remaining -= page["ScannedCount"]
                if remaining <= 0:
                    if partition < count:
                        next_start = (partition, None)
                    break
        response = {"Items": [self.shape_item(item) for item in found_items]}
        if next_start is not None:
            response["NextToken"] = _encode_token(digest, next_start[0], next_start[1])
        if index is not None and index_capacity is not None:
            self._index_capacity(response, index_capacity, units)
        else:
            _charge(self.db, response, self.rcc, table, units)
        return response

    def _read(self, table, index, plan: ReadPlan, partition: int, start: dict | None,
              exprs: ReadExpressions, request: _ReadRequest, backwards: bool) -> dict:
        if index is not None:
            if plan.kind == "scan":
                return index_read.scan_index(self.db, self.region, request, start, exprs,
                                             None, None)
            conditions = _conditions(plan, plan.partitions[partition], index.hash_attrs[0][0],
                                     index.range_attrs[0][0] if index.range_attrs else None)
            return index_read.query_index(self.db, self.region, request, conditions, start,
                                          exprs, not backwards)

        def run(txn):
            current = find_table(self.db, txn, self.region, table.name)
            if plan.kind == "scan":
                return scan_table(txn, current, start, limit=request.limit, keep=exprs.filter)
            conditions = _conditions(plan, plan.partitions[partition], current.pk_name,
                                     current.sk_name)
            return query_table(txn, current, conditions, start, forward=not backwards,
                               limit=request.limit, keep=exprs.filter)

        page = self.db.storage.read(run)
        response: dict[str, Any] = {"Items": page.items, "ScannedCount": page.scanned,
                                    "ConsumedCapacity": {
                                        "CapacityUnits": read_units(page.read_bytes,
                                                                    self.consistent)}}
        if page.last is not None:
            response["LastEvaluatedKey"] = {name: page.last[name] for name in table.key_names}
        return response

    def shape_item(self, item: dict) -> dict:
        return item if self.project is None else self.project(item)

    def _index_capacity(self, response: dict, last: dict, units: float) -> None:
        # Several Queries of one index: the shape of the last, the units of them all.
        if self.rcc is None or self.rcc == "NONE":
            return
        capacity = dict(last)
        capacity["CapacityUnits"] = units
        if self.rcc == "TOTAL":
            capacity = {k: v for k, v in capacity.items() if k in ("TableName", "CapacityUnits")}
        response["ConsumedCapacity"] = capacity


def get_by_key(db: Database, region: str, statement: ast.Select, binder: Binder,
                consistent: bool, rcc: str | None) -> dict[str, Any] | None:
    """The GetItem a key-equality SELECT is, in one snapshot; None for any other plan.

    The hot path of `SELECT ... WHERE pk = ?`: the plan shape is cached on the
    statement, so this costs a GetItem plus a dictionary lookup.
    """

    def run(txn):
        table = find_table(db, txn, region, statement.table)
        shape = _shape_of(statement, table.pk_name, table.sk_name, True)
        if shape.kind != "get":
            return None
        key = shape.key(binder)
        check_key(table, key)
        return table, key, items.get(txn, table.item_key(key))

    found = db.storage.read(run)
    if found is None:
        return None
    table, key, (item, size) = found
    if item is not None and statement.projection is not None:
        item = _projector(statement.projection)(item)  # type: ignore[misc]
    response: dict[str, Any] = {"Items": [] if item is None else [item]}
    _charge(db, response, rcc, table, read_units(size, consistent), key)
    return response


def _charge(db: Database, response: dict, rcc: str | None, table: TableInfo, units: float,
            key: dict | None = None) -> None:
    """A table read's units, as GetItem, Query and Scan charge theirs: to the throttle
    buckets, to db.usage() (with the partition key of a keyed read), and to the
    response's ConsumedCapacity."""
    pk = partition_value(table, key) if key is not None else None
    if db.throttle is not None:
        db.throttle.read(table, units, pk)
    db.usage_counters.charge(table.name, False, units, None, pk)
    _add_capacity(response, rcc, table.name, units)


def _add_capacity(response: dict, rcc: str | None, table_name: str, units: float) -> None:
    """The ConsumedCapacity of a table read, when ReturnConsumedCapacity asks for one."""
    if rcc is not None:
        capacity = consumed(rcc, table_name, units, "read")
        if capacity is not None:
            response["ConsumedCapacity"] = capacity
