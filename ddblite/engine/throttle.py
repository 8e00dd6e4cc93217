"""Opt-in throttling: token buckets on the injectable clock, kept in the "meta" space.

Buckets live in the store (not in this process) so every process sharing a directory
drains the same ones; a bucket is refilled lazily from its last stamp when touched.
A request is admitted while every bucket it needs holds a positive balance, and then
pays its real units afterwards (the balance may go negative: the debt delays the next
requests), which is how DynamoDB lets one large request through a nearly empty bucket.

Buckets a request needs (each refusal names its ThrottlingReason, Resource + Read or
Write + limit, as DynamoDB's do):
- PROVISIONED table: the table's read or write bucket at its provisioned rate, holding
  up to 300 s of unused capacity (burst) -> ProvisionedThroughputExceeded.
- PAY_PER_REQUEST table: its OnDemandThroughput maximum per second ->
  MaxOnDemandThroughputExceeded, or without one the account's per-table quota of
  40,000 units a second -> AccountLimitExceeded.
- Writes also need each GSI's write bucket, by the same rules, paid with that index's
  units: a GSI short of write capacity holds back the base table's writes.
- Every table: the bucket of the partition its key falls in, at 3,000 RCU / 1,000 WCU
  per second, with partitions counted from size and throughput as DynamoDB documents
  -> KeyRangeThroughputExceeded. (A Scan names no key: no partition bucket.)
- A Query or Scan on a GSI needs that GSI's read bucket instead of the table's, and a
  Query the bucket of the GSI partition its key falls in. A write that puts a GSI entry
  needs the bucket of the GSI partition the new index key falls in; one that removes an
  entry pays the partition it leaves, without a check first (INFERRED: an unconditional
  delete has not read the old image when it is admitted).
UpdateTable changes rates at once: a table change makes a new TableInfo, whose plan
reads the rates from the new record.
"""

from __future__ import annotations

import functools
import struct
import time
from collections.abc import Callable

from ddblite import _throttle_pure, twins
from ddblite.clock import Clock
from ddblite.errors import ProvisionedThroughputExceededException

_core, IMPORT_ERROR = twins.load("ddblite._throttle", _throttle_pure)
Bucket, Bound, Plan = _core.Bucket, _core.Bound, _core.Plan
EMPTY, FLUSH_SECONDS = _core.EMPTY, _core.FLUSH_SECONDS
partition_slot = _core.partition_slot
PLAN_SECONDS = 1.0

BURST_SECONDS = 300.0
PARTITION_READ_UNITS = 3000.0
PARTITION_WRITE_UNITS = 1000.0
PARTITION_BYTES = 10 * 1024**3
# INFERRED: a new on-demand table serves 4,000 WCU / 12,000 RCU at once, i.e. four
# partitions' worth.
ON_DEMAND_PARTITIONS = 4

TABLE_EXCEEDED = (
    "The level of configured provisioned throughput for the table was exceeded. "
    "Consider increasing your provisioning level with the UpdateTable API."
)
# INFERRED wording (GSI back-pressure).
INDEX_EXCEEDED = (
    "The level of configured provisioned throughput for one or more global secondary "
    "indexes of the table was exceeded. Consider increasing your provisioning level for "
    "the under-provisioned global secondary indexes with the UpdateTable API"
)
KEY_RANGE_EXCEEDED = (
    "Throughput exceeds the current capacity of your table or index. DynamoDB is "
    "automatically scaling your table or index so please try again shortly. If exceptions "
    "persist, check if you have a hot key: https://docs.aws.amazon.com/amazondynamodb/"
    "latest/developerguide/bp-partition-key-design.html"
)
# INFERRED wording.
MAX_ON_DEMAND_EXCEEDED = (
    "Throughput exceeds the maximum OnDemandThroughput configured on table or index."
)

# The account's default per-table throughput quota, which on-demand tables and GSIs
# without a maximum of their own are held to (Service Quotas: 40,000 read and 40,000
# write request units a second per table).
ACCOUNT_TABLE_UNITS = 40000.0
# INFERRED wording.
ACCOUNT_LIMIT_EXCEEDED = (
    "Throughput exceeds the current throughput limit for your account. Please contact "
    "AWS Support at https://aws.amazon.com/support request a limit increase"
)

_STATE = struct.Struct(">dd")  # balance, stamp
_PARTITION = struct.Struct(">I")


def _stored_bucket(raw: bytes | None, key: bytes, rate: float, burst: float, reason: str,
                   message: str, index: str | None, created: float, now: float) -> Bucket:
    """A bucket as the store holds it, refilled to `now`."""
    if raw is None:
        # INFERRED: a table starts with one second of its rate and saves what it
        # leaves unused from its creation on.
        bucket = Bucket(key, rate, burst, min(rate, burst), created, reason, message, index)
    else:
        balance, stamp = _STATE.unpack(raw)
        bucket = Bucket(key, rate, burst, balance, stamp, reason, message, index)
    bucket.refill(now)
    return bucket


class Ledger(_core.LedgerCore):
    """This process's buckets: the compiled hot path (ddblite._throttle, or its pure twin)
    with the cold steps it calls: plans from table records, loading, refusing, flushing."""

    def __init__(self, throttle: Throttle) -> None:
        super().__init__(_now_of(throttle.clock))
        self.throttle = throttle
        self.planned_at = self.flushed_at   # when the plans were last made anew

    def _raw(self, txn, key: bytes) -> bytes | None:
        if txn is not None:
            return txn.get("meta", key)
        return self.throttle.db.storage.read(lambda read: read.get("meta", key))

    def _size(self, txn, table) -> int:
        catalog = self.throttle.db.catalog
        if txn is not None:
            return catalog.stats(txn, table)[1]
        return self.throttle.db.storage.read(lambda read: catalog.stats(read, table)[1])

    def _bucket(self, txn, table, now: float, key: bytes, rate: float, burst: float,
                reason: str, message: str, index: str | None = None) -> Bucket:
        """This process's bucket at `key`, loaded from the store the first time, at the
        rate the table's record gives now (UpdateTable changes it at once)."""
        bucket = self.buckets.get(key)
        if bucket is None:
            created = min(now, table.record.get("created", now))
            bucket = _stored_bucket(self._raw(txn, key), key, rate, burst, reason, message,
                                    index, created, now)
            bucket = self.buckets.setdefault(key, bucket)
        bucket.rate, bucket.burst = rate, burst
        bucket.refill(now)
        return bucket

    def build_plan(self, txn, table, write: bool, index, now: float) -> Plan:
        """The buckets a kind of request needs (see the module's docstring)."""
        if index is not None and index.is_global:
            if write:
                return self._index_write_plan(txn, table, index.name, now)
            return self._index_read_plan(txn, table, index.name, now)
        record = table.record
        kind, side = ("Write", b"w") if write else ("Read", b"r")
        base = b"q:" + table.prefix
        fixed: list[Bucket] = []
        if record["billing_mode"] == "PROVISIONED":
            rate = float(record["provisioned"].get("write" if write else "read", 0))
            fixed.append(self._bucket(txn, table, now, base + b"t" + side, rate,
                                      rate * BURST_SECONDS,
                                      f"Table{kind}ProvisionedThroughputExceeded",
                                      TABLE_EXCEEDED))
        else:
            fixed.append(self._on_demand_bucket(txn, table, now, base + b"m" + side,
                                                record.get("on_demand"), write, "Table"))
        if write:  # every GSI's write capacity holds back the table's writes
            for spec in record.get("gsi") or ():
                fixed.append(self._index_write_bucket(txn, table, spec, now))
        return Plan(fixed, partitions(record, self._size(txn, table)), base + b"p", side,
                    PARTITION_WRITE_UNITS if write else PARTITION_READ_UNITS,
                    f"Table{kind}KeyRangeThroughputExceeded")

    def _index_read_plan(self, txn, table, name: str, now: float) -> Plan:
        """A Query or Scan on a GSI: the index's read bucket, and its partitions (by
        the index's partition key) instead of the table's."""
        record = table.record
        spec = _gsi_spec(record, name) or {}
        base = b"q:" + table.prefix + b"i" + name.encode()
        if record["billing_mode"] == "PROVISIONED":
            rate = float((spec.get("ProvisionedThroughput") or {}).get("ReadCapacityUnits", 0))
            fixed = [self._bucket(txn, table, now, base + b"r", rate, rate * BURST_SECONDS,
                                  "IndexReadProvisionedThroughputExceeded", INDEX_EXCEEDED,
                                  name)]
        else:
            fixed = [self._on_demand_bucket(txn, table, now, base + b"mr",
                                            spec.get("OnDemandThroughput"), False, "Index",
                                            name)]
        return Plan(fixed, index_partitions(record, spec, self._size(txn, table)),
                    base + b"p", b"r", PARTITION_READ_UNITS,
                    "IndexReadKeyRangeThroughputExceeded", name)

    def _index_write_plan(self, txn, table, name: str, now: float) -> Plan:
        """A write's entry in a GSI: the bucket of the index partition its new index key
        falls in (the GSI's write bucket is already in the table's write plan)."""
        record = table.record
        spec = _gsi_spec(record, name) or {}
        return Plan([], index_partitions(record, spec, self._size(txn, table)),
                    b"q:" + table.prefix + b"i" + name.encode() + b"p", b"w",
                    PARTITION_WRITE_UNITS, "IndexWriteKeyRangeThroughputExceeded", name)

    def _index_write_bucket(self, txn, table, spec: dict, now: float) -> Bucket:
        """A GSI's write bucket: its provisioned rate, or on demand its maximum (or the
        account's per-table limit); it pays the index's units."""
        name = spec["IndexName"]
        key = b"q:" + table.prefix + b"i" + name.encode()
        if table.record["billing_mode"] == "PROVISIONED":
            rate = float((spec.get("ProvisionedThroughput") or {}).get("WriteCapacityUnits", 0))
            return self._bucket(txn, table, now, key + b"w", rate, rate * BURST_SECONDS,
                                "IndexWriteProvisionedThroughputExceeded", INDEX_EXCEEDED,
                                name)
        return self._on_demand_bucket(txn, table, now, key + b"mw",
                                      spec.get("OnDemandThroughput"), True, "Index", name)

    def _on_demand_bucket(self, txn, table, now: float, key: bytes, maximum: dict | None,
                          write: bool, resource: str, index: str | None = None) -> Bucket:
        """An on-demand table's or GSI's ceiling: its OnDemandThroughput maximum when
        one is set, else the account's per-table limit (40,000 units a second by
        default). Neither banks unused capacity: one second's worth at most."""
        kind = "Write" if write else "Read"
        limit = (maximum or {}).get("MaxWriteRequestUnits" if write else "MaxReadRequestUnits")
        if limit is not None and limit > 0:
            return self._bucket(txn, table, now, key, float(limit), float(limit),
                                f"{resource}{kind}MaxOnDemandThroughputExceeded",
                                MAX_ON_DEMAND_EXCEEDED, index)
        return self._bucket(txn, table, now, key, ACCOUNT_TABLE_UNITS, ACCOUNT_TABLE_UNITS,
                            f"{resource}{kind}AccountLimitExceeded", ACCOUNT_LIMIT_EXCEEDED,
                            index)

    def load_partition(self, txn, table, plan: Plan, slot: int, now: float) -> Bucket:
        return self._bucket(txn, table, now,
                            plan.part_prefix + _PARTITION.pack(slot) + plan.part_side,
                            plan.part_rate, plan.part_rate, plan.part_reason,
                            KEY_RANGE_EXCEEDED, plan.part_index)

    def refuse(self, bucket: Bucket, table, write: bool) -> None:
        self.throttle.usage.throttled(table.name, write)
        raise exceeded(bucket, table, self.throttle.arn(table))

    def flush_due(self) -> None:
        self.throttle.flush()

    def flush(self, txn) -> None:
        """Write pending debits back: added to what the store holds now (other
        processes' debits included), which becomes this process's balance. At most
        every PLAN_SECONDS the plans are made anew too, so partition counts follow the
        table's size and replaced table schemas are let go."""
        with self.lock:
            now = self.clock_now()
            for bucket in self.buckets.values():
                if not bucket.pending:
                    continue
                raw = txn.get("meta", bucket.key)
                if raw is not None:
                    balance, stamp = _STATE.unpack(raw)
                    stored = Bucket(bucket.key, bucket.rate, bucket.burst, balance, stamp,
                                    "", "", None)
                    stored.refill(now)
                    bucket.balance = stored.balance - bucket.pending
                    bucket.stamp = max(stored.stamp, bucket.stamp)
                txn.put("meta", bucket.key, _STATE.pack(bucket.balance, bucket.stamp))
                bucket.pending = 0.0
            if now - self.planned_at >= PLAN_SECONDS or now < self.planned_at:
                self.forget_plans()
                self.planned_at = now
            self.flushed_at = self.now = now


class Throttle:
    """Throttling for one Database (None on `db.throttle` when off)."""

    def __init__(self, db) -> None:
        self.db = db
        self.clock = db.clock
        self.usage = db.usage_counters
        self.buckets = Ledger(self)
        # read(table, units, pk=None, index=None): a read already done, refused
        # (ProvisionedThroughputExceededException) when a bucket it needs is empty,
        # else paid. read_item(table, size, consistent, key): GetItem's read, its units
        # from the item's size. Bound here so a read costs one compiled call.
        self.read = self.buckets.read
        self.read_item = self.buckets.read_item
        # ledger(txn): the buckets for a write, inside its write transaction (a Bound;
        # `settle`/`save` write them back before commit when due).
        self.ledger = functools.partial(Bound, self.buckets)

    def use_clock(self, clock) -> None:
        """Read the time from `clock` from now on (Database.clock was set)."""
        self.clock = clock
        self.buckets.clock_now = _now_of(clock)


    def arn(self, table) -> str:
        return f"arn:aws:dynamodb:{table.region}:{self.db.account_id}:table/{table.name}"

    def read_batch(self, requests: list, refuse_all: bool) -> list[bool]:
        """Batch reads: [(table, units, pk)] -> admitted flags, paying the admitted.
        With refuse_all, one refusal refuses the whole batch (TransactGetItems)."""
        ledger = self.buckets
        admitted = []
        for table, units, pk in requests:
            ok = ledger.refusal(None, table, False, pk) is None
            admitted.append(ok)
            if ok and not refuse_all:
                ledger.debit(None, table, False, units, pk)
        if refuse_all and all(admitted):
            for table, units, pk in requests:
                ledger.debit(None, table, False, units, pk)
        if ledger.due():
            self.flush()
        return admitted

    def refused_read(self, table) -> ProvisionedThroughputExceededException:
        """The error of a read request none of whose reads was admitted."""
        prefix = b"q:" + table.prefix
        with self.buckets.lock:
            for bucket in self.buckets.buckets.values():
                if bucket.key.startswith(prefix) and bucket.key.endswith(b"r") \
                        and bucket.balance <= EMPTY:
                    return exceeded(bucket, table, self.arn(table))
        return ProvisionedThroughputExceededException(TABLE_EXCEEDED)

    def flush(self) -> None:
        """Write this process's pending debits back now."""
        self.db.storage.write(self.buckets.flush)


def exceeded(bucket: Bucket, table, arn: str) -> ProvisionedThroughputExceededException:
    resource = arn if bucket.index is None else f"{arn}/index/{bucket.index}"
    return ProvisionedThroughputExceededException(
        bucket.message, ThrottlingReasons=[{"reason": bucket.reason, "resource": resource}]
    )


def _now_of(clock) -> Callable[[], float]:
    """The clock's `now`; the system clock's is time.time, called directly to save a
    frame on every request."""
    return time.time if type(clock) is Clock else clock.now


def _gsi_spec(record: dict, name: str) -> dict | None:
    for spec in record.get("gsi") or ():
        if spec["IndexName"] == name:
            return spec
    return None


def index_partitions(record: dict, spec: dict, size: int) -> int:
    """A GSI's partition count: by its own throughput (on demand, as a new table), and
    by size. INFERRED: the index holds at most the table's data, so the table's size
    bounds it."""
    throughput = spec.get("ProvisionedThroughput") or {}
    if record["billing_mode"] == "PROVISIONED":
        by_throughput = -(-(throughput.get("ReadCapacityUnits", 0) / PARTITION_READ_UNITS
                            + throughput.get("WriteCapacityUnits", 0) / PARTITION_WRITE_UNITS)
                          // 1)
    else:
        by_throughput = ON_DEMAND_PARTITIONS
    return max(1, int(by_throughput), int(-(-size // PARTITION_BYTES)))


def partitions(record: dict, size: int) -> int:
    """DynamoDB's documented partition count: by throughput and by 10 GB of data."""
    by_size = -(-size // PARTITION_BYTES)
    if record["billing_mode"] == "PROVISIONED":
        provisioned = record["provisioned"]
        by_throughput = -(-(provisioned.get("read", 0) / PARTITION_READ_UNITS
                            + provisioned.get("write", 0) / PARTITION_WRITE_UNITS) // 1)
    else:
        by_throughput = ON_DEMAND_PARTITIONS
    return max(1, int(by_throughput), int(by_size))
