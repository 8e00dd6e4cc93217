"""Paged range reads: the one path Query and Scan share.

A page stops after `limit` items were read (before any filter) or once 1 MB of
item data was read, whichever comes first; the item that crosses 1 MB is still
part of the page. When a page stops early, `last` is the last item read: its
key becomes the LastEvaluatedKey.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ddblite.engine.items import record_size, unpack_record
from ddblite.storage import ReadTxn

MAX_PAGE_BYTES = 1024 * 1024


@dataclass
class Page:
    items: list[dict] = field(default_factory=list)  # read items that passed the filter
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
) -> Page:
    """Read items with lo <= key < hi, resuming after the storage key `after`."""
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
    scanned = 0
    read_bytes = 0
    item = None
    for _, raw in txn.range(space, lo, hi, reverse):
        item = unpack_record(raw)
        scanned += 1
        read_bytes += record_size(raw)
        if keep is None or keep(item):
            items.append(item)
        if (limit is not None and scanned >= limit) or read_bytes >= MAX_PAGE_BYTES:
            page.last = item
            break
    page.scanned = scanned
    page.read_bytes = read_bytes
    return page
