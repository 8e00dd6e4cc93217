"""Backups and restores: CreateBackup, DescribeBackup, ListBackups, DeleteBackup,
RestoreTableFromBackup, and RestoreTableToPointInTime (replaying engine.changelog).

The copies themselves live in engine.backups; this module checks requests and shapes
answers. ddblite makes a backup and restores it synchronously, so the responses show
the transitional statuses DynamoDB answers with (CREATING) while a Describe right after
already shows the finished state.
"""

from __future__ import annotations

import os
import uuid
from typing import TYPE_CHECKING, Any

from ddblite.dispatch import operation
from ddblite.engine import backups, changelog
from ddblite.errors import (
    BackupNotFoundException,
    InvalidRestoreTimeException,
    PointInTimeRecoveryUnavailableException,
    TableAlreadyExistsException,
    TableNotFoundException,
)
from ddblite.ops.common import region_of, table_arn, table_name_of
from ddblite.ops.misc import restorable_window
from ddblite.ops.table_describe import describe
from ddblite.ops.table_schema import (
    check_gsis,
    check_index_shapes,
    check_lsis,
    check_throughput,
    check_throughput_bounds,
    invalid,
    stored_index,
)
from ddblite.ops.tables import BILLING_MODES, MAX_TABLES
from ddblite.ops.timestamps import expect_time, stamp
from ddblite.validate import (
    TABLE_NAME_PATTERN,
    TABLE_NAME_RULE,
    Shape,
    expect_bool,
    expect_int,
    expect_list,
    expect_map,
    expect_str,
)

if TYPE_CHECKING:
    from ddblite.database import Database

BACKUP_TYPE_FILTERS = ("USER", "SYSTEM", "AWS_BACKUP", "ALL")
# A SYSTEM backup (made when a table with PITR is deleted) lives 35 days.
SYSTEM_BACKUP_SECONDS = 35 * 86400


def _check_backup_name(shape: Shape, name: str | None) -> None:
    if not shape.not_null(name, "backupName"):
        return
    if not TABLE_NAME_PATTERN.fullmatch(name):
        shape.add(name, "backupName", TABLE_NAME_RULE)
    shape.length_between(name, "backupName", 3, 255)


def _check_backup_arn(shape: Shape, arn: str | None, member: str = "backupArn") -> None:
    if shape.not_null(arn, member):
        shape.length_between(arn, member, 37, 1024)


def _source_table(db: Database, txn, region: str, name: str):
    table = db.catalog.get(txn, region_of(name, region), table_name_of(name))
    if table is None:
        raise TableNotFoundException(f"Table not found: {table_name_of(name)}")
    return table


def _expired(record: dict, now: float) -> bool:
    expires = record.get("expires")
    return expires is not None and expires <= now


def _backup_of(txn, arn: str, now: float) -> tuple[str, dict[str, Any]]:
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
    name = expect_str(params, "TableName")
    backup_name = expect_str(params, "BackupName")
    shape = Shape()
    shape.table_name(name)
    _check_backup_name(shape, backup_name)
    shape.done()
    now = db.clock.now()

    def run(txn):
        table = _source_table(db, txn, region, name)
        return _new_backup(db, txn, table, backup_name, "USER", now)

    record = db.storage.write(run)
    details = _details(record)
    details["BackupStatus"] = "CREATING"
    return {"BackupDetails": details}


@operation("DescribeBackup", reads=True)
def describe_backup(db: Database, params: dict, region: str) -> dict:
    arn = expect_str(params, "BackupArn")
    shape = Shape()
    _check_backup_arn(shape, arn)
    shape.done()
    _, record = db.storage.read(lambda txn: _backup_of(txn, arn, db.clock.now()))
    return {"BackupDescription": _description(record)}


@operation("DeleteBackup")
def delete_backup(db: Database, params: dict, region: str) -> dict:
    arn = expect_str(params, "BackupArn")
    shape = Shape()
    _check_backup_arn(shape, arn)
    shape.done()

    def run(txn):
        backup_id, record = _backup_of(txn, arn, db.clock.now())
        backups.remove(txn, backup_id)
        return record

    record = db.storage.write(run)
    description = _description(record)
    description["BackupDetails"]["BackupStatus"] = "DELETED"
    return {"BackupDescription": description}


@operation("ListBackups", reads=True)
def list_backups(db: Database, params: dict, region: str) -> dict:
    name = expect_str(params, "TableName")
    limit = expect_int(params, "Limit")
    lower = expect_time(params, "TimeRangeLowerBound")
    upper = expect_time(params, "TimeRangeUpperBound")
    start = expect_str(params, "ExclusiveStartBackupArn")
    backup_type = expect_str(params, "BackupType")
    shape = Shape()
    shape.table_name(name, required=False)
    shape.at_least(limit, "limit", 1)
    shape.at_most(limit, "limit", 100)
    if start is not None:
        _check_backup_arn(shape, start, "exclusiveStartBackupArn")
    shape.enum(backup_type, "backupType", BACKUP_TYPE_FILTERS)
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


# ------------------------------------------------------------------ restore


def _restored_indexes(params: dict, source: dict, billing: str,
                      throughput: dict | None) -> tuple[list, list]:
    """The restored table's LSIs and GSIs: the source's, or the overrides."""
    lsis = params.get("LocalSecondaryIndexOverride")
    gsis = params.get("GlobalSecondaryIndexOverride")
    defined = [d["AttributeName"] for d in source["attribute_definitions"]]
    seen: set[str] = set()
    if lsis is not None:
        check_lsis(lsis, source["key_schema"], defined, seen)
        lsi_records = [stored_index(index, False) for index in lsis]
    else:
        lsi_records = [dict(index) for index in source.get("lsi", [])]
    provisioned = billing == "PROVISIONED"
    if gsis is not None:
        check_gsis(gsis, defined, billing, seen)
        gsi_records = [stored_index(index, provisioned) for index in gsis]
    else:
        gsi_records = []
        for index in source.get("gsi", []):
            index = {k: v for k, v in index.items() if k not in ("IndexStatus", "Backfilling")}
            if not provisioned:
                index.pop("ProvisionedThroughput", None)
            elif "ProvisionedThroughput" not in index and throughput is not None:
                index["ProvisionedThroughput"] = dict(throughput)
            gsi_records.append(index)
    return lsi_records, gsi_records


def _restored_record(params: dict, source: dict, target: str, region: str, now: float,
                     backup: dict) -> dict:
    billing = expect_str(params, "BillingModeOverride") or source["billing_mode"]
    throughput = params.get("ProvisionedThroughputOverride")
    if billing == "PAY_PER_REQUEST" and throughput is not None:
        raise invalid(
            "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when "
            "BillingMode is PAY_PER_REQUEST"
        )
    if throughput is not None:
        check_throughput_bounds(throughput)
    provisioned = dict(source["provisioned"], decreases=0)
    provisioned.pop("last_increase", None)
    provisioned.pop("last_decrease", None)
    if billing == "PAY_PER_REQUEST":
        provisioned.update(read=0, write=0)
    elif throughput is not None:
        provisioned.update(read=throughput["ReadCapacityUnits"],
                           write=throughput["WriteCapacityUnits"])
    elif not provisioned.get("read"):
        # INFERRED wording: an on-demand backup restored as provisioned needs capacity.
        raise invalid("ProvisionedThroughputOverride must be specified when BillingModeOverride "
                      "is PROVISIONED")
    lsis, gsis = _restored_indexes(params, source, billing, throughput)
    used = {e["AttributeName"] for e in source["key_schema"]}
    for index in lsis + gsis:
        used.update(e["AttributeName"] for e in index["KeySchema"])
    # Index storage numbers: kept for the source's own indexes, fresh ones for overrides.
    next_number = source.get("next_index_number", 0)
    for index in lsis + gsis:
        if "_number" not in index:
            index["_number"] = next_number
            next_number += 1
    return {
        **source,
        "name": target,
        "region": region,
        "uuid": str(uuid.uuid4()),
        "created": now,
        "status": "ACTIVE",
        "attribute_definitions": [
            d for d in source["attribute_definitions"] if d["AttributeName"] in used
        ],
        "billing_mode": billing,
        # INFERRED: a restore that overrides the billing mode shows BillingModeSummary.
        "billing_changed": "BillingModeOverride" in params,
        "provisioned": provisioned,
        "ppr_since": now if billing == "PAY_PER_REQUEST" else None,
        "lsi": lsis,
        "gsi": gsis,
        "next_index_number": next_number,
        # Not restored, as in DynamoDB: streams, TTL, tags, PITR, deletion protection.
        "stream": None,
        "stream_label": None,
        "tags": {},
        "pitr": False,
        "deletion_protection": False,
        "on_demand": params.get("OnDemandThroughputOverride") or source.get("on_demand"),
        "restore": {
            "SourceBackupArn": backup["arn"],
            "SourceTableArn": backup["table_arn"],
            "RestoreDateTime": now,
        },
    }


def _check_restore_shape(params: dict, target: str | None, arn: Any = False) -> None:
    """The request-shape checks both restores share (arn False: no BackupArn member)."""
    billing = expect_str(params, "BillingModeOverride")
    throughput = expect_map(params, "ProvisionedThroughputOverride")
    gsis = expect_list(params, "GlobalSecondaryIndexOverride")
    lsis = expect_list(params, "LocalSecondaryIndexOverride")
    expect_map(params, "OnDemandThroughputOverride")
    shape = Shape()
    shape.table_name(target, "targetTableName", mode="create")
    if arn is not False:
        _check_backup_arn(shape, arn)
    shape.enum(billing, "billingModeOverride", BILLING_MODES)
    check_throughput(shape, throughput, "provisionedThroughputOverride")
    check_index_shapes(shape, lsis, "localSecondaryIndexOverride", False)
    check_index_shapes(shape, gsis, "globalSecondaryIndexOverride", True)
    shape.done()


@operation("RestoreTableFromBackup")
def restore_table_from_backup(db: Database, params: dict, region: str) -> dict:
    target = expect_str(params, "TargetTableName")
    arn = expect_str(params, "BackupArn")
    _check_restore_shape(params, target, arn)
    now = db.clock.now()

    def run(txn):
        backup_id, backup = _backup_of(txn, arn, now)
        record = _new_table(db, txn, params, backup["table"], target, region, now, backup)
        table = db.catalog.save(txn, record)
        backups.restore(txn, db.catalog, table, backup_id)
        count, size = db.catalog.stats(txn, table)
        return describe(db, table, count, size)

    return {"TableDescription": _restoring(db.storage.write(run))}


def _new_table(db: Database, txn, params: dict, source: dict, target: str, region: str,
               now: float, backup: dict) -> dict:
    """The restored table's catalog record, once the target name is known to be free."""
    if db.catalog.get(txn, region, target) is not None:
        raise TableAlreadyExistsException(f"Table already exists: {target}")
    if len(db.catalog.names(txn, region)) >= MAX_TABLES:
        raise invalid(f"Subscriber limit exceeded: Only {MAX_TABLES} tables can be created "
                      "per region")  # INFERRED: CreateTable's wording
    record = _restored_record(params, source, target, region, now, backup)
    record["id"] = db.catalog.next_table_id(txn)
    return record


def _restoring(description: dict) -> dict:
    """The answer shows the table as DynamoDB does right after the call; the restore
    itself is already finished, so DescribeTable says ACTIVE."""
    description["TableStatus"] = "CREATING"
    description["RestoreSummary"]["RestoreInProgress"] = True
    return description


@operation("RestoreTableToPointInTime")
def restore_table_to_point_in_time(db: Database, params: dict, region: str) -> dict:
    source = expect_str(params, "SourceTableName")
    source_arn = expect_str(params, "SourceTableArn")
    target = expect_str(params, "TargetTableName")
    latest = expect_bool(params, "UseLatestRestorableTime")
    when = expect_time(params, "RestoreDateTime")
    _check_restore_shape(params, target)
    name = source or source_arn
    if name is None:
        # INFERRED wording
        raise invalid("Either SourceTableName or SourceTableArn must be specified")
    if latest and when is not None:
        # INFERRED wording
        raise invalid("Only one of RestoreDateTime or UseLatestRestorableTime can be specified")
    if not latest and when is None:
        # INFERRED wording
        raise invalid("Either RestoreDateTime or UseLatestRestorableTime must be specified")
    now = db.clock.now()

    def run(txn):
        table = _source_table(db, txn, region, name)
        if not table.record.get("pitr"):
            # INFERRED wording
            raise PointInTimeRecoveryUnavailableException(
                f"Point in time recovery is not enabled for table '{table.name}'"
            )
        earliest, newest = restorable_window(table.record, now)
        at = newest if latest else when
        if not earliest <= at <= newest:
            raise InvalidRestoreTimeException(  # INFERRED wording
                f"RestoreDateTime must be between {stamp(earliest)} and {stamp(newest)}"
            )
        stored = changelog.state_at(txn, table, at)
        source_record = {"table_arn": table_arn(db, table.region, table.name), "arn": None}
        record = _new_table(db, txn, params, table.record, target, region, now, source_record)
        record["restore"]["RestoreDateTime"] = at
        restored = db.catalog.save(txn, record)
        backups.write_records(txn, db.catalog, restored, stored)
        count, size = db.catalog.stats(txn, restored)
        return describe(db, restored, count, size)

    return {"TableDescription": _restoring(db.storage.write(run))}
