"""The HTTP endpoint: routing, DynamoDB's answers to bad input, headers, CORS, SigV4."""

from __future__ import annotations

import http.client
import json
import socket
import time
import zlib
from urllib.parse import urlparse

import boto3
import pytest
from botocore.exceptions import ClientError

import ddblite
from ddblite.clock import ManualClock
from ddblite.server.app import DynamoDBApp
from ddblite.server.runner import BackgroundServer
from tests.conftest import create_table, error_of
from tests.front_doors import NO_RETRIES, boto3_client, session_server

AMZ_JSON = "application/x-amz-json-1.0"
BARE_SERIALIZATION = {"__type": "com.amazon.coral.service#SerializationException"}
BARE_UNKNOWN = {"__type": "com.amazon.coral.service#UnknownOperationException"}
NOT_FOUND = b"<UnknownOperationException/>\n"


class Answer:
    def __init__(self, response: http.client.HTTPResponse) -> None:
        self.status = response.status
        self.headers = {name.lower(): value for name, value in response.getheaders()}
        self.body = response.read()

    def json(self):
        return json.loads(self.body)


def request(
    url, method="POST", body=b"", headers=None, target="DynamoDB_20120810.ListTables", path="/"
):
    parsed = urlparse(url)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
    sent = {"content-type": AMZ_JSON}
    if target:
        sent["x-amz-target"] = target
    sent.update(headers or {})
    sent = {name: value for name, value in sent.items() if value is not None}
    try:
        connection.request(method, path, body=body, headers=sent)
        return Answer(connection.getresponse())
    finally:
        connection.close()


@pytest.fixture
def served(clock):
    """The session server, serving a fresh database for this test."""
    server = session_server()
    with ddblite.connect(":memory:", clock=clock) as db:
        server.app.db = db
        yield server
        server.app.db = None


@pytest.fixture
def url(served):
    return served.url


def assert_alive(url):
    assert request(url, body=b"{}").json() == {"TableNames": []}


# ------------------------------------------------------------------ success


def test_a_call_answers_with_dynamodb_headers(url):
    answer = request(url, body=b"{}")
    assert answer.status == 200
    assert answer.json() == {"TableNames": []}
    assert answer.headers["content-type"] == AMZ_JSON
    assert answer.headers["x-amz-crc32"] == str(zlib.crc32(answer.body))
    assert answer.headers["content-length"] == str(len(answer.body))
    request_id = answer.headers["x-amzn-requestid"]
    assert len(request_id) == 52 and request_id.isalnum() and request_id.isupper()


def test_plain_json_content_type_is_accepted_and_echoed(url):
    answer = request(url, body=b"{}", headers={"content-type": "application/json; charset=utf-8"})
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/json"


def test_keep_alive_serves_several_requests_on_one_connection(url):
    parsed = urlparse(url)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
    headers = {"content-type": AMZ_JSON, "x-amz-target": "DynamoDB_20120810.ListTables"}
    try:
        for _ in range(3):
            connection.request("POST", "/", body=b"{}", headers=headers)
            response = connection.getresponse()
            assert response.status == 200 and json.loads(response.read()) == {"TableNames": []}
            assert connection.sock is not None
    finally:
        connection.close()


def test_binary_round_trips_through_boto3(url):
    client = boto3_client(url)
    create_table(client, hash_key=("pk", "B"))
    item = {
        "pk": {"B": b"\x00\xff"},
        "B": {"M": {"B": {"BS": [b"\x00", b"x"]}, "L": {"L": [{"B": b""}, {"S": "QQ=="}]}}},
    }
    client.put_item(TableName="things", Item=item)
    got = client.get_item(TableName="things", Key={"pk": {"B": b"\x00\xff"}})["Item"]
    assert got == item


def test_tables_are_per_region(url):
    create_table(boto3_client(url))
    assert signed_client(url, region="eu-west-1").list_tables()["TableNames"] == []
    assert boto3_client(url).list_tables()["TableNames"] == ["things"]


def test_errors_are_400_with_type_and_message(url):
    body = json.dumps({"TableName": "missing"}).encode()
    answer = request(url, body=body, target="DynamoDB_20120810.DescribeTable")
    assert answer.status == 400
    assert answer.json()["__type"] == "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"
    assert answer.json()["message"].startswith("Requested resource not found")
    assert answer.headers["x-amz-crc32"] == str(zlib.crc32(answer.body))


def test_internal_errors_are_500(served, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(served.app.db, "call", broken)
    answer = request(served.url, body=b"{}")
    assert answer.status == 500
    assert answer.json()["__type"] == "com.amazonaws.dynamodb.v20120810#InternalServerError"
    monkeypatch.undo()
    assert_alive(served.url)


# ---------------------------------------------------------------- bad input


def test_health_check(url):
    host = {"host": "dynamodb.us-east-1.amazonaws.com"}
    answer = request(url, method="GET", target=None, headers=host)
    assert answer.status == 200
    assert answer.body == b"healthy: dynamodb.us-east-1.amazonaws.com "
    assert answer.headers["x-amz-crc32"] == "3128867991"


def test_health_check_names_the_host_the_client_used(url):
    answer = request(url, method="GET", target=None)
    assert answer.body == f"healthy: {urlparse(url).netloc} ".encode()


@pytest.mark.parametrize("path", ["/health", "/ping", "//", "/favicon.ico"])
def test_health_check_is_only_at_the_root(url, path):
    answer = request(url, method="GET", target=None, path=path)
    assert (answer.status, answer.body) == (404, NOT_FOUND)


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS"])
def test_other_methods_are_not_found(url, method):
    answer = request(url, method=method, body=b"{}")
    assert (answer.status, answer.body) == (404, NOT_FOUND)
    assert_alive(url)


@pytest.mark.parametrize(
    "content_type",
    [None, "whatever", "application/x-amz-json-1.1", "application/jsonasdf", "text/plain"],
)
def test_wrong_content_type_is_not_found(url, content_type):
    answer = request(url, body=b"{}", headers={"content-type": content_type})
    assert (answer.status, answer.body) == (404, NOT_FOUND)
    assert answer.headers["x-amz-crc32"] == "3552371480"
    assert_alive(url)


@pytest.mark.parametrize(
    "body",
    [b"hi", b'{"TableName": "things"', b'{"a": "\xff\xfe"}', b"\xef\xbb\xbf{}"[:2]],
    ids=["not-json", "truncated", "invalid-utf8", "partial-bom"],
)
def test_unparsable_bodies_are_bare_serialization_exceptions(url, body):
    answer = request(url, body=body)
    assert answer.status == 400
    assert answer.json() == BARE_SERIALIZATION
    assert answer.headers["x-amz-crc32"] == "3948637019"
    assert_alive(url)


def test_malformed_json_is_reported_before_an_unknown_target(url):
    assert request(url, body=b"hi", target="Nope.Nope").json() == BARE_SERIALIZATION


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[1]", "Start of list found where not expected"),
        (b'"x"', "Unexpected field type"),
        (b"null", "Unexpected field type"),  # INFERRED: as the other non-structures
    ],
)
def test_non_object_json(url, body, message):
    answer = request(url, body=body)
    assert answer.status == 400
    assert answer.json() == {**BARE_SERIALIZATION, "message": message}
    assert_alive(url)


def test_empty_body_with_a_known_target(url):
    assert request(url, body=b"").json() == BARE_SERIALIZATION


def test_invalid_base64_over_the_wire(url):
    body = json.dumps({"TableName": "things", "Key": {"pk": {"B": "QQ="}}}).encode()
    answer = request(url, body=body, target="DynamoDB_20120810.GetItem")
    assert answer.json() == {
        **BARE_SERIALIZATION,
        "message": "Base64 encoded length is expected a multiple of 4 bytes but found: 3",
    }


@pytest.mark.parametrize(
    "target",
    [
        None,
        "whatever",
        "DynamoDB_20120810.ListTable",
        "DynamoDB_20111205.ListTables",
        "DynamoDBStreams_20120810.ListTables",
        "DynamoDB_20120810.",
    ],
)
def test_unknown_targets(url, target):
    answer = request(url, body=b"{}", target=target)
    assert answer.status == 400
    assert answer.json() == BARE_UNKNOWN
    assert_alive(url)


def test_client_disconnecting_mid_body_leaves_the_server_up(url):
    parsed = urlparse(url)
    with socket.create_connection((parsed.hostname, parsed.port), timeout=10) as sock:
        sock.sendall(
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\n"
            b'X-Amz-Target: DynamoDB_20120810.ListTables\r\nContent-Length: 100\r\n\r\n{"Lim'
        )
        sock.shutdown(socket.SHUT_WR)
        leftover = sock.recv(1024)
    assert not leftover.startswith(b"HTTP/1.1 200")
    assert_alive(url)


@pytest.fixture(scope="module")
def small_server():
    with (
        ddblite.connect(":memory:") as db,
        BackgroundServer(DynamoDBApp(db, max_request_bytes=1024)) as server,
    ):
        yield server


def test_oversized_body_is_413(small_server):
    answer = request(small_server.url, body=b"{" + b" " * 2000 + b"}")
    assert answer.status == 413
    assert answer.body == b""
    assert_alive(small_server.url)


def test_oversized_chunked_body_is_413(small_server):
    parsed = urlparse(small_server.url)
    chunks = [b"{", b" " * 700, b" " * 700, b"}"]
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in chunks) + b"0\r\n\r\n"
    with socket.create_connection((parsed.hostname, parsed.port), timeout=10) as sock:
        # One write, so the whole request is in before the server answers.
        sock.sendall(
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\n"
            b"X-Amz-Target: DynamoDB_20120810.ListTables\r\nTransfer-Encoding: chunked\r\n\r\n"
            + body
        )
        status_line = sock.makefile("rb").readline()
    assert status_line.startswith(b"HTTP/1.1 413")
    assert_alive(small_server.url)


def test_the_real_cap_is_16_mib(url):
    answer = request(url, body=b"{}", headers={"content-length": str(16 * 1024 * 1024 + 1)})
    assert answer.status == 413


# -------------------------------------------------------------------- CORS


def test_no_cors_headers_unless_enabled(url):
    answer = request(url, body=b"{}", headers={"origin": "http://app.example"})
    assert "access-control-allow-origin" not in answer.headers
    assert request(url, method="OPTIONS", headers={"origin": "http://app.example"}).status == 404


@pytest.fixture(scope="module")
def cors_server():
    with (
        ddblite.connect(":memory:") as db,
        BackgroundServer(DynamoDBApp(db, cors=["http://app.example"])) as server,
    ):
        yield server


def test_cors_for_an_allowed_origin(cors_server):
    answer = request(cors_server.url, body=b"{}", headers={"origin": "http://app.example"})
    assert answer.status == 200
    assert answer.headers["access-control-allow-origin"] == "http://app.example"
    assert "x-amz-crc32" in answer.headers["access-control-expose-headers"]


def test_cors_preflight(cors_server):
    answer = request(
        cors_server.url,
        method="OPTIONS",
        headers={
            "origin": "http://app.example",
            "access-control-request-headers": "x-amz-target, content-type",
            "access-control-request-method": "POST",
        },
    )
    assert answer.status == 200 and answer.body == b""
    assert answer.headers["access-control-allow-origin"] == "http://app.example"
    assert answer.headers["access-control-allow-headers"] == "x-amz-target, content-type"
    assert answer.headers["access-control-allow-methods"] == "POST"
    assert answer.headers["access-control-max-age"] == "172800"


def test_cors_ignores_other_origins(cors_server):
    answer = request(cors_server.url, body=b"{}", headers={"origin": "http://evil.example"})
    assert "access-control-allow-origin" not in answer.headers
    assert request(cors_server.url, method="OPTIONS", headers={"origin": "x"}).status == 404


def test_cors_wildcard():
    app = DynamoDBApp(ddblite.connect(":memory:"), cors=["*"])
    status, headers, _ = app.handle(
        "POST",
        "/",
        "",
        {
            "origin": "http://a",
            "content-type": AMZ_JSON,
            "x-amz-target": "DynamoDB_20120810.ListTables",
        },
        b"{}",
    )
    assert status == 200 and ("access-control-allow-origin", "*") in headers


# -------------------------------------------------------------------- SigV4

KEY, SECRET = "AKIDDDBLITE", "s3cr3t"


@pytest.fixture(scope="module")
def auth_server():
    with (
        ddblite.connect(":memory:") as db,
        BackgroundServer(DynamoDBApp(db, require_auth=(KEY, SECRET))) as server,
    ):
        yield server


def signed_client(url, key=KEY, secret=SECRET, region="us-east-1"):
    client = boto3.session.Session().client(
        "dynamodb",
        region_name=region,
        endpoint_url=url,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=NO_RETRIES,
    )
    return client


def test_auth_accepts_the_right_signature(auth_server):
    client = signed_client(auth_server.url)
    assert client.list_tables()["TableNames"] == []
    create_table(client, "ñandú-table".replace("ñandú", "nandu"))
    # Signed over a body holding non-ASCII text and binary.
    client.put_item(TableName="nandu-table", Item={"pk": {"S": "ñandú"}, "b": {"B": b"\xff"}})
    got = client.get_item(TableName="nandu-table", Key={"pk": {"S": "ñandú"}})["Item"]
    assert got["b"] == {"B": b"\xff"}


def test_auth_rejects_a_wrong_secret(auth_server):
    with pytest.raises(ClientError) as excinfo:
        signed_client(auth_server.url, secret="wrong").list_tables()
    assert error_of(excinfo) == (
        "InvalidSignatureException",
        "The request signature we calculated does not match the signature you provided. "
        "Check your AWS Secret Access Key and signing method. "
        "Consult the service documentation for details.",
    )


def test_auth_rejects_an_unknown_key(auth_server):
    with pytest.raises(ClientError) as excinfo:
        signed_client(auth_server.url, key="AKIDOTHER").list_tables()
    assert error_of(excinfo) == (
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
    )


def test_auth_requires_a_token(auth_server):
    answer = request(auth_server.url, body=b"{}")
    assert answer.json() == {
        "__type": "com.amazon.coral.service#MissingAuthenticationTokenException",
        "message": "Request is missing Authentication Token",
    }
    answer = request(auth_server.url, body=b"{}", headers={"authorization": "AWS4"})
    assert answer.json()["__type"].endswith("#MissingAuthenticationTokenException")


def test_auth_incomplete_header(auth_server):
    answer = request(auth_server.url, body=b"{}", headers={"authorization": "AWS4-"})
    assert answer.json() == {
        "__type": "com.amazon.coral.service#IncompleteSignatureException",
        "message": "Authorization header requires 'Credential' parameter. "
        "Authorization header requires 'Signature' parameter. "
        "Authorization header requires 'SignedHeaders' parameter. "
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
        "Authorization=AWS4-",
    }


def test_auth_checks_come_after_the_target(auth_server):
    assert request(auth_server.url, body=b"{}", target="Nope").json() == BARE_UNKNOWN


def test_expired_signature(auth_server):
    verifier = auth_server.app.verifier
    clock = ManualClock(time.time() + 16 * 60)
    verifier.clock = clock
    try:
        with pytest.raises(ClientError) as excinfo:
            signed_client(auth_server.url).list_tables()
    finally:
        verifier.clock = ddblite.Clock()
    code, message = error_of(excinfo)
    assert code == "InvalidSignatureException"
    assert message.startswith("Signature expired: ")
    assert message.endswith(" - 15 min.)")


def test_signature_from_the_future(auth_server):
    verifier = auth_server.app.verifier
    verifier.clock = ManualClock(time.time() - 16 * 60)
    try:
        with pytest.raises(ClientError) as excinfo:
            signed_client(auth_server.url).list_tables()
    finally:
        verifier.clock = ddblite.Clock()
    assert error_of(excinfo)[1].startswith("Signature not yet current: ")


def test_without_require_auth_any_credentials_work(url):
    assert signed_client(url, key="anything", secret="whatever").list_tables()["TableNames"] == []
    assert request(url, body=b"{}").status == 200  # unsigned too
