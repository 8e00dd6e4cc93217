"""What DynamoDB's HTTP front end does besides the JSON: the headers on every
answer, empty bodies, the endpoint the client reached, compressed requests and
compressed answers."""

from __future__ import annotations

import asyncio
import gzip
import json
import zlib
from email.utils import parsedate_to_datetime
from urllib.parse import urlparse

import pytest

import ddblite
from ddblite.server import encoding
from ddblite.server.app import DynamoDBApp
from ddblite.server.runner import BackgroundServer
from tests.front_doors import boto3_client
from tests.server.test_http import BARE_SERIALIZATION, NOT_FOUND, assert_alive, request

TARGET = "DynamoDB_20120810."
CREATE = {
    "TableName": "things",
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
    "BillingMode": "PAY_PER_REQUEST",
}


def call(url, operation, params, headers=None, body=None):
    data = json.dumps(params).encode() if body is None else body
    return request(url, body=data, target=TARGET + operation, headers=headers)


@pytest.fixture
def served(clock):
    with ddblite.connect(":memory:", clock=clock) as db, BackgroundServer(DynamoDBApp(db)) as s:
        yield s


@pytest.fixture
def url(served):
    return served.url


@pytest.fixture
def table(url):
    assert call(url, "CreateTable", CREATE).status == 200
    return url


# ------------------------------------------------------------------ headers


@pytest.mark.parametrize(
    ("method", "body", "status"),
    [("POST", b"{}", 200), ("POST", b"nope", 400), ("GET", b"", 200), ("PUT", b"{}", 404)],
)
def test_every_answer_carries_date_and_server(url, clock, method, body, status):
    answer = request(url, method=method, body=body)
    assert answer.status == status
    assert answer.headers["server"] == "Server"
    # The served database's clock, in HTTP's date format.
    assert parsedate_to_datetime(answer.headers["date"]).timestamp() == int(clock.now())
    assert answer.headers["date"].endswith(" GMT")


@pytest.fixture
def cors_url():
    app = DynamoDBApp(
        ddblite.connect(":memory:"), cors=["http://app.example"], max_request_bytes=4096
    )
    with BackgroundServer(app) as server:
        yield server.url
    app.db.close()


ORIGIN = {"origin": "http://app.example"}


@pytest.mark.parametrize(
    ("method", "body", "target", "status"),
    [
        ("POST", b"{}", "ListTables", 200),
        ("POST", b'{"TableName": "missing"}', "DescribeTable", 400),
        ("POST", b"{}", "Nope", 400),
        ("GET", b"", None, 200),
        ("PUT", b"{}", "ListTables", 404),
        ("POST", b"x" * 5000, "ListTables", 413),
    ],
)
def test_cors_headers_on_every_answer(cors_url, method, body, target, status):
    answer = request(
        cors_url, method=method, body=body, headers=ORIGIN, target=target and TARGET + target
    )
    assert answer.status == status
    assert answer.headers["access-control-allow-origin"] == "http://app.example"
    assert "x-amzn-RequestId" in answer.headers["access-control-expose-headers"]


def test_413_for_a_compressed_body_carries_cors_too(cors_url):
    body = gzip.compress(b" " * 10_000)
    answer = request(cors_url, body=body, headers={**ORIGIN, "content-encoding": "gzip"})
    assert answer.status == 413
    assert answer.headers["access-control-allow-origin"] == "http://app.example"


# ------------------------------------------------------------ empty answers


def test_tag_and_untag_answer_an_empty_body(table):
    arn = call(table, "DescribeTable", {"TableName": "things"}).json()["Table"]["TableArn"]
    tagged = call(table, "TagResource", {"ResourceArn": arn, "Tags": [{"Key": "k", "Value": "v"}]})
    assert (tagged.status, tagged.body, tagged.headers["content-length"]) == (200, b"", "0")
    assert tagged.headers["x-amz-crc32"] == "0"
    untagged = call(table, "UntagResource", {"ResourceArn": arn, "TagKeys": ["k"]})
    assert (untagged.status, untagged.body) == (200, b"")
    listed = call(table, "ListTagsOfResource", {"ResourceArn": arn})
    assert listed.json() == {"Tags": []}


def test_boto3_reads_the_empty_tag_answers(table):
    client = boto3_client(table)
    arn = client.describe_table(TableName="things")["Table"]["TableArn"]
    client.tag_resource(ResourceArn=arn, Tags=[{"Key": "k", "Value": "v"}])
    assert client.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "k", "Value": "v"}]
    client.untag_resource(ResourceArn=arn, TagKeys=["k"])


def test_tag_errors_still_have_a_body(url):
    answer = call(url, "TagResource", {"ResourceArn": "x", "Tags": [{"Key": "k", "Value": "v"}]})
    assert answer.status == 400 and answer.json()["__type"].endswith("ValidationException")


# ---------------------------------------------------------------- endpoints


def test_describe_endpoints_names_the_address_the_client_reached(url):
    answer = call(url, "DescribeEndpoints", {})
    assert answer.json() == {
        "Endpoints": [{"Address": urlparse(url).netloc, "CachePeriodInMinutes": 1440}]
    }
    named = call(url, "DescribeEndpoints", {}, headers={"host": "ddb.internal:8000"})
    assert named.json()["Endpoints"][0]["Address"] == "ddb.internal:8000"


def test_boto3_describe_endpoints(url):
    endpoints = boto3_client(url).describe_endpoints()["Endpoints"]
    assert [e["Address"] for e in endpoints] == [urlparse(url).netloc]


# --------------------------------------------------------- compressed requests


def big_item(size: int) -> dict:
    return {"pk": {"S": "big"}, "blob": {"S": "x" * size}}


@pytest.mark.parametrize("coding", ["gzip", "deflate", "raw-deflate", "x-gzip"])
def test_a_400_kb_put_item_sent_compressed(table, coding):
    body = json.dumps({"TableName": "things", "Item": big_item(400_000 - 10)}).encode()
    if coding == "raw-deflate":  # what some clients send as "deflate"
        packer = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
        sent, coding = packer.compress(body) + packer.flush(), "deflate"
    elif coding == "deflate":
        sent = zlib.compress(body)
    else:
        sent = gzip.compress(body)
    answer = call(table, "PutItem", None, headers={"content-encoding": coding}, body=sent)
    assert (answer.status, answer.json()) == (200, {})
    got = call(table, "GetItem", {"TableName": "things", "Key": {"pk": {"S": "big"}}}).json()
    assert got["Item"] == big_item(400_000 - 10)


def test_an_update_with_200_attribute_updates_sent_compressed(table):
    updates = {f"a{i:03}": {"Value": {"N": str(i)}, "Action": "PUT"} for i in range(200)}
    params = {
        "TableName": "things",
        "Key": {"pk": {"S": "u"}},
        "AttributeUpdates": updates,
        "ReturnValues": "UPDATED_NEW",
    }
    sent = gzip.compress(json.dumps(params).encode())
    answer = call(table, "UpdateItem", None, headers={"content-encoding": "gzip"}, body=sent)
    assert answer.status == 200
    assert len(answer.json()["Attributes"]) == 200


def test_a_compressed_item_over_400_kb_is_the_usual_validation_error(table):
    body = json.dumps({"TableName": "things", "Item": big_item(410_000)}).encode()
    answer = call(
        table, "PutItem", None, headers={"content-encoding": "gzip"}, body=gzip.compress(body)
    )
    assert answer.status == 400
    assert answer.json()["message"] == "Item size has exceeded the maximum allowed size"


@pytest.mark.parametrize(
    ("coding", "body"),
    [
        ("gzip", b"not gzip at all"),  # broken
        ("gzip", zlib.compress(b"{}")),  # says gzip, is deflate
        ("deflate", b"\x00\x01garbage"),
        ("gzip", gzip.compress(b"{}")[:-6]),  # truncated
        ("br", b"{}"),  # a coding the server does not know
        ("gzip, br", gzip.compress(b"{}")),
    ],
)
def test_unreadable_compressed_bodies_are_bare_serialization_exceptions(url, coding, body):
    answer = request(url, body=body, headers={"content-encoding": coding})
    assert (answer.status, answer.json()) == (400, BARE_SERIALIZATION)  # INFERRED
    assert_alive(url)


def test_identity_and_layered_codings(url):
    assert request(url, body=b"{}", headers={"content-encoding": "identity"}).json() == {
        "TableNames": []
    }
    layered = zlib.compress(gzip.compress(b"{}"))  # gzip first, then deflate
    answer = request(url, body=layered, headers={"content-encoding": "gzip, deflate"})
    assert answer.json() == {"TableNames": []}


def test_a_body_that_inflates_past_the_request_cap_is_413():
    bomb = gzip.compress(b" " * 200_000)  # ~200 bytes that inflate to 200 KB
    with (
        ddblite.connect(":memory:") as db,
        BackgroundServer(DynamoDBApp(db, max_request_bytes=100_000)) as server,
    ):
        answer = request(server.url, body=bomb, headers={"content-encoding": "gzip"})
        assert (answer.status, answer.body) == (413, b"")
        small = gzip.compress(b"{}" + b" " * 99_000)
        answer = request(server.url, body=small, headers={"content-encoding": "gzip"})
        assert answer.json() == {"TableNames": []}


def test_inflating_stops_at_the_cap_without_inflating_everything():
    bomb = gzip.compress(b"\0" * 50_000_000)
    with pytest.raises(encoding.BodyTooLarge):
        encoding.decode_body(bomb, "gzip", 1_000_000)


# ---------------------------------------------------------- compressed answers


def fill(url, count=30):
    for i in range(count):
        item = {"pk": {"S": f"k{i:03}"}, "v": {"S": "value " * 20}}
        assert call(url, "PutItem", {"TableName": "things", "Item": item}).status == 200


@pytest.mark.parametrize(
    ("accept", "coding"),
    [
        ("gzip", "gzip"),
        ("gzip, deflate", "gzip"),
        ("deflate", "deflate"),
        ("br;q=1, gzip;q=0.5", "gzip"),
        ("gzip;q=0, deflate", "deflate"),
        ("*", "gzip"),
    ],
)
def test_large_answers_are_compressed_when_accepted(table, accept, coding):
    fill(table)
    plain = call(table, "Scan", {"TableName": "things"})
    answer = call(table, "Scan", {"TableName": "things"}, headers={"accept-encoding": accept})
    assert answer.headers["content-encoding"] == coding
    assert len(answer.body) < len(plain.body)
    # The CRC32 covers the bytes sent, as DynamoDB's does.
    assert answer.headers["x-amz-crc32"] == str(zlib.crc32(answer.body))
    inflated = gzip.decompress(answer.body) if coding == "gzip" else zlib.decompress(answer.body)
    assert json.loads(inflated) == plain.json()


@pytest.mark.parametrize("accept", [None, "identity", "gzip;q=0", "br", "*;q=0"])
def test_answers_are_plain_unless_a_coding_is_accepted(table, accept):
    fill(table)
    answer = call(table, "Scan", {"TableName": "things"}, headers={"accept-encoding": accept})
    assert "content-encoding" not in answer.headers
    assert json.loads(answer.body)["Count"] == 30


def test_small_answers_stay_plain(url):
    answer = request(url, body=b"{}", headers={"accept-encoding": "gzip"})
    assert len(answer.body) < encoding.COMPRESS_MIN_BYTES
    assert "content-encoding" not in answer.headers
    assert answer.json() == {"TableNames": []}


def test_boto3_gets_plain_answers(table):
    # botocore does not ask for compressed answers (and reads bodies undecoded).
    fill(table)
    assert boto3_client(table).scan(TableName="things")["Count"] == 30


# --------------------------------------------------------------------- ASGI


def test_the_app_is_asgi_only_for_its_lifespan():
    app = DynamoDBApp(ddblite.connect(":memory:"))

    async def no_messages():
        raise AssertionError("not called")

    async def nowhere(message):
        raise AssertionError("not called")

    with pytest.raises(RuntimeError, match="DynamoDBHTTPProtocol"):
        asyncio.run(app({"type": "http"}, no_messages, nowhere))
    app.db.close()


def test_other_methods_still_not_found(url):
    assert request(url, method="DELETE", body=b"{}").body == NOT_FOUND


# ------------------------------------------- a client that compresses requests


def compress_requests(client, coding="gzip"):
    """What an SDK's request compression does: compress the body, then sign it."""

    def compress(request, **_):
        body = request.body
        if isinstance(body, str):
            body = body.encode()
        request.data = gzip.compress(body) if coding == "gzip" else zlib.compress(body)
        request.headers["Content-Encoding"] = coding

    client.meta.events.register_first("before-sign.dynamodb.*", compress)
    return client


def large_writes(client):
    """A ~400 KB PutItem and an UpdateItem with 200 AttributeUpdates."""
    client.create_table(**CREATE)
    item = {"pk": {"S": "big"}, "blob": {"S": "x" * (400_000 - 10)}}
    client.put_item(TableName="things", Item=item)
    assert client.get_item(TableName="things", Key={"pk": {"S": "big"}})["Item"] == item
    updates = {f"a{i:03}": {"Value": {"N": str(i)}, "Action": "PUT"} for i in range(200)}
    answer = client.update_item(
        TableName="things",
        Key={"pk": {"S": "u"}},
        AttributeUpdates=updates,
        ReturnValues="ALL_NEW",
    )
    assert len(answer["Attributes"]) == 201


@pytest.mark.parametrize("coding", ["gzip", "deflate"])
def test_boto3_compressing_its_requests(url, coding):
    client = compress_requests(boto3_client(url), coding)
    sent = []
    client.meta.events.register(
        "before-send.dynamodb.*",
        lambda request, **_: sent.append((request.headers["Content-Encoding"], request.body[:2])),
    )
    large_writes(client)
    magic = b"\x1f\x8b" if coding == "gzip" else b"\x78\x9c"
    assert {(c.decode() if isinstance(c, bytes) else c, m) for c, m in sent} == {(coding, magic)}


def test_signed_compressed_requests():
    from tests.server.test_http import KEY, SECRET, signed_client

    with (
        ddblite.connect(":memory:") as db,
        BackgroundServer(DynamoDBApp(db, require_auth=(KEY, SECRET))) as server,
    ):
        # The signature covers the body as sent: compressed.
        large_writes(compress_requests(signed_client(server.url)))
        wrong = compress_requests(signed_client(server.url, secret="wrong"))
        with pytest.raises(Exception, match="InvalidSignatureException"):
            wrong.list_tables()


@pytest.mark.parametrize("fast", [False, True])
@pytest.mark.parametrize("coding", ["gzip", "deflate"])
def test_the_mock_with_a_client_compressing_its_requests(coding, fast):
    # The wire path gets the bytes the server would get (ddblite.server.encoding);
    # the fast path answers before botocore compresses.
    with ddblite.mock(fast=fast):
        large_writes(compress_requests(boto3_client(), coding))


def test_the_mocks_wire_path_answers_an_unknown_coding_as_the_server():
    with ddblite.mock(fast=False):
        client = boto3_client()
        client.meta.events.register_first(
            "before-sign.dynamodb.*",
            lambda request, **_: request.headers.__setitem__("Content-Encoding", "br"),
        )
        with pytest.raises(Exception, match="SerializationException"):
            client.list_tables()
