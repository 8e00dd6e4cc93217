"""The narrow storage interface every backend implements.

A backend holds a few ordered byte-keyed spaces ("sub-databases"). All access
goes through transactions: a read transaction sees one consistent snapshot, a
write transaction commits every change together or none of them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from typing import TypeVar

# The spaces every backend provides: table metadata and counters, items,
# secondary-index entries and stream records.
SPACES = ("meta", "items", "index", "stream")

T = TypeVar("T")


class ReadTxn(ABC):
    @abstractmethod
    def get(self, space: str, key: bytes) -> bytes | None: ...

    @abstractmethod
    def range(
        self, space: str, start: bytes, end: bytes | None, reverse: bool = False
    ) -> Iterator[tuple[bytes, bytes]]:
        """Pairs with start <= key < end (end None: to the end), in key order or reversed."""


    def snapshot_id(self) -> int | None:
        """An id that changes whenever anything was committed (None: not tracked)."""
        return None

    @abstractmethod
    def serial_floor(self) -> int:
        """A number no serial handed out by a later write (see next_serial) is below."""


# Serials: a write transaction's number shifted left by SERIAL_BITS, plus a count
# within it (stream sequence numbers). The store already numbers its commits, so this
# costs no read or write of a counter of its own.
SERIAL_BITS = 20


class WriteTxn(ReadTxn):
    @abstractmethod
    def next_serial(self) -> int:
        """A number above every serial of the transactions committed before this one,
        increasing with each call within it."""

    @abstractmethod
    def put(self, space: str, key: bytes, value: bytes) -> None: ...

    @abstractmethod
    def delete(self, space: str, key: bytes) -> bool:
        """Remove a key; True when it existed."""


class Storage(ABC):
    @abstractmethod
    def read(self, fn: Callable[[ReadTxn], T]) -> T:
        """Run fn inside one read transaction and return its result."""

    @abstractmethod
    def write(self, fn: Callable[[WriteTxn], T]) -> T:
        """Run fn inside one write transaction: commit on return, roll back on exception."""

    @abstractmethod
    def close(self) -> None: ...

    def sync(self) -> None:  # noqa: B027 - optional hook, a no-op by default
        """Flush to stable storage (no-op where there is nothing to flush)."""


def prefix_end(prefix: bytes) -> bytes | None:
    """The smallest key greater than every key starting with prefix (None: no bound)."""
    stripped = prefix.rstrip(b"\xff")
    if not stripped:
        return None
    return stripped[:-1] + bytes([stripped[-1] + 1])
