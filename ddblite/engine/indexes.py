"""Secondary-index entries, kept in the same write transaction as their item.

An entry lives in the "index" space under

    table prefix (4 bytes) + index number (1 byte) + partition hash (4 bytes)
    + index partition key (terminated) + index sort key (terminated)
    + the item's table key (without the table prefix)

so a Query on an index is the same kind of range read as on the table. Every
index key part is terminated (numbers are self-delimiting) because the table
key follows; the table key makes entries unique, since index keys need not be.
The value is the projected item as a record (size + msgpack), so reading an
index never touches the table unless an LSI read asks for more attributes.

Index keys may be made of up to four partition and four sort attributes
(multi-attribute keys); an item lacking any of them is not in the index
(sparse indexes).
"""

from __future__ import annotations

from typing import Any

from ddblite.engine.items import pack_record
from ddblite.native import encode_key_part, item_size, partition_hash
from ddblite.storage import WriteTxn


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
        "stats_key",
    )

    def __init__(self, spec: dict, types: dict[str, str], table_prefix: bytes,
                 table_key_names: tuple[str, ...], is_global: bool) -> None:
        self.name: str = spec["IndexName"]
        self.number: int = spec["_number"]
        self.is_global = is_global
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
        index_keys = [name for name, _ in self.hash_attrs + self.range_attrs]
        # Index keys first, then the table's key attributes (LastEvaluatedKey's content).
        self.key_names = tuple(dict.fromkeys(index_keys + list(table_key_names)))

    def partition_bytes(self, values: list[Any]) -> bytes:
        """Hash + terminated partition key parts for the given partition values."""
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
        if self.projection_type == "ALL":
            return item
        wanted = self.key_names
        if self.projection_type == "INCLUDE":
            wanted = wanted + self.non_key
        return {name: item[name] for name in wanted if name in item}


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


def _adjust_stats(txn: WriteTxn, index: IndexInfo, count: int, size: int) -> None:
    import struct

    layout = struct.Struct(">qq")
    raw = txn.get("meta", index.stats_key)
    old_count, old_size = layout.unpack(raw) if raw is not None else (0, 0)
    txn.put("meta", index.stats_key, layout.pack(old_count + count, old_size + size))


def update_entries(
    txn: WriteTxn,
    indexes: list[IndexInfo],
    table_key: bytes,
    old: dict | None,
    new: dict | None,
) -> list[tuple[IndexInfo, int, int]]:
    """Move an item's index entries from its old to its new image.

    Returns, per index touched, (index, old entry size, new entry size) so the
    caller can charge index write capacity.
    """
    touched = []
    for index in indexes:
        old_key = index.entry_key(old, table_key) if old is not None else None
        new_key = index.entry_key(new, table_key) if new is not None else None
        if old_key is None and new_key is None:
            continue
        old_size = new_size = 0
        if old_key is not None:
            old_size = item_size(index.project(old))
        if new_key is not None:
            projected = index.project(new)
            new_size = item_size(projected)
        if old_key is not None and old_key != new_key:
            txn.delete("index", old_key)
        if new_key is not None:
            txn.put("index", new_key, pack_record(projected, new_size))
        _adjust_stats(
            txn, index, (new_key is not None) - (old_key is not None), new_size - old_size
        )
        touched.append((index, old_size, new_size))
    return touched
