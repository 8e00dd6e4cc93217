"""YCSB's core workloads A-F as operation mixes, and user workloads from a module.

A 50/50 read/update, B 95/5 read/update, C read only, D 95/5 read/insert reading the
latest records, E 95/5 short range Query/insert, F 50/50 read/read-modify-write. Each
has YCSB's default key distribution (zipfian; latest for D), which --distribution
overrides.

A user workload is a Python module (a file path or an importable name) with
    MIX = {"name": (weight, function), ...}     # function(ctx) runs one operation
and optionally `load(ctx)` (instead of the standard load) and DISTRIBUTION.
`ctx` is a driver.Context: ctx.client (boto3-shaped), ctx.table, ctx.rng, ctx.key(n),
ctx.pick() (a record number by the distribution), ctx.record(n) (an item).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from collections.abc import Callable
from typing import Any

Mix = dict[str, tuple[float, Callable[[Any], None]]]


def read(ctx) -> None:
    ctx.call("GetItem", ctx.client.get_item, TableName=ctx.table, Key=ctx.key(ctx.pick()),
             ConsistentRead=ctx.consistent)


def update(ctx) -> None:
    # YCSB's update writes one field of the record.
    ctx.call("UpdateItem", ctx.client.update_item, TableName=ctx.table, Key=ctx.key(ctx.pick()),
             UpdateExpression="SET #f = :v",
             ExpressionAttributeNames={"#f": f"field{ctx.rng.randrange(ctx.fields)}"},
             ExpressionAttributeValues={":v": {"S": ctx.value()}})


def insert(ctx) -> None:
    ctx.call("PutItem", ctx.client.put_item, TableName=ctx.table, Item=ctx.record(ctx.new_record()))


def scan(ctx) -> None:
    """A short range: up to 100 records from a random one on, within its partition key."""
    start = ctx.pick()
    length = ctx.rng.randint(1, ctx.max_scan)
    key = ctx.key(start)
    ctx.call("Query", ctx.client.query, TableName=ctx.table,
             KeyConditionExpression="pk = :p AND sk BETWEEN :a AND :b",
             ExpressionAttributeValues={":p": key["pk"], ":a": key["sk"],
                                        ":b": {"N": str(start + length - 1)}},
             Limit=length, ConsistentRead=ctx.consistent)


def read_modify_write(ctx) -> None:
    number = ctx.pick()
    key = ctx.key(number)
    ctx.call("GetItem", ctx.client.get_item, TableName=ctx.table, Key=key,
             ConsistentRead=ctx.consistent)
    ctx.call("UpdateItem", ctx.client.update_item, TableName=ctx.table, Key=key,
             UpdateExpression="SET #f = :v",
             ExpressionAttributeNames={"#f": f"field{ctx.rng.randrange(ctx.fields)}"},
             ExpressionAttributeValues={":v": {"S": ctx.value()}})


# name -> (mix, default distribution)
YCSB: dict[str, tuple[Mix, str]] = {
    "A": ({"read": (0.5, read), "update": (0.5, update)}, "zipfian"),
    "B": ({"read": (0.95, read), "update": (0.05, update)}, "zipfian"),
    "C": ({"read": (1.0, read)}, "zipfian"),
    "D": ({"read": (0.95, read), "insert": (0.05, insert)}, "latest"),
    "E": ({"scan": (0.95, scan), "insert": (0.05, insert)}, "zipfian"),
    "F": ({"read": (0.5, read), "read-modify-write": (0.5, read_modify_write)}, "zipfian"),
}


class Workload:
    def __init__(self, name: str, mix: Mix, distribution: str,
                 load: Callable[[Any], None] | None = None) -> None:
        total = sum(weight for weight, _ in mix.values())
        if not mix or total <= 0:
            raise ValueError(f"workload {name} has no operations")
        self.name = name
        self.mix = mix
        self.distribution = distribution
        self.load = load
        self.names = list(mix)
        self.functions = [mix[op][1] for op in self.names]
        cumulative = 0.0
        self.cumulative = []
        for op in self.names:
            cumulative += mix[op][0] / total
            self.cumulative.append(cumulative)

    def choose(self, rng) -> tuple[str, Callable[[Any], None]]:
        u = rng.random()
        for name, function, edge in zip(self.names, self.functions, self.cumulative):
            if u < edge:
                return name, function
        return self.names[-1], self.functions[-1]


def get(name: str, distribution: str | None = None) -> Workload:
    """A YCSB letter (A-F) or a user module (path to a .py file, or a module name)."""
    if name.upper() in YCSB:
        mix, default = YCSB[name.upper()]
        return Workload(name.upper(), mix, distribution or default)
    module = _import(name)
    mix = getattr(module, "MIX", None)
    if not isinstance(mix, dict):
        raise ValueError(f"workload module {name} defines no MIX dict")
    return Workload(name, mix, distribution or getattr(module, "DISTRIBUTION", "uniform"),
                    getattr(module, "load", None))


def _import(name: str):
    if name.endswith(".py") or os.sep in name:
        spec = importlib.util.spec_from_file_location("ddblite_user_workload", name)
        if spec is None or spec.loader is None:
            raise ValueError(f"cannot load workload file {name}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    return importlib.import_module(name)
