"""Control plane: CreateTable, DescribeTable, ListTables, DeleteTable, UpdateTable."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ddblite import constraints
from ddblite.dispatch import operation
from ddblite.engine import streamlog
from ddblite.engine.catalog import TableInfo
from ddblite.errors import (
    LimitExceededException,
    ResourceInUseException,
    ResourceNotFoundException,
    ValidationException,
)
from ddblite.ops.common import find_table, table_name_of
from ddblite.ops.index_updates import (
    apply_index_updates,
    build_created,
    show_index_changes,
)
from ddblite.ops.table_describe import describe, describe_in
from ddblite.ops.table_options import (
    sse_setting,
    update_sse,
    warm_setting,
)
from ddblite.ops.table_schema import (
    PAY_PER_REQUEST_THROUGHPUT,
    check_billing_throughput,
    check_gsis,
    check_key_definitions,
    check_lsis,
    check_projected_total,
    check_schema_structure,
    check_throughput_bounds,
    invalid,
    stored_index,
)
from ddblite.ops.table_settings import check_policy, policy_revision
from ddblite.ops.tags import check_tags
from ddblite.storage.interface import prefix_end
from ddblite.validate import (
    check_table_name_alone,
    control_table_name,
)

if TYPE_CHECKING:
    from ddblite.database import Database

BILLING_MODES = ("PROVISIONED", "PAY_PER_REQUEST")
MAX_TABLES = 2500


# ------------------------------------------------------------------ CreateTable


def _indexes(params: dict, name: str) -> list[dict] | None:
    indexes = params.get(name)
    return None if indexes is None else [dict(index) for index in indexes]


@operation("CreateTable")
def create_table(db: Database, params: dict, region: str) -> dict:
    # Member types are already checked (ddblite.shapes); TableName first, on its own.
    name = params.get("TableName")
    if name is None:
        raise ValidationException(
            "The parameter 'TableName' is required but was not present in the request"
        )
    check_table_name_alone(name, mode="create")
    constraints.check("CreateTable", params)
    definitions = params["AttributeDefinitions"]
    schema = params["KeySchema"]
    billing = params.get("BillingMode")
    throughput = params.get("ProvisionedThroughput")
    table_class = params.get("TableClass")
    stream = params.get("StreamSpecification")
    on_demand = params.get("OnDemandThroughput")
    sse = params.get("SSESpecification")
    warm = params.get("WarmThroughput")
    policy = params.get("ResourcePolicy")
    lsis = _indexes(params, "LocalSecondaryIndexes")
    gsis = _indexes(params, "GlobalSecondaryIndexes")

    billing = billing or "PROVISIONED"
    check_billing_throughput(billing, throughput)
    if billing == "PROVISIONED" and throughput is None:
        raise invalid(
            "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode "
            "is PROVISIONED"
        )
    defined = [d["AttributeName"] for d in definitions]
    if len(set(defined)) != len(defined):  # checked before the key schema: INFERRED order
        raise ValidationException("Cannot have two attributes with the same name")
    check_key_definitions(schema, defined)
    check_schema_structure(schema)
    if lsis is not None and not lsis:
        raise invalid("List of LocalSecondaryIndexes is empty")
    if gsis is not None and not gsis:
        raise invalid("List of GlobalSecondaryIndexes is empty")
    seen_indexes: set[str] = set()
    if lsis:
        check_lsis(lsis, schema, defined, seen_indexes)
    if gsis:
        check_gsis(gsis, defined, billing, seen_indexes)
        for index in gsis:
            if index.get("ProvisionedThroughput") is not None:
                check_throughput_bounds(index["ProvisionedThroughput"])
    check_projected_total((lsis or []) + (gsis or []))
    used = {e["AttributeName"] for e in schema}
    for index in (lsis or []) + (gsis or []):
        used.update(e["AttributeName"] for e in index["KeySchema"])
    if len(defined) != len(used):
        raise invalid(
            "Number of attributes in KeySchema does not exactly match number of attributes "
            "defined in AttributeDefinitions"
        )
    stream_enabled = bool(stream and stream.get("StreamEnabled"))
    if stream is not None and not stream_enabled and stream.get("StreamViewType"):
        raise invalid(
            "Table is being created with a stream disabled, UpdateViewType should not be "
            "specified"
        )
    if stream_enabled and not stream.get("StreamViewType"):
        raise invalid("You must specify a StreamViewType when enabling a stream")
    tags = params.get("Tags")
    tag_map = check_tags(tags) if tags is not None else {}
    if policy is not None:
        check_policy(policy)

    now = db.clock.now()
    types = {d["AttributeName"]: d["AttributeType"] for d in definitions}
    record: dict[str, Any] = {
        "name": name,
        "region": region,
        "uuid": str(uuid.uuid4()),
        "created": now,
        "status": "ACTIVE",
        "key_schema": [
            {"AttributeName": e["AttributeName"], "KeyType": e["KeyType"]} for e in schema
        ],
        "attribute_definitions": [
            {"AttributeName": n, "AttributeType": t} for n, t in types.items()
        ],
        "billing_mode": billing,
        "provisioned": {
            "read": (throughput or {}).get("ReadCapacityUnits", 0),
            "write": (throughput or {}).get("WriteCapacityUnits", 0),
            "decreases": 0,
        },
        "ppr_since": now if billing == "PAY_PER_REQUEST" else None,
        "lsi": [stored_index(index, False) for index in lsis or []],
        "gsi": [stored_index(index, billing == "PROVISIONED") for index in gsis or []],
        "stream": {"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]}
        if stream_enabled else None,
        "stream_label": None,
        "deletion_protection": bool(params.get("DeletionProtectionEnabled")),
        "table_class": table_class or "STANDARD",
        "table_class_given": table_class is not None,
        "on_demand": on_demand,
        "sse": sse_setting(db, region, sse),
        "warm": warm_setting(None, warm),
        "tags": tag_map,
        "pitr": False,
    }
    if policy is not None:  # where PutResourcePolicy keeps it (ops/table_settings.py)
        record["resource_policy"] = {"policy": policy, "revision": policy_revision(db)}
    # Each index gets a storage number for life; numbers are never reused in a table.
    for number, index in enumerate(record["lsi"] + record["gsi"]):
        index["_number"] = number
    record["next_index_number"] = len(record["lsi"]) + len(record["gsi"])

    def run(txn):
        if db.catalog.get(txn, region, name) is not None:
            raise ResourceInUseException(f"Table already exists: {name}")
        if len(db.catalog.names(txn, region)) >= MAX_TABLES:
            raise LimitExceededException(
                f"Subscriber limit exceeded: Only {MAX_TABLES} tables can be created per "
                "region"
            )
        record["id"] = db.catalog.next_table_id(txn)
        if stream_enabled:
            _start_stream(db, txn, record, stream["StreamViewType"], now)
        table = db.catalog.save(txn, record)
        return describe(db, table, 0, 0)

    description = db.storage.write(run)
    # The response shows the table as DynamoDB does right after the call;
    # ddblite builds it synchronously, so DescribeTable already says ACTIVE.
    description["TableStatus"] = "CREATING"
    for index in description.get("GlobalSecondaryIndexes", ()):
        index["IndexStatus"] = "CREATING"
    return {"TableDescription": description}


def _stream_label(now: float) -> str:
    return datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]


def _start_stream(db: Database, txn, record: dict, view: str, now: float) -> None:
    """A new stream for the table `record` describes (its label unique for the table)."""
    taken = {s["label"] for s in streamlog.all_streams(txn)
             if s["table"] == record["name"] and s["region"] == record["region"]}
    when = now
    while _stream_label(when) in taken:  # re-enabled within the same millisecond
        when += 0.001
    label = _stream_label(when)
    record["stream"] = {"StreamEnabled": True, "StreamViewType": view}
    record["stream_label"] = label
    record["stream_created"] = now
    record["stream_parts"] = db.stream_partitions
    record["stream_id"] = streamlog.create_stream(txn, record, label, view, now,
                                                  db.stream_partitions)


def _stop_stream(txn, record: dict, now: float) -> None:
    """Disable the table's stream: it stays readable (DISABLED) for 24 hours. The
    label stays too: DescribeTable keeps showing LatestStreamArn, as DynamoDB does."""
    if record.get("stream_id") is not None:
        streamlog.disable_stream(txn, record["stream_id"], now)
    record["stream"] = None
    record["stream_id"] = None


# ------------------------------------------------------------------ Describe / List / Delete


def _not_found(name: str) -> ResourceNotFoundException:  # type: ignore[valid-type]
    return ResourceNotFoundException(
        f"Requested resource not found: Table: {table_name_of(name)} not found"
    )


def _find_named(db: Database, txn, region: str, name: str) -> TableInfo:
    try:
        return find_table(db, txn, region, name)
    except ResourceNotFoundException:
        raise _not_found(name) from None


@operation("DescribeTable", reads=True)
def describe_table(db: Database, params: dict, region: str) -> dict:
    name = control_table_name(params)

    def run(txn):
        return describe_in(db, txn, _find_named(db, txn, region, name))

    return {"Table": db.storage.read(run)}


@operation("ListTables", reads=True)
def list_tables(db: Database, params: dict, region: str) -> dict:
    constraints.check("ListTables", params)
    start = params.get("ExclusiveStartTableName")
    limit = params.get("Limit")
    names = db.storage.read(lambda txn: db.catalog.names(txn, region))
    names.sort()
    if start is not None:
        names = [n for n in names if n > start]
    limit = limit or 100
    response: dict[str, Any] = {"TableNames": names[:limit]}
    if len(names) > limit:
        response["LastEvaluatedTableName"] = names[limit - 1]
    return response


@operation("DeleteTable")
def delete_table(db: Database, params: dict, region: str) -> dict:
    name = control_table_name(params)

    def run(txn):
        table = _find_named(db, txn, region, name)
        if table.record.get("deletion_protection"):
            raise ValidationException(
                "Resource cannot be deleted as it is currently protected against deletion. "
                "Disable deletion protection first."
            )
        description = _deleting(describe_in(db, txn, table))
        if table.stream is not None:
            streamlog.disable_stream(txn, table.stream[0], db.clock.now())
        if table.record.get("pitr"):  # DynamoDB keeps a SYSTEM backup of such a table
            from ddblite.ops.backups import system_backup

            system_backup(db, txn, table)
        _drop_items(txn, table)
        db.catalog.remove(txn, table)
        return description

    return {"TableDescription": db.storage.write(run)}


# DeleteTable describes the table without its schema or creation time (botocore's
# DeleteTable example, from DynamoDB). The warm-throughput block is left out too: INFERRED.
_NOT_IN_DELETE = ("AttributeDefinitions", "KeySchema", "CreationDateTime", "WarmThroughput")


def _deleting(description: dict[str, Any]) -> dict[str, Any]:
    for member in _NOT_IN_DELETE:
        description.pop(member, None)
    description["TableStatus"] = "DELETING"
    return description


def _drop_items(txn, table: TableInfo) -> None:
    # Stream records are not under the table prefix: they outlive the table.
    for space in ("items", "index"):
        keys = [key for key, _ in txn.range(space, table.prefix, prefix_end(table.prefix))]
        for key in keys:
            txn.delete(space, key)
    # Index statistics, item-collection sizes and the PITR change log live in "meta"
    # under the table prefix.
    for tag in (b"s:", b"c:", b"l:"):
        start = tag + table.prefix
        keys = [key for key, _ in txn.range("meta", start, prefix_end(start))]
        for key in keys:
            txn.delete("meta", key)


# ------------------------------------------------------------------ UpdateTable


@operation("UpdateTable")
def update_table(db: Database, params: dict, region: str) -> dict:
    name = control_table_name(params)
    constraints.check("UpdateTable", params)  # member types: already checked (ddblite.shapes)
    billing = params.get("BillingMode")
    throughput = params.get("ProvisionedThroughput")
    protection = params.get("DeletionProtectionEnabled")
    table_class = params.get("TableClass")
    on_demand = params.get("OnDemandThroughput")
    stream = params.get("StreamSpecification")
    sse = params.get("SSESpecification")
    warm = params.get("WarmThroughput")
    definitions = params.get("AttributeDefinitions")
    gsi_updates = params.get("GlobalSecondaryIndexUpdates")
    if stream is not None:
        if stream["StreamEnabled"] and not stream.get("StreamViewType"):
            raise invalid("If stream is being enabled then UpdateViewType is required")
        if not stream["StreamEnabled"] and stream.get("StreamViewType"):
            raise invalid("If stream is being disabled, then UpdateViewType must not be specified")
    changes = (billing, throughput, protection, table_class, on_demand, stream, sse, warm)
    if all(v is None for v in changes) and not params.get("GlobalSecondaryIndexUpdates") \
            and not params.get("ReplicaUpdates"):
        raise ValidationException(
            "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
            "GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required"
        )
    if params.get("ReplicaUpdates"):
        # Refused loudly rather than reported as done: one local engine has no replicas.
        raise ValidationException("ReplicaUpdates is not supported by this version of ddblite")
    if billing == "PROVISIONED" and throughput is None:
        raise invalid("ProvisionedThroughput must be specified when BillingMode is PROVISIONED")
    if throughput is not None:
        check_throughput_bounds(throughput)

    def run(txn):
        table = _find_named(db, txn, region, name)
        record = dict(table.record)
        record["provisioned"] = dict(record["provisioned"])
        now = db.clock.now()
        new_billing = billing or record["billing_mode"]
        if new_billing == "PAY_PER_REQUEST" and throughput is not None:
            raise invalid(PAY_PER_REQUEST_THROUGHPUT)
        if new_billing != record["billing_mode"]:
            record["billing_changed"] = True
            if new_billing == "PAY_PER_REQUEST":
                record["ppr_since"] = now
                record["provisioned"].update(read=0, write=0)
            record["billing_mode"] = new_billing
        if throughput is not None:
            _apply_throughput(record, throughput, now)
        if protection is not None:
            record["deletion_protection"] = protection
        if table_class is not None:
            record["table_class"] = table_class
            record["table_class_given"] = True
        if on_demand is not None:
            record["on_demand"] = on_demand
        if sse is not None:
            update_sse(db, record, sse)
        record["warm"] = warm_setting(record.get("warm"), warm)
        index_changes = None
        if gsi_updates:
            index_changes = apply_index_updates(txn, table, record, gsi_updates,
                                                definitions or [], now)
        if stream is not None:
            # The record, not table.stream: a table made before streams had an id
            # still counts as having one.
            if stream["StreamEnabled"]:
                if record.get("stream"):
                    raise ValidationException(
                        f"Table already has an enabled stream: TableName: {table.name}")
                _start_stream(db, txn, record, stream["StreamViewType"], now)
            else:
                if not record.get("stream"):
                    raise ValidationException(
                        f"Table has no stream to disable: TableName: {table.name}")
                _stop_stream(txn, record, now)
        updated = db.catalog.save(txn, record)
        if index_changes is not None:
            build_created(txn, updated, index_changes)
        description = describe_in(db, txn, updated)
        if billing is not None or throughput is not None or stream is not None \
                or table_class is not None or index_changes is not None:
            description["TableStatus"] = "UPDATING"
        if index_changes is not None:
            show_index_changes(description, index_changes)
        if sse is not None and "SSEDescription" in description:
            description["SSEDescription"]["Status"] = "UPDATING"  # INFERRED: until KMS is done
        return description

    return {"TableDescription": db.storage.write(run)}


def _apply_throughput(record: dict, throughput: dict, now: float) -> None:
    provisioned = record["provisioned"]
    read, write = throughput["ReadCapacityUnits"], throughput["WriteCapacityUnits"]
    if record["billing_mode"] == "PROVISIONED" and not record.get("billing_changed") \
            and (read, write) == (provisioned.get("read"), provisioned.get("write")):
        raise ValidationException(
            "The provisioned throughput for the table will not change. The requested value "
            "equals the current value. Current ReadCapacityUnits provisioned for the table: "
            f"{read}. Requested ReadCapacityUnits: {read}. Current WriteCapacityUnits "
            f"provisioned for the table: {write}. Requested WriteCapacityUnits: {write}. "
            "Refer to the Amazon DynamoDB Developer Guide for current limits and how to "
            "request higher limits."
        )
    if read > provisioned.get("read", 0) or write > provisioned.get("write", 0):
        provisioned["last_increase"] = now
    if read < provisioned.get("read", 0) or write < provisioned.get("write", 0):
        provisioned["last_decrease"] = now
        provisioned["decreases"] = provisioned.get("decreases", 0) + 1
    provisioned["read"], provisioned["write"] = read, write
