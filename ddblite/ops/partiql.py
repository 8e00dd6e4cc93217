"""ExecuteStatement, BatchExecuteStatement and ExecuteTransaction (PartiQL).

A statement is parsed once (ddblite.partiql, cached by text), its values bound per
call, and then run on the paths the other operations use:

  SELECT  -> plan.shape_select: GetItem (items.get), a Query per partition value or a
             Scan, on the table or on `"table"."index"` (ops.index_read), the rest of
             the WHERE clause as a filter Condition on the one expression evaluator;
  INSERT  -> a PutWrite that refuses an existing item (DuplicateItemException);
  UPDATE  -> an UpdateWrite whose condition is "the item exists" AND the WHERE terms
             beyond the key (ConditionalCheckFailedException when it does not hold);
  DELETE  -> a DeleteWrite whose condition is "the item is absent" OR those terms, so
             deleting a missing item is a no-op;
  ExecuteTransaction -> ops.transactions.run_transaction with the same write objects.

Error texts are DynamoDB's where known; the others are marked INFERRED.
"""

from __future__ import annotations

import base64
import hashlib
from typing import TYPE_CHECKING, Any

import msgpack

from ddblite import partiql
from ddblite.attrvalue import type_check_value
from ddblite.dispatch import operation
from ddblite.engine import idempotency, items
from ddblite.engine.capacity import consumed, read_units
from ddblite.engine.keys import check_key
from ddblite.engine.reader import read_range
from ddblite.errors import (
    DuplicateItemException,
    DynamoDBError,
    SerializationException,
    ValidationException,
)
from ddblite.expressions import ast as ex
from ddblite.expressions.evaluate import get_path
from ddblite.ops import index_read
from ddblite.ops.batch import render_java
from ddblite.ops.common import find_table
from ddblite.ops.items import add_write_details, checked_item
from ddblite.ops.query import _query_keys, _sort_bounds
from ddblite.ops.read_expressions import ReadExpressions
from ddblite.ops.transactions import (
    MAX_TOKEN_LENGTH,
    TRANSACTIONAL_FACTOR,
    _TableUnits,
    run_transaction,
)
from ddblite.ops.writes import ConditionCheckWrite, DeleteWrite, ItemWrite, PutWrite, UpdateWrite
from ddblite.partiql import ast
from ddblite.partiql.bind import Binder, check_parameters, make_condition, path_node
from ddblite.partiql.parser import INCOMPLETE_KEY
from ddblite.partiql.plan import ReadPlan, SelectShape, plan_write, shape_select
from ddblite.storage.interface import prefix_end
from ddblite.validate import (
    RETURN_CONSUMED_CAPACITY,
    RETURN_VALUES_ON_CONDITION_CHECK_FAILURE,
    Shape,
    expect_bool,
    expect_int,
    expect_list,
    expect_str,
)

if TYPE_CHECKING:
    from ddblite.database import Database
    from ddblite.engine.catalog import TableInfo

MAX_STATEMENT_LENGTH = 8192
MAX_TOKEN = 32768
MAX_BATCH = 25
MAX_TRANSACTION = 100

DUPLICATE_ITEM = "Duplicate primary key exists in table"
INVALID_NEXT_TOKEN = "Invalid NextToken"
TOKEN_MISMATCH = "NextToken does not match request"
ORDER_BY_NEEDS_WHERE = "Must have WHERE clause in the statement when using ORDER BY clause."
ORDER_BY_NEEDS_HASH = ("Must have at least one non-optional hash key condition in WHERE clause "
                       "when using ORDER BY clause.")
ORDER_BY_KEY = "Variable reference {} in ORDER BY clause must be part of the primary key"
TRANSACTION_READ_KEYS = ("Select statements within ExecuteTransaction must specify the primary "
                         "key in the where clause.")
TRANSACTION_INDEX = "Reads on indices are not supported within transactions."
GSI_CONSISTENT_READ = "Strongly consistent read is not supported on Global Secondary Indexes"
NOT_ON_INDEX = "This operation is not supported on an index"
# INFERRED: DynamoDB refuses these (characterised) but its wording was not found.
UNPROJECTED_SELECT = "Attribute {} is not projected by index {}"
UNPROJECTED_FILTER = "Filter on attribute {} that is not projected by index {}"
EXISTS_OUTSIDE_TRANSACTION = "EXISTS can only be used in ExecuteTransaction write requests."
TRANSACTION_CHECK_KEYS = "EXISTS() must contain a single item read with additional condition"
TRANSACTION_CHECK_INDEX = "Operations on indices are not supported in transactions"
# INFERRED: DynamoDB's wording for these was not found.
BATCH_READ_KEYS = ("Select statements within BatchExecuteStatement must specify the primary "
                   "key in the where clause.")
MIXED_READS_WRITES = ("Statements in a batch or transaction must be either all reads or all "
                      "writes")

_RCC = RETURN_CONSUMED_CAPACITY
_RVOCCF = RETURN_VALUES_ON_CONDITION_CHECK_FAILURE


# ---------------------------------------------------------------- request shapes


def _statement_shape(shape: Shape, body: dict, prefix: str) -> tuple[str | None, list | None]:
    """Statement (1..8192 characters) and Parameters (at least one) of one statement."""
    text = expect_str(body, "Statement")
    params = expect_list(body, "Parameters")
    for value in params or ():
        type_check_value(value)
    if shape.not_null(text, f"{prefix}statement"):
        shape.length_between(text, f"{prefix}statement", 1, MAX_STATEMENT_LENGTH)
    if params is not None and not params:
        shape.add("[]", f"{prefix}parameters", "Member must have length greater than or equal to 1")
    return text, params


def _statements(params: dict, member: str, label: str, most: int, shape: Shape) -> list[dict]:
    raw = expect_list(params, member)
    if raw is None:
        shape.not_null(None, label)
        return []
    for entry in raw:
        if not isinstance(entry, dict):
            raise SerializationException("Unexpected value type in payload")
    if not raw:
        shape.add("[]", label, "Member must have length greater than or equal to 1")
    elif len(raw) > most:
        shape.problems.append(
            f"Value '{render_java(raw)}' at '{label}' failed to satisfy constraint: "
            f"Member must have length less than or equal to {most}"
        )
    return raw


# ---------------------------------------------------------------- SELECT


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
    for name, descending in statement.order:
        if name == sk:
            return descending
    return False


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


class _Select:
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
        if statement.index is None:
            index, pk, sk = None, table.pk_name, table.sk_name
        else:
            index, pk, sk = _key_schema(table, statement.index, self.consistent)
        plan = _shape_of(statement, pk, sk, self.allow_get and index is None).bind(self.binder)
        backwards = _check_order(statement, plan, pk, sk)
        if plan.kind == "query" and index is None:
            for value in plan.partitions:
                conditions = {pk: ("EQ", [value])}
                if plan.sort is not None:
                    conditions[sk] = plan.sort  # type: ignore[index]
                _query_keys(table, conditions, None)
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
            response: dict[str, Any] = {"Items": [] if item is None else [self._shape(item)]}
            self._capacity(response, table, read_units(size, self.consistent))
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
        response = {"Items": [self._shape(item) for item in found_items]}
        if next_start is not None:
            response["NextToken"] = _encode_token(digest, next_start[0], next_start[1])
        if index is not None and index_capacity is not None:
            self._index_capacity(response, index_capacity, units)
        else:
            self._capacity(response, table, units)
        return response

    def _read(self, table, index, plan: ReadPlan, partition: int, start: dict | None,
              exprs: ReadExpressions, request: _ReadRequest, backwards: bool) -> dict:
        if index is not None:
            if plan.kind == "scan":
                return index_read.scan_index(self.db, self.region, request, start, exprs,
                                             None, None)
            conditions = {index.hash_attrs[0][0]: ("EQ", [plan.partitions[partition]])}
            if plan.sort is not None:
                conditions[index.range_attrs[0][0]] = plan.sort
            return index_read.query_index(self.db, self.region, request, conditions, start,
                                          exprs, not backwards)

        def run(txn):
            current = find_table(self.db, txn, self.region, table.name)
            if plan.kind == "scan":
                lo, hi = current.prefix, prefix_end(current.prefix)
            else:
                value = plan.partitions[partition]
                prefix = current.partition_prefix(value[current.pk_type])
                lo, hi = _sort_bounds(current, prefix, plan.sort)
            after = current.item_key(start) if start is not None else None
            return read_range(txn, lo, hi, reverse=backwards, after=after, limit=request.limit,
                              keep=exprs.filter)

        page = self.db.storage.read(run)
        response: dict[str, Any] = {"Items": page.items, "ScannedCount": page.scanned,
                                    "ConsumedCapacity": {
                                        "CapacityUnits": read_units(page.read_bytes,
                                                                    self.consistent)}}
        if page.last is not None:
            response["LastEvaluatedKey"] = {name: page.last[name] for name in table.key_names}
        return response

    def _shape(self, item: dict) -> dict:
        return item if self.project is None else self.project(item)

    def _capacity(self, response: dict, table: TableInfo, units: float) -> None:
        if self.rcc is not None:
            capacity = consumed(self.rcc, table.name, units, "read")
            if capacity is not None:
                response["ConsumedCapacity"] = capacity

    def _index_capacity(self, response: dict, last: dict, units: float) -> None:
        # Several Queries of one index: the shape of the last, the units of them all.
        if self.rcc is None or self.rcc == "NONE":
            return
        capacity = dict(last)
        capacity["CapacityUnits"] = units
        if self.rcc == "TOTAL":
            capacity = {k: v for k, v in capacity.items() if k in ("TableName", "CapacityUnits")}
        response["ConsumedCapacity"] = capacity


# ---------------------------------------------------------------- writes


class InsertWrite(PutWrite):
    """INSERT: a PutItem that refuses an item already stored under the key."""

    __slots__ = ()
    always_reads = True

    def check(self):
        if self.old is not None:
            return DuplicateItemException(DUPLICATE_ITEM)
        return None


def _exists(name: str, present: bool) -> ex.Node:
    function = "attribute_exists" if present else "attribute_not_exists"
    return ex.Call(0, function, [path_node(ast.Path([name]))])


def build_write(statement: ast.Statement, binder: Binder, table: TableInfo,
                on_failure: str | None) -> tuple[ItemWrite, Any]:
    """The write object of an INSERT / UPDATE / DELETE / EXISTS, and its Update (or None)."""
    if isinstance(statement, ast.Insert):
        item, size = checked_item(binder.item(statement.item))
        return InsertWrite(statement.table, item, size, None, on_failure), None
    if isinstance(statement, ast.Exists):
        return _condition_check(statement, binder, table, on_failure), None
    if statement.index is not None:
        raise ValidationException(NOT_ON_INDEX)
    key, rest = plan_write(statement.where, table.key_names, binder)  # type: ignore[attr-defined]
    if isinstance(statement, ast.Update):
        update = binder.update(statement)
        tree = _exists(table.pk_name, True)
        if rest is not None:
            tree = ex.And(0, tree, rest)
        return UpdateWrite(statement.table, key, update, make_condition(tree), on_failure), update
    condition = None
    if rest is not None:
        condition = make_condition(ex.Or(0, _exists(table.pk_name, False), rest))
    return DeleteWrite(statement.table, key, condition, on_failure), None


def _condition_check(statement: ast.Exists, binder: Binder, table: TableInfo,
                     on_failure: str | None) -> ConditionCheckWrite:
    """EXISTS(SELECT ... WHERE key AND condition): the item is there and the rest holds."""
    select = statement.select
    if select.index is not None:
        raise ValidationException(TRANSACTION_CHECK_INDEX)
    try:
        key, rest = plan_write(select.where, table.key_names, binder)  # type: ignore[arg-type]
    except ValidationException as exc:
        if exc.message != INCOMPLETE_KEY:
            raise
        raise ValidationException(TRANSACTION_CHECK_KEYS) from None
    tree = _exists(table.pk_name, True)
    if rest is not None:
        tree = ex.And(0, tree, rest)
    return ConditionCheckWrite(statement.table, key, make_condition(tree), on_failure)


def _lookup(db: Database, region: str, name: str) -> TableInfo:
    return db.storage.read(lambda txn: find_table(db, txn, region, name))


def _returned(statement: ast.Statement, write: ItemWrite, update, result) -> dict | None:
    returning = getattr(statement, "returning", None)
    if returning is None:
        return None
    old = result[0]
    if returning == "ALL OLD":
        return old
    if returning == "MODIFIED OLD":
        return update.updated_old(old) if old is not None else None
    if returning == "ALL NEW":
        return write.new
    return update.updated_new(write.new)


def run_write(db: Database, region: str, statement: ast.Statement, binder: Binder,
              rcc: str | None, on_failure: str | None) -> tuple[dict, dict | None]:
    """One write statement on its own; returns (response members, returned item)."""
    table = _lookup(db, region, statement.table)
    write, update = build_write(statement, binder, table, on_failure)
    result = db.storage.write(lambda txn: write.run(db, txn, region))
    returned = _returned(statement, write, update, result)
    response: dict[str, Any] = {}
    image = write.new if write.new is not None else write.key
    add_write_details(response, write.table, result, image, write.units(result), rcc, None)
    return response, returned or None


# ---------------------------------------------------------------- ExecuteStatement


def execute(db: Database, region: str, text: str, params: list | None, *,
            consistent: bool = False, limit: int | None = None, token: str | None = None,
            rcc: str | None = None, on_failure: str | None = None) -> dict[str, Any]:
    """Run one statement; the ExecuteStatement response."""
    statement = partiql.parse(text)
    binder = Binder(check_parameters(statement, params))
    if type(statement) is ast.Select:
        if token is None and statement.index is None and not statement.order:
            found = _get_by_key(db, region, statement, binder, consistent, rcc)
            if found is not None:
                return found
        select = _Select(db, region, statement, binder, consistent, limit, rcc,
                         allow_get=token is None)
        return select.run(token, text, params)
    if type(statement) is ast.Exists:
        raise ValidationException(EXISTS_OUTSIDE_TRANSACTION)
    response, returned = run_write(db, region, statement, binder, rcc, on_failure)
    response["Items"] = [returned] if returned else []
    return response


def _get_by_key(db: Database, region: str, statement: ast.Select, binder: Binder,
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
        return table, items.get(txn, table.item_key(key))

    found = db.storage.read(run)
    if found is None:
        return None
    table, (item, size) = found
    if item is not None and statement.projection is not None:
        item = _projector(statement.projection)(item)  # type: ignore[misc]
    response: dict[str, Any] = {"Items": [] if item is None else [item]}
    if rcc is not None:
        capacity = consumed(rcc, table.name, read_units(size, consistent), "read")
        if capacity is not None:
            response["ConsumedCapacity"] = capacity
    return response


_PLAIN = frozenset(("Statement", "Parameters"))


@operation("ExecuteStatement")
def execute_statement(db: Database, params: dict, region: str) -> dict:
    text = params.get("Statement")
    values = params.get("Parameters")
    if (type(text) is str and 0 < len(text) <= MAX_STATEMENT_LENGTH and _PLAIN.issuperset(params)
            and (values is None or (type(values) is list and values))):
        return execute(db, region, text, values)  # the common request: nothing else to check
    consistent = expect_bool(params, "ConsistentRead")
    token = expect_str(params, "NextToken")
    limit = expect_int(params, "Limit")
    rcc = expect_str(params, "ReturnConsumedCapacity")
    on_failure = expect_str(params, "ReturnValuesOnConditionCheckFailure")
    shape = Shape()
    text, values = _statement_shape(shape, params, "")
    shape.enum(rcc, "returnConsumedCapacity", _RCC)
    if token is not None:
        shape.length_between(token, "nextToken", 1, MAX_TOKEN)
    shape.at_least(limit, "limit", 1)
    shape.enum(on_failure, "returnValuesOnConditionCheckFailure", _RVOCCF)
    shape.done()
    return execute(db, region, text, values, consistent=bool(consistent), limit=limit,  # type: ignore[arg-type]
                   token=token, rcc=rcc, on_failure=on_failure)


# ---------------------------------------------------------------- BatchExecuteStatement


def error_entry(exc: DynamoDBError) -> dict[str, Any]:
    """A per-statement error as BatchExecuteStatement reports it."""
    code = exc.code
    if code == "ValidationException":
        code = "ValidationError"
    elif code.endswith("Exception"):
        code = code[: -len("Exception")]
    entry: dict[str, Any] = {"Code": code, "Message": exc.message}
    if "Item" in exc.extra:
        entry["Item"] = exc.extra["Item"]
    return entry


@operation("BatchExecuteStatement")
def batch_execute_statement(db: Database, params: dict, region: str) -> dict:
    rcc = expect_str(params, "ReturnConsumedCapacity")
    shape = Shape()
    raw = _statements(params, "Statements", "statements", MAX_BATCH, shape)
    bodies = []
    for number, body in enumerate(raw, 1):
        expect_bool(body, "ConsistentRead")
        expect_str(body, "ReturnValuesOnConditionCheckFailure")
        bodies.append((body, *_statement_shape(shape, body, f"statements.{number}.member.")))
    shape.enum(rcc, "returnConsumedCapacity", _RCC)
    shape.done()
    parsed: list[ast.Statement | DynamoDBError] = []
    for _, text, _ in bodies:
        try:
            parsed.append(partiql.parse(text))  # type: ignore[arg-type]
        except DynamoDBError as exc:
            parsed.append(exc)
    kinds = {item.writes for item in parsed if isinstance(item, ast.Statement)}
    if len(kinds) > 1:
        raise ValidationException(MIXED_READS_WRITES)
    responses = []
    units = _TableUnits()
    for (body, _, values), statement in zip(bodies, parsed):
        if isinstance(statement, DynamoDBError):
            responses.append({"Error": error_entry(statement)})
            continue
        entry: dict[str, Any] = {}
        try:
            binder = Binder(check_parameters(statement, values))
            if isinstance(statement, ast.Select):
                item, used = _batch_read(db, region, statement, binder,
                                         bool(body.get("ConsistentRead")))
                units.add(statement.table, used)
            elif isinstance(statement, ast.Exists):
                raise ValidationException(EXISTS_OUTSIDE_TRANSACTION)
            else:
                # A batch member never returns the item a failed condition saw.
                response, item = run_write(db, region, statement, binder, "TOTAL", None)
                units.add(statement.table, response["ConsumedCapacity"]["CapacityUnits"])
            entry["TableName"] = statement.table
            if item:
                entry["Item"] = item
        except DynamoDBError as exc:
            # A member refused before it ran (ValidationError) names no table.
            if not isinstance(exc, ValidationException):
                entry["TableName"] = statement.table
            entry["Error"] = error_entry(exc)
        responses.append(entry)
    response: dict[str, Any] = {"Responses": responses}
    if rcc is not None and rcc != "NONE":
        response["ConsumedCapacity"] = [
            {"TableName": name, "CapacityUnits": total,
             **({"Table": {"CapacityUnits": total}} if rcc == "INDEXES" else {})}
            for name, total in units.units.items()
        ]
    return response


def _batch_read(db: Database, region: str, statement: ast.Select, binder: Binder,
                consistent: bool) -> tuple[dict | None, float]:
    """A SELECT of a batch: one item by its full primary key (a GetItem)."""
    select = _Select(db, region, statement, binder, consistent, None, None, allow_get=True)
    if statement.index is not None:
        raise ValidationException(BATCH_READ_KEYS)
    _, _, plan, _, found = select.get()
    if plan.kind != "get":
        raise ValidationException(BATCH_READ_KEYS)
    item, size = found
    return (select._shape(item) if item is not None else None), read_units(size, consistent)


# ---------------------------------------------------------------- ExecuteTransaction


@operation("ExecuteTransaction")
def execute_transaction(db: Database, params: dict, region: str) -> dict:
    token = expect_str(params, "ClientRequestToken")
    rcc = expect_str(params, "ReturnConsumedCapacity")
    shape = Shape()
    raw = _statements(params, "TransactStatements", "transactStatements", MAX_TRANSACTION, shape)
    bodies = []
    for number, body in enumerate(raw, 1):
        expect_str(body, "ReturnValuesOnConditionCheckFailure")
        prefix = f"transactStatements.{number}.member."
        bodies.append((body, *_statement_shape(shape, body, prefix)))
    if token is not None:
        shape.length_between(token, "clientRequestToken", 1, MAX_TOKEN_LENGTH)
    shape.enum(rcc, "returnConsumedCapacity", _RCC)
    shape.done()
    statements = [partiql.parse(text) for _, text, _ in bodies]  # type: ignore[arg-type]
    binders = [Binder(check_parameters(statement, values))
               for statement, (_, _, values) in zip(statements, bodies)]
    if len({statement.writes for statement in statements}) > 1:
        raise ValidationException(MIXED_READS_WRITES)
    if not statements[0].writes:
        return _transact_reads(db, region, statements, binders, rcc)  # type: ignore[arg-type]
    writes: list[ItemWrite] = []
    for statement, binder, (body, _, _) in zip(statements, binders, bodies):
        table = _lookup(db, region, statement.table)
        write, _ = build_write(statement, binder, table,
                               body.get("ReturnValuesOnConditionCheckFailure"))
        writes.append(write)
    digest = idempotency.fingerprint(params.get("TransactStatements")) if token else None
    outcome = run_transaction(db, region, writes, token, digest)
    response: dict[str, Any] = {}
    if isinstance(outcome, _TableUnits):  # a retry inside the token's window
        if rcc is not None and rcc != "NONE":
            response["ConsumedCapacity"] = outcome.reads(rcc)
        return response
    capacity = _TableUnits()
    for write, result in zip(writes, outcome):
        capacity.add(write.table.name, TRANSACTIONAL_FACTOR * write.units(result),  # type: ignore[union-attr]
                     result.index_writes)
    if rcc is not None and rcc != "NONE":
        response["ConsumedCapacity"] = capacity.writes(rcc)
    return response


def _transact_reads(db: Database, region: str, statements: list[ast.Select],
                    binders: list[Binder], rcc: str | None) -> dict:
    """SELECTs of one transaction: each a full primary key, all read from one snapshot."""

    def run(txn):
        found = []
        for statement, binder in zip(statements, binders):
            if statement.index is not None:
                raise ValidationException(TRANSACTION_INDEX)
            select = _Select(db, region, statement, binder, True, None, None, allow_get=True)
            table, _, plan, _ = select.plan(txn)
            if plan.kind != "get":
                raise ValidationException(TRANSACTION_READ_KEYS)
            check_key(table, plan.key)
            item, size = items.get(txn, table.item_key(plan.key))
            found.append((select, table, item, size))
        return found

    responses = []
    capacity = _TableUnits()
    for select, table, item, size in db.storage.read(run):
        capacity.add(table.name, TRANSACTIONAL_FACTOR * read_units(size, True))
        responses.append({} if item is None else {"Item": select._shape(item)})
    response: dict[str, Any] = {"Responses": responses}
    if rcc is not None and rcc != "NONE":
        response["ConsumedCapacity"] = capacity.reads(rcc)
    return response


__all__ = ["execute"]
