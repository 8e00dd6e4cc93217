"""Stored item records in the "items" space.

A record is a 4-byte big-endian item size followed by the msgpack of the item
in its low-level shape. Keeping the size beside the item lets capacity, table
statistics and the 1 MB page limit work without re-measuring stored items.

put/delete keep the table's secondary indexes and (for tables with LSIs) its
item-collection sizes exact in the same write transaction, and append the table's
stream record there too (engine.streamlog), so every write path emits one.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Any

import msgpack

from ddblite.engine import changelog, indexes, streamlog
from ddblite.storage import ReadTxn, WriteTxn

if TYPE_CHECKING:
    from ddblite.engine.catalog import Catalog, TableInfo

_SIZE = struct.Struct(">I")
_packb = msgpack.packb
_unpackb = msgpack.unpackb
_NO_WRITES: list = []


def pack_record(item: dict, size: int) -> bytes:
    return _SIZE.pack(size) + _packb(item)


def record_size(raw: bytes) -> int:
    return _SIZE.unpack_from(raw)[0]


def unpack_record(raw: bytes) -> dict[str, Any]:
    return _unpackb(memoryview(raw)[4:])


class WriteResult(tuple):
    """(old item or None, old size) — it unpacks as that pair — plus what the write did
    to the table's secondary indexes (`index_writes`, for capacity) and, on tables with
    LSIs, the item collection's new size in bytes (`collection_size`, else None)."""

    def __new__(cls, old: dict | None, old_size: int, index_writes: list,
                collection_size: int | None) -> WriteResult:
        result = tuple.__new__(cls, (old, old_size))
        result.index_writes = index_writes
        result.collection_size = collection_size
        return result

    index_writes: list[indexes.IndexWrite]
    collection_size: int | None


def get(txn: ReadTxn, key: bytes) -> tuple[dict[str, Any] | None, int]:
    raw = txn.get("items", key)
    if raw is None:
        return None, 0
    return unpack_record(raw), record_size(raw)


def put(
    txn: WriteTxn, catalog: Catalog, table: TableInfo, key: bytes, item: dict, size: int,
    current: tuple[dict[str, Any] | None, int] | None = None,
    index_keys_checked: bool = False,
) -> WriteResult:
    """Store an item; returns the item it replaced (or None) and that item's size.

    `current` is the (item, size) a caller already read with `get` in this
    transaction (conditional writes, updates), so it is not read again.
    Index key attributes are checked first (DynamoDB's type-mismatch and empty-value
    messages), so a refused item changes nothing; `index_keys_checked` says the
    caller already did (ops.writes checks them before a transaction applies anything).
    """
    if table.index_checks and not index_keys_checked:
        indexes.check_item(table.index_checks, item)
    old_raw = None
    if current is None:
        old_raw = txn.get("items", key)
        current = (unpack_record(old_raw), record_size(old_raw)) if old_raw is not None \
            else (None, 0)
    old, old_size = current
    record = pack_record(item, size)
    txn.put("items", key, record)
    if table.record.get("pitr"):  # point-in-time recovery logs every write
        changelog.append(txn, catalog, table, key, record)
    if old is None:
        catalog.add_stats(txn, table, 1, size)
    else:
        catalog.add_stats(txn, table, 0, size - old_size)
    if table.stream is not None and old != item:
        streamlog.append(txn, table, key, old, old_raw, old_size, item, record, size,
                         catalog.clock.now())
    return _upkeep(txn, table, key, old, old_size, item, size, record)


def delete(
    txn: WriteTxn, catalog: Catalog, table: TableInfo, key: bytes, *, by_service: bool = False
) -> WriteResult:
    """Remove an item; returns it (or None) and its size.

    by_service: the delete is DynamoDB's own (TTL expiry); its stream record says so.
    """
    old_raw = txn.get("items", key)
    if old_raw is None:
        return WriteResult(None, 0, _NO_WRITES, None)
    txn.delete("items", key)
    if table.record.get("pitr"):
        changelog.append(txn, catalog, table, key, None)
    old_size = record_size(old_raw)
    catalog.add_stats(txn, table, -1, -old_size)
    old = unpack_record(old_raw)
    if table.stream is not None:
        streamlog.append(txn, table, key, old, old_raw, old_size, None, None, 0,
                         catalog.clock.now(), by_service)
    return _upkeep(txn, table, key, old, old_size, None, 0)


def _upkeep(txn: WriteTxn, table: TableInfo, key: bytes, old: dict | None, old_size: int,
            new: dict | None, size: int, record: bytes | None = None) -> WriteResult:
    """Index entries and item-collection size after an item moved from old to new."""
    if not table.indexes:
        return WriteResult(old, old_size, _NO_WRITES, None)
    writes = indexes.update_entries(txn, table.indexes, key, old, new, (old_size, size), record)
    collection = None
    if table.has_lsi:
        delta = size - old_size + sum(w.delta for w in writes if not w.index.is_global)
        image = new if new is not None else old
        partition = table.partition_prefix(image[table.pk_name][table.pk_type])  # type: ignore[index]
        collection = indexes.adjust_collection(txn, partition, delta)
    return WriteResult(old, old_size, writes, collection)
