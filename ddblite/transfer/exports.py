"""The layout of DynamoDB's export to S3, written to a bucket (transfer.s3):

  PREFIX/AWSDynamoDB/EXPORT-ID/_started
  PREFIX/AWSDynamoDB/EXPORT-ID/data/<random>.json.gz   (or .ion.gz) item lines, gzip'd
  PREFIX/AWSDynamoDB/EXPORT-ID/manifest-files.json     one JSON line per data file
  PREFIX/AWSDynamoDB/EXPORT-ID/manifest-files.md5
  PREFIX/AWSDynamoDB/EXPORT-ID/manifest-summary.json   the export's summary
  PREFIX/AWSDynamoDB/EXPORT-ID/manifest-summary.md5
"""

from __future__ import annotations

import gzip
import hashlib
import os
from collections.abc import Callable, Iterable
from typing import Any

import orjson

from ddblite.transfer import dynamodb_json, ion
from ddblite.transfer.s3 import join

FORMATS: dict[str, tuple[Callable[[dict], bytes], str]] = {
    "DYNAMODB_JSON": (dynamodb_json.dump_line, "json"),
    "ION": (ion.dump_line, "ion"),
}
ITEMS_PER_FILE = 100_000
# Fast gzip: exports are read back by machines; size matters less than time.
GZIP_LEVEL = 3


def export_root(prefix: str | None, export_id: str) -> str:
    return join(prefix or "", "AWSDynamoDB", export_id)


def item_lines(items: Iterable[tuple[dict, int]], output_format: str
               ) -> Iterable[tuple[bytes, int]]:
    """(line, size) of a full export: one `{"Item": ...}` per item."""
    dump = FORMATS[output_format][0]
    for item, size in items:
        yield dump(item), size


def change_line(output_format: str, micros: int, keys: dict, old: dict | None,
                new: dict | None) -> bytes:
    """One line of an incremental export: the change's time, keys and images."""
    if output_format == "ION":
        return ion.dump_change(micros, keys, old, new)
    document: dict[str, Any] = {"Metadata": {"WriteTimestampMicros": {"N": str(micros)}},
                                "Keys": keys}
    if old is not None:
        document["OldImage"] = old
    if new is not None:
        document["NewImage"] = new
    return dynamodb_json.dump_document(document)


def write(bucket: Any, root: str, lines: Iterable[tuple[bytes, int]], output_format: str,
          summary: dict[str, Any], progress: Callable[[int], None] | None = None) -> dict:
    """Write every (line, billed size) as an export under root; returns the summary."""
    extension = FORMATS[output_format][1]
    bucket.put(join(root, "_started"), b"")
    manifest_lines: list[bytes] = []
    count = billed = 0
    buffer: list[bytes] = []

    def flush() -> None:
        if not buffer:
            return
        file_items = len(buffer)
        if output_format == "ION":
            buffer.insert(0, (ion.VERSION_MARKER + "\n").encode())
        data = gzip.compress(b"".join(buffer), compresslevel=GZIP_LEVEL)
        key = join(root, "data", f"{os.urandom(13).hex()}.{extension}.gz")
        bucket.put(key, data)
        md5 = hashlib.md5(data).hexdigest()
        manifest_lines.append(orjson.dumps({
            "itemCount": file_items, "md5Checksum": md5, "etag": md5, "dataFileS3Key": key,
        }) + b"\n")
        buffer.clear()

    for line, size in lines:
        buffer.append(line)
        count += 1
        billed += size
        if len(buffer) >= ITEMS_PER_FILE:
            flush()
            if progress is not None:
                progress(count)
    flush()
    if progress is not None:
        progress(count)
    manifest = b"".join(manifest_lines)
    manifest_key = join(root, "manifest-files.json")
    bucket.put(manifest_key, manifest)
    bucket.put(join(root, "manifest-files.md5"), hashlib.md5(manifest).hexdigest().encode())
    summary = dict(summary, manifestFilesS3Key=manifest_key, billedSizeBytes=billed,
                   itemCount=count, outputFormat=output_format)
    encoded = orjson.dumps(summary)
    bucket.put(join(root, "manifest-summary.json"), encoded)
    bucket.put(join(root, "manifest-summary.md5"), hashlib.md5(encoded).hexdigest().encode())
    return summary
