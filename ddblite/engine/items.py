"""Stored item records in the "items" space.

A record is a 4-byte big-endian item size followed by the msgpack of the item
in its low-level shape. Keeping the size beside the item lets capacity, table
statistics and the 1 MB page limit work without re-measuring stored items.
"""

from __future__ import annotations

import struct
from typing import Any

import msgpack

from ddblite.engine.catalog import Catalog, TableInfo
from ddblite.storage import ReadTxn, WriteTxn

_SIZE = struct.Struct(">I")
_packb = msgpack.packb
_unpackb = msgpack.unpackb


def pack_record(item: dict, size: int) -> bytes:
    return _SIZE.pack(size) + _packb(item)


def record_size(raw: bytes) -> int:
    return _SIZE.unpack_from(raw)[0]


def unpack_record(raw: bytes) -> dict[str, Any]:
    return _unpackb(memoryview(raw)[4:])


def get(txn: ReadTxn, key: bytes) -> tuple[dict[str, Any] | None, int]:
    raw = txn.get("items", key)
    if raw is None:
        return None, 0
    return unpack_record(raw), record_size(raw)


def put(
    txn: WriteTxn, catalog: Catalog, table: TableInfo, key: bytes, item: dict, size: int
) -> tuple[dict[str, Any] | None, int]:
    """Store an item; returns the item it replaced (or None) and that item's size."""
    old_raw = txn.get("items", key)
    txn.put("items", key, pack_record(item, size))
    if old_raw is None:
        catalog.add_stats(txn, table, 1, size)
        return None, 0
    old_size = record_size(old_raw)
    catalog.add_stats(txn, table, 0, size - old_size)
    return unpack_record(old_raw), old_size


def delete(
    txn: WriteTxn, catalog: Catalog, table: TableInfo, key: bytes
) -> tuple[dict[str, Any] | None, int]:
    """Remove an item; returns it (or None) and its size."""
    old_raw = txn.get("items", key)
    if old_raw is None:
        return None, 0
    txn.delete("items", key)
    old_size = record_size(old_raw)
    catalog.add_stats(txn, table, -1, -old_size)
    return unpack_record(old_raw), old_size
