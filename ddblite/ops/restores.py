"""RestoreTableFromBackup and RestoreTableToPointInTime: a new table from a backup
(engine.backups) or from the change log at a point in time (engine.changelog).

Both build the new table's catalog record from the source's (with the billing and index
overrides DynamoDB allows; streams, TTL, tags, PITR and deletion protection are not
restored, as in DynamoDB) and write the items through engine.items.put, which rebuilds
the indexes. A restore finishes synchronously: the answer says CREATING as DynamoDB's
does, DescribeTable right after says ACTIVE with RestoreSummary.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from ddblite.dispatch import operation
from ddblite.engine import backups, changelog
from ddblite.errors import (
    InvalidRestoreTimeException,
    PointInTimeRecoveryUnavailableException,
    TableAlreadyExistsException,
)
from ddblite.ops.backups import backup_of, source_table
from ddblite.ops.common import table_arn
from ddblite.ops.misc import restorable_window
from ddblite.ops.table_describe import describe
from ddblite.ops.table_schema import (
    check_billing_throughput,
    check_gsis,
    check_lsis,
    invalid,
    stored_index,
)
from ddblite.ops.tables import MAX_TABLES
from ddblite.ops.timestamps import expect_time, stamp
from ddblite.validate import Shape, expect_bool, expect_str

if TYPE_CHECKING:
    from ddblite.database import Database


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
    check_billing_throughput(billing, throughput)
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


def _check_restore_shape(operation: str, params: dict, target: str | None) -> None:
    """The request-shape checks both restores share: the target name by hand, the
    backup ARN and the overrides from the declaration (ddblite.constraints)."""
    shape = Shape()
    shape.table_name(target, "targetTableName", mode="create")
    shape.declared(operation, params)
    shape.done()


@operation("RestoreTableFromBackup")
def restore_table_from_backup(db: Database, params: dict, region: str) -> dict:
    target = expect_str(params, "TargetTableName")
    arn = expect_str(params, "BackupArn")
    _check_restore_shape("RestoreTableFromBackup", params, target)
    now = db.clock.now()

    def run(txn):
        backup_id, backup = backup_of(txn, arn, now)
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
    _check_restore_shape("RestoreTableToPointInTime", params, target)
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
        table = source_table(db, txn, region, name)
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
