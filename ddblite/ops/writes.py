"""Every single-item write in three phases: parse, check, apply.

An operation first *parses* its request (DynamoDB's validation order, expressions
resolved, no storage access) into one of the objects below. Inside a storage write
transaction the object then runs its phases:

    write.bind(table)        the key against the table's schema -> storage key
    write.read(txn)          the current item (only when something needs it)
    write.check()            the condition on the current item -> a failure or None
    write.prepare()          the new image, and the checks it must pass (size, index keys)
    write.apply(txn, db)     the change, through engine.items (the one write path)

PutItem, DeleteItem and UpdateItem run them back to back (`run`); TransactWriteItems
binds, reads, checks and prepares every action before it applies any, so every
condition sees the state before the transaction and a refusal changes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ddblite.attrvalue import MAX_ITEM_SIZE
from ddblite.engine import indexes, items
from ddblite.engine.capacity import write_units
from ddblite.engine.keys import check_item_key, check_key
from ddblite.engine.usage import index_units_of, partition_value
from ddblite.errors import ConditionalCheckFailedException, ValidationException
from ddblite.native import item_size
from ddblite.ops import conditions
from ddblite.ops.common import find_table

if TYPE_CHECKING:
    from ddblite.database import Database
    from ddblite.engine.catalog import TableInfo
    from ddblite.expressions import Condition, Update

ITEM_TOO_LARGE_TO_UPDATE = "Item size to update has exceeded the maximum allowed size"


class ItemWrite:
    """One parsed write of one item. Subclasses say what `prepare` and `apply` do."""

    __slots__ = ("table_name", "key", "condition", "return_on_failure", "table",
                 "storage_key", "current", "new", "size", "charged")

    # Whether the current item must be read even without a condition.
    always_reads = False

    def __init__(self, table_name: str, key: dict, condition: Condition | None,
                 return_on_failure: str | None) -> None:
        self.table_name = table_name
        self.key = key                       # the key attributes (an item, for Put)
        self.condition = condition
        self.return_on_failure = return_on_failure
        self.table: TableInfo | None = None
        self.storage_key = b""
        self.current: tuple[dict | None, int] | None = None   # (item, size) once read
        self.new: dict | None = None
        self.size = 0
        self.charged = 0.0                   # the table's write units, once applied

    # ------------------------------------------------------------- phases
    def bind(self, table: TableInfo) -> None:
        """Check the key against the table's schema; raises ValidationException."""
        check_key(table, self.key)
        self.table = table
        self.storage_key = table.item_key(self.key)

    def read(self, txn) -> None:
        self.current = items.get(txn, self.storage_key)

    @property
    def needs_read(self) -> bool:
        return self.always_reads or self.condition is not None

    def check(self) -> ConditionalCheckFailedException | None:
        """The condition's verdict on the current item: None, or the failure to raise."""
        try:
            conditions.check(self.condition, self.old, self.return_on_failure)
        except ConditionalCheckFailedException as failure:
            return failure
        return None

    def prepare(self) -> None:
        """Compute the new image and check it; raises ValidationException."""

    def apply(self, txn, db: Database) -> items.WriteResult:
        raise NotImplementedError

    def run(self, db: Database, txn, region: str) -> items.WriteResult:
        """All phases, for a single-item operation: errors are raised as they are met."""
        table = find_table(db, txn, region, self.table_name)
        self.bind(table)
        ledger = None
        if db.throttle is not None:
            ledger = db.throttle.ledger(txn)
            ledger.admit_item(table, self.key)
        if self.needs_read:
            self.read(txn)
        failure = self.check()
        if failure is not None:
            self.charge_failure(db, ledger=ledger)
            raise failure
        self.prepare()
        if ledger is not None and table.indexes:
            bucket = self.index_refusal(ledger)
            if bucket is not None:
                ledger.ledger.refuse(bucket, table, True)
        result = self.apply(txn, db)
        self.settle(db, txn, result, ledger)
        return result

    def index_refusal(self, ledger):
        """After `prepare`: the first GSI partition bucket with nothing left for the
        entries the new image puts, or None."""
        if self.new is None:
            return None
        for index in self.table.indexes:  # type: ignore[union-attr]
            partition = gsi_partition(index, self.new)
            if partition is not None:
                bucket = ledger.refusal(self.table, True, partition, index)
                if bucket is not None:
                    return bucket
        return None

    def settle(self, db: Database, txn, result: items.WriteResult, ledger=None,
               factor: float = 1.0) -> float:
        """The one place a write's units are computed: kept on `charged` for the
        response, paid to the throttle's buckets, counted in the database's usage."""
        table = self.table
        units = self.charged = factor * self.units(result)
        if not result.index_writes:  # the common case, kept cheap
            if ledger is not None:
                ledger.settle(table, units, self.key, None)
            db.usage_counters.charge_item(table.name, True, units,  # type: ignore[union-attr]
                                          self.key[table.pk_name])  # type: ignore[union-attr]
            return units
        index_units = index_units_of(result.index_writes, factor)
        if ledger is not None:
            # A GSI's units are paid by the partition its new entry went to, or for a
            # removed entry the one it left (INFERRED: a moved entry's removal is not
            # charged to its old partition).
            for write in result.index_writes:
                partition = gsi_partition(write.index, self.new)
                if partition is None:
                    partition = gsi_partition(write.index, result[0])
                if partition is not None:
                    ledger.debit(table, True, index_units[write.index.name],  # type: ignore[index]
                                 partition, write.index)
            ledger.settle(table, units, self.key, index_units)
        db.usage_counters.charge(table.name, True, units, index_units,  # type: ignore[union-attr]
                                 partition_value(table, self.key))  # type: ignore[arg-type]
        return units

    def charge_failure(self, db: Database, factor: float = 1.0, ledger=None) -> None:
        """A failed condition still costs the write (INFERRED: of the larger of the
        current and the new item, as a successful write would): counted in usage and
        paid to the throttle's buckets. Not saved to the store here: the failed
        write's transaction is rolled back; a later flush writes the debit."""
        old_size = self.current[1] if self.current is not None else 0
        table = self.table
        units = factor * write_units(max(self.size, old_size))
        pk = partition_value(table, self.key)  # type: ignore[arg-type]
        if ledger is not None:
            ledger.debit(table, True, units, pk)
        db.usage_counters.charge(table.name, True, units, None, pk)  # type: ignore[union-attr]

    # ------------------------------------------------------------- results
    @property
    def old(self) -> dict | None:
        return self.current[0] if self.current is not None else None

    def units(self, result: items.WriteResult) -> float:
        """Write units DynamoDB charges: the larger of the old and new item."""
        return write_units(max(self.size, result[1]))


def gsi_partition(index, image: dict | None) -> bytes | None:
    """The encoded partition key of a GSI's entry for an item image (None: an LSI, no
    image, or an image without the index's partition key)."""
    if image is None or not index.is_global:
        return None
    values = []
    for name, kind in index.hash_attrs:
        value = image.get(name)
        if value is None or kind not in value:
            return None
        values.append(value[kind])
    return index.partition_bytes(values)


class PutWrite(ItemWrite):
    """PutItem / a transaction's Put: `key` is the whole item, already validated."""

    __slots__ = ()

    def __init__(self, table_name: str, item: dict, size: int, condition: Condition | None,
                 return_on_failure: str | None) -> None:
        super().__init__(table_name, item, condition, return_on_failure)
        self.new = item
        self.size = size

    def bind(self, table: TableInfo, batch: bool = False) -> None:
        # BatchWriteItem words a missing or mistyped key as a schema mismatch.
        check_item_key(table, self.key, batch=batch)
        self.table = table
        self.storage_key = table.item_key(self.key)

    def prepare(self) -> None:
        if self.table.index_checks:  # type: ignore[union-attr]
            indexes.check_item(self.table.index_checks, self.new)  # type: ignore[union-attr]

    def apply(self, txn, db: Database) -> items.WriteResult:
        return items.put(txn, db.catalog, self.table, self.storage_key, self.new, self.size,
                         self.current, index_keys_checked=True)


class DeleteWrite(ItemWrite):
    """DeleteItem / a transaction's Delete."""

    __slots__ = ()

    def apply(self, txn, db: Database) -> items.WriteResult:
        return items.delete(txn, db.catalog, self.table, self.storage_key)

    def units(self, result: items.WriteResult) -> float:
        return write_units(result[1])


class UpdateWrite(ItemWrite):
    """UpdateItem / a transaction's Update: the new image is the update applied to
    the current item (or to the bare key when there is none)."""

    __slots__ = ("update",)
    always_reads = True

    def __init__(self, table_name: str, key: dict, update: Update | None,
                 condition: Condition | None, return_on_failure: str | None) -> None:
        super().__init__(table_name, key, condition, return_on_failure)
        self.update = update

    def bind(self, table: TableInfo) -> None:
        super().bind(table)
        if self.update is not None:
            self.update.check_key_attributes(table.key_names)

    def prepare(self) -> None:
        old = self.old
        if old is None and self.update is not None and self.update.only_removes:
            # REMOVE / DELETE on a missing item: DynamoDB creates nothing.
            self.new = None
            self.size = 0
            return
        base = old if old is not None else dict(self.key)
        new = self.update.apply(base) if self.update is not None else base
        size = item_size(new)
        if size > MAX_ITEM_SIZE:
            raise ValidationException(ITEM_TOO_LARGE_TO_UPDATE)
        if self.table.index_checks:  # type: ignore[union-attr]
            try:
                indexes.check_item(self.table.index_checks, new)  # type: ignore[union-attr]
            except ValidationException as exc:
                # An emptied index key has UpdateItem's own wording.
                if "cannot contain an empty" in exc.message:
                    raise ValidationException(indexes.UPDATE_EMPTY_INDEX_KEY) from None
                raise
        self.new = new
        self.size = size

    def apply(self, txn, db: Database) -> items.WriteResult:
        if self.new is None:
            return items.WriteResult(None, 0, [], None)
        return items.put(txn, db.catalog, self.table, self.storage_key, self.new, self.size,
                         self.current, index_keys_checked=True)


class ConditionCheckWrite(ItemWrite):
    """A transaction's ConditionCheck: reads and checks, writes nothing."""

    __slots__ = ()
    always_reads = True

    def apply(self, txn, db: Database) -> items.WriteResult:
        old, old_size = self.current or (None, 0)
        return items.WriteResult(old, old_size, [], None)

    def units(self, result: items.WriteResult) -> float:
        # INFERRED: a ConditionCheck is charged as a write of the item it checks.
        return write_units(result[1])

