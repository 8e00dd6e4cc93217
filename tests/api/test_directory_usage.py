"""A directory's usage across the Databases (processes, workers) sharing it.

Two Database objects on one directory stand for two `ddblite serve` workers: each
counts its own requests (`usage`), publishes them when due on the clock, and
`directory_usage` / `ddblite stats PATH` add them all up.
"""

from __future__ import annotations

import json

import pytest

import ddblite
from ddblite import cli
from ddblite.engine.usage import STORED_KEYS
from tests.conftest import create_table

RCC = {"ReturnConsumedCapacity": "TOTAL"}


def item(key: str, kilobytes: float = 1.0, **more) -> dict:
    return {"pk": {"S": key}, "v": {"S": "x" * int(kilobytes * 1024 - 3 - len(key))}, **more}


def units(response) -> float:
    capacity = response.get("ConsumedCapacity")
    if isinstance(capacity, list):
        return sum(entry["CapacityUnits"] for entry in capacity)
    return capacity["CapacityUnits"] if capacity else 0.0


class Traffic:
    """Sends requests through one Database's client and adds up what the answers say."""

    def __init__(self, db) -> None:
        self.client = db.client()
        self.read = self.write = 0.0
        self.reads = self.writes = 0
        self.keys: dict[str, list[float]] = {}  # key -> [read units, write units]

    def put(self, key: str, kilobytes: float = 1.0, **more) -> float:
        spent = units(self.client.put_item(TableName="things",
                                           Item=item(key, kilobytes, **more), **RCC))
        self.write += spent
        self.writes += 1
        self.keys.setdefault(key, [0.0, 0.0])[1] += spent
        return spent

    def get(self, key: str, consistent: bool = False) -> float:
        spent = units(self.client.get_item(TableName="things", Key={"pk": {"S": key}},
                                           ConsistentRead=consistent, **RCC))
        self.read += spent
        self.reads += 1
        self.keys.setdefault(key, [0.0, 0.0])[0] += spent
        return spent

    def totals(self) -> tuple:
        return (self.read, self.write, self.reads, self.writes)


@pytest.fixture
def two(tmp_path, clock):
    """Two Databases on one directory (as two workers are), publishing every 10 s."""
    path = str(tmp_path / "shared")
    first = ddblite.connect(path, durability="lazy", clock=clock, usage_interval=10)
    second = ddblite.connect(path, durability="lazy", clock=clock, usage_interval=10)
    first.client().create_table(
        TableName="things",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "g", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        GlobalSecondaryIndexes=[{
            "IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"}}],
    )
    yield first, second
    first.close()
    second.close()


def totals(report: dict, table: str = "things") -> tuple:
    counters = report["Tables"][table]
    return (counters["ReadCapacityUnits"], counters["WriteCapacityUnits"],
            counters["ReadRequests"], counters["WriteRequests"])


def test_the_merged_report_is_the_sum_of_both(two, clock):
    first, second = two
    a, b = Traffic(first), Traffic(second)
    a.put("shared", 2.5, g={"S": "x"})
    a.put("only-a", 1)
    a.get("shared", consistent=True)
    b.put("shared", 3.5)
    b.get("shared")
    b.get("only-b")
    first.publish_usage()
    second.publish_usage()
    expected = (a.read + b.read, a.write + b.write, a.reads + b.reads, a.writes + b.writes)
    assert expected[2:] == (3, 3) and expected[1] > a.write > 0 and expected[0] > b.read > 0
    for db in (first, second):
        assert totals(db.directory_usage()) == expected
        assert totals(db.stored_usage()) == expected
    # Each Database's own usage is still its own.
    assert totals(first.usage()) == (a.read, a.write, a.reads, a.writes)
    assert totals(second.usage()) == (b.read, b.write, b.reads, b.writes)
    merged = first.directory_usage()["Tables"]["things"]
    # Hot keys merge: both Databases' units of a key add up.
    shared = [a.keys["shared"][0] + b.keys["shared"][0],
              a.keys["shared"][1] + b.keys["shared"][1]]
    assert merged["HotKeys"][0] == {"Key": "shared", "ReadCapacityUnits": shared[0],
                                    "WriteCapacityUnits": shared[1]}
    assert shared[0] > a.keys["shared"][0] > 0 and shared[1] > b.keys["shared"][1] > 0
    assert {entry["Key"]: [entry["ReadCapacityUnits"], entry["WriteCapacityUnits"]]
            for entry in merged["HotKeys"][1:]} == {"only-a": a.keys["only-a"],
                                                     "only-b": b.keys["only-b"]}
    # The GSI's units: A's put added the entry, B's put (no "g") removed it; 1 WCU each.
    own = [db.usage()["Tables"]["things"]["Indexes"]["byg"] for db in (first, second)]
    assert [units["WriteCapacityUnits"] for units in own] == [1.0, 1.0]
    assert merged["Indexes"] == {"byg": {"ReadCapacityUnits": 0.0, "WriteCapacityUnits": 2.0}}
    assert merged["EstimatedMonthlyCost"]["Region"] == "us-east-1"
    processes = first.directory_usage()["Processes"]
    assert sorted(p["WriteCapacityUnits"] for p in processes) == sorted([a.write, b.write])


def test_this_databases_unpublished_part_is_in_its_own_report_only(two):
    first, second = two
    a, b = Traffic(first), Traffic(second)
    a.put("k", 2)
    b.put("j", 1)
    # Nothing is due yet (10 s): neither sees the other's traffic.
    assert totals(first.directory_usage()) == (0.0, 2.0, 0, 1)
    assert totals(second.directory_usage()) == (0.0, 1.0, 0, 1)
    assert first.stored_usage()["Tables"] == {}
    second.publish_usage()
    assert totals(first.directory_usage()) == (0.0, 3.0, 0, 2)


def test_publishing_happens_when_the_clock_passes_the_interval(two, clock):
    first, second = two
    a = Traffic(first)
    a.put("k")
    clock.advance(9.5)
    a.put("k")
    assert second.stored_usage()["Tables"] == {}  # not before the interval
    clock.advance(0.5)
    a.get("k")  # a read publishes too, after it is counted
    assert totals(second.directory_usage()) == (0.5, 2.0, 1, 2)
    (process,) = second.stored_usage()["Processes"]
    assert process["Published"] == clock.now()
    # Due again, but nothing counted since: nothing is written.
    clock.advance(30)
    first.client().list_tables()
    assert second.stored_usage()["Processes"][0]["Published"] == clock.now() - 30
    clock.advance(5)
    a.get("k")
    assert totals(second.directory_usage()) == (0.5, 2.0, 1, 2)  # 5 s: not yet
    clock.advance(5)
    first.client().list_tables()  # any request publishes what is due
    assert totals(second.directory_usage()) == (1.0, 2.0, 2, 2)


def test_usage_interval_zero_publishes_after_every_request(tmp_path, clock):
    path = str(tmp_path / "shared")
    with ddblite.connect(path, durability="lazy", clock=clock, usage_interval=0) as eager, \
            ddblite.connect(path, durability="lazy", clock=clock) as reader:
        create_table(eager.client())
        traffic = Traffic(eager)
        traffic.put("a", 2)
        assert totals(reader.directory_usage()) == (0.0, 2.0, 0, 1)
        traffic.get("a")
        assert totals(reader.directory_usage()) == (0.5, 2.0, 1, 1)


def test_closing_folds_into_the_totals_without_counting_twice(two, clock):
    first, second = two
    a, b = Traffic(first), Traffic(second)
    a.put("k", 2)
    b.put("j", 1)
    first.publish_usage()
    clock.advance(60)
    first.close()
    assert totals(second.directory_usage()) == (0.0, 3.0, 0, 2)
    # The closed one's record is gone; its counts are in the totals.
    assert [p["WriteCapacityUnits"] for p in second.directory_usage()["Processes"]] == [1.0]
    second.close()
    with ddblite.connect(str(first.path), durability="lazy", clock=clock) as later:
        report = later.directory_usage()
        assert totals(report) == (0.0, 3.0, 0, 2)
        assert report["Processes"] == []
        assert report["Tables"]["things"]["HotKeys"] == [
            {"Key": "k", "ReadCapacityUnits": 0.0, "WriteCapacityUnits": 2.0},
            {"Key": "j", "ReadCapacityUnits": 0.0, "WriteCapacityUnits": 1.0}]


def test_reset_of_one_database_keeps_the_directory_totals(two):
    first, second = two
    a, b = Traffic(first), Traffic(second)
    a.put("k", 2)
    b.put("j", 1)
    second.publish_usage()
    first.reset_usage()
    assert first.usage()["Tables"] == {}
    assert totals(second.directory_usage()) == (0.0, 3.0, 0, 2)
    a.put("i", 1)
    first.publish_usage()
    assert totals(second.directory_usage()) == (0.0, 4.0, 0, 3)
    assert totals(first.usage()) == (0.0, 1.0, 0, 1)


def test_reset_of_the_directory(two, clock):
    first, second = two
    a, b = Traffic(first), Traffic(second)
    a.put("k", 4)
    b.put("j", 2)
    second.publish_usage()
    b.put("i", 1)  # counted before the reset, not yet published
    clock.advance(5)
    first.reset_usage(directory=True)
    assert first.usage()["Tables"] == {}
    assert first.directory_usage()["Tables"] == {}
    assert first.stored_usage() == {"Tables": {}, "Processes": []}
    b.put("h", 3)
    second.publish_usage()
    # The other Database counts from its last publish on: the 1 KB write before the
    # reset is kept (at most one interval's), the one before its publish is not.
    assert totals(first.directory_usage()) == (0.0, 4.0, 0, 2)
    assert first.directory_usage()["Tables"]["things"]["Since"] == clock.now()
    # Its own usage is its own: untouched.
    assert totals(second.usage()) == (0.0, 6.0, 0, 3)


def test_hot_keys_beyond_the_stored_number(two):
    first, second = two
    for number in range(STORED_KEYS + 20):
        first.usage_counters.charge("things", True, 1.0, None, f"a{number}")
    first.usage_counters.charge("things", True, 1.0, None, "a117")
    first.usage_counters.charge("things", False, 7.0, None, "reader")
    second.usage_counters.charge("things", True, 50.0, None, "hot")
    second.usage_counters.charge("things", True, 2.0, None, "a117")
    first.publish_usage()
    second.publish_usage()
    merged = first.directory_usage(top=3)["Tables"]["things"]
    assert merged["WriteCapacityUnits"] == STORED_KEYS + 20 + 53.0
    assert [(entry["Key"], entry["ReadCapacityUnits"], entry["WriteCapacityUnits"])
            for entry in merged["HotKeys"]] == [
        ("hot", 0.0, 50.0), ("reader", 7.0, 0.0), ("a117", 0.0, 4.0)]
    assert len(first.directory_usage(top=1000)["Tables"]["things"]["HotKeys"]) == STORED_KEYS


def test_stats_of_a_directory_adds_up_its_live_databases(two, capsys):
    first, second = two
    a, b = Traffic(first), Traffic(second)
    a.put("k", 2)
    b.put("j", 1)
    b.get("k")
    first.publish_usage()
    second.publish_usage()
    assert cli.main(["stats", str(first.path), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert totals(report) == (0.5, 3.0, 1, 2)
    assert len(report["Processes"]) == 2
    assert cli.main(["stats", str(first.path)]) == 0
    assert "2 live process(es)" in capsys.readouterr().out


def test_in_memory_never_publishes(clock):
    with ddblite.connect(":memory:", clock=clock) as db:
        assert db.publishing is None
        create_table(db.client())
        traffic = Traffic(db)
        traffic.put("a", 2)
        clock.advance(3600)
        traffic.get("a")
        assert db.stored_usage() == {"Tables": {}, "Processes": []}
        assert totals(db.directory_usage()) == totals(db.usage()) == (0.5, 2.0, 1, 1)
        assert db.directory_usage()["Tables"]["things"]["Seconds"] == 3600


def test_serve_refuses_a_negative_usage_interval(capsys):
    assert cli.main(["serve", "--usage-interval", "-1"]) == 2
    assert "--usage-interval" in capsys.readouterr().err


class _Ticks:
    """A stop event whose waits end at once: `count` wake-ups, then stop."""

    def __init__(self, count: int) -> None:
        self.left = count

    def wait(self, timeout: float) -> bool:
        self.left -= 1
        return self.left < 0


def test_the_sweeper_publishes_an_idle_databases_usage(two, clock):
    from ddblite.sweeper import Sweeper

    first, second = two
    a = Traffic(first)
    a.put("k", 2)
    sweeper = Sweeper(first, 0, publish_every=10)
    sweeper._stop = _Ticks(1)  # type: ignore[assignment]
    sweeper._run()
    assert second.stored_usage()["Tables"] == {}  # woken, but not due on the clock
    clock.advance(10)  # due, and no request comes to publish it
    sweeper._stop = _Ticks(1)  # type: ignore[assignment]
    sweeper._run()
    assert totals(second.stored_usage()) == a.totals()


def test_a_served_directory_publishes_even_without_ttl_sweeps(tmp_path):
    from ddblite.server.app import open_served_database, serve_options

    options = serve_options(str(tmp_path / "d"), "lazy", None, None, 0, usage_interval=2.5)
    db = open_served_database(options)
    try:
        assert db.publishing is not None and db.publishing.every == 2.5
        assert db._sweeper is not None and db._sweeper.interval == 0
        assert db._sweeper.publish_every == 2.5
    finally:
        db.close()


def test_a_killed_process_is_folded_into_the_totals(two, tmp_path):
    """A process that ended without closing (kill -9) leaves its last publish behind;
    the next publish of a live one moves it into the totals and off the live list."""
    import subprocess
    import sys

    first, _ = two
    script = (
        "import os, ddblite\n"
        f"db = ddblite.connect({str(tmp_path / 'shared')!r}, durability='lazy',"
        " usage_interval=0)\n"
        "db.client().put_item(TableName='things', Item={'pk': {'S': 'gone'}})\n"
        "os._exit(0)\n"  # no close: its record stays as last published
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    report = first.directory_usage()
    assert len(report["Processes"]) == 1  # the dead one, still listed
    dead_pid = report["Processes"][0]["Pid"]
    traffic = Traffic(first)
    traffic.put("alive")
    first.publish_usage()
    report = first.directory_usage()
    assert dead_pid not in [process["Pid"] for process in report["Processes"]]
    assert totals(report)[1] == 1.0 + traffic.write  # the dead one's write is kept
