"""Shared fixtures.

`client` runs a test through every front door: the embedded client on the
in-memory backend and on LMDB (more front doors register themselves in
FRONT_DOORS). Every behaviour test written against `client` holds for all.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import pytest

import ddblite
from ddblite.clock import ManualClock


@contextlib.contextmanager
def _embedded_memory(tmp_path, clock) -> Iterator:
    with ddblite.connect(":memory:", clock=clock) as db:
        yield db.client()


@contextlib.contextmanager
def _embedded_lmdb(tmp_path, clock) -> Iterator:
    with ddblite.connect(str(tmp_path / "db"), durability="lazy", clock=clock) as db:
        yield db.client()


# name -> context manager factory (tmp_path, clock) yielding a boto3-shaped client.
FRONT_DOORS: dict[str, Callable] = {
    "memory": _embedded_memory,
    "lmdb": _embedded_lmdb,
}

# The boto3 front doors (mock, server): a failed import fails the run, never
# silently narrows it.
from tests.front_doors import EXTRA_FRONT_DOORS  # noqa: E402

FRONT_DOORS.update(EXTRA_FRONT_DOORS)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture(params=sorted(FRONT_DOORS))
def client(request, tmp_path, clock):
    with FRONT_DOORS[request.param](tmp_path, clock) as made:
        yield made


@pytest.fixture(params=["memory", "lmdb"])
def db(request, tmp_path, clock):
    path = ":memory:" if request.param == "memory" else str(tmp_path / "db")
    durability = None if request.param == "memory" else "lazy"
    with ddblite.connect(path, durability=durability, clock=clock) as database:
        yield database


def create_table(client, name: str = "things", hash_key=("pk", "S"), range_key=None, **extra):
    """Create a PAY_PER_REQUEST table with the given key attributes."""
    schema = [{"AttributeName": hash_key[0], "KeyType": "HASH"}]
    definitions = [{"AttributeName": hash_key[0], "AttributeType": hash_key[1]}]
    if range_key is not None:
        schema.append({"AttributeName": range_key[0], "KeyType": "RANGE"})
        definitions.append({"AttributeName": range_key[0], "AttributeType": range_key[1]})
    extra.setdefault("BillingMode", "PAY_PER_REQUEST")
    return client.create_table(
        TableName=name, KeySchema=schema, AttributeDefinitions=definitions, **extra
    )


def error_of(excinfo) -> tuple[str, str]:
    """(code, message) of a raised botocore/ddblite ClientError."""
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]
