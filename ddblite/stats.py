"""`ddblite stats PATH|URL`: consumed capacity, throttles, hot keys and cost of a store.

Both report the directory's whole usage (Database.directory_usage): what every process
that used it counted: the ones that closed, and each live one (every worker of a
`ddblite serve --workers N`) as of its last publish, at most `--usage-interval` ago.
URL asks a running `ddblite serve` over HTTP (GET /ddblite/usage); the worker that
answers adds its own count as of now.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request

from ddblite.engine.cost import estimate, load_prices
from ddblite.engine.usage import STORED_KEYS


def add_parser(commands) -> None:
    stats = commands.add_parser("stats", help="consumed capacity, hot keys and cost of a store")
    stats.add_argument("where", help="a ddblite directory, or the URL of `ddblite serve`")
    stats.add_argument("--top", type=int, default=5, help="hot keys per table (5)")
    stats.add_argument("--prices", metavar="JSON", help="a price table to use instead")
    stats.add_argument("--format", choices=("table", "json"), default="table")


def main(args: argparse.Namespace) -> int:
    prices = load_prices(args.prices)
    if args.where.startswith(("http://", "https://")):
        url = args.where.rstrip("/") + "/ddblite/usage"
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - loopback
            usage = json.load(answer)
        sizes: dict[str, int] = usage.pop("Sizes", {})
    else:
        import ddblite

        with ddblite.connect(args.where, durability="lazy") as db:
            usage = db.directory_usage(top=STORED_KEYS)
            sizes = db.table_sizes()
    for name, counters in usage["Tables"].items():
        counters["EstimatedMonthlyCost"] = estimate(
            counters["ReadCapacityUnits"], counters["WriteCapacityUnits"],
            counters["Seconds"], sizes.get(name, 0), prices)
        counters["HotKeys"] = counters.get("HotKeys", [])[: args.top]
    if args.format == "json":
        print(json.dumps(usage, indent=2))
        return 0
    if not usage["Tables"]:
        print("no usage recorded yet")
    for name, counters in usage["Tables"].items():
        cost = counters["EstimatedMonthlyCost"]
        print(f"{name}: {counters['ReadCapacityUnits']:,.1f} RCU in "
              f"{counters['ReadRequests']:,} reads, {counters['WriteCapacityUnits']:,.1f} WCU "
              f"in {counters['WriteRequests']:,} writes; throttled "
              f"{counters['ThrottledReads']} reads, {counters['ThrottledWrites']} writes")
        for index, units in counters.get("Indexes", {}).items():
            print(f"  index {index}: {units['ReadCapacityUnits']:,.1f} RCU, "
                  f"{units['WriteCapacityUnits']:,.1f} WCU")
        for entry in counters["HotKeys"]:
            print(f"  hot key {entry['Key']}: {entry['ReadCapacityUnits']:,.1f} RCU, "
                  f"{entry['WriteCapacityUnits']:,.1f} WCU")
        print(f"  monthly at this rate ({cost['Region']} prices of {cost['PricesDated']}): "
              f"on demand ${cost['OnDemandMonthly']:,.2f}, provisioned "
              f"${cost['ProvisionedMonthly']:,.2f}")
    live = usage.get("Processes", [])
    if live:
        print(f"{len(live)} live process(es): " + ", ".join(
            f"pid {process['Pid']} {process['ReadCapacityUnits']:,.1f} RCU "
            f"{process['WriteCapacityUnits']:,.1f} WCU" for process in live))
    sys.stdout.flush()
    return 0
