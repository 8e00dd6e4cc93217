"""`ddblite copy`: between two `ddblite serve` processes and data directories, with
throttling, leftovers, an interruption and a resume."""

from __future__ import annotations

import pytest

import ddblite
from ddblite.cli import main
from ddblite.errors import ProvisionedThroughputExceededException
from ddblite.transfer.copy import Backoff, Checkpoint, copy_table
from ddblite.transfer.sides import Side, endpoint_client
from tests.api.test_export_import import _all, _items
from tests.clients.serve import ddblite_serve

SCHEMA = dict(
    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
               {"AttributeName": "sk", "KeyType": "RANGE"}],
    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                          {"AttributeName": "sk", "AttributeType": "N"}],
)


def _fill(client, name="src", count=0):
    client.create_table(TableName=name, BillingMode="PROVISIONED",
                        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 7},
                        Tags=[{"Key": "team", "Value": "blue"}], **SCHEMA)
    for item in _items():
        client.put_item(TableName=name, Item=item)
    for i in range(count):
        client.put_item(TableName=name, Item={"pk": {"S": f"bulk{i}"}, "sk": {"N": str(i)}})


def test_copy_between_two_servers(capsys):
    with ddblite_serve() as source_url, ddblite_serve() as destination_url:
        source = endpoint_client(source_url)
        _fill(source, count=200)
        assert main(["copy", source_url, destination_url, "--quiet", "--segments", "3"]) == 0
        out, err = capsys.readouterr()
        assert f"copied 233 items in 1 tables from {source_url}" in out
        assert "verified: 233 items, 100 sampled equal" in err
        destination = endpoint_client(destination_url)
        assert _all(destination, "src") == _all(source, "src")
        table = destination.describe_table(TableName="src")["Table"]
        assert table["ProvisionedThroughput"]["WriteCapacityUnits"] == 7
        tags = destination.list_tags_of_resource(ResourceArn=table["TableArn"])["Tags"]
        assert tags == [{"Key": "team", "Value": "blue"}]


class Flaky:
    """A destination client that throttles, leaves items unprocessed, then breaks."""

    def __init__(self, client, break_after: int | None = None) -> None:
        self._client = client
        self.calls = 0
        self.written = 0
        self.break_after = break_after

    def __getattr__(self, name):
        return getattr(self._client, name)

    def batch_write_item(self, RequestItems):  # noqa: N803 - boto3's argument name
        self.calls += 1
        if self.break_after is not None and self.calls > self.break_after:
            raise ConnectionError("the network went away")
        if self.calls % 3 == 1:
            raise ProvisionedThroughputExceededException("throttled")
        (table, requests), = RequestItems.items()
        kept, left = requests[: len(requests) // 2 + 1], requests[len(requests) // 2 + 1:]
        self._client.batch_write_item(RequestItems={table: kept})
        self.written += len(kept)
        return {"UnprocessedItems": {table: left} if left else {}}


def test_backoff_on_throttling_and_unprocessed_items(tmp_path):
    waits = []
    with Side(str(tmp_path / "a")) as source, Side(str(tmp_path / "b")) as destination:
        _fill(source.client, count=100)
        destination.client = Flaky(destination.client)
        report = copy_table(source, destination, "src", segments=2, sample=20,
                            backoff=Backoff(sleep=waits.append))
        assert report.copied == 133
        assert report.verified and report.sampled == 20
        assert report.retries == len(waits) > 0
        assert max(waits) <= 5.0
        assert _all(destination.client, "src") == _all(source.client, "src")


def test_interrupted_copy_resumes_from_its_checkpoint(tmp_path):
    checkpoint_file = str(tmp_path / "copy.ckpt")
    with Side(str(tmp_path / "a")) as source, Side(str(tmp_path / "b")) as destination:
        _fill(source.client, count=1000)
        real = destination.client
        # A page is one batch of 25 here, taking about five calls with the leftovers and
        # throttling: 60 calls over two segments always finish some pages, never all.
        destination.client = Flaky(real, break_after=60)
        with pytest.raises(ConnectionError):
            copy_table(source, destination, "src", segments=2, page_size=25,
                       checkpoint=Checkpoint(checkpoint_file), backoff=Backoff(sleep=lambda s: 0))
        first = destination.client.written
        assert 0 < first < 1033
        destination.client = Flaky(real)
        report = copy_table(source, destination, "src", segments=2, page_size=25,
                            checkpoint=Checkpoint(checkpoint_file),
                            backoff=Backoff(sleep=lambda s: 0))
        # The resumed run skipped what the checkpoint says was written.
        assert report.copied < 1033
        assert report.verified and report.destination_count == 1033
        assert _all(real, "src") == _all(source.client, "src")


def test_copy_from_a_directory_to_a_directory_by_table(tmp_path, capsys):
    source = str(tmp_path / "a")
    with ddblite.connect(source) as db:
        _fill(db.client())
        _fill(db.client(), "other")
    assert main(["copy", source, str(tmp_path / "b"), "--tables", "other", "--quiet"]) == 0
    with ddblite.connect(str(tmp_path / "b")) as db:
        assert db.client().list_tables()["TableNames"] == ["other"]


def test_copy_from_nowhere_is_an_error(tmp_path, capsys):
    assert main(["copy", str(tmp_path / "missing"), str(tmp_path / "b"), "--quiet"]) == 1
    assert "neither an endpoint URL nor a data directory" in capsys.readouterr().err


def test_ddblite_copy_interrupted_and_resumed_between_two_servers(tmp_path):
    import json
    import os
    import signal
    import subprocess
    import sys
    import time

    from tests.clients.serve import REPO

    checkpoint = tmp_path / "copy.ckpt"
    with ddblite_serve() as source_url, ddblite_serve() as destination_url:
        source = endpoint_client(source_url)
        source.create_table(TableName="big", BillingMode="PAY_PER_REQUEST", **SCHEMA)
        items = [{"pk": {"S": f"k{i}"}, "sk": {"N": str(i)}, "pad": {"S": "x" * 200}}
                 for i in range(6000)]
        for i in range(0, len(items), 25):
            source.batch_write_item(RequestItems={"big": [
                {"PutRequest": {"Item": item}} for item in items[i:i + 25]]})
        command = [sys.executable, "-m", "ddblite", "copy", source_url, destination_url,
                   "--checkpoint", str(checkpoint), "--segments", "2", "--quiet"]
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not checkpoint.exists() and process.poll() is None:  # the first page is in
            assert time.monotonic() < deadline
            time.sleep(0.01)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
        assert process.returncode == 130, (out, err)
        assert "interrupted (run it again with the same --checkpoint to resume)" in err
        state = json.loads(checkpoint.read_text())["big"]
        assert len(state["done"]) < 2
        destination = endpoint_client(destination_url)
        copied_before = destination.scan(TableName="big", Select="COUNT")["Count"]
        assert 0 < copied_before < 6000

        resumed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
        assert resumed.returncode == 0, resumed.stderr
        assert "verified: 6000 items" in resumed.stderr
        assert _all(destination, "big") == _all(source, "big")
