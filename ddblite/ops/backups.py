"""On-demand backups: CreateBackup, DescribeBackup, ListBackups, DeleteBackup, and the
SYSTEM backup DeleteTable leaves of a table with PITR (restores: ops.restores).

The copies themselves live in engine.backups; this module checks requests and shapes
answers. ddblite makes a backup synchronously, so CreateBackup's answer shows the
CREATING status DynamoDB answers with while DescribeBackup right after says AVAILABLE.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from ddblite import constraints
from ddblite.dispatch import operation
from ddblite.engine import backups
from ddblite.errors import BackupNotFoundException, TableNotFoundException
from ddblite.ops.common import region_of, table_arn, table_name_of
from ddblite.ops.table_schema import invalid
from ddblite.ops.timestamps import expect_time, stamp
from ddblite.validate import (
    Shape,
)

if TYPE_CHECKING:
    from ddblite.database import Database

# A SYSTEM backup (made when a table with PITR is deleted) lives 35 days.
SYSTEM_BACKUP_SECONDS = 35 * 86400


def source_table(db: Database, txn, region: str, name: str):
    table = db.catalog.get(txn, region_of(name, region), table_name_of(name))
    if table is None:
        raise TableNotFoundException(f"Table not found: {table_name_of(name)}")
    return table


def _expired(record: dict, now: float) -> bool:
    expires = record.get("expires")
    return expires is not None and expires <= now


def backup_of(txn, arn: str, now: float) -> tuple[str, dict[str, Any]]:
    backup_id = arn.rpartition("/backup/")[2]
    record = backups.get(txn, backup_id) if backup_id else None
    if record is None or record["arn"] != arn or _expired(record, now):
        raise BackupNotFoundException(f"Backup not found: {arn}")
    return backup_id, record


def _new_backup(db: Database, txn, table, name: str, kind: str, now: float,
                expires: float | None = None) -> dict:
    # Expired SYSTEM backups are dropped here, when backups are written anyway.
    for old_id, old in list(backups.every(txn)):
        if _expired(old, now):
            backups.remove(txn, old_id)
    # DynamoDB's backup ids: creation time in milliseconds, then 8 random hex digits.
    backup_id = f"{int(now * 1000):014d}-{os.urandom(4).hex()}"
    arn = table_arn(db, table.region, table.name)
    record = {
        "name": name,
        "arn": f"{arn}/backup/{backup_id}",
        "table_arn": arn,
        "region": table.region,
        "created": now,
        "expires": expires,
        "status": "AVAILABLE",
        "type": kind,
        "table": table.record,
    }
    return backups.snapshot(txn, table, backup_id, record)


def system_backup(db: Database, txn, table) -> None:
    """The SYSTEM backup DynamoDB keeps of a deleted table that had PITR enabled."""
    now = db.clock.now()
    # INFERRED: the name DynamoDB gives these backups.
    _new_backup(db, txn, table, f"{table.name}$DeletedTableBackup", "SYSTEM", now,
                now + SYSTEM_BACKUP_SECONDS)


# ------------------------------------------------------------------ answers


def _details(record: dict) -> dict[str, Any]:
    details = {
        "BackupArn": record["arn"],
        "BackupName": record["name"],
        "BackupSizeBytes": record["size"],
        "BackupStatus": record["status"],
        "BackupType": record["type"],
        "BackupCreationDateTime": stamp(record["created"]),
    }
    if record.get("expires") is not None:
        details["BackupExpiryDateTime"] = stamp(record["expires"])
    return details


def _summary(record: dict) -> dict[str, Any]:
    source = record["table"]
    summary = {
        "TableName": source["name"],
        "TableId": source["uuid"],
        "TableArn": record["table_arn"],
        **_details(record),
    }
    return summary


def _description(record: dict) -> dict[str, Any]:
    source = record["table"]
    provisioned = source["provisioned"]
    table_details: dict[str, Any] = {
        "TableName": source["name"],
        "TableId": source["uuid"],
        "TableArn": record["table_arn"],
        "TableSizeBytes": record["size"],
        "KeySchema": source["key_schema"],
        "TableCreationDateTime": stamp(source["created"]),
        "ProvisionedThroughput": {
            "ReadCapacityUnits": provisioned.get("read", 0),
            "WriteCapacityUnits": provisioned.get("write", 0),
        },
        "ItemCount": record["item_count"],
        "BillingMode": source["billing_mode"],
    }
    if source.get("on_demand"):
        table_details["OnDemandThroughput"] = source["on_demand"]
    features: dict[str, Any] = {}
    if source.get("lsi"):
        features["LocalSecondaryIndexes"] = [
            {k: index[k] for k in ("IndexName", "KeySchema", "Projection")}
            for index in source["lsi"]
        ]
    if source.get("gsi"):
        features["GlobalSecondaryIndexes"] = [
            {k: index[k] for k in ("IndexName", "KeySchema", "Projection",
                                   "ProvisionedThroughput") if k in index}
            for index in source["gsi"]
        ]
    if source.get("stream"):
        features["StreamDescription"] = source["stream"]
    return {
        "BackupDetails": _details(record),
        "SourceTableDetails": table_details,
        "SourceTableFeatureDetails": features,
    }


# ------------------------------------------------------------------ operations


@operation("CreateBackup")
def create_backup(db: Database, params: dict, region: str) -> dict:
    name = params.get("TableName")
    backup_name = params.get("BackupName")
    shape = Shape()
    shape.table_name(name)
    shape.declared("CreateBackup", params)
    shape.done()
    now = db.clock.now()

    def run(txn):
        table = source_table(db, txn, region, name)
        return _new_backup(db, txn, table, backup_name, "USER", now)

    record = db.storage.write(run)
    details = _details(record)
    details["BackupStatus"] = "CREATING"
    return {"BackupDetails": details}


@operation("DescribeBackup", reads=True)
def describe_backup(db: Database, params: dict, region: str) -> dict:
    constraints.check("DescribeBackup", params)
    arn = params["BackupArn"]
    _, record = db.storage.read(lambda txn: backup_of(txn, arn, db.clock.now()))
    return {"BackupDescription": _description(record)}


@operation("DeleteBackup")
def delete_backup(db: Database, params: dict, region: str) -> dict:
    constraints.check("DeleteBackup", params)
    arn = params["BackupArn"]

    def run(txn):
        backup_id, record = backup_of(txn, arn, db.clock.now())
        backups.remove(txn, backup_id)
        return record

    record = db.storage.write(run)
    description = _description(record)
    description["BackupDetails"]["BackupStatus"] = "DELETED"
    return {"BackupDescription": description}


@operation("ListBackups", reads=True)
def list_backups(db: Database, params: dict, region: str) -> dict:
    name = params.get("TableName")
    limit = params.get("Limit")
    lower = expect_time(params, "TimeRangeLowerBound")
    upper = expect_time(params, "TimeRangeUpperBound")
    start = params.get("ExclusiveStartBackupArn")
    backup_type = params.get("BackupType")
    shape = Shape()
    shape.table_name(name, required=False)
    shape.declared("ListBackups", params)
    shape.done()
    if lower is not None and upper is not None and lower > upper:
        # INFERRED wording
        raise invalid("TimeRangeLowerBound cannot be greater than TimeRangeUpperBound")
    wanted_type = backup_type or "USER"
    wanted_table = table_name_of(name) if name is not None else None
    start_id = start.rpartition("/backup/")[2] if start is not None else None
    now = db.clock.now()

    def keep(backup_id: str, record: dict) -> bool:
        if record["region"] != (region_of(name, region) if name else region):
            return False
        if wanted_table is not None and record["table"]["name"] != wanted_table:
            return False
        if wanted_type != "ALL" and record["type"] != wanted_type:
            return False
        if start_id is not None and backup_id <= start_id:
            return False
        if _expired(record, now):
            return False
        created = record["created"]
        return (lower is None or created >= lower) and (upper is None or created < upper)

    found = db.storage.read(
        lambda txn: [record for backup_id, record in backups.every(txn) if keep(backup_id, record)]
    )
    limit = limit or 100
    response: dict[str, Any] = {"BackupSummaries": [_summary(r) for r in found[:limit]]}
    if len(found) > limit:
        response["LastEvaluatedBackupArn"] = found[limit - 1]["arn"]
    return response
