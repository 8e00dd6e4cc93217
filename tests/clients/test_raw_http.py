"""HTTP/1.1 as clients really send it, over a raw socket: the server's connection layer.

Pipelined requests, chunked bodies, Expect: 100-continue, HTTP/1.0 and
`Connection: close`, unparseable HTTP, and writes that go to the thread pool
(full durability) while later requests wait their turn.
"""

from __future__ import annotations

import gzip
import json
import socket
import zlib
from urllib.parse import urlparse

import pytest

import ddblite
from ddblite.server.app import DynamoDBApp
from ddblite.server.runner import BackgroundServer

LIST_TABLES = "DynamoDB_20120810.ListTables"


@pytest.fixture(scope="module")
def memory_server():
    with ddblite.connect(":memory:") as db, BackgroundServer(DynamoDBApp(db)) as server:
        yield server


@pytest.fixture
def durable_server(tmp_path):
    with (
        ddblite.connect(str(tmp_path / "data"), "full") as db,
        BackgroundServer(DynamoDBApp(db)) as server,
    ):
        yield server


def connect(url: str) -> socket.socket:
    parsed = urlparse(url)
    return socket.create_connection((parsed.hostname, parsed.port), timeout=10)


def raw_request(
    body: bytes, target: str = LIST_TABLES, version: str = "1.1", extra: str = ""
) -> bytes:
    return (
        f"POST / HTTP/{version}\r\nHost: localhost\r\n"
        f"Content-Type: application/x-amz-json-1.0\r\nX-Amz-Target: {target}\r\n"
        f"Content-Length: {len(body)}\r\n{extra}\r\n"
    ).encode() + body


def read_answer(reader) -> tuple[int, dict[str, str], bytes]:
    status_line = reader.readline()
    assert status_line, "the server closed the connection"
    status = int(status_line.split()[1])
    headers = {}
    while (line := reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    body = reader.read(int(headers.get("content-length", "0")))
    return status, headers, body


def table_request(operation: str, params: dict) -> bytes:
    return raw_request(json.dumps(params).encode(), target=f"DynamoDB_20120810.{operation}")


CREATE = {
    "TableName": "things",
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
    "BillingMode": "PAY_PER_REQUEST",
}


def test_pipelined_requests_are_answered_in_order_on_one_connection(memory_server):
    with connect(memory_server.url) as sock, sock.makefile("rb") as reader:
        sock.sendall(raw_request(b"{}") + raw_request(b"not json") + raw_request(b"{}"))
        answers = [read_answer(reader) for _ in range(3)]
    assert [status for status, _, _ in answers] == [200, 400, 200]
    assert json.loads(answers[0][2]) == {"TableNames": []}
    assert json.loads(answers[1][2]) == {
        "__type": "com.amazon.coral.service#SerializationException"
    }
    assert answers[0][1]["x-amzn-requestid"] != answers[2][1]["x-amzn-requestid"]


def test_a_request_split_into_many_packets(memory_server):
    message = raw_request(b'{"Limit": 5}')
    with connect(memory_server.url) as sock, sock.makefile("rb") as reader:
        for offset in range(len(message)):
            sock.sendall(message[offset : offset + 1])
        status, _, body = read_answer(reader)
    assert (status, json.loads(body)) == (200, {"TableNames": []})


def test_a_chunked_body(memory_server):
    head = (
        "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.0\r\n"
        f"X-Amz-Target: {LIST_TABLES}\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    with connect(memory_server.url) as sock, sock.makefile("rb") as reader:
        sock.sendall(head.encode() + b'5\r\n{"Lim\r\n7\r\nit": 3}\r\n0\r\n\r\n')
        status, _, body = read_answer(reader)
    assert (status, json.loads(body)) == (200, {"TableNames": []})


def test_expect_100_continue(memory_server):
    message = raw_request(b"{}", extra="Expect: 100-continue\r\n")
    head, body = message[:-2], message[-2:]
    with connect(memory_server.url) as sock, sock.makefile("rb") as reader:
        sock.sendall(head)
        assert reader.readline() == b"HTTP/1.1 100 Continue\r\n"
        assert reader.readline() == b"\r\n"
        sock.sendall(body)
        status, _, answer = read_answer(reader)
    assert (status, json.loads(answer)) == (200, {"TableNames": []})


@pytest.mark.parametrize(("version", "extra"), [("1.0", ""), ("1.1", "Connection: close\r\n")])
def test_the_server_closes_when_the_client_asks(memory_server, version, extra):
    with connect(memory_server.url) as sock, sock.makefile("rb") as reader:
        sock.sendall(raw_request(b"{}", version=version, extra=extra))
        status, headers, _ = read_answer(reader)
        assert status == 200
        assert headers["connection"] == "close"
        assert reader.read() == b""  # closed by the server


def test_unparseable_http_is_400_and_the_server_stays_up(memory_server):
    with connect(memory_server.url) as sock, sock.makefile("rb") as reader:
        sock.sendall(b"POST / HTTP/1.1\r\nContent-Length: nope\r\n\r\n")
        status, headers, body = read_answer(reader)
        assert (status, headers["connection"], body) == (400, "close", b"")
        assert reader.read() == b""
    with connect(memory_server.url) as sock, sock.makefile("rb") as reader:
        sock.sendall(raw_request(b"{}"))
        assert read_answer(reader)[0] == 200


def test_durable_writes_on_the_thread_pool_keep_request_order(durable_server):
    """With full durability, writes wait for fsync off the event loop; answers stay in order."""
    requests = [table_request("CreateTable", CREATE)]
    for number in range(5):
        item = {"pk": {"S": "a"}, "n": {"N": str(number)}}
        requests.append(table_request("PutItem", {"TableName": "things", "Item": item}))
        requests.append(
            table_request("GetItem", {"TableName": "things", "Key": {"pk": {"S": "a"}}})
        )
    with connect(durable_server.url) as sock, sock.makefile("rb") as reader:
        sock.sendall(b"".join(requests))
        answers = [read_answer(reader) for _ in requests]
    assert all(status == 200 for status, _, _ in answers)
    assert durable_server.app._executor is not None  # the writes did go to the pool
    seen = [json.loads(body)["Item"]["n"]["N"] for _, _, body in answers[2::2]]
    assert seen == ["0", "1", "2", "3", "4"]


# ------------------------------------------------------------- content codings


def test_a_chunked_gzip_body(memory_server):
    packed = gzip.compress(b'{"Limit": 3}')
    head = (
        "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.0\r\n"
        f"X-Amz-Target: {LIST_TABLES}\r\nTransfer-Encoding: chunked\r\n"
        "Content-Encoding: gzip\r\n\r\n"
    )
    half = len(packed) // 2
    chunks = b"".join(
        b"%x\r\n%s\r\n" % (len(part), part) for part in (packed[:half], packed[half:])
    )
    with connect(memory_server.url) as sock, sock.makefile("rb") as reader:
        sock.sendall(head.encode() + chunks + b"0\r\n\r\n")
        status, _, body = read_answer(reader)
    assert (status, json.loads(body)) == (200, {"TableNames": []})


def test_pipelined_compressed_requests_and_answers_keep_their_order(memory_server):
    packed = gzip.compress(b"{}")
    gzipped = raw_request(packed, extra="Content-Encoding: gzip\r\n")
    broken = raw_request(b"garbage", extra="Content-Encoding: gzip\r\n")
    with connect(memory_server.url) as sock, sock.makefile("rb") as reader:
        sock.sendall(gzipped + broken + gzipped)
        answers = [read_answer(reader) for _ in range(3)]
    assert [status for status, _, _ in answers] == [200, 400, 200]
    assert json.loads(answers[1][2]) == {
        "__type": "com.amazon.coral.service#SerializationException"
    }


def test_a_compressed_answer_then_a_plain_one_on_one_connection(memory_server):
    names = [f"table-with-a-longer-name-{i:03}" for i in range(60)]
    with connect(memory_server.url) as sock, sock.makefile("rb") as reader:
        for name in names:
            sock.sendall(table_request("CreateTable", {**CREATE, "TableName": name}))
            assert read_answer(reader)[0] == 200
        sock.sendall(raw_request(b"{}", extra="Accept-Encoding: gzip\r\n") + raw_request(b"{}"))
        status, headers, packed = read_answer(reader)
        assert (status, headers["content-encoding"]) == (200, "gzip")
        assert headers["x-amz-crc32"] == str(zlib.crc32(packed))
        assert json.loads(gzip.decompress(packed))["TableNames"] == names
        status, headers, plain = read_answer(reader)
        assert "content-encoding" not in headers
        assert json.loads(plain)["TableNames"] == names
        for name in names:
            sock.sendall(table_request("DeleteTable", {"TableName": name}))
            assert read_answer(reader)[0] == 200


def test_every_answer_has_date_and_server_headers(memory_server):
    with connect(memory_server.url) as sock, sock.makefile("rb") as reader:
        sock.sendall(raw_request(b"{}") + raw_request(b"nope"))
        for _ in range(2):
            _, headers, _ = read_answer(reader)
            assert headers["server"] == "Server"
            assert headers["date"].endswith(" GMT")


@pytest.mark.parametrize(("path", "status"), [("/", 200), ("/other", 404)])
def test_head_answers_have_no_body_and_the_connection_stays_usable(memory_server, path, status):
    head = f"HEAD {path} HTTP/1.1\r\nHost: ddb.local:8000\r\n\r\n".encode()
    with connect(memory_server.url) as sock, sock.makefile("rb") as reader:
        sock.sendall(head + raw_request(b"{}"))
        status_line = reader.readline()
        assert int(status_line.split()[1]) == status
        headers = {}
        while (line := reader.readline()) != b"\r\n":
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        # The length GET's body would have, and no body: the next answer follows at once.
        expected = len(b"healthy: ddb.local:8000 ") if status == 200 else 29
        assert headers["content-length"] == str(expected)
        answer_status, _, body = read_answer(reader)
        assert (answer_status, json.loads(body)) == (200, {"TableNames": []})
