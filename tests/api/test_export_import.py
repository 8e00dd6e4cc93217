"""ExportTableToPointInTime / ImportTable round trips through every front door, with the
S3 side a local directory (a file:// bucket)."""

from __future__ import annotations

import gzip
import json

import pytest

from tests.conftest import create_table, error_of

LONG_PK = "p" * 2048   # DynamoDB's partition key limit
LONG_SK = "s" * 1024   # and sort key limit


def _items() -> list[dict]:
    every_type = {
        "pk": {"S": "all-types"}, "sk": {"N": "1"},
        "s": {"S": "héllo \"quoted\"\nline"}, "n": {"N": "-12.5E3"},
        "b": {"B": bytes(range(256))}, "bool": {"BOOL": False}, "null": {"NULL": True},
        "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "0.25"]},
        "bs": {"BS": [b"\x00", b"\xff\xfe"]},
        "m": {"M": {"inner": {"L": [{"N": "1"}, {"S": ""}, {"M": {}}]}, "b": {"B": b"x"}}},
        "l": {"L": [{"BOOL": True}, {"NULL": True}, {"SS": ["z"]}]},
    }
    large = {"pk": {"S": "large"}, "sk": {"N": "2"}, "blob": {"B": b"\x01" * 350_000}}
    long_keys = {"pk": {"S": LONG_PK}, "sk": {"N": "99999999999999999999"}, "v": {"S": LONG_SK}}
    many = [{"pk": {"S": f"k{i}"}, "sk": {"N": str(i)}, "v": {"S": "x" * i}} for i in range(30)]
    return [every_type, large, long_keys, *many]


def _source(client):
    create_table(client, "src", range_key=("sk", "N"))
    for item in _items():
        client.put_item(TableName="src", Item=item)
    client.update_continuous_backups(
        TableName="src", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    return client.describe_table(TableName="src")["Table"]["TableArn"]


def _all(client, name):
    items, start = [], None
    while True:
        extra = {"ExclusiveStartKey": start} if start else {}
        page = client.scan(TableName=name, **extra)
        items.extend(page["Items"])
        start = page.get("LastEvaluatedKey")
        if not start:
            return sorted(items, key=lambda item: (item["pk"]["S"], item["sk"]["N"]))


CREATION = {
    "TableName": "dst",
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                  {"AttributeName": "sk", "KeyType": "RANGE"}],
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                             {"AttributeName": "sk", "AttributeType": "N"}],
    "BillingMode": "PAY_PER_REQUEST",
}


@pytest.mark.parametrize("output_format", ["DYNAMODB_JSON", "ION"])
def test_export_then_import_equals_the_source(client, tmp_path, output_format):
    arn = _source(client)
    bucket = f"file://{tmp_path / 's3'}"
    started = client.export_table_to_point_in_time(
        TableArn=arn, S3Bucket=bucket, S3Prefix="exports", ExportFormat=output_format,
    )["ExportDescription"]
    assert started["ExportStatus"] == "IN_PROGRESS"
    described = client.describe_export(ExportArn=started["ExportArn"])["ExportDescription"]
    assert described["ExportStatus"] == "COMPLETED"
    assert described["ItemCount"] == 33
    assert described["ExportFormat"] == output_format
    export_id = started["ExportArn"].rpartition("/export/")[2]
    root = tmp_path / "s3" / "exports" / "AWSDynamoDB" / export_id
    assert described["ExportManifest"] == f"exports/AWSDynamoDB/{export_id}/manifest-summary.json"
    summary = json.loads((root / "manifest-summary.json").read_text())
    assert summary["itemCount"] == 33 and summary["outputFormat"] == output_format
    assert summary["exportArn"] == started["ExportArn"]
    files = [json.loads(line) for line in (root / "manifest-files.json").read_text().split("\n")
             if line]
    assert sum(f["itemCount"] for f in files) == 33

    imported = client.import_table(
        S3BucketSource={"S3Bucket": bucket, "S3KeyPrefix": f"exports/AWSDynamoDB/{export_id}/"},
        InputFormat=output_format, InputCompressionType="GZIP",
        TableCreationParameters=CREATION,
    )["ImportTableDescription"]
    assert imported["ImportStatus"] == "IN_PROGRESS"
    done = client.describe_import(ImportArn=imported["ImportArn"])["ImportTableDescription"]
    assert done["ImportStatus"] == "COMPLETED"
    assert (done["ImportedItemCount"], done["ErrorCount"]) == (33, 0)
    assert _all(client, "dst") == _all(client, "src")


def test_dynamodb_json_lines_are_dynamodbs(client, tmp_path):
    arn = _source(client)
    client.export_table_to_point_in_time(TableArn=arn, S3Bucket=f"file://{tmp_path}")
    (data_file,) = tmp_path.glob("AWSDynamoDB/*/data/*.json.gz")
    lines = [json.loads(line) for line in gzip.decompress(data_file.read_bytes()).splitlines()]
    by_key = {line["Item"]["pk"]["S"]: line for line in lines}
    assert by_key["all-types"]["Item"]["b"] == {"B": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd"
                                                     "Hh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7"
                                                     "PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZ"
                                                     "WltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3"
                                                     "eHl6e3x9fn+AgYKDhIWGh4iJiouMjY6PkJGSk5SV"
                                                     "lpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq+wsbKz"
                                                     "tLW2t7i5uru8vb6/wMHCw8TFxsfIycrLzM3Oz9DR"
                                                     "0tPU1dbX2Nna29zd3t/g4eLj5OXm5+jp6uvs7e7v"
                                                     "8PHy8/T19vf4+fr7/P3+/w=="}
    assert set(lines[0]) == {"Item"}


def test_import_csv_with_header_and_bad_rows(client, tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "rows.csv").write_text(
        "pk,sk,colour,size\n"
        "a,1,red,10\n"
        "b,2,,20\n"
        "c,not-a-number,blue,1\n"
    )
    started = client.import_table(
        S3BucketSource={"S3Bucket": f"file://{tmp_path / 'in'}"}, InputFormat="CSV",
        TableCreationParameters=CREATION,
    )["ImportTableDescription"]
    done = client.describe_import(ImportArn=started["ImportArn"])["ImportTableDescription"]
    assert (done["ProcessedItemCount"], done["ImportedItemCount"], done["ErrorCount"]) == (3, 2, 1)
    items = _all(client, "dst")
    assert items == [
        {"pk": {"S": "a"}, "sk": {"N": "1"}, "colour": {"S": "red"}, "size": {"S": "10"}},
        {"pk": {"S": "b"}, "sk": {"N": "2"}, "size": {"S": "20"}},
    ]
    listed = client.list_imports()["ImportSummaryList"]
    assert [s["ImportArn"] for s in listed] == [started["ImportArn"]]


def test_export_needs_point_in_time_recovery(client, tmp_path):
    create_table(client, "plain")
    arn = client.describe_table(TableName="plain")["Table"]["TableArn"]
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.export_table_to_point_in_time(TableArn=arn, S3Bucket=f"file://{tmp_path}")
    assert error_of(excinfo) == ("PointInTimeRecoveryUnavailableException",
                                 "Point in time recovery is not enabled for table 'plain'")


def _data_lines(root) -> list[dict]:
    lines = []
    for data_file in sorted(root.glob("AWSDynamoDB/*/data/*.json.gz")):
        lines.extend(json.loads(line) for line in gzip.decompress(data_file.read_bytes())
                     .splitlines())
    return lines


def test_export_at_a_past_time_and_the_window(client, tmp_path, clock):
    from datetime import UTC, datetime

    arn = _source(client)
    clock.advance(60)
    between = datetime.fromtimestamp(clock.now(), UTC)
    clock.advance(60)
    client.delete_item(TableName="src", Key={"pk": {"S": "large"}, "sk": {"N": "2"}})
    client.put_item(TableName="src", Item={"pk": {"S": "new"}, "sk": {"N": "1"}})
    done = client.export_table_to_point_in_time(
        TableArn=arn, S3Bucket=f"file://{tmp_path / 'past'}", ExportTime=between)
    described = client.describe_export(ExportArn=done["ExportDescription"]["ExportArn"])
    assert described["ExportDescription"]["ItemCount"] == 33
    assert described["ExportDescription"]["ExportTime"] == between
    keys = {line["Item"]["pk"]["S"] for line in _data_lines(tmp_path / "past")}
    assert "large" in keys and "new" not in keys

    future = datetime.fromtimestamp(clock.now() + 3600, UTC)
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.export_table_to_point_in_time(TableArn=arn, S3Bucket=f"file://{tmp_path}",
                                             ExportTime=future)
    assert error_of(excinfo)[0] == "InvalidExportTimeException"
    before_pitr = datetime.fromtimestamp(clock.now() - 3600, UTC)
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.export_table_to_point_in_time(TableArn=arn, S3Bucket=f"file://{tmp_path}",
                                             ExportTime=before_pitr)
    assert error_of(excinfo)[0] == "InvalidExportTimeException"


def test_incremental_export_has_the_changes_with_their_images(client, tmp_path, clock):
    from datetime import UTC, datetime

    arn = _source(client)
    clock.advance(60)
    since = datetime.fromtimestamp(clock.now(), UTC)
    clock.advance(60)
    client.delete_item(TableName="src", Key={"pk": {"S": "k1"}, "sk": {"N": "1"}})
    client.put_item(TableName="src", Item={"pk": {"S": "k2"}, "sk": {"N": "2"},
                                           "v": {"S": "changed"}})
    client.put_item(TableName="src", Item={"pk": {"S": "fresh"}, "sk": {"N": "0"}})
    written_at = int(clock.now() * 1_000_000)
    clock.advance(3600)
    until = datetime.fromtimestamp(clock.now(), UTC)
    started = client.export_table_to_point_in_time(
        TableArn=arn, S3Bucket=f"file://{tmp_path}", ExportType="INCREMENTAL_EXPORT",
        IncrementalExportSpecification={"ExportFromTime": since, "ExportToTime": until,
                                        "ExportViewType": "NEW_AND_OLD_IMAGES"},
    )["ExportDescription"]
    assert started["ExportType"] == "INCREMENTAL_EXPORT"
    described = client.describe_export(ExportArn=started["ExportArn"])["ExportDescription"]
    assert described["ItemCount"] == 3
    by_key = {line["Keys"]["pk"]["S"]: line for line in _data_lines(tmp_path)}
    assert set(by_key) == {"k1", "k2", "fresh"}
    assert "NewImage" not in by_key["k1"] and by_key["k1"]["OldImage"]["v"] == {"S": "x"}
    assert by_key["k2"]["NewImage"]["v"] == {"S": "changed"}
    assert by_key["k2"]["OldImage"]["v"] == {"S": "xx"}
    assert "OldImage" not in by_key["fresh"]
    assert by_key["fresh"]["Metadata"] == {"WriteTimestampMicros": {"N": str(written_at)}}

    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.export_table_to_point_in_time(
            TableArn=arn, S3Bucket=f"file://{tmp_path}", ExportType="INCREMENTAL_EXPORT",
            IncrementalExportSpecification={"ExportFromTime": since, "ExportToTime": since})
    assert error_of(excinfo) == (
        "ValidationException",
        "The incremental export period must be at least 15 minutes and at most 24 hours")


def test_list_exports_pages_and_missing_export(client, tmp_path, clock):
    arn = _source(client)
    arns = []
    for _ in range(3):  # ids order by creation millisecond
        arns.append(client.export_table_to_point_in_time(
            TableArn=arn, S3Bucket=f"file://{tmp_path}")["ExportDescription"]["ExportArn"])
        clock.advance(1)
    page = client.list_exports(TableArn=arn, MaxResults=2)
    assert [s["ExportArn"] for s in page["ExportSummaries"]] == arns[:2]
    assert page["ExportSummaries"][0]["ExportStatus"] == "COMPLETED"
    rest = client.list_exports(TableArn=arn, MaxResults=2, NextToken=page["NextToken"])
    assert [s["ExportArn"] for s in rest["ExportSummaries"]] == arns[2:]
    missing = arns[0][:-8] + "00000000"
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.describe_export(ExportArn=missing)
    assert error_of(excinfo) == ("ExportNotFoundException", f"Export not found: {missing}")


def test_import_into_an_existing_table_is_refused(client, tmp_path):
    create_table(client, "dst", range_key=("sk", "N"))
    (tmp_path / "x.json").write_text('{"Item": {"pk": {"S": "a"}, "sk": {"N": "1"}}}\n')
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.import_table(S3BucketSource={"S3Bucket": f"file://{tmp_path}"},
                            InputFormat="DYNAMODB_JSON", TableCreationParameters=CREATION)
    assert error_of(excinfo) == ("ResourceInUseException", "Table already exists: dst")


def test_bucket_names_and_keys_stay_inside_the_bucket(client, tmp_path):
    arn = _source(client)
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.export_table_to_point_in_time(TableArn=arn, S3Bucket="../escape")
    assert error_of(excinfo) == (
        "ValidationException",
        "1 validation error detected: Value '../escape' at 's3Bucket' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: "
        "^[a-z0-9A-Z]+[\\.\\-\\w]*[a-z0-9A-Z]+$",
    )
    started = client.export_table_to_point_in_time(
        TableArn=arn, S3Bucket=f"file://{tmp_path / 'bucket'}", S3Prefix="../../outside")
    described = client.describe_export(ExportArn=started["ExportDescription"]["ExportArn"])
    assert described["ExportDescription"]["ExportStatus"] == "FAILED"
    assert "leaves the bucket's directory" in described["ExportDescription"]["FailureMessage"]
    assert not (tmp_path / "outside").exists()


def test_client_tokens_make_exports_and_imports_idempotent(client, tmp_path, clock):
    arn = _source(client)
    bucket = f"file://{tmp_path}"
    first = client.export_table_to_point_in_time(TableArn=arn, S3Bucket=bucket, ClientToken="t1")
    again = client.export_table_to_point_in_time(TableArn=arn, S3Bucket=bucket, ClientToken="t1")
    assert again["ExportDescription"]["ExportArn"] == first["ExportDescription"]["ExportArn"]
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.export_table_to_point_in_time(TableArn=arn, S3Bucket=bucket, ClientToken="t1",
                                             ExportFormat="ION")
    assert error_of(excinfo)[0] == "ImportConflictException"
    clock.advance(8 * 3600 + 1)  # the token's window is over: a new export
    later = client.export_table_to_point_in_time(TableArn=arn, S3Bucket=bucket, ClientToken="t1")
    assert later["ExportDescription"]["ExportArn"] != first["ExportDescription"]["ExportArn"]

    source = {"S3Bucket": bucket, "S3KeyPrefix": "AWSDynamoDB/"}
    made = client.import_table(S3BucketSource=source, InputFormat="DYNAMODB_JSON",
                               InputCompressionType="GZIP", TableCreationParameters=CREATION,
                               ClientToken="i1")["ImportTableDescription"]
    same = client.import_table(S3BucketSource=source, InputFormat="DYNAMODB_JSON",
                               InputCompressionType="GZIP", TableCreationParameters=CREATION,
                               ClientToken="i1")["ImportTableDescription"]
    assert same["ImportArn"] == made["ImportArn"]
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.import_table(S3BucketSource=source, InputFormat="ION",
                            TableCreationParameters=CREATION, ClientToken="i1")
    assert error_of(excinfo)[0] == "IdempotentParameterMismatchException"
