"""TableDescription: a table's catalog record as DescribeTable and friends show it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ddblite.engine import indexes
from ddblite.engine.catalog import TableInfo
from ddblite.ops.common import table_arn
from ddblite.ops.table_options import describe_sse, describe_warm

if TYPE_CHECKING:
    from ddblite.database import Database


def _timestamp(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


def describe(db: Database, table: TableInfo, item_count: int, size: int,
             index_stats: dict[str, tuple[int, int]] | None = None) -> dict[str, Any]:
    """The TableDescription; index_stats maps index name -> (ItemCount, IndexSizeBytes)."""
    record = table.record
    index_stats = index_stats or {}
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
            _describe_lsi(index, description["TableArn"], index_stats)
            for index in record["lsi"]
        ]
    if record.get("gsi"):
        description["GlobalSecondaryIndexes"] = [
            describe_gsi(index, description["TableArn"], index_stats)
            for index in record["gsi"]
        ]
    stream = record.get("stream")
    if stream and stream.get("StreamEnabled"):
        description["StreamSpecification"] = stream
    # A disabled stream's label stays: DynamoDB keeps showing the latest stream.
    if record.get("stream_label"):
        description["LatestStreamLabel"] = record["stream_label"]
        description["LatestStreamArn"] = (
            f"{description['TableArn']}/stream/{record['stream_label']}"
        )
    if record.get("table_class", "STANDARD") != "STANDARD" or record.get("table_class_given"):
        description["TableClassSummary"] = {"TableClass": record["table_class"]}
    if record.get("on_demand"):
        description["OnDemandThroughput"] = record["on_demand"]
    description["DeletionProtectionEnabled"] = record.get("deletion_protection", False)
    sse = describe_sse(record)
    if sse is not None:
        description["SSEDescription"] = sse
    description["WarmThroughput"] = describe_warm(record)
    restore = record.get("restore")
    if restore:  # a restored table (restores finish synchronously)
        summary = {
            "SourceTableArn": restore["SourceTableArn"],
            "RestoreDateTime": _timestamp(restore["RestoreDateTime"]),
            "RestoreInProgress": False,
        }
        if restore.get("SourceBackupArn"):
            summary["SourceBackupArn"] = restore["SourceBackupArn"]
        description["RestoreSummary"] = summary
    return description


def _public(index: dict) -> dict:
    """A stored index spec without ddblite's private fields (storage number...)."""
    return {key: value for key, value in index.items() if not key.startswith("_")}


def _describe_lsi(index: dict, arn: str, index_stats: dict) -> dict:
    described = _public(index)
    count, size = index_stats.get(index["IndexName"], (0, 0))
    described["IndexSizeBytes"] = size
    described["ItemCount"] = count
    described["IndexArn"] = f"{arn}/index/{index['IndexName']}"
    return described


def describe_gsi(index: dict, arn: str, index_stats: dict) -> dict:
    described = _public(index)
    described.setdefault("IndexStatus", "ACTIVE")
    if index.get("WarmThroughput") is not None:
        described["WarmThroughput"] = {**index["WarmThroughput"], "Status": "ACTIVE"}
    throughput = index.get("ProvisionedThroughput") or {}
    described["ProvisionedThroughput"] = {
        "NumberOfDecreasesToday": throughput.get("_decreases", 0),
        "ReadCapacityUnits": throughput.get("ReadCapacityUnits", 0),
        "WriteCapacityUnits": throughput.get("WriteCapacityUnits", 0),
    }
    for stamp, field in (("_last_increase", "LastIncreaseDateTime"),
                         ("_last_decrease", "LastDecreaseDateTime")):
        if throughput.get(stamp) is not None:
            described["ProvisionedThroughput"][field] = _timestamp(throughput[stamp])
    count, size = index_stats.get(index["IndexName"], (0, 0))
    described["IndexSizeBytes"] = size
    described["ItemCount"] = count
    described["IndexArn"] = f"{arn}/index/{index['IndexName']}"
    return described


def describe_in(db: Database, txn, table: TableInfo) -> dict[str, Any]:
    count, size = db.catalog.stats(txn, table)
    index_stats = {index.name: indexes.stats(txn, index) for index in table.indexes}
    return describe(db, table, count, size, index_stats)
