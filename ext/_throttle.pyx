# cython: language_level=3
"""Compiled twin of :mod:`ddblite._throttle_pure` (the throttle's per-request bookkeeping).

Same classes, attributes and behaviour; ``ddblite._throttle_pure`` documents them.
Plans are kept in one dict per kind (reads, writes by TableInfo; GSI reads by
(table, write, name)) so the common lookups hash one object, and the lock is a C
lock taken without a Python call when nobody holds it.
"""

from cpython.pythread cimport (
    NOWAIT_LOCK,
    WAIT_LOCK,
    PyThread_acquire_lock,
    PyThread_allocate_lock,
    PyThread_free_lock,
    PyThread_release_lock,
    PyThread_type_lock,
)
from cpython.unicode cimport PyUnicode_AsUTF8AndSize
from libc.stdint cimport uint32_t

from ddblite._throttle_pure import EMPTY as _PY_EMPTY
from ddblite._throttle_pure import FLUSH_SECONDS as _PY_FLUSH
from ddblite.engine.capacity import READ_UNIT_BYTES as _PY_READ_UNIT

EMPTY = _PY_EMPTY
FLUSH_SECONDS = _PY_FLUSH
cdef double _EMPTY = _PY_EMPTY
cdef double _FLUSH = _PY_FLUSH
cdef long long _READ_UNIT = _PY_READ_UNIT


cdef class Bucket:
    cdef public object key, reason, message, index
    cdef public double rate, burst, balance, stamp, pending

    def __init__(self, key, double rate, double burst, double balance, double stamp,
                 reason, message, index):
        self.key = key
        self.rate = rate
        self.burst = burst
        self.balance = balance
        self.stamp = stamp
        self.pending = 0.0
        self.reason = reason
        self.message = message
        self.index = index

    cpdef refill(self, double now):
        cdef double balance
        if now > self.stamp:
            balance = self.balance + self.rate * (now - self.stamp)
            self.balance = balance if balance < self.burst else self.burst
            self.stamp = now
        elif self.balance > self.burst:
            self.balance = self.burst

    cpdef pay(self, double units):
        self.balance -= units
        self.pending += units


cdef class Plan:
    cdef public list fixed, parts
    cdef public object part_prefix, part_side, part_reason, part_index
    cdef public double part_rate

    def __init__(self, list fixed, Py_ssize_t partitions, part_prefix, part_side,
                 double part_rate, part_reason, part_index=None):
        self.fixed = fixed
        self.parts = [None] * partitions if part_prefix is not None else []
        self.part_prefix = part_prefix
        self.part_side = part_side
        self.part_rate = part_rate
        self.part_reason = part_reason
        self.part_index = part_index


def partition_slot(pk, Py_ssize_t count):
    return _slot(pk, count)


cdef Py_ssize_t _slot(pk, Py_ssize_t count) except -1:
    cdef const char* data
    cdef Py_ssize_t size, i
    cdef uint32_t digest = 0x811C9DC5
    if type(pk) is str:
        data = PyUnicode_AsUTF8AndSize(pk, &size)
    elif type(pk) is bytes:
        data = <bytes>pk
        size = len(<bytes>pk)
    else:
        raw = str(pk).encode()
        data = <bytes>raw
        size = len(<bytes>raw)
    for i in range(size):
        digest = (digest ^ <unsigned char>data[i]) * <uint32_t>0x01000193
    return digest % count


cdef inline object _first_value(dict attribute):
    for value in attribute.values():
        return value
    return None


cdef class Lock:
    """A non-reentrant lock for `with`; waits with the GIL released when held."""

    cdef PyThread_type_lock handle

    def __cinit__(self):
        self.handle = PyThread_allocate_lock()
        if self.handle is NULL:
            raise MemoryError()

    def __dealloc__(self):
        if self.handle is not NULL:
            PyThread_free_lock(self.handle)

    cdef inline void take(self):
        if not PyThread_acquire_lock(self.handle, NOWAIT_LOCK):
            with nogil:
                PyThread_acquire_lock(self.handle, WAIT_LOCK)

    cdef inline void give(self):
        PyThread_release_lock(self.handle)

    def __enter__(self):
        self.take()
        return self

    def __exit__(self, *exc):
        self.give()
        return False


cdef class LedgerCore:
    cdef public object clock_now
    cdef public Lock lock
    cdef public dict buckets
    cdef public double flushed_at, now
    cdef dict read_plans, write_plans, index_plans
    cdef object _request_table, _request_pk, _request_index
    cdef bint _request_write, _has_request
    cdef list _found_fixed
    cdef Bucket _found_part

    def __init__(self, now):
        self.clock_now = now
        self.lock = Lock()
        self.buckets = {}
        self.read_plans = {}
        self.write_plans = {}
        self.index_plans = {}
        self.flushed_at = now()
        self.now = self.flushed_at
        self._has_request = False

    @property
    def plans(self):
        """Every plan, keyed as the pure twin keys them: (table, write, GSI name)."""
        found = {(table, False, None): plan for table, plan in self.read_plans.items()}
        found.update({(table, True, None): plan for table, plan in self.write_plans.items()})
        found.update(self.index_plans)
        return found

    def build_plan(self, txn, table, write, index, now):
        raise NotImplementedError

    def load_partition(self, txn, table, plan, slot, now):
        raise NotImplementedError

    def refuse(self, bucket, table, write):
        raise NotImplementedError

    def flush_due(self):
        raise NotImplementedError

    def flush(self, txn):
        raise NotImplementedError

    def forget_plans(self):
        self.read_plans.clear()
        self.write_plans.clear()
        self.index_plans.clear()
        self._has_request = False

    cdef Plan _plan(self, txn, table, bint write, index, double now):
        cdef dict plans
        if index is not None and index.is_global:
            cache_key = (table, write, index.name)
            plans = self.index_plans
        else:
            cache_key = table
            plans = self.write_plans if write else self.read_plans
        found = plans.get(cache_key)
        if found is None:
            found = self.build_plan(txn, table, write, index, now)
            plans[cache_key] = found
        return <Plan>found

    cdef Bucket _part(self, txn, table, Plan plan, pk, double now):
        """The partition bucket of `pk` (None when the plan has none), refilled; the
        fixed buckets are refilled too."""
        cdef Bucket part
        cdef Py_ssize_t slot
        for item in plan.fixed:
            (<Bucket>item).refill(now)
        if plan.part_prefix is None or pk is None:
            return None
        slot = _slot(pk, len(plan.parts))
        found = plan.parts[slot]
        if found is None:
            found = self.load_partition(txn, table, plan, slot, now)
            plan.parts[slot] = found
        part = <Bucket>found
        part.refill(now)
        return part

    def refusal(self, txn, table, bint write, pk, index=None):
        return self._refusal(txn, table, write, pk, index)

    cdef object _refusal(self, txn, table, bint write, pk, index):
        cdef Plan plan
        cdef Bucket part
        self.lock.take()
        try:
            self.now = self.clock_now()
            plan = self._plan(txn, table, write, index, self.now)
            part = self._part(txn, table, plan, pk, self.now)
            self._has_request = True
            self._request_table = table
            self._request_write = write
            self._request_pk = pk
            self._request_index = index
            self._found_fixed = plan.fixed
            self._found_part = part
            return _empty(plan.fixed, part)
        finally:
            self.lock.give()

    def admit(self, txn, table, bint write, pk, index=None):
        bucket = self._refusal(txn, table, write, pk, index)
        if bucket is not None:
            self.refuse(bucket, table, write)

    def debit(self, txn, table, bint write, double units, pk, index=None, index_units=None):
        self._debit(txn, table, write, units, pk, index, index_units)

    cdef _debit(self, txn, table, bint write, double units, pk, index, index_units):
        cdef Plan plan
        cdef list fixed
        cdef Bucket part, bucket
        self.lock.take()
        try:
            if self._has_request and self._request_table is table \
                    and self._request_write == write and self._request_pk == pk \
                    and self._request_index is index:
                fixed = self._found_fixed
                part = self._found_part
            else:
                plan = self._plan(txn, table, write, index, self.now)
                part = self._part(txn, table, plan, pk, self.now)
                fixed = plan.fixed
            self._has_request = False
            self._request_table = self._request_pk = self._request_index = None
            for item in fixed:
                bucket = <Bucket>item
                if bucket.index is None:
                    bucket.pay(units)
                elif index_units:
                    bucket.pay(index_units.get(bucket.index, 0.0))
                else:
                    bucket.pay(0.0)
            if part is not None:
                part.pay(units)
        finally:
            self.lock.give()

    def read(self, table, double units, pk=None, index=None):
        self._read(table, units, pk, index)

    def read_item(self, table, long long size, bint consistent, dict key):
        cdef long long units = (size + _READ_UNIT - 1) // _READ_UNIT
        if units < 1:
            units = 1
        self._read(table, <double>units if consistent else units / 2.0,
                   _first_value(key[table.pk_name]), None)

    cdef _read(self, table, double units, pk, index):
        cdef Plan plan
        cdef Bucket part
        cdef double now
        cdef bint due
        self.lock.take()
        try:
            now = self.now = self.clock_now()
            plan = self._plan(None, table, False, index, now)
            part = self._part(None, table, plan, pk, now)
            self._has_request = False
            refused = _empty(plan.fixed, part)
            if refused is None:
                for item in plan.fixed:
                    (<Bucket>item).pay(units)
                if part is not None:
                    part.pay(units)
            due = now - self.flushed_at >= _FLUSH or now < self.flushed_at
        finally:
            self.lock.give()
        if refused is not None:
            self.refuse(refused, table, False)
        if due:
            self.flush_due()

    cdef inline bint _due(self):
        return self.now - self.flushed_at >= _FLUSH or self.now < self.flushed_at

    def due(self):
        return self._due()


cdef object _empty(list fixed, Bucket part):
    for item in fixed:
        if (<Bucket>item).balance <= _EMPTY:
            return item
    if part is not None and part.balance <= _EMPTY:
        return part
    return None


cdef class Bound:
    cdef public LedgerCore ledger
    cdef public object txn

    def __init__(self, LedgerCore ledger, txn):
        self.ledger = ledger
        self.txn = txn

    def refusal(self, table, bint write, pk, index=None):
        return self.ledger._refusal(self.txn, table, write, pk, index)

    def admit(self, table, bint write, pk, index=None):
        self.ledger.admit(self.txn, table, write, pk, index)

    def admit_item(self, table, dict key):
        bucket = self.ledger._refusal(self.txn, table, True, _first_value(key[table.pk_name]),
                                      None)
        if bucket is not None:
            self.ledger.refuse(bucket, table, True)

    def debit(self, table, bint write, double units, pk, index=None, index_units=None):
        self.ledger._debit(self.txn, table, write, units, pk, index, index_units)

    def settle(self, table, double units, dict key, index_units):
        self.ledger._debit(self.txn, table, True, units, _first_value(key[table.pk_name]),
                           None, index_units)
        if self.ledger._due():
            self.ledger.flush(self.txn)

    def save(self, txn):
        if self.ledger._due():
            self.ledger.flush(txn)
