"""YCSB workload C (read only, uniform keys, 1 KB records) through `ddblite bench`,
embedded and served, next to the raw LMDB floor, in one run.

    python benchmarks/bench_ycsb.py [--records 10000] [--operations 20000] [--rounds 3]

embedded: ddblite.connect(DIR, durability="lazy") and its boto3-shaped client.
served:   `ddblite serve --path DIR --durability lazy` started for the run, driven over
          HTTP by boto3 (the driver's own cost is in these figures, as a client's is).
floor:    the same number of random reads as raw LMDB gets + msgpack unpacks of the
          stored records, with no DynamoDB semantics, no client and no driver.
Rounds alternate the targets; each keeps its best round, so a burst of other load on
the machine hurts no target alone.
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time

import lmdb
import msgpack

from ddblite.bench import Config, run


def floor_rate(records: int, operations: int, item: dict) -> float:
    path = tempfile.mkdtemp(prefix="floor-")
    env = lmdb.open(path, map_size=1 << 30, sync=False, metasync=False, max_dbs=4)
    db = env.open_db(b"items")
    keys = [f"user{n:010d}".encode() for n in range(records)]
    with env.begin(write=True) as txn:
        for key in keys:
            txn.put(key, msgpack.packb(item), db=db)
    rng = random.Random(1)
    picks = [keys[rng.randrange(records)] for _ in range(operations)]
    start = time.perf_counter()
    for key in picks:
        with env.begin() as txn:
            msgpack.unpackb(txn.get(key, db=db))
    elapsed = time.perf_counter() - start
    env.close()
    shutil.rmtree(path)
    return operations / elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=10000)
    parser.add_argument("--operations", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    item = {"pk": {"S": "user0000000000"}, "sk": {"N": "0"},
            **{f"field{n}": {"S": "x" * 91} for n in range(10)}}
    best: dict[str, dict] = {}
    floors = []
    for _ in range(args.rounds):
        for name, serve in (("embedded", False), ("served", True)):
            path = tempfile.mkdtemp(prefix="ycsb-")
            report = run(Config(workload="C", distribution="uniform", target=path, serve=serve,
                                records=args.records, operations=args.operations,
                                item_size=1024))
            shutil.rmtree(path)
            if name not in best or (report["throughput_ops_per_second"]
                                    > best[name]["throughput_ops_per_second"]):
                best[name] = report
        floors.append(floor_rate(args.records, args.operations, item))
    floor = max(floors)
    print(f"YCSB C, uniform, {args.records:,} records of 1 KB, {args.operations:,} reads, "
          f"best of {args.rounds}")
    print(f"{'target':10} {'ops/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'RCU':>9} {'of floor':>9}")
    for name, report in best.items():
        latency = report["latency_ms"]
        print(f"{name:10} {report['throughput_ops_per_second']:10,.0f} {latency['p50']:8.3f} "
              f"{latency['p99']:8.3f} {report['consumed_capacity']['ReadCapacityUnits']:9,.1f} "
              f"{report['throughput_ops_per_second'] / floor:9.1%}")
    print(f"{'lmdb floor':10} {floor:10,.0f}")


if __name__ == "__main__":
    main()
