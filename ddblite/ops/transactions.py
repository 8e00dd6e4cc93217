"""TransactWriteItems and TransactGetItems.

A transaction is a loop over the single-item write objects of ops.writes, in one
storage transaction:

  1. parse every action (JSON types, then member constraints of all actions together,
     then each action's meaning: expressions, AttributeValues, item sizes) - a problem
     here is a ValidationException for the whole request;
  2. the 4 MB aggregate limit and, with a ClientRequestToken, the idempotency record;
  3. every table (ResourceNotFoundException), every key against its schema (a
     `ValidationError` cancellation reason), duplicates (ValidationException);
  4. read, check and prepare every action against the state before the transaction -
     a failed condition or a refused new image is a cancellation reason;
  5. any reason cancels the whole transaction (TransactionCanceledException with one
     reason per action, in order, "None" for the others); otherwise every action is
     applied through engine.items and the token recorded, all in one commit.

TransactGetItems reads every item from one snapshot. Transactional reads and writes
cost twice their plain units; DynamoDB reports the Read/WriteCapacityUnits split for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ddblite.attrvalue import canonical_item, type_check_item
from ddblite.dispatch import operation
from ddblite.engine import idempotency, items
from ddblite.engine.capacity import consumed, read_units, write_consumed
from ddblite.engine.indexes import collection_metrics
from ddblite.engine.keys import EMPTY_KEY_PREFIX, check_key
from ddblite.engine.throttle import KEY_RANGE_EXCEEDED
from ddblite.engine.usage import partition_value
from ddblite.errors import (
    DynamoDBError,
    IdempotentParameterMismatchException,
    ItemCollectionSizeLimitExceededException,
    SerializationException,
    TransactionCanceledException,
    ValidationException,
)
from ddblite.native import item_size
from ddblite.ops import conditions, read_expressions
from ddblite.ops.batch import render_java
from ddblite.ops.common import find_table
from ddblite.ops.items import checked_item
from ddblite.ops.writes import (
    ConditionCheckWrite,
    DeleteWrite,
    ItemWrite,
    PutWrite,
    UpdateWrite,
)
from ddblite.validate import (
    RETURN_CONSUMED_CAPACITY,
    RETURN_ITEM_COLLECTION_METRICS,
    RETURN_VALUES_ON_CONDITION_CHECK_FAILURE,
    Shape,
    expect_list,
    expect_map,
    expect_str,
)

if TYPE_CHECKING:
    from ddblite.database import Database

MAX_ACTIONS = 100
MAX_TRANSACTION_BYTES = 4 * 1024 * 1024
MAX_TOKEN_LENGTH = 36
TRANSACTIONAL_FACTOR = 2.0

ONE_ACTION = "TransactItems can only contain one of Check, Put, Update or Delete"
MULTIPLE_OPERATIONS = "Transaction request cannot include multiple operations on one item"
CANCELLED = "Transaction cancelled, please refer cancellation reasons for specific reasons [{}]"
# INFERRED: DynamoDB's wording for these two was not found in its documentation.
TOO_LARGE = "Transaction request size has exceeded the maximum allowed size of 4 MB"
TOKEN_MISMATCH = (
    "DynamoDB rejected the request because you retried a request with a different payload "
    "but with an idempotent token that was already used."
)

# (request member, member name in messages) of each action kind, in DynamoDB's order.
_KINDS = (
    ("ConditionCheck", "conditionCheck"),
    ("Put", "put"),
    ("Delete", "delete"),
    ("Update", "update"),
)
_RVOCCF = RETURN_VALUES_ON_CONDITION_CHECK_FAILURE


# ---------------------------------------------------------------- shared checks


def _expect_action_types(action: dict) -> None:
    """The deserializer's checks of one Put/Update/Delete/ConditionCheck/Get structure."""
    expect_str(action, "TableName")
    for member in ("Item", "Key"):
        value = expect_map(action, member)
        if value is not None:
            type_check_item(value)
    expect_str(action, "UpdateExpression")
    expect_str(action, "ProjectionExpression")
    conditions.expect_condition_types(action)


def _transact_items(params: dict, shape: Shape) -> list:
    """TransactItems: JSON type, not null, 1..100 entries, each a structure."""
    raw = expect_list(params, "TransactItems")
    if raw is None:
        shape.not_null(None, "transactItems")
        return []
    for entry in raw:
        if not isinstance(entry, dict):
            raise SerializationException("Unexpected value type in payload")
    if not raw:
        shape.problems.append(
            "Value '[]' at 'transactItems' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1"
        )
    elif len(raw) > MAX_ACTIONS:
        shape.problems.append(
            f"Value '{render_java(raw)}' at 'transactItems' failed to satisfy constraint: "
            f"Member must have length less than or equal to {MAX_ACTIONS}"
        )
    return raw


def _cancel(reasons: list[dict | None]) -> TransactionCanceledException:
    filled = [reason or {"Code": "None"} for reason in reasons]
    message = CANCELLED.format(", ".join(reason["Code"] for reason in filled))
    return TransactionCanceledException(message, CancellationReasons=filled)


def _validation_reason(exc: DynamoDBError) -> dict:
    """A key problem found against the table's schema, as a cancellation reason -
    except an empty key value, which DynamoDB refuses for the whole request."""
    if exc.message.startswith(EMPTY_KEY_PREFIX):
        raise exc
    return {"Code": "ValidationError", "Message": exc.message}


class _TableUnits:
    """Capacity of a transaction, per table in order of first use."""

    def __init__(self) -> None:
        self.units: dict[str, float] = {}
        self.index_writes: dict[str, list] = {}

    def add(self, table_name: str, units: float, index_writes: list = ()) -> None:
        self.units[table_name] = self.units.get(table_name, 0.0) + units
        self.index_writes.setdefault(table_name, []).extend(index_writes)

    def reads(self, mode: str | None) -> list[dict]:
        return [c for name, units in self.units.items()
                if (c := consumed(mode, name, units, "read", split=True)) is not None]

    def writes(self, mode: str | None) -> list[dict]:
        return [c for name, units in self.units.items()
                if (c := write_consumed(mode, name, units, self.index_writes[name], split=True,
                                        factor=TRANSACTIONAL_FACTOR)) is not None]


# ---------------------------------------------------------------- TransactWriteItems


def _parse_write_shapes(params: dict) -> tuple[list[tuple[str, dict]], str | None, str | None,
                                               str | None]:
    """Phase 1a: JSON types and the member constraints of the request and every action."""
    token = expect_str(params, "ClientRequestToken")
    rcc = expect_str(params, "ReturnConsumedCapacity")
    ricm = expect_str(params, "ReturnItemCollectionMetrics")
    shape = Shape()
    raw = _transact_items(params, shape)
    actions: list[tuple[str, dict]] = []
    kinds_ok = True
    for entry in raw:
        present = [(member, expect_map(entry, member)) for member, _ in _KINDS]
        present = [(member, body) for member, body in present if body is not None]
        for _, body in present:
            _expect_action_types(body)
        if len(present) != 1:
            kinds_ok = False
            continue
        actions.append(present[0])
    shape.enum(rcc, "returnConsumedCapacity", RETURN_CONSUMED_CAPACITY)
    shape.enum(ricm, "returnItemCollectionMetrics", RETURN_ITEM_COLLECTION_METRICS)
    if token is not None:
        shape.length_between(token, "clientRequestToken", 1, MAX_TOKEN_LENGTH)
    if kinds_ok:
        for number, (member, body) in enumerate(actions, 1):
            prefix = f"transactItems.{number}.member.{dict(_KINDS)[member]}"
            shape.table_name(body.get("TableName"), f"{prefix}.tableName")
            if member == "Put":
                shape.not_null(body.get("Item"), f"{prefix}.item")
            else:
                shape.not_null(body.get("Key"), f"{prefix}.key")
            if member == "ConditionCheck":
                shape.not_null(body.get("ConditionExpression"), f"{prefix}.conditionExpression")
            if member == "Update":
                shape.not_null(body.get("UpdateExpression"), f"{prefix}.updateExpression")
            shape.enum(body.get("ReturnValuesOnConditionCheckFailure"),
                       f"{prefix}.returnValuesOnConditionCheckFailure", _RVOCCF)
    shape.done()
    if not kinds_ok:
        raise ValidationException(ONE_ACTION)
    return actions, token, rcc, ricm


def _parse_action(member: str, body: dict) -> tuple[ItemWrite, int]:
    """Phase 1b: one action's meaning; returns its write object and its size in bytes.

    Unlike the single-item operations, an action may carry ExpressionAttributeNames /
    Values with no expression to use them: DynamoDB accepts (and ignores) them. With
    an expression, every name and value must be used, as everywhere.
    """
    name = body["TableName"]
    on_failure = body.get("ReturnValuesOnConditionCheckFailure")
    if member == "Put":
        item, size = checked_item(body["Item"])
    else:
        item = canonical_item(body["Key"])
        size = item_size(item)
    update = condition = None
    text = body.get("ConditionExpression")
    if member == "Update" or text is not None:
        exprs = conditions.request_expressions(body)
        if member == "Update":
            update = exprs.update(body["UpdateExpression"])
        condition = exprs.condition(text)
        exprs.finish()
    if member == "Put":
        return PutWrite(name, item, size, condition, on_failure), size
    if member == "Update":
        return UpdateWrite(name, item, update, condition, on_failure), size
    kind = ConditionCheckWrite if member == "ConditionCheck" else DeleteWrite
    return kind(name, item, condition, on_failure), size


def _fingerprint(params: dict) -> bytes:
    # The members that make a request "the same request" on a retry. INFERRED: the
    # Return* members only shape the answer, so a retry may change them.
    return idempotency.fingerprint(params.get("TransactItems"))


def run_transaction(db: Database, region: str, writes: list[ItemWrite],
                    token: str | None = None, digest: bytes | None = None):
    """Phases 2-5 for parsed write objects, in one storage write transaction.

    Returns the engine.items results in action order, or - for a retry whose token
    is recorded - the read capacity of that retry (a _TableUnits): nothing is applied.
    Raises ResourceNotFoundException, ValidationException (two actions on one item),
    IdempotentParameterMismatchException or TransactionCanceledException.
    PartiQL's ExecuteTransaction runs its statements through here too.
    """

    def run(txn):
        now = db.clock.now()
        repeat = False
        if token is not None:
            recorded = idempotency.lookup(txn, token, now)
            if recorded is not None:
                if recorded != digest:
                    raise IdempotentParameterMismatchException(TOKEN_MISMATCH)
                repeat = True
        tables = [find_table(db, txn, region, write.table_name) for write in writes]
        reasons: list[dict | None] = [None] * len(writes)
        seen: set[bytes] = set()
        for number, (write, table) in enumerate(zip(writes, tables)):
            try:
                write.bind(table)
            except ValidationException as exc:
                reasons[number] = _validation_reason(exc)
                continue
            if write.storage_key in seen:  # storage keys start with the table id
                raise ValidationException(MULTIPLE_OPERATIONS)
            seen.add(write.storage_key)
        if repeat:
            return _repeat_units(txn, writes, reasons)
        ledger = db.throttle.ledger(txn) if db.throttle is not None else None
        for number, write in enumerate(writes):
            if reasons[number] is not None:
                continue
            if ledger is not None:
                bucket = ledger.refusal(write.table, True, partition_value(write.table, write.key))
                if bucket is not None:
                    db.usage_counters.throttled(write.table.name, True)
                    reasons[number] = {"Code": "ThrottlingError", "Message": bucket.message}
                    continue
            write.read(txn)
            failure = write.check()
            if failure is not None:
                # A PartiQL INSERT's refusal keeps its own code (DuplicateItem).
                code = failure.code.removesuffix("Exception")
                reasons[number] = {"Code": code, "Message": failure.message, **failure.extra}
                continue
            try:
                write.prepare()
            except ValidationException as exc:
                reasons[number] = _validation_reason(exc)
                continue
            if ledger is not None:
                bucket = write.index_refusal(ledger)
                if bucket is not None:
                    db.usage_counters.throttled(write.table.name, True)
                    reasons[number] = {"Code": "ThrottlingError", "Message": bucket.message}
        if any(reasons):
            raise _cancel(reasons)
        results = []
        for number, write in enumerate(writes):
            try:
                results.append(write.apply(txn, db))
            except ItemCollectionSizeLimitExceededException as exc:
                reasons[number] = {"Code": "ItemCollectionSizeLimitExceeded",
                                   "Message": exc.message}
                raise _cancel(reasons) from None  # rolls back what was applied
        for write, result in zip(writes, results):
            write.settle(db, txn, result, ledger, TRANSACTIONAL_FACTOR)
        if token is not None:
            idempotency.remember(txn, token, digest, now)
        return results

    return db.storage.write(run)


@operation("TransactWriteItems")
def transact_write_items(db: Database, params: dict, region: str) -> dict:
    actions, token, rcc, ricm = _parse_write_shapes(params)
    writes: list[ItemWrite] = []
    total = 0
    for member, body in actions:
        write, size = _parse_action(member, body)
        writes.append(write)
        total += size
    if total > MAX_TRANSACTION_BYTES:
        raise ValidationException(TOO_LARGE)
    digest = _fingerprint(params) if token is not None else None
    outcome = run_transaction(db, region, writes, token, digest)
    response: dict[str, Any] = {}
    capacity = transaction_capacity(writes, outcome, rcc)
    if capacity is not None:
        response["ConsumedCapacity"] = capacity
    if isinstance(outcome, _TableUnits):  # a retry inside the window: nothing applied
        return response
    metrics: dict[str, list] = {}
    for write, result in zip(writes, outcome):
        table = write.table
        if ricm == "SIZE" and result.collection_size is not None:
            metrics.setdefault(table.name, []).append(collection_metrics(
                table.pk_name, write.key[table.pk_name], result.collection_size
            ))
    if metrics:
        response["ItemCollectionMetrics"] = metrics
    return response


def transaction_capacity(writes: list[ItemWrite], outcome, rcc: str | None) -> list | None:
    """ConsumedCapacity of run_transaction's outcome: the write units each action was
    charged (settle), per table - or, for a retry of a recorded token, the read units
    of that retry. None unless asked for."""
    if rcc is None or rcc == "NONE":
        return None
    if isinstance(outcome, _TableUnits):
        return outcome.reads(rcc)
    capacity = _TableUnits()
    for write, result in zip(writes, outcome):
        capacity.add(write.table.name, write.charged, result.index_writes)
    return capacity.writes(rcc)


def _repeat_units(txn, writes: list[ItemWrite], reasons: list) -> _TableUnits:
    """A retry with a recorded token applies nothing; DynamoDB reports the read
    capacity of reading the items instead of the write capacity (INFERRED: one
    strongly consistent read of each item)."""
    units = _TableUnits()
    for write, reason in zip(writes, reasons):
        if reason is None:
            _, size = items.get(txn, write.storage_key)
            units.add(write.table.name, read_units(size, True))
    return units


# ---------------------------------------------------------------- TransactGetItems


class _Get:
    __slots__ = ("table_name", "key", "project", "table", "storage_key")

    def __init__(self, body: dict) -> None:
        self.table_name = body["TableName"]
        self.key = canonical_item(body["Key"])
        # Names without a projection are accepted and ignored (unlike GetItem).
        self.project = None
        if body.get("ProjectionExpression") is not None:
            self.project = read_expressions.for_get(body).project
        self.table = None
        self.storage_key = b""


@operation("TransactGetItems", reads=True)
def transact_get_items(db: Database, params: dict, region: str) -> dict:
    rcc = expect_str(params, "ReturnConsumedCapacity")
    shape = Shape()
    raw = _transact_items(params, shape)
    bodies = []
    for entry in raw:
        body = expect_map(entry, "Get")
        if body is not None:
            _expect_action_types(body)
        bodies.append(body)
    shape.enum(rcc, "returnConsumedCapacity", RETURN_CONSUMED_CAPACITY)
    for number, body in enumerate(bodies, 1):
        prefix = f"transactItems.{number}.member.get"
        if shape.not_null(body, prefix):
            shape.table_name(body.get("TableName"), f"{prefix}.tableName")
            shape.not_null(body.get("Key"), f"{prefix}.key")
    shape.done()
    gets = [_Get(body) for body in bodies]

    def run(txn):
        tables = [find_table(db, txn, region, get.table_name) for get in gets]
        reasons: list[dict | None] = [None] * len(gets)
        seen: set[bytes] = set()
        for number, (get, table) in enumerate(zip(gets, tables)):
            try:
                check_key(table, get.key)
            except ValidationException as exc:
                reasons[number] = _validation_reason(exc)
                continue
            get.table = table
            get.storage_key = table.item_key(get.key)
            if get.storage_key in seen:
                raise ValidationException(MULTIPLE_OPERATIONS)
            seen.add(get.storage_key)
        if any(reasons):
            raise _cancel(reasons)
        return [items.get(txn, get.storage_key) for get in gets]

    found = db.storage.read(run)
    if db.throttle is not None:
        _throttle_gets(db, gets, found)
    responses = []
    capacity = _TableUnits()
    for get, (item, size) in zip(gets, found):
        units = TRANSACTIONAL_FACTOR * read_units(size, True)
        db.usage_counters.charge(get.table.name, False, units, None,
                                 partition_value(get.table, get.key))
        capacity.add(get.table.name, units)
        if item is None:
            responses.append({})
        else:
            responses.append({"Item": item if get.project is None else get.project(item)})
    response: dict[str, Any] = {"Responses": responses}
    if rcc is not None and rcc != "NONE":
        response["ConsumedCapacity"] = capacity.reads(rcc)
    return response


def _throttle_gets(db: Database, gets: list[_Get], found: list) -> None:
    """TransactGetItems against the read buckets: a refused Get cancels the whole."""
    costs = [(get.table, TRANSACTIONAL_FACTOR * read_units(size, True),
              partition_value(get.table, get.key)) for get, (_, size) in zip(gets, found)]
    admitted = db.throttle.read_batch(costs, True)  # type: ignore[union-attr]
    if all(admitted):
        return
    reasons: list[dict | None] = [None] * len(gets)
    for number, (get, ok) in enumerate(zip(gets, admitted)):
        if not ok:
            db.usage_counters.throttled(get.table.name, False)
            reasons[number] = {"Code": "ThrottlingError", "Message": KEY_RANGE_EXCEEDED}
    raise _cancel(reasons)
