"""Data mobility in one run: export and import items/s, and `ddblite copy` items/s
between two local servers next to the raw write rate of the destination.

1. An LMDB store (lazy durability) with N ~1 KB items: ExportTableToPointInTime to a
   file:// bucket (DynamoDB JSON, then Ion), then ImportTable of the JSON export.
2. Two `ddblite serve` processes (LMDB, lazy): the raw write rate is N items written to
   the destination with parallel BatchWriteItem (as many threads as copy segments); the
   copy rate is copy_table (parallel Scan segments + BatchWriteItem, verification off,
   then the verification pass timed on its own).
Run: python benchmarks/bench_mobility.py [--n 100000] [--segments 4]
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import ddblite
from benchmarks.bench_items import create_bench_table, make_item
from ddblite.transfer.copy import Backoff, TableReport, copy_table, count_items, write_batch
from ddblite.transfer.sides import Side, endpoint_client


def _fill(client, name: str, n: int, threads: int) -> float:
    """Write n items with parallel BatchWriteItem; returns items/s."""
    chunks = [[make_item(i) for i in range(start, min(start + 25, n))]
              for start in range(0, n, 25)]
    report = TableReport(name)
    backoff = Backoff()
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(lambda chunk: write_batch(client, name, chunk, backoff, report), chunks))
    return n / (time.perf_counter() - started)


def local_export_import(n: int) -> dict[str, float]:
    path = tempfile.mkdtemp(prefix="bench-mobility-")
    bucket = tempfile.mkdtemp(prefix="bench-mobility-s3-")
    try:
        with ddblite.connect(path, durability="lazy") as db:
            client = db.client()
            create_bench_table(client)
            _fill(client, "bench", n, 1)
            client.update_continuous_backups(
                TableName="bench",
                PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
            arn = client.describe_table(TableName="bench")["Table"]["TableArn"]
            rates = {}
            exported = {}
            for output_format in ("DYNAMODB_JSON", "ION"):
                started = time.perf_counter()
                answer = client.export_table_to_point_in_time(
                    TableArn=arn, S3Bucket=f"file://{bucket}", S3Prefix=output_format,
                    ExportFormat=output_format)["ExportDescription"]
                rates[f"export {output_format} items/s"] = n / (time.perf_counter() - started)
                exported[output_format] = answer["ExportArn"].rpartition("/export/")[2]
            for output_format in ("DYNAMODB_JSON", "ION"):
                started = time.perf_counter()
                done = client.import_table(
                    S3BucketSource={
                        "S3Bucket": f"file://{bucket}",
                        "S3KeyPrefix": f"{output_format}/AWSDynamoDB/{exported[output_format]}/",
                    },
                    InputFormat=output_format, InputCompressionType="GZIP",
                    TableCreationParameters={
                        "TableName": f"imported-{output_format.lower()}",
                        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                        "BillingMode": "PAY_PER_REQUEST",
                    })["ImportTableDescription"]
                seconds = time.perf_counter() - started
                described = client.describe_import(ImportArn=done["ImportArn"])
                assert described["ImportTableDescription"]["ImportedItemCount"] == n
                rates[f"import {output_format} items/s"] = n / seconds
            return rates
    finally:
        shutil.rmtree(path, ignore_errors=True)
        shutil.rmtree(bucket, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def _serve(path: str):
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "ddblite", "serve", "--path", path, "--durability", "lazy",
         "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/")
                connection.getresponse()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("ddblite serve did not start") from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def copy_between_servers(n: int, segments: int) -> dict[str, float]:
    top = tempfile.mkdtemp(prefix="bench-copy-")
    try:
        with _serve(os.path.join(top, "src")) as source_url, \
                _serve(os.path.join(top, "dst")) as destination_url:
            source_client = endpoint_client(source_url)
            create_bench_table(source_client)
            _fill(source_client, "bench", n, segments)
            destination_client = endpoint_client(destination_url)
            create_bench_table(destination_client, "raw")
            raw = _fill(destination_client, "raw", n, segments)
            with Side(source_url) as source, Side(destination_url) as destination:
                started = time.perf_counter()
                report = copy_table(source, destination, "bench", segments=segments,
                                    verify=False)
                copy_rate = report.copied / (time.perf_counter() - started)
                started = time.perf_counter()
                counted = count_items(destination, "bench", segments, Backoff(), report)
                verify_seconds = time.perf_counter() - started
            assert counted == n, counted
            return {"raw BatchWriteItem to destination items/s": raw,
                    "ddblite copy items/s": copy_rate,
                    "copy / raw write rate": copy_rate / raw,
                    "verification count pass s": verify_seconds}
    finally:
        shutil.rmtree(top, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--segments", type=int, default=4)
    args = parser.parse_args()
    print(f"{args.n} items of ~1 KB")
    for name, value in {**local_export_import(args.n),
                        **copy_between_servers(args.n, args.segments)}.items():
        print(f"  {name:45s} {value:12,.2f}")


if __name__ == "__main__":
    main()
