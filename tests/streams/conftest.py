"""Fixtures for Streams and TTL: a DynamoDB client and a DynamoDB Streams client over
one database, through every front door (embedded memory and LMDB, mock, server), with
the database itself at hand for the clock and `expire_now()`."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

import ddblite
from ddblite.clock import ManualClock
from tests.conftest import create_table


@dataclass
class Doors:
    ddb: Any
    streams: Any
    db: ddblite.Database
    clock: ManualClock

    def stream_table(self, view: str = "NEW_AND_OLD_IMAGES", name: str = "things",
                     **extra: Any) -> str:
        """Create a table with a stream; returns the stream ARN."""
        response = create_table(
            self.ddb, name, StreamSpecification={"StreamEnabled": True, "StreamViewType": view},
            **extra)
        return response["TableDescription"]["LatestStreamArn"]


@contextlib.contextmanager
def _embedded(path: str, clock) -> Iterator[Doors]:
    with ddblite.connect(path, durability="lazy" if path != ":memory:" else None,
                         clock=clock) as db:
        yield Doors(db.client(), db.streams_client(), db, clock)


def _boto3(service: str, endpoint_url: str | None = None):
    import boto3

    from tests.front_doors import NO_RETRIES, REGION

    return boto3.session.Session().client(
        service, region_name=REGION, endpoint_url=endpoint_url,
        aws_access_key_id="testing", aws_secret_access_key="testing", config=NO_RETRIES)


@functools.cache
def _mock_clients():
    return _boto3("dynamodb"), _boto3("dynamodbstreams")


@functools.cache
def _server_clients():
    from tests.front_doors import session_server

    url = session_server().url
    return _boto3("dynamodb", url), _boto3("dynamodbstreams", url)


@contextlib.contextmanager
def _mock(tmp_path, clock) -> Iterator[Doors]:
    from ddblite.mock import Mock

    ddb, streams = _mock_clients()
    with ddblite.connect(":memory:", clock=clock) as db, Mock(db=db):
        yield Doors(ddb, streams, db, clock)


@contextlib.contextmanager
def _server(tmp_path, clock) -> Iterator[Doors]:
    from tests.front_doors import session_server

    ddb, streams = _server_clients()
    server = session_server()
    with ddblite.connect(":memory:", clock=clock) as db:
        server.app.db = db
        try:
            yield Doors(ddb, streams, db, clock)
        finally:
            server.app.db = None


DOORS = {
    "memory": lambda tmp_path, clock: _embedded(":memory:", clock),
    "lmdb": lambda tmp_path, clock: _embedded(str(tmp_path / "db"), clock),
    "mock": _mock,
    "server": _server,
}


@pytest.fixture(params=sorted(DOORS))
def doors(request, tmp_path, clock) -> Iterator[Doors]:
    with DOORS[request.param](tmp_path, clock) as made:
        yield made


def read_shard(streams, arn: str, shard_id: str, kind: str = "TRIM_HORIZON",
               **extra: Any) -> tuple[list[dict], dict]:
    """Every record of a shard from an iterator of `kind`; (records, last response)."""
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id,
                                          ShardIteratorType=kind, **extra)["ShardIterator"]
    found: list[dict] = []
    while True:
        response = streams.get_records(ShardIterator=iterator)
        found.extend(response["Records"])
        if not response["Records"] or "NextShardIterator" not in response:
            return found, response
        iterator = response["NextShardIterator"]


def all_shards(streams, arn: str, limit: int | None = None) -> list[dict]:
    extra = {"Limit": limit} if limit else {}
    response = streams.describe_stream(StreamArn=arn, **extra)["StreamDescription"]
    shards = list(response["Shards"])
    while "LastEvaluatedShardId" in response:
        response = streams.describe_stream(
            StreamArn=arn, ExclusiveStartShardId=response["LastEvaluatedShardId"],
            **extra)["StreamDescription"]
        shards.extend(response["Shards"])
    return shards


def read_stream(streams, arn: str) -> list[dict]:
    """Every record of every shard, parents before children (as a consumer must)."""
    shards = all_shards(streams, arn)
    done: set[str] = set()
    found: list[dict] = []
    while len(done) < len(shards):
        for shard in shards:
            parent = shard.get("ParentShardId")
            if shard["ShardId"] in done or (parent is not None and parent not in done
                                            and any(s["ShardId"] == parent for s in shards)):
                continue
            records, _ = read_shard(streams, arn, shard["ShardId"])
            found.extend(records)
            done.add(shard["ShardId"])
    return found
