"""`ddblite export`, `ddblite import` and `ddblite copy` (wired into ddblite.cli).

Each shows a progress bar (tqdm, on stderr) on long work and ends with a one-line summary.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from ddblite.transfer.sides import DEFAULT_REGION, Side, creation_params, is_endpoint

TABLE_FILE = "ddblite-table.json"
FORMAT_NAMES = {"dynamodb-json": "DYNAMODB_JSON", "ion": "ION", "csv": "CSV"}

EXPORT_EXAMPLE = """example:
  ddblite export Music ./music-export --path ./ddblite-data
  ddblite export Music ./music-export --endpoint-url http://localhost:8000 --format ion
writes DynamoDB's export layout: DIR/AWSDynamoDB/<id>/manifest-summary.json,
manifest-files.json and data/*.json.gz (or .ion.gz), plus ddblite-table.json (the
table's keys and indexes, so `ddblite import` can recreate it)."""

IMPORT_EXAMPLE = """example:
  ddblite import ./music-export Music --path ./ddblite-data
  ddblite import ./rows Music --format csv --key Artist:S --sort Song:S
reads an export directory (through its manifest) or every file under DIR: DynamoDB JSON,
Ion or CSV with a header, gzip'd or not. The table is created when missing, from the
export's ddblite-table.json or from --key/--sort."""

COPY_EXAMPLE = """example:
  ddblite copy ./ddblite-data http://localhost:8000
  ddblite copy http://localhost:8000 ./local-copy --table Music --checkpoint music.ckpt
SRC and DST are each a ddblite data directory or a DynamoDB-compatible endpoint URL
(DynamoDB, ScyllaDB Alternator, DynamoDB Local, ddblite serve). Run the same command
again with the same --checkpoint to resume an interrupted copy."""


def add_commands(commands: Any) -> None:
    formatter = argparse.RawDescriptionHelpFormatter

    export = commands.add_parser("export", help="export a table in DynamoDB's S3 export format",
                                 epilog=EXPORT_EXAMPLE, formatter_class=formatter)
    export.add_argument("table")
    export.add_argument("directory")
    _add_side(export)
    export.add_argument("--format", choices=("dynamodb-json", "ion"), default="dynamodb-json")

    load = commands.add_parser("import", help="import DynamoDB JSON, Ion or CSV files",
                               epilog=IMPORT_EXAMPLE, formatter_class=formatter)
    load.add_argument("directory")
    load.add_argument("table")
    _add_side(load)
    load.add_argument("--format", choices=("auto", *FORMAT_NAMES), default="auto")
    load.add_argument("--key", metavar="NAME:TYPE", help="partition key of a new table")
    load.add_argument("--sort", metavar="NAME:TYPE", help="sort key of a new table")
    load.add_argument("--delimiter", default=",", help="CSV delimiter (,)")

    copy = commands.add_parser("copy", help="copy tables between ddblite and any endpoint",
                               epilog=COPY_EXAMPLE, formatter_class=formatter)
    copy.add_argument("source", metavar="SRC")
    copy.add_argument("destination", metavar="DST")
    which = copy.add_mutually_exclusive_group()
    which.add_argument("--table", help="copy this table only")
    which.add_argument("--tables", help="comma-separated tables to copy")
    copy.add_argument("--segments", type=int, default=4, help="parallel Scan segments (4)")
    copy.add_argument("--checkpoint", help="file recording progress, to resume a copy")
    copy.add_argument("--sample", type=int, default=100,
                      help="items read back from DST to compare after the copy (100)")
    copy.add_argument("--no-verify", action="store_true", help="skip the verification pass")
    copy.add_argument("--region", default=DEFAULT_REGION)
    copy.add_argument("--quiet", action="store_true", help="no progress bar")


def _add_side(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--path", default="./ddblite-data", help="data directory (./ddblite-data)")
    where.add_argument("--endpoint-url", help="a DynamoDB-compatible endpoint instead")
    parser.add_argument("--region", default=DEFAULT_REGION)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    try:
        if args.command == "export":
            return _export(args)
        if args.command == "import":
            return _import(args)
        return _copy(args)
    except KeyboardInterrupt:
        hint = " (run it again with the same --checkpoint to resume)" \
            if getattr(args, "checkpoint", None) else ""
        print(f"ddblite {args.command}: interrupted{hint}", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - a CLI reports, it does not trace back
        print(f"ddblite {args.command}: {exc}", file=sys.stderr)
        return 1


def _bar(args: argparse.Namespace, total: int | None, what: str):
    from tqdm import tqdm

    return tqdm(total=total, unit=" items", desc=what, disable=args.quiet, file=sys.stderr,
                dynamic_ncols=True)


def _side(args: argparse.Namespace) -> Side:
    return Side(args.endpoint_url or args.path, args.region)


# ------------------------------------------------------------------ export


def _export(args: argparse.Namespace) -> int:
    from ddblite.ops.exports import iso, new_job_id, table_items
    from ddblite.transfer import exports
    from ddblite.transfer.s3 import LocalBucket, join

    output_format = FORMAT_NAMES[args.format]
    started = time.monotonic()
    with _side(args) as side:
        described = side.client.describe_table(TableName=args.table)["Table"]
        now = side.db.clock.now() if side.db is not None else time.time()
        export_id = new_job_id(now)
        root = exports.export_root("", export_id)
        bucket = LocalBucket(Path(args.directory))
        summary = {
            "version": "2020-06-30",
            "exportArn": f"{described['TableArn']}/export/{export_id}",
            "startTime": iso(now), "endTime": iso(now), "exportTime": iso(now),
            "tableArn": described["TableArn"], "tableId": described.get("TableId"),
            "s3Bucket": f"file://{Path(args.directory).resolve()}", "s3Prefix": None,
            "s3SseAlgorithm": "AES256", "s3SseKmsKeyId": None,
        }
        with _bar(args, described.get("ItemCount"), f"export {args.table}") as bar:
            def progress(count: int) -> None:
                bar.update(count - bar.n)

            if side.db is not None:
                db = side.db

                def write(txn):
                    table = db.catalog.get(txn, args.region, args.table)
                    lines = exports.item_lines(table_items(txn, table), output_format)
                    return exports.write(bucket, root, lines, output_format, summary, progress)

                done = db.storage.read(write)  # one snapshot of the table
            else:
                lines = exports.item_lines(_scanned(side, args.table), output_format)
                done = exports.write(bucket, root, lines, output_format, summary, progress)
        bucket.put(join(root, TABLE_FILE), json.dumps(creation_params(described),
                                                      default=str).encode())
    seconds = time.monotonic() - started
    print(f"exported {done['itemCount']} items from {args.table} to "
          f"{Path(args.directory) / root} in {seconds:.1f} s "
          f"({done['itemCount'] / max(seconds, 1e-9):,.0f} items/s)")
    return 0


def _scanned(side: Side, name: str, segments: int = 4):
    """(item, size) of every item, read with parallel Scan segments (an endpoint has no
    snapshot to share, so items written meanwhile may or may not be in the export)."""
    import queue
    import threading

    from ddblite.native import item_size
    from ddblite.transfer.copy import Backoff, TableReport, _scan

    pages: queue.Queue = queue.Queue(maxsize=segments * 4)
    report, backoff = TableReport(name), Backoff()

    def read(segment: int) -> None:
        try:
            start = None
            while True:
                params = {"TableName": name, "Segment": segment, "TotalSegments": segments}
                if start:
                    params["ExclusiveStartKey"] = start
                page = _scan(side.client, params, backoff, report)
                pages.put(page["Items"])
                start = page.get("LastEvaluatedKey")
                if not start:
                    break
        except Exception as exc:  # noqa: BLE001 - handed to the consumer to raise
            pages.put(exc)
        pages.put(None)

    threads = [threading.Thread(target=read, args=(s,), daemon=True) for s in range(segments)]
    for thread in threads:
        thread.start()
    running = segments
    while running:
        page = pages.get()
        if page is None:
            running -= 1
        elif isinstance(page, Exception):
            raise page
        else:
            for item in page:
                yield item, item_size(item)


# ------------------------------------------------------------------ import


def _format_of(keys: list[str]) -> str:
    for key in keys:
        name = key.removesuffix(".gz")
        if name.endswith(".ion"):
            return "ION"
        if name.endswith(".csv"):
            return "CSV"
    return "DYNAMODB_JSON"


def _key_element(text: str, key_type: str) -> tuple[dict, dict]:
    name, _, kind = text.rpartition(":")
    if not name or kind not in ("S", "N", "B"):
        raise ValueError(f"expected NAME:TYPE with TYPE S, N or B, not {text!r}")
    return ({"AttributeName": name, "KeyType": key_type},
            {"AttributeName": name, "AttributeType": kind})


def _creation(args: argparse.Namespace, directory: Path) -> dict:
    if args.key:
        schema, definitions = zip(*[_key_element(args.key, "HASH")]
                                  + ([_key_element(args.sort, "RANGE")] if args.sort else []),
                                  strict=True)
        return {"KeySchema": list(schema), "AttributeDefinitions": list(definitions),
                "BillingMode": "PAY_PER_REQUEST"}
    found = sorted(directory.rglob(TABLE_FILE))
    if not found:
        raise ValueError(f"table {args.table} does not exist: give --key (and --sort) to "
                         f"create it, or import an export made by `ddblite export`")
    return json.loads(found[-1].read_text())


def _import(args: argparse.Namespace) -> int:
    from ddblite.ops.imports import load_items
    from ddblite.transfer import imports
    from ddblite.transfer.s3 import LocalBucket

    directory = Path(args.directory)
    bucket = LocalBucket(directory)
    keys = imports.data_keys(bucket, "")
    keys = [key for key in keys if not key.endswith(TABLE_FILE)]
    if not keys:
        raise ValueError(f"no data files under {directory}")
    input_format = _format_of(keys) if args.format == "auto" else FORMAT_NAMES[args.format]
    started = time.monotonic()
    with _side(args) as side:
        if args.table not in side.table_names():
            params = dict(_creation(args, directory), TableName=args.table)
            side.client.create_table(**params)
            side.wait_active(args.table)
        described = side.client.describe_table(TableName=args.table)["Table"]
        key_types = {d["AttributeName"]: d["AttributeType"]
                     for d in described["AttributeDefinitions"]}
        records = imports.read(bucket, keys, input_format, None,
                               {"Delimiter": args.delimiter}, key_types)
        with _bar(args, None, f"import {args.table}") as bar:
            def progress(count: int) -> None:
                bar.update(count - bar.n)

            if side.db is not None:
                result = load_items(side.db, args.table, args.region, records, progress)
                imported, errors = result.imported, result.errors
            else:
                imported, errors = _import_remote(side, args.table, records, progress)
    seconds = time.monotonic() - started
    print(f"imported {imported} items into {args.table} ({errors} rejected) in {seconds:.1f} s "
          f"({imported / max(seconds, 1e-9):,.0f} items/s)")
    return 0


def _import_remote(side: Side, table: str, records, progress) -> tuple[int, int]:
    from ddblite.transfer.copy import Backoff, TableReport, write_batch

    imported = errors = seen = 0
    batch: list[dict] = []
    report = TableReport(table)
    backoff = Backoff()

    def flush() -> None:
        nonlocal imported, errors
        try:
            write_batch(side.client, table, batch, backoff, report)
            imported += len(batch)
        except Exception:  # noqa: BLE001 - one bad item refuses a batch: find it alone
            for item in batch:
                try:
                    side.client.put_item(TableName=table, Item=item)
                    imported += 1
                except Exception:  # noqa: BLE001
                    errors += 1
        batch.clear()
        progress(seen)

    for record in records:
        seen += 1
        if isinstance(record, Exception):
            errors += 1
            continue
        batch.append(record)
        if len(batch) == 25:
            flush()
    if batch:
        flush()
    return imported, errors


# ------------------------------------------------------------------ copy


def _copy(args: argparse.Namespace) -> int:
    from ddblite.transfer.copy import Checkpoint, copy_table

    if not is_endpoint(args.source) and not Path(args.source).exists():
        raise ValueError(f"{args.source} is neither an endpoint URL nor a data directory")
    checkpoint = Checkpoint(args.checkpoint)
    total = failed = 0
    started = time.monotonic()
    with Side(args.source, args.region) as source, \
            Side(args.destination, args.region, pool=max(32, args.segments * 2)) as destination:
        names = ([args.table] if args.table else
                 [n.strip() for n in args.tables.split(",") if n.strip()] if args.tables
                 else source.table_names())
        for name in names:
            expected = source.client.describe_table(TableName=name)["Table"].get("ItemCount")
            with _bar(args, expected, f"copy {name}") as bar:
                report = copy_table(source, destination, name, segments=args.segments,
                                    checkpoint=checkpoint, progress=bar.update,
                                    sample=args.sample, verify=not args.no_verify)
            total += report.copied
            if args.no_verify:
                state = "not verified"
            elif report.verified:
                state = (f"verified: {report.destination_count} items, "
                         f"{report.sampled} sampled equal")
            else:
                failed += 1
                state = (f"MISMATCH: source {report.source_count}, destination "
                         f"{report.destination_count}, {len(report.mismatched)} sampled differ")
            print(f"  {name}: {report.copied} items in {report.seconds:.1f} s, "
                  f"{report.retries} retries, {state}", file=sys.stderr)
    seconds = time.monotonic() - started
    print(f"copied {total} items in {len(names)} tables from {args.source} to "
          f"{args.destination} in {seconds:.1f} s ({total / max(seconds, 1e-9):,.0f} items/s)"
          + (f"; {failed} tables failed verification" if failed else ""))
    return 1 if failed else 0
