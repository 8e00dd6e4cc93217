"""Table settings kept as configuration: resource policies, Contributor Insights,
Kinesis streaming destinations and replica auto scaling.

Each is stored in the table's catalog record and described back with DynamoDB's
statuses. What needs another AWS service to take effect (Kinesis delivery, the
CloudWatch rules behind Contributor Insights, IAM evaluation of a policy) is
recorded, not run: a local engine has no such service.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ddblite.dispatch import operation
from ddblite.errors import (
    PolicyNotFoundException,
    ResourceInUseException,
    ResourceNotFoundException,
    ValidationException,
)
from ddblite.ops.common import check_account, find_table, region_of, table_name_of
from ddblite.validate import (
    Shape,
    check_table_name_alone,
    expect_bool,
    expect_map,
    expect_str,
)

if TYPE_CHECKING:
    from ddblite.database import Database
    from ddblite.engine.catalog import TableInfo

MAX_POLICY_BYTES = 20 * 1024
INVALID = "One or more parameter values were invalid: "


def _update_record(db: Database, region: str, name: str,
                   change: Callable[[dict, TableInfo], Any]) -> Any:
    """Apply `change(record copy, table)` and save the record, in one write transaction."""

    def run(txn):
        table = find_table(db, txn, region, name)
        record = dict(table.record)
        result = change(record, table)
        db.catalog.save(txn, record)
        return result

    return db.storage.write(run)


def _read_record(db: Database, region: str, name: str) -> tuple[dict, TableInfo]:
    def run(txn):
        table = find_table(db, txn, region, name)
        return table.record, table

    return db.storage.read(run)


def _required(params: dict, member: str, wire_name: str) -> str:
    value = expect_str(params, member)
    if value is None:
        shape = Shape()
        shape.not_null(None, wire_name)
        shape.done()
    return value


# ---------------------------------------------------------------- resource policies


def _policy_target(db: Database, arn: str, region: str) -> tuple[str, str]:
    """(region, table name) of a table or stream ARN."""
    if not arn.startswith("arn:") or ":table/" not in arn:
        raise ValidationException(f"Invalid ResourceArn provided as input {arn}")  # INFERRED
    check_account(db, arn)
    return region_of(arn, region), table_name_of(arn)


def check_policy(policy: str) -> None:
    if len(policy.encode()) > MAX_POLICY_BYTES:
        raise ValidationException(
            f"{INVALID}Invalid policy document: policy size exceeds {MAX_POLICY_BYTES} bytes"
        )  # INFERRED wording after the documented prefix
    try:
        document = json.loads(policy)
    except ValueError:
        raise ValidationException(
            f"{INVALID}Invalid policy document: the policy is not valid JSON"
        ) from None
    if not isinstance(document, dict) or "Statement" not in document:
        raise ValidationException(
            f"{INVALID}Invalid policy document: the policy has no Statement"
        )


def _policy_key(arn: str) -> str:
    return "stream_policy" if "/stream/" in arn else "resource_policy"


def policy_revision(db: Database) -> str:
    # DynamoDB's revision ids are opaque digit strings; a millisecond clock gives one.
    return str(int(db.clock.now() * 1000))


def _no_policy(arn: str) -> PolicyNotFoundException:  # type: ignore[valid-type]
    return PolicyNotFoundException(  # INFERRED
        f"Resource-based policy not found for the provided ResourceArn: {arn}"
    )


@operation("PutResourcePolicy")
def put_resource_policy(db: Database, params: dict, region: str) -> dict:
    arn = expect_str(params, "ResourceArn")
    policy = expect_str(params, "Policy")
    expected = expect_str(params, "ExpectedRevisionId")
    expect_bool(params, "ConfirmRemoveSelfResourceAccess")
    shape = Shape()
    shape.not_null(arn, "resourceArn")
    shape.not_null(policy, "policy")
    shape.done()
    target_region, name = _policy_target(db, arn, region)
    check_policy(policy)
    revision = policy_revision(db)

    def change(record: dict, table) -> str:
        key = _policy_key(arn)
        current = record.get(key)
        if expected is not None and (current is None or current["revision"] != expected):
            raise PolicyNotFoundException(  # INFERRED
                f"The policy's revision id does not match ExpectedRevisionId {expected} "
                f"for the provided ResourceArn: {arn}"
            )
        record[key] = {"policy": policy, "revision": revision}
        return revision

    return {"RevisionId": _update_record(db, target_region, name, change)}


@operation("GetResourcePolicy", reads=True)
def get_resource_policy(db: Database, params: dict, region: str) -> dict:
    arn = _required(params, "ResourceArn", "resourceArn")
    target_region, name = _policy_target(db, arn, region)
    record, _ = _read_record(db, target_region, name)
    stored = record.get(_policy_key(arn))
    if stored is None:
        raise _no_policy(arn)
    return {"Policy": stored["policy"], "RevisionId": stored["revision"]}


@operation("DeleteResourcePolicy")
def delete_resource_policy(db: Database, params: dict, region: str) -> dict:
    arn = _required(params, "ResourceArn", "resourceArn")
    expected = expect_str(params, "ExpectedRevisionId")
    target_region, name = _policy_target(db, arn, region)
    revision = policy_revision(db)

    def change(record: dict, table) -> str:
        key = _policy_key(arn)
        current = record.get(key)
        if current is None or (expected is not None and current["revision"] != expected):
            raise _no_policy(arn)
        record[key] = None
        return revision

    return {"RevisionId": _update_record(db, target_region, name, change)}


# ---------------------------------------------------------------- Contributor Insights


def _insights_target(record: dict, table, index: str | None) -> str:
    if index is not None and table.index(index) is None:
        raise ResourceNotFoundException(  # INFERRED
            f"Requested resource not found: Index: {index} not found for table {table.name}"
        )
    return index or ""


def _insights_rules(table_name: str, index: str | None) -> list[str]:
    # The names of the CloudWatch rules DynamoDB creates for a table (and index).
    suffix = f"{table_name}-{index}" if index else table_name
    return [f"DynamoDBContributorInsights-PKC-{suffix}-1",
            f"DynamoDBContributorInsights-SKC-{suffix}-1",
            f"DynamoDBContributorInsights-PKT-{suffix}-1",
            f"DynamoDBContributorInsights-SKT-{suffix}-1"]


@operation("UpdateContributorInsights")
def update_contributor_insights(db: Database, params: dict, region: str) -> dict:
    name = params.get("TableName")
    index = params.get("IndexName")
    action = params.get("ContributorInsightsAction")
    mode = params.get("ContributorInsightsMode")
    shape = Shape()
    shape.table_name(name)
    shape.declared("UpdateContributorInsights", params)
    shape.done()
    now = db.clock.now()

    def change(record: dict, table) -> dict:
        target = _insights_target(record, table, index)
        insights = dict(record.get("insights") or {})
        enabled = action == "ENABLE"
        insights[target] = {"enabled": enabled, "updated": now,
                            "mode": mode or "ACCESSED_AND_THROTTLED_KEYS"}
        record["insights"] = insights
        response = {"TableName": table.name,
                    "ContributorInsightsStatus": "ENABLING" if enabled else "DISABLING"}
        if index is not None:
            response["IndexName"] = index
        if enabled:
            response["ContributorInsightsMode"] = insights[target]["mode"]
        return response

    return _update_record(db, region, name, change)


@operation("DescribeContributorInsights", reads=True)
def describe_contributor_insights(db: Database, params: dict, region: str) -> dict:
    name = expect_str(params, "TableName")
    index = expect_str(params, "IndexName")
    check_table_name_alone(name)
    record, table = _read_record(db, region, name)
    target = _insights_target(record, table, index)
    state = (record.get("insights") or {}).get(target)
    response: dict[str, Any] = {"TableName": table.name}
    if index is not None:
        response["IndexName"] = index
    if state is None or not state["enabled"]:
        response["ContributorInsightsStatus"] = "DISABLED"
        if state is not None:
            response["LastUpdateDateTime"] = datetime.fromtimestamp(state["updated"], UTC)
        return response
    response["ContributorInsightsRuleList"] = _insights_rules(table.name, index)
    response["ContributorInsightsStatus"] = "ENABLED"
    response["LastUpdateDateTime"] = datetime.fromtimestamp(state["updated"], UTC)
    response["ContributorInsightsMode"] = state["mode"]
    return response


@operation("ListContributorInsights", reads=True)
def list_contributor_insights(db: Database, params: dict, region: str) -> dict:
    name = params.get("TableName")
    token = params.get("NextToken")
    limit = params.get("MaxResults")
    shape = Shape()
    if name is not None:
        shape.table_name(name)
    shape.declared("ListContributorInsights", params)
    shape.done()
    limit = limit or 100

    def run(txn):
        names = [name] if name is not None else db.catalog.names(txn, region)
        summaries = []
        for table_name in names:
            table = find_table(db, txn, region, table_name)
            for target, state in sorted((table.record.get("insights") or {}).items()):
                summary = {"TableName": table.name,
                           "ContributorInsightsStatus":
                               "ENABLED" if state["enabled"] else "DISABLED",
                           "ContributorInsightsMode": state["mode"]}
                if target:
                    summary["IndexName"] = target
                summaries.append(summary)
        return summaries

    summaries = db.storage.read(run)
    start = int(token) if token and token.isdigit() else 0
    response: dict[str, Any] = {"ContributorInsightsSummaries": summaries[start:start + limit]}
    if start + limit < len(summaries):
        response["NextToken"] = str(start + limit)
    return response


# ---------------------------------------------------------------- Kinesis destinations

_PRECISIONS = ("MILLISECOND", "MICROSECOND")


def _kinesis_request(params: dict, config_member: str) -> tuple[str, str, dict | None]:
    name = expect_str(params, "TableName")
    stream_arn = expect_str(params, "StreamArn")
    config = expect_map(params, config_member)
    precision = expect_str(config or {}, "ApproximateCreationDateTimePrecision")
    shape = Shape()
    shape.table_name(name)
    shape.not_null(stream_arn, "streamArn")
    shape.enum(precision, f"{config_member[0].lower()}{config_member[1:]}"
               ".approximateCreationDateTimePrecision", _PRECISIONS)
    shape.done()
    if not stream_arn.startswith("arn:") or ":kinesis:" not in stream_arn:
        raise ValidationException(f"{INVALID}Invalid StreamArn: {stream_arn}")  # INFERRED
    return name, stream_arn, config


def _destinations(record: dict) -> dict[str, dict]:
    return dict(record.get("kinesis") or {})


def _change_destination(db: Database, params: dict, region: str, config_member: str,
                        shown_status: str, transition: Callable) -> dict:
    """Enable / Disable / UpdateKinesisStreamingDestination: `transition(current state
    or None, table, config)` gives the destination's new state (or raises); the answer
    shows `shown_status`, as DynamoDB's does while the change is under way."""
    name, stream_arn, config = _kinesis_request(params, config_member)

    def change(record: dict, table) -> dict:
        destinations = _destinations(record)
        destinations[stream_arn] = transition(destinations.get(stream_arn), table, stream_arn,
                                              config or {})
        record["kinesis"] = destinations
        response = {"TableName": table.name, "StreamArn": stream_arn,
                    "DestinationStatus": shown_status}
        if config is not None:
            response[config_member] = config
        return response

    return _update_record(db, region, name, change)


def _enable(current: dict | None, table, stream_arn: str, config: dict) -> dict:
    if current is not None and current["status"] == "ACTIVE":
        raise ResourceInUseException(  # INFERRED
            f"Table {table.name} is already streaming to {stream_arn}"
        )
    return {"status": "ACTIVE",
            "precision": config.get("ApproximateCreationDateTimePrecision", "MILLISECOND")}


def _disable(current: dict | None, table, stream_arn: str, config: dict) -> dict:
    if current is None or current["status"] != "ACTIVE":
        raise ValidationException(  # INFERRED
            f"Table {table.name} is not streaming to {stream_arn}"
        )
    return dict(current, status="DISABLED")


def _update(current: dict | None, table, stream_arn: str, config: dict) -> dict:
    if current is None or current["status"] != "ACTIVE":
        raise ResourceNotFoundException(  # INFERRED
            f"Requested resource not found: Kinesis streaming destination {stream_arn} "
            f"not found for table {table.name}"
        )
    precision = config.get("ApproximateCreationDateTimePrecision")
    return current if precision is None else dict(current, precision=precision)


@operation("EnableKinesisStreamingDestination")
def enable_kinesis_streaming_destination(db: Database, params: dict, region: str) -> dict:
    return _change_destination(db, params, region, "EnableKinesisStreamingConfiguration",
                               "ENABLING", _enable)


@operation("DisableKinesisStreamingDestination")
def disable_kinesis_streaming_destination(db: Database, params: dict, region: str) -> dict:
    return _change_destination(db, params, region, "EnableKinesisStreamingConfiguration",
                               "DISABLING", _disable)


@operation("UpdateKinesisStreamingDestination")
def update_kinesis_streaming_destination(db: Database, params: dict, region: str) -> dict:
    return _change_destination(db, params, region, "UpdateKinesisStreamingConfiguration",
                               "UPDATING", _update)


@operation("DescribeKinesisStreamingDestination", reads=True)
def describe_kinesis_streaming_destination(db: Database, params: dict, region: str) -> dict:
    name = expect_str(params, "TableName")
    check_table_name_alone(name)
    record, table = _read_record(db, region, name)
    destinations = [
        {"StreamArn": arn, "DestinationStatus": state["status"],
         "ApproximateCreationDateTimePrecision": state["precision"]}
        for arn, state in _destinations(record).items()
    ]
    return {"TableName": table.name, "KinesisDataStreamDestinations": destinations}


# ---------------------------------------------------------------- replica auto scaling


def _auto_scaling_description(table) -> dict:
    # A table that is not a global table has no replicas to scale.
    return {"TableAutoScalingDescription": {
        "TableName": table.name, "TableStatus": table.record["status"], "Replicas": [],
    }}


@operation("DescribeTableReplicaAutoScaling", reads=True)
def describe_table_replica_auto_scaling(db: Database, params: dict, region: str) -> dict:
    name = expect_str(params, "TableName")
    check_table_name_alone(name)
    _, table = _read_record(db, region, name)
    return _auto_scaling_description(table)


@operation("UpdateTableReplicaAutoScaling")
def update_table_replica_auto_scaling(db: Database, params: dict, region: str) -> dict:
    name = expect_str(params, "TableName")
    for member in ("GlobalSecondaryIndexUpdates", "ReplicaUpdates"):
        if params.get(member) is not None and not isinstance(params[member], list):
            expect_map({}, member)
    expect_map(params, "ProvisionedWriteCapacityAutoScalingUpdate")
    check_table_name_alone(name)
    if params.get("ReplicaUpdates"):
        raise ValidationException(  # INFERRED
            f"{INVALID}Table {table_name_of(name)} is not a global table: it has no replicas"
        )
    _, table = _read_record(db, region, name)
    return _auto_scaling_description(table)

