"""PutItem / GetItem through ddblite's client next to a raw lmdb + msgpack floor.

The floor does the same storage work with no DynamoDB semantics: one LMDB write
transaction per put of a msgpack'd item, one read transaction + unpack per get.
Run: python benchmarks/bench_items.py [--n 20000]
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


def make_item(i: int) -> dict:
    """A ~1 KB item in the low-level shape."""
    return {
        "pk": {"S": f"user#{i:08d}"},
        "name": {"S": "x" * 600},
        "age": {"N": str(i % 100)},
        "tags": {"SS": ["a", "b", "c"]},
        "profile": {"M": {"city": {"S": "Lisbon" * 20}, "score": {"N": "12.5"}}},
        "blob": {"B": b"\x01" * 200},
    }


def create_bench_table(client, name: str = "bench") -> None:
    """The benchmarks' table: a string partition key "pk", on demand."""
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def open_bench(durability: str, prefix: str):
    """A database with the bench table, in memory ("memory") or in a fresh temporary
    directory named with `prefix`: (db, its client, its path)."""
    path = ":memory:" if durability == "memory" else tempfile.mkdtemp(prefix=prefix)
    db = ddblite.connect(path, durability=durability)
    client = db.client()
    create_bench_table(client)
    return db, client, path


def close_bench(db, path: str) -> None:
    """Close a database from open_bench and remove its directory."""
    db.close()
    if path != ":memory:":
        shutil.rmtree(path, ignore_errors=True)


def print_rates(rates: dict[str, float], unit: str) -> None:
    """One aligned line a rate."""
    width = max(map(len, rates))
    for name, rate in rates.items():
        print(f"{name:<{width}}  {rate:>10,.0f} {unit}")


def best_rate(fn, n: int, repeat: int = 3) -> float:
    """Best ops/s over a few runs of fn(n)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn(n)
        best = min(best, time.perf_counter() - start)
    return n / best


def floor_rates(n: int, items: list[dict], sync: bool) -> tuple[float, float]:
    path = tempfile.mkdtemp(prefix="floor-")
    env = lmdb.open(path, map_size=1 << 30, sync=sync, metasync=sync, max_dbs=4)
    db = env.open_db(b"items")
    keys = [item["pk"]["S"].encode() for item in items]

    def puts(count: int) -> None:
        for i in range(count):
            with env.begin(write=True) as txn:
                txn.put(keys[i], msgpack.packb(items[i]), db=db)

    def gets(count: int) -> None:
        for i in range(count):
            with env.begin() as txn:
                msgpack.unpackb(txn.get(keys[i], db=db))

    put_rate = best_rate(puts, n)
    get_rate = best_rate(gets, n)
    env.close()
    shutil.rmtree(path)
    return put_rate, get_rate


def client_rates(n: int, items: list[dict], durability: str) -> tuple[float, float]:
    path = tempfile.mkdtemp(prefix="ddblite-")
    db = ddblite.connect(path, durability=durability)
    client = db.client()
    create_bench_table(client)
    keys = [{"pk": item["pk"]} for item in items]
    put, get = client.put_item, client.get_item

    def puts(count: int) -> None:
        for i in range(count):
            put(TableName="bench", Item=items[i])

    def gets(count: int) -> None:
        for i in range(count):
            get(TableName="bench", Key=keys[i])

    put_rate = best_rate(puts, n)
    get_rate = best_rate(gets, n)
    db.close()
    shutil.rmtree(path)
    return put_rate, get_rate


def small_session_rate(iterations: int) -> float:
    """connect(':memory:') + create_table + 10 puts + 1 get + close, per second."""
    items = [make_item(i) for i in range(10)]

    def run(count: int) -> None:
        for _ in range(count):
            with ddblite.connect(":memory:") as db:
                client = db.client()
                client.create_table(
                    TableName="bench",
                    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                    BillingMode="PAY_PER_REQUEST",
                )
                for item in items:
                    client.put_item(TableName="bench", Item=item)
                client.get_item(TableName="bench", Key={"pk": items[0]["pk"]})

    return best_rate(run, iterations)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--n-sync", type=int, default=500)
    args = parser.parse_args()
    items = [make_item(i) for i in range(args.n)]
    print(
        f"implementation: {native.IMPLEMENTATION}; item size: "
        f"{native.item_size(ddblite.attrvalue.canonical_item(items[0]))} bytes"
    )

    floor_put, floor_get = floor_rates(args.n, items, sync=False)
    # nosync: no flush on commit, like the floor, so the figures are ddblite's own costs.
    nosync_put, nosync_get = client_rates(args.n, items, "nosync")
    floor_sput, _ = floor_rates(args.n_sync, items, sync=True)
    full_put, _ = client_rates(args.n_sync, items, "full")
    session = small_session_rate(500)

    rows = [
        ("GetItem (nosync)", nosync_get, floor_get),
        ("PutItem (nosync, no fsync)", nosync_put, floor_put),
        ("PutItem (full, fsync)", full_put, floor_sput),
    ]
    print(f"{'operation':28} {'ddblite ops/s':>14} {'floor ops/s':>12} {'ratio':>7}")
    for name, ours, floor in rows:
        print(f"{name:28} {ours:14,.0f} {floor:12,.0f} {ours / floor:7.1%}")
    print(
        f"fresh :memory: session (create + 10 puts + 1 get + close): "
        f"{1e6 / session:,.0f} µs per iteration"
    )


if __name__ == "__main__":
    import ddblite.attrvalue  # noqa: F401  (item size report)

    main()
