"""Paged range reads: the one path Query and Scan share.

A page stops after `limit` items were read (before any filter) or once 1 MB of
item data was read, whichever comes first; the item that crosses 1 MB is still
part of the page. When a page stops early, `last` is the last item read: its
key becomes the LastEvaluatedKey.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass, field

import msgpack

from ddblite.engine.items import unpack_record
from ddblite.storage import ReadTxn

MAX_PAGE_BYTES = 1024 * 1024
_SIZE_FROM = struct.Struct(">I").unpack_from  # a record starts with the item's 4-byte size
_unpackb = msgpack.unpackb


@dataclass
class Page:
    # Read items that passed the filter (None placeholders when not decoded).
    items: list = field(default_factory=list)
    scanned: int = 0  # items read (ScannedCount)
    read_bytes: int = 0  # total size of the items read (for capacity)
    last: dict | None = None  # last item read when the page stopped early


def read_range(
    txn: ReadTxn,
    lo: bytes,
    hi: bytes | None,
    *,
    reverse: bool = False,
    after: bytes | None = None,
    limit: int | None = None,
    keep: Callable[[dict], bool] | None = None,
    space: str = "items",
    decode: bool = True,
) -> Page:
    """Read items with lo <= key < hi, resuming after the storage key `after`.

    With decode=False and no filter (Select COUNT) items are counted, not unpacked:
    only the last one is, for its key.
    """
    if after is not None:
        if reverse:
            hi = after if hi is None or after < hi else hi
        else:
            successor = after + b"\x00"  # the smallest key greater than `after`
            lo = successor if successor > lo else lo
    page = Page()
    if hi is not None and lo >= hi:
        return page
    items = page.items
    append = items.append
    size_of = _SIZE_FROM
    unpack = _unpackb
    remaining = limit if limit is not None else -1  # counts down to 0; -1 never reaches it
    read_bytes = 0
    scanned = 0
    raw = None
    stopped = False
    for _, raw in txn.range(space, lo, hi, reverse):
        scanned += 1
        read_bytes += size_of(raw)[0]
        if decode or keep is not None:
            item = unpack(memoryview(raw)[4:])
            if keep is None or keep(item):
                append(item)
        else:
            append(None)
        remaining -= 1
        if remaining == 0 or read_bytes >= MAX_PAGE_BYTES:
            stopped = True
            break
    if stopped:
        page.last = unpack_record(raw)  # type: ignore[arg-type]
    page.scanned = scanned
    page.read_bytes = read_bytes
    return page
