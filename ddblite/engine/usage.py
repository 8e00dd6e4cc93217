"""Cumulative consumed capacity of one Database: per table, per index, per partition key.

Every operation hands its units here once (ddblite.engine.meter), whether or not the
caller asked for ReturnConsumedCapacity, so `db.usage()`, throttling and the bench
harness all see the same figures. Counters live in this process (a server's usage is
its own process's); they are plain floats and dicts so the hot path stays cheap.
"""

from __future__ import annotations

from typing import Any

# Partition keys tracked per table before the coldest half is dropped (hot keys are
# the point; an exact count of every cold key is not).
MAX_TRACKED_KEYS = 50_000


class TableUsage:
    __slots__ = ("read_units", "write_units", "reads", "writes", "indexes",
                 "throttled_reads", "throttled_writes", "keys")

    def __init__(self) -> None:
        self.read_units = 0.0
        self.write_units = 0.0
        self.reads = 0          # requests (or batch/transaction members) that read
        self.writes = 0
        self.indexes: dict[str, list[float]] = {}   # index name -> [read units, write units]
        self.throttled_reads = 0
        self.throttled_writes = 0
        self.keys: dict[Any, list[float]] = {}      # partition key -> [read units, write units]

    def as_dict(self, top: int) -> dict[str, Any]:
        hot = sorted(self.keys.items(), key=lambda pair: -(pair[1][0] + pair[1][1]))[:top]
        return {
            "ReadCapacityUnits": self.read_units,
            "WriteCapacityUnits": self.write_units,
            "ReadRequests": self.reads,
            "WriteRequests": self.writes,
            "ThrottledReads": self.throttled_reads,
            "ThrottledWrites": self.throttled_writes,
            "Indexes": {
                name: {"ReadCapacityUnits": units[0], "WriteCapacityUnits": units[1]}
                for name, units in self.indexes.items()
            },
            "HotKeys": [
                {"Key": _plain(key), "ReadCapacityUnits": units[0],
                 "WriteCapacityUnits": units[1]}
                for key, units in hot
            ],
        }


def _plain(key: Any) -> Any:
    return key.hex() if isinstance(key, (bytes, bytearray)) else key


class Usage:
    """The counters; `charge` is the one way in."""

    def __init__(self) -> None:
        self.tables: dict[str, TableUsage] = {}

    def table(self, name: str) -> TableUsage:
        usage = self.tables.get(name)
        if usage is None:
            usage = self.tables[name] = TableUsage()
        return usage

    def charge(self, table: str, write: bool, units: float, index_units: dict | None,
               key: Any = None, requests: int = 1) -> None:
        """Count `units` on the table (and each index's own units) for one request."""
        usage = self.tables.get(table)
        if usage is None:
            usage = self.table(table)
        slot = 1 if write else 0
        total = units
        if index_units:
            for name, value in index_units.items():
                pair = usage.indexes.get(name)
                if pair is None:
                    pair = usage.indexes[name] = [0.0, 0.0]
                pair[slot] += value
                total += value
        if write:
            usage.write_units += total
            usage.writes += requests
        else:
            usage.read_units += total
            usage.reads += requests
        if key is not None:
            counts = usage.keys.get(key)
            if counts is None:
                if len(usage.keys) >= MAX_TRACKED_KEYS:
                    _drop_coldest(usage.keys)
                counts = usage.keys[key] = [0.0, 0.0]
            counts[slot] += total

    def throttled(self, table: str, write: bool) -> None:
        usage = self.table(table)
        if write:
            usage.throttled_writes += 1
        else:
            usage.throttled_reads += 1

    def snapshot(self, top: int = 10) -> dict[str, Any]:
        """{"Tables": {name: counters}} with the `top` hottest partition keys per table."""
        return {"Tables": {name: usage.as_dict(top) for name, usage in self.tables.items()}}

    def reset(self) -> None:
        self.tables.clear()


def _drop_coldest(keys: dict) -> None:
    ranked = sorted(keys, key=lambda key: keys[key][0] + keys[key][1])
    for key in ranked[: len(ranked) // 2]:
        del keys[key]


def partition_value(table, item: dict) -> Any:
    """The partition key's plain value (str or bytes) of a key or item, for hot keys."""
    for value in item[table.pk_name].values():
        return value
    return None


def index_units_of(index_writes, factor: float = 1.0) -> dict[str, float] | None:
    """Units per index name of a write's index changes (engine.indexes.IndexWrite)."""
    if not index_writes:
        return None
    units: dict[str, float] = {}
    for write in index_writes:
        units[write.index.name] = units.get(write.index.name, 0.0) + write.units * factor
    return units
