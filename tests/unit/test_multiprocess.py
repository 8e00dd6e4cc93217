"""Several processes share one database directory (LMDB allows it): nothing is lost."""

from __future__ import annotations

import multiprocessing

import ddblite

WRITES_PER_PROCESS = 200


def _writer(path: str, worker: int) -> None:
    with ddblite.connect(path, durability="lazy") as db:
        client = db.client()
        for i in range(WRITES_PER_PROCESS):
            client.put_item(
                TableName="shared", Item={"pk": {"S": f"w{worker}-{i}"}, "n": {"N": str(i)}}
            )


def _reader(path: str, queue) -> None:
    with ddblite.connect(path, durability="lazy") as db:
        client = db.client()
        found = 0
        for worker in range(2):
            for i in range(WRITES_PER_PROCESS):
                item = client.get_item(TableName="shared", Key={"pk": {"S": f"w{worker}-{i}"}})
                found += item["Item"]["n"]["N"] == str(i)
        count = client.describe_table(TableName="shared")["Table"]["ItemCount"]
        queue.put((found, count))


def test_two_writer_processes_and_a_reader(tmp_path):
    path = str(tmp_path / "db")
    with ddblite.connect(path) as db:
        db.client().create_table(
            TableName="shared",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
    ctx = multiprocessing.get_context("spawn")
    writers = [ctx.Process(target=_writer, args=(path, w)) for w in range(2)]
    for process in writers:
        process.start()
    for process in writers:
        process.join(120)
        assert process.exitcode == 0
    queue = ctx.Queue()
    reader = ctx.Process(target=_reader, args=(path, queue))
    reader.start()
    found, count = queue.get(timeout=120)
    reader.join(60)
    assert found == 2 * WRITES_PER_PROCESS
    assert count == 2 * WRITES_PER_PROCESS


def test_table_created_by_another_process_is_seen(tmp_path):
    path = str(tmp_path / "db")
    first = ddblite.connect(path)
    second = ddblite.connect(path)
    try:
        assert second.client().list_tables()["TableNames"] == []
        first.client().create_table(
            TableName="late",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        assert second.client().list_tables()["TableNames"] == ["late"]
        second.client().put_item(TableName="late", Item={"pk": {"S": "x"}})
        assert first.client().get_item(TableName="late", Key={"pk": {"S": "x"}})["Item"]
    finally:
        first.close()
        second.close()
