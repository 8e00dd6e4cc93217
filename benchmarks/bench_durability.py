"""PutItem ops/s on LMDB by durability setting, writer threads and processes.

full   - every commit flushed (data and meta page).
lazy   - MDB_NOMETASYNC + group commit: concurrent writers share a commit and its
         one flush; an OS crash may undo the last commits, never corrupts.
nosync - the former lazy: no flush on commit (may corrupt after an OS crash on a
         file system that reorders writes).

Run: python benchmarks/bench_durability.py [--seconds 2] [--rounds 3]
Each cell: writers put ~1 KB items with distinct keys for the given time. The
cells are measured in turn, --rounds times, and each keeps its best round, so a
burst of other load on the machine (fsyncs are shared) hurts no setting alone.
"""

from __future__ import annotations

import argparse
import multiprocessing
import shutil
import tempfile
import threading
import time

import ddblite

MODES = ("full", "lazy", "nosync")
TABLE = {
    "TableName": "bench",
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
    "BillingMode": "PAY_PER_REQUEST",
}


def _writer(db, prefix: str, deadline: float, counts: list, slot: int) -> None:
    client = db.client()
    n = 0
    payload = {"S": "x" * 900}
    while time.perf_counter() < deadline:
        client.put_item(TableName="bench", Item={"pk": {"S": f"{prefix}-{n}"}, "v": payload})
        n += 1
    counts[slot] = n


def run_threads(path: str, mode: str, threads: int, seconds: float, prefix: str = "t") -> int:
    with ddblite.connect(path, durability=mode) as db:
        counts = [0] * threads
        deadline = time.perf_counter() + seconds
        workers = [
            threading.Thread(target=_writer, args=(db, f"{prefix}{i}", deadline, counts, i))
            for i in range(threads)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        return sum(counts)


def _process_main(path: str, mode: str, seconds: float, prefix: str, results) -> None:
    results.put(run_threads(path, mode, 1, seconds, prefix))


def run_processes(path: str, mode: str, processes: int, seconds: float) -> int:
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    children = [
        context.Process(target=_process_main, args=(path, mode, seconds, f"p{i}-", results))
        for i in range(processes)
    ]
    for child in children:
        child.start()
    total = sum(results.get() for _ in children)
    for child in children:
        child.join()
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    columns = [("1 thread", 1, None), ("4 threads", 4, None), ("8 threads", 8, None),
               ("2 processes", None, 2)]
    print(f"PutItem ops/s, ~1 KB items, {args.seconds:g} s per cell, best of {args.rounds}")
    rates = {mode: [0.0] * len(columns) for mode in MODES}
    for _ in range(args.rounds):
        for column, (_, threads, processes) in enumerate(columns):
            for mode in MODES:
                path = tempfile.mkdtemp(prefix=f"ddblite-dur-{mode}-")
                try:
                    with ddblite.connect(path, durability=mode) as db:
                        db.call("CreateTable", TABLE)
                    if processes:
                        ops = run_processes(path, mode, processes, args.seconds)
                    else:
                        ops = run_threads(path, mode, threads, args.seconds)
                finally:
                    shutil.rmtree(path, ignore_errors=True)
                rates[mode][column] = max(rates[mode][column], ops / args.seconds)
    print(f"{'durability':<12}" + "".join(f"{name:>14}" for name, _, _ in columns))
    for mode in MODES:
        print(f"{mode:<12}" + "".join(f"{rate:>14,.0f}" for rate in rates[mode]))
    ratio = [lazy / full for lazy, full in zip(rates["lazy"], rates["full"])]
    print(f"{'lazy / full':<12}" + "".join(f"{r:>13.1f}x" for r in ratio))


if __name__ == "__main__":
    main()
