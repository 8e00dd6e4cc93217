"""Secondary-index entries, kept in the same write transaction as their item.

An entry lives in the "index" space under

    table prefix (4 bytes) + index number (1 byte) + partition hash (4 bytes)
    + index partition key parts (terminated) + index sort key parts (terminated)
    + the item's table key (without the table prefix)

so a Query on an index is the same kind of range read as on the table. Every
index key part is terminated (numbers are self-delimiting) because the table
key follows; the table key makes entries unique, since index keys need not be.
The value is the projected item as a record (size + msgpack, the layout of
engine.items records, so one reader serves both spaces), so reading an index
never touches the table unless an LSI read asks for more attributes.

Index keys may be made of up to four partition and four sort attributes
(multi-attribute GSI keys); an item lacking any of them is not in the index
(sparse indexes).

Per index, "meta" holds b"s:" + index prefix -> (entry count, entry bytes) for
DescribeTable. Tables with LSIs also keep, per partition key value, the size of
its item collection (items + LSI entries) under b"c:" + table partition prefix.
"""

from __future__ import annotations

import struct
from typing import Any

import msgpack

from ddblite.attrvalue import MAX_PARTITION_KEY_BYTES, MAX_SORT_KEY_BYTES, key_value_bytes
from ddblite.engine.capacity import write_units
from ddblite.errors import ItemCollectionSizeLimitExceededException, ValidationException
from ddblite.native import encode_key_part, item_size, partition_hash
from ddblite.storage import ReadTxn, WriteTxn
from ddblite.storage.interface import prefix_end

_RECORD_SIZE = struct.Struct(">I")
_STATS = struct.Struct(">qq")
_COLLECTION = struct.Struct(">q")
_packb = msgpack.packb

# DynamoDB's limit on one item collection of a table with LSIs (10 GB). A module
# constant so tests can lower it.
ITEM_COLLECTION_LIMIT = 10 * 1024**3
COLLECTION_LIMIT_MESSAGE = "Item collection size limit exceeded."
_GB = 1024**3


def _type_mismatch(name: str, expected: str, actual: str, index: str) -> ValidationException:
    return ValidationException(
        "One or more parameter values were invalid: Type mismatch for Index Key "
        f"{name} Expected: {expected} Actual: {actual} IndexName: {index}"
    )


def _empty_key(kind: str, name: str, index: str) -> ValidationException:
    return ValidationException(
        "One or more parameter values are not valid. A value specified for a secondary index "
        "key is not supported. The AttributeValue for a key attribute cannot contain an empty "
        f"{kind} value. IndexName: {index}, IndexKey: {name}"
    )


# UpdateItem words the empty-value case without naming the index.
UPDATE_EMPTY_INDEX_KEY = (
    "One or more parameter values are not valid. The update expression attempted to update a "
    "secondary index key to a value that is not supported. The AttributeValue for a key "
    "attribute cannot contain an empty string value."
)


class IndexInfo:
    """One GSI or LSI of a table, in the shape the write and read paths want."""

    __slots__ = (
        "name",
        "number",
        "is_global",
        "hash_attrs",
        "range_attrs",
        "projection_type",
        "non_key",
        "prefix",
        "key_names",
        "index_key_names",
        "projected_names",
        "stats_key",
        "status",
    )

    def __init__(self, spec: dict, types: dict[str, str], table_prefix: bytes,
                 table_key_names: tuple[str, ...], is_global: bool) -> None:
        self.name: str = spec["IndexName"]
        self.number: int = spec["_number"]
        self.is_global = is_global
        self.status: str = spec.get("IndexStatus", "ACTIVE")
        self.hash_attrs = [
            (e["AttributeName"], types[e["AttributeName"]])
            for e in spec["KeySchema"] if e["KeyType"] == "HASH"
        ]
        self.range_attrs = [
            (e["AttributeName"], types[e["AttributeName"]])
            for e in spec["KeySchema"] if e["KeyType"] == "RANGE"
        ]
        projection = spec.get("Projection") or {}
        self.projection_type: str = projection.get("ProjectionType", "ALL")
        self.non_key: tuple[str, ...] = tuple(projection.get("NonKeyAttributes") or ())
        self.prefix = table_prefix + bytes([self.number])
        self.stats_key = b"s:" + self.prefix
        self.index_key_names = tuple(name for name, _ in self.hash_attrs + self.range_attrs)
        # Index keys first, then the table's key attributes (LastEvaluatedKey's content).
        self.key_names = tuple(dict.fromkeys(self.index_key_names + table_key_names))
        # Attribute names an entry holds (None: every attribute).
        self.projected_names: frozenset[str] | None = (
            None if self.projection_type == "ALL"
            else frozenset(self.key_names + (self.non_key if self.projection_type == "INCLUDE"
                                             else ()))
        )

    def partition_bytes(self, values: list[Any]) -> bytes:
        """Index prefix + hash + terminated partition key parts for the given values."""
        encoded = b"".join(
            encode_key_part(kind, value, True)
            for (_, kind), value in zip(self.hash_attrs, values)
        )
        return self.prefix + partition_hash(encoded).to_bytes(4, "big") + encoded

    def entry_key(self, item: dict, table_key: bytes) -> bytes | None:
        """The entry key of an item, or None when the item is not in this index."""
        parts = []
        for name, kind in self.hash_attrs:
            value = item.get(name)
            if value is None or kind not in value:
                return None
            parts.append(value[kind])
        head = self.partition_bytes(parts)
        tail = []
        for name, kind in self.range_attrs:
            value = item.get(name)
            if value is None or kind not in value:
                return None
            tail.append(encode_key_part(kind, value[kind], True))
        # table_key carries the table prefix: drop it, the index prefix already names the table.
        return head + b"".join(tail) + table_key[4:]

    def project(self, item: dict) -> dict:
        """The attributes of an item this index stores."""
        wanted = self.projected_names
        if wanted is None:
            return item
        return {name: value for name, value in item.items() if name in wanted}


def index_infos(record: dict, types: dict[str, str], table_prefix: bytes,
                table_key_names: tuple[str, ...]) -> list[IndexInfo]:
    infos = []
    for spec in record.get("lsi") or ():
        if "_number" in spec:
            infos.append(IndexInfo(spec, types, table_prefix, table_key_names, False))
    for spec in record.get("gsi") or ():
        if "_number" in spec:
            infos.append(IndexInfo(spec, types, table_prefix, table_key_names, True))
    return infos


def key_checks(indexes: list[IndexInfo], table_key_names: tuple[str, ...]
               ) -> tuple[tuple[str, str, str, bool], ...]:
    """(attribute, type, index name, is a partition key part) for every index key
    attribute outside the table key, by index name: the order DynamoDB reports a bad
    index key in."""
    checks = []
    for index in sorted(indexes, key=lambda i: i.name):
        for attrs, is_hash in ((index.hash_attrs, True), (index.range_attrs, False)):
            for name, kind in attrs:
                if name not in table_key_names:
                    checks.append((name, kind, index.name, is_hash))
    return tuple(checks)


def check_item(checks: tuple[tuple[str, str, str, bool], ...], item: dict) -> None:
    """Index key attributes present in an item must have their declared type, not be
    empty and fit the key-size limits: type mismatches first (over every index), then
    empty values, then sizes."""
    for name, kind, index, _ in checks:
        value = item.get(name)
        if value is not None and kind not in value:
            (actual,) = value.keys()
            raise _type_mismatch(name, kind, actual, index)
    for name, kind, index, _ in checks:
        value = item.get(name)
        if value is not None and kind != "N" and not value[kind]:
            raise _empty_key("string" if kind == "S" else "binary", name, index)
    for name, kind, _, is_hash in checks:
        value = item.get(name)
        if value is not None and kind != "N":
            # An index key is a key: the table key's limits and words (DynamoDB answers a
            # GSI partition key over 2048 bytes with the hashkey message).
            _check_key_size(kind, value[kind], is_hash)


def _check_key_size(kind: str, raw: Any, is_hash: bool) -> None:
    from ddblite.engine.keys import HASH_KEY_TOO_BIG, RANGE_KEY_TOO_BIG

    size = key_value_bytes(kind, raw)
    if is_hash and size > MAX_PARTITION_KEY_BYTES:
        raise ValidationException(HASH_KEY_TOO_BIG)
    if not is_hash and size > MAX_SORT_KEY_BYTES:
        raise ValidationException(RANGE_KEY_TOO_BIG)


def _key_too_big(index: IndexInfo, item: dict) -> bool:
    for attrs, limit in ((index.hash_attrs, MAX_PARTITION_KEY_BYTES),
                         (index.range_attrs, MAX_SORT_KEY_BYTES)):
        for name, kind in attrs:
            if kind != "N" and key_value_bytes(kind, item[name][kind]) > limit:
                return True
    return False


# ---------------------------------------------------------------- entries


def _pack(item: dict, size: int) -> bytes:
    return _RECORD_SIZE.pack(size) + _packb(item)


def _adjust_stats(txn: WriteTxn, key: bytes, count: int, size: int) -> None:
    raw = txn.get("meta", key)
    old_count, old_size = _STATS.unpack(raw) if raw is not None else (0, 0)
    txn.put("meta", key, _STATS.pack(old_count + count, old_size + size))


def stats(txn: ReadTxn, index: IndexInfo) -> tuple[int, int]:
    """(ItemCount, IndexSizeBytes) of an index."""
    raw = txn.get("meta", index.stats_key)
    return _STATS.unpack(raw) if raw is not None else (0, 0)


class IndexWrite:
    """What one item write did to one index: its write units, and its entry bytes delta
    (the LSI item-collection size moves by it)."""

    __slots__ = ("index", "units", "delta")

    def __init__(self, index: IndexInfo, units: float, delta: int) -> None:
        self.index = index
        self.units = units
        self.delta = delta


def update_entries(
    txn: WriteTxn,
    indexes: list[IndexInfo],
    table_key: bytes,
    old: dict | None,
    new: dict | None,
    sizes: tuple[int, int] | None = None,
    new_record: bytes | None = None,
) -> list[IndexWrite]:
    """Move an item's index entries from its old to its new image.

    sizes (old, new item sizes) and new_record (the new item's packed record) let
    ALL-projection indexes reuse the table's work instead of measuring and packing again.

    Index write capacity follows DynamoDB: a new entry or a removed one costs one
    write of its size; a changed index key costs both (delete + put); an entry whose
    projection did not change costs nothing.
    """
    touched = []
    for index in indexes:
        old_key = index.entry_key(old, table_key) if old is not None else None
        new_key = index.entry_key(new, table_key) if new is not None else None
        if old_key is None and new_key is None:
            continue
        old_projected = index.project(old) if old_key is not None else None
        new_projected = index.project(new) if new_key is not None else None
        if old_key == new_key and old_projected == new_projected:
            continue
        whole = sizes is not None and index.projected_names is None
        if old_projected is None:
            old_size = 0
        else:
            old_size = sizes[0] if whole else item_size(old_projected)  # type: ignore[index]
        if new_projected is None:
            new_size = 0
        else:
            new_size = sizes[1] if whole else item_size(new_projected)  # type: ignore[index]
        units = 0.0
        if old_key is not None and old_key != new_key:
            txn.delete("index", old_key)
            units += write_units(old_size)
        if new_key is not None:
            record = new_record if whole and new_record is not None else None
            txn.put("index", new_key,
                    record or _pack(new_projected, new_size))  # type: ignore[arg-type]
            units += write_units(max(new_size, old_size) if old_key == new_key else new_size)
        _adjust_stats(
            txn, index.stats_key, (new_key is not None) - (old_key is not None),
            new_size - old_size,
        )
        touched.append(IndexWrite(index, units, new_size - old_size))
    return touched


# ---------------------------------------------------------------- item collections


def collection_key(partition_prefix: bytes) -> bytes:
    return b"c:" + partition_prefix


def collection_size(txn: ReadTxn, partition_prefix: bytes) -> int:
    raw = txn.get("meta", collection_key(partition_prefix))
    return _COLLECTION.unpack(raw)[0] if raw is not None else 0


def adjust_collection(txn: WriteTxn, partition_prefix: bytes, delta: int) -> int:
    """Move an item collection's size by delta; refuse growth past the 10 GB limit."""
    key = collection_key(partition_prefix)
    raw = txn.get("meta", key)
    size = (_COLLECTION.unpack(raw)[0] if raw is not None else 0) + delta
    if delta > 0 and size > ITEM_COLLECTION_LIMIT:
        raise ItemCollectionSizeLimitExceededException(COLLECTION_LIMIT_MESSAGE)
    if size <= 0:
        txn.delete("meta", key)
    else:
        txn.put("meta", key, _COLLECTION.pack(size))
    return size


def collection_metrics(key_name: str, key_value: dict, size: int) -> dict:
    """ItemCollectionMetrics as DynamoDB words them: the partition key and a GB range."""
    low = size // _GB
    return {
        "ItemCollectionKey": {key_name: key_value},
        "SizeEstimateRangeGB": [float(low), float(low + 1)],
    }


# ---------------------------------------------------------------- whole indexes


def backfill(txn: WriteTxn, index: IndexInfo, table_prefix: bytes, items_after: bytes | None,
             limit: int | None) -> tuple[int, bytes | None]:
    """Add entries for up to `limit` table items after the storage key `items_after`.

    Returns (items indexed, last item key read or None when the table is done). Items
    whose index key attributes have the wrong type, are empty or exceed the key-size
    limits are left out, as DynamoDB's backfill skips them rather than failing.
    """
    from ddblite.engine.items import unpack_record  # items imports this module

    lo = table_prefix if items_after is None else items_after + b"\x00"
    hi = prefix_end(table_prefix)
    added = count = size = 0
    last = None
    done = True
    for key, raw in txn.range("items", lo, hi):
        if limit is not None and count >= limit:
            done = False
            break
        count += 1
        last = key
        item = unpack_record(raw)
        entry_key = index.entry_key(item, key)
        if entry_key is None or _has_empty_key(index, item) or _key_too_big(index, item):
            continue
        projected = index.project(item)
        entry_size = item_size(projected)
        txn.put("index", entry_key, _pack(projected, entry_size))
        added += 1
        size += entry_size
    _adjust_stats(txn, index.stats_key, added, size)
    return added, (None if done else last)


def _has_empty_key(index: IndexInfo, item: dict) -> bool:
    for name, kind in index.hash_attrs + index.range_attrs:
        if kind != "N" and not item[name][kind]:
            return True
    return False


def drop(txn: WriteTxn, index: IndexInfo) -> None:
    """Remove every entry of an index and its statistics."""
    keys = [key for key, _ in txn.range("index", index.prefix, prefix_end(index.prefix))]
    for key in keys:
        txn.delete("index", key)
    txn.delete("meta", index.stats_key)
