"""Secondary-index costs, measured through ddblite's embedded client on LMDB.

The store runs with durability nosync (no flush on commit), so the figures are
ddblite's own costs, not the disk's.

Measures, in one run:
  * PutItem ops/s on tables with 0, 1 and 5 GSIs (write amplification);
  * backfill rate (items/s) of UpdateTable adding a GSI to a table of N items;
  * Query of one 100-item partition on a GSI vs the same Query on the table (queries/s).
    When ops/query.py does not route IndexName yet, the GSI side is measured with
    ops.index_read's range read directly (the same read Query would do).

Run: python benchmarks/bench_indexes.py [--puts 20000] [--items 100000] [--queries 2000]
"""

from __future__ import annotations

import argparse
import inspect
import shutil
import tempfile
import time

import ddblite
import ddblite.ops.query as query_module
from ddblite.engine.reader import read_range
from ddblite.ops import index_read

TABLE = "bench"


def _definitions(names):
    return [{"AttributeName": n, "AttributeType": "S"} for n in names]


def _gsi(i: int) -> dict:
    return {
        "IndexName": f"gsi{i}",
        "KeySchema": [
            {"AttributeName": f"g{i}", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        "Projection": {"ProjectionType": "ALL"},
    }


def _create(client, gsis: int) -> None:
    extra = {"GlobalSecondaryIndexes": [_gsi(i) for i in range(gsis)]} if gsis else {}
    client.create_table(
        TableName=TABLE,
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=_definitions(["pk", "sk"] + [f"g{i}" for i in range(gsis)]),
        BillingMode="PAY_PER_REQUEST",
        **extra,
    )


def _item(n: int, partitions: int = 1000) -> dict:
    """A ~200-byte item carrying values for up to five GSI keys."""
    item = {
        "pk": {"S": f"user#{n % partitions:06d}"},
        "sk": {"S": f"{n:09d}"},
        "name": {"S": "x" * 120},
        "age": {"N": str(n % 100)},
    }
    for i in range(5):
        item[f"g{i}"] = {"S": f"group#{(n * (i + 7)) % partitions:06d}"}
    return item


def bench_puts(count: int) -> dict[int, float]:
    rates = {}
    for gsis in (0, 1, 5):
        path = tempfile.mkdtemp(prefix="ddblite-idx-")
        try:
            with ddblite.connect(path, durability="nosync") as db:
                client = db.client()
                _create(client, gsis)
                items = [_item(n) for n in range(count)]
                start = time.perf_counter()
                for item in items:
                    client.put_item(TableName=TABLE, Item=item)
                rates[gsis] = count / (time.perf_counter() - start)
        finally:
            shutil.rmtree(path, ignore_errors=True)
    return rates


def _load(client, count: int) -> None:
    batch = []
    for n in range(count):
        batch.append({"PutRequest": {"Item": _item(n)}})
        if len(batch) == 25:
            client.batch_write_item(RequestItems={TABLE: batch})
            batch = []
    if batch:
        client.batch_write_item(RequestItems={TABLE: batch})


def bench_backfill_and_query(items: int, queries: int) -> dict[str, float]:
    path = tempfile.mkdtemp(prefix="ddblite-idx-")
    results = {}
    try:
        with ddblite.connect(path, durability="nosync") as db:
            client = db.client()
            _create(client, 0)
            _load(client, items)
            start = time.perf_counter()
            client.update_table(
                TableName=TABLE,
                AttributeDefinitions=_definitions(["g0", "sk"]),
                GlobalSecondaryIndexUpdates=[{"Create": _gsi(0)}],
            )
            results["backfill items/s"] = items / (time.perf_counter() - start)
            # With 1000 partitions, each partition and each GSI value holds items/1000 items.
            table_query = {
                "TableName": TABLE,
                "KeyConditionExpression": "pk = :v",
                "ExpressionAttributeValues": {":v": {"S": "user#000007"}},
            }
            gsi_query = {
                "TableName": TABLE,
                "IndexName": "gsi0",
                "KeyConditionExpression": "g0 = :v",
                "ExpressionAttributeValues": {":v": {"S": "group#000007"}},
            }
            results["rows per query"] = client.query(**table_query)["Count"]
            results["table query/s"] = _rate(lambda: client.query(**table_query), queries)
            if "index_read" in inspect.getsource(query_module):
                results["gsi query/s"] = _rate(lambda: client.query(**gsi_query), queries)
            else:
                results["gsi range read/s (query.py not wired)"] = _rate(
                    lambda: _gsi_range(db), queries
                )
    finally:
        shutil.rmtree(path, ignore_errors=True)
    return results


def _gsi_range(db) -> int:
    def run(txn):
        table = db.catalog.get(txn, db.region, TABLE)
        index = table.index("gsi0")
        conditions = {"g0": ("EQ", [{"S": "group#000007"}])}
        lo, hi = index_read.index_bounds(index, conditions)
        return len(read_range(txn, lo, hi, space="index").items)

    return db.storage.read(run)


def _rate(call, count: int) -> float:
    call()
    start = time.perf_counter()
    for _ in range(count):
        call()
    return count / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--puts", type=int, default=20_000)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=2_000)
    args = parser.parse_args()
    rates = bench_puts(args.puts)
    for gsis, rate in rates.items():
        print(f"PutItem, {gsis} GSIs: {rate:,.0f} ops/s ({rates[0] / rate:.2f}x the cost of 0)")
    for name, value in bench_backfill_and_query(args.items, args.queries).items():
        print(f"{name}: {value:,.0f}")


if __name__ == "__main__":
    main()
