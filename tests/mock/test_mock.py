"""ddblite.mock: boto3 and botocore DynamoDB calls answered in-process."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import unittest
from pathlib import Path

import boto3
import pytest
from boto3.dynamodb.conditions import Key
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError

import ddblite
from ddblite.errors import ERRORS_BY_CODE
from ddblite.mock import _ACTIVE as ACTIVE
from ddblite.mock import Mock, mock
from ddblite.pytest_plugin import ddblite_mock  # noqa: F401  (the fixture under test)
from tests.conftest import create_table, error_of

REPO = Path(__file__).resolve().parents[2]

# Made at import time, before any mock starts: the mock must still answer it.
MODULE_CLIENT = boto3.session.Session().client(
    "dynamodb", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y"
)


def session(region="us-east-1") -> boto3.session.Session:
    return boto3.session.Session(
        region_name=region, aws_access_key_id="x", aws_secret_access_key="y"
    )


def table_names(client=MODULE_CLIENT) -> list[str]:
    return client.list_tables()["TableNames"]


def test_a_client_made_before_the_mock_is_answered():
    with mock():
        create_table(MODULE_CLIENT)
        MODULE_CLIENT.put_item(TableName="things", Item={"pk": {"S": "a"}, "b": {"B": b"\x00"}})
        item = MODULE_CLIENT.get_item(TableName="things", Key={"pk": {"S": "a"}})["Item"]
    assert item == {"pk": {"S": "a"}, "b": {"B": b"\x00"}}


def test_each_mock_starts_empty():
    with mock():
        create_table(MODULE_CLIENT)
        assert table_names() == ["things"]
    with mock():
        assert table_names() == []


def test_the_database_is_closed_after_the_mock():
    with mock() as active:
        db = active.db
    assert db.closed


def test_resource_and_batch_writer():
    with mock() as active:
        dynamodb = session().resource("dynamodb")
        create_table(dynamodb.meta.client, range_key=("sk", "N"))
        table = dynamodb.Table("things")
        with table.batch_writer() as batch:
            for number in range(60):
                batch.put_item(Item={"pk": "p", "sk": number, "blob": b"\x01", "tags": {"a"}})
        assert table.get_item(Key={"pk": "p", "sk": 7})["Item"]["blob"].value == b"\x01"
        keys = [{"pk": {"S": "p"}, "sk": {"N": str(n)}} for n in range(60)]
        stored = active.db.call("BatchGetItem", {"RequestItems": {"things": {"Keys": keys[:100]}}})[
            "Responses"
        ]["things"]
        assert len(stored) == 60


def test_conditions_are_serialized_by_boto3():
    # What matters here: boto3's condition objects become a wire request that
    # ddblite answers (on a missing table, with a DynamoDB error).
    with mock():
        table = session().resource("dynamodb").Table("missing")
        with pytest.raises(ClientError) as excinfo:
            table.query(KeyConditionExpression=Key("pk").eq("x"))
        assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert error_of(excinfo)[0] in ERRORS_BY_CODE


def test_list_tables_paginator():
    with mock():
        client = session().client("dynamodb")
        for name in ("alpha", "bravo", "charlie"):
            create_table(client, name)
        pages = list(client.get_paginator("list_tables").paginate(PaginationConfig={"PageSize": 2}))
        assert [page["TableNames"] for page in pages] == [["alpha", "bravo"], ["charlie"]]


def test_table_exists_waiter():
    with mock():
        client = session().client("dynamodb")
        create_table(client)
        client.get_waiter("table_exists").wait(TableName="things")
        assert client.describe_table(TableName="things")["Table"]["TableStatus"] == "ACTIVE"


def test_errors_are_client_errors():
    with mock():
        client = session().client("dynamodb")
        with pytest.raises(client.exceptions.ResourceNotFoundException) as excinfo:
            client.describe_table(TableName="missing")
        assert isinstance(excinfo.value, ClientError)
        assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert error_of(excinfo)[0] == "ResourceNotFoundException"


def test_botocore_validation_still_happens_first():
    with mock():
        with pytest.raises(Exception) as excinfo:
            session().client("dynamodb").describe_table()
        assert type(excinfo.value).__name__ == "ParamValidationError"


def test_tables_are_per_region():
    with mock():
        create_table(session("eu-west-1").client("dynamodb"))
        assert table_names(session("eu-west-1").client("dynamodb")) == ["things"]
        assert table_names(session("us-west-2").client("dynamodb")) == []


def test_other_services_pass_through():
    closed_port = "http://127.0.0.1:9"  # discard: nothing listens there
    config = Config(retries={"total_max_attempts": 1}, connect_timeout=2)
    with mock():
        s3 = session().client("s3", endpoint_url=closed_port, config=config)
        with pytest.raises(EndpointConnectionError):
            s3.list_buckets()


def test_no_credentials_needed(monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with mock():
        client = boto3.session.Session(region_name="us-east-1").client("dynamodb")
        assert table_names(client) == []


def test_streams_client_is_answered():
    with mock():
        streams = session().client("dynamodbstreams")
        with pytest.raises(ClientError) as excinfo:
            streams.describe_stream(StreamArn="arn:aws:dynamodb:us-east-1:0:table/t/stream/x")
        # Answered by ddblite (no network); DescribeStream itself comes with streams support.
        assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_mock_serves_a_given_database_and_leaves_it_open():
    with ddblite.connect(":memory:") as db:
        create_table(db.client())
        with mock(db=db) as active:
            assert active.db is db
            assert table_names() == ["things"]
        assert not db.closed


def test_mock_on_a_path_is_durable(tmp_path):
    with mock(str(tmp_path / "data")):
        create_table(MODULE_CLIENT)
    with mock(path=str(tmp_path / "data")):
        assert table_names() == ["things"]


def test_nested_mocks():
    with mock():
        create_table(MODULE_CLIENT, "outer")
        with mock():
            assert table_names() == []
        assert table_names() == ["outer"]
    assert_inactive()


def assert_inactive():
    assert ACTIVE == []


def test_db_and_path_together_are_refused():
    with pytest.raises(ValueError):
        Mock(db=ddblite.connect(":memory:"), path="x")


def test_db_outside_the_mock_is_an_error():
    with pytest.raises(RuntimeError):
        _ = Mock().db


# -------------------------------------------------------------- decorators


@mock
def decorated_bare():
    create_table(MODULE_CLIENT)
    return table_names()


@mock()
def decorated_called():
    return table_names()


def test_decorator_forms():
    assert decorated_bare() == ["things"]
    assert decorated_bare() == ["things"]  # a fresh database on every call
    assert decorated_called() == []
    assert decorated_bare.__name__ == "decorated_bare"
    assert_inactive()


def test_async_function_decorator():
    @mock
    async def scenario():
        await asyncio.sleep(0)
        create_table(MODULE_CLIENT)
        return table_names()

    assert asyncio.run(scenario()) == ["things"]
    assert_inactive()


@mock
class TestDecoratedClass:
    def helper(self):
        return "not wrapped"

    def test_methods_run_inside_a_mock(self):
        create_table(MODULE_CLIENT)
        assert table_names() == ["things"]

    def test_each_method_gets_a_fresh_database(self):
        assert table_names() == []
        assert self.helper() == "not wrapped"


@mock
class DecoratedTestCase(unittest.TestCase):
    def setUp(self):
        create_table(MODULE_CLIENT)

    def test_setup_and_test_share_one_database(self):
        self.assertEqual(table_names(), ["things"])

    def tearDown(self):
        MODULE_CLIENT.delete_table(TableName="things")


def test_methods_of_a_class_can_be_decorated():
    class Repository:
        @mock
        def names(self):
            return table_names()

    assert Repository().names() == []


# ------------------------------------------------------------------ fixture


def test_pytest_fixture(ddblite_mock):  # noqa: F811
    client = boto3.client("dynamodb", aws_access_key_id="x", aws_secret_access_key="y")
    create_table(client)
    assert ddblite_mock.db.call("ListTables", {})["TableNames"] == ["things"]


# ------------------------------------------------------- how botocore is hooked


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_importing_ddblite_does_not_import_botocore_handlers():
    result = run_python(
        """
        import sys, ddblite
        from ddblite.mock import mock
        print("botocore.handlers" in sys.modules)
        """
    )
    assert result.stdout.strip() == "False", result.stderr


def test_clients_made_before_the_mock_in_a_fresh_process():
    result = run_python(
        """
        from ddblite.mock import mock
        import boto3
        client = boto3.client("dynamodb", region_name="us-east-1",
                              aws_access_key_id="x", aws_secret_access_key="y")
        with mock():
            print(client.list_tables()["TableNames"])
        """
    )
    assert result.stdout.strip() == "[]", result.stderr


def test_a_default_session_older_than_ddblite():
    result = run_python(
        """
        import boto3
        boto3.setup_default_session(region_name="us-east-1",
                                    aws_access_key_id="x", aws_secret_access_key="y")
        from ddblite.database import Database
        from ddblite.mock import mock

        calls = []
        real_call = Database.call
        Database.call = lambda self, *args: calls.append(args[0]) or real_call(self, *args)
        for _ in range(2):  # the second mock must not register the handlers twice
            with mock():
                print(boto3.client("dynamodb").list_tables()["TableNames"])
        print(calls)
        """
    )
    assert result.stdout.splitlines() == ["[]", "[]", "['ListTables', 'ListTables']"], result.stderr
