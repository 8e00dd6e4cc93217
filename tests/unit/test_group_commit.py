"""lazy's group commit: writers that share a commit still act one at a time."""

from __future__ import annotations

import threading

import pytest

import ddblite
from ddblite.errors import ConditionalCheckFailedException

TABLE = {
    "TableName": "ttt",
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
    "BillingMode": "PAY_PER_REQUEST",
}


def _in_threads(count: int, work) -> None:
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            work(n)
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors


def test_concurrent_increments_stay_exact(tmp_path):
    with ddblite.connect(str(tmp_path / "db"), durability="lazy") as db:
        db.call("CreateTable", TABLE)
        client = db.client()

        def increment(_: int) -> None:
            for _ in range(200):
                client.update_item(
                    TableName="ttt", Key={"pk": {"S": "n"}}, UpdateExpression="ADD c :one",
                    ExpressionAttributeValues={":one": {"N": "1"}},
                )

        _in_threads(8, increment)
        item = client.get_item(TableName="ttt", Key={"pk": {"S": "n"}})["Item"]
        assert item["c"] == {"N": "1600"}


def test_a_failing_write_is_rolled_back_alone(tmp_path):
    # Each thread claims keys with attribute_not_exists: exactly one claim per key
    # wins, the others fail without undoing the winners in their group.
    with ddblite.connect(str(tmp_path / "db"), durability="lazy") as db:
        db.call("CreateTable", TABLE)
        client = db.client()
        wins = [0] * 8

        def claim(n: int) -> None:
            for key in range(100):
                try:
                    client.put_item(
                        TableName="ttt", Item={"pk": {"S": str(key)}, "by": {"N": str(n)}},
                        ConditionExpression="attribute_not_exists(pk)",
                    )
                    wins[n] += 1
                except ConditionalCheckFailedException:
                    pass

        _in_threads(8, claim)
        assert sum(wins) == 100
        assert client.scan(TableName="ttt")["Count"] == 100


def test_an_error_in_one_write_does_not_escape_to_others(tmp_path):
    with ddblite.connect(str(tmp_path / "db"), durability="lazy") as db:
        storage = db.storage
        db.call("CreateTable", TABLE)

        def boom(txn):
            raise ValueError("mine")

        with pytest.raises(ValueError, match="mine"):
            storage.write(boom)
        assert db.client().list_tables()["TableNames"] == ["ttt"]
