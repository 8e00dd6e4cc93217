"""In-memory backend: one SortedDict per space, behind ":memory:".

Transactions are serialised by one re-entrant lock; a write transaction keeps
an undo log so an exception rolls every change back.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from typing import TypeVar

from sortedcontainers import SortedDict

from ddblite.storage.interface import SERIAL_BITS, SPACES, ReadTxn, Storage, WriteTxn

T = TypeVar("T")
_MISSING = object()
_CHUNK = 256


class _MemoryTxn(WriteTxn):
    __slots__ = ("_spaces", "_undo", "_writable", "_number", "_serials")

    def __init__(self, spaces: dict[str, SortedDict], writable: bool, number: int) -> None:
        self._spaces = spaces
        self._writable = writable
        self._undo: list[tuple[SortedDict, bytes, object]] = []
        # A write's own number; a read's is the last write's.
        self._number = number
        self._serials = 0

    def serial_floor(self) -> int:
        if self._writable:
            return (self._number << SERIAL_BITS) | self._serials
        return (self._number + 1) << SERIAL_BITS

    def next_serial(self) -> int:
        serial = (self._number << SERIAL_BITS) | self._serials
        self._serials += 1
        return serial

    def get(self, space: str, key: bytes) -> bytes | None:
        return self._spaces[space].get(key)

    def range(
        self, space: str, start: bytes, end: bytes | None, reverse: bool = False
    ) -> Iterator[tuple[bytes, bytes]]:
        data = self._spaces[space]
        # Walk in chunks, re-seeking after each one, so callers may write to the
        # space between steps and a long scan never copies the whole key list.
        low, high, low_inclusive = start, end, True
        while True:
            keys = data.irange(low, high, inclusive=(low_inclusive, False), reverse=reverse)
            chunk = list(itertools.islice(keys, _CHUNK))
            for key in chunk:
                value = data.get(key)
                if value is not None:
                    yield key, value
            if len(chunk) < _CHUNK:
                return
            if reverse:
                high = chunk[-1]  # the upper bound is exclusive already
            else:
                low, low_inclusive = chunk[-1], False

    def put(self, space: str, key: bytes, value: bytes) -> None:
        if not self._writable:
            raise RuntimeError("write inside a read transaction")
        data = self._spaces[space]
        self._undo.append((data, key, data.get(key, _MISSING)))
        data[key] = bytes(value)

    def delete(self, space: str, key: bytes) -> bool:
        if not self._writable:
            raise RuntimeError("write inside a read transaction")
        data = self._spaces[space]
        old = data.pop(key, _MISSING)
        if old is _MISSING:
            return False
        self._undo.append((data, key, old))
        return True

    def rollback(self) -> None:
        for data, key, old in reversed(self._undo):
            if old is _MISSING:
                data.pop(key, None)
            else:
                data[key] = old
        self._undo.clear()


class MemoryStorage(Storage):
    def __init__(self) -> None:
        self._spaces = {name: SortedDict() for name in SPACES}
        self._lock = threading.RLock()
        self._writes = 0  # write transactions begun (their numbers)

    def read(self, fn: Callable[[ReadTxn], T]) -> T:
        with self._lock:
            return fn(_MemoryTxn(self._spaces, False, self._writes))

    def write(self, fn: Callable[[WriteTxn], T]) -> T:
        with self._lock:
            self._writes += 1
            txn = _MemoryTxn(self._spaces, True, self._writes)
            try:
                return fn(txn)
            except BaseException:
                txn.rollback()
                raise

    def close(self) -> None:
        pass
