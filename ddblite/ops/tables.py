"""Control plane: CreateTable, DescribeTable, ListTables, DeleteTable, UpdateTable."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ddblite.dispatch import operation
from ddblite.engine.catalog import TableInfo
from ddblite.errors import LimitExceededException, ResourceInUseException, ValidationException
from ddblite.ops.common import find_table, table_arn, table_name_of
from ddblite.ops.tags import check_tags
from ddblite.storage.interface import prefix_end
from ddblite.validate import Shape, expect_bool, expect_int, expect_list, expect_map, expect_str

if TYPE_CHECKING:
    from ddblite.database import Database

_INVALID = "One or more parameter values were invalid: "
BILLING_MODES = ("PROVISIONED", "PAY_PER_REQUEST")
TABLE_CLASSES = ("STANDARD", "STANDARD_INFREQUENT_ACCESS")
STREAM_VIEW_TYPES = ("NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY")
MAX_CAPACITY_UNITS = 40_000_000_000
MAX_TABLES = 2500


def _timestamp(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


# ------------------------------------------------------------------ shapes


def _check_key_schema(shape: Shape, schema: list | None, member: str) -> None:
    if not shape.not_null(schema, member):
        return
    shape.length_between(schema, member, 1, 2)
    for i, element in enumerate(schema, 1):
        if not isinstance(element, dict):
            continue
        name = element.get("AttributeName")
        key_type = element.get("KeyType")
        shape.not_null(key_type, f"{member}.{i}.member.keyType")
        shape.enum(key_type, f"{member}.{i}.member.keyType", ("HASH", "RANGE"))
        if shape.not_null(name, f"{member}.{i}.member.attributeName"):
            shape.length_between(name, f"{member}.{i}.member.attributeName", 1, 255)


def _check_throughput(shape: Shape, throughput: dict | None, member: str) -> None:
    if throughput is None:
        return
    for field, wire in (("ReadCapacityUnits", "readCapacityUnits"),
                        ("WriteCapacityUnits", "writeCapacityUnits")):
        value = expect_int(throughput, field)
        if shape.not_null(value, f"{member}.{wire}"):
            shape.at_least(value, f"{member}.{wire}", 1)


def _schema_names(schema: list) -> tuple[str | None, str | None]:
    hash_name = range_name = None
    for element in schema:
        if element.get("KeyType") == "HASH" and hash_name is None:
            hash_name = element.get("AttributeName")
        elif element.get("KeyType") == "RANGE":
            range_name = element.get("AttributeName")
    return hash_name, range_name


def _check_key_schema_meaning(schema: list, definitions: dict[str, str]) -> None:
    if schema[0].get("KeyType") != "HASH":
        raise ValidationException("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
    if len(schema) == 2:
        if schema[1].get("KeyType") != "RANGE":
            raise ValidationException(
                "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type"
            )
        if schema[0]["AttributeName"] == schema[1]["AttributeName"]:
            raise ValidationException(
                "Both the Hash Key and the Range Key element in the KeySchema have the same name"
            )


def _check_definitions(definitions: list, shape: Shape) -> dict[str, str]:
    types: dict[str, str] = {}
    for i, definition in enumerate(definitions, 1):
        if not isinstance(definition, dict):
            continue
        name = definition.get("AttributeName")
        kind = definition.get("AttributeType")
        member = f"attributeDefinitions.{i}.member"
        shape.not_null(kind, f"{member}.attributeType")
        shape.enum(kind, f"{member}.attributeType", ("B", "N", "S"))
        if shape.not_null(name, f"{member}.attributeName"):
            shape.length_between(name, f"{member}.attributeName", 1, 255)
        if name is not None and kind is not None:
            types.setdefault(name, kind)
    return types


# ------------------------------------------------------------------ describe


def describe(db: Database, table: TableInfo, item_count: int, size: int) -> dict[str, Any]:
    record = table.record
    provisioned = record["provisioned"]
    throughput: dict[str, Any] = {
        "NumberOfDecreasesToday": provisioned.get("decreases", 0),
        "ReadCapacityUnits": provisioned.get("read", 0),
        "WriteCapacityUnits": provisioned.get("write", 0),
    }
    if provisioned.get("last_increase") is not None:
        throughput["LastIncreaseDateTime"] = _timestamp(provisioned["last_increase"])
    if provisioned.get("last_decrease") is not None:
        throughput["LastDecreaseDateTime"] = _timestamp(provisioned["last_decrease"])
    description: dict[str, Any] = {
        "AttributeDefinitions": record["attribute_definitions"],
        "TableName": record["name"],
        "KeySchema": record["key_schema"],
        "TableStatus": record["status"],
        "CreationDateTime": _timestamp(record["created"]),
        "ProvisionedThroughput": throughput,
        "TableSizeBytes": size,
        "ItemCount": item_count,
        "TableArn": table_arn(db, table.region, table.name),
        "TableId": record["uuid"],
    }
    if record["billing_mode"] == "PAY_PER_REQUEST" or record.get("billing_changed"):
        summary: dict[str, Any] = {"BillingMode": record["billing_mode"]}
        if record.get("ppr_since") is not None:
            summary["LastUpdateToPayPerRequestDateTime"] = _timestamp(record["ppr_since"])
        description["BillingModeSummary"] = summary
    if record.get("lsi"):
        description["LocalSecondaryIndexes"] = [
            dict(index, IndexSizeBytes=0, ItemCount=0,
                 IndexArn=f"{description['TableArn']}/index/{index['IndexName']}")
            for index in record["lsi"]
        ]
    if record.get("gsi"):
        description["GlobalSecondaryIndexes"] = [
            _describe_gsi(index, record, description["TableArn"]) for index in record["gsi"]
        ]
    stream = record.get("stream")
    if stream and stream.get("StreamEnabled"):
        description["StreamSpecification"] = stream
        description["LatestStreamLabel"] = record["stream_label"]
        description["LatestStreamArn"] = (
            f"{description['TableArn']}/stream/{record['stream_label']}"
        )
    if record.get("table_class", "STANDARD") != "STANDARD":
        description["TableClassSummary"] = {"TableClass": record["table_class"]}
    if record.get("on_demand"):
        description["OnDemandThroughput"] = record["on_demand"]
    description["DeletionProtectionEnabled"] = record.get("deletion_protection", False)
    return description


def _describe_gsi(index: dict, record: dict, arn: str) -> dict:
    described = dict(index)
    described.setdefault("IndexStatus", "ACTIVE")
    throughput = index.get("ProvisionedThroughput") or {}
    described["ProvisionedThroughput"] = {
        "NumberOfDecreasesToday": 0,
        "ReadCapacityUnits": throughput.get("ReadCapacityUnits", 0),
        "WriteCapacityUnits": throughput.get("WriteCapacityUnits", 0),
    }
    described["IndexSizeBytes"] = 0
    described["ItemCount"] = 0
    described["IndexArn"] = f"{arn}/index/{index['IndexName']}"
    return described


def describe_in(db: Database, txn, table: TableInfo) -> dict[str, Any]:
    count, size = db.catalog.stats(txn, table)
    return describe(db, table, count, size)


# ------------------------------------------------------------------ CreateTable


def _indexes(params: dict, name: str) -> list[dict] | None:
    indexes = expect_list(params, name)
    if indexes is None:
        return None
    return [dict(index) for index in indexes if isinstance(index, dict)]


@operation("CreateTable")
def create_table(db: Database, params: dict, region: str) -> dict:
    definitions = expect_list(params, "AttributeDefinitions")
    name = expect_str(params, "TableName")
    schema = expect_list(params, "KeySchema")
    billing = expect_str(params, "BillingMode")
    throughput = expect_map(params, "ProvisionedThroughput")
    table_class = expect_str(params, "TableClass")
    protection = expect_bool(params, "DeletionProtectionEnabled")
    stream = expect_map(params, "StreamSpecification")
    tags = expect_list(params, "Tags")
    on_demand = expect_map(params, "OnDemandThroughput")
    lsis = _indexes(params, "LocalSecondaryIndexes")
    gsis = _indexes(params, "GlobalSecondaryIndexes")

    shape = Shape()
    if shape.not_null(definitions, "attributeDefinitions"):
        types = _check_definitions(definitions, shape)
    else:
        types = {}
    shape.table_name(name, allow_arn=False)
    _check_key_schema(shape, schema, "keySchema")
    _check_throughput(shape, throughput, "provisionedThroughput")
    shape.enum(billing, "billingMode", BILLING_MODES)
    shape.enum(table_class, "tableClass", TABLE_CLASSES)
    if stream is not None:
        view = stream.get("StreamViewType")
        shape.not_null(stream.get("StreamEnabled"), "streamSpecification.streamEnabled")
        shape.enum(view, "streamSpecification.streamViewType", STREAM_VIEW_TYPES)
    shape.done()

    billing = billing or "PROVISIONED"
    if billing == "PROVISIONED" and throughput is None:
        raise ValidationException(
            f"{_INVALID}ReadCapacityUnits and WriteCapacityUnits must both be specified when "
            "BillingMode is PROVISIONED"
        )
    if billing == "PAY_PER_REQUEST" and throughput is not None:
        raise ValidationException(
            f"{_INVALID}Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when "
            "BillingMode is PAY_PER_REQUEST"
        )
    if len(types) != len(definitions):
        raise ValidationException("Cannot have two attributes with the same name")
    _check_key_schema_meaning(schema, types)
    hash_name, range_name = _schema_names(schema)
    used = [n for n in (hash_name, range_name) if n is not None]
    for index in (lsis or []) + (gsis or []):
        used.extend(e.get("AttributeName") for e in index.get("KeySchema") or [])
    missing = [n for n in used if n not in types]
    if missing:
        raise ValidationException(
            f"{_INVALID}Some index key attributes are not defined in AttributeDefinitions. "
            f"Keys: [{', '.join(missing)}], AttributeDefinitions: [{', '.join(types)}]"
        )
    if len(set(used)) != len(types):
        raise ValidationException(
            f"{_INVALID}Number of attributes in KeySchema does not exactly match number of "
            "attributes defined in AttributeDefinitions"
        )
    if stream is not None and stream.get("StreamEnabled") and not stream.get("StreamViewType"):
        raise ValidationException(
            "StreamSpecification: StreamViewType is required when StreamEnabled is true"
        )
    if stream is not None and not stream.get("StreamEnabled") and stream.get("StreamViewType"):
        raise ValidationException(
            "One or more parameter values were invalid: StreamViewType cannot be specified "
            "when StreamEnabled is false"
        )
    tag_map = check_tags(tags) if tags else {}

    now = db.clock.now()
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
        "lsi": lsis or [],
        "gsi": gsis or [],
        "stream": stream if stream and stream.get("StreamEnabled") else None,
        "stream_label": _stream_label(now) if stream and stream.get("StreamEnabled") else None,
        "deletion_protection": bool(protection),
        "table_class": table_class or "STANDARD",
        "on_demand": on_demand,
        "tags": tag_map,
        "pitr": False,
    }

    def run(txn):
        if db.catalog.get(txn, region, name) is not None:
            raise ResourceInUseException(f"Table already exists: {name}")
        if len(db.catalog.names(txn, region)) >= MAX_TABLES:
            raise LimitExceededException(
                f"Subscriber limit exceeded: Only {MAX_TABLES} tables can be created per "
                "region"
            )
        record["id"] = db.catalog.next_table_id(txn)
        table = db.catalog.save(txn, record)
        return describe(db, table, 0, 0)

    return {"TableDescription": db.storage.write(run)}


def _stream_label(now: float) -> str:
    return datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]


# ------------------------------------------------------------------ Describe / List / Delete


def _check_name(params: dict) -> str:
    name = expect_str(params, "TableName")
    shape = Shape()
    shape.table_name(name)
    shape.done()
    return name


def _not_found(name: str) -> Exception:
    from ddblite.errors import ResourceNotFoundException

    return ResourceNotFoundException(f"Requested resource not found: Table: {table_name_of(name)} not found")


@operation("DescribeTable")
def describe_table(db: Database, params: dict, region: str) -> dict:
    name = _check_name(params)

    def run(txn):
        try:
            table = find_table(db, txn, region, name)
        except Exception:
            raise _not_found(name) from None
        return describe_in(db, txn, table)

    return {"Table": db.storage.read(run)}


@operation("ListTables")
def list_tables(db: Database, params: dict, region: str) -> dict:
    start = expect_str(params, "ExclusiveStartTableName")
    limit = expect_int(params, "Limit")
    shape = Shape()
    shape.table_name(start, "exclusiveStartTableName", allow_arn=False, required=False)
    shape.at_least(limit, "limit", 1)
    shape.at_most(limit, "limit", 100)
    shape.done()
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
    name = _check_name(params)

    def run(txn):
        try:
            table = find_table(db, txn, region, name)
        except Exception:
            raise _not_found(name) from None
        if table.record.get("deletion_protection"):
            raise ValidationException(
                "Resource cannot be deleted as it is currently protected against deletion. "
                "Disable deletion protection first."
            )
        description = describe_in(db, txn, table)
        description["TableStatus"] = "DELETING"
        _drop_items(txn, table)
        db.catalog.remove(txn, table)
        return description

    return {"TableDescription": db.storage.write(run)}


def _drop_items(txn, table: TableInfo) -> None:
    for space in ("items", "index", "stream"):
        keys = [key for key, _ in txn.range(space, table.prefix, prefix_end(table.prefix))]
        for key in keys:
            txn.delete(space, key)


# ------------------------------------------------------------------ UpdateTable


@operation("UpdateTable")
def update_table(db: Database, params: dict, region: str) -> dict:
    name = expect_str(params, "TableName")
    billing = expect_str(params, "BillingMode")
    throughput = expect_map(params, "ProvisionedThroughput")
    protection = expect_bool(params, "DeletionProtectionEnabled")
    table_class = expect_str(params, "TableClass")
    on_demand = expect_map(params, "OnDemandThroughput")
    stream = expect_map(params, "StreamSpecification")
    shape = Shape()
    shape.table_name(name)
    _check_throughput(shape, throughput, "provisionedThroughput")
    shape.enum(billing, "billingMode", BILLING_MODES)
    shape.enum(table_class, "tableClass", TABLE_CLASSES)
    shape.done()
    if all(v is None for v in (billing, throughput, protection, table_class, on_demand, stream)) \
            and not params.get("GlobalSecondaryIndexUpdates") \
            and not params.get("ReplicaUpdates") and not params.get("SSESpecification"):
        raise ValidationException(
            "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
            "GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required"
        )

    def run(txn):
        table = find_table(db, txn, region, name)
        record = dict(table.record)
        record["provisioned"] = dict(record["provisioned"])
        now = db.clock.now()
        new_billing = billing or record["billing_mode"]
        if new_billing == "PROVISIONED" and throughput is None \
                and record["billing_mode"] != "PROVISIONED":
            raise ValidationException(
                f"{_INVALID}ProvisionedThroughput must be specified when BillingMode is "
                "PROVISIONED"
            )
        if new_billing == "PAY_PER_REQUEST" and throughput is not None:
            raise ValidationException(
                f"{_INVALID}Neither ReadCapacityUnits nor WriteCapacityUnits can be specified "
                "when BillingMode is PAY_PER_REQUEST"
            )
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
        if on_demand is not None:
            record["on_demand"] = on_demand
        if stream is not None:
            record["stream"] = stream if stream.get("StreamEnabled") else None
            record["stream_label"] = _stream_label(now) if stream.get("StreamEnabled") else None
        updated = db.catalog.save(txn, record)
        return describe_in(db, txn, updated)

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
