"""What observed traffic and storage would cost a month on DynamoDB, from a price table.

The default prices are DynamoDB Standard table class list prices for us-east-1 (N.
Virginia) as published after the on-demand price cut of 2024-11-01. They change: pass
your own table (same keys) to `estimate`, or a JSON file to `ddblite stats --prices`.
Free tier, reserved capacity, backups, streams and data transfer are left out.
"""

from __future__ import annotations

import json
from typing import Any

PRICES: dict[str, Any] = {
    "region": "us-east-1",
    "date": "2024-11-01",
    "currency": "USD",
    "on_demand_per_million_write_units": 0.625,
    "on_demand_per_million_read_units": 0.125,
    "provisioned_per_wcu_hour": 0.00065,
    "provisioned_per_rcu_hour": 0.00013,
    "storage_per_gb_month": 0.25,
}

HOURS_PER_MONTH = 730
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600
# Provisioned capacity is sized so the observed average runs at this share of it
# (the auto scaling default target).
TARGET_UTILIZATION = 0.7


def load_prices(path: str | None) -> dict[str, Any]:
    """The default table, with any keys a JSON file gives replaced."""
    prices = dict(PRICES)
    if path:
        with open(path, encoding="utf-8") as handle:
            prices.update(json.load(handle))
    return prices


def estimate(read_units: float, write_units: float, seconds: float, storage_bytes: int = 0,
             prices: dict[str, Any] | None = None) -> dict[str, Any]:
    """Monthly cost if the traffic seen over `seconds` went on all month.

    On demand: every unit consumed is a request unit. Provisioned: the average rate,
    over TARGET_UTILIZATION, rounded up to whole units (at least one), all month."""
    prices = prices or PRICES
    scale = SECONDS_PER_MONTH / seconds if seconds > 0 else 0.0
    storage = storage_bytes / 1024**3 * prices["storage_per_gb_month"]
    on_demand = (read_units * scale / 1e6 * prices["on_demand_per_million_read_units"]
                 + write_units * scale / 1e6 * prices["on_demand_per_million_write_units"])
    rcu = _provisioned_units(read_units, seconds)
    wcu = _provisioned_units(write_units, seconds)
    provisioned = HOURS_PER_MONTH * (rcu * prices["provisioned_per_rcu_hour"]
                                     + wcu * prices["provisioned_per_wcu_hour"])
    return {
        "Region": prices["region"],
        "PricesDated": prices["date"],
        "Currency": prices["currency"],
        "ObservedSeconds": seconds,
        "OnDemandMonthly": round(on_demand + storage, 4),
        "ProvisionedMonthly": round(provisioned + storage, 4),
        "ProvisionedReadCapacityUnits": rcu,
        "ProvisionedWriteCapacityUnits": wcu,
        "StorageMonthly": round(storage, 4),
    }


def _provisioned_units(units: float, seconds: float) -> int:
    if seconds <= 0:
        return 1
    return max(1, -int(-(units / seconds / TARGET_UTILIZATION) // 1))
