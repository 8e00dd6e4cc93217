"""`ddblite stats URL` of a `ddblite serve --workers 2`: the whole directory's usage."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys

from tests.server.test_cli import ENV, start, stop

TARGET = "DynamoDB_20120810."


def call(connection: http.client.HTTPConnection, operation: str, body: dict) -> dict:
    connection.request("POST", "/", json.dumps(body), {
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": TARGET + operation})
    answer = connection.getresponse()
    document = json.loads(answer.read())
    assert answer.status == 200, document
    return document


def usage_of(port: int) -> dict:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/ddblite/usage")
    document = json.loads(connection.getresponse().read())
    connection.close()
    return document


def stats(where: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "ddblite", "stats", where, "--format", "json"],
                         env=ENV, capture_output=True, text=True, timeout=120, check=True).stdout
    return json.loads(out)


def test_stats_url_adds_up_every_worker(tmp_path):
    data = tmp_path / "data"
    process, port = start("--path", str(data), "--workers", "2", "--durability", "lazy",
                          "--usage-interval", "0")
    sent = {"read": 0.0, "write": 0.0, "reads": 0, "writes": 0}
    try:
        setup = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        call(setup, "CreateTable", {
            "TableName": "things", "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]})
        setup.close()
        workers = 0
        for round_number in range(200):
            # New connections every round, several open at once: the kernel hands
            # them to either worker.
            connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                           for _ in range(3)]
            for number, connection in enumerate(connections):
                key = f"k{round_number}-{number}"
                put = call(connection, "PutItem", {
                    "TableName": "things", "ReturnConsumedCapacity": "TOTAL",
                    "Item": {"pk": {"S": key}, "v": {"S": "x" * (900 * (number + 1))}}})
                get = call(connection, "GetItem", {
                    "TableName": "things", "ReturnConsumedCapacity": "TOTAL",
                    "Key": {"pk": {"S": key}}, "ConsistentRead": number == 0})
                sent["write"] += put["ConsumedCapacity"]["CapacityUnits"]
                sent["read"] += get["ConsumedCapacity"]["CapacityUnits"]
                sent["writes"] += 1
                sent["reads"] += 1
            for connection in connections:
                connection.close()
            processes = usage_of(port)["Processes"]
            workers = sum(1 for entry in processes if entry["WriteCapacityUnits"] > 0)
            if workers == 2 and round_number >= 2:
                break
        assert workers == 2, "every connection went to one worker"
        served = stats(f"http://127.0.0.1:{port}")
        counters = served["Tables"]["things"]
        assert (counters["ReadCapacityUnits"], counters["WriteCapacityUnits"],
                counters["ReadRequests"], counters["WriteRequests"]) == (
            sent["read"], sent["write"], sent["reads"], sent["writes"])
        assert sent["write"] > sent["writes"] > 0 and sent["read"] > sent["reads"] / 2
        assert sum(entry["WriteCapacityUnits"] for entry in served["Processes"]) == sent["write"]
        assert counters["EstimatedMonthlyCost"]["OnDemandMonthly"] > 0
    finally:
        code, _ = stop(process)
    assert code == 0
    # Stopped, the workers folded their counts into the directory's totals.
    stored = stats(str(data))
    counters = stored["Tables"]["things"]
    assert (counters["ReadCapacityUnits"], counters["WriteCapacityUnits"]) == (
        sent["read"], sent["write"])
    assert stored["Processes"] == []
