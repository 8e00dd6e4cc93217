"""`ddblite serve` and `ddblite demo` as a user runs them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import ddblite
from ddblite.cli import main
from tests.clients.serve import free_port, wait_until_serving

REPO = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def start(*args: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "ddblite", "serve", "--port", str(port), *args],
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_until_serving(port, process)
    return process, port


def stop(process: subprocess.Popen, how: int = signal.SIGTERM) -> tuple[int, str]:
    process.send_signal(how)
    out, _ = process.communicate(timeout=60)
    return process.returncode, out


def test_demo(capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "create_table(TableName='Music'" in out
    assert "{'Artist': {'S': 'No One You Know'}, 'Song': {'S': 'Call Me Today'}" in out
    assert "['Music']" in out


def test_in_memory_cannot_have_several_workers(capsys):
    assert main(["serve", "--in-memory", "--workers", "2"]) == 2
    assert "--in-memory" in capsys.readouterr().err


def test_require_auth_needs_a_key_pair(capsys):
    with pytest.raises(SystemExit) as excinfo:
        main(["serve", "--require-auth", "no-colon"])
    assert excinfo.value.code == 2
    assert "ACCESS_KEY:SECRET" in capsys.readouterr().err


def test_serve_in_memory_prints_its_url_and_stops_on_sigint():
    process, port = start("--in-memory")
    code, out = stop(process, signal.SIGINT)
    assert code == 0
    url = f"http://127.0.0.1:{port}"
    assert out.splitlines() == [
        f"ddblite serving in memory at {url}",
        f"  try: aws dynamodb list-tables --endpoint-url {url}",
    ]


CLIENT = textwrap.dedent(
    """
    import sys
    import boto3
    from botocore.config import Config

    port, name = sys.argv[1], sys.argv[2]
    client = boto3.session.Session().client(
        "dynamodb", region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{port}",
        aws_access_key_id="k", aws_secret_access_key="s",
        config=Config(retries={"total_max_attempts": 1}),
    )
    """
)
CREATE_TABLE = CLIENT + textwrap.dedent(
    """
    client.create_table(
        TableName="things", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
    )
    """
)
WRITE_ITEMS = CLIENT + textwrap.dedent(
    """
    for batch in range(2):
        requests = [
            {"PutRequest": {"Item": {"pk": {"S": f"{name}-b{batch}-{i}"}}}} for i in range(25)
        ]
        left = client.batch_write_item(RequestItems={"things": requests})["UnprocessedItems"]
        assert not left, left
    for i in range(20):
        client.put_item(TableName="things", Item={"pk": {"S": f"{name}-p{i}"}})
    # Optimistic increments of one shared counter: read, then write only if unchanged.
    done = 0
    while done < INCREMENTS:
        item = client.get_item(
            TableName="things", Key={"pk": {"S": "counter"}}, ConsistentRead=True
        ).get("Item")
        seen = int(item["n"]["N"]) if item else 0
        try:
            client.update_item(
                TableName="things", Key={"pk": {"S": "counter"}},
                UpdateExpression="SET n = :next",
                ConditionExpression="attribute_not_exists(n) OR n = :seen",
                ExpressionAttributeValues={
                    ":next": {"N": str(seen + 1)}, ":seen": {"N": str(seen)}
                },
            )
        except client.exceptions.ConditionalCheckFailedException:
            continue  # another writer got there first: read again
        done += 1
    """
).replace("INCREMENTS", "30")


def run_client(script: str, port: int, name: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", script, str(port), name], env=ENV)


def test_two_workers_over_one_directory_lose_nothing(tmp_path):
    data = tmp_path / "data"
    process, port = start("--path", str(data), "--workers", "2", "--durability", "lazy")
    try:
        assert run_client(CREATE_TABLE, port, "setup").wait(timeout=120) == 0
        writers = [run_client(WRITE_ITEMS, port, f"w{n}") for n in range(4)]
        assert [writer.wait(timeout=120) for writer in writers] == [0, 0, 0, 0]
    finally:
        code, _ = stop(process)
    assert code == 0
    # The workers closed the store cleanly; every write is there.
    with ddblite.connect(str(data)) as db:
        expected = {
            f"w{n}-{suffix}"
            for n in range(4)
            for suffix in [f"b{b}-{i}" for b in range(2) for i in range(25)]
            + [f"p{i}" for i in range(20)]
        }
        found = set()
        names = sorted(expected)
        for start_at in range(0, len(names), 100):
            keys = [{"pk": {"S": name}} for name in names[start_at : start_at + 100]]
            response = db.call("BatchGetItem", {"RequestItems": {"things": {"Keys": keys}}})
            found |= {item["pk"]["S"] for item in response["Responses"]["things"]}
        assert found == expected
        counter = db.call("GetItem", {"TableName": "things", "Key": {"pk": {"S": "counter"}}})
        # Four writers, 30 successful conditional increments each, none lost or doubled.
        assert counter["Item"]["n"] == {"N": "120"}
