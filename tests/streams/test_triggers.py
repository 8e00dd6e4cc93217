"""In-process triggers: batches in order per key, retries, failure destinations,
filters, a durable checkpoint across restarts, a background thread."""

from __future__ import annotations

import json
import threading

import pytest

import ddblite
from tests.conftest import create_table

STREAM = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}


def stream_table(db, name: str = "things") -> None:
    create_table(db.client(), name, StreamSpecification=STREAM)


def put(db, key: str, n: int = 0, table: str = "things") -> None:
    db.client().put_item(TableName=table, Item={"pk": {"S": key}, "n": {"N": str(n)}})


def changes(events: list[dict]) -> list[tuple[str, str, int]]:
    return [(r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"],
             int(r["dynamodb"]["NewImage"]["n"]["N"]) if "NewImage" in r["dynamodb"] else -1)
            for event in events for r in event["Records"]]


def test_batches_in_order_per_key_in_lambdas_shape(db):
    stream_table(db)
    events: list[dict] = []
    trigger = db.on_change("things", events.append, batch_size=4, background=False)
    for n in range(5):
        for key in ("a", "b", "c"):
            put(db, key, n)
    assert trigger.drain() == 15
    assert all(len(event["Records"]) <= 4 for event in events)
    seen = changes(events)
    for key in ("a", "b", "c"):
        assert [n for _, k, n in seen if k == key] == list(range(5))
    record = events[0]["Records"][0]
    arn = db.client().describe_table(TableName="things")["Table"]["LatestStreamArn"]
    assert record["eventSourceARN"] == arn
    assert record["eventSource"] == "aws:dynamodb"
    assert record["dynamodb"]["ApproximateCreationDateTime"] == float(int(db.clock.now()))
    assert trigger.drain() == 0


def test_latest_starts_after_the_trigger_was_made(db):
    stream_table(db)
    put(db, "before")
    events: list[dict] = []
    trigger = db.on_change("things", events.append, start="latest", background=False)
    put(db, "after")
    trigger.drain()
    assert [k for _, k, _ in changes(events)] == ["after"]


def test_a_failing_batch_is_retried_then_sent_to_the_failure_destination(db):
    stream_table(db)
    calls: list[list[str]] = []
    failures: list[tuple[dict, BaseException]] = []

    def handler(event):
        keys = [r["dynamodb"]["Keys"]["pk"]["S"] for r in event["Records"]]
        calls.append(keys)
        if "bad" in keys:
            raise RuntimeError("boom")

    db.stream_partitions = 1
    create_table(db.client(), "one", StreamSpecification=STREAM)
    trigger = db.on_change("one", handler, batch_size=1, background=False,
                           on_failure=lambda event, error: failures.append((event, error)))
    for key in ("ok1", "bad", "ok2"):
        put(db, key, table="one")
    trigger.drain()
    assert calls == [["ok1"], ["bad"], ["bad"], ["bad"], ["ok2"]]  # default: 2 retries
    assert len(failures) == 1
    assert failures[0][0]["Records"][0]["dynamodb"]["Keys"] == {"pk": {"S": "bad"}}
    assert str(failures[0][1]) == "boom"
    assert trigger.failed_batches == 1 and trigger.delivered == 2


def test_failure_destination_table(db):
    stream_table(db)
    create_table(db.client(), "failures", hash_key=("id", "S"))

    def handler(event):
        raise ValueError("nope")

    trigger = db.on_change("things", handler, retries=0, on_failure="failures",
                           name="audit", background=False)
    put(db, "a")
    trigger.drain()
    items = db.client().scan(TableName="failures")["Items"]
    assert len(items) == 1
    assert items[0]["trigger"] == {"S": "audit"}
    assert items[0]["error"] == {"S": "ValueError: nope"}
    batch = json.loads(items[0]["records"]["S"])
    assert batch["Records"][0]["dynamodb"]["Keys"] == {"pk": {"S": "a"}}


def test_filter_criteria(db):
    stream_table(db)
    events: list[dict] = []
    criteria = {"Filters": [
        {"Pattern": json.dumps({"eventName": ["INSERT"],
                                "dynamodb": {"NewImage": {"pk": {"S": [{"prefix": "keep"}]}}}})},
        {"Pattern": json.dumps({"eventName": ["REMOVE"]})},
    ]}
    trigger = db.on_change("things", events.append, filter=criteria, background=False)
    put(db, "keep-1")
    put(db, "drop-1")
    put(db, "keep-1", 2)  # MODIFY: filtered out
    db.client().delete_item(TableName="things", Key={"pk": {"S": "drop-1"}})
    trigger.drain()
    # Two keys may sit in two partitions: compare as a set of changes.
    assert sorted(changes(events)) == [("INSERT", "keep-1", 0), ("REMOVE", "drop-1", -1)]


def test_numeric_and_exists_rules():
    from ddblite.triggers import _match

    record = {"dynamodb": {"NewImage": {"n": {"N": "5"}}}}
    assert _match({"dynamodb": {"NewImage": {"n": {"N": [{"numeric": [">", 1, "<=", 5]}]}}}},
                  record)
    assert not _match({"dynamodb": {"NewImage": {"n": {"N": [{"numeric": [">", 5]}]}}}}, record)
    assert _match({"dynamodb": {"OldImage": [{"exists": False}]}}, record)
    assert _match({"dynamodb": {"NewImage": {"n": {"N": [{"anything-but": ["4"]}]}}}}, record)


def test_a_restarted_trigger_resumes_from_its_checkpoint(tmp_path, clock):
    path = str(tmp_path / "db")
    first: list[dict] = []
    with ddblite.connect(path, durability="lazy", clock=clock) as db:
        db.stream_partitions = 1
        stream_table(db)
        for i in range(10):
            put(db, f"k{i}", i)
        trigger = db.on_change("things", first.append, batch_size=3, name="mirror",
                               background=False)
        trigger.drain(max_batches=2)  # then the process "stops"
    second: list[dict] = []
    with ddblite.connect(path, durability="lazy", clock=clock) as db:
        put(db, "k10", 10)
        trigger = db.on_change("things", second.append, batch_size=3, name="mirror",
                               background=False)
        trigger.drain()
    numbers = [n for _, _, n in changes(first)] + [n for _, _, n in changes(second)]
    assert numbers == list(range(11))  # each record once, in order


def test_follows_the_table_to_a_new_stream(db):
    stream_table(db)
    events: list[dict] = []
    trigger = db.on_change("things", events.append, background=False)
    put(db, "a", 1)
    client = db.client()
    client.update_table(TableName="things", StreamSpecification={"StreamEnabled": False})
    client.update_table(TableName="things", StreamSpecification=STREAM)
    put(db, "a", 2)
    trigger.drain()
    assert [n for _, _, n in changes(events)] == [1, 2]


def test_ttl_removes_reach_triggers_as_the_service(db):
    stream_table(db)
    client = db.client()
    client.update_time_to_live(TableName="things",
                               TimeToLiveSpecification={"Enabled": True, "AttributeName": "e"})
    client.put_item(TableName="things",
                    Item={"pk": {"S": "a"}, "e": {"N": str(int(db.clock.now()) - 1)}})
    events: list[dict] = []
    trigger = db.on_change("things", events.append, background=False)
    db.expire_now()
    trigger.drain()
    remove = events[-1]["Records"][-1]
    assert remove["eventName"] == "REMOVE"
    assert remove["userIdentity"] == {"type": "Service", "principalId": "dynamodb.amazonaws.com"}


def test_background_thread_delivers_and_stops(db):
    stream_table(db)
    done = threading.Event()
    seen: list[str] = []

    def handler(event):
        seen.extend(r["dynamodb"]["Keys"]["pk"]["S"] for r in event["Records"])
        if len(seen) >= 20:
            done.set()

    trigger = db.on_change("things", handler, poll_interval=0.001)
    for i in range(20):
        put(db, f"k{i}")
    assert done.wait(timeout=30)  # waits for delivery, not for time to pass
    trigger.stop()
    assert sorted(seen) == sorted(f"k{i}" for i in range(20))


def test_bad_options(db):
    with pytest.raises(ValueError):
        db.on_change("things", print, start="middle", background=False)
