"""Fixtures for the pytest-benchmark suites (run: python -m pytest benchmarks --benchmark-only)."""

from __future__ import annotations

import itertools

import lmdb
import msgpack
import pytest

import ddblite
from benchmarks.bench_items import create_bench_table, make_item


@pytest.fixture
def bench_client(tmp_path):
    with ddblite.connect(str(tmp_path / "db"), durability="nosync") as db:
        client = db.client()
        create_bench_table(client)
        yield client


@pytest.fixture
def floor_env(tmp_path):
    env = lmdb.open(
        str(tmp_path / "floor"), map_size=1 << 30, sync=False, metasync=False, max_dbs=4
    )
    yield env, env.open_db(b"items")
    env.close()


@pytest.fixture
def items():
    return [make_item(i) for i in range(1000)]


def cycling(sequence):
    return itertools.cycle(sequence).__next__


__all__ = ["cycling", "msgpack"]
