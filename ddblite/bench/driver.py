"""The workload driver: load records, run operations on threads (and processes), measure.

Every request asks ReturnConsumedCapacity=TOTAL, so capacity is measured the same way
against ddblite and against any DynamoDB-compatible endpoint. Throttled requests are
counted and retried with exponential backoff (the driver's own, so they can be
counted); their latency includes the waits, as a client sees it.
"""

from __future__ import annotations

import dataclasses
import itertools
import multiprocessing
import random
import threading
import time
from collections import Counter
from typing import Any

from ddblite.bench import targets
from ddblite.bench.distributions import Chooser
from ddblite.bench.workloads import Workload, get

THROTTLE_CODES = frozenset(("ProvisionedThroughputExceededException", "ThrottlingException",
                            "RequestLimitExceeded"))
READ_OPERATIONS = frozenset(("GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"))
MAX_RETRIES = 10
TIMELINE_STEP = 0.1   # seconds per throughput bucket


@dataclasses.dataclass
class Config:
    workload: str = "A"
    target: str = ":memory:"          # ":memory:", a directory, or an http(s):// URL
    serve: bool = False               # serve `target` with `ddblite serve` and go through HTTP
    table: str = "usertable"
    records: int = 1000
    operations: int = 10000
    item_size: int = 1024
    fields: int = 10
    group: int = 100                  # records per partition key (E queries within one)
    max_scan: int = 100
    distribution: str | None = None   # default: the workload's
    threads: int = 1
    processes: int = 1
    consistent: bool = False
    throttle: bool = False
    provisioned: tuple[int, int] | None = None   # (RCU, WCU); None: on demand
    durability: str | None = "lazy"
    seed: int = 1
    load: bool = True
    progress: bool = False


class Context:
    """What an operation sees (see workloads): client, keys, records, measurements."""

    def __init__(self, config: Config, client, rng: random.Random, chooser: Chooser,
                 counter, stats: Stats) -> None:
        self.config = config
        self.client = client
        self.table = config.table
        self.rng = rng
        self.fields = config.fields
        self.group = config.group
        self.consistent = config.consistent
        self.max_scan = config.max_scan
        self.chooser = chooser
        self.counter = counter          # next record number to insert (shared)
        self.stats = stats
        self.value_length = value_length(config)

    def key(self, number: int) -> dict:
        return {"pk": {"S": f"user{number // self.group:010d}"}, "sk": {"N": str(number)}}

    def record(self, number: int) -> dict:
        item = self.key(number)
        for field in range(self.fields):
            item[f"field{field}"] = {"S": self.value()}
        return item

    def value(self) -> str:
        return random_text(self.rng, self.value_length)

    def known_records(self) -> int:
        return self.counter.value

    def pick(self) -> int:
        return self.chooser.pick(self.rng, self.known_records())

    def new_record(self) -> int:
        with self.counter.get_lock():
            number = self.counter.value
            self.counter.value = number + 1
        return number

    def call(self, name: str, method, **params) -> dict:
        """One request, with ReturnConsumedCapacity=TOTAL; throttles retried."""
        params["ReturnConsumedCapacity"] = "TOTAL"
        for attempt in range(MAX_RETRIES + 1):
            try:
                response = method(**params)
            except Exception as exc:  # botocore's ClientError or ddblite's DynamoDBError
                code = (getattr(exc, "response", None) or {}).get("Error", {}).get("Code")
                if code in THROTTLE_CODES and attempt < MAX_RETRIES:
                    self.stats.throttles += 1
                    time.sleep(min(1.0, 0.025 * 2 ** attempt) * (0.5 + self.rng.random()))
                    continue
                raise
            self.stats.charge(name, response.get("ConsumedCapacity"), params)
            return response
        raise AssertionError("unreachable")  # pragma: no cover


class Stats:
    """One worker's measurements."""

    def __init__(self) -> None:
        self.latencies: dict[str, list[float]] = {}
        self.errors: Counter = Counter()
        self.read_units = 0.0
        self.write_units = 0.0
        self.throttles = 0
        self.partitions: Counter = Counter()
        self.timeline: Counter = Counter()

    def charge(self, name: str, capacity: Any, params: dict) -> None:
        if not capacity:
            return
        entries = capacity if isinstance(capacity, list) else [capacity]
        units = sum(entry.get("CapacityUnits", 0.0) for entry in entries)
        if name in READ_OPERATIONS:
            self.read_units += units
        else:
            self.write_units += units
        key = params.get("Key") or params.get("Item")
        if key is None:
            values = params.get("ExpressionAttributeValues") or {}
            key = {"pk": values.get(":p")} if ":p" in values else None
        if key and key.get("pk"):
            self.partitions[key["pk"]["S"]] += units

    def merge(self, other: Stats) -> None:
        for name, values in other.latencies.items():
            self.latencies.setdefault(name, []).extend(values)
        self.errors.update(other.errors)
        self.read_units += other.read_units
        self.write_units += other.write_units
        self.throttles += other.throttles
        self.partitions.update(other.partitions)
        self.timeline.update(other.timeline)


def value_length(config: Config) -> int:
    # Key attributes take about 40 bytes and each field name 6-7: the rest is values.
    overhead = 40 + config.fields * 7
    return max(1, (config.item_size - overhead) // max(1, config.fields))


_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


def random_text(rng: random.Random, length: int) -> str:
    # Cheap: one random slice of a long repeated string.
    start = rng.randrange(len(_ALPHABET))
    text = _ALPHABET[start:] + _ALPHABET * (length // len(_ALPHABET) + 2)
    return text[:length]


# ---------------------------------------------------------------- running


def run_worker(config: Config, workload: Workload, client, operations: int, seed: int,
               counter, progress, started: float) -> Stats:
    rng = random.Random(seed)
    stats = Stats()
    chooser = Chooser(workload.distribution, config.records)
    ctx = Context(config, client, rng, chooser, counter, stats)
    latencies = stats.latencies
    perf = time.perf_counter
    for _ in range(operations):
        name, function = workload.choose(rng)
        begin = perf()
        try:
            function(ctx)
        except Exception as exc:
            code = (getattr(exc, "response", None) or {}).get("Error", {}).get("Code")
            stats.errors[f"{name}: {code or type(exc).__name__}"] += 1
            continue
        end = perf()
        bucket = latencies.get(name)
        if bucket is None:
            bucket = latencies[name] = []
        bucket.append(end - begin)
        stats.timeline[int((end - started) / TIMELINE_STEP)] += 1
        progress.value += 1
    return stats


def _process_main(config: Config, operations: list[int], process_index: int, url: str | None,
                  counter, progress, started: float, queue) -> None:
    """A worker process: its own client(s) on the shared directory or endpoint."""
    workload = get(config.workload, config.distribution)
    with targets.open_target(config, url, opened_by_child=True) as target:
        stats = _run_threads(config, workload, target, operations, process_index, counter,
                             progress, started)
    queue.put(stats)


def _run_threads(config: Config, workload: Workload, target, operations: list[int],
                 process_index: int, counter, progress, started: float) -> Stats:
    results: list[Stats | BaseException] = [Stats()] * len(operations)

    def thread_main(number: int) -> None:
        try:
            seed = config.seed * 1_000_003 + process_index * 1009 + number
            results[number] = run_worker(config, workload, target.client(), operations[number],
                                         seed, counter, progress, started)
        except BaseException as exc:  # pragma: no cover - reported below
            results[number] = exc

    threads = [threading.Thread(target=thread_main, args=(n,)) for n in range(len(operations))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = Stats()
    for result in results:
        if isinstance(result, BaseException):
            raise result
        total.merge(result)
    return total


def _split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if n < total % parts else 0) for n in range(parts)]


def run(config: Config) -> dict[str, Any]:
    """Load (unless config.load is False), run the workload, return the report dict."""
    from ddblite.bench.report import build

    workload = get(config.workload, config.distribution)
    if config.processes > 1 and config.target == ":memory:" and not config.serve:
        raise ValueError("several processes need a directory or an endpoint, not :memory:")
    context = multiprocessing.get_context("spawn")
    counter = context.Value("q", config.records)
    progress = context.Value("q", 0, lock=False)
    with targets.open_target(config, None) as target:
        if config.load:
            load_seconds = targets.load(config, workload, target, Context)
        else:
            load_seconds = 0.0
        if target.db is not None:  # db.usage() then counts the run alone, as the report
            target.db.reset_usage()
        per_process = _split(config.operations, config.processes)
        reporter = _Progress(progress, config.operations) if config.progress else None
        started = time.perf_counter()
        if config.processes <= 1:
            stats = _run_threads(config, workload, target, _split(config.operations,
                                                                  config.threads),
                                 0, counter, progress, started)
        else:
            queue = context.Queue()
            children = [
                context.Process(target=_process_main, args=(
                    config, _split(share, config.threads), index, target.url, counter,
                    progress, started, queue))
                for index, share in enumerate(per_process)
            ]
            for child in children:
                child.start()
            stats = Stats()
            for _ in children:
                stats.merge(queue.get())
            for child in children:
                child.join()
        elapsed = time.perf_counter() - started
        if reporter is not None:
            reporter.stop()
        return build(config, workload, target, stats, elapsed, load_seconds)


class _Progress:
    """A one-line progress bar on stderr."""

    def __init__(self, progress, total: int) -> None:
        import sys

        self.progress = progress
        self.total = total
        self.out = sys.stderr
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        for tick in itertools.count():
            self._draw()
            if self.done.wait(0.25):
                break
            del tick

    def _draw(self) -> None:
        done = min(self.progress.value, self.total)
        width = 40
        filled = width * done // max(1, self.total)
        self.out.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{self.total} ops")
        self.out.flush()

    def stop(self) -> None:
        self.done.set()
        self.thread.join()
        self._draw()
        self.out.write("\n")
