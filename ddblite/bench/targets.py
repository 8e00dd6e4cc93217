"""What a benchmark runs against: ddblite embedded (in memory or a directory), ddblite
served over HTTP (`ddblite serve` started for the run), or any DynamoDB endpoint URL."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

REGION = "us-east-1"


class Target:
    """kind: "embedded", "served" or "endpoint"; db: the Database when embedded."""

    def __init__(self, kind: str, description: str, db=None, url: str | None = None,
                 threads: int = 1) -> None:
        self.kind = kind
        self.description = description
        self.db = db
        self.url = url
        self.threads = threads

    def client(self):
        if self.db is not None:
            return self.db.client()
        return boto3_client(self.url, self.threads)  # type: ignore[arg-type]


def boto3_client(url: str, pool: int = 10):
    try:
        import boto3
        from botocore.config import Config
    except ImportError:  # pragma: no cover - boto3 comes with ddblite[bench]
        raise SystemExit(
            "benchmarking an endpoint needs boto3: pip install ddblite[bench]") from None
    # The driver retries throttles itself, to count them.
    config = Config(retries={"total_max_attempts": 1, "mode": "standard"},
                    max_pool_connections=max(10, pool))
    return boto3.session.Session().client(
        "dynamodb", endpoint_url=url, region_name=os.environ.get("AWS_DEFAULT_REGION", REGION),
        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "bench"),
        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "bench"),
        config=config,
    )


@contextlib.contextmanager
def open_target(config, url: str | None, opened_by_child: bool = False) -> Iterator[Target]:
    """The run's target; worker processes (opened_by_child) reach the parent's `url`
    or open the same directory."""
    import ddblite

    if url is not None:  # served or an endpoint: every process talks HTTP
        yield Target("endpoint", url, url=url, threads=config.threads)
        return
    if config.target.startswith(("http://", "https://")):
        yield Target("endpoint", config.target, url=config.target, threads=config.threads)
        return
    if config.serve and not opened_by_child:
        with _served(config) as served_url:
            yield Target("served", f"ddblite serve {config.target}", url=served_url,
                         threads=config.threads)
        return
    memory = config.target == ":memory:"
    durability = None if memory else config.durability
    db = ddblite.connect(config.target, durability=durability, throttle=config.throttle)
    try:
        yield Target("embedded", f"embedded {config.target}", db=db)
    finally:
        db.close()


@contextlib.contextmanager
def _served(config) -> Iterator[str]:
    """`ddblite serve` in a child process on a free loopback port, for this run."""
    command = [sys.executable, "-m", "ddblite", "serve", "--port", "0"]
    if config.target == ":memory:":
        command.append("--in-memory")
    else:
        command += ["--path", config.target]
        if config.durability:
            command += ["--durability", config.durability]
    if config.throttle:
        command.append("--throttle")
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             text=True)
    try:
        line = child.stdout.readline() if child.stdout else ""
        found = re.search(r"(http://\S+)", line)
        if not found:
            raise RuntimeError(f"ddblite serve did not start: {line!r}")
        url = found.group(1)
        _wait_until_up(url)
        yield url
    finally:
        child.terminate()
        try:
            child.wait(10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            child.kill()
            child.wait()


def _wait_until_up(url: str) -> None:
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    for _ in range(200):
        try:
            with socket.create_connection((parts.hostname, parts.port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"ddblite serve at {url} did not answer")


# ---------------------------------------------------------------- load phase


def create_table(config, client) -> None:
    """The benchmark table (pk S, sk N), unless it exists."""
    try:
        client.describe_table(TableName=config.table)
        return
    except Exception as exc:
        code = (getattr(exc, "response", None) or {}).get("Error", {}).get("Code")
        if code != "ResourceNotFoundException":
            raise
    params: dict[str, Any] = {
        "TableName": config.table,
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                      {"AttributeName": "sk", "KeyType": "RANGE"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                 {"AttributeName": "sk", "AttributeType": "N"}],
    }
    if config.provisioned:
        params["BillingMode"] = "PROVISIONED"
        params["ProvisionedThroughput"] = {"ReadCapacityUnits": config.provisioned[0],
                                           "WriteCapacityUnits": config.provisioned[1]}
    else:
        params["BillingMode"] = "PAY_PER_REQUEST"
    client.create_table(**params)
    for _ in range(600):  # real DynamoDB takes a while; ddblite is ACTIVE at once
        status = client.describe_table(TableName=config.table)["Table"]["TableStatus"]
        if status == "ACTIVE":
            return
        time.sleep(0.5)


def load(config, workload, target: Target, context_type) -> float:
    """Insert config.records records (BatchWriteItem, 25 at a time); returns seconds."""
    import random

    from ddblite.bench.distributions import Chooser
    from ddblite.bench.driver import THROTTLE_CODES, Stats

    client = target.client()
    create_table(config, client)
    started = time.perf_counter()
    ctx = context_type(config, client, random.Random(config.seed), Chooser("uniform", 1),
                       None, Stats())
    if workload.load is not None:
        workload.load(ctx)
        return time.perf_counter() - started
    for first in range(0, config.records, 25):
        batch = [{"PutRequest": {"Item": ctx.record(number)}}
                 for number in range(first, min(first + 25, config.records))]
        pending = {config.table: batch}
        for attempt in range(50):
            try:
                answer = client.batch_write_item(RequestItems=pending)
            except Exception as exc:  # the whole batch throttled: wait and send it again
                code = (getattr(exc, "response", None) or {}).get("Error", {}).get("Code")
                if code not in THROTTLE_CODES:
                    raise
                answer = {"UnprocessedItems": pending}
            pending = answer.get("UnprocessedItems") or {}
            if not pending:
                break
            time.sleep(min(1.0, 0.02 * 2 ** attempt))
    return time.perf_counter() - started
