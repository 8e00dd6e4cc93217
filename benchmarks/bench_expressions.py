"""Expression-heavy operations next to the raw lmdb + msgpack floor.

In one run:
  * UpdateItem `SET #c = #c + :one` with `attribute_exists(pk)` (ops/s) vs a floor
    that reads, unpacks, changes, packs and writes the item in one LMDB transaction;
  * a conditional PutItem that fails (ops/s) vs the floor's read + unpack;
  * a FilterExpression over N stored items via Scan (items/s) vs an lmdb cursor +
    msgpack decode of every item;
  * the parse/resolve cache counters, showing a repeated expression is parsed once.
Run: python benchmarks/bench_expressions.py [--n 20000] [--scan-items 100000]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time

import lmdb
import msgpack

import ddblite
from ddblite import native
from ddblite.expressions import api

TABLE = "bench"


def best_rate(fn, n: int, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn(n)
        best = min(best, time.perf_counter() - start)
    return n / best


def make_item(i: int) -> dict:
    return {
        "pk": {"S": f"item#{i:08d}"},
        "count": {"N": "0"},
        "name": {"S": "x" * 150},
        "score": {"N": str(i % 1000)},
        "tags": {"SS": ["a", "b"]},
    }


def open_table(path: str):
    db = ddblite.connect(path, durability="nosync")
    client = db.client()
    client.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return db, client


def load(client, count: int) -> None:
    batch = []
    for i in range(count):
        batch.append({"PutRequest": {"Item": make_item(i)}})
        if len(batch) == 25:
            client.batch_write_item(RequestItems={TABLE: batch})
            batch = []
    if batch:
        client.batch_write_item(RequestItems={TABLE: batch})


def ddblite_rates(n: int, scan_items: int) -> dict[str, float]:
    path = tempfile.mkdtemp(prefix="ddblite-expr-")
    db, client = open_table(path)
    load(client, max(n, scan_items))
    keys = [{"pk": {"S": f"item#{i:08d}"}} for i in range(n)]
    update, put = client.update_item, client.put_item

    def updates(count: int) -> None:
        for i in range(count):
            update(
                TableName=TABLE,
                Key=keys[i],
                UpdateExpression="SET #c = #c + :one",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeNames={"#c": "count"},
                ExpressionAttributeValues={":one": {"N": "1"}},
            )

    failing = client.exceptions.ConditionalCheckFailedException
    items = [make_item(i) for i in range(n)]

    def failed_puts(count: int) -> None:
        for i in range(count):
            try:
                put(TableName=TABLE, Item=items[i], ConditionExpression="attribute_not_exists(pk)")
            except failing:
                pass
            else:  # pragma: no cover - the benchmark is wrong if this happens
                raise AssertionError("condition unexpectedly held")

    def filtered_scan(count: int) -> None:
        seen = 0
        params = dict(
            TableName=TABLE,
            FilterExpression="score BETWEEN :lo AND :hi AND contains(tags, :t)",
            ExpressionAttributeValues={":lo": {"N": "100"}, ":hi": {"N": "199"}, ":t": {"S": "a"}},
        )
        while True:
            page = client.scan(**params)
            seen += page["ScannedCount"]
            if "LastEvaluatedKey" not in page:
                break
            params["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        assert seen >= count

    rates = {
        "update": best_rate(updates, n),
        "failed_put": best_rate(failed_puts, n),
        "filter_scan": best_rate(filtered_scan, max(n, scan_items), repeat=2),
    }
    db.close()
    shutil.rmtree(path)
    return rates


def floor_rates(n: int, scan_items: int) -> dict[str, float]:
    path = tempfile.mkdtemp(prefix="floor-expr-")
    env = lmdb.open(path, map_size=1 << 31, sync=False, metasync=False, max_dbs=4)
    db = env.open_db(b"items")
    total = max(n, scan_items)
    with env.begin(write=True) as txn:
        for i in range(total):
            item = make_item(i)
            txn.put(item["pk"]["S"].encode(), msgpack.packb(item), db=db)
    keys = [f"item#{i:08d}".encode() for i in range(n)]

    def updates(count: int) -> None:
        for i in range(count):
            with env.begin(write=True) as txn:
                item = msgpack.unpackb(txn.get(keys[i], db=db))
                item["count"] = {"N": str(int(item["count"]["N"]) + 1)}
                txn.put(keys[i], msgpack.packb(item), db=db)

    def reads(count: int) -> None:
        for i in range(count):
            with env.begin() as txn:
                msgpack.unpackb(txn.get(keys[i], db=db))

    def scan(count: int) -> None:
        with env.begin() as txn:
            seen = sum(1 for _, value in txn.cursor(db=db) if msgpack.unpackb(value))
        assert seen >= count

    rates = {
        "update": best_rate(updates, n),
        "failed_put": best_rate(reads, n),
        "filter_scan": best_rate(scan, total, repeat=2),
    }
    env.close()
    shutil.rmtree(path)
    return rates


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--scan-items", type=int, default=100000)
    args = parser.parse_args()
    api.clear_caches()
    ours = ddblite_rates(args.n, args.scan_items)
    floor = floor_rates(args.n, args.scan_items)
    print(f"implementation: {native.IMPLEMENTATION}")
    print(f"{'workload':58} {'ddblite':>12} {'floor':>12} {'ratio':>7}")
    rows = [
        ("UpdateItem SET #c = #c + :one, attribute_exists (ops/s)", "update"),
        ("PutItem with a failing condition (ops/s)", "failed_put"),
        (
            f"Scan + FilterExpression over {max(args.n, args.scan_items):,} items (items/s)",
            "filter_scan",
        ),
    ]
    for label, key in rows:
        print(f"{label:58} {ours[key]:12,.0f} {floor[key]:12,.0f} {ours[key] / floor[key]:7.1%}")
    stats = api.cache_stats()
    print(
        f"expression caches (hits, misses): parse {stats['parse']}, resolve {stats['resolve']}"
        " - every repeated expression after its first use is a hit"
    )


if __name__ == "__main__":
    main()
