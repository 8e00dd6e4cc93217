# cython: language_level=3
"""Compiled twin of :mod:`ddblite._usage_pure` (the per-request usage counter).

Same classes, attributes and behaviour; ``ddblite._usage_pure`` documents them.
"""

from ddblite._usage_pure import MAX_TRACKED_KEYS, drop_coldest

cdef Py_ssize_t _MAX_KEYS = MAX_TRACKED_KEYS


cdef class TableUsage:
    cdef public double read_units, write_units
    cdef public long long reads, writes, throttled_reads, throttled_writes
    cdef public dict indexes, read_keys, write_keys

    def __init__(self):
        self.read_units = 0.0
        self.write_units = 0.0
        self.reads = 0
        self.writes = 0
        self.indexes = {}
        self.throttled_reads = 0
        self.throttled_writes = 0
        self.read_keys = {}
        self.write_keys = {}


cdef class UsageCore:
    cdef public dict tables

    def __init__(self):
        self.tables = {}

    def table(self, str name):
        usage = self.tables.get(name)
        if usage is None:
            usage = TableUsage()
            self.tables[name] = usage
        return usage

    cpdef charge(self, table, bint write, double units, index_units, key=None,
                 long long requests=1):
        cdef TableUsage usage
        cdef dict keys
        cdef int slot
        found = self.tables.get(table)
        if found is None:
            found = self.table(table)
        usage = <TableUsage>found
        if index_units:
            slot = 1 if write else 0
            for name, value in index_units.items():
                pair = usage.indexes.get(name)
                if pair is None:
                    pair = [0.0, 0.0]
                    usage.indexes[name] = pair
                pair[slot] += value
                units += value
        if write:
            usage.write_units += units
            usage.writes += requests
            keys = usage.write_keys
        else:
            usage.read_units += units
            usage.reads += requests
            keys = usage.read_keys
        if key is not None:
            keys[key] = keys.get(key, 0.0) + units
            if len(keys) > _MAX_KEYS:
                drop_coldest(keys)

    def charge_read(self, table, long long size, bint consistent, dict pk_attribute):
        cdef long long units = (size + 4095) // 4096
        cdef double charged
        if units < 1:
            units = 1
        charged = <double>units if consistent else units / 2.0
        key = None
        for value in pk_attribute.values():
            key = value
            break
        self.charge(table, False, charged, None, key)
        return charged

    def charge_item(self, table, bint write, double units, dict pk_attribute):
        key = None
        for value in pk_attribute.values():
            key = value
            break
        self.charge(table, write, units, None, key)

    def throttled(self, table, write):
        cdef TableUsage usage = <TableUsage>self.table(table)
        if write:
            usage.throttled_writes += 1
        else:
            usage.throttled_reads += 1
