"""PartiQL INSERT / UPDATE / DELETE / EXISTS as the write objects of ops/writes.py.

  INSERT  -> InsertWrite: a PutWrite that refuses an existing item (DuplicateItem);
  UPDATE  -> UpdateWrite, condition "the item exists" AND the WHERE beyond the key;
  DELETE  -> DeleteWrite, condition "the item is absent" OR that rest (a missing item
             is a no-op);
  EXISTS  -> ConditionCheckWrite (ExecuteTransaction only).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ddblite.errors import DuplicateItemException, ValidationException
from ddblite.expressions import ast as ex
from ddblite.ops.common import find_table
from ddblite.ops.items import add_write_details, checked_item
from ddblite.ops.writes import ConditionCheckWrite, DeleteWrite, ItemWrite, PutWrite, UpdateWrite
from ddblite.partiql import ast
from ddblite.partiql.bind import Binder, make_condition, path_node
from ddblite.partiql.parser import INCOMPLETE_KEY
from ddblite.partiql.plan import plan_write

if TYPE_CHECKING:
    from ddblite.database import Database
    from ddblite.engine.catalog import TableInfo

DUPLICATE_ITEM = "Duplicate primary key exists in table"
NOT_ON_INDEX = "This operation is not supported on an index"
TRANSACTION_CHECK_KEYS = "EXISTS() must contain a single item read with additional condition"
TRANSACTION_CHECK_INDEX = "Operations on indices are not supported in transactions"


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


def lookup_table(db: Database, region: str, name: str) -> TableInfo:
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
    table = lookup_table(db, region, statement.table)
    write, update = build_write(statement, binder, table, on_failure)
    result = db.storage.write(lambda txn: write.run(db, txn, region))
    returned = _returned(statement, write, update, result)
    response: dict[str, Any] = {}
    image = write.new if write.new is not None else write.key
    add_write_details(response, write.table, result, image, write.units(result), rcc, None)
    return response, returned or None
