"""TTL expiry: delete the items whose TTL attribute is an epoch time in the past.

Only a Number attribute expires an item (strings, sets, maps... never do), and one
more than five years in the past is ignored, as DynamoDB ignores it. Candidates are
found in a read snapshot, then each batch is deleted in one write transaction that
re-reads every item first: another process may have swept, changed or deleted it
meanwhile. Deletes go through items.delete (indexes and stream records stay exact)
marked as the service's own, and no capacity is charged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ddblite.engine import items
from ddblite.storage.interface import prefix_end

if TYPE_CHECKING:
    from ddblite.engine.catalog import Catalog, TableInfo
    from ddblite.storage import Storage

IGNORED_AFTER = 5 * 365 * 86400  # INFERRED: "more than five years in the past"
BATCH = 256


def expired(item: dict | None, attribute: str, now: float) -> bool:
    if item is None:
        return False
    value = item.get(attribute)
    if not isinstance(value, dict) or "N" not in value or len(value) != 1:
        return False
    try:
        when = float(value["N"])
    except ValueError:
        return False
    return now - IGNORED_AFTER <= when <= now


def _tables(storage: Storage, catalog: Catalog) -> list[TableInfo]:
    def run(txn):
        found = []
        for key, _ in txn.range("meta", b"t:", b"t;"):
            region, _, name = key[2:].partition(b"\0")
            table = catalog.get(txn, region.decode(), name.decode())
            if table is not None and table.ttl_attribute is not None:
                found.append(table)
        return found

    return storage.read(run)


def sweep(storage: Storage, catalog: Catalog, now: float) -> int:
    """Delete every expired item of every table with TTL enabled; returns how many."""
    deleted = 0
    for table in _tables(storage, catalog):
        deleted += _sweep_table(storage, catalog, table, now)
    return deleted


def _sweep_table(storage: Storage, catalog: Catalog, table: TableInfo, now: float) -> int:
    attribute = table.ttl_attribute
    assert attribute is not None
    start, end = table.prefix, prefix_end(table.prefix)
    deleted = 0
    while True:
        def find(txn, start=start):
            keys, last = [], None
            for key, raw in txn.range("items", start, end):
                last = key
                if expired(items.unpack_record(raw), attribute, now):
                    keys.append(key)
                    if len(keys) >= BATCH:
                        break
            return keys, last

        keys, last = storage.read(find)
        if keys:
            deleted += storage.write(lambda txn, keys=keys: _delete(txn, catalog, table, keys,
                                                                    now))
        if last is None or not keys or len(keys) < BATCH:
            return deleted
        start = last + b"\0"


def _delete(txn, catalog: Catalog, table: TableInfo, keys: list[bytes], now: float) -> int:
    current = catalog.get(txn, table.region, table.name)
    if current is None or current.table_id != table.table_id or current.ttl_attribute is None:
        return 0  # the table went, or its TTL was turned off, since the snapshot
    attribute = current.ttl_attribute
    deleted = 0
    for key in keys:
        item, _ = items.get(txn, key)
        if expired(item, attribute, now):
            items.delete(txn, catalog, current, key, by_service=True)
            deleted += 1
    return deleted
