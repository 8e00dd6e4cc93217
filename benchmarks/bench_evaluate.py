"""Condition evaluation over stored items: the pure closures next to the Cython twin.

Each workload parses one FilterExpression, compiles it with both evaluators and runs
it over the same items (stored shape, as Scan hands them over), reporting items/s.
The first workload is the one issue 3 names; the others isolate one node kind each.
Two passes: N distinct items (memory-bound: most of the time goes to cache misses on
the item dicts, whichever evaluator runs) and N evaluations over 1,000 items, cache-hot
like the freshly unpacked page a Scan filters, which shows the evaluator's own cost.
Run: python benchmarks/bench_evaluate.py [--n 100000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from ddblite.expressions import evaluator, parse_condition

WORKLOADS: list[tuple[str, str, dict]] = [
    (
        "BETWEEN + contains + attribute_exists(path)",
        "score BETWEEN :lo AND :hi AND contains(tags, :t) AND attribute_exists(a.b[1])",
        {":lo": {"N": "100"}, ":hi": {"N": "899.5"}, ":t": {"S": "red"}},
    ),
    ("number < constant", "score < :x", {":x": {"N": "500.25"}}),
    ("string >= constant", "#n >= :x", {":x": {"S": "item#00000500"}}),
    ("begins_with(string)", "begins_with(#n, :p)", {":p": {"S": "item#000005"}}),
    ("size(tags) > constant", "size(tags) > :x", {":x": {"N": "1"}}),
    ("IN constants", "color IN (:a, :b, :c)",
     {":a": {"S": "red"}, ":b": {"S": "green"}, ":c": {"S": "blue"}}),
]
NAMES = {"#n": "name"}


def make_item(i: int) -> dict:
    colors = ["red", "green", "blue", "black"]
    item = {
        "pk": {"S": f"item#{i:08d}"},
        "name": {"S": f"item#{i:08d}"},
        "score": {"N": f"{i % 1000}.{i % 7}" if i % 7 else str(i % 1000)},
        "color": {"S": colors[i % 4]},
        "tags": {"SS": sorted({colors[i % 4], colors[(i // 4) % 4]})},
    }
    if i % 3:
        item["a"] = {"M": {"b": {"L": [{"N": str(j)} for j in range(i % 4)]}}}
    return item


def rate(predicate: Callable[[dict], bool], items: list[dict], repeat: int) -> tuple[float, int]:
    """Best items/s over ``repeat`` passes, and how many items matched."""
    best = float("inf")
    matched = 0
    for _ in range(repeat):
        start = time.perf_counter()
        matched = sum(1 for item in items if predicate(item))
        best = min(best, time.perf_counter() - start)
    return len(items) / best, matched


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    twins = evaluator.implementations()
    if "cython" not in twins:
        raise SystemExit(f"ddblite._evaluate is not built: {evaluator.IMPORT_ERROR}")
    distinct = [make_item(i) for i in range(args.n)]
    hot = distinct[:1000] * (args.n // 1000)
    for title, items in [(f"{args.n:,} distinct items", distinct),
                         (f"{len(hot):,} evaluations over 1,000 hot items", hot)]:
        print(f"\n{title}, best of {args.repeat}; items/s")
        compare_twins(twins, items, args.repeat)


def compare_twins(twins: dict, items: list[dict], repeat: int) -> None:
    print(f"{'workload':46} {'pure':>12} {'cython':>12} {'speedup':>8} {'matched':>8}")
    for label, text, values in WORKLOADS:
        names = {k: v for k, v in NAMES.items() if k in text} or None
        tree = parse_condition(text, names, values).tree
        pure, pure_matched = rate(twins["pure"].compile_condition(tree, values), items,
                                  repeat)
        fast, fast_matched = rate(twins["cython"].compile_condition(tree, values), items,
                                  repeat)
        assert pure_matched == fast_matched, (label, pure_matched, fast_matched)
        print(f"{label:46} {pure:12,.0f} {fast:12,.0f} {fast / pure:7.2f}x {fast_matched:8,}")


if __name__ == "__main__":
    main()
