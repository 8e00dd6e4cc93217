"""Time to Live: UpdateTimeToLive and DescribeTimeToLive.

The setting lives in the table's catalog record; the expiry itself is
engine.expiry's (db.expire_now(), or the background sweeper).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ddblite.dispatch import operation
from ddblite.errors import ResourceNotFoundException, ValidationException
from ddblite.ops.common import find_table, table_name_of
from ddblite.validate import Shape, check_table_name_alone, expect_str

if TYPE_CHECKING:
    from ddblite.database import Database

# DynamoDB refuses a second UpdateTimeToLive within an hour of the last one, and a
# disable takes up to that hour to finish (DISABLING until then).
CHANGE_INTERVAL = 3600


def _table(db: Database, txn, region: str, name: str):
    try:
        return find_table(db, txn, region, name)
    except ResourceNotFoundException:
        raise ResourceNotFoundException(  # INFERRED: DescribeTable's wording
            f"Requested resource not found: Table: {table_name_of(name)} not found") from None


def status(ttl: dict | None, now: float) -> str:
    if not ttl:
        return "DISABLED"
    if ttl["enabled"]:
        return "ENABLED"
    # INFERRED: a disable shows DISABLING for the hour DynamoDB says it may take.
    return "DISABLING" if now - ttl["changed"] < CHANGE_INTERVAL else "DISABLED"


@operation("UpdateTimeToLive")
def update_time_to_live(db: Database, params: dict, region: str) -> dict:
    name = params.get("TableName")
    shape = Shape()
    shape.table_name(name)
    shape.declared("UpdateTimeToLive", params)
    shape.done()
    spec = params["TimeToLiveSpecification"]
    enabled, attribute = spec["Enabled"], spec["AttributeName"]

    def run(txn):
        table = _table(db, txn, region, name)  # type: ignore[arg-type]
        now = db.clock.now()
        current = table.record.get("ttl")
        state = status(current, now)
        if enabled and state == "ENABLED":
            raise ValidationException("TimeToLive is already enabled")
        if not enabled and state == "DISABLED":
            raise ValidationException("TimeToLive is already disabled")
        if current and now - current["changed"] < CHANGE_INTERVAL:
            raise ValidationException(
                "Time to live has been modified multiple times within a fixed interval")
        record = dict(table.record)
        record["ttl"] = {"enabled": bool(enabled), "attribute": attribute, "changed": now}
        db.catalog.save(txn, record)

    db.storage.write(run)
    return {"TimeToLiveSpecification": {"Enabled": bool(enabled), "AttributeName": attribute}}


@operation("DescribeTimeToLive", reads=True)
def describe_time_to_live(db: Database, params: dict, region: str) -> dict:
    name = expect_str(params, "TableName")
    check_table_name_alone(name)
    table = db.storage.read(lambda txn: _table(db, txn, region, name))  # type: ignore[arg-type]
    ttl = table.record.get("ttl")
    state = status(ttl, db.clock.now())
    description: dict[str, Any] = {"TimeToLiveStatus": state}
    if state != "DISABLED":
        description["AttributeName"] = ttl["attribute"]  # type: ignore[index]
    return {"TimeToLiveDescription": description}
