"""The ddblite_capacity fixture: capacity budgets for an access pattern in a test."""

from __future__ import annotations

import boto3
import pytest

import ddblite
from ddblite.pytest_plugin import ddblite_capacity, ddblite_mock  # noqa: F401
from tests.conftest import create_table


def test_budget_of_an_access_pattern(ddblite_mock, ddblite_capacity):  # noqa: F811
    client = boto3.client("dynamodb")
    create_table(client)
    client.put_item(TableName="things", Item={"pk": {"S": "a"}, "v": {"S": "x" * 2000}})
    client.get_item(TableName="things", Key={"pk": {"S": "a"}})
    client.get_item(TableName="things", Key={"pk": {"S": "a"}}, ConsistentRead=True)
    assert ddblite_capacity.tables == {
        "things": {"ReadCapacityUnits": 1.5, "WriteCapacityUnits": 2.0}}
    ddblite_capacity.assert_within(read=1.5, write=2)
    with pytest.raises(AssertionError, match="1.5 RCU consumed, budget 1"):
        ddblite_capacity.assert_within(read=1)
    with pytest.raises(AssertionError, match="2 WCU consumed, budget 1"):
        ddblite_capacity.assert_within(write=1, table="things")


def test_only_what_the_test_consumed(ddblite_capacity):  # noqa: F811
    with ddblite.connect(":memory:") as db:
        client = db.client()
        create_table(client)
        client.put_item(TableName="things", Item={"pk": {"S": "a"}})
        before = ddblite_capacity.write_units
        assert before == 1.0
    # A database opened before the recording started counts only from then on.
    with ddblite.connect(":memory:") as db:
        client = db.client()
        create_table(client)
        client.put_item(TableName="things", Item={"pk": {"S": "a"}})
        from ddblite.engine.usage import Recorder

        recorder = Recorder().start()
        client.get_item(TableName="things", Key={"pk": {"S": "a"}})
        assert recorder.tables == {"things": {"ReadCapacityUnits": 0.5,
                                              "WriteCapacityUnits": 0.0}}


def test_next_to_pytest_benchmark(benchmark, ddblite_capacity):  # noqa: F811
    with ddblite.connect(":memory:") as db:
        client = db.client()
        create_table(client)
        benchmark.pedantic(client.put_item, kwargs={"TableName": "things",
                                                    "Item": {"pk": {"S": "a"}}},
                           rounds=3, iterations=1)
        assert ddblite_capacity.write_units == 3.0
