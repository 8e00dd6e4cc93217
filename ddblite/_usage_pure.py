"""The per-request usage counter (pure-Python twin of ext/_usage.pyx).

`charge` runs on every request, so it lives here, small, with a compiled twin;
ddblite.engine.usage builds the reports, saving and recording on top of it.
"""

from __future__ import annotations

from typing import Any

# Partition keys tracked per table before the coldest half is dropped (hot keys are
# the point; an exact count of every cold key is not).
MAX_TRACKED_KEYS = 50_000


class TableUsage:
    __slots__ = ("read_units", "write_units", "reads", "writes", "indexes",
                 "throttled_reads", "throttled_writes", "read_keys", "write_keys")

    def __init__(self) -> None:
        self.read_units = 0.0
        self.write_units = 0.0
        self.reads = 0          # requests (or batch/transaction members) that read
        self.writes = 0
        self.indexes: dict[str, list[float]] = {}   # index name -> [read units, write units]
        self.throttled_reads = 0
        self.throttled_writes = 0
        # partition key -> units (two plain dicts: the cheapest update on the hot path)
        self.read_keys: dict[Any, float] = {}
        self.write_keys: dict[Any, float] = {}


class UsageCore:
    """tables: {table name: TableUsage}; `charge` is the one way in."""

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
        if index_units:
            slot = 1 if write else 0
            for name, value in index_units.items():
                pair = usage.indexes.get(name)
                if pair is None:
                    pair = usage.indexes[name] = [0.0, 0.0]
                pair[slot] += value
                units += value
        if write:
            usage.write_units += units
            usage.writes += requests
            keys = usage.write_keys
        else:
            usage.read_units += units
            usage.reads += requests
            keys = usage.read_keys
        if key is not None:
            keys[key] = keys.get(key, 0.0) + units
            if len(keys) > MAX_TRACKED_KEYS:
                drop_coldest(keys)

    def charge_read(self, table: str, size: int, consistent: bool, pk_attribute: dict) -> float:
        """A single-item read of `size` bytes (GetItem): its units, counted, returned.
        The arithmetic is engine.capacity.read_units' (a test holds them equal); the
        partition key is taken from its attribute value ({"S": ...})."""
        units = max(1, -(-size // 4096))
        charged = float(units) if consistent else units / 2
        for key in pk_attribute.values():
            self.charge(table, False, charged, None, key)
            return charged
        self.charge(table, False, charged, None, None)
        return charged

    def charge_item(self, table: str, write: bool, units: float, pk_attribute: dict) -> None:
        """`charge` for one item, its partition key given as an attribute value."""
        for key in pk_attribute.values():
            self.charge(table, write, units, None, key)
            return
        self.charge(table, write, units, None, None)

    def throttled(self, table: str, write: bool) -> None:
        usage = self.table(table)
        if write:
            usage.throttled_writes += 1
        else:
            usage.throttled_reads += 1


def drop_coldest(keys: dict) -> None:
    for key in sorted(keys, key=keys.__getitem__)[: len(keys) // 2]:
        del keys[key]
