"""The `ddblite bench` command line."""

from __future__ import annotations

import argparse
import json
import sys


def _rates(text: str) -> tuple[int, int]:
    read, _, write = text.partition(",")
    try:
        return int(read), int(write)
    except ValueError:
        raise argparse.ArgumentTypeError("give RCU,WCU, e.g. 100,50") from None


def add_parser(commands) -> None:
    bench = commands.add_parser(
        "bench", help="run a YCSB workload (A-F or your own) and report speed, capacity, cost",
        description="Load records, run a workload on threads/processes, and report ops/s, "
                    "latency percentiles, consumed capacity, throttles, hot partitions and "
                    "the estimated monthly cost.")
    bench.add_argument("target", nargs="?", default=":memory:",
                       help="':memory:' (default), a ddblite directory, or an endpoint URL")
    bench.add_argument("-w", "--workload", default="A",
                       help="YCSB A-F, or a Python module/file defining MIX (default A)")
    bench.add_argument("--serve", action="store_true",
                       help="serve TARGET with `ddblite serve` for the run and go through HTTP")
    bench.add_argument("--records", type=int, default=1000, help="records loaded (1000)")
    bench.add_argument("--operations", type=int, default=10000, help="operations run (10000)")
    bench.add_argument("--item-size", type=int, default=1024, help="bytes per record (1024)")
    bench.add_argument("--distribution", choices=("uniform", "zipfian", "latest"),
                       help="key distribution (default: the workload's)")
    bench.add_argument("--threads", type=int, default=1, help="threads per process (1)")
    bench.add_argument("--processes", type=int, default=1, help="processes (1)")
    bench.add_argument("--consistent", action="store_true", help="strongly consistent reads")
    bench.add_argument("--throttle", action="store_true",
                       help="ddblite enforces throughput limits (embedded or --serve)")
    bench.add_argument("--provisioned", type=_rates, metavar="RCU,WCU",
                       help="create the table PROVISIONED at these rates (default on demand)")
    bench.add_argument("--table", default="usertable", help="table name (usertable)")
    bench.add_argument("--group", type=int, default=100,
                       help="records per partition key (100); E queries within one")
    bench.add_argument("--durability", choices=("full", "lazy"), default="lazy",
                       help="for a directory target (lazy)")
    bench.add_argument("--no-load", action="store_true", help="use the records already there")
    bench.add_argument("--seed", type=int, default=1)
    bench.add_argument("--format", choices=("table", "json"), default="table")
    bench.add_argument("--output", metavar="FILE", help="also write the JSON report here")
    bench.add_argument("--plot", metavar="FILE",
                       help="latency/throughput plot (.png, .svg, .pdf; needs ddblite[bench])")
    bench.add_argument("--progress", action="store_true", default=None,
                       help="progress bar (default: when stderr is a terminal)")


def main(args: argparse.Namespace) -> int:
    from ddblite.bench import Config, format_table, plot, run

    config = Config(
        workload=args.workload, target=args.target, serve=args.serve, table=args.table,
        records=args.records, operations=args.operations, item_size=args.item_size,
        distribution=args.distribution, threads=args.threads, processes=args.processes,
        consistent=args.consistent, throttle=args.throttle, provisioned=args.provisioned,
        group=args.group, durability=args.durability, seed=args.seed, load=not args.no_load,
        progress=sys.stderr.isatty() if args.progress is None else args.progress,
    )
    try:
        report = run(config)
    except ValueError as exc:
        print(f"ddblite bench: {exc}", file=sys.stderr)
        return 2
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            json.dump(report, handle, indent=2)
    if args.plot:
        plot([report], args.plot)
    if args.format == "json":
        print(json.dumps(report, indent=2))
    else:
        print(format_table(report))
    return 0
