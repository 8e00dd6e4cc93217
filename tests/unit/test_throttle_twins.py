"""The throttle's compiled and pure twins keep the same books, and the ledger is
thread-safe."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ddblite
from ddblite import _throttle_pure, twins
from ddblite.clock import ManualClock
from ddblite.engine.throttle import _STATE

IMPLEMENTATIONS = twins.implementations("ddblite._throttle", _throttle_pure)


class _Table:
    """What the core reads of a TableInfo: its partition key's name."""

    pk_name = "pk"


class _Index:
    def __init__(self, name: str) -> None:
        self.name = name
        self.is_global = True


def _ledger(module, clock: ManualClock):
    """A core with cold steps of its own: a table bucket (rate 10, burst 30), a GSI
    write bucket (rate 4) and four partitions of rate 6; a refusal is recorded."""

    class Ledger(module.LedgerCore):
        def build_plan(self, txn, table, write, index, now):
            def bucket(key, rate, burst, index_name=None):
                return self.buckets.setdefault(key, module.Bucket(
                    key, rate, burst, rate, now, "reason", "message", index_name))

            if index is not None:
                return module.Plan([bucket(b"gsi-read", 2.0, 2.0, index.name)], 0, None,
                                   b"r", 0.0, "")
            side = b"w" if write else b"r"
            fixed = [bucket(b"t" + side, 10.0, 30.0)]
            if write:
                fixed.append(bucket(b"gsi-write", 4.0, 4.0, "g"))
            return module.Plan(fixed, 4, b"p", side, 6.0, "part")

        def load_partition(self, txn, table, plan, slot, now):
            key = plan.part_prefix + bytes([slot]) + plan.part_side
            return self.buckets.setdefault(key, module.Bucket(
                key, plan.part_rate, plan.part_rate, plan.part_rate, now, plan.part_reason,
                "hot", None))

        def refuse(self, bucket, table, write):
            self.refused.append(bucket.key)

        def flush_due(self):
            self.flushed_at = self.now

    ledger = Ledger(clock.now)
    ledger.refused = []
    return ledger


_KEYS = st.sampled_from(["a", "b", "c", "d", "e", b"\x00\xff", "é"])
_STEPS = st.lists(st.one_of(
    st.tuples(st.just("advance"), st.floats(0, 5)),
    st.tuples(st.just("read"), _KEYS, st.sampled_from([0.5, 1.0, 4.0])),
    st.tuples(st.just("read_item"), _KEYS, st.integers(0, 20000), st.booleans()),
    st.tuples(st.just("index_read"), st.sampled_from([0.5, 3.0])),
    st.tuples(st.just("write"), _KEYS, st.sampled_from([1.0, 5.0]),
              st.sampled_from([None, {"g": 2.0}, {"other": 1.0}])),
    st.tuples(st.just("debit_other"), _KEYS, st.sampled_from([1.0, 2.0])),
), max_size=40)


def _run(module, steps) -> tuple:
    clock = ManualClock()
    ledger = _ledger(module, clock)
    table = _Table()
    index = _Index("g")
    outcomes = []
    for step in steps:
        kind = step[0]
        if kind == "advance":
            clock.advance(step[1])
        elif kind == "read":
            ledger.read(table, step[2], step[1])
        elif kind == "read_item":
            ledger.read_item(table, step[2], step[3], {"pk": {"S": step[1]}})
        elif kind == "index_read":
            ledger.read(table, step[1], None, index)
        elif kind == "write":
            bound = module.Bound(ledger, None)
            bucket = bound.refusal(table, True, step[1])
            outcomes.append(None if bucket is None else bucket.key)
            if bucket is None:
                bound.debit(table, True, step[2], step[1], None, step[3])
        else:  # a debit with no refusal before it looks its buckets up itself
            ledger.debit(None, table, True, step[2], step[1])
    books = {key: (round(bucket.balance, 9), round(bucket.pending, 9), bucket.stamp)
             for key, bucket in ledger.buckets.items()}
    return books, outcomes, ledger.refused


@pytest.mark.parametrize("name", sorted(IMPLEMENTATIONS))
@settings(max_examples=300, deadline=None)
@given(steps=_STEPS)
def test_twins_keep_the_same_books(name, steps):
    assert _run(IMPLEMENTATIONS[name], steps) == _run(_throttle_pure, steps)


@pytest.mark.parametrize("name", sorted(IMPLEMENTATIONS))
def test_a_request_is_admitted_while_every_bucket_is_positive(name):
    clock = ManualClock()
    module = IMPLEMENTATIONS[name]
    ledger = _ledger(module, clock)
    table = _Table()
    ledger.read(table, 9.5, "a")       # table 10 -> 0.5, partition 6 -> -3.5
    ledger.read(table, 1.0, "a")       # its partition is in debt: refused, nothing paid
    assert ledger.refused == [b"p" + bytes([module.partition_slot("a", 4)]) + b"r"]
    assert ledger.buckets[b"tr"].balance == 0.5
    clock.advance(1)                   # table +10 (30 at most), partition +6
    ledger.read(table, 1.0, "a")
    assert ledger.buckets[b"tr"].balance == pytest.approx(9.5)
    assert ledger.buckets[b"tr"].pending == pytest.approx(10.5)


@pytest.mark.parametrize("name", sorted(IMPLEMENTATIONS))
def test_partition_slots_agree_and_spread(name):
    slot = IMPLEMENTATIONS[name].partition_slot
    assert slot("user#1", 1) == 0
    assert {slot(f"user#{n}", 8) for n in range(200)} == set(range(8))
    assert slot("é", 7) == slot("é".encode(), 7) == _throttle_pure.partition_slot("é", 7)
    assert slot(12, 5) == slot("12", 5)


@pytest.mark.parametrize("name", sorted(IMPLEMENTATIONS))
@given(pk=st.one_of(st.text(max_size=40), st.binary(max_size=40)), count=st.integers(1, 5000))
def test_partition_slot_twins(name, pk, count):
    assert IMPLEMENTATIONS[name].partition_slot(pk, count) == \
        _throttle_pure.partition_slot(pk, count)


def test_threads_lose_no_debit(tmp_path):
    """Four threads read and write one throttled table; once flushed, the store's table
    buckets are down by exactly what usage counted (the clock stands still: no refill)."""
    clock = ManualClock()
    with ddblite.connect(str(tmp_path / "db"), durability="nosync", clock=clock,
                         throttle=True) as db:
        client = db.client()
        client.create_table(
            TableName="things", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            ProvisionedThroughput={"ReadCapacityUnits": 40000, "WriteCapacityUnits": 40000})
        errors: list = []

        def work(number: int) -> None:
            try:
                for turn in range(300):
                    key = {"pk": {"S": f"k{(number * 300 + turn) % 500}"}}
                    client.put_item(TableName="things", Item=key)
                    client.get_item(TableName="things", Key=key)
            except Exception as exc:  # reported below, with the thread's traceback
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        db.throttle.flush()
        usage = db.usage()["Tables"]["things"]
        assert (usage["ReadCapacityUnits"], usage["WriteCapacityUnits"]) == (600.0, 1200.0)
        table = db.storage.read(lambda txn: db.catalog.get(txn, "us-east-1", "things"))
        prefix = b"q:" + table.prefix

        def balance(side: bytes) -> float:
            raw = db.storage.read(lambda txn: txn.get("meta", prefix + b"t" + side))
            return _STATE.unpack(raw)[0]

        assert balance(b"r") == pytest.approx(40000 - 600)
        assert balance(b"w") == pytest.approx(40000 - 1200)
