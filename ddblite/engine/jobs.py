"""Records of exports and imports (DescribeExport, ListImports...) in the "meta" space.

  b"x:" export-id   msgpack export record
  b"i:" import-id   msgpack import record

Ids start with the creation time in milliseconds, so key order is creation order.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgpack

from ddblite.storage import ReadTxn, WriteTxn
from ddblite.storage.interface import prefix_end

KINDS = {"export": b"x:", "import": b"i:"}


def save(txn: WriteTxn, kind: str, job_id: str, record: dict[str, Any]) -> None:
    txn.put("meta", KINDS[kind] + job_id.encode(), msgpack.packb(record))


def get(txn: ReadTxn, kind: str, job_id: str) -> dict[str, Any] | None:
    raw = txn.get("meta", KINDS[kind] + job_id.encode())
    return None if raw is None else msgpack.unpackb(raw)


def every(txn: ReadTxn, kind: str) -> Iterator[dict[str, Any]]:
    prefix = KINDS[kind]
    for _, raw in txn.range("meta", prefix, prefix_end(prefix)):
        yield msgpack.unpackb(raw)
