"""ddblite.mock's fast path (before-call) and when it hands over to the wire path."""

from __future__ import annotations

import zlib

import boto3
import botocore.endpoint
import pytest
from botocore.awsrequest import AWSResponse
from botocore.stub import Stubber
from dateutil.tz import tzlocal

import ddblite
from ddblite import dispatch, mock_fast
from ddblite.clock import ManualClock
from ddblite.errors import InternalServerError, ProvisionedThroughputExceededException
from ddblite.mock import Mock
from tests.conftest import create_table
from tests.mock.clients import new_client

KEY = {"pk": {"S": "a"}}


class Answers:
    """An after-call spy: how each call was answered (fast: mock_fast.Answered)."""

    def __init__(self, client, service: str = "dynamodb") -> None:
        self.kinds: list[str] = []
        self.responses: list = []
        client.meta.events.register(f"after-call.{service}", self)

    def __call__(self, http_response=None, **kwargs) -> None:
        self.responses.append(http_response)
        self.kinds.append("fast" if isinstance(http_response, mock_fast.Answered) else "wire")


@pytest.fixture
def client():
    return new_client()


@pytest.fixture
def answers(client):
    return Answers(client)


def test_calls_are_answered_at_before_call(client, answers):
    with ddblite.mock():
        create_table(client)
        client.put_item(TableName="things", Item={**KEY, "b": {"B": b"\x00\xff"}})
        item = client.get_item(TableName="things", Key=KEY)["Item"]
    assert item == {**KEY, "b": {"B": b"\x00\xff"}}
    assert answers.kinds == ["fast", "fast", "fast"]


def test_fast_false_takes_the_wire_path(client, answers):
    with ddblite.mock(fast=False):
        create_table(client)
    assert answers.kinds == ["wire"]
    assert isinstance(answers.responses[0], AWSResponse)


def test_fast_must_be_true_false_or_verify():
    with pytest.raises(ValueError):
        Mock(fast="yes")


def test_the_http_response_after_call_sees(client, answers):
    with ddblite.mock():
        create_table(client)
        parsed = client.list_tables()
    http = answers.responses[-1]
    assert http.status_code == 200
    assert http.content == b'{"TableNames":["things"]}'
    assert http.headers["x-amz-crc32"] == parsed["ResponseMetadata"]["HTTPHeaders"]["x-amz-crc32"]
    assert http.headers["x-amzn-RequestId"] == parsed["ResponseMetadata"]["RequestId"]


def test_response_metadata_as_botocore_parses_it(client):
    with ddblite.mock():
        metadata = client.list_tables()["ResponseMetadata"]
    assert list(metadata) == ["RequestId", "HTTPStatusCode", "HTTPHeaders", "RetryAttempts"]
    assert len(metadata["RequestId"]) == 52
    assert metadata["HTTPHeaders"] == {
        "content-type": "application/x-amz-json-1.0",
        "x-amzn-requestid": metadata["RequestId"],
        "content-length": "17",
        "x-amz-crc32": str(zlib.crc32(b'{"TableNames":[]}')),
    }


def test_single_attempt_clients_get_max_attempts_reached():
    # botocore's standard retry handler notes it when attempt 1 is the last one.
    client = new_client(retries={"total_max_attempts": 1, "mode": "standard"})
    with ddblite.mock():
        assert client.list_tables()["ResponseMetadata"]["MaxAttemptsReached"] is True
    legacy = new_client(retries={"total_max_attempts": 1, "mode": "legacy"})
    with ddblite.mock():
        assert "MaxAttemptsReached" not in legacy.list_tables()["ResponseMetadata"]


def test_timestamps_are_local_datetimes(client):
    clock = ManualClock(1_700_000_000.25)
    with ddblite.mock(clock=clock):
        create_table(client)
        created = client.describe_table(TableName="things")["Table"]["CreationDateTime"]
    assert created.tzinfo == tzlocal()
    assert created.timestamp() == 1_700_000_000.25


def test_errors_are_botocore_client_error_subclasses(client, answers):
    with ddblite.mock():
        create_table(client)
        client.put_item(TableName="things", Item=KEY)
        with pytest.raises(client.exceptions.ConditionalCheckFailedException) as excinfo:
            client.put_item(
                TableName="things",
                Item=KEY,
                ConditionExpression="attribute_not_exists(pk)",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
    response = excinfo.value.response
    assert response["Error"] == {
        "Message": "The conditional request failed",
        "Code": "ConditionalCheckFailedException",
    }
    assert response["message"] == "The conditional request failed"
    assert response["Item"] == KEY
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert answers.kinds[-1] == "fast"


def test_answers_are_fresh_objects(client):
    with ddblite.mock():
        create_table(client)
        client.put_item(TableName="things", Item={**KEY, "l": {"L": [{"S": "x"}]}})
        first = client.get_item(TableName="things", Key=KEY)["Item"]
        first["l"]["L"].append({"S": "changed"})
        description = client.describe_table(TableName="things")["Table"]
        description["KeySchema"].clear()
        assert client.get_item(TableName="things", Key=KEY)["Item"]["l"] == {"L": [{"S": "x"}]}
        assert client.describe_table(TableName="things")["Table"]["KeySchema"] != []


def test_streams_calls_take_the_fast_path():
    streams = boto3.session.Session().client(
        "dynamodbstreams", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y"
    )
    answers = Answers(streams, "dynamodb-streams")
    with ddblite.mock(), pytest.raises(streams.exceptions.ClientError) as excinfo:
        streams.describe_stream(StreamArn="arn:aws:dynamodb:us-east-1:0:table/t/stream/x")
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert answers.kinds == ["fast"]


# ------------------------------------------------------ handing over to the wire


@pytest.mark.parametrize("event", ["before-send", "needs-retry", "request-created"])
def test_a_handler_of_the_users_sends_the_client_down_the_wire(client, answers, event):
    seen = []

    def handler(**kwargs):
        seen.append(kwargs.get("event_name"))

    with ddblite.mock():
        client.list_tables()
        client.meta.events.register(f"{event}.dynamodb", handler)
        client.list_tables()
        client.meta.events.unregister(f"{event}.dynamodb", handler)
        client.list_tables()
        other = new_client()
        other_answers = Answers(other)
        other.list_tables()  # other clients keep the fast path
    assert answers.kinds == ["fast", "wire", "fast"]
    assert seen and all(name.startswith(event) for name in seen)
    assert other_answers.kinds == ["fast"]


def test_a_users_before_call_handler_still_runs(client, answers):
    seen = []

    def handler(**kwargs):
        seen.append(kwargs["model"].name)

    client.meta.events.register("before-call", handler)  # botocore calls it after ours
    with ddblite.mock():
        client.list_tables()
    assert seen == ["ListTables"]
    assert answers.kinds == ["wire"]


def test_a_stubber_answers_before_the_mock(client):
    stubber = Stubber(client)
    stubber.add_response("list_tables", {"TableNames": ["stubbed"]})
    with ddblite.mock(), stubber:
        assert client.list_tables()["TableNames"] == ["stubbed"]


@pytest.fixture
def no_backoff(monkeypatch):
    """botocore's retry backoff, recorded instead of slept."""
    slept: list[float] = []
    monkeypatch.setattr(botocore.endpoint.time, "sleep", slept.append)
    return slept


def fail_first(monkeypatch, operation: str, errors: list) -> list[str]:
    """Make `operation` raise the given errors on its first calls."""
    handler = dispatch.known_operations()[operation]
    calls: list[str] = []

    def flaky(db, params, region):
        calls.append(operation)
        if errors:
            raise errors.pop(0)
        return handler(db, params, region)

    monkeypatch.setitem(dispatch.HANDLERS, operation, flaky)
    return calls


@pytest.mark.parametrize(
    "error",
    [
        ProvisionedThroughputExceededException(
            "The level of configured provisioned throughput for the table was exceeded."
        ),
        InternalServerError("Internal server error"),
    ],
)
def test_answers_botocore_retries_take_the_wire_path(
    client, answers, monkeypatch, no_backoff, error
):
    with ddblite.mock():
        create_table(client)
        calls = fail_first(monkeypatch, "GetItem", [error, error])
        response = client.get_item(TableName="things", Key=KEY)
    # Executed once per attempt, the first answer sent down the wire, not run again.
    assert calls == ["GetItem"] * 3
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    assert len(no_backoff) == 2
    assert answers.kinds == ["fast", "wire"]


def test_a_retried_error_on_the_last_attempt_is_raised(monkeypatch, no_backoff):
    client = new_client(retries={"total_max_attempts": 1, "mode": "standard"})
    with ddblite.mock():
        create_table(client)
        error = ProvisionedThroughputExceededException("throttled")
        calls = fail_first(monkeypatch, "GetItem", [error])
        with pytest.raises(client.exceptions.ProvisionedThroughputExceededException) as excinfo:
            client.get_item(TableName="things", Key=KEY)
    assert calls == ["GetItem"]
    assert excinfo.value.response["ResponseMetadata"]["MaxAttemptsReached"] is True
    assert no_backoff == []


def test_verify_mode_reports_a_difference(client, monkeypatch):
    real = mock_fast.parsed_success

    def wrong(model, result, metadata):
        parsed = real(model, result, metadata)
        parsed["TableNames"] = ["not", "what", "the", "wire", "says"]
        return parsed

    monkeypatch.setattr(mock_fast, "parsed_success", wrong)
    with ddblite.mock(fast="verify"), pytest.raises(AssertionError, match="TableNames"):
        client.list_tables()


def test_an_output_shape_it_cannot_shape_takes_the_wire_path(client, answers, monkeypatch):
    class Shape:  # a document type: shaped by botocore only
        type_name = "structure"
        name = "Odd"
        is_document_type = True

    converter = mock_fast._structure_or_empty(Shape())
    monkeypatch.setattr(mock_fast, "output_converter", lambda model: converter)
    with ddblite.mock():
        assert client.list_tables()["TableNames"] == []
    assert answers.kinds == ["wire"]


class BotocoreStubber:
    """Stands in for moto's before-send handler (moto is not a test dependency)."""

    __module__ = "moto.core.botocore_stubber"

    def __init__(self) -> None:
        self.enabled = False

    def __call__(self, **kwargs):
        return None


def test_an_idle_moto_keeps_the_fast_path(client, answers):
    # moto registers its handler in every client once imported; it answers
    # only while one of its mocks is in force.
    moto = BotocoreStubber()
    client.meta.events.register("before-send", moto)
    with ddblite.mock():
        client.list_tables()
        moto.enabled = True
        client.list_tables()
    assert answers.kinds == ["fast", "wire"]
