"""PutItem/GetItem per-call cost: ddblite's client next to the raw lmdb + msgpack floor."""

from __future__ import annotations

import msgpack

from benchmarks.conftest import cycling


def test_put_item_client(benchmark, bench_client, items):
    next_item = cycling(items)
    benchmark(lambda: bench_client.put_item(TableName="bench", Item=next_item()))


def test_put_item_floor(benchmark, floor_env, items):
    env, db = floor_env
    next_item = cycling(items)

    def put():
        item = next_item()
        with env.begin(write=True) as txn:
            txn.put(item["pk"]["S"].encode(), msgpack.packb(item), db=db)

    benchmark(put)


def test_get_item_client(benchmark, bench_client, items):
    for item in items:
        bench_client.put_item(TableName="bench", Item=item)
    next_key = cycling([{"pk": item["pk"]} for item in items])
    benchmark(lambda: bench_client.get_item(TableName="bench", Key=next_key()))


def test_get_item_floor(benchmark, floor_env, items):
    env, db = floor_env
    with env.begin(write=True) as txn:
        for item in items:
            txn.put(item["pk"]["S"].encode(), msgpack.packb(item), db=db)
    next_key = cycling([item["pk"]["S"].encode() for item in items])

    def get():
        with env.begin() as txn:
            return msgpack.unpackb(txn.get(next_key(), db=db))

    benchmark(get)
