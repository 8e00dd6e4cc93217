"""On-demand backups kept in the store itself.

Layout in "meta":
  b"b:" backup-id            msgpack backup record (name, status, source table record, counts)
  b"k:" backup-id b"\\0" key  an item record copied verbatim (engine.items' layout); the key
                             is the item's storage key without the table prefix

A backup is a copy of the table's key range made inside one write transaction, so it
is one consistent snapshot; records are copied as stored bytes, never unpacked. Backups
are not under the table's prefix, so DeleteTable leaves them alone. Restoring replays
the records through engine.items.put (the one write path), which rebuilds the indexes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgpack

from ddblite.engine import items
from ddblite.engine.catalog import Catalog, TableInfo
from ddblite.storage import ReadTxn, WriteTxn
from ddblite.storage.interface import prefix_end

_META = b"b:"
_RECORDS = b"k:"


def _meta_key(backup_id: str) -> bytes:
    return _META + backup_id.encode()


def _records_prefix(backup_id: str) -> bytes:
    return _RECORDS + backup_id.encode() + b"\0"


def snapshot(txn: WriteTxn, table: TableInfo, backup_id: str, record: dict[str, Any]) -> dict:
    """Copy the table's items under backup_id and store its record; returns the record."""
    prefix = _records_prefix(backup_id)
    cut = len(table.prefix)
    count = size = 0
    for key, raw in list(txn.range("items", table.prefix, prefix_end(table.prefix))):
        txn.put("meta", prefix + key[cut:], raw)
        count += 1
        size += items.record_size(raw)
    record = dict(record, item_count=count, size=size)
    save(txn, backup_id, record)
    return record


def save(txn: WriteTxn, backup_id: str, record: dict[str, Any]) -> None:
    txn.put("meta", _meta_key(backup_id), msgpack.packb(record))


def get(txn: ReadTxn, backup_id: str) -> dict[str, Any] | None:
    raw = txn.get("meta", _meta_key(backup_id))
    return None if raw is None else msgpack.unpackb(raw)


def every(txn: ReadTxn) -> Iterator[tuple[str, dict[str, Any]]]:
    """(backup id, record) of every backup, in id order (ids start with the creation time)."""
    for key, raw in txn.range("meta", _META, prefix_end(_META)):
        yield key[len(_META):].decode(), msgpack.unpackb(raw)


def records(txn: ReadTxn, backup_id: str) -> Iterator[tuple[bytes, bytes]]:
    """(item key without table prefix, stored record) of a backup, in key order."""
    prefix = _records_prefix(backup_id)
    cut = len(prefix)
    for key, raw in txn.range("meta", prefix, prefix_end(prefix)):
        yield key[cut:], raw


def remove(txn: WriteTxn, backup_id: str) -> None:
    prefix = _records_prefix(backup_id)
    for key in [key for key, _ in txn.range("meta", prefix, prefix_end(prefix))]:
        txn.delete("meta", key)
    txn.delete("meta", _meta_key(backup_id))


def restore(txn: WriteTxn, catalog: Catalog, table: TableInfo, backup_id: str) -> int:
    """Write a backup's items into a (new, empty) table through the item write path."""
    return write_records(txn, catalog, table, list(records(txn, backup_id)))


def write_records(txn: WriteTxn, catalog: Catalog, table: TableInfo,
                  stored: list[tuple[bytes, bytes]]) -> int:
    """Write (item key suffix, stored record) pairs into a new, empty table."""
    for suffix, raw in stored:
        items.put(txn, catalog, table, table.prefix + suffix, items.unpack_record(raw),
                  items.record_size(raw), current=(None, 0))
    return len(stored)
