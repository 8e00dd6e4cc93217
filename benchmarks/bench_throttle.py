"""What throttling costs: PutItem / GetItem / Query with throttling off and on.

Two databases with the same PROVISIONED table (40,000 RCU / WCU: DynamoDB's default
table quota, so 54 partitions and no refusals at the rates one process reaches) on the
system clock, nosync LMDB so the figures are ddblite's own costs. The off and on runs
alternate turn by turn and each keeps its best CPU time, so a load that comes and goes
on the machine falls on both. Throttling on pays the buckets' bookkeeping and its
write-back to the store every 50 ms, as it does in use.

Run: python -m benchmarks.bench_throttle [--n 10000] [--turns 7]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time

import ddblite
from benchmarks.bench_items import make_item

THROUGHPUT = {"ReadCapacityUnits": 40000, "WriteCapacityUnits": 40000}


def open_table(throttle: bool):
    path = tempfile.mkdtemp(prefix="bench-throttle-")
    db = ddblite.connect(path, durability="nosync", throttle=throttle)
    client = db.client()
    client.create_table(
        TableName="bench",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        ProvisionedThroughput=THROUGHPUT,
    )
    return db, client, path


def workloads(client, items: list[dict]) -> dict:
    """name -> fn(): one pass of that operation over every item."""
    keys = [{"pk": item["pk"]} for item in items]
    put, get, query = client.put_item, client.get_item, client.query

    def puts() -> None:
        for item in items:
            put(TableName="bench", Item=item)

    def gets() -> None:
        for key in keys:
            get(TableName="bench", Key=key)

    def queries() -> None:
        for key in keys:
            query(TableName="bench", KeyConditionExpression="pk = :p",
                  ExpressionAttributeValues={":p": key["pk"]})

    return {"PutItem": puts, "GetItem": gets, "Query": queries}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--turns", type=int, default=7)
    args = parser.parse_args()
    items = [make_item(i) for i in range(args.n)]
    opened = {throttle: open_table(throttle) for throttle in (False, True)}
    runs = {throttle: workloads(opened[throttle][1], items) for throttle in opened}
    best: dict[tuple[str, bool], float] = {}
    for _ in range(args.turns):
        for name in runs[False]:
            for throttle in (False, True):
                start = time.process_time()
                runs[throttle][name]()
                spent = time.process_time() - start
                key = (name, throttle)
                best[key] = min(best.get(key, spent), spent)
    refused = opened[True][0].usage()["Tables"]["bench"]
    print(f"{args.n} items of ~1 KB, {args.turns} alternating turns, best CPU time per call")
    print(f"{'operation':10} {'off µs':>8} {'on µs':>8} {'on/off':>7}")
    for name in runs[False]:
        off, on = best[(name, False)], best[(name, True)]
        print(f"{name:10} {off / args.n * 1e6:8.2f} {on / args.n * 1e6:8.2f} {on / off:7.3f}")
    print(f"throttled requests: {refused['ThrottledReads'] + refused['ThrottledWrites']}")
    for db, _, path in opened.values():
        db.close()
        shutil.rmtree(path, ignore_errors=True)


if __name__ == "__main__":
    main()
