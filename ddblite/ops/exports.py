"""ExportTableToPointInTime, DescribeExport, ListExports.

The export is written synchronously from one read snapshot of the table, in the layout
of DynamoDB's export to S3 (transfer.exports), to the bucket transfer.s3 resolves: a
local directory unless real S3 is configured. The answer says IN_PROGRESS as DynamoDB's
does; DescribeExport right after says COMPLETED (or FAILED, with the reason).

An ExportTime in the past is served from the point-in-time recovery change log
(engine.changelog), as are incremental exports (the items changed in a period, with
their new and old images).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ddblite import constraints
from ddblite.dispatch import operation
from ddblite.engine import changelog, jobs
from ddblite.engine import items as stored_items
from ddblite.errors import (
    ExportNotFoundException,
    ImportConflictException,
    InvalidExportTimeException,
    PointInTimeRecoveryUnavailableException,
    TableNotFoundException,
    ValidationException,
)
from ddblite.ops.common import region_of, table_arn, table_name_of
from ddblite.ops.misc import restorable_window
from ddblite.ops.timestamps import expect_time, stamp
from ddblite.storage.interface import prefix_end
from ddblite.transfer import exports, s3
from ddblite.validate import Shape, expect_map, expect_str

if TYPE_CHECKING:
    from ddblite.database import Database
    from ddblite.engine.catalog import TableInfo

EXPORT_FORMATS = ("DYNAMODB_JSON", "ION")
EXPORT_TYPES = ("FULL_EXPORT", "INCREMENTAL_EXPORT")
EXPORT_VIEW_TYPES = ("NEW_IMAGE", "NEW_AND_OLD_IMAGES")
MIN_INCREMENTAL = 15 * 60
TOKEN_SECONDS = 8 * 3600  # how long a ClientToken makes a request idempotent
MAX_INCREMENTAL = 24 * 3600
SSE_ALGORITHMS = ("AES256", "KMS")


def new_job_id(now: float) -> str:
    """DynamoDB's export/import/backup ids: milliseconds, then 8 random hex digits."""
    return f"{int(now * 1000):014d}-{os.urandom(4).hex()}"


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def table_items(txn, table: TableInfo):
    """(item, size) of every item of the table, in key order, from this snapshot."""
    for _, raw in txn.range("items", table.prefix, prefix_end(table.prefix)):
        yield stored_items.unpack_record(raw), stored_items.record_size(raw)


def _logged_items(txn, table: TableInfo, at: float):
    """(item, size) of every item the table held at `at`, from the change log."""
    for _, raw in changelog.state_at(txn, table, at):
        yield stored_items.unpack_record(raw), stored_items.record_size(raw)


def _change_lines(txn, table: TableInfo, spec: dict, output_format: str):
    """(line, billed size) per item changed in the incremental export's period."""
    with_old = spec["view"] == "NEW_AND_OLD_IMAGES"
    for _, micros, old_raw, new_raw in changelog.changes_between(
            txn, table, spec["from"], spec["to"]):
        new = stored_items.unpack_record(new_raw) if new_raw else None
        old = stored_items.unpack_record(old_raw) if old_raw else None
        image = new if new is not None else old
        keys = {name: image[name] for name in table.key_names}  # type: ignore[index]
        size = stored_items.record_size(new_raw) if new_raw else 0
        yield exports.change_line(output_format, micros, keys, old if with_old else None,
                                  new), size


def _incremental(spec: dict | None, window: tuple[float, float]) -> dict:
    """IncrementalExportSpecification, checked: {"from", "to", "view"}."""
    spec = spec or {}
    since = expect_time(spec, "ExportFromTime")
    until = expect_time(spec, "ExportToTime")
    view = expect_str(spec, "ExportViewType")
    shape = Shape()
    shape.enum(view, "incrementalExportSpecification.exportViewType", EXPORT_VIEW_TYPES)
    shape.done()
    if since is None or until is None:
        # INFERRED wording
        raise ValidationException(
            "ExportFromTime and ExportToTime must be specified for an incremental export")
    if not MIN_INCREMENTAL <= until - since <= MAX_INCREMENTAL:
        # INFERRED wording
        raise ValidationException(
            "The incremental export period must be at least 15 minutes and at most 24 hours")
    earliest, latest = window
    if since < earliest or until > latest:
        raise InvalidExportTimeException(  # INFERRED wording
            "The incremental export period is outside the point in time recovery window")
    return {"from": since, "to": until, "view": view or "NEW_AND_OLD_IMAGES"}


def check_bucket_name(shape: Shape, name: str, member: str) -> None:
    """An S3Bucket member against DynamoDB's pattern (file:// is ddblite's local S3)."""
    problem = s3.bucket_name_problem(name)
    if problem:
        shape.add(name, member, problem)


def _summary(table: TableInfo, arn: str, export_arn: str, started: float,
             export_time: float, bucket_name: str, prefix: str | None) -> dict:
    return {
        "version": "2020-06-30",
        "exportArn": export_arn,
        "startTime": iso(started),
        "endTime": iso(started),
        "tableArn": arn,
        "tableId": table.record["uuid"],
        "exportTime": iso(export_time),
        "s3Bucket": bucket_name,
        "s3Prefix": prefix,
        "s3SseAlgorithm": "AES256",
        "s3SseKmsKeyId": None,
    }


def _description(record: dict) -> dict[str, Any]:
    description: dict[str, Any] = {
        "ExportArn": record["arn"],
        "ExportStatus": record["status"],
        "StartTime": stamp(record["start"]),
        "TableArn": record["table_arn"],
        "TableId": record["table_id"],
        "ExportTime": stamp(record["export_time"]),
        "S3Bucket": record["bucket"],
        "S3SseAlgorithm": record["sse"],
        "ExportFormat": record["format"],
        "ExportType": record["type"],
    }
    optional = {
        "EndTime": stamp(record.get("end")),
        "ClientToken": record.get("token"),
        "S3Prefix": record.get("prefix"),
        "S3BucketOwner": record.get("owner"),
        "S3SseKmsKeyId": record.get("kms"),
        "ExportManifest": record.get("manifest"),
        "ItemCount": record.get("item_count"),
        "BilledSizeBytes": record.get("billed"),
        "FailureCode": record.get("failure_code"),
        "FailureMessage": record.get("failure_message"),
    }
    incremental = record.get("incremental")
    if incremental is not None:
        description["IncrementalExportSpecification"] = {
            "ExportFromTime": stamp(incremental["from"]),
            "ExportToTime": stamp(incremental["to"]),
            "ExportViewType": incremental["view"],
        }
    description.update({k: v for k, v in optional.items() if v is not None})
    return description


@operation("ExportTableToPointInTime")
def export_table_to_point_in_time(db: Database, params: dict, region: str) -> dict:
    arn = expect_str(params, "TableArn")
    bucket_name = expect_str(params, "S3Bucket")
    prefix = expect_str(params, "S3Prefix")
    owner = expect_str(params, "S3BucketOwner")
    token = expect_str(params, "ClientToken")
    sse = expect_str(params, "S3SseAlgorithm")
    kms = expect_str(params, "S3SseKmsKeyId")
    output_format = expect_str(params, "ExportFormat")
    export_type = expect_str(params, "ExportType")
    export_time = expect_time(params, "ExportTime")
    shape = Shape()
    if shape.not_null(arn, "tableArn"):
        shape.length_between(arn, "tableArn", 1, 1024)
    if shape.not_null(bucket_name, "s3Bucket"):
        shape.length_between(bucket_name, "s3Bucket", None, 255)
        check_bucket_name(shape, bucket_name, "s3Bucket")
    shape.length_between(prefix, "s3Prefix", None, 1024)
    shape.length_between(token, "clientToken", 1, 36)
    shape.enum(sse, "s3SseAlgorithm", SSE_ALGORITHMS)
    shape.enum(output_format, "exportFormat", EXPORT_FORMATS)
    shape.enum(export_type, "exportType", EXPORT_TYPES)
    shape.done()
    now = db.clock.now()
    if export_time is not None and export_time > now:
        # INFERRED wording
        raise InvalidExportTimeException("Export time cannot be in the future")
    name = table_name_of(arn)
    table_region = region_of(arn, region)

    def find(txn):
        table = db.catalog.get(txn, table_region, name)
        if table is None:
            raise TableNotFoundException(f"Table not found: {name}")  # INFERRED wording
        return table

    table = db.storage.read(find)
    if not table.record.get("pitr"):
        # INFERRED wording
        raise PointInTimeRecoveryUnavailableException(
            f"Point in time recovery is not enabled for table '{name}'"
        )
    window = restorable_window(table.record, now)
    if export_time is not None and export_time < window[0]:
        raise InvalidExportTimeException(  # INFERRED wording
            "ExportTime is outside the point in time recovery window")
    incremental = None
    if export_type == "INCREMENTAL_EXPORT":
        incremental = _incremental(expect_map(params, "IncrementalExportSpecification"),
                                   window)
    full_arn = table_arn(db, table.region, table.name)
    if token is not None:
        earlier = by_token(db, "export", token, now)
        if earlier is not None:
            same = (earlier["table_arn"], earlier["bucket"], earlier.get("prefix"),
                    earlier["format"], earlier["type"]) == (
                full_arn, bucket_name, prefix, output_format or "DYNAMODB_JSON",
                export_type or "FULL_EXPORT")
            if not same:
                # The documented code for a reused token (sic); INFERRED wording.
                raise ImportConflictException(
                    "The ClientToken was used before with different parameters"
                )
            return {"ExportDescription": _description(earlier)}
    export_id = new_job_id(now)
    record: dict[str, Any] = {
        "arn": f"{full_arn}/export/{export_id}",
        "status": "IN_PROGRESS",
        "start": now,
        "table_arn": full_arn,
        "table_id": table.record["uuid"],
        "export_time": export_time if export_time is not None else now,
        "bucket": bucket_name,
        "prefix": prefix,
        "owner": owner,
        "token": token,
        "sse": sse or "AES256",
        "kms": kms,
        "format": output_format or "DYNAMODB_JSON",
        "type": export_type or "FULL_EXPORT",
    }
    if incremental is not None:
        record["incremental"] = incremental
    answer = _description(record)
    root = exports.export_root(prefix, export_id)
    summary = _summary(table, full_arn, record["arn"], now, record["export_time"], bucket_name,
                       prefix)

    def run(txn):
        live = db.catalog.get(txn, table_region, name)
        if incremental is not None:
            lines = _change_lines(txn, live, incremental, record["format"])
            summary.update(exportType="INCREMENTAL_EXPORT",
                           exportFromTime=iso(incremental["from"]),
                           exportToTime=iso(incremental["to"]),
                           exportViewType=incremental["view"])
        else:
            at = record["export_time"]
            items = table_items(txn, live) if at >= now else _logged_items(txn, live, at)
            lines = exports.item_lines(items, record["format"])
        return exports.write(s3.bucket(bucket_name), root, lines, record["format"], summary)

    try:
        written = db.storage.read(run)
    except OSError as exc:
        record.update(status="FAILED", failure_code="S3AccessDenied",  # INFERRED code
                      failure_message=f"Failed to write to the S3 bucket: {exc}")
    else:
        record.update(status="COMPLETED", end=db.clock.now(),
                      manifest=s3.join(root, "manifest-summary.json"),
                      item_count=written["itemCount"], billed=written["billedSizeBytes"])
    db.storage.write(lambda txn: jobs.save(txn, "export", export_id, record))
    return {"ExportDescription": answer}


def by_token(db: Database, kind: str, token: str, now: float) -> dict | None:
    """The export or import that used this ClientToken in the last 8 hours, if any."""
    found = db.storage.read(lambda txn: [
        r for r in jobs.every(txn, kind)
        if r.get("token") == token and r["start"] > now - TOKEN_SECONDS
    ])
    return found[-1] if found else None


def _export_of(db: Database, arn: str) -> dict:
    export_id = arn.rpartition("/export/")[2]
    record = db.storage.read(lambda txn: jobs.get(txn, "export", export_id)) \
        if export_id else None
    if record is None or record["arn"] != arn:
        raise ExportNotFoundException(f"Export not found: {arn}")  # INFERRED wording
    return record


@operation("DescribeExport", reads=True)
def describe_export(db: Database, params: dict, region: str) -> dict:
    constraints.check("DescribeExport", params)
    arn = params["ExportArn"]
    return {"ExportDescription": _description(_export_of(db, arn))}


def page(records: list[dict], size: int | None, token: str | None, default: int,
         key: str = "arn") -> tuple[list[dict], str | None]:
    """One page of records (in creation order) after the one NextToken names."""
    if token is not None:
        arns = [r[key] for r in records]
        if token not in arns:
            raise ValidationException("Invalid NextToken")  # INFERRED wording
        records = records[arns.index(token) + 1:]
    size = size or default
    chosen = records[:size]
    return chosen, (chosen[-1][key] if len(records) > size else None)


@operation("ListExports", reads=True)
def list_exports(db: Database, params: dict, region: str) -> dict:
    constraints.check("ListExports", params)
    arn = params.get("TableArn")
    size = params.get("MaxResults")
    token = params.get("NextToken")
    records = db.storage.read(lambda txn: list(jobs.every(txn, "export")))
    if arn is not None:
        records = [r for r in records if r["table_arn"] == arn]
    chosen, next_token = page(records, size, token, 25)
    response: dict[str, Any] = {"ExportSummaries": [
        {"ExportArn": r["arn"], "ExportStatus": r["status"], "ExportType": r["type"]}
        for r in chosen
    ]}
    if next_token is not None:
        response["NextToken"] = next_token
    return response
