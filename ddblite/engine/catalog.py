"""The tables catalog: table records in the "meta" space, cached per process.

Layout in "meta":
  b"v"                          catalog version token (new on every table change)
  b"n"                          next table id
  b"t:" region b"\\0" name      msgpack table record
  b"s:" table-id                item count and total item bytes of a table

Other processes (and threads) may change the catalog; every operation compares the
stored version with the cached one and reloads when it moved.
"""

from __future__ import annotations

import os
import struct
from typing import Any

import msgpack

from ddblite.clock import Clock
from ddblite.engine.indexes import IndexInfo, index_infos, key_checks
from ddblite.native import encode_key, encode_partition_prefix
from ddblite.storage import ReadTxn, WriteTxn

_VERSION_KEY = b"v"
_NEXT_ID_KEY = b"n"
_STATS = struct.Struct(">qq")
_TABLE_ID = struct.Struct(">I")


def table_meta_key(region: str, name: str) -> bytes:
    return b"t:" + region.encode() + b"\0" + name.encode()


def _region_prefix(region: str) -> bytes:
    return b"t:" + region.encode() + b"\0"


class TableInfo:
    """A table's schema in the shape the hot paths want it."""

    __slots__ = (
        "record",
        "name",
        "region",
        "table_id",
        "prefix",
        "pk_name",
        "pk_type",
        "sk_name",
        "sk_type",
        "key_names",
        "stats_key",
        "indexes",
        "indexes_by_name",
        "has_lsi",
        "index_checks",
        "stream",
        "stream_heads",
        "ttl_attribute",
    )

    def __init__(self, record: dict[str, Any]) -> None:
        self.record = record
        self.name: str = record["name"]
        self.region: str = record["region"]
        self.table_id: int = record["id"]
        # Every item key of this table starts with its id: the table is one key range.
        self.prefix = _TABLE_ID.pack(self.table_id)
        self.stats_key = b"s:" + self.prefix
        types = {a["AttributeName"]: a["AttributeType"] for a in record["attribute_definitions"]}
        self.pk_name = self.sk_name = None
        self.sk_type = None
        for element in record["key_schema"]:
            if element["KeyType"] == "HASH":
                self.pk_name = element["AttributeName"]
            else:
                self.sk_name = element["AttributeName"]
        self.pk_type = types[self.pk_name]
        if self.sk_name is not None:
            self.sk_type = types[self.sk_name]
        self.key_names = (self.pk_name,) if self.sk_name is None else (self.pk_name, self.sk_name)
        # Secondary indexes with storage (a numbered spec); writes keep each one exact.
        self.indexes: list[IndexInfo] = index_infos(record, types, self.prefix, self.key_names)
        self.indexes_by_name = {index.name: index for index in self.indexes}
        self.has_lsi = any(not index.is_global for index in self.indexes)
        self.index_checks = key_checks(self.indexes, self.key_names)
        # What the write path needs of the table's stream: (stream id, keeps new images,
        # keeps old images, partitions, opened at), or None when it has none (one check
        # per write).
        stream = record.get("stream")
        self.stream: tuple[int, bool, bool, int, float] | None = None
        if stream and stream.get("StreamEnabled") and record.get("stream_id") is not None:
            view = stream["StreamViewType"]
            self.stream = (record["stream_id"], view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES"),
                           view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES"), record["stream_parts"],
                           record["stream_created"])
        # The newest shard generation seen per stream partition (engine.streamlog).
        self.stream_heads: dict[int, int] = {}
        # The attribute TTL expires items by, while TTL is enabled.
        ttl = record.get("ttl") or {}
        self.ttl_attribute: str | None = ttl.get("attribute") if ttl.get("enabled") else None

    def index(self, name: str) -> IndexInfo | None:
        """The secondary index called `name`, or None."""
        return self.indexes_by_name.get(name)

    def item_key(self, item: dict) -> bytes:
        """Storage key of an item whose key attributes were already checked."""
        pk = item[self.pk_name][self.pk_type]
        if self.sk_name is None:
            return self.prefix + encode_key(self.pk_type, pk, None, None)
        sk = item[self.sk_name][self.sk_type]
        return self.prefix + encode_key(self.pk_type, pk, self.sk_type, sk)

    def partition_prefix(self, pk_value: Any) -> bytes:
        return self.prefix + encode_partition_prefix(self.pk_type, pk_value)


class Catalog:
    """Reads and writes table records; caches TableInfo objects by version."""

    def __init__(self, clock: Clock | None = None) -> None:
        # The database's clock: stream records written by the item write path read it.
        self.clock = clock or Clock()
        # (storage snapshot the version was read at, catalog version, TableInfo cache
        # of that version), swapped as one tuple: threads share the catalog, and a
        # cache only ever holds records read at its own version. While no commit
        # happened since the snapshot, the catalog cannot have changed: the version
        # read is skipped.
        self._state: tuple[int | None, bytes | None, dict] = (None, b"unset", {})

    # ------------------------------------------------------------- reading
    def _cache_for(self, txn: ReadTxn) -> dict[tuple[str, str], TableInfo | None]:
        """The TableInfo cache of the catalog version this transaction sees."""
        checked_at, version, cache = self._state
        snapshot = txn.snapshot_id()
        if snapshot is not None and snapshot == checked_at:
            return cache
        seen = txn.get("meta", _VERSION_KEY)
        if seen != version:
            cache = {}
        self._state = (snapshot, seen, cache)
        return cache

    def get(self, txn: ReadTxn, region: str, name: str) -> TableInfo | None:
        cache = self._cache_for(txn)
        cache_key = (region, name)
        try:
            return cache[cache_key]
        except KeyError:
            pass
        raw = txn.get("meta", table_meta_key(region, name))
        info = TableInfo(msgpack.unpackb(raw)) if raw is not None else None
        cache[cache_key] = info
        return info

    def names(self, txn: ReadTxn, region: str) -> list[str]:
        prefix = _region_prefix(region)
        end = prefix[:-1] + b"\1"
        return [key[len(prefix) :].decode() for key, _ in txn.range("meta", prefix, end)]

    def stats(self, txn: ReadTxn, table: TableInfo) -> tuple[int, int]:
        raw = txn.get("meta", table.stats_key)
        return _STATS.unpack(raw) if raw is not None else (0, 0)

    # ------------------------------------------------------------- writing
    def _bump(self, txn: WriteTxn) -> None:
        # A random token, not a counter: an aborted change in one process and a
        # committed one in another can never share a version.
        txn.put("meta", _VERSION_KEY, os.urandom(8))

    def next_table_id(self, txn: WriteTxn) -> int:
        raw = txn.get("meta", _NEXT_ID_KEY)
        table_id = int(raw) if raw is not None else 1
        txn.put("meta", _NEXT_ID_KEY, str(table_id + 1).encode())
        return table_id

    def save(self, txn: WriteTxn, record: dict[str, Any]) -> TableInfo:
        txn.put("meta", table_meta_key(record["region"], record["name"]), msgpack.packb(record))
        self._bump(txn)
        return TableInfo(record)

    def remove(self, txn: WriteTxn, table: TableInfo) -> None:
        txn.delete("meta", table_meta_key(table.region, table.name))
        txn.delete("meta", table.stats_key)
        self._bump(txn)

    def add_stats(self, txn: WriteTxn, table: TableInfo, items: int, size: int) -> None:
        count, total = self.stats(txn, table)
        txn.put("meta", table.stats_key, _STATS.pack(count + items, total + size))
