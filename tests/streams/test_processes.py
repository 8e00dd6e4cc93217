"""Streams over LMDB shared by several processes, and across reopening the store."""

from __future__ import annotations

import multiprocessing

import ddblite
from tests.streams.conftest import all_shards, read_shard, read_stream

WRITES = 150
STREAM = {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}


def _create(db) -> str:
    return db.client().create_table(
        TableName="shared", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        StreamSpecification=STREAM)["TableDescription"]["LatestStreamArn"]


def _writer(path: str, worker: int) -> None:
    with ddblite.connect(path, durability="lazy") as db:
        client = db.client()
        for i in range(WRITES):
            # Few keys, many changes each: per-key order is what a consumer relies on.
            client.put_item(TableName="shared",
                            Item={"pk": {"S": f"w{worker}-{i % 5}"}, "n": {"N": str(i)}})


def test_several_writer_processes(tmp_path):
    path = str(tmp_path / "db")
    with ddblite.connect(path, durability="lazy") as db:
        arn = _create(db)
    ctx = multiprocessing.get_context("spawn")
    writers = [ctx.Process(target=_writer, args=(path, w)) for w in range(2)]
    for process in writers:
        process.start()
    for process in writers:
        process.join(120)
        assert process.exitcode == 0
    with ddblite.connect(path, durability="lazy") as db:
        records = read_stream(db.streams_client(), arn)
    assert len(records) == 2 * WRITES
    assert len({r["dynamodb"]["SequenceNumber"] for r in records}) == 2 * WRITES
    for worker in range(2):
        for k in range(5):
            key = f"w{worker}-{k}"
            numbers = [int(r["dynamodb"]["NewImage"]["n"]["N"]) for r in records
                       if r["dynamodb"]["Keys"]["pk"]["S"] == key]
            assert numbers == list(range(k, WRITES, 5))


def test_sequence_numbers_keep_growing_after_reopening(tmp_path):
    path = str(tmp_path / "db")
    with ddblite.connect(path, durability="lazy") as db:
        db.stream_partitions = 1
        arn = _create(db)
        db.client().put_item(TableName="shared", Item={"pk": {"S": "a"}, "n": {"N": "1"}})
    with ddblite.connect(path, durability="lazy") as db:
        db.client().put_item(TableName="shared", Item={"pk": {"S": "a"}, "n": {"N": "2"}})
        streams = db.streams_client()
        shard = all_shards(streams, arn)[0]
        records, _ = read_shard(streams, arn, shard["ShardId"])
    numbers = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY"]
    assert numbers == sorted(numbers) and numbers[0] < numbers[1]
