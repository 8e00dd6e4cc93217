"""Streams and TTL costs, measured through ddblite's embedded clients on LMDB (lazy).

Measures, in one run:
  * PutItem ops/s on a table without a stream vs with NEW_AND_OLD_IMAGES (the issue's
    target: the stream costs at most 1.3x);
  * GetRecords records/s reading the whole stream back (Limit 1000);
  * trigger delivery lag p50/p99 (commit -> handler call) at a paced 1,000 writes/s;
  * TTL sweep items/s (db.expire_now() over a table whose items all expired).

Throughputs are in CPU time (time.process_time) so that other load on a shared machine
does not blur them; the trigger lag is wall-clock time, as a user would see it.

Run: python benchmarks/bench_streams.py [--puts 20000] [--lag-writes 3000] [--expired 20000]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import threading
import time

import ddblite

TABLE = "bench"


def _create(client, stream: str | None) -> str | None:
    extra = {"StreamSpecification": {"StreamEnabled": True, "StreamViewType": stream}} \
        if stream else {}
    described = client.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        **extra,
    )["TableDescription"]
    return described.get("LatestStreamArn")


def _item(n: int) -> dict:
    """A ~200-byte item."""
    return {
        "pk": {"S": f"user#{n:08d}"},
        "name": {"S": f"name-{n}"},
        "email": {"S": f"user{n}@example.com"},
        "n": {"N": str(n)},
        "tags": {"SS": ["a", "b", f"t{n % 7}"]},
        "bio": {"S": "x" * 120},
    }


def bench_puts(count: int, chunk: int = 500) -> tuple[float, float]:
    """PutItem ops/s without a stream and with NEW_AND_OLD_IMAGES.

    Both tables are written in alternating chunks within one process and timed in CPU
    time (time.process_time): on a shared machine, load that comes and goes then
    weighs on both sides alike instead of on whichever ran second.
    """
    paths = [tempfile.mkdtemp(prefix="ddblite-bench-") for _ in range(2)]
    try:
        with ddblite.connect(paths[0], durability="lazy") as off_db, \
                ddblite.connect(paths[1], durability="lazy") as on_db:
            sides = [off_db.client(), on_db.client()]
            _create(sides[0], None)
            _create(sides[1], "NEW_AND_OLD_IMAGES")
            items = [_item(n) for n in range(count)]
            spent = [0.0, 0.0]
            for first in range(0, count, chunk):
                batch = items[first:first + chunk]
                for side, client in enumerate(sides):
                    put = client.put_item
                    started = time.process_time()
                    for item in batch:
                        put(TableName=TABLE, Item=item)
                    spent[side] += time.process_time() - started
            return count / spent[0], count / spent[1]
    finally:
        for path in paths:
            shutil.rmtree(path, ignore_errors=True)


def bench_get_records(count: int) -> float:
    path = tempfile.mkdtemp(prefix="ddblite-bench-")
    try:
        with ddblite.connect(path, durability="lazy") as db:
            client, streams = db.client(), db.streams_client()
            arn = _create(client, "NEW_AND_OLD_IMAGES")
            for n in range(count):
                client.put_item(TableName=TABLE, Item=_item(n))
            started = time.process_time()
            read = 0
            shards = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
            for shard in shards:
                iterator = streams.get_shard_iterator(
                    StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON",
                )["ShardIterator"]
                while iterator:
                    response = streams.get_records(ShardIterator=iterator, Limit=1000)
                    read += len(response["Records"])
                    if not response["Records"]:
                        break
                    iterator = response.get("NextShardIterator")
            assert read == count, (read, count)
            return read / (time.process_time() - started)
    finally:
        shutil.rmtree(path, ignore_errors=True)


def bench_trigger_lag(writes: int, rate: float, poll_interval: float) -> tuple[float, float]:
    """Seconds from a committed PutItem to its record reaching the handler."""
    path = tempfile.mkdtemp(prefix="ddblite-bench-")
    lags: list[float] = []
    done = threading.Event()
    committed: dict[str, float] = {}

    def handler(event):
        now = time.perf_counter()
        for record in event["Records"]:
            lags.append(now - committed[record["dynamodb"]["Keys"]["pk"]["S"]])
        if len(lags) >= writes:
            done.set()

    try:
        with ddblite.connect(path, durability="lazy") as db:
            client = db.client()
            _create(client, "KEYS_ONLY")
            db.on_change(TABLE, handler, poll_interval=poll_interval)
            started = time.perf_counter()
            for n in range(writes):
                due = started + n / rate
                while time.perf_counter() < due:
                    time.sleep(0.0002)
                item = _item(n)
                # Noted just before the call: the handler may run before put_item returns.
                committed[item["pk"]["S"]] = time.perf_counter()
                client.put_item(TableName=TABLE, Item=item)
            done.wait(60)
        lags.sort()
        return statistics.median(lags), lags[int(len(lags) * 0.99) - 1]
    finally:
        shutil.rmtree(path, ignore_errors=True)


def bench_sweep(count: int) -> float:
    path = tempfile.mkdtemp(prefix="ddblite-bench-")
    try:
        clock = ddblite.ManualClock()
        with ddblite.connect(path, durability="lazy", clock=clock) as db:
            client = db.client()
            _create(client, None)
            client.update_time_to_live(
                TableName=TABLE, TimeToLiveSpecification={"Enabled": True, "AttributeName": "e"})
            expires = str(int(clock.now()) - 60)
            for n in range(count):
                client.put_item(TableName=TABLE, Item={**_item(n), "e": {"N": expires}})
            started = time.process_time()
            deleted = db.expire_now()
            elapsed = time.process_time() - started
            assert deleted == count, (deleted, count)
            return count / elapsed
    finally:
        shutil.rmtree(path, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--puts", type=int, default=20000)
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--lag-writes", type=int, default=3000)
    parser.add_argument("--expired", type=int, default=20000)
    args = parser.parse_args()

    off, on = bench_puts(args.puts)
    print(f"PutItem, no stream:            {off:10,.0f} ops/s")
    print(f"PutItem, NEW_AND_OLD_IMAGES:   {on:10,.0f} ops/s   (cost x{off / on:.2f})")
    print(f"GetRecords:                    {bench_get_records(args.records):10,.0f} records/s")
    for poll in (0.05, 0.005):
        p50, p99 = bench_trigger_lag(args.lag_writes, 1000.0, poll)
        print(f"trigger lag at 1k writes/s, poll {poll * 1000:g} ms: "
              f"p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms")
    print(f"TTL sweep:                     {bench_sweep(args.expired):10,.0f} items/s")


if __name__ == "__main__":
    main()
