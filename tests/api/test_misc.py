"""DescribeLimits, DescribeEndpoints, Describe/UpdateContinuousBackups."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from ddblite.errors import ValidationException
from tests.conftest import create_table, error_of


def test_describe_limits(client):
    response = client.describe_limits()
    del response["ResponseMetadata"]
    assert response == {
        "AccountMaxReadCapacityUnits": 80000, "AccountMaxWriteCapacityUnits": 80000,
        "TableMaxReadCapacityUnits": 40000, "TableMaxWriteCapacityUnits": 40000,
    }


def test_describe_endpoints(client):
    (endpoint,) = client.describe_endpoints()["Endpoints"]
    assert endpoint["CachePeriodInMinutes"] == 1440
    # The server names the address its client reached; the other front doors the
    # regional endpoint (as DynamoDB does).
    url = getattr(getattr(client, "meta", None), "endpoint_url", None) or ""
    if url.startswith("http://127.0.0.1"):
        assert endpoint["Address"] == urlparse(url).netloc
    else:
        assert endpoint["Address"].startswith("dynamodb.")


def test_continuous_backups_validation(db):
    with pytest.raises(ValidationException) as excinfo:
        db.call("UpdateContinuousBackups", {"TableName": "things"})
    assert error_of(excinfo)[1] == (
        "1 validation error detected: Value null at 'pointInTimeRecoverySpecification' failed "
        "to satisfy constraint: Member must not be null"
    )


def test_continuous_backups_missing_table(client):
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.describe_continuous_backups(TableName="missing")
    assert error_of(excinfo) == ("TableNotFoundException", "Table not found: missing")


def test_continuous_backups_lifecycle(client):
    create_table(client)
    described = client.describe_continuous_backups(TableName="things")
    assert described["ContinuousBackupsDescription"] == {
        "ContinuousBackupsStatus": "ENABLED",
        "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"},
    }
    updated = client.update_continuous_backups(
        TableName="things",
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
    )["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert updated["PointInTimeRecoveryStatus"] == "ENABLED"
    assert updated["RecoveryPeriodInDays"] == 35
