"""The throttle's per-request bookkeeping: token buckets and the ledger's hot path.

Pure-Python twin of the compiled ``ddblite._throttle`` (ext/_throttle.pyx): same
classes, attributes and behaviour. ddblite.engine.throttle builds on `LedgerCore`:
it supplies the cold steps (building a plan from a table's record, loading a bucket
from the store, raising the refusal, writing buckets back) and keeps the rules.

A bucket is refilled lazily from its last stamp when a request touches it. A request
is admitted while every bucket it needs holds a positive balance, and then pays its
real units (the balance may go negative: the debt delays the next requests).
"""

from __future__ import annotations

import threading

from ddblite.engine.capacity import read_units

# A balance this small counts as empty: epoch-second stamps carry float noise of this order.
EMPTY = 1e-6
# Requests pay into this process's copy of their buckets, written back to the store at
# most this often (clock seconds), so other processes see the debits that much later.
FLUSH_SECONDS = 0.05


class Bucket:
    """One token bucket: `rate` units a second, holding at most `burst`."""

    __slots__ = ("key", "rate", "burst", "balance", "stamp", "pending", "reason", "message",
                 "index")

    def __init__(self, key: bytes, rate: float, burst: float, balance: float, stamp: float,
                 reason: str, message: str, index: str | None) -> None:
        self.key = key              # where it is stored in the "meta" space
        self.rate = rate
        self.burst = burst
        self.balance = balance
        self.stamp = stamp          # clock time `balance` was last brought up to
        self.pending = 0.0          # debits not yet written back to the store
        self.reason = reason        # ThrottlingReasons' reason when it refuses
        self.message = message
        self.index = index          # the GSI's name for an index bucket

    def refill(self, now: float) -> None:
        if now > self.stamp:
            balance = self.balance + self.rate * (now - self.stamp)
            self.balance = balance if balance < self.burst else self.burst
            self.stamp = now
        elif self.balance > self.burst:  # UpdateTable lowered the rate
            self.balance = self.burst

    def pay(self, units: float) -> None:
        self.balance -= units
        self.pending += units


class Plan:
    """The buckets one kind of request needs (a table's reads or writes, a GSI's reads):
    the fixed ones, and one per partition, made when a key first falls in it."""

    __slots__ = ("fixed", "parts", "part_prefix", "part_side", "part_rate", "part_reason",
                 "part_index")

    def __init__(self, fixed: list, partitions: int, part_prefix: bytes | None,
                 part_side: bytes, part_rate: float, part_reason: str,
                 part_index: str | None = None) -> None:
        self.fixed = fixed
        self.parts: list = [None] * partitions if part_prefix is not None else []
        self.part_prefix = part_prefix      # None: no partition buckets
        self.part_side = part_side
        self.part_rate = part_rate
        self.part_reason = part_reason
        self.part_index = part_index        # the GSI whose partitions these are


def partition_slot(pk, count: int) -> int:
    """The partition (0..count-1) a partition key value falls in: FNV-1a of its bytes."""
    raw = pk.encode() if type(pk) is str else pk if type(pk) is bytes else str(pk).encode()
    digest = 0x811C9DC5
    for byte in raw:
        digest = ((digest ^ byte) * 0x01000193) & 0xFFFFFFFF
    return digest % count


def _first_value(attribute: dict):
    """The plain value of a key attribute ({"S": "x"} -> "x")."""
    for value in attribute.values():
        return value
    return None


class LedgerCore:
    """This process's buckets and the per-request steps. Methods take the request's
    transaction (None for a read, which has none open any more) for the cold steps a
    subclass supplies: `build_plan`, `load_partition`, `refuse`, `flush_due`, `flush`."""

    def __init__(self, now) -> None:
        self.clock_now = now                # the injected clock's `now`
        self.lock = threading.Lock()        # a server runs requests on several threads
        self.buckets: dict[bytes, Bucket] = {}
        self.plans: dict = {}               # (table, write, GSI name or None) -> Plan
        self.flushed_at = now()
        self.now = self.flushed_at          # the clock as the last request saw it
        # The buckets `refusal` found for its request, which `debit` pays next.
        self._request: tuple | None = None
        self._found: tuple = ((), None)

    # ------------------------------------------------------------ cold steps
    def build_plan(self, txn, table, write: bool, index, now: float) -> Plan:
        raise NotImplementedError

    def load_partition(self, txn, table, plan: Plan, slot: int, now: float) -> Bucket:
        raise NotImplementedError

    def refuse(self, bucket: Bucket, table, write: bool) -> None:
        raise NotImplementedError

    def flush_due(self) -> None:
        raise NotImplementedError

    def flush(self, txn) -> None:
        raise NotImplementedError

    def forget_plans(self) -> None:
        """Drop every plan (made anew on the next request): after a flush, so partition
        counts follow the table's size and no old table schema is kept alive."""
        self.plans.clear()
        self._request = None

    # ------------------------------------------------------------ hot path
    def _find(self, txn, table, write: bool, pk, index, now: float) -> tuple:
        """(fixed buckets, partition bucket or None) of a request, refilled to `now`."""
        name = index.name if index is not None and index.is_global else None
        plan = self.plans.get((table, write, name))
        if plan is None:
            plan = self.plans[(table, write, name)] = self.build_plan(txn, table, write,
                                                                      index, now)
        for bucket in plan.fixed:
            bucket.refill(now)
        part = None
        if plan.part_prefix is not None and pk is not None:
            slot = partition_slot(pk, len(plan.parts))
            part = plan.parts[slot]
            if part is None:
                part = plan.parts[slot] = self.load_partition(txn, table, plan, slot, now)
            part.refill(now)
        return plan.fixed, part

    def refusal(self, txn, table, write: bool, pk, index=None) -> Bucket | None:
        """The first needed bucket with nothing left, or None: the request may run."""
        with self.lock:
            now = self.now = self.clock_now()
            found = self._find(txn, table, write, pk, index, now)
            self._request = (table, write, pk, index)
            self._found = found
            return _empty(found)

    def admit(self, txn, table, write: bool, pk, index=None) -> None:
        """`refusal`, raised (through `refuse`) when a bucket is empty."""
        bucket = self.refusal(txn, table, write, pk, index)
        if bucket is not None:
            self.refuse(bucket, table, write)

    def debit(self, txn, table, write: bool, units: float, pk, index=None,
              index_units: dict | None = None) -> None:
        """Pay a request's units from every bucket it needs (a GSI's write bucket pays
        that index's units)."""
        with self.lock:
            request = self._request
            if request is not None and request[0] is table and request[1] == write and \
                    request[2] == pk and request[3] is index:
                found = self._found  # `refusal` of this very request just found them
            else:
                found = self._find(txn, table, write, pk, index, self.now)
            self._request = None
            fixed, part = found
            for bucket in fixed:
                if bucket.index is None:
                    bucket.pay(units)
                else:
                    bucket.pay(index_units.get(bucket.index, 0.0) if index_units else 0.0)
            if part is not None:
                part.pay(units)

    def read(self, table, units: float, pk=None, index=None) -> None:
        """A read already done: refused (through `refuse`) when a bucket it needs is
        empty, else paid; the buckets are written back when that is due."""
        with self.lock:
            now = self.now = self.clock_now()
            found = self._find(None, table, False, pk, index, now)
            self._request = None
            refused = _empty(found)
            if refused is None:
                fixed, part = found
                for bucket in fixed:
                    bucket.pay(units)
                if part is not None:
                    part.pay(units)
            due = now - self.flushed_at >= FLUSH_SECONDS or now < self.flushed_at
        if refused is not None:
            self.refuse(refused, table, False)
        if due:
            self.flush_due()

    def read_item(self, table, size: int, consistent, key: dict) -> None:
        """`read` of GetItem: its units from the item's size, its key's partition."""
        self.read(table, read_units(size, consistent), _first_value(key[table.pk_name]))

    def due(self) -> bool:
        """Whether this process's debits are due to be written back."""
        now = self.now
        return now - self.flushed_at >= FLUSH_SECONDS or now < self.flushed_at


def _empty(found: tuple) -> Bucket | None:
    fixed, part = found
    for bucket in fixed:
        if bucket.balance <= EMPTY:
            return bucket
    if part is not None and part.balance <= EMPTY:
        return part
    return None


class Bound:
    """The ledger seen from one write transaction (what ops hold while they write)."""

    __slots__ = ("ledger", "txn")

    def __init__(self, ledger: LedgerCore, txn) -> None:
        self.ledger = ledger
        self.txn = txn

    def refusal(self, table, write: bool, pk, index=None) -> Bucket | None:
        return self.ledger.refusal(self.txn, table, write, pk, index)

    def admit(self, table, write: bool, pk, index=None) -> None:
        self.ledger.admit(self.txn, table, write, pk, index)

    def admit_item(self, table, key: dict) -> None:
        """`admit` of a single-item write, by the item's key."""
        self.ledger.admit(self.txn, table, True, _first_value(key[table.pk_name]))

    def debit(self, table, write: bool, units: float, pk, index=None,
              index_units: dict | None = None) -> None:
        self.ledger.debit(self.txn, table, write, units, pk, index, index_units)

    def settle(self, table, units: float, key: dict, index_units: dict | None) -> None:
        """A write's `debit` by its item's key, then `save` in its transaction."""
        self.ledger.debit(self.txn, table, True, units, _first_value(key[table.pk_name]),
                          None, index_units)
        self.save(self.txn)

    def save(self, txn) -> None:
        """Write the buckets back in this transaction when a flush is due."""
        if self.ledger.due():
            self.ledger.flush(txn)
