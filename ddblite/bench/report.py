"""A benchmark's report: the JSON-ready dict, its table form, and its plot."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from ddblite.engine.cost import estimate

PERCENTILES = (("p50", 0.50), ("p95", 0.95), ("p99", 0.99), ("p999", 0.999))
HOT_PARTITIONS = 10


def latency_summary(values: list[float]) -> dict[str, float]:
    """Milliseconds: mean, p50, p95, p99, p99.9 and max of latencies in seconds."""
    if not values:
        return {}
    ordered = sorted(values)
    count = len(ordered)
    summary = {"mean": 1000 * sum(ordered) / count}
    for name, share in PERCENTILES:
        summary[name] = 1000 * ordered[min(count - 1, math.ceil(share * count) - 1)]
    summary["max"] = 1000 * ordered[-1]
    return {name: round(value, 4) for name, value in summary.items()}


def build(config, workload, target, stats, elapsed: float, load_seconds: float) -> dict:
    from ddblite import __version__
    from ddblite.bench.driver import TIMELINE_STEP

    done = sum(len(values) for values in stats.latencies.values())
    every = [value for values in stats.latencies.values() for value in values]
    total_units = stats.read_units + stats.write_units
    hottest = [
        {"PartitionKey": key, "CapacityUnits": units,
         "Share": round(units / total_units, 4) if total_units else 0.0}
        for key, units in stats.partitions.most_common(HOT_PARTITIONS)
    ]
    storage = config.records * config.item_size
    report: dict[str, Any] = {
        "ddblite": __version__,
        "target": {"kind": target.kind, "description": target.description},
        "config": {key: value for key, value in dataclasses.asdict(config).items()
                   if key not in ("progress",)},
        "workload": workload.name,
        "distribution": workload.distribution,
        "load_seconds": round(load_seconds, 4),
        "elapsed_seconds": round(elapsed, 4),
        "operations": done,
        "throughput_ops_per_second": round(done / elapsed, 2) if elapsed > 0 else 0.0,
        "latency_ms": latency_summary(every),
        "by_operation": {
            name: {"count": len(values), "latency_ms": latency_summary(values)}
            for name, values in sorted(stats.latencies.items())
        },
        "errors": dict(stats.errors),
        "throttles": stats.throttles,
        "consumed_capacity": {
            "ReadCapacityUnits": stats.read_units,
            "WriteCapacityUnits": stats.write_units,
        },
        "hot_partitions": hottest,
        "estimated_monthly_cost": estimate(stats.read_units, stats.write_units, elapsed,
                                           storage),
        "timeline": [
            {"second": round(step * TIMELINE_STEP, 3), "ops_per_second": count / TIMELINE_STEP}
            for step, count in sorted(stats.timeline.items())
        ],
    }
    if target.db is not None:  # embedded: ddblite's own account of the same run
        usage = target.db.usage(top=HOT_PARTITIONS)["Tables"].get(config.table)
        if usage is not None:
            report["ddblite_usage"] = usage
    return report


def format_table(report: dict) -> str:
    """The report for a terminal."""
    lines = [
        f"workload {report['workload']} ({report['distribution']}) against "
        f"{report['target']['description']}",
        f"{report['operations']:,} operations in {report['elapsed_seconds']:.2f} s: "
        f"{report['throughput_ops_per_second']:,.0f} ops/s "
        f"(load: {report['config']['records']:,} records in {report['load_seconds']:.2f} s)",
        "",
        f"{'operation':20} {'count':>9} {'mean ms':>9} {'p50':>8} {'p95':>8} {'p99':>8} "
        f"{'p99.9':>8} {'max':>8}",
    ]
    rows = list(report["by_operation"].items()) + [("all", {
        "count": report["operations"], "latency_ms": report["latency_ms"]})]
    for name, entry in rows:
        latency = entry["latency_ms"] or {}
        lines.append(
            f"{name:20} {entry['count']:9,} {latency.get('mean', 0):9.3f} "
            f"{latency.get('p50', 0):8.3f} {latency.get('p95', 0):8.3f} "
            f"{latency.get('p99', 0):8.3f} {latency.get('p999', 0):8.3f} "
            f"{latency.get('max', 0):8.3f}")
    capacity = report["consumed_capacity"]
    lines += [
        "",
        f"consumed: {capacity['ReadCapacityUnits']:,.1f} RCU, "
        f"{capacity['WriteCapacityUnits']:,.1f} WCU; throttled requests: {report['throttles']}"
        + (f"; errors: {sum(report['errors'].values())}" if report["errors"] else ""),
    ]
    if report["hot_partitions"]:
        lines.append("hottest partition keys: " + ", ".join(
            f"{entry['PartitionKey']} ({entry['Share']:.1%})"
            for entry in report["hot_partitions"][:5]))
    cost = report["estimated_monthly_cost"]
    lines.append(
        f"estimated monthly cost at this rate ({cost['Region']} prices of "
        f"{cost['PricesDated']}): on demand ${cost['OnDemandMonthly']:,.2f}, provisioned "
        f"({cost['ProvisionedReadCapacityUnits']} RCU, {cost['ProvisionedWriteCapacityUnits']}"
        f" WCU) ${cost['ProvisionedMonthly']:,.2f}")
    return "\n".join(lines)


def plot(reports: list[dict], path: str) -> None:
    """Throughput over time and latency percentiles, one line per report, as PNG/SVG/PDF
    (matplotlib, from `pip install ddblite[bench]`)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - an optional extra
        raise SystemExit("plots need matplotlib: pip install ddblite[bench]") from None
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    names = [name for name, _ in PERCENTILES] + ["max"]
    width = 0.8 / max(1, len(reports))
    for number, report in enumerate(reports):
        label = f"{report['workload']} · {report['target']['description']}"
        timeline = report["timeline"]
        left.plot([point["second"] for point in timeline],
                  [point["ops_per_second"] for point in timeline], label=label)
        latency = report["latency_ms"]
        right.bar([index + number * width for index in range(len(names))],
                  [latency.get(name, 0) for name in names], width=width, label=label)
    left.set_xlabel("seconds")
    left.set_ylabel("operations per second")
    left.set_title("throughput")
    left.legend(fontsize="small")
    right.set_xticks([index + width * (len(reports) - 1) / 2 for index in range(len(names))],
                     names)
    right.set_yscale("log")
    right.set_ylabel("latency (ms, log scale)")
    right.set_title("latency percentiles")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
