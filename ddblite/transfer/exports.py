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


def write(bucket: Any, root: str, items: Iterable[tuple[dict, int]], output_format: str,
          summary: dict[str, Any], progress: Callable[[int], None] | None = None) -> dict:
    """Write every (item, size) as an export under root; returns the completed summary."""
    dump, extension = FORMATS[output_format]
    bucket.put(join(root, "_started"), b"")
    manifest_lines: list[bytes] = []
    count = billed = 0
    lines: list[bytes] = []

    def flush() -> None:
        if not lines:
            return
        if output_format == "ION":
            lines.insert(0, (ion.VERSION_MARKER + "\n").encode())
        data = gzip.compress(b"".join(lines), compresslevel=GZIP_LEVEL)
        key = join(root, "data", f"{os.urandom(13).hex()}.{extension}.gz")
        bucket.put(key, data)
        md5 = hashlib.md5(data).hexdigest()
        file_items = len(lines) - (1 if output_format == "ION" else 0)
        manifest_lines.append(orjson.dumps({
            "itemCount": file_items, "md5Checksum": md5, "etag": md5, "dataFileS3Key": key,
        }) + b"\n")
        lines.clear()

    for item, size in items:
        lines.append(dump(item))
        count += 1
        billed += size
        if len(lines) >= ITEMS_PER_FILE:
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
