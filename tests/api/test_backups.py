"""On-demand backups through every front door: create, describe, list, delete, restore."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ddblite.errors import SerializationException
from tests.conftest import create_table, error_of

GSI = {
    "IndexName": "by_color",
    "KeySchema": [{"AttributeName": "color", "KeyType": "HASH"}],
    "Projection": {"ProjectionType": "ALL"},
}


def _table_with_index(client, name="things"):
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "N"},
                              {"AttributeName": "color", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[GSI],
        BillingMode="PAY_PER_REQUEST",
    )


def _fill(client, count=5, name="things"):
    for i in range(count):
        client.put_item(TableName=name, Item={
            "pk": {"S": f"p{i % 2}"}, "sk": {"N": str(i)},
            "color": {"S": "red" if i % 2 else "blue"}, "blob": {"B": bytes([i]) * 10},
        })


def _scan(client, name):
    items = client.scan(TableName=name, ConsistentRead=True)["Items"]
    return sorted(items, key=lambda item: (item["pk"]["S"], int(item["sk"]["N"])))


def test_create_describe_and_list(client, clock):
    _table_with_index(client)
    _fill(client)
    details = client.create_backup(TableName="things", BackupName="nightly")["BackupDetails"]
    assert details["BackupName"] == "nightly"
    assert details["BackupStatus"] == "CREATING"
    assert details["BackupType"] == "USER"
    assert details["BackupCreationDateTime"] == datetime.fromtimestamp(clock.now(), UTC)
    arn = details["BackupArn"]
    assert arn.startswith("arn:aws:dynamodb:us-east-1:123456789012:table/things/backup/")
    suffix = arn.rpartition("/backup/")[2]
    assert suffix.startswith(f"{int(clock.now() * 1000):014d}-") and len(suffix) == 23

    description = client.describe_backup(BackupArn=arn)["BackupDescription"]
    assert description["BackupDetails"]["BackupStatus"] == "AVAILABLE"
    source = description["SourceTableDetails"]
    assert source["TableName"] == "things"
    assert source["ItemCount"] == 5
    assert source["BillingMode"] == "PAY_PER_REQUEST"
    assert source["TableSizeBytes"] == description["BackupDetails"]["BackupSizeBytes"] > 0
    features = description["SourceTableFeatureDetails"]
    assert [index["IndexName"] for index in features["GlobalSecondaryIndexes"]] == ["by_color"]

    summaries = client.list_backups()["BackupSummaries"]
    assert [s["BackupArn"] for s in summaries] == [arn]
    assert summaries[0]["TableName"] == "things"
    assert summaries[0]["BackupStatus"] == "AVAILABLE"


def test_restore_is_the_snapshot_and_survives_delete_table(client):
    _table_with_index(client)
    _fill(client)
    before = _scan(client, "things")
    arn = client.create_backup(TableName="things", BackupName="snap")["BackupDetails"]["BackupArn"]
    # Later writes are not in the backup.
    client.put_item(TableName="things", Item={"pk": {"S": "late"}, "sk": {"N": "9"}})
    client.delete_item(TableName="things", Key={"pk": {"S": "p0"}, "sk": {"N": "0"}})
    client.delete_table(TableName="things")

    restored = client.restore_table_from_backup(TargetTableName="back", BackupArn=arn)
    description = restored["TableDescription"]
    assert description["TableStatus"] == "CREATING"
    assert description["RestoreSummary"]["SourceBackupArn"] == arn
    assert description["RestoreSummary"]["RestoreInProgress"] is True
    assert _scan(client, "back") == before

    table = client.describe_table(TableName="back")["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert table["ItemCount"] == 5
    assert table["RestoreSummary"]["RestoreInProgress"] is False
    assert table["RestoreSummary"]["SourceTableArn"].endswith(":table/things")
    # The index was rebuilt by the restore.
    red = client.query(TableName="back", IndexName="by_color",
                       KeyConditionExpression="color = :c",
                       ExpressionAttributeValues={":c": {"S": "red"}})["Items"]
    assert sorted(int(item["sk"]["N"]) for item in red) == [1, 3]
    assert table["GlobalSecondaryIndexes"][0]["ItemCount"] == 5


def test_restore_overrides_billing_and_indexes(client):
    _table_with_index(client)
    _fill(client)
    arn = client.create_backup(TableName="things", BackupName="snap")["BackupDetails"]["BackupArn"]
    client.restore_table_from_backup(
        TargetTableName="provisioned", BackupArn=arn, BillingModeOverride="PROVISIONED",
        ProvisionedThroughputOverride={"ReadCapacityUnits": 5, "WriteCapacityUnits": 7},
        GlobalSecondaryIndexOverride=[],
    )
    table = client.describe_table(TableName="provisioned")["Table"]
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 5
    assert table["ProvisionedThroughput"]["WriteCapacityUnits"] == 7
    assert "GlobalSecondaryIndexes" not in table
    assert {d["AttributeName"] for d in table["AttributeDefinitions"]} == {"pk", "sk"}
    assert table["ItemCount"] == 5


def test_restore_errors(client):
    create_table(client)
    arn = client.create_backup(TableName="things", BackupName="snap")["BackupDetails"]["BackupArn"]
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.restore_table_from_backup(TargetTableName="things", BackupArn=arn)
    assert error_of(excinfo) == ("TableAlreadyExistsException", "Table already exists: things")
    missing = arn[:-8] + "00000000"
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.restore_table_from_backup(TargetTableName="other", BackupArn=missing)
    assert error_of(excinfo) == ("BackupNotFoundException", f"Backup not found: {missing}")


def test_missing_table_and_bad_name(client):
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.create_backup(TableName="missing", BackupName="snap")
    assert error_of(excinfo) == ("TableNotFoundException", "Table not found: missing")
    create_table(client)
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.create_backup(TableName="things", BackupName="a b")
    assert error_of(excinfo) == (
        "ValidationException",
        "1 validation error detected: Value 'a b' at 'backupName' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
    )


def test_delete_backup(client):
    create_table(client)
    arn = client.create_backup(TableName="things", BackupName="snap")["BackupDetails"]["BackupArn"]
    deleted = client.delete_backup(BackupArn=arn)["BackupDescription"]
    assert deleted["BackupDetails"]["BackupStatus"] == "DELETED"
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.describe_backup(BackupArn=arn)
    assert error_of(excinfo) == ("BackupNotFoundException", f"Backup not found: {arn}")
    assert client.list_backups()["BackupSummaries"] == []


def test_list_filters_and_pages(client, clock):
    create_table(client, "one")
    create_table(client, "two")
    arns = []
    for name in ("one", "two", "one"):
        arns.append(client.create_backup(TableName=name, BackupName="b-" + name)
                    ["BackupDetails"]["BackupArn"])
        clock.advance(60)
    listed = client.list_backups(TableName="one")["BackupSummaries"]
    assert [s["BackupArn"] for s in listed] == [arns[0], arns[2]]
    start = datetime.fromtimestamp(clock.now() - 150, UTC)
    end = datetime.fromtimestamp(clock.now() - 60, UTC)
    listed = client.list_backups(TimeRangeLowerBound=start, TimeRangeUpperBound=end)
    assert [s["BackupArn"] for s in listed["BackupSummaries"]] == [arns[1]]
    assert client.list_backups(BackupType="SYSTEM")["BackupSummaries"] == []
    page = client.list_backups(Limit=2)
    assert [s["BackupArn"] for s in page["BackupSummaries"]] == arns[:2]
    rest = client.list_backups(Limit=2, ExclusiveStartBackupArn=page["LastEvaluatedBackupArn"])
    assert [s["BackupArn"] for s in rest["BackupSummaries"]] == arns[2:]
    assert "LastEvaluatedBackupArn" not in rest


def _enable_pitr(client, days=None):
    spec = {"PointInTimeRecoveryEnabled": True}
    if days is not None:
        spec["RecoveryPeriodInDays"] = days
    client.update_continuous_backups(TableName="things", PointInTimeRecoverySpecification=spec)


def _at(clock, offset=0.0):
    return datetime.fromtimestamp(clock.now() + offset, UTC)


def test_restore_to_a_point_between_two_writes_is_the_earlier_state(client, clock):
    _table_with_index(client)
    _fill(client, 3)  # before PITR: the log's base state
    _enable_pitr(client)
    clock.advance(10)
    client.put_item(TableName="things", Item={"pk": {"S": "p9"}, "sk": {"N": "9"},
                                              "color": {"S": "red"}})
    clock.advance(10)
    earlier = _scan(client, "things")
    between = _at(clock, 5)
    clock.advance(10)
    client.delete_item(TableName="things", Key={"pk": {"S": "p0"}, "sk": {"N": "0"}})
    client.put_item(TableName="things", Item={"pk": {"S": "p1"}, "sk": {"N": "1"},
                                              "color": {"S": "green"}})
    clock.advance(10)
    later = _scan(client, "things")

    restored = client.restore_table_to_point_in_time(
        SourceTableName="things", TargetTableName="earlier", RestoreDateTime=between,
    )["TableDescription"]
    assert restored["TableStatus"] == "CREATING"
    assert restored["RestoreSummary"]["RestoreDateTime"] == between
    assert "SourceBackupArn" not in restored["RestoreSummary"]
    assert _scan(client, "earlier") == earlier
    # Indexes are rebuilt from the restored items.
    red = client.query(TableName="earlier", IndexName="by_color",
                       KeyConditionExpression="color = :c",
                       ExpressionAttributeValues={":c": {"S": "red"}})["Items"]
    assert sorted(item["sk"]["N"] for item in red) == ["1", "9"]

    client.restore_table_to_point_in_time(
        SourceTableName="things", TargetTableName="latest", UseLatestRestorableTime=True)
    assert _scan(client, "latest") == later
    described = client.describe_table(TableName="latest")["Table"]
    assert described["TableStatus"] == "ACTIVE"
    assert described["RestoreSummary"]["RestoreInProgress"] is False


def test_point_in_time_restore_errors(client, clock):
    create_table(client)
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.restore_table_to_point_in_time(SourceTableName="things", TargetTableName="back",
                                              UseLatestRestorableTime=True)
    assert error_of(excinfo) == ("PointInTimeRecoveryUnavailableException",
                                 "Point in time recovery is not enabled for table 'things'")
    _enable_pitr(client)
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.restore_table_to_point_in_time(SourceTableName="things", TargetTableName="back",
                                              RestoreDateTime=_at(clock, -60))
    assert error_of(excinfo)[0] == "InvalidRestoreTimeException"
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.restore_table_to_point_in_time(SourceTableName="things", TargetTableName="things",
                                              UseLatestRestorableTime=True)
    assert error_of(excinfo) == ("TableAlreadyExistsException", "Table already exists: things")
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.restore_table_to_point_in_time(SourceTableName="missing", TargetTableName="back",
                                              UseLatestRestorableTime=True)
    assert error_of(excinfo) == ("TableNotFoundException", "Table not found: missing")


def test_the_log_keeps_only_the_recovery_period(db, clock):
    client = db.client()
    create_table(client)
    _enable_pitr(client, days=1)
    for version in range(3):
        client.put_item(TableName="things", Item={"pk": {"S": "a"}, "v": {"N": str(version)}})
        clock.advance(86400)
    _enable_pitr(client, days=1)  # an update prunes what the window no longer needs
    table = db.storage.read(lambda txn: db.catalog.get(txn, "us-east-1", "things"))
    from ddblite.engine import changelog

    entries = db.storage.read(lambda txn: list(changelog._entries(txn, table)))
    assert len(entries) == 1  # the state at the window's start
    client.restore_table_to_point_in_time(SourceTableName="things", TargetTableName="back",
                                          RestoreDateTime=_at(clock, -86400))
    assert client.scan(TableName="back")["Items"] == [{"pk": {"S": "a"}, "v": {"N": "2"}}]
    client.delete_table(TableName="things")
    assert db.storage.read(lambda txn: list(changelog._entries(txn, table))) == []


def test_recovery_period_window_and_range(client, clock):
    create_table(client)
    enabled_at = clock.now()
    client.update_continuous_backups(
        TableName="things",
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True,
                                          "RecoveryPeriodInDays": 2})
    clock.advance(5 * 86400)
    pitr = client.describe_continuous_backups(TableName="things")[
        "ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert pitr["RecoveryPeriodInDays"] == 2
    assert pitr["LatestRestorableDateTime"] == datetime.fromtimestamp(clock.now(), UTC)
    assert pitr["EarliestRestorableDateTime"] == datetime.fromtimestamp(
        max(enabled_at, clock.now() - 2 * 86400), UTC)
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.update_continuous_backups(
            TableName="things",
            PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True,
                                              "RecoveryPeriodInDays": 36})
    assert error_of(excinfo) == (
        "ValidationException",
        "1 validation error detected: Value '36' at "
        "'pointInTimeRecoverySpecification.recoveryPeriodInDays' failed to satisfy constraint: "
        "Member must have value less than or equal to 35",
    )


def test_recovery_period_as_a_string_is_a_serialization_error(db):
    create_table(db.client())
    with pytest.raises(SerializationException) as excinfo:
        db.call("UpdateContinuousBackups", {
            "TableName": "things",
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True,
                                                 "RecoveryPeriodInDays": "7"},
        })
    # Named as for Limit (INFERRED).
    assert excinfo.value.message == "VALUE_STRING cannot be converted to Long"


def test_deleting_a_table_with_pitr_keeps_a_system_backup_for_35_days(client, clock):
    _table_with_index(client)
    _fill(client, 3)
    before = _scan(client, "things")
    _enable_pitr(client)
    client.delete_table(TableName="things")
    assert client.list_backups()["BackupSummaries"] == []  # USER backups by default
    (summary,) = client.list_backups(BackupType="SYSTEM")["BackupSummaries"]
    assert summary["BackupType"] == "SYSTEM"
    assert summary["BackupName"] == "things$DeletedTableBackup"
    assert summary["BackupExpiryDateTime"] == _at(clock, 35 * 86400)
    client.restore_table_from_backup(TargetTableName="things", BackupArn=summary["BackupArn"])
    assert _scan(client, "things") == before
    clock.advance(35 * 86400)
    assert client.list_backups(BackupType="ALL")["BackupSummaries"] == []
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.describe_backup(BackupArn=summary["BackupArn"])
    assert error_of(excinfo)[0] == "BackupNotFoundException"
