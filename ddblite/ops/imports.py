"""ImportTable, DescribeImport, ListImports, and `load_items`, the loader they and
`ddblite import` share.

ImportTable creates the table (CreateTable's checks) and loads DynamoDB JSON, Ion or CSV
files from the bucket prefix synchronously. Records that cannot be read or are not
valid items (a missing or mistyped key, too large...) are counted in ErrorCount and
skipped, as DynamoDB does. Every item goes through engine.items.put, the one write path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from ddblite import constraints
from ddblite.attrvalue import MAX_ITEM_SIZE, canonical_item_and_size
from ddblite.dispatch import dispatch, operation
from ddblite.engine import items as stored_items
from ddblite.engine import jobs
from ddblite.engine.keys import check_item_key
from ddblite.errors import (
    DynamoDBError,
    IdempotentParameterMismatchException,
    ImportNotFoundException,
)
from ddblite.ops.common import find_table, table_arn
from ddblite.ops.exports import by_token, check_bucket_name, new_job_id, page
from ddblite.ops.timestamps import stamp
from ddblite.transfer import imports, s3
from ddblite.validate import Shape, expect_map, expect_str

if TYPE_CHECKING:
    from ddblite.database import Database

INPUT_FORMATS = ("DYNAMODB_JSON", "ION", "CSV")
COMPRESSION_TYPES = ("GZIP", "ZSTD", "NONE")
# Items per write transaction: large enough to be fast, small enough not to hold the
# writer lock for long.
BATCH = 2000


class LoadResult:
    def __init__(self) -> None:
        self.processed = 0
        self.imported = 0
        self.errors = 0
        self.bytes = 0


def load_items(db: Database, table_name: str, region: str,
               records: Iterable[dict | Exception],
               progress: Callable[[int], None] | None = None) -> LoadResult:
    """Validate and write items into an existing table; bad records are counted."""
    result = LoadResult()
    batch: list[tuple[dict, int]] = []

    def flush() -> None:
        def run(txn):
            table = find_table(db, txn, region, table_name)
            for item, size in batch:
                try:
                    check_item_key(table, item)
                    stored_items.put(txn, db.catalog, table, table.item_key(item), item, size)
                except DynamoDBError:
                    result.errors += 1
                else:
                    result.imported += 1

        db.storage.write(run)
        batch.clear()
        if progress is not None:
            progress(result.processed)

    for record in records:
        result.processed += 1
        if isinstance(record, Exception):
            result.errors += 1
            continue
        try:
            item, size = canonical_item_and_size(record)
        except DynamoDBError:
            result.errors += 1
            continue
        if size > MAX_ITEM_SIZE:
            result.errors += 1
            continue
        result.bytes += size
        batch.append((item, size))
        if len(batch) >= BATCH:
            flush()
    if batch or progress is not None:
        flush()
    return result


def _description(record: dict) -> dict[str, Any]:
    description = {
        "ImportArn": record["arn"],
        "ImportStatus": record["status"],
        "TableArn": record["table_arn"],
        "S3BucketSource": record["source"],
        "ErrorCount": record.get("errors", 0),
        "InputFormat": record["format"],
        "InputCompressionType": record["compression"],
        "TableCreationParameters": record["creation"],
        "StartTime": stamp(record["start"]),
        "ProcessedSizeBytes": record.get("bytes", 0),
        "ProcessedItemCount": record.get("processed", 0),
        "ImportedItemCount": record.get("imported", 0),
    }
    optional = {
        "TableId": record.get("table_id"),
        "ClientToken": record.get("token"),
        "InputFormatOptions": record.get("options"),
        "EndTime": stamp(record.get("end")),
        "FailureCode": record.get("failure_code"),
        "FailureMessage": record.get("failure_message"),
    }
    description.update({k: v for k, v in optional.items() if v is not None})
    return description


@operation("ImportTable")
def import_table(db: Database, params: dict, region: str) -> dict:
    token = expect_str(params, "ClientToken")
    source = expect_map(params, "S3BucketSource")
    input_format = expect_str(params, "InputFormat")
    options = expect_map(params, "InputFormatOptions")
    compression = expect_str(params, "InputCompressionType")
    creation = expect_map(params, "TableCreationParameters")
    shape = Shape()
    shape.length_between(token, "clientToken", 1, 64)
    bucket_name = None
    if shape.not_null(source, "s3BucketSource"):
        bucket_name = expect_str(source, "S3Bucket")
        if shape.not_null(bucket_name, "s3BucketSource.s3Bucket"):
            check_bucket_name(shape, bucket_name, "s3BucketSource.s3Bucket")
    if shape.not_null(input_format, "inputFormat"):
        shape.enum(input_format, "inputFormat", INPUT_FORMATS)
    shape.enum(compression, "inputCompressionType", COMPRESSION_TYPES)
    shape.not_null(creation, "tableCreationParameters")
    shape.done()
    prefix = expect_str(source, "S3KeyPrefix") or ""
    now = db.clock.now()
    if token is not None:
        earlier = by_token(db, "import", token, now)
        if earlier is not None:
            same = (earlier["source"], earlier["format"], earlier.get("options"),
                    earlier["compression"], earlier["creation"]) == (
                dict(source), input_format, options, compression or "NONE", dict(creation))
            if not same:
                raise IdempotentParameterMismatchException(  # INFERRED wording
                    "The ClientToken was used before with different parameters")
            return {"ImportTableDescription": _description(earlier)}
    bucket = s3.bucket(bucket_name)
    keys = imports.data_keys(bucket, prefix)
    # The table comes first: CreateTable's own checks and errors (ResourceInUse...).
    created = dispatch(db, "CreateTable", dict(creation), region)["TableDescription"]
    name = created["TableName"]
    import_id = new_job_id(now)
    arn = table_arn(db, region, name)
    record: dict[str, Any] = {
        "arn": f"{arn}/import/{import_id}",
        "status": "IN_PROGRESS",
        "table_arn": arn,
        "table_id": created["TableId"],
        "token": token,
        "source": dict(source),
        "format": input_format,
        "options": options,
        "compression": compression or "NONE",
        "creation": dict(creation),
        "start": now,
    }
    answer = _description(record)
    if not keys:
        record.update(status="FAILED", end=now, failure_code="InvalidS3Source",  # INFERRED
                      failure_message="No data files were found at the given S3 source")
    else:
        key_types = {d["AttributeName"]: d["AttributeType"]
                     for d in created["AttributeDefinitions"]}
        compression_type = None if compression in (None, "NONE") else compression
        try:
            records = imports.read(bucket, keys, input_format, compression_type,
                                   (options or {}).get("Csv"), key_types)
            result = load_items(db, name, region, records)
        except (OSError, ValueError) as exc:
            record.update(status="FAILED", end=db.clock.now(), failure_code="InvalidS3Source",
                          failure_message=str(exc))
        else:
            record.update(status="COMPLETED", end=db.clock.now(), errors=result.errors,
                          bytes=result.bytes, processed=result.processed,
                          imported=result.imported)
    db.storage.write(lambda txn: jobs.save(txn, "import", import_id, record))
    return {"ImportTableDescription": answer}


@operation("DescribeImport", reads=True)
def describe_import(db: Database, params: dict, region: str) -> dict:
    constraints.check("DescribeImport", params)
    arn = params["ImportArn"]
    import_id = arn.rpartition("/import/")[2]
    record = db.storage.read(lambda txn: jobs.get(txn, "import", import_id)) \
        if import_id else None
    if record is None or record["arn"] != arn:
        raise ImportNotFoundException(f"Import not found: {arn}")  # INFERRED wording
    return {"ImportTableDescription": _description(record)}


@operation("ListImports", reads=True)
def list_imports(db: Database, params: dict, region: str) -> dict:
    constraints.check("ListImports", params)
    arn = params.get("TableArn")
    size = params.get("PageSize")
    token = params.get("NextToken")
    records = db.storage.read(lambda txn: list(jobs.every(txn, "import")))
    if arn is not None:
        records = [r for r in records if r["table_arn"] == arn]
    chosen, next_token = page(records, size, token, 25)
    summaries = []
    for r in chosen:
        summary = {"ImportArn": r["arn"], "ImportStatus": r["status"],
                   "TableArn": r["table_arn"], "S3BucketSource": r["source"],
                   "InputFormat": r["format"], "StartTime": stamp(r["start"])}
        if r.get("end") is not None:
            summary["EndTime"] = stamp(r["end"])
        summaries.append(summary)
    response: dict[str, Any] = {"ImportSummaryList": summaries}
    if next_token is not None:
        response["NextToken"] = next_token
    return response
