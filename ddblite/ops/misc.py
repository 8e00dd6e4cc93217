"""Account-level and backup-status operations: DescribeLimits, DescribeEndpoints,
DescribeContinuousBackups, UpdateContinuousBackups."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ddblite.dispatch import operation
from ddblite.engine import changelog
from ddblite.errors import TableNotFoundException
from ddblite.ops.common import region_of, table_name_of
from ddblite.ops.timestamps import stamp
from ddblite.validate import (
    Shape,
    check_table_name_alone,
    expect_str,
)

if TYPE_CHECKING:
    from ddblite.database import Database

# DynamoDB's default account quotas.
ACCOUNT_MAX_CAPACITY = 80000
TABLE_MAX_CAPACITY = 40000


@operation("DescribeLimits", reads=True)
def describe_limits(db: Database, params: dict, region: str) -> dict:
    return {
        "AccountMaxReadCapacityUnits": ACCOUNT_MAX_CAPACITY,
        "AccountMaxWriteCapacityUnits": ACCOUNT_MAX_CAPACITY,
        "TableMaxReadCapacityUnits": TABLE_MAX_CAPACITY,
        "TableMaxWriteCapacityUnits": TABLE_MAX_CAPACITY,
    }


@operation("DescribeEndpoints", reads=True)
def describe_endpoints(db: Database, params: dict, region: str) -> dict:
    return {
        "Endpoints": [
            {"Address": f"dynamodb.{region}.amazonaws.com", "CachePeriodInMinutes": 1440}
        ]
    }


def _pitr_table(db: Database, txn, region: str, name: str):
    table = db.catalog.get(txn, region_of(name, region), table_name_of(name))
    if table is None:
        raise TableNotFoundException(f"Table not found: {table_name_of(name)}")
    return table


def restorable_window(record: dict, now: float) -> tuple[float, float]:
    """(earliest, latest) restorable time of a table with PITR enabled."""
    days = record.get("pitr_days", 35)
    return max(record.get("pitr_since", now), now - days * 86400), now


def _description(record: dict, now: float) -> dict:
    pitr = record.get("pitr")
    description: dict = {"PointInTimeRecoveryStatus": "ENABLED" if pitr else "DISABLED"}
    if pitr:
        days = record.get("pitr_days", 35)
        description["RecoveryPeriodInDays"] = days
        # The window: from when recovery was enabled (at most `days` back) to now.
        earliest, latest = restorable_window(record, now)
        description["EarliestRestorableDateTime"] = stamp(earliest)
        description["LatestRestorableDateTime"] = stamp(latest)
    return {
        "ContinuousBackupsStatus": "ENABLED",
        "PointInTimeRecoveryDescription": description,
    }


@operation("DescribeContinuousBackups", reads=True)
def describe_continuous_backups(db: Database, params: dict, region: str) -> dict:
    name = expect_str(params, "TableName")
    check_table_name_alone(name)
    table = db.storage.read(lambda txn: _pitr_table(db, txn, region, name))
    return {"ContinuousBackupsDescription": _description(table.record, db.clock.now())}


@operation("UpdateContinuousBackups")
def update_continuous_backups(db: Database, params: dict, region: str) -> dict:
    name = params.get("TableName")
    shape = Shape()
    shape.table_name(name)
    shape.declared("UpdateContinuousBackups", params)
    shape.done()
    spec = params["PointInTimeRecoverySpecification"]
    days = spec.get("RecoveryPeriodInDays")

    now = db.clock.now()

    def run(txn):
        table = _pitr_table(db, txn, region, name)
        record = dict(table.record)
        enabled = bool(spec["PointInTimeRecoveryEnabled"])
        if enabled and not record.get("pitr"):
            record["pitr_since"] = now
            changelog.start(txn, table, now)  # the base state restores start from
        elif not enabled and record.get("pitr"):
            changelog.drop(txn, table)
        record["pitr"] = enabled
        if days is not None:
            record["pitr_days"] = days
        if enabled:
            changelog.prune(txn, table, now - record.get("pitr_days", 35) * 86400)
        db.catalog.save(txn, record)
        return record

    return {"ContinuousBackupsDescription": _description(db.storage.write(run), now)}
