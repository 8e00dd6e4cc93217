"""In-process triggers: the local counterpart of a stream-triggered Lambda function.

    trigger = db.on_change("orders", handler, batch_size=100, start="trim_horizon")

`handler(event)` gets Lambda's event shape, {"Records": [...]}, a batch of one
stream partition's records in order (so one key's changes arrive in order), and is
called again with the same batch if it raises, `retries` more times (default 2).
A batch that still fails goes to `on_failure` (a callable taking (event, error), or
the name of a ddblite table that gets one item per failed batch) and the trigger
moves on. Delivery is at least once: the position is checkpointed in the database
(the "meta" space) after each batch, so a trigger of the same name in a restarted
process resumes where the last one stopped.

`filter` takes Lambda's FilterCriteria ({"Filters": [{"Pattern": json}]}), a list of
patterns or one pattern (a dict or its JSON). Records no pattern matches are skipped.

The trigger runs on a background thread (`background=True`, the default) until
`stop()` or the database closes; tests pass `background=False` and call `drain()`,
which delivers everything committed so far before it returns.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import msgpack

from ddblite.engine import streamlog

if TYPE_CHECKING:
    from ddblite.database import Database

_log = logging.getLogger("ddblite.triggers")
_CHECKPOINT = b"k:"
_FLOOR = -1  # checkpoint entry: the first sequence number a new stream is read from
STARTS = ("trim_horizon", "latest")


class Trigger:
    def __init__(
        self,
        db: Database,
        table: str,
        handler: Callable[[dict], Any],
        *,
        batch_size: int = 100,
        start: str = "trim_horizon",
        filter: Any = None,  # noqa: A002 - Lambda's name for it
        retries: int = 2,
        on_failure: Callable[[dict, BaseException], Any] | str | None = None,
        name: str | None = None,
        region: str | None = None,
        poll_interval: float = 0.05,
    ) -> None:
        if start not in STARTS:
            raise ValueError(f"start must be one of {STARTS}, not {start!r}")
        if not 1 <= batch_size <= 10000:
            raise ValueError("batch_size must be between 1 and 10000")
        self.db = db
        self.table = table
        self.handler = handler
        self.batch_size = batch_size
        self.start_at = start
        self.patterns = _patterns(filter)
        self.retries = retries
        self.on_failure = on_failure
        self.region = region or db.region
        self.name = name or f"{table}:{getattr(handler, '__qualname__', 'handler')}"
        self.poll_interval = poll_interval
        self.delivered = 0
        self.failed_batches = 0
        self._key = _CHECKPOINT + self.region.encode() + b"\0" + self.name.encode()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._begin()

    # ------------------------------------------------------------ running

    def start(self) -> Trigger:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=f"ddblite-trigger-{self.name}",
                                            daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()
        self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            if self.db.closed:
                return
            try:
                busy = self.drain(max_batches=1) > 0
            except Exception:  # the store went away or a bug: log, keep the thread alive
                if self.db.closed:
                    return
                _log.exception("trigger %s failed", self.name)
                busy = False
            if not busy:
                self._stop.wait(self.poll_interval)

    def drain(self, max_batches: int | None = None) -> int:
        """Deliver the records committed so far (at most `max_batches` batches);
        returns how many records were read (delivered, filtered out or failed)."""
        with self._lock:
            read = 0
            batches = 0
            while max_batches is None or batches < max_batches:
                step = self._step()
                if step == 0:
                    break
                read += step
                batches += 1
            return read

    # ------------------------------------------------------------ one batch

    def _step(self) -> int:
        """Read and handle one batch of one partition; 0 when there is nothing new."""
        db = self.db

        def look(txn):
            checkpoint = self._checkpoint(txn)
            floor = checkpoint[_FLOOR][0]
            streams = sorted((d for d in streamlog.all_streams(txn)
                              if d["table"] == self.table and d["region"] == self.region),
                             key=lambda d: d["id"])
            for descriptor in streams:  # older streams first: one key's order holds
                sid = descriptor["id"]
                positions = checkpoint.setdefault(sid, [floor] * descriptor["parts"])
                for part in range(descriptor["parts"]):
                    start = max(positions[part], streamlog.trimmed_through(txn, sid, part) + 1)
                    batch = []
                    for seq, record in streamlog.records(txn, sid, part, start, None):
                        batch.append((seq, record))
                        if len(batch) >= self.batch_size:
                            break
                    if batch:
                        return checkpoint, descriptor, part, batch
            return checkpoint, None, None, None

        checkpoint, descriptor, part, batch = db.storage.read(look)
        if descriptor is None:
            return 0
        arn = _arn(db, descriptor)
        records = [_lambda_record(descriptor, arn, seq, record) for seq, record in batch]
        wanted = [r for r in records if self._matches(r)]
        if wanted:
            self._deliver({"Records": wanted})
        checkpoint[descriptor["id"]][part] = batch[-1][0] + 1
        db.storage.write(lambda txn: txn.put("meta", self._key, msgpack.packb(checkpoint)))
        return len(batch)

    def _begin(self) -> None:
        """Store the starting point the first time a trigger of this name runs: records
        with a sequence number from `floor` on (all of them, or those after now)."""

        def run(txn):
            if txn.get("meta", self._key) is None:
                floor = 0 if self.start_at == "trim_horizon" else streamlog.last_sequence(txn) + 1
                txn.put("meta", self._key, msgpack.packb({_FLOOR: [floor]}))

        self.db.storage.write(run)

    def _checkpoint(self, txn) -> dict[int, list[int]]:
        raw = txn.get("meta", self._key)
        return msgpack.unpackb(raw, strict_map_key=False) if raw is not None else {_FLOOR: [0]}

    def _deliver(self, event: dict) -> None:
        for attempt in range(self.retries + 1):
            try:
                self.handler(event)
                self.delivered += len(event["Records"])
                return
            except Exception as error:  # the handler's failure, whatever it is
                if attempt == self.retries:
                    self.failed_batches += 1
                    self._fail(event, error)

    def _fail(self, event: dict, error: BaseException) -> None:
        destination = self.on_failure
        if destination is None:
            _log.warning("trigger %s dropped a batch of %d records after %s",
                         self.name, len(event["Records"]), error)
        elif callable(destination):
            destination(event, error)
        else:
            self._record_failure(destination, event, error)

    def _record_failure(self, table: str, event: dict, error: BaseException) -> None:
        from ddblite.server.protocol import encode_response

        first = event["Records"][0]["dynamodb"]["SequenceNumber"]
        described = self.db.call("DescribeTable", {"TableName": table}, self.region)["Table"]
        key = next(e["AttributeName"] for e in described["KeySchema"] if e["KeyType"] == "HASH")
        item = {
            key: {"S": f"{self.name}:{first}"},
            "trigger": {"S": self.name},
            "error": {"S": f"{type(error).__name__}: {error}"},
            "records": {"S": encode_response("", event).decode()},
        }
        self.db.call("PutItem", {"TableName": table, "Item": item}, self.region)

    def _matches(self, record: dict) -> bool:
        return self.patterns is None or any(_match(p, record) for p in self.patterns)


# ------------------------------------------------------------ Lambda's record shape


def _arn(db: Database, descriptor: dict) -> str:
    from ddblite.ops.streams import stream_arn

    return stream_arn(db, descriptor)


def _lambda_record(descriptor: dict, arn: str, seq: int, record: list) -> dict:
    shown = streamlog.describe_record(descriptor, descriptor["region"], seq, record)
    body = shown["dynamodb"]
    body["ApproximateCreationDateTime"] = float(int(record[1]))
    shown["eventSourceARN"] = arn
    if "userIdentity" in shown:
        shown["userIdentity"] = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    return shown


# ------------------------------------------------------------ filter patterns


def _patterns(criteria: Any) -> list[dict] | None:
    if criteria is None:
        return None
    if isinstance(criteria, dict) and "Filters" in criteria:
        criteria = [f["Pattern"] for f in criteria["Filters"]]
    if not isinstance(criteria, list):
        criteria = [criteria]
    return [json.loads(p) if isinstance(p, str) else p for p in criteria]


def _match(pattern: dict, value: Any) -> bool:
    """Lambda/EventBridge pattern matching: every key of the pattern must match."""
    if not isinstance(value, dict):
        return False
    for key, wanted in pattern.items():
        present = key in value
        if isinstance(wanted, dict):
            if not present or not _match(wanted, value[key]):
                return False
        elif isinstance(wanted, list):
            if not any(_match_one(rule, present, value.get(key)) for rule in wanted):
                return False
        else:
            raise ValueError(f"filter pattern values must be lists or objects: {wanted!r}")
    return True


def _match_one(rule: Any, present: bool, value: Any) -> bool:
    if isinstance(rule, dict):
        if "exists" in rule:
            return present == bool(rule["exists"])
        if not present:
            return False
        if "prefix" in rule:
            return isinstance(value, str) and value.startswith(rule["prefix"])
        if "anything-but" in rule:
            excluded = rule["anything-but"]
            excluded = excluded if isinstance(excluded, list) else [excluded]
            return value not in excluded
        if "numeric" in rule:
            return _numeric(rule["numeric"], value)
        raise ValueError(f"unsupported filter rule: {rule!r}")
    if not present:
        return False
    if isinstance(value, list):
        return rule in value
    return value == rule


def _numeric(conditions: list, value: Any) -> bool:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return False
    tests = {"<": number.__lt__, "<=": number.__le__, "=": number.__eq__,
             ">": number.__gt__, ">=": number.__ge__}
    for i in range(0, len(conditions), 2):
        if not tests[conditions[i]](float(conditions[i + 1])):
            return False
    return True
