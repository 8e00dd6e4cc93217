"""PartiQL SELECTs on a table are charged as GetItem, Query and Scan are: usage and throttle."""

from __future__ import annotations

import pytest

import ddblite
from tests.conftest import create_table


@pytest.mark.parametrize("statement, params", [
    ('SELECT * FROM "things" WHERE pk = ?', [{"S": "a"}]),   # a GetItem
    ('SELECT * FROM "things" WHERE n = ?', [{"N": "1"}]),    # a Scan
])
def test_table_selects_count_in_usage(statement, params):
    with ddblite.connect(":memory:") as db:
        client = db.client()
        create_table(client)
        client.put_item(TableName="things", Item={"pk": {"S": "a"}, "n": {"N": "1"}})
        db.reset_usage()
        response = client.execute_statement(Statement=statement, Parameters=params,
                                            ReturnConsumedCapacity="TOTAL")
        used = db.usage()["Tables"]["things"]
        assert used["ReadCapacityUnits"] == response["ConsumedCapacity"]["CapacityUnits"] > 0


def test_a_keyed_select_is_throttled_like_get_item(clock):
    with ddblite.connect(":memory:", clock=clock, throttle=True) as db:
        client = db.client()
        create_table(client, BillingMode="PROVISIONED",
                     ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
        client.put_item(TableName="things", Item={"pk": {"S": "a"}, "s": {"S": "x" * 8000}})
        refused = 0
        for _ in range(400):
            try:
                client.execute_statement(Statement='SELECT * FROM "things" WHERE pk = ?',
                                         Parameters=[{"S": "a"}], ConsistentRead=True)
            except client.exceptions.ProvisionedThroughputExceededException:
                refused += 1
        assert refused > 0
        assert db.usage()["Tables"]["things"]["ThrottledReads"] == refused
