"""Normal requests keep being answered while slow clients and a flood of bad ones hit the server.

Counts and answers are asserted, not durations; the GetItem latencies are
reported (p50/p99) as the test's output and user properties.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from urllib.parse import urlparse

import ddblite
from ddblite.server.app import DynamoDBApp
from ddblite.server.runner import BackgroundServer
from tests.server.test_limits import read_answer, status_of

GARBAGE = [
    b"NOT HTTP AT ALL\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: x\r\ncontent-length: nope\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: x\r\ncontent-type: application/x-amz-json-1.0\r\n"
    b"x-amz-target: DynamoDB_20120810.GetItem\r\ncontent-length: 5\r\n\r\n{[}]{",
    b"POST / HTTP/1.1\r\nHost: x\r\ncontent-type: application/x-amz-json-1.0\r\n"
    b"x-amz-target: DynamoDB_20120810.PutItem\r\ncontent-length: 27\r\n\r\n"
    b'{"TableName":[1],"Item":[]}',
    b"GET /" + b"a" * 20_000 + b" HTTP/1.1\r\n\r\n",
]
GET_ITEM = json.dumps({"TableName": "things", "Key": {"pk": {"S": "k1"}}}).encode()


def _request(target: str, body: bytes) -> bytes:
    return (
        b"POST / HTTP/1.1\r\nHost: x\r\ncontent-type: application/x-amz-json-1.0\r\n"
        b"x-amz-target: DynamoDB_20120810.%s\r\ncontent-length: %d\r\n\r\n%s"
        % (target.encode(), len(body), body)
    )


def test_normal_requests_are_answered_under_hostile_load(record_property):
    with ddblite.connect(":memory:") as db, BackgroundServer(DynamoDBApp(db)) as server:
        db.call("CreateTable", {
            "TableName": "things",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST",
        })
        db.call("PutItem", {"TableName": "things", "Item": {"pk": {"S": "k1"}, "v": {"N": "1"}}})
        url = urlparse(server.url)
        address = (url.hostname, url.port)
        stop = threading.Event()
        slow_answers: list[int] = []
        flood_answers: list[bytes] = []

        def drip() -> None:  # a slow but legitimate client: one byte at a time
            with socket.create_connection(address, timeout=60) as sock:
                for byte in _request("GetItem", GET_ITEM):
                    sock.sendall(bytes([byte]))
                    stop.wait(0.002)
                slow_answers.append(status_of(read_answer(sock)))

        def stall() -> socket.socket:  # a head that never ends
            sock = socket.create_connection(address, timeout=60)
            sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nx-amz-tar")
            return sock

        def flood() -> None:  # malformed requests, each on a new connection
            for n in range(300):
                with socket.create_connection(address, timeout=60) as sock:
                    try:
                        sock.sendall(GARBAGE[n % len(GARBAGE)])
                        flood_answers.append(read_answer(sock))
                    except (ConnectionResetError, BrokenPipeError):
                        flood_answers.append(b"reset")

        stalled = [stall() for _ in range(20)]
        threads = [threading.Thread(target=drip) for _ in range(20)]
        threads += [threading.Thread(target=flood) for _ in range(2)]
        for thread in threads:
            thread.start()
        latencies = []
        connection = http.client.HTTPConnection(*address, timeout=60)
        headers = {
            "content-type": "application/x-amz-json-1.0",
            "x-amz-target": "DynamoDB_20120810.GetItem",
        }
        for _ in range(400):
            started = time.perf_counter()
            connection.request("POST", "/", body=GET_ITEM, headers=headers)
            response = connection.getresponse()
            body = json.loads(response.read())
            latencies.append(time.perf_counter() - started)
            assert response.status == 200
            assert body["Item"] == {"pk": {"S": "k1"}, "v": {"N": "1"}}
        connection.close()
        for thread in threads:
            thread.join()
        for sock in stalled:
            sock.close()
        assert slow_answers == [200] * 20
        assert len(flood_answers) == 600
        # Every malformed request got a 4xx answer (or was cut off), never a 5xx.
        statuses = [status_of(a) if a.startswith(b"HTTP/") else 0 for a in flood_answers]
        assert not [s for s in statuses if s >= 500]
        latencies.sort()
        p50, p99 = latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.99)]
        record_property("getitem_p50_ms", round(p50 * 1000, 2))
        record_property("getitem_p99_ms", round(p99 * 1000, 2))
        print(f"GetItem under load: p50 {p50 * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms")
