"""LMDB backend: the default, durable, multi-process store.

This is the only module that imports lmdb. One environment per database
directory holds one named sub-database per space. Every write transaction
commits atomically; readers never block writers.

Durability settings:
  full  - fsync on every commit: an acknowledged write survives power loss.
  lazy  - LMDB's MDB_NOMETASYNC plus group commit. Each commit flushes its data
          pages but not the meta page that makes it current; the next commit's
          flush (or the background sync every `sync_interval` seconds) carries
          it. Data always reaches the disk before the meta page that points to
          it, so LMDB keeps the store consistent: an OS crash or power loss can
          undo the last commit (one group of writes, until the background sync
          within `sync_interval`), never corrupt. Concurrent writers of a
          process share one commit, and so one flush: a leader runs every
          queued write in its own nested transaction (a failing one is rolled
          back alone) and commits them together.
  nosync - the former lazy: no flush on commit, only the background sync. The
          fastest, but LMDB (MDB_NOSYNC) promises no corruption after an OS
          crash only on a file system that keeps write order. Kept for
          comparison (benchmarks/bench_durability.py).
A process crash loses no acknowledged write in any setting (the OS holds the pages).
"""

from __future__ import annotations

import bisect
import os
import threading
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

import lmdb
import msgpack

from ddblite.storage.interface import SERIAL_BITS, SPACES, ReadTxn, Storage, WriteTxn

T = TypeVar("T")

# Address space is reserved, not allocated: the file grows as data is written.
_INITIAL_MAP_SIZE = 1 << 30
_MAX_GROW_ATTEMPTS = 40


# LMDB refuses keys over 511 bytes, but DynamoDB keys reach 2048 + 1024 bytes.
# A longer key K lives in a "bucket" record stored under K[:_MAX_DIRECT] + 0x00:
# a sorted msgpack list of [full key, value] pairs for every long key sharing
# that prefix. The bucket key sorts right where its members belong (after the
# short key K[:_MAX_DIRECT], before anything not starting with it), so ordered
# range reads stay correct; short keys pay only a length check.
_MAX_DIRECT = 500


def _bucket_key(key: bytes) -> bytes:
    return key[:_MAX_DIRECT] + b"\x00"


class _LmdbTxn(WriteTxn):
    __slots__ = ("_txn", "_dbs", "_writable", "_serials")

    def __init__(self, txn: lmdb.Transaction, dbs: dict[str, object], writable: bool = False):
        self._txn = txn
        self._dbs = dbs
        self._writable = writable
        self._serials = 0

    def serial_floor(self) -> int:
        # LMDB numbers write transactions in commit order, across processes; a read
        # sees the number of the last commit. An aborted write's number is reused, but
        # nothing it handed out was kept.
        if self._writable:
            return (self._txn.id() << SERIAL_BITS) | self._serials
        return (self._txn.id() + 1) << SERIAL_BITS

    def next_serial(self) -> int:
        serial = (self._txn.id() << SERIAL_BITS) | self._serials
        self._serials += 1
        return serial

    def get(self, space: str, key: bytes) -> bytes | None:
        if len(key) <= _MAX_DIRECT:
            return self._txn.get(key, db=self._dbs[space])
        entries = self._bucket(space, key)
        i = bisect.bisect_left(entries, [key])
        if i < len(entries) and entries[i][0] == key:
            return entries[i][1]
        return None

    def snapshot_id(self) -> int | None:
        # LMDB's transaction id: a read sees the id of the last committed write. A
        # write's own id is not a snapshot (it may abort and be reused by another
        # process's commit), so writes report none.
        return None if self._writable else self._txn.id()

    def _bucket(self, space: str, key: bytes) -> list[list]:
        raw = self._txn.get(_bucket_key(key), db=self._dbs[space])
        return msgpack.unpackb(raw) if raw is not None else []

    def range(
        self, space: str, start: bytes, end: bytes | None, reverse: bool = False
    ) -> Iterator[tuple[bytes, bytes]]:
        raw_start = start if len(start) <= _MAX_DIRECT else _bucket_key(start)
        for key, value in self._raw_range(space, raw_start, end, reverse):
            if len(key) <= _MAX_DIRECT:
                yield key, value  # short keys: the common case, straight through
                continue
            members = msgpack.unpackb(value)
            if reverse:
                members.reverse()
            for member_key, member_value in members:
                if member_key >= start and (end is None or member_key < end):
                    yield member_key, member_value

    def _raw_range(
        self, space: str, start: bytes, end: bytes | None, reverse: bool
    ) -> Iterator[tuple[bytes, bytes]]:
        cursor = self._txn.cursor(db=self._dbs[space])
        if not reverse:
            if not cursor.set_range(start):
                return
            for key, value in cursor:
                if end is not None and key >= end:
                    return
                yield key, value
        else:
            if end is None:
                positioned = cursor.last()
            else:
                positioned = cursor.set_range(end)
                positioned = cursor.prev() if positioned else cursor.last()
            if not positioned:
                return
            for key, value in cursor.iterprev():
                if key < start:
                    return
                yield key, value

    def put(self, space: str, key: bytes, value: bytes) -> None:
        if len(key) <= _MAX_DIRECT:
            self._txn.put(key, value, db=self._dbs[space])
            return
        entries = self._bucket(space, key)
        i = bisect.bisect_left(entries, [key])
        if i < len(entries) and entries[i][0] == key:
            entries[i][1] = bytes(value)
        else:
            entries.insert(i, [key, bytes(value)])
        self._txn.put(_bucket_key(key), msgpack.packb(entries), db=self._dbs[space])

    def delete(self, space: str, key: bytes) -> bool:
        if len(key) <= _MAX_DIRECT:
            return self._txn.delete(key, db=self._dbs[space])
        entries = self._bucket(space, key)
        i = bisect.bisect_left(entries, [key])
        if i == len(entries) or entries[i][0] != key:
            return False
        del entries[i]
        if entries:
            self._txn.put(_bucket_key(key), msgpack.packb(entries), db=self._dbs[space])
        else:
            self._txn.delete(_bucket_key(key), db=self._dbs[space])
        return True


DURABILITIES = ("full", "lazy", "nosync")


class _Queued:
    """One write waiting for a group commit; `wake` is released when it is done
    or when it is to lead the next commit."""

    __slots__ = ("fn", "done", "result", "error", "wake")

    def __init__(self, fn: Callable) -> None:
        self.fn = fn
        self.done = False
        self.result: object = None
        self.error: BaseException | None = None
        self.wake = threading.Lock()
        self.wake.acquire()


# How long a leader waits for the writers of the last commit to queue again:
# a fraction of one flush.
_GATHER_SECONDS = 0.0002


class _GroupCommit:
    """Writers of one process share LMDB commits (and so their flushes).

    The first writer to find nobody committing becomes the leader: it takes every
    write queued so far, runs each in a nested transaction of one write
    transaction, commits once and wakes each of them. Writers that arrive
    meanwhile queue up; the first of them is woken to lead the next commit (one
    wake-up each: no herd). Each write still runs alone and in order, so it
    sees the writes before it exactly as with one commit each.
    """

    def __init__(self, shared: _SharedEnv) -> None:
        self.shared = shared
        self.lock = threading.Lock()
        self.queue: list[_Queued] = []
        self.leading = False
        self.last_batch = 1

    def write(self, fn: Callable[[WriteTxn], T]) -> T:
        mine = _Queued(fn)
        with self.lock:
            self.queue.append(mine)
            lead = not self.leading
            self.leading = True
        if not lead:
            mine.wake.acquire()  # done, or our turn to lead
        if not mine.done:
            self._lead()
        if mine.error is not None:
            raise mine.error
        return mine.result  # type: ignore[return-value]

    def _lead(self) -> None:
        if len(self.queue) < self.last_batch:
            # The writers of the last commit are on their way back: let them join.
            deadline = time.perf_counter() + _GATHER_SECONDS
            while len(self.queue) < self.last_batch and time.perf_counter() < deadline:
                time.sleep(0)  # lets them have the GIL
        with self.lock:
            batch, self.queue = self.queue, []
            self.last_batch = len(batch)
        try:
            self._commit(batch)
        finally:
            for queued in batch:
                queued.done = True
            with self.lock:
                if self.queue:
                    self.queue[0].wake.release()  # leads the next commit
                else:
                    self.leading = False
            for queued in batch[1:]:
                queued.wake.release()

    def _commit(self, batch: list[_Queued]) -> None:
        env, dbs = self.shared.env, self.shared.dbs
        try:
            with self.shared.write_lock:
                for _ in range(_MAX_GROW_ATTEMPTS):
                    try:
                        with env.begin(write=True) as txn:
                            for queued in batch:
                                queued.result, queued.error = None, None
                                child = env.begin(write=True, parent=txn)
                                try:
                                    queued.result = queued.fn(_LmdbTxn(child, dbs, writable=True))
                                except (lmdb.MapFullError, lmdb.MapResizedError):
                                    child.abort()
                                    raise
                                except BaseException as error:  # this write only: roll it back
                                    child.abort()
                                    queued.error = error
                                else:
                                    child.commit()
                        break
                    except lmdb.MapFullError:
                        env.set_mapsize(env.info()["map_size"] * 2)
                    except lmdb.MapResizedError:
                        env.set_mapsize(0)
                else:
                    raise RuntimeError("LMDB map could not grow")
        except BaseException as error:  # the commit itself failed: every write in it did
            for queued in batch:
                queued.result, queued.error = None, error


class _SharedEnv:
    """One lmdb.Environment per directory per process (LMDB forbids opening twice)."""

    def __init__(self, path: str, durability: str, map_size: int, sync_interval: float):
        full = durability == "full"
        self.env = lmdb.open(
            path,
            map_size=map_size,
            max_dbs=len(SPACES) + 2,
            sync=durability != "nosync",
            metasync=full,
            readahead=False,
            max_readers=1024,
        )
        self.dbs = {name: self.env.open_db(name.encode()) for name in SPACES}
        self.durability = durability
        self.write_lock = threading.Lock()
        self.group = _GroupCommit(self) if durability == "lazy" else None
        self.users = 0
        self._stop = threading.Event()
        self._syncer: threading.Thread | None = None
        if not full:
            self._syncer = threading.Thread(
                target=self._sync_loop, args=(sync_interval,), name="ddblite-sync", daemon=True
            )
            self._syncer.start()

    def _sync_loop(self, interval: float) -> None:
        while not self._stop.wait(interval):
            try:
                self.env.sync(True)
            except lmdb.Error:
                return

    def close(self) -> None:
        self._stop.set()
        if self._syncer is not None:
            self._syncer.join()
        self.env.sync(True)
        self.env.close()


_OPEN: dict[str, _SharedEnv] = {}
_OPEN_LOCK = threading.Lock()


class LmdbStorage(Storage):
    def __init__(
        self,
        path: str,
        durability: str = "full",
        map_size: int = _INITIAL_MAP_SIZE,
        sync_interval: float = 1.0,
    ) -> None:
        if durability not in DURABILITIES:
            raise ValueError(
                f"durability must be 'full', 'lazy', 'nosync' or 'memory', not {durability!r}"
            )
        os.makedirs(path, exist_ok=True)
        self.path = path
        self.durability = durability
        self._key = os.path.realpath(path)
        with _OPEN_LOCK:
            shared = _OPEN.get(self._key)
            if shared is None:
                shared = _OPEN[self._key] = _SharedEnv(path, durability, map_size, sync_interval)
            shared.users += 1
        self._shared = shared
        self._env = shared.env
        self._dbs = shared.dbs
        self._write_lock = shared.write_lock
        self._group = shared.group
        self._closed = False

    def read(self, fn: Callable[[ReadTxn], T]) -> T:
        for _ in range(_MAX_GROW_ATTEMPTS):
            try:
                with self._env.begin(buffers=False) as txn:
                    return fn(_LmdbTxn(txn, self._dbs))
            except lmdb.MapResizedError:
                # Another process grew the map: adopt its size and retry.
                self._env.set_mapsize(0)
        raise RuntimeError("LMDB map kept resizing")

    def write(self, fn: Callable[[WriteTxn], T]) -> T:
        if self._group is not None:
            return self._group.write(fn)
        # One writer per process at a time; LMDB's own lock orders processes.
        with self._write_lock:
            for _ in range(_MAX_GROW_ATTEMPTS):
                try:
                    with self._env.begin(write=True) as txn:
                        return fn(_LmdbTxn(txn, self._dbs, writable=True))
                except lmdb.MapFullError:
                    # The map is full: grow it and run the whole transaction again.
                    self._env.set_mapsize(self._env.info()["map_size"] * 2)
                except lmdb.MapResizedError:
                    self._env.set_mapsize(0)
            raise RuntimeError("LMDB map could not grow")

    def sync(self) -> None:
        self._env.sync(True)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        with _OPEN_LOCK:
            self._shared.users -= 1
            if self._shared.users == 0:
                del _OPEN[self._key]
                self._shared.close()
