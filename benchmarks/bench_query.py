"""Query and Scan through ddblite's client next to a raw lmdb cursor + msgpack floor.

Measures, in one run:
  * Query of one 100-item partition (queries/s);
  * full Scan, following LastEvaluatedKey (items/s), one process;
  * parallel Scan with 2 segments in 2 processes (items/s, wall clock);
  * the floor: an lmdb cursor over the same key range + msgpack decode of each value;
  * single-partition Query latency (p50, p99) with a small and a large table, to show
    that latency does not grow with the table.

Tables are loaded with BatchWriteItem (25 items a call) on the LMDB backend with
durability nosync (no flush on commit).
Run: python benchmarks/bench_query.py [--scan-items 100000] [--small 10000] [--large 1000000]
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import shutil
import statistics
import tempfile
import time

import lmdb
import msgpack

import ddblite
from ddblite import native

TABLE = "bench"


def make_item(pk: int, sk: int) -> dict:
    """A ~200-byte item in the low-level shape."""
    return {
        "pk": {"S": f"user#{pk:08d}"},
        "sk": {"N": str(sk)},
        "name": {"S": "x" * 120},
        "age": {"N": str(sk % 100)},
        "tags": {"SS": ["a", "b", "c"]},
        "active": {"BOOL": sk % 2 == 0},
    }


def load(path: str, partitions: int, per_partition: int) -> float:
    """Create the table and fill it; returns items/s of the load."""
    with ddblite.connect(path, durability="nosync") as db:
        client = db.client()
        client.create_table(
            TableName=TABLE,
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "N"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        start = time.perf_counter()
        batch: list[dict] = []
        write = client.batch_write_item
        for pk in range(partitions):
            for sk in range(per_partition):
                batch.append({"PutRequest": {"Item": make_item(pk, sk)}})
                if len(batch) == 25:
                    write(RequestItems={TABLE: batch})
                    batch = []
        if batch:
            write(RequestItems={TABLE: batch})
        return partitions * per_partition / (time.perf_counter() - start)


def best_rate(fn, amount: int, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return amount / best


def scan_all(client, **params) -> int:
    count, start = 0, None
    while True:
        page = client.scan(
            TableName=TABLE, **params, **({"ExclusiveStartKey": start} if start else {})
        )
        count += page["Count"]
        start = page.get("LastEvaluatedKey")
        if start is None:
            return count


def query_partition(client, pk: int) -> dict:
    return client.query(
        TableName=TABLE,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": f"user#{pk:08d}"}},
    )


def client_rates(path: str, partitions: int, queries: int, total: int) -> tuple[float, float]:
    with ddblite.connect(path, durability="nosync") as db:
        client = db.client()
        picks = [random.randrange(partitions) for _ in range(queries)]

        def run_queries() -> None:
            for pk in picks:
                query_partition(client, pk)

        def run_scan() -> None:
            assert scan_all(client) == total

        return best_rate(run_queries, queries), best_rate(run_scan, total)


def _segment_worker(path: str, segment: int, barrier, results) -> None:
    with ddblite.connect(path, durability="nosync") as db:
        client = db.client()
        client.scan(TableName=TABLE, Limit=1)  # warm the catalog
        barrier.wait()
        start = time.perf_counter()
        count = scan_all(client, Segment=segment, TotalSegments=2)
        results.put((count, time.perf_counter() - start))


def parallel_rate(path: str, total: int, repeat: int = 3) -> float:
    best = 0.0
    context = multiprocessing.get_context("spawn")
    for _ in range(repeat):
        barrier, results = context.Barrier(2), context.Queue()
        workers = [
            context.Process(target=_segment_worker, args=(path, s, barrier, results))
            for s in range(2)
        ]
        for worker in workers:
            worker.start()
        outcomes = [results.get() for _ in workers]
        for worker in workers:
            worker.join()
        assert sum(count for count, _ in outcomes) == total
        best = max(best, total / max(seconds for _, seconds in outcomes))
    return best


def floor_rates(path: str, partitions: int, queries: int, total: int) -> tuple[float, float]:
    """The same reads straight off lmdb: a cursor over the key range, msgpack each value."""
    env = lmdb.open(path, max_dbs=8, readonly=True, lock=False, readahead=False)
    items = env.open_db(b"items", create=False)
    unpackb = msgpack.unpackb
    with env.begin(db=items) as txn:
        cursor = txn.cursor()
        cursor.first()
        table_prefix = cursor.key()[:4]
        # The partition prefixes, found once: each partition's first key up to its sort key.
        prefixes = {}
        for key in cursor.iternext(values=False):
            if not key.startswith(table_prefix):
                break
            cut = key.find(b"\x00\x00", 8) + 2
            prefixes.setdefault(key[:cut], None)
    prefixes = list(prefixes)
    picks = [random.choice(prefixes) for _ in range(queries)]

    def run_queries() -> None:
        for prefix in picks:
            with env.begin(db=items) as txn:
                cursor = txn.cursor()
                if not cursor.set_range(prefix):
                    continue
                for key, value in cursor:
                    if not key.startswith(prefix):
                        break
                    unpackb(memoryview(value)[4:])

    def run_scan() -> None:
        count = 0
        with env.begin(db=items) as txn:
            cursor = txn.cursor()
            cursor.set_range(table_prefix)
            for key, value in cursor:
                if not key.startswith(table_prefix):
                    break
                unpackb(memoryview(value)[4:])
                count += 1
        assert count == total

    rates = best_rate(run_queries, queries), best_rate(run_scan, total)
    env.close()
    return rates


def latency(path: str, partitions: int, samples: int) -> tuple[float, float]:
    """p50 and p99 (µs) of single-partition Query on a random partition."""
    with ddblite.connect(path, durability="nosync") as db:
        client = db.client()
        # Warm up: map the table's pages once (a COUNT scan decodes nothing), so both
        # sizes are measured warm and the comparison is about the lookup, not page faults.
        scan_all(client, Select="COUNT")
        for pk in range(min(partitions, 200)):
            query_partition(client, pk)
        timings = []
        for _ in range(samples):
            pk = random.randrange(partitions)
            start = time.perf_counter()
            query_partition(client, pk)
            timings.append(time.perf_counter() - start)
    cuts = statistics.quantiles(timings, n=100)
    return cuts[49] * 1e6, cuts[98] * 1e6


def fresh(fn, *args):
    """fn(*args) in a new process: each phase starts with a cold, private LMDB environment
    (and no background sync thread of an earlier phase)."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(fn, args)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--scan-items",
        type=int,
        default=100_000,
        help="items in the Query/Scan throughput table (100 per partition)",
    )
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--small", type=int, default=10_000, help="items, latency table 1")
    parser.add_argument("--large", type=int, default=1_000_000, help="items, latency table 2")
    parser.add_argument(
        "--per-partition", type=int, default=10, help="items per partition in the latency tables"
    )
    parser.add_argument("--samples", type=int, default=5_000)
    args = parser.parse_args()
    random.seed(7)
    print(
        f"implementation: {native.IMPLEMENTATION}; item size: "
        f"{native.item_size(make_item(0, 0))} bytes"
    )

    workdir = tempfile.mkdtemp(prefix="bench-query-")
    try:
        path = f"{workdir}/throughput"
        partitions = args.scan_items // 100
        fresh(load, path, partitions, 100)
        query_rate, scan_rate = fresh(client_rates, path, partitions, args.queries, args.scan_items)
        parallel = parallel_rate(path, args.scan_items)
        floor_query, floor_scan = fresh(
            floor_rates, path, partitions, args.queries, args.scan_items
        )
        print(f"\n{args.scan_items:,} items, 100 per partition")
        print(f"{'operation':34} {'ddblite':>12} {'floor':>12} {'ratio':>7}")
        for name, ours, floor in [
            ("Query 100-item partition (q/s)", query_rate, floor_query),
            ("full Scan (items/s)", scan_rate, floor_scan),
            ("parallel Scan, 2 procs (items/s)", parallel, floor_scan),
        ]:
            print(f"{name:34} {ours:12,.0f} {floor:12,.0f} {ours / floor:7.1%}")

        print(f"\nsingle-partition Query latency ({args.per_partition} items per partition)")
        print(f"{'table items':>12} {'load items/s':>13} {'p50 µs':>8} {'p99 µs':>8}")
        results = []
        for size in (args.small, args.large):
            latency_path = f"{workdir}/latency-{size}"
            rate = fresh(load, latency_path, size // args.per_partition, args.per_partition)
            p50, p99 = fresh(latency, latency_path, size // args.per_partition, args.samples)
            results.append((p50, p99))
            print(f"{size:12,} {rate:13,.0f} {p50:8.1f} {p99:8.1f}")
            shutil.rmtree(latency_path)
        (small50, small99), (large50, large99) = results
        print(f"large/small ratio: p50 {large50 / small50:.2f}, p99 {large99 / small99:.2f}")
    finally:
        shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
