"""Cumulative consumed capacity of one Database: per table, per index, per partition key.

Every operation hands its units here once (ddblite.engine.meter), whether or not the
caller asked for ReturnConsumedCapacity, so `db.usage()`, throttling and the bench
harness all see the same figures. Counters live in this Database object (`db.usage()`);
they are plain floats and dicts so the hot path stays cheap. engine.shared_usage
publishes them to the store and adds up every process sharing a directory.
"""

from __future__ import annotations

import weakref
from typing import Any

from ddblite import _usage_pure, twins

_core, IMPORT_ERROR = twins.load("ddblite._usage", _usage_pure)
# Hot keys kept in the store per table (engine.shared_usage).
STORED_KEYS = 100
# Every Usage of this process, for recorders (ddblite.pytest_plugin's ddblite_capacity).
LIVE: weakref.WeakSet = weakref.WeakSet()


def key_units(usage) -> dict[Any, list[float]]:
    """{partition key: [read units, write units]} of a TableUsage."""
    # Copies first: a server's other threads may be counting into these dicts.
    merged: dict[Any, list[float]] = {key: [units, 0.0]
                                      for key, units in dict(usage.read_keys).items()}
    for key, units in dict(usage.write_keys).items():
        merged.setdefault(key, [0.0, 0.0])[1] = units
    return merged


def table_report(usage, top: int) -> dict[str, Any]:
    keys = key_units(usage)
    hot = sorted(keys.items(), key=lambda pair: -(pair[1][0] + pair[1][1]))[:top]
    return {
        "ReadCapacityUnits": usage.read_units,
        "WriteCapacityUnits": usage.write_units,
        "ReadRequests": usage.reads,
        "WriteRequests": usage.writes,
        "ThrottledReads": usage.throttled_reads,
        "ThrottledWrites": usage.throttled_writes,
        "Indexes": {
            name: {"ReadCapacityUnits": units[0], "WriteCapacityUnits": units[1]}
            for name, units in dict(usage.indexes).items()
        },
        "HotKeys": [
            {"Key": _plain(key), "ReadCapacityUnits": units[0],
             "WriteCapacityUnits": units[1]}
            for key, units in hot
        ],
    }


def _plain(key: Any) -> Any:
    return key.hex() if isinstance(key, (bytes, bytearray)) else key


class Usage(_core.UsageCore):
    """The counters (`charge`, `throttled`: ddblite._usage / _usage_pure) and what is
    built on them: reports and resets. Publishing them for the other processes of a
    directory is engine.shared_usage's job."""

    def __init__(self, now: float = 0.0) -> None:
        super().__init__()
        self.since = now
        LIVE.add(self)

    def snapshot(self, top: int = 10, now: float | None = None) -> dict[str, Any]:
        """{"Tables": {name: counters}} with the `top` hottest partition keys per table,
        and the clock seconds they were gathered over."""
        result: dict[str, Any] = {
            "Tables": {name: table_report(usage, top)
                       for name, usage in list(self.tables.items())}}
        if now is not None:
            result["Seconds"] = max(0.0, now - self.since)
        return result

    def signature(self) -> tuple:
        """Changes whenever anything is counted (publishing skips an unchanged Usage)."""
        return tuple((name, usage.read_units, usage.write_units, usage.reads, usage.writes,
                      usage.throttled_reads, usage.throttled_writes)
                     for name, usage in list(self.tables.items()))

    def reset(self, now: float = 0.0) -> None:
        self.tables.clear()
        self.since = now


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


class Recorder:
    """Capacity consumed by every database of this process between `start` and now."""

    def __init__(self) -> None:
        self._start: dict[int, dict[str, tuple[float, float]]] = {}
        self._usages: list = []

    def start(self) -> Recorder:
        self._usages = list(LIVE)
        self._start = {id(usage): _totals(usage) for usage in self._usages}
        return self

    @property
    def tables(self) -> dict[str, dict[str, float]]:
        """{table: {"ReadCapacityUnits", "WriteCapacityUnits"}} consumed since `start`."""
        result: dict[str, dict[str, float]] = {}
        for usage in list(LIVE):
            before = self._start.get(id(usage), {})
            for name, (read, write) in _totals(usage).items():
                was = before.get(name, (0.0, 0.0))
                entry = result.setdefault(name, {"ReadCapacityUnits": 0.0,
                                                 "WriteCapacityUnits": 0.0})
                entry["ReadCapacityUnits"] += read - was[0]
                entry["WriteCapacityUnits"] += write - was[1]
        return result

    @property
    def read_units(self) -> float:
        return sum(entry["ReadCapacityUnits"] for entry in self.tables.values())

    @property
    def write_units(self) -> float:
        return sum(entry["WriteCapacityUnits"] for entry in self.tables.values())

    def assert_within(self, read: float | None = None, write: float | None = None,
                      table: str | None = None) -> None:
        """AssertionError (with the figures) when more was consumed than allowed."""
        tables = self.tables
        if table is not None:
            tables = {table: tables.get(table, {"ReadCapacityUnits": 0.0,
                                                "WriteCapacityUnits": 0.0})}
        used_read = sum(entry["ReadCapacityUnits"] for entry in tables.values())
        used_write = sum(entry["WriteCapacityUnits"] for entry in tables.values())
        problems = []
        if read is not None and used_read > read:
            problems.append(f"{used_read:g} RCU consumed, budget {read:g}")
        if write is not None and used_write > write:
            problems.append(f"{used_write:g} WCU consumed, budget {write:g}")
        if problems:
            raise AssertionError("; ".join(problems) + f" (by table: {tables})")


def _totals(usage: Usage) -> dict[str, tuple[float, float]]:
    return {name: (table.read_units, table.write_units) for name, table in usage.tables.items()}
