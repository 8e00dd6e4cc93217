"""Capacity arithmetic, as DynamoDB bills it.

Reads: one unit per 4 KB (rounded up) for a strongly consistent read, half of
that when eventually consistent. Writes: one unit per 1 KB (rounded up) of the
larger of the old and the new item. Transactions cost double.
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
    mode: str | None, table_name: str, units: float, kind: str, *, is_write: bool = False
) -> dict[str, Any] | None:
    """The ConsumedCapacity member for one table, or None when not asked for.

    kind is "read" or "write": DynamoDB also breaks the total into
    ReadCapacityUnits / WriteCapacityUnits.
    """
    if mode not in ("TOTAL", "INDEXES"):
        return None
    field = "WriteCapacityUnits" if kind == "write" else "ReadCapacityUnits"
    result: dict[str, Any] = {"TableName": table_name, "CapacityUnits": units, field: units}
    if mode == "INDEXES":
        result["Table"] = {"CapacityUnits": units, field: units}
    return result
