"""The catalog cache is shared by threads: a reader on an old snapshot must never leave
its (old) table schema where a reader of the new catalog version finds it."""

from __future__ import annotations

import threading

import ddblite
from ddblite.engine.catalog import table_meta_key
from tests.conftest import create_table


class _PausingTxn:
    """A read transaction that pauses just before reading one table record."""

    def __init__(self, txn, pause_key: bytes, reached: threading.Event,
                 resume: threading.Event) -> None:
        self._txn, self._pause_key = txn, pause_key
        self._reached, self._resume = reached, resume

    def snapshot_id(self):
        return self._txn.snapshot_id()

    def get(self, space: str, key: bytes):
        if space == "meta" and key == self._pause_key:
            self._reached.set()
            assert self._resume.wait(30)
        return self._txn.get(space, key)


def test_a_reader_of_an_old_snapshot_does_not_poison_the_new_version(tmp_path):
    with ddblite.connect(str(tmp_path / "db"), durability="lazy") as db:
        client = db.client()
        create_table(client)
        catalog, key = db.catalog, table_meta_key("us-east-1", "things")
        reached, resume = threading.Event(), threading.Event()
        seen_by_old_reader = []

        def old_reader():
            def run(txn):
                table = catalog.get(_PausingTxn(txn, key, reached, resume), "us-east-1", "things")
                seen_by_old_reader.append(table.indexes_by_name)
            db.storage.read(run)

        thread = threading.Thread(target=old_reader)
        thread.start()
        assert reached.wait(30)
        # The schema changes while the old reader is paused inside its snapshot.
        client.update_table(
            TableName="things",
            AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
            GlobalSecondaryIndexUpdates=[{"Create": {
                "IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }}],
        )
        fresh = db.storage.read(lambda txn: catalog.get(txn, "us-east-1", "things"))
        assert "byg" in fresh.indexes_by_name
        resume.set()
        thread.join(30)
        assert seen_by_old_reader == [{}]  # the old snapshot saw the old schema...
        # ...and readers of the new version still see the new one.
        again = db.storage.read(lambda txn: catalog.get(txn, "us-east-1", "things"))
        assert "byg" in again.indexes_by_name
        client.put_item(TableName="things", Item={"pk": {"S": "a"}, "g": {"S": "x"}})
        assert client.query(TableName="things", IndexName="byg", KeyConditionExpression="g = :g",
                            ExpressionAttributeValues={":g": {"S": "x"}})["Count"] == 1
