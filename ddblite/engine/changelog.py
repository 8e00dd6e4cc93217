"""The change log behind point-in-time recovery: every item write of a table with PITR
enabled, stamped with the injectable clock, in the "meta" space:

  b"l:" table prefix + item key (without table prefix) + 8-byte big-endian microseconds
      -> the item record as stored (engine.items' layout), or b"" for a deletion

Enabling PITR logs every current item at that instant (the base state), so the table's
state at any time T in the window is, per item key, its latest entry at or before T.
Entries older than the recovery window are pruned down to the one each key needs.
"""

from __future__ import annotations

import struct
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ddblite.storage import ReadTxn, WriteTxn
from ddblite.storage.interface import prefix_end

if TYPE_CHECKING:
    from ddblite.engine.catalog import Catalog, TableInfo

_STAMP = struct.Struct(">Q")
_TAG = b"l:"


def _micros(epoch: float) -> int:
    return max(0, round(epoch * 1_000_000))


def _prefix(table: TableInfo) -> bytes:
    return _TAG + table.prefix


def now_of(catalog: Catalog) -> float:
    clock = getattr(catalog, "clock", None)
    return clock.now() if clock is not None else time.time()


def append(txn: WriteTxn, catalog: Catalog, table: TableInfo, key: bytes,
           record: bytes | None) -> None:
    """Log one item write (record None: the item was deleted)."""
    stamp = _STAMP.pack(_micros(now_of(catalog)))
    txn.put("meta", _prefix(table) + key[len(table.prefix):] + stamp, record or b"")


def start(txn: WriteTxn, table: TableInfo, at: float) -> None:
    """Begin a log: every current item, as of `at`."""
    stamp = _STAMP.pack(_micros(at))
    prefix = _prefix(table)
    cut = len(table.prefix)
    for key, raw in list(txn.range("items", table.prefix, prefix_end(table.prefix))):
        txn.put("meta", prefix + key[cut:] + stamp, raw)


def drop(txn: WriteTxn, table: TableInfo) -> None:
    prefix = _prefix(table)
    for key in [key for key, _ in txn.range("meta", prefix, prefix_end(prefix))]:
        txn.delete("meta", key)


def _entries(txn: ReadTxn, table: TableInfo) -> Iterator[tuple[bytes, int, bytes]]:
    """(item key suffix, microseconds, record or b"") of every entry."""
    prefix = _prefix(table)
    cut = len(prefix)
    for key, raw in txn.range("meta", prefix, prefix_end(prefix)):
        yield key[cut:-8], _STAMP.unpack(key[-8:])[0], raw


def _latest(txn: ReadTxn, table: TableInfo, at: float) -> dict[bytes, tuple[int, bytes]]:
    """Per item key, its latest entry at or before `at`."""
    limit = _micros(at)
    latest: dict[bytes, tuple[int, bytes]] = {}
    for suffix, stamp, raw in _entries(txn, table):
        if stamp <= limit:
            seen = latest.get(suffix)
            if seen is None or stamp >= seen[0]:
                latest[suffix] = (stamp, raw)
    return latest


def state_at(txn: ReadTxn, table: TableInfo, at: float) -> list[tuple[bytes, bytes]]:
    """(item key suffix, record) of every item the table held at `at`, in key order."""
    latest = _latest(txn, table, at)
    return sorted((suffix, raw) for suffix, (_, raw) in latest.items() if raw)


def changes_between(txn: ReadTxn, table: TableInfo, since: float,
                    until: float) -> list[tuple[bytes, int, bytes | None, bytes]]:
    """Per item key changed in (since, until]: (suffix, time of its last change there in
    microseconds, record before `since` or None, record at `until` or b"" if deleted)."""
    before = _latest(txn, table, since)
    after = _latest(txn, table, until)
    low = _micros(since)
    changed = []
    for suffix, (stamp, raw) in sorted(after.items()):
        if stamp > low:
            old = before.get(suffix, (0, b""))[1] or None
            if old is None and not raw:
                continue  # created and deleted inside the window: no net change
            changed.append((suffix, stamp, old, raw))
    return changed


def prune(txn: WriteTxn, table: TableInfo, before: float) -> None:
    """Forget entries that no state from `before` on needs."""
    limit = _micros(before)
    prefix = _prefix(table)
    older: dict[bytes, list[tuple[int, bytes]]] = {}
    for suffix, stamp, raw in _entries(txn, table):
        if stamp <= limit:  # the state at `before` needs only the latest of these
            older.setdefault(suffix, []).append((stamp, raw))
    for suffix, entries in older.items():
        entries.sort()
        keep_last = entries[-1][1] != b""  # the base state of this key, unless a deletion
        doomed = entries[:-1] if keep_last else entries
        for stamp, _ in doomed:
            txn.delete("meta", prefix + suffix + _STAMP.pack(stamp))
