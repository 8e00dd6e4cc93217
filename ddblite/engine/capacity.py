"""Capacity arithmetic and the ConsumedCapacity shape, as DynamoDB reports them.

Reads: one unit per 4 KB (rounded up) of the item read, at least one, for a
strongly consistent read; half that when eventually consistent. Writes: one
unit per 1 KB (rounded up, at least one) of the larger of the old and the new
item. Transactions cost double.

Shape: plain operations report the aggregate only — {"TableName", "CapacityUnits"},
plus {"Table": {"CapacityUnits"}} (and per-index maps) under INDEXES. Secondary
indexes: a write costs each index it changes its own write units (see
engine.indexes.update_entries), reported under GlobalSecondaryIndexes /
LocalSecondaryIndexes by index name and added to the total; a read of an index is
charged to that index, with "Table" holding only what an LSI read fetched from the
table (0.0 otherwise). Real
DynamoDB adds the ReadCapacityUnits / WriteCapacityUnits split only for
transactional operations; `split=True` asks for it.
"""

from __future__ import annotations

from typing import Any

READ_UNIT_BYTES = 4096
WRITE_UNIT_BYTES = 1024


def read_units(size: int, consistent: bool) -> float:
    units = max(1, -(-size // READ_UNIT_BYTES))
    return float(units) if consistent else units / 2


def write_units(size: int) -> float:
    return float(max(1, -(-size // WRITE_UNIT_BYTES)))


def consumed(
    mode: str | None,
    table_name: str,
    units: float,
    kind: str,
    *,
    split: bool = False,
    global_indexes: dict[str, float] | None = None,
    local_indexes: dict[str, float] | None = None,
) -> dict[str, Any] | None:
    """The ConsumedCapacity member for one table, or None when not asked for.

    kind is "read" or "write"; it only matters with split=True. Index units
    (by index name) are added to the total and listed under INDEXES.
    """
    if mode != "TOTAL" and mode != "INDEXES":
        return None
    table_units = float(units)
    total = table_units
    if global_indexes:
        total += sum(global_indexes.values())
    if local_indexes:
        total += sum(local_indexes.values())
    result: dict[str, Any] = {"TableName": table_name, "CapacityUnits": total}
    field = "WriteCapacityUnits" if kind == "write" else "ReadCapacityUnits"
    if split:
        result[field] = total
    if mode == "INDEXES":
        result["Table"] = _capacity(table_units, field if split else None)
        if local_indexes:
            result["LocalSecondaryIndexes"] = {
                name: _capacity(value, field if split else None)
                for name, value in local_indexes.items()
            }
        if global_indexes:
            result["GlobalSecondaryIndexes"] = {
                name: _capacity(value, field if split else None)
                for name, value in global_indexes.items()
            }
    return result


def _capacity(units: float, field: str | None) -> dict[str, float]:
    capacity = {"CapacityUnits": float(units)}
    if field is not None:
        capacity[field] = float(units)
    return capacity


def write_consumed(
    mode: str | None, table_name: str, table_units: float, index_writes=(), *,
    split: bool = False, factor: float = 1.0,
) -> dict[str, Any] | None:
    """ConsumedCapacity of a write: the table's units plus each index write
    (engine.indexes.IndexWrite objects) under its index, times `factor` (a
    transaction's writes cost twice, on its indexes too)."""
    if mode != "TOTAL" and mode != "INDEXES":
        return None
    global_units: dict[str, float] = {}
    local_units: dict[str, float] = {}
    for write in index_writes:
        target = global_units if write.index.is_global else local_units
        target[write.index.name] = target.get(write.index.name, 0.0) + write.units * factor
    return consumed(mode, table_name, table_units, "write", split=split,
                    global_indexes=global_units, local_indexes=local_units)


def index_read_consumed(
    mode: str | None, table_name: str, index_name: str, is_global: bool, index_units: float,
    table_units: float = 0.0,
) -> dict[str, Any] | None:
    """ConsumedCapacity of a Query/Scan on an index; table_units are an LSI's fetches."""
    units = {index_name: index_units}
    if is_global:
        return consumed(mode, table_name, table_units, "read", global_indexes=units)
    return consumed(mode, table_name, table_units, "read", local_indexes=units)
