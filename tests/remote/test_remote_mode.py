"""Remote mode beyond the Table API: connect forms, errors, local-only features, and a
real `ddblite serve` process."""

from __future__ import annotations

import pytest
from boto3.dynamodb.conditions import Attr

import ddblite
from ddblite.errors import ResourceNotFoundException
from ddblite.remote import RemoteDatabase
from tests.clients.serve import ddblite_serve

SCHEMA = dict(
    KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
    AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
    BillingMode="PAY_PER_REQUEST",
)


def test_the_same_code_runs_on_a_served_database(served):
    url, local = served
    with ddblite.connect(endpoint_url=url, region="us-east-1", aws_access_key_id="k",
                         aws_secret_access_key="s") as remote:
        assert isinstance(remote, RemoteDatabase)
        table = remote.create_table(TableName="users", **SCHEMA)
        table.put_item(Item={"id": "a", "n": 1, "tags": {"x", "y"}, "blob": b"\x00"})
        with remote.transaction() as tx:
            tx.put(table, Item={"id": "b", "n": 2}, ConditionExpression=Attr("id").not_exists())
        assert remote.transact_get([(table, {"id": "b"}), (table, {"id": "zz"})]) == [
            {"id": "b", "n": 2}, None]
        assert sorted(item["id"] for item in table.scan_all()) == ["a", "b"]
        # The data is in the server's store, as the embedded API sees it.
        assert local.Table("users").get_item(Key={"id": "a"})["Item"]["tags"] == {"x", "y"}


def test_errors_are_both_ddblites_and_boto3s(db):
    with pytest.raises(ResourceNotFoundException) as excinfo:
        db.Table("missing").load()
    assert isinstance(excinfo.value, db.client().exceptions.ResourceNotFoundException)
    assert excinfo.value.response["Error"]["Code"] == "ResourceNotFoundException"
    db.Table("missing").wait_until_not_exists()


def test_local_only_features_say_so(db):
    for name in ("storage", "clock", "catalog"):
        with pytest.raises(AttributeError, match="is local-only"):
            getattr(db, name)


def test_against_a_ddblite_serve_process():
    with ddblite_serve() as url, ddblite.connect(url) as remote:
        table = remote.create_table(TableName="things", **SCHEMA)
        with table.batch_writer() as batch:
            for i in range(60):
                batch.put_item(Item={"id": f"k{i:02}", "v": i})
        assert sum(1 for _ in table.scan_all(Limit=7)) == 60
        assert table.item_count == 0 or table.item_count == 60  # DescribeTable's estimate
        backup = remote.client().create_backup(TableName="things", BackupName="nightly")
        assert backup["BackupDetails"]["BackupStatus"] == "CREATING"
