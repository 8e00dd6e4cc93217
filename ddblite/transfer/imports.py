"""Reading ImportTable's input: DynamoDB JSON, Ion or CSV files (gzip'd or not) under a
bucket prefix, as items in the low-level shape. A line that cannot be parsed is counted
as an error and skipped, as DynamoDB does (it logs such lines to CloudWatch)."""

from __future__ import annotations

import base64
import csv
import gzip
import io
from collections.abc import Iterator
from typing import Any

import orjson

from ddblite.transfer import dynamodb_json, ion

# Files an export writes beside its data: never items.
_NOT_DATA = ("manifest-files.json", "manifest-summary.json", "_started", "ddblite-table.json")


def data_keys(bucket: Any, prefix: str) -> list[str]:
    """The data files under prefix. An export's own directory is read through its manifest."""
    keys = bucket.keys(prefix)
    manifests = [key for key in keys if key.endswith("/manifest-files.json")
                 or key == "manifest-files.json"]
    if manifests:
        found = []
        for manifest in manifests:
            for line in bucket.get(manifest).splitlines():
                if line.strip():
                    found.append(orjson.loads(line)["dataFileS3Key"])
        return found
    return [key for key in keys
            if not key.endswith(".md5") and key.rsplit("/", 1)[-1] not in _NOT_DATA]


def _text(data: bytes, compression: str) -> bytes:
    if compression == "GZIP" or (compression is None and data[:2] == b"\x1f\x8b"):
        return gzip.decompress(data)
    if compression == "ZSTD":
        raise ValueError("ZSTD input is not supported by ddblite yet")
    return data


def read(bucket: Any, keys: list[str], input_format: str, compression: str | None,
         csv_options: dict | None, key_types: dict[str, str]) -> Iterator[dict | Exception]:
    """Items (or the error that made a record unreadable), file after file."""
    for key in keys:
        data = _text(bucket.get(key), compression)
        if input_format == "DYNAMODB_JSON":
            for line in data.splitlines():
                if not line.strip():
                    continue
                try:
                    yield dynamodb_json.load_line(line)
                except ValueError as exc:
                    yield exc
        elif input_format == "ION":
            try:
                yield from ion.load_items(data.decode())
            except ValueError as exc:
                yield exc
        else:
            yield from _csv_items(data.decode(), csv_options or {}, key_types)


def _csv_items(text: str, options: dict, key_types: dict[str, str]) -> Iterator[dict]:
    """CSV rows: key attributes take their declared types, every other column is a string;
    empty cells are left out (an item has no empty-valued attributes from a CSV)."""
    delimiter = options.get("Delimiter") or ","
    rows = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = options.get("HeaderList") or next(rows, None)
    if header is None:
        return
    for row in rows:
        if not row:
            continue
        item: dict[str, Any] = {}
        for name, cell in zip(header, row, strict=False):
            if cell == "":
                continue
            kind = key_types.get(name, "S")
            item[name] = {kind: base64.b64decode(cell) if kind == "B" else cell}
        yield item
