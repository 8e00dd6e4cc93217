"""The boto3 front doors: ddblite.mock (wire and fast paths) and the HTTP server.

All yield a real boto3 client, so every test written against the `client`
fixture also runs through botocore's serializers and parsers and ddblite's
wire protocol. Creating boto3 clients and servers is slow, so each is made
once per test session; each test still gets a fresh database with its clock.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
from collections.abc import Iterator

import boto3
from botocore.config import Config

import ddblite
from ddblite.mock import Mock
from ddblite.server.app import DynamoDBApp
from ddblite.server.runner import BackgroundServer

REGION = "us-east-1"
NO_RETRIES = Config(retries={"total_max_attempts": 1, "mode": "standard"})


def boto3_client(endpoint_url: str | None = None):
    return boto3.session.Session().client(
        "dynamodb",
        region_name=REGION,
        endpoint_url=endpoint_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=NO_RETRIES,
    )


@functools.cache
def session_server() -> BackgroundServer:
    """One in-process server for the whole test session; tests swap its database."""
    server = BackgroundServer(DynamoDBApp()).start()
    atexit.register(server.stop)
    return server


@functools.cache
def _server_client():
    return boto3_client(session_server().url)


@functools.cache
def _mock_client():
    # Made outside any mock: the mock must reach clients that predate it.
    return boto3_client()


@contextlib.contextmanager
def _server(tmp_path, clock) -> Iterator:
    server = session_server()
    with ddblite.connect(":memory:", clock=clock) as db:
        server.app.db = db
        try:
            yield _server_client()
        finally:
            server.app.db = None


@contextlib.contextmanager
def _mock(tmp_path, clock) -> Iterator:
    # The wire path: botocore signs, sends (to before-send) and parses.
    with ddblite.connect(":memory:", clock=clock) as db, Mock(db=db, fast=False):
        yield _mock_client()


@contextlib.contextmanager
def _mock_fast(tmp_path, clock) -> Iterator:
    # The fast path (before-call), each answer compared with botocore's parse
    # of the wire answer to the same engine result: a differential test.
    with ddblite.connect(":memory:", clock=clock) as db, Mock(db=db, fast="verify"):
        yield _mock_client()


EXTRA_FRONT_DOORS = {"mock": _mock, "mock-fast": _mock_fast, "server": _server}
