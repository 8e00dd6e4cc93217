"""Opt-in throttling: token buckets on the injectable clock, kept in the "meta" space.

Buckets live in the store (not in this process) so every process sharing a directory
drains the same ones; a bucket is refilled lazily from its last stamp when touched.
A request is admitted while every bucket it needs holds a positive balance, and then
pays its real units afterwards (the balance may go negative: the debt delays the next
requests), which is how DynamoDB lets one large request through a nearly empty bucket.

Buckets a request needs:
- PROVISIONED table: the table's read or write bucket at its provisioned rate, holding
  up to 300 s of unused capacity (burst); writes also need each GSI's write bucket
  (a GSI without write capacity holds back the base table's writes). A Query or Scan
  on a GSI needs that GSI's read bucket instead of the table's.
- Every table: the bucket of the partition its key falls in, at 3,000 RCU / 1,000 WCU
  per second, with partitions counted from size and throughput as DynamoDB documents.
- PAY_PER_REQUEST with OnDemandThroughput: MaxRead/MaxWriteRequestUnits per second.
UpdateTable changes rates at once: rates are read from the table's record each time.
"""

from __future__ import annotations

import struct
import threading
import zlib
from typing import Any

from ddblite.errors import ProvisionedThroughputExceededException

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

_STATE = struct.Struct(">dd")  # balance, stamp
# A balance this small counts as empty: epoch-second stamps carry float noise of this order.
EMPTY = 1e-6
_PARTITION = struct.Struct(">I")

# Requests pay into this process's copy of their buckets, written back to the store
# at most this often (clock seconds): a write writes its buckets back inside its own
# write transaction when due, a read in a small write transaction of its own when due.
# Other processes sharing the directory see the debits that much later.
FLUSH_SECONDS = 0.05


class Bucket:
    __slots__ = ("key", "rate", "burst", "balance", "stamp", "reason", "message", "index",
                 "pending")

    def __init__(self, key: bytes, rate: float, burst: float, reason: str, message: str,
                 raw: bytes | None, now: float, index: str | None) -> None:
        self.key = key
        self.index = index          # the GSI's name for an index bucket
        self.rate = rate
        self.burst = burst
        self.reason = reason
        self.message = message
        self.pending = 0.0          # debits not yet written back
        if raw is None:
            # INFERRED: a table starts with one second of its rate and saves what it
            # leaves unused from its creation on (`now` is then the creation time).
            self.balance = min(rate, burst)
            self.stamp = now
        else:
            self.balance, self.stamp = _STATE.unpack(raw)
            self.refill(now)

    def refill(self, now: float) -> None:
        if now > self.stamp:
            self.balance = min(self.burst, self.balance + self.rate * (now - self.stamp))
            self.stamp = now
        elif self.balance > self.burst:  # UpdateTable lowered the rate
            self.balance = self.burst


class Ledger:
    """This process's buckets. Every method takes the request's transaction (None for a
    read, which has none open any more) to load a bucket it has not seen yet."""

    def __init__(self, throttle: Throttle) -> None:
        self.throttle = throttle
        self.lock = threading.RLock()       # a server runs requests on several threads
        self.buckets: dict[bytes, Bucket] = {}
        self.partitions: dict[bytes, int] = {}
        self.flushed_at = throttle.clock.now()
        self._needed: tuple | None = None   # (request, buckets) of the last `needed`
        self._plans: dict[tuple, tuple] = {}

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
        bucket = self.buckets.get(key)
        if bucket is None:
            raw = self._raw(txn, key)
            created = min(now, table.record.get("created", now))
            bucket = self.buckets[key] = Bucket(key, rate, burst, reason, message, raw,
                                                created if raw is None else now, index)
            bucket.refill(now)
        else:  # the rate may have changed since (UpdateTable in another request)
            bucket.rate, bucket.burst = rate, burst
            bucket.refill(now)
        return bucket

    def _partition(self, txn, table, pk: Any) -> bytes:
        count = self.partitions.get(table.prefix)
        if count is None:
            count = self.partitions[table.prefix] = partitions(table.record,
                                                               self._size(txn, table))
        raw = pk.encode() if type(pk) is str else pk if isinstance(pk, bytes) else \
            str(pk).encode()
        return _PARTITION.pack(zlib.crc32(raw) % count)

    def needed(self, txn, table, write: bool, pk: Any, index=None) -> list[Bucket]:
        """The buckets a request on `table` (or its GSI `index`) must find positive."""
        request = (table, write, pk, index)
        if self._needed is not None and self._needed[0] == request:
            # `debit` right after `refusal` for the same request: the same buckets.
            buckets = self._needed[1]
            self._needed = None
            return buckets
        now = self.throttle.clock.now()
        fixed, partition = self._plan(table, write, index)
        buckets = [self._bucket(txn, table, now, *spec) for spec in fixed]
        if partition is not None and pk is not None:
            prefix, side, rate, reason = partition
            buckets.append(self._bucket(txn, table, now,
                                        prefix + self._partition(txn, table, pk) + side,
                                        rate, rate, reason, KEY_RANGE_EXCEEDED))
        self._needed = (request, buckets)
        return buckets

    def _plan(self, table, write: bool, index) -> tuple[list[tuple], tuple | None]:
        """The bucket specs of a kind of request, cached until the table's record changes
        (UpdateTable makes a new one): (key, rate, burst, reason, message, index name)
        for each fixed bucket, and the partition bucket's (prefix, side, rate, reason)."""
        name = index.name if index is not None and index.is_global else None
        cache_key = (table.prefix, write, name)
        cached = self._plans.get(cache_key)
        record = table.record
        if cached is not None and cached[0] is record:
            return cached[1], cached[2]
        kind = "Write" if write else "Read"
        side = b"w" if write else b"r"
        base = b"q:" + table.prefix
        fixed: list[tuple] = []
        partition = None
        provisioned = record["billing_mode"] == "PROVISIONED"
        if name is not None:
            spec = _gsi_spec(record, name)
            if provisioned and spec is not None:
                rate = float((spec.get("ProvisionedThroughput") or {}).get(
                    "WriteCapacityUnits" if write else "ReadCapacityUnits", 0))
                fixed.append((base + b"i" + name.encode() + side, rate, rate * BURST_SECONDS,
                              f"Index{kind}ProvisionedThroughputExceeded", INDEX_EXCEEDED,
                              name))
        else:
            if provisioned:
                rate = float(record["provisioned"].get("write" if write else "read", 0))
                fixed.append((base + b"t" + side, rate, rate * BURST_SECONDS,
                              f"Table{kind}ProvisionedThroughputExceeded", TABLE_EXCEEDED,
                              None))
                if write:
                    for spec in record.get("gsi") or ():
                        rate = float((spec.get("ProvisionedThroughput") or {}).get(
                            "WriteCapacityUnits", 0))
                        fixed.append((base + b"i" + spec["IndexName"].encode() + side, rate,
                                      rate * BURST_SECONDS,
                                      "IndexWriteProvisionedThroughputExceeded",
                                      INDEX_EXCEEDED, spec["IndexName"]))
            else:
                limit = (record.get("on_demand") or {}).get(
                    "MaxWriteRequestUnits" if write else "MaxReadRequestUnits")
                if limit is not None and limit > 0:
                    fixed.append((base + b"m" + side, float(limit), float(limit),
                                  f"Table{kind}MaxOnDemandThroughputExceeded",
                                  MAX_ON_DEMAND_EXCEEDED, None))
            partition = (base + b"p", side,
                         PARTITION_WRITE_UNITS if write else PARTITION_READ_UNITS,
                         f"Table{kind}KeyRangeThroughputExceeded")
        self._plans[cache_key] = (record, fixed, partition)
        return fixed, partition

    def refusal(self, txn, table, write: bool, pk: Any, index=None) -> Bucket | None:
        """The first needed bucket with nothing left, or None: the request may run."""
        with self.lock:
            self._needed = None
            for bucket in self.needed(txn, table, write, pk, index):
                if bucket.balance <= EMPTY:
                    return bucket
        return None

    def admit(self, txn, table, write: bool, pk: Any, index=None) -> None:
        bucket = self.refusal(txn, table, write, pk, index)
        if bucket is not None:
            self.throttle.usage.throttled(table.name, write)
            raise exceeded(bucket, table, self.throttle.arn(table))

    def debit(self, txn, table, write: bool, units: float, pk: Any, index=None,
              index_units: dict | None = None) -> None:
        """Pay a request's units from every bucket it needed (a GSI pays its own)."""
        with self.lock:
            for bucket in self.needed(txn, table, write, pk, index):
                cost = units
                if write and bucket.index is not None:
                    cost = (index_units or {}).get(bucket.index, 0.0)
                bucket.balance -= cost
                bucket.pending += cost

    def take(self, txn, table, write: bool, units: float, pk: Any, index=None) -> None:
        """admit + debit in one pass, for a request whose units are already known."""
        with self.lock:
            self._needed = None
            buckets = self.needed(txn, table, write, pk, index)
            self._needed = None
            for bucket in buckets:
                if bucket.balance <= EMPTY:
                    self.throttle.usage.throttled(table.name, write)
                    raise exceeded(bucket, table, self.throttle.arn(table))
            for bucket in buckets:
                bucket.balance -= units
                bucket.pending += units

    def due(self) -> bool:
        now = self.throttle.clock.now()
        return now - self.flushed_at >= FLUSH_SECONDS or now < self.flushed_at

    def flush(self, txn) -> None:
        """Write pending debits back: added to what the store holds now (other
        processes' debits included), which becomes this process's balance."""
        with self.lock:
            now = self.throttle.clock.now()
            for bucket in self.buckets.values():
                if not bucket.pending:
                    continue
                raw = txn.get("meta", bucket.key)
                if raw is not None:
                    stored = Bucket(bucket.key, bucket.rate, bucket.burst, "", "", raw, now,
                                    None)
                    bucket.balance = stored.balance - bucket.pending
                    bucket.stamp = max(stored.stamp, bucket.stamp)
                txn.put("meta", bucket.key, _STATE.pack(bucket.balance, bucket.stamp))
                bucket.pending = 0.0
            self.partitions.clear()
            self._needed = None
            self.flushed_at = now


class Bound:
    """The ledger seen from one write transaction (what ops hold while they write)."""

    __slots__ = ("ledger", "txn")

    def __init__(self, ledger: Ledger, txn) -> None:
        self.ledger = ledger
        self.txn = txn

    def refusal(self, table, write: bool, pk: Any, index=None) -> Bucket | None:
        return self.ledger.refusal(self.txn, table, write, pk, index)

    def admit(self, table, write: bool, pk: Any, index=None) -> None:
        self.ledger.admit(self.txn, table, write, pk, index)

    def debit(self, table, write: bool, units: float, pk: Any, index=None,
              index_units: dict | None = None) -> None:
        self.ledger.debit(self.txn, table, write, units, pk, index, index_units)

    def save(self, txn) -> None:
        """Write the buckets back in this transaction when a flush is due."""
        if self.ledger.due():
            self.ledger.flush(txn)


class Throttle:
    """Throttling for one Database (None on `db.throttle` when off)."""

    def __init__(self, db) -> None:
        self.db = db
        self.clock = db.clock
        self.usage = db.usage_counters
        self.buckets = Ledger(self)

    def ledger(self, txn) -> Bound:
        """The buckets for a write, inside its write transaction (`save` before commit)."""
        return Bound(self.buckets, txn)

    def arn(self, table) -> str:
        return f"arn:aws:dynamodb:{table.region}:{self.db.account_id}:table/{table.name}"

    def read(self, table, units: float, pk: Any = None, index=None) -> None:
        """A read already done: refused (ProvisionedThroughputExceededException) when a
        bucket it needs is empty, else paid."""
        self.buckets.take(None, table, False, units, pk, index)
        if self.buckets.due():
            self.flush()

    def read_batch(self, requests: list, refuse_all: bool) -> list[bool]:
        """Batch reads: [(table, units, pk)] -> admitted flags, paying the admitted.
        With refuse_all, one refusal refuses the whole batch (TransactGetItems)."""
        ledger = self.buckets
        with ledger.lock:
            admitted = []
            for table, units, pk in requests:
                ok = ledger.refusal(None, table, False, pk) is None
                admitted.append(ok)
                if ok and not refuse_all:
                    ledger.debit(None, table, False, units, pk)
            if refuse_all and all(admitted):
                for table, units, pk in requests:
                    ledger.debit(None, table, False, units, pk)
        self._maybe_flush()
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

    def _maybe_flush(self) -> None:
        if self.buckets.due():
            self.flush()

    def flush(self) -> None:
        """Write this process's pending debits back now."""
        self.db.storage.write(self.buckets.flush)


def exceeded(bucket: Bucket, table, arn: str) -> ProvisionedThroughputExceededException:
    resource = arn if bucket.index is None else f"{arn}/index/{bucket.index}"
    return ProvisionedThroughputExceededException(
        bucket.message, ThrottlingReasons=[{"reason": bucket.reason, "resource": resource}]
    )


def _gsi_spec(record: dict, name: str) -> dict | None:
    for spec in record.get("gsi") or ():
        if spec["IndexName"] == name:
            return spec
    return None


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
