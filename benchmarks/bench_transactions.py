"""Transactions next to the plain calls that do the same work, in one run.

Writes: TransactWriteItems of 10 Puts vs 10 separate PutItems vs one BatchWriteItem
of 10 (items/s; target: the transaction costs at most 1.5x the batch). Reads:
TransactGetItems of 10 vs BatchGetItem of 10. ~1 KB items, LMDB with lazy durability.
Run: python benchmarks/bench_transactions.py [--groups 2000] [--durability lazy]
"""

from __future__ import annotations

import argparse
import itertools

from benchmarks.bench_items import best_rate, close_bench, make_item, open_bench, print_rates

GROUP = 10


def run(groups: int, durability: str) -> dict[str, float]:
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

    # Rates are in groups of 10 per second; x10 for items per second.
    rates = {
        "TransactWriteItems (10 Puts)": best_rate(transact_puts, groups) * GROUP,
        "10 x PutItem": best_rate(single_puts, groups) * GROUP,
        "BatchWriteItem (10 Puts)": best_rate(batch_puts, groups) * GROUP,
        "TransactGetItems (10 Gets)": best_rate(transact_gets, groups) * GROUP,
        "BatchGetItem (10 Gets)": best_rate(batch_gets, groups) * GROUP,
    }
    close_bench(db, path)
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=2000, help="groups of 10 items per run")
    parser.add_argument("--durability", default="lazy", choices=("lazy", "full", "memory"))
    args = parser.parse_args()
    rates = run(args.groups, args.durability)
    print_rates(rates, "items/s")
    write_cost = rates["BatchWriteItem (10 Puts)"] / rates["TransactWriteItems (10 Puts)"]
    read_cost = rates["BatchGetItem (10 Gets)"] / rates["TransactGetItems (10 Gets)"]
    print(f"transaction / batch cost: writes {write_cost:.2f}x (target <= 1.5x), "
          f"reads {read_cost:.2f}x")


if __name__ == "__main__":
    main()
