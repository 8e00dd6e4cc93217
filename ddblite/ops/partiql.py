"""ExecuteStatement, BatchExecuteStatement and ExecuteTransaction (PartiQL).

A statement is parsed once (ddblite.partiql, cached by text), its values bound per
call, and then run on the paths the other operations use: a SELECT by
ops.partiql_read (GetItem, a Query per partition value, or a Scan, on a table or an
index), INSERT / UPDATE / DELETE / EXISTS as the write objects of ops.partiql_write,
and ExecuteTransaction's writes through ops.transactions.run_transaction.

Error texts are DynamoDB's where known; the others are marked INFERRED.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ddblite import constraints, partiql
from ddblite.attrvalue import type_check_value
from ddblite.dispatch import operation
from ddblite.engine import idempotency, items
from ddblite.engine.capacity import read_units
from ddblite.engine.keys import check_key
from ddblite.errors import DynamoDBError, ValidationException
from ddblite.ops.partiql_read import Select, get_by_key
from ddblite.ops.partiql_write import build_write, lookup_table, run_write
from ddblite.ops.transactions import (
    TRANSACTIONAL_FACTOR,
    _TableUnits,
    run_transaction,
    transaction_capacity,
)
from ddblite.ops.writes import ItemWrite
from ddblite.partiql import ast
from ddblite.partiql.bind import Binder, check_parameters
from ddblite.recursion import with_recursion_room

if TYPE_CHECKING:
    from ddblite.database import Database

MAX_STATEMENT_LENGTH = 8192

TRANSACTION_READ_KEYS = ("Select statements within ExecuteTransaction must specify the primary "
                         "key in the where clause.")
TRANSACTION_INDEX = "Reads on indices are not supported within transactions."
EXISTS_OUTSIDE_TRANSACTION = "EXISTS can only be used in ExecuteTransaction write requests."
# INFERRED: DynamoDB's wording for these was not found.
BATCH_READ_KEYS = ("Select statements within BatchExecuteStatement must specify the primary "
                   "key in the where clause.")
MIXED_READS_WRITES = ("Statements in a batch or transaction must be either all reads or all "
                      "writes")


# ---------------------------------------------------------------- request shapes


def _check_parameter_types(body: dict) -> None:
    """The AttributeValues of a statement's Parameters: their JSON types come first."""
    for value in body.get("Parameters") or ():
        type_check_value(value)


# ---------------------------------------------------------------- ExecuteStatement


def execute(db: Database, region: str, text: str, params: list | None, *,
            consistent: bool = False, limit: int | None = None, token: str | None = None,
            rcc: str | None = None, on_failure: str | None = None) -> dict[str, Any]:
    """Run one statement; the ExecuteStatement response."""
    statement = partiql.parse(text)
    binder = Binder(check_parameters(statement, params))
    if type(statement) is ast.Select:
        if token is None and statement.index is None and not statement.order:
            found = get_by_key(db, region, statement, binder, consistent, rcc)
            if found is not None:
                return found
        select = Select(db, region, statement, binder, consistent, limit, rcc,
                         allow_get=token is None)
        return select.run(token, text, params)
    if type(statement) is ast.Exists:
        raise ValidationException(EXISTS_OUTSIDE_TRANSACTION)
    response, returned = run_write(db, region, statement, binder, rcc, on_failure)
    response["Items"] = [returned] if returned else []
    return response


_PLAIN = frozenset(("Statement", "Parameters"))


@operation("ExecuteStatement")
@with_recursion_room  # PartiQL trees nest as deep as the 8 KB text allows
def execute_statement(db: Database, params: dict, region: str) -> dict:
    text = params.get("Statement")
    values = params.get("Parameters")
    if (type(text) is str and 0 < len(text) <= MAX_STATEMENT_LENGTH and _PLAIN.issuperset(params)
            and (values is None or (type(values) is list and values))):
        return execute(db, region, text, values)  # the common request: nothing else to check
    _check_parameter_types(params)
    constraints.check("ExecuteStatement", params)
    return execute(db, region, text, values, consistent=bool(params.get("ConsistentRead")),
                   limit=params.get("Limit"), token=params.get("NextToken"),
                   rcc=params.get("ReturnConsumedCapacity"),
                   on_failure=params.get("ReturnValuesOnConditionCheckFailure"))


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
@with_recursion_room  # PartiQL trees nest as deep as the 8 KB text allows
def batch_execute_statement(db: Database, params: dict, region: str) -> dict:
    rcc = params.get("ReturnConsumedCapacity")
    for body in params.get("Statements") or ():
        _check_parameter_types(body)
    constraints.check("BatchExecuteStatement", params)
    bodies = [(body, body["Statement"], body.get("Parameters")) for body in params["Statements"]]
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
    select = Select(db, region, statement, binder, consistent, None, None, allow_get=True)
    if statement.index is not None:
        raise ValidationException(BATCH_READ_KEYS)
    _, _, plan, _, found = select.get()
    if plan.kind != "get":
        raise ValidationException(BATCH_READ_KEYS)
    item, size = found
    return (select.shape_item(item) if item is not None else None), read_units(size, consistent)


# ---------------------------------------------------------------- ExecuteTransaction


@operation("ExecuteTransaction")
@with_recursion_room  # PartiQL trees nest as deep as the 8 KB text allows
def execute_transaction(db: Database, params: dict, region: str) -> dict:
    token = params.get("ClientRequestToken")
    rcc = params.get("ReturnConsumedCapacity")
    for body in params.get("TransactStatements") or ():
        _check_parameter_types(body)
    constraints.check("ExecuteTransaction", params)
    bodies = [(body, body["Statement"], body.get("Parameters"))
              for body in params["TransactStatements"]]
    statements = [partiql.parse(text) for _, text, _ in bodies]  # type: ignore[arg-type]
    binders = [Binder(check_parameters(statement, values))
               for statement, (_, _, values) in zip(statements, bodies)]
    if len({statement.writes for statement in statements}) > 1:
        raise ValidationException(MIXED_READS_WRITES)
    if not statements[0].writes:
        return _transact_reads(db, region, statements, binders, rcc)  # type: ignore[arg-type]
    writes: list[ItemWrite] = []
    for statement, binder, (body, _, _) in zip(statements, binders, bodies):
        table = lookup_table(db, region, statement.table)
        write, _ = build_write(statement, binder, table,
                               body.get("ReturnValuesOnConditionCheckFailure"))
        writes.append(write)
    digest = idempotency.fingerprint(params.get("TransactStatements")) if token else None
    outcome = run_transaction(db, region, writes, token, digest)
    response: dict[str, Any] = {}
    capacity = transaction_capacity(writes, outcome, rcc)
    if capacity is not None:
        response["ConsumedCapacity"] = capacity
    return response


def _transact_reads(db: Database, region: str, statements: list[ast.Select],
                    binders: list[Binder], rcc: str | None) -> dict:
    """SELECTs of one transaction: each a full primary key, all read from one snapshot."""

    def run(txn):
        found = []
        for statement, binder in zip(statements, binders):
            if statement.index is not None:
                raise ValidationException(TRANSACTION_INDEX)
            select = Select(db, region, statement, binder, True, None, None, allow_get=True)
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
        responses.append({} if item is None else {"Item": select.shape_item(item)})
    response: dict[str, Any] = {"Responses": responses}
    if rcc is not None and rcc != "NONE":
        response["ConsumedCapacity"] = capacity.reads(rcc)
    return response


__all__ = ["execute"]
