"""SigV4 under `--require-auth`: what DynamoDB verifies beyond the signature itself.

Requests are signed here by hand (the signer takes the time, the scope and the
signed headers as arguments) and timed against the served database's
ManualClock, so no test waits or depends on the wall clock.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
from datetime import UTC, datetime
from urllib.parse import quote, urlencode, urlparse

import pytest

import ddblite
from ddblite.clock import ManualClock
from ddblite.server.app import DynamoDBApp
from ddblite.server.runner import BackgroundServer

KEY, SECRET = "AKIDSIGV4", "sigv4-secret"
START = 1_700_000_000.0  # 2023-11-14T22:13:20Z
AMZ_DATE = "20231114T221320Z"
TARGET = "DynamoDB_20120810.ListTables"
MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. "
    "Consult the service documentation for details."
)


@pytest.fixture(scope="module")
def server():
    with (
        ddblite.connect(":memory:", clock=ManualClock(START)) as db,
        BackgroundServer(DynamoDBApp(db, require_auth=(KEY, SECRET))) as running,
    ):
        yield running


@pytest.fixture
def clock(server):
    clock = server.app.db.clock
    clock.set(START)
    return clock


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def _signature(secret, scope, amz_date, canonical_request):
    date, region, service = scope.split("/")[:3]
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        key = _hmac(key, part)
    digest = hashlib.sha256(canonical_request.encode()).hexdigest()
    string_to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, digest])
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


def _canonical(method, query, headers, signed, body):
    pairs = sorted(
        (quote(k, safe="-_.~"), quote(v, safe="-_.~")) for k, v in query
    )
    return "\n".join(
        [
            method,
            "/",
            "&".join(f"{k}={v}" for k, v in pairs),
            "".join(f"{name}:{headers[name].strip()}\n" for name in signed),
            ";".join(signed),
            hashlib.sha256(body).hexdigest(),
        ]
    )


def send(server, *, amz_date=AMZ_DATE, scope_date=None, service="dynamodb", key=KEY,
         secret=SECRET, signed=("content-type", "host", "x-amz-date", "x-amz-target"),
         presigned=False, expires=300, body=b"{}", drop=()):
    """Sign a ListTables call and send it; (status, JSON body)."""
    url = urlparse(server.url)
    host = f"{url.hostname}:{url.port}"
    scope = f"{scope_date or amz_date[:8]}/us-east-1/{service}/aws4_request"
    headers = {"content-type": "application/x-amz-json-1.0", "host": host, "x-amz-target": TARGET}
    path = "/"
    if presigned:
        signed = tuple(name for name in signed if name != "x-amz-date")
        query = [
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
            ("X-Amz-Credential", f"{key}/{scope}"),
            ("X-Amz-Date", amz_date),
            ("X-Amz-Expires", str(expires)),
            ("X-Amz-SignedHeaders", ";".join(signed)),
        ]
        signature = _signature(secret, scope, amz_date, _canonical("POST", query, headers, signed,
                                                                   body))
        query.append(("X-Amz-Signature", signature))
        query = [(name, value) for name, value in query if name not in drop]
        path = "/?" + urlencode(query, quote_via=quote)
    else:
        headers["x-amz-date"] = amz_date
        signature = _signature(secret, scope, amz_date, _canonical("POST", [], headers, signed,
                                                                   body))
        headers["authorization"] = (
            f"AWS4-HMAC-SHA256 Credential={key}/{scope}, SignedHeaders={';'.join(signed)}, "
            f"Signature={signature}"
        )
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def error(answer):
    status, body = answer
    return status, body.get("__type", "").rpartition("#")[2], body.get("message")


def test_a_correct_signature_is_accepted(server, clock):
    assert send(server) == (200, {"TableNames": []})


def test_the_scope_must_name_dynamodb(server, clock):
    for service in ("s3", "sts", "dynamodbstreams"):
        assert error(send(server, service=service)) == (
            400, "InvalidSignatureException",
            "Credential should be scoped to correct service: 'dynamodb'. ",
        )


def test_the_scope_date_must_be_the_request_day(server, clock):
    assert error(send(server, scope_date="20231113")) == (
        400, "InvalidSignatureException",
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
        "HTTP. ",
    )


def test_host_must_be_signed(server, clock):
    assert error(send(server, signed=("content-type", "x-amz-date", "x-amz-target"))) == (
        400, "IncompleteSignatureException",
        "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    )


def test_fifteen_minutes_of_skew_on_the_servers_clock(server, clock):
    clock.advance(15 * 60)  # exactly 15 minutes late: still good
    assert send(server)[0] == 200
    clock.advance(1)
    assert error(send(server)) == (
        400, "InvalidSignatureException",
        "Signature expired: 20231114T221320Z is now earlier than 20231114T221321Z "
        "(20231114T222821Z - 15 min.)",
    )
    clock.set(START - 15 * 60 - 1)  # the client's clock runs ahead
    assert error(send(server)) == (
        400, "InvalidSignatureException",
        "Signature not yet current: 20231114T221320Z is still later than 20231114T221319Z "
        "(20231114T215819Z + 15 min.)",
    )


def test_a_wrong_secret_still_mismatches(server, clock):
    assert error(send(server, secret="wrong")) == (400, "InvalidSignatureException", MISMATCH)


def test_presigned_requests(server, clock):
    assert send(server, presigned=True) == (200, {"TableNames": []})
    assert error(send(server, presigned=True, secret="wrong")) == (
        400, "InvalidSignatureException", MISMATCH
    )
    assert error(send(server, presigned=True, service="s3"))[2] == (
        "Credential should be scoped to correct service: 'dynamodb'. "
    )
    assert error(send(server, presigned=True, key="AKIDOTHER")) == (
        400, "UnrecognizedClientException",
        "The security token included in the request is invalid.",
    )
    assert error(send(server, presigned=True, drop=("X-Amz-Signature", "X-Amz-Date"))) == (
        400, "IncompleteSignatureException",
        "AWS query-string parameters must include 'X-Amz-Signature'. "
        "AWS query-string parameters must include 'X-Amz-Date'. "
        "Re-examine the query-string parameters.",
    )


def test_presigned_requests_expire(server, clock):
    clock.advance(300)
    assert send(server, presigned=True, expires=300)[0] == 200
    clock.advance(1)
    assert error(send(server, presigned=True, expires=300)) == (
        400, "InvalidSignatureException",
        "Signature expired: 20231114T221320Z is now earlier than 20231114T221321Z "
        "(20231114T221821Z - 300 sec.)",
    )


def test_the_time_is_the_databases_clock(server, clock):
    # A signature made now by the wall clock is years away from the database's time.
    now = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    assert error(send(server, amz_date=now))[2].startswith("Signature not yet current: ")
