"""`ddblite copy`: tables from one side to another (transfer.sides), through the API only.

Per table: create the destination from the source's description (keys, indexes, billing,
stream, class, tags, TTL), then read parallel Scan segments and write BatchWriteItem
chunks of 25, backing off exponentially on UnprocessedItems and throttling errors. A
checkpoint file records, per segment, the last key written (or that it is finished), so
a copy interrupted at any point resumes where it stopped. A verification pass compares
item counts and, optionally, a sample of items read back from the destination.
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from ddblite.transfer import dynamodb_json
from ddblite.transfer.sides import Side, creation_params

THROTTLING = {"ProvisionedThroughputExceededException", "ThrottlingException",
              "RequestLimitExceeded", "InternalServerError", "LimitExceededException"}
BATCH = 25
MAX_BACKOFF = 5.0


@dataclass
class TableReport:
    table: str
    copied: int = 0
    source_count: int = 0
    destination_count: int = 0
    sampled: int = 0
    mismatched: list = field(default_factory=list)
    retries: int = 0
    seconds: float = 0.0

    @property
    def verified(self) -> bool:
        return self.source_count == self.destination_count and not self.mismatched


class Checkpoint:
    """Per table and segment: "done", or the last key written. Saved atomically."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self.state: dict[str, Any] = {}
        if path and os.path.exists(path):
            with open(path) as file:
                self.state = json.load(file)

    def table(self, name: str, segments: int) -> dict:
        entry = self.state.get(name)
        if entry is None or entry.get("segments") != segments:
            entry = self.state[name] = {"segments": segments, "done": [], "positions": {}}
        return entry

    def position(self, name: str, segment: int) -> dict | None:
        raw = self.state[name]["positions"].get(str(segment))
        return None if raw is None else dynamodb_json.load_line(json.dumps({"Item": raw}))

    def record(self, name: str, segment: int, last_key: dict | None) -> None:
        with self._lock:
            entry = self.state[name]
            if last_key is None:
                entry["done"].append(segment)
                entry["positions"].pop(str(segment), None)
            else:
                line = dynamodb_json.dump_line(last_key)
                entry["positions"][str(segment)] = json.loads(line)["Item"]
            self._save()

    def _save(self) -> None:
        if not self.path:
            return
        temporary = self.path + ".tmp"
        with open(temporary, "w") as file:
            json.dump(self.state, file)
        os.replace(temporary, self.path)


def _code(exc: Exception) -> str | None:
    response = getattr(exc, "response", None)
    return response.get("Error", {}).get("Code") if isinstance(response, dict) else None


class Backoff:
    """Exponential backoff with jitter; `sleep` is injectable so tests never wait."""

    def __init__(self, sleep: Callable[[float], None] = time.sleep, base: float = 0.05) -> None:
        self.sleep = sleep
        self.base = base

    def wait(self, attempt: int) -> None:
        delay = min(MAX_BACKOFF, self.base * (2 ** attempt))
        self.sleep(delay * (0.5 + random.random() / 2))


def write_batch(client: Any, table: str, items: list[dict], backoff: Backoff,
                report: TableReport, max_attempts: int = 30) -> None:
    """BatchWriteItem until every item is in, backing off on leftovers and throttling."""
    requests = [{"PutRequest": {"Item": item}} for item in items]
    attempt = 0
    while requests:
        try:
            answer = client.batch_write_item(RequestItems={table: requests})
        except Exception as exc:
            if _code(exc) not in THROTTLING or attempt >= max_attempts:
                raise
            report.retries += 1
            backoff.wait(attempt)
            attempt += 1
            continue
        requests = answer.get("UnprocessedItems", {}).get(table, [])
        if requests:
            if attempt >= max_attempts:
                raise RuntimeError(f"{len(requests)} items stayed unprocessed in {table}")
            report.retries += 1
            backoff.wait(attempt)
            attempt += 1
        else:
            attempt = 0


def _scan(client: Any, params: dict, backoff: Backoff, report: TableReport) -> dict:
    attempt = 0
    while True:
        try:
            return client.scan(**params)
        except Exception as exc:
            if _code(exc) not in THROTTLING or attempt >= 30:
                raise
            report.retries += 1
            backoff.wait(attempt)
            attempt += 1


def ensure_table(source: Side, destination: Side, name: str) -> dict:
    """Create the destination table like the source's (if missing); returns the source's
    description."""
    described = source.client.describe_table(TableName=name)["Table"]
    if name in destination.table_names():
        return described
    destination.client.create_table(**creation_params(described))
    destination.wait_active(name)
    try:
        tags = source.client.list_tags_of_resource(ResourceArn=described["TableArn"])["Tags"]
    except Exception:  # noqa: BLE001 - an endpoint without tagging: nothing to copy
        tags = []
    if tags:
        arn = destination.client.describe_table(TableName=name)["Table"]["TableArn"]
        destination.client.tag_resource(ResourceArn=arn, Tags=tags)
    _copy_ttl(source, destination, name)
    return described


def _copy_ttl(source: Side, destination: Side, name: str) -> None:
    describe = getattr(source.client, "describe_time_to_live", None)
    update = getattr(destination.client, "update_time_to_live", None)
    if describe is None or update is None:
        return
    try:
        ttl = describe(TableName=name)["TimeToLiveDescription"]
    except Exception:  # noqa: BLE001 - an endpoint without TTL: nothing to copy
        return
    if ttl.get("TimeToLiveStatus") in ("ENABLED", "ENABLING"):
        update(TableName=name, TimeToLiveSpecification={
            "Enabled": True, "AttributeName": ttl["AttributeName"]})


def copy_table(source: Side, destination: Side, name: str, *, segments: int = 4,
               checkpoint: Checkpoint | None = None, progress: Callable[[int], None] | None = None,
               sample: int = 0, verify: bool = True, backoff: Backoff | None = None,
               page_size: int = 500) -> TableReport:
    started = time.monotonic()
    report = TableReport(name)
    backoff = backoff or Backoff()
    checkpoint = checkpoint or Checkpoint(None)
    ensure_table(source, destination, name)
    entry = checkpoint.table(name, segments)
    count_lock = threading.Lock()
    # Set when a segment fails or the copy is interrupted (Ctrl-C): the others stop at
    # their next page, so everything written is in the checkpoint and nothing waits.
    stop = threading.Event()

    def run_segment(segment: int) -> None:
        if segment in entry["done"]:
            return
        start = checkpoint.position(name, segment)
        while not stop.is_set():
            params = {"TableName": name, "Segment": segment, "TotalSegments": segments,
                      "Limit": page_size}
            if start:
                params["ExclusiveStartKey"] = start
            page = _scan(source.client, params, backoff, report)
            found = page.get("Items", [])
            for i in range(0, len(found), BATCH):
                write_batch(destination.client, name, found[i:i + BATCH], backoff, report)
            with count_lock:
                report.copied += len(found)
            if progress is not None and found:
                progress(len(found))
            start = page.get("LastEvaluatedKey")
            checkpoint.record(name, segment, start)
            if not start:
                return

    with ThreadPoolExecutor(max_workers=segments) as pool:
        futures = [pool.submit(run_segment, s) for s in range(segments)]
        try:
            done, _ = wait(futures, return_when=FIRST_EXCEPTION)
            if any(future.exception() is not None for future in done):
                stop.set()
            for future in futures:
                future.result()
        except BaseException:
            stop.set()
            raise
    if verify:
        _verify(source, destination, name, report, segments, sample, backoff)
    report.seconds = time.monotonic() - started
    return report


def count_items(side: Side, name: str, segments: int, backoff: Backoff,
                report: TableReport) -> int:
    def count(segment: int) -> int:
        total, start = 0, None
        while True:
            params = {"TableName": name, "Select": "COUNT", "Segment": segment,
                      "TotalSegments": segments}
            if start:
                params["ExclusiveStartKey"] = start
            page = _scan(side.client, params, backoff, report)
            total += page["Count"]
            start = page.get("LastEvaluatedKey")
            if not start:
                return total

    with ThreadPoolExecutor(max_workers=segments) as pool:
        return sum(pool.map(count, range(segments)))


def _verify(source: Side, destination: Side, name: str, report: TableReport, segments: int,
            sample: int, backoff: Backoff) -> None:
    report.source_count = count_items(source, name, segments, backoff, report)
    report.destination_count = count_items(destination, name, segments, backoff, report)
    if sample <= 0:
        return
    described = source.client.describe_table(TableName=name)["Table"]
    key_names = [e["AttributeName"] for e in described["KeySchema"]]
    page = _scan(source.client, {"TableName": name, "Limit": sample}, backoff, report)
    for item in page.get("Items", []):
        key = {k: item[k] for k in key_names}
        copied = destination.client.get_item(TableName=name, Key=key,
                                             ConsistentRead=True).get("Item")
        report.sampled += 1
        if copied != item:
            report.mismatched.append(key)
