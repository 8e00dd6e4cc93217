"""Acknowledged writes survive SIGKILL at random moments, in every durability mode.

Child processes write with several threads (so lazy's group commits are in
play) and print each key once its PutItem has returned; the test kills them
after a random number of acknowledgements, reopens the store and checks
that every acknowledged item is there, whole, and that the store reads end to end.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import ddblite

REPO = Path(__file__).resolve().parents[2]
TABLE = {
    "TableName": "crash",
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
    "BillingMode": "PAY_PER_REQUEST",
}
WRITER = textwrap.dedent(
    """
    import sys, threading
    import ddblite
    path, mode, name = sys.argv[1:4]
    db = ddblite.connect(path, durability=mode)
    lock = threading.Lock()
    def write(thread):
        client = db.client()
        for n in range(1_000_000):
            key = f"{name}-{thread}-{n}"
            client.put_item(TableName="crash", Item={"pk": {"S": key}, "v": {"S": key * 20}})
            with lock:
                sys.stdout.write(key + "\\n")
                sys.stdout.flush()
    threads = [threading.Thread(target=write, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    """
)


def _writer(path: Path, mode: str, name: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO),
                                                                    os.environ.get("PYTHONPATH")]))}
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), mode, name],
        stdout=subprocess.PIPE, text=True, env=env,
    )


def _check(path: Path, mode: str, acknowledged: set[str]) -> None:
    with ddblite.connect(str(path), durability=mode) as db:
        client = db.client()
        for key in acknowledged:
            item = client.get_item(TableName="crash", Key={"pk": {"S": key}}).get("Item")
            assert item == {"pk": {"S": key}, "v": {"S": key * 20}}, key
        seen, start = 0, None
        while True:  # the whole store reads back, page by page
            page = client.scan(TableName="crash", **({"ExclusiveStartKey": start} if start else {}))
            seen += page["Count"]
            start = page.get("LastEvaluatedKey")
            if not start:
                break
        assert seen >= len(acknowledged)


@pytest.mark.parametrize("mode", ["full", "lazy", "nosync"])
@pytest.mark.parametrize("processes", [1, 2])
def test_acknowledged_writes_survive_sigkill(tmp_path, mode, processes):
    chance = random.Random(f"{mode}-{processes}")  # random moments, the same every run
    path = tmp_path / "db"
    with ddblite.connect(str(path), durability=mode) as db:
        db.call("CreateTable", TABLE)
    acknowledged: set[str] = set()
    for round_ in range(3):  # kill, reopen, write on, kill again
        children = [_writer(path, mode, f"r{round_}p{i}") for i in range(processes)]
        for child in children:
            for _ in range(chance.randrange(20, 400)):
                line = child.stdout.readline()
                assert line, "the writer died on its own"
                acknowledged.add(line.strip())
            child.send_signal(signal.SIGKILL)
        for child in children:
            rest, _ = child.communicate()  # acknowledged before the kill landed
            acknowledged.update(filter(None, rest.split("\n")))
        _check(path, mode, acknowledged)
