"""A directory's usage: what every process sharing it consumed, merged.

Each Database counts its own requests (engine.usage). Its Publisher writes those counts
to the store's "meta" space so that `ddblite stats` and `GET /ddblite/usage` can add up
every process of a directory (`ddblite serve --workers N` is N processes):

  b"u." publisher id   msgpack: one live Database's counters as of its last publish
                       (Pid, Since, Published, Tables); rewritten whole, never added to,
                       so publishing twice or out of turn cannot double count
  b"u:" table name     counters folded in by Databases that closed (or reset their own)
  b"u!"                {"Generation", "At"}: bumped by a directory reset

Publishing is due every `every` seconds on the database's clock; `tick` (after every
request, ddblite.dispatch, and on the server's sweeper thread) writes then, in one small
write transaction, and only when something was counted since the last publish.
A record whose process is gone (killed: it never closed) is folded into the totals by
the next publish of any live one, as its close would have done.
Hot keys: each publisher stores its STORED_KEYS hottest keys per table, and the merge
keeps as many; with more keys than that the ranking of cold keys is approximate.
"""

from __future__ import annotations

import heapq
import logging
import os
import secrets
import threading
from operator import itemgetter
from typing import Any

import msgpack

from ddblite.engine.usage import STORED_KEYS, Usage

PUBLISH_SECONDS = 1.0
_TOTALS = b"u:"
_PROCESS = b"u."
_GENERATION = b"u!"
NUMBERS = ("ReadCapacityUnits", "WriteCapacityUnits", "ReadRequests", "WriteRequests",
           "ThrottledReads", "ThrottledWrites")
_log = logging.getLogger("ddblite.usage")
_UNITS = itemgetter(1)  # of a (key, units) pair


def _end(prefix: bytes) -> bytes:
    return prefix[:-1] + bytes([prefix[-1] + 1])


def _plain(key: Any) -> Any:
    return key.hex() if isinstance(key, (bytes, bytearray)) else key


# ------------------------------------------------------------------ counters
# One table's counters, as stored: the NUMBERS, "Indexes": {name: {"ReadCapacityUnits",
# "WriteCapacityUnits"}} and "HotKeys": {plain key: [read units, write units]}.


def live_counters(usage: Usage) -> dict[str, dict]:
    """{table: counters} of a Usage now. Safe while other threads count: every dict is
    copied in one step before it is read."""
    tables = {}
    for name, table in list(usage.tables.items()):
        tables[name] = {
            "ReadCapacityUnits": table.read_units,
            "WriteCapacityUnits": table.write_units,
            "ReadRequests": table.reads,
            "WriteRequests": table.writes,
            "ThrottledReads": table.throttled_reads,
            "ThrottledWrites": table.throttled_writes,
            "Indexes": {index: {"ReadCapacityUnits": units[0], "WriteCapacityUnits": units[1]}
                        for index, units in list(table.indexes.items())},
            "HotKeys": _hot_keys(table),
        }
    return tables


def _hot_keys(table) -> dict[Any, list[float]]:
    """The STORED_KEYS hottest keys {plain key: [read, write units]}. With more keys than
    that, the candidates are the hottest readers and the hottest writers (a key warm on
    both sides but top on neither may be missed): a full ranking of 50,000 keys would
    cost a request thread tens of milliseconds every publish."""
    reads = list(table.read_keys.items())
    writes = list(table.write_keys.items())
    if len(reads) + len(writes) <= STORED_KEYS:
        keys = {key: [units, 0.0] for key, units in reads}
        for key, units in writes:
            keys.setdefault(key, [0.0, 0.0])[1] = units
    else:
        read_of, write_of = table.read_keys.get, table.write_keys.get
        candidates = {key for key, _ in heapq.nlargest(STORED_KEYS, reads, key=_UNITS)}
        candidates.update(key for key, _ in heapq.nlargest(STORED_KEYS, writes, key=_UNITS))
        keys = {key: [read_of(key, 0.0), write_of(key, 0.0)] for key in candidates}
        if len(keys) > STORED_KEYS:
            keys = dict(heapq.nlargest(STORED_KEYS, keys.items(), key=_both))
    return {_plain(key): units for key, units in keys.items()}


def _both(pair: tuple) -> float:
    return pair[1][0] + pair[1][1]


def add(total: dict, counters: dict, sign: float = 1.0) -> dict:
    """total += sign * counters (one table's); hot keys trimmed to STORED_KEYS."""
    for name in NUMBERS:
        total[name] = total.get(name, 0) + sign * counters.get(name, 0)
    indexes = total.setdefault("Indexes", {})
    for name, units in counters.get("Indexes", {}).items():
        mine = indexes.setdefault(name, {"ReadCapacityUnits": 0.0, "WriteCapacityUnits": 0.0})
        mine["ReadCapacityUnits"] += sign * units["ReadCapacityUnits"]
        mine["WriteCapacityUnits"] += sign * units["WriteCapacityUnits"]
    keys = total.setdefault("HotKeys", {})
    for key, (read, write) in counters.get("HotKeys", {}).items():
        mine = keys.setdefault(key, [0.0, 0.0])
        mine[0] += sign * read
        mine[1] += sign * write
    if sign < 0:  # a key whose baseline was as high as its count: nothing since
        for key in [key for key, units in keys.items() if units[0] <= 0 and units[1] <= 0]:
            del keys[key]
    if len(keys) > STORED_KEYS:
        total["HotKeys"] = dict(heapq.nlargest(STORED_KEYS, keys.items(), key=_both))
    return total


def minus(tables: dict[str, dict], baseline: dict[str, dict]) -> dict[str, dict]:
    """Counters less a baseline (what a directory reset discounted), per table."""
    if not baseline:
        return tables
    result = {}
    for name, counters in tables.items():
        result[name] = add(add({}, counters), baseline[name], -1.0) \
            if name in baseline else counters
    return result


def _copy(tables: dict[str, dict]) -> dict[str, dict]:
    return {name: add({}, counters) for name, counters in tables.items()}


# ------------------------------------------------------------------ publishing


class Publisher:
    """One Database's share of its directory's usage (see the module docstring)."""

    def __init__(self, db, every: float | None = PUBLISH_SECONDS) -> None:
        self.db = db
        self.catalog = db.catalog           # holds db.clock (one lookup less per tick)
        self.usage: Usage = db.usage_counters
        self.every = every              # None: never on its own (":memory:")
        self.id = f"{os.getpid()}-{secrets.token_hex(4)}"
        self.at = db.clock.now()        # last publish (or open)
        self.since = self.at            # the start of what this publisher reports
        self.lock = threading.Lock()
        # (a fresh ":memory:" store has no other Database that could have reset it)
        self.generation = db.storage.read(_generation)[0] if every is not None else 0
        self.baseline: dict[str, dict] = {}   # counted before a directory reset
        self.published: dict[str, dict] = {}  # live counters as of the last publish
        self.signature: tuple | None = ()

    def tick(self) -> None:
        """Publish when due on the database's clock (after a request; sweeper thread)."""
        now = self.catalog.clock.now()
        if now - self.at >= self.every or now < self.at:  # type: ignore[operator]
            self.publish(now)

    def publish(self, now: float | None = None) -> None:
        """Write this Database's counters to the store now, if anything was counted
        since the last time. Best effort: a failure is logged, never raised into the
        request that happened to be due."""
        # Another thread publishing this very moment takes our count along, unless it
        # took its snapshot first: with every=0 ("after every request") wait for it.
        if not self.lock.acquire(blocking=self.every == 0):
            return
        try:
            self.at = now = self.db.clock.now() if now is None else now
            signature = self.usage.signature()
            if signature == self.signature or self.db.closed:
                return
            self.db.storage.write(lambda txn: self._publish(txn, now))
            self.signature = signature
        except Exception:
            _log.exception("publishing usage failed")
        finally:
            self.lock.release()

    def _publish(self, txn, now: float) -> None:
        self._follow_reset(txn)
        fold_departed(txn, self.id)
        live = live_counters(self.usage)  # taken in the transaction: commits stay in order
        txn.put("meta", _PROCESS + self.id.encode(), msgpack.packb({
            "Pid": os.getpid(), "Since": self.since, "Published": now,
            "Tables": minus(live, self.baseline)}))
        self.published = live

    def _follow_reset(self, txn) -> None:
        """After another Database reset the directory: count from our last publish on."""
        generation, at = _generation(txn)
        if generation != self.generation:
            self.generation = generation
            self.baseline = _copy(self.published)
            self.since = max(self.since, at)

    def own(self, now: float) -> dict:
        """This Database's record as it would publish it now (not written)."""
        return {"Pid": os.getpid(), "Since": self.since, "Published": now,
                "Tables": minus(live_counters(self.usage), self.baseline)}

    def fold(self, txn, now: float) -> None:
        """Move this Database's counts into the directory's totals and drop its record
        (on close, and before it resets its own counters: nothing is lost or doubled).
        The caller then clears the counters and calls `forget`."""
        self._follow_reset(txn)
        _add_to_totals(txn, minus(live_counters(self.usage), self.baseline), self.since, now)
        txn.delete("meta", _PROCESS + self.id.encode())

    def reset_directory(self, txn, now: float) -> None:
        """Drop every total and record of the directory; other live Databases count
        from their last publish on (they notice the new generation when they publish).
        The caller then clears the counters and calls `forget`."""
        doomed = [key for key, _ in txn.range("meta", _TOTALS, _end(_TOTALS))]
        doomed += [key for key, _ in txn.range("meta", _PROCESS, _end(_PROCESS))]
        for key in doomed:
            txn.delete("meta", key)
        generation = _generation(txn)[0] + 1
        txn.put("meta", _GENERATION, msgpack.packb({"Generation": generation, "At": now}))
        self.generation = generation

    def forget(self, now: float) -> None:
        """Start afresh (the caller clears the counters)."""
        self.baseline, self.published, self.signature = {}, {}, ()
        self.since = self.at = now


def _add_to_totals(txn, tables: dict[str, dict], since: float, until: float) -> None:
    for name, counters in tables.items():
        key = _TOTALS + name.encode()
        raw = txn.get("meta", key)
        total = msgpack.unpackb(raw) if raw is not None else {"Since": since}
        total["Since"] = min(total.get("Since", since), since)
        total["Until"] = max(total.get("Until", until), until)
        txn.put("meta", key, msgpack.packb(add(total, counters)))


def _alive(pid: int) -> bool:
    """Whether a process of this machine with that pid still runs."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it runs, as another user
        return True
    return True


def fold_departed(txn, own_id: str) -> None:
    """Fold the records of processes that ended without closing (killed) into the
    totals, as their close would have: their counts as of their last publish stay."""
    departed = []
    for key, raw in txn.range("meta", _PROCESS, _end(_PROCESS)):
        if key[len(_PROCESS):].decode() == own_id:
            continue
        record = msgpack.unpackb(raw)
        if not _alive(record["Pid"]):
            departed.append((key, record))
    for key, record in departed:
        _add_to_totals(txn, record["Tables"], record["Since"], record["Published"])
        txn.delete("meta", key)


def _generation(txn) -> tuple[int, float]:
    raw = txn.get("meta", _GENERATION)
    if raw is None:
        return 0, 0.0
    record = msgpack.unpackb(raw)
    return record["Generation"], record["At"]


# ------------------------------------------------------------------ merging


def merged(txn, now: float, top: int, own: Publisher | None = None) -> dict[str, Any]:
    """The directory's usage: the closed Databases' totals plus every live record, with
    `own`'s record replaced by its counters now (they may be newer than its last
    publish). {"Tables": {name: counters + Since/Until/Seconds, HotKeys the `top`
    hottest as a list}, "Processes": [{Id, Pid, Since, Published, units}]}."""
    tables: dict[str, dict] = {}

    def take(name: str, counters: dict, since: float, until: float) -> None:
        total = tables.setdefault(name, {"Since": since, "Until": until})
        total["Since"] = min(total["Since"], since)
        total["Until"] = max(total["Until"], until)
        add(total, counters)

    for key, raw in txn.range("meta", _TOTALS, _end(_TOTALS)):
        total = msgpack.unpackb(raw)
        take(key[len(_TOTALS):].decode(), total, total.get("Since", 0.0),
             total.get("Until", 0.0))
    records = {key[len(_PROCESS):].decode(): msgpack.unpackb(raw)
               for key, raw in txn.range("meta", _PROCESS, _end(_PROCESS))}
    if own is not None:
        records.pop(own.id, None)
        mine = own.own(now)
        if mine["Tables"]:
            records[own.id] = mine
    processes = []
    for ident, record in sorted(records.items()):
        for name, counters in record["Tables"].items():
            take(name, counters, record["Since"], record["Published"])
        processes.append({
            "Id": ident, "Pid": record["Pid"], "Since": record["Since"],
            "Published": record["Published"],
            "ReadCapacityUnits": sum(counters["ReadCapacityUnits"]
                                     for counters in record["Tables"].values()),
            "WriteCapacityUnits": sum(counters["WriteCapacityUnits"]
                                      for counters in record["Tables"].values()),
        })
    for total in tables.values():
        total["Seconds"] = max(0.0, total["Until"] - total["Since"])
        ranked = sorted(total.get("HotKeys", {}).items(),
                        key=lambda pair: -(pair[1][0] + pair[1][1]))[:top]
        total["HotKeys"] = [{"Key": key, "ReadCapacityUnits": units[0],
                             "WriteCapacityUnits": units[1]} for key, units in ranked]
    return {"Tables": tables, "Processes": processes}
