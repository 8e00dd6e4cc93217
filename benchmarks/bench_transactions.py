"""Transactions next to the plain calls that do the same work, in one run.

Writes: TransactWriteItems of 10 Puts vs 10 separate PutItems vs one BatchWriteItem
of 10 (items/s; target: the transaction costs at most 1.5x the batch). Reads:
TransactGetItems of 10 vs BatchGetItem of 10. ~1 KB items on LMDB without flushes
(nosync), so the figures are the engine's own costs. The five run in turns, best CPU
time of --rounds turns each, so load from other processes slows them alike.
Run: python benchmarks/bench_transactions.py [--groups 1000] [--rounds 5] [--durability nosync]
"""

from __future__ import annotations

import argparse
import itertools
import time

from benchmarks.bench_items import close_bench, make_item, open_bench, print_rates

GROUP = 10


def run(groups: int, durability: str, rounds: int) -> dict[str, float]:
    db, client, path = open_bench(durability, "bench-tx-")
    items = [make_item(i) for i in range(groups * GROUP)]
    batches = [items[i:i + GROUP] for i in range(0, len(items), GROUP)]
    counter = itertools.count()

    def transact_puts(count: int) -> None:
        for batch in batches[:count]:
            client.transact_write_items(
                TransactItems=[{"Put": {"TableName": "bench", "Item": item}} for item in batch]
            )

    def single_puts(count: int) -> None:
        for batch in batches[:count]:
            for item in batch:
                client.put_item(TableName="bench", Item=item)

    def batch_puts(count: int) -> None:
        for batch in batches[:count]:
            client.batch_write_item(
                RequestItems={"bench": [{"PutRequest": {"Item": item}} for item in batch]}
            )

    def transact_gets(count: int) -> None:
        for _ in range(count):
            batch = batches[next(counter) % len(batches)]
            client.transact_get_items(TransactItems=[
                {"Get": {"TableName": "bench", "Key": {"pk": item["pk"]}}} for item in batch
            ])

    def batch_gets(count: int) -> None:
        for _ in range(count):
            batch = batches[next(counter) % len(batches)]
            client.batch_get_item(
                RequestItems={"bench": {"Keys": [{"pk": item["pk"]} for item in batch]}}
            )

    workloads = {
        "TransactWriteItems (10 Puts)": transact_puts,
        "10 x PutItem": single_puts,
        "BatchWriteItem (10 Puts)": batch_puts,
        "TransactGetItems (10 Gets)": transact_gets,
        "BatchGetItem (10 Gets)": batch_gets,
    }
    best = dict.fromkeys(workloads, float("inf"))
    for _ in range(rounds):
        for name, workload in workloads.items():
            start = time.process_time()
            workload(groups)
            best[name] = min(best[name], time.process_time() - start)
    # Each run is `groups` groups of 10 items.
    rates = {name: groups * GROUP / seconds for name, seconds in best.items()}
    close_bench(db, path)
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=1000, help="groups of 10 items per run")
    parser.add_argument("--rounds", type=int, default=5, help="turns; the best counts")
    parser.add_argument("--durability", default="nosync",
                        choices=("nosync", "lazy", "full", "memory"))
    args = parser.parse_args()
    rates = run(args.groups, args.durability, args.rounds)
    print_rates(rates, "items/s (CPU time)")
    write_cost = rates["BatchWriteItem (10 Puts)"] / rates["TransactWriteItems (10 Puts)"]
    read_cost = rates["BatchGetItem (10 Gets)"] / rates["TransactGetItems (10 Gets)"]
    print(f"transaction / batch cost: writes {write_cost:.2f}x (target <= 1.5x), "
          f"reads {read_cost:.2f}x")


if __name__ == "__main__":
    main()
