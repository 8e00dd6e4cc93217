"""Stream records in the "stream" space: written by items.put/delete in the item's own
write transaction, read by the DynamoDB Streams operations.

Layout in "stream" (keys never start with a table prefix, so DeleteTable leaves them):
  b"n"                              last stream id handed out (4 bytes)
  b"m" sid                          msgpack stream descriptor (table, label, view type...)
  b"h" sid part                     the partition's newest shard generation (4 bytes)
  b"s" sid part gen                 msgpack shard: [first sequence number, created,
                                    parent [gen, created] or None]
  b"t" sid part                     highest trimmed sequence number of the partition (8 bytes)
  b"r" sid part seq                 msgpack record: [event, time, keys, new, old, by service]
                                    (images in items.pack_record's form, or None)

Sequence numbers are the storage's serials (WriteTxn.next_serial): they grow with
every commit, across processes, without a counter read and written by each write.

A stream splits its table's key-hash space into `parts` ranges (DynamoDB's partitions):
one key always lands in one partition, so its records stay in order. Each partition's
records form a line of shards; a write more than ROLL_SECONDS after its shard opened
starts a child shard (the old one closes), as DynamoDB rolls shards about every 4 hours.
Shard g of a partition holds the records from its first sequence number up to the next
shard's first.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Any

import msgpack

from ddblite.native import attribute_value_size
from ddblite.storage.interface import prefix_end

if TYPE_CHECKING:
    from ddblite.engine.catalog import TableInfo
    from ddblite.storage import ReadTxn, WriteTxn

ROLL_SECONDS = 4 * 3600
RETENTION_SECONDS = 24 * 3600
DEFAULT_PARTS = 2
# Sequence numbers are shown as 21 decimal digits (DynamoDB's are 21 or more): an
# offset keeps them all one width, so text order is number order.
SEQUENCE_OFFSET = 10**20

INSERT, MODIFY, REMOVE = 0, 1, 2
EVENT_NAMES = ("INSERT", "MODIFY", "REMOVE")

_U64 = struct.Struct(">Q")
_U32 = struct.Struct(">I")
_U16 = struct.Struct(">H")
_SIZE = struct.Struct(">I")  # items.pack_record's size prefix
_RECORD_KEY = struct.Struct(">cIHQ")
_STREAM_ID_KEY = b"n"
_packb = msgpack.packb
# One reused Packer (packb builds a new one per call). Safe because appends happen
# inside write transactions, which the backends run one at a time per process.
_pack_record = msgpack.Packer().pack
_unpackb = msgpack.unpackb


def show_sequence(seq: int) -> str:
    return str(SEQUENCE_OFFSET + seq)


def parse_sequence(text: str) -> int | None:
    if not text.isdigit() or len(text) > 40:
        return None
    return int(text) - SEQUENCE_OFFSET


def sid_bytes(sid: int) -> bytes:
    return _U32.pack(sid)


def _part_key(tag: bytes, sid: int, part: int) -> bytes:
    return tag + _U32.pack(sid) + _U16.pack(part)


def shard_key(sid: int, part: int, gen: int) -> bytes:
    return _part_key(b"s", sid, part) + _U32.pack(gen)


def record_key(sid: int, part: int, seq: int) -> bytes:
    return _RECORD_KEY.pack(b"r", sid, part, seq)


def partition_of(storage_key: bytes, parts: int) -> int:
    # Bytes 4..8 of an item key are its partition-key hash (after the table id).
    return (_U32.unpack_from(storage_key, 4)[0] * parts) >> 32


# ------------------------------------------------------------------ streams


def _next_counter(txn: WriteTxn, key: bytes, fmt: struct.Struct) -> int:
    raw = txn.get("stream", key)
    value = (fmt.unpack(raw)[0] if raw is not None else 0) + 1
    txn.put("stream", key, fmt.pack(value))
    return value


def last_sequence(txn: ReadTxn) -> int:
    """Below every sequence number a record committed after this snapshot gets."""
    return txn.serial_floor() - 1


def create_stream(txn: WriteTxn, record: dict, label: str, view: str, now: float,
                  parts: int = DEFAULT_PARTS) -> int:
    """Register a new stream of a table (its catalog record) and open its first shards."""
    sid = _next_counter(txn, _STREAM_ID_KEY, _U32)
    descriptor = {
        "id": sid,
        "region": record["region"],
        "table": record["name"],
        "label": label,
        "view": view,
        "created": now,
        "disabled": None,
        "key_schema": record["key_schema"],
        "parts": parts,
    }
    txn.put("stream", b"m" + sid_bytes(sid), _packb(descriptor))
    first = last_sequence(txn) + 1
    for part in range(parts):
        _open_shard(txn, sid, part, 0, first, now, None)
    return sid


def disable_stream(txn: WriteTxn, sid: int, now: float) -> None:
    """Close every shard of a stream; it stays readable for RETENTION_SECONDS."""
    descriptor = get_stream(txn, sid)
    if descriptor is not None and descriptor["disabled"] is None:
        descriptor["disabled"] = now
        txn.put("stream", b"m" + sid_bytes(sid), _packb(descriptor))


def get_stream(txn: ReadTxn, sid: int) -> dict | None:
    raw = txn.get("stream", b"m" + sid_bytes(sid))
    return _unpackb(raw) if raw is not None else None


def all_streams(txn: ReadTxn) -> list[dict]:
    return [_unpackb(raw) for _, raw in txn.range("stream", b"m", b"n")]


def _open_shard(txn: WriteTxn, sid: int, part: int, gen: int, first: int, now: float,
                parent: list | None) -> None:
    # The parent's creation time is kept too: its id outlives its trimming.
    txn.put("stream", shard_key(sid, part, gen), _packb([first, now, parent]))
    txn.put("stream", _part_key(b"h", sid, part), _U32.pack(gen))


def shards(txn: ReadTxn, sid: int) -> list[tuple[int, int, list]]:
    """Every shard of a stream as (part, gen, [first seq, created, parent])."""
    start = b"s" + sid_bytes(sid)
    found = []
    for key, raw in txn.range("stream", start, prefix_end(start)):
        part, gen = _U16.unpack_from(key, 5)[0], _U32.unpack_from(key, 7)[0]
        found.append((part, gen, _unpackb(raw)))
    return found


def get_shard(txn: ReadTxn, sid: int, part: int, gen: int) -> list | None:
    raw = txn.get("stream", shard_key(sid, part, gen))
    return _unpackb(raw) if raw is not None else None


def next_shard_start(txn: ReadTxn, sid: int, part: int, gen: int) -> int | None:
    """First sequence number of the shard after (part, gen), or None while it is the newest."""
    start = shard_key(sid, part, gen + 1)
    for _, raw in txn.range("stream", start, prefix_end(_part_key(b"s", sid, part))):
        return _unpackb(raw)[0]
    return None


def trimmed_through(txn: ReadTxn, sid: int, part: int) -> int:
    raw = txn.get("stream", _part_key(b"t", sid, part))
    return _U64.unpack(raw)[0] if raw is not None else 0


def records(txn: ReadTxn, sid: int, part: int, first: int, end: int | None):
    """(seq, record) pairs of a partition from sequence number `first` up to `end` (excl.)."""
    stop = record_key(sid, part, end) if end is not None else prefix_end(
        _part_key(b"r", sid, part))
    for key, raw in txn.range("stream", record_key(sid, part, first), stop):
        yield _U64.unpack_from(key, 7)[0], _unpackb(raw)


def last_record_before(txn: ReadTxn, sid: int, part: int, end: int | None) -> int | None:
    stop = record_key(sid, part, end) if end is not None else prefix_end(
        _part_key(b"r", sid, part))
    for key, _ in txn.range("stream", _part_key(b"r", sid, part), stop, reverse=True):
        return _U64.unpack_from(key, 7)[0]
    return None


# ------------------------------------------------------------------ the write path


def append(txn: WriteTxn, table: TableInfo, key: bytes, old: dict | None, old_raw: bytes | None,
           old_size: int, new: dict | None, new_raw: bytes | None, new_size: int, now: float,
           service: bool = False) -> None:
    """One record for an item that moved from old to new (called by items.put/delete).

    old_raw/new_raw: the stored forms (items.pack_record) of the images when the caller
    has them, so they are copied into the record, not packed again. This is the hot path
    of every write to a table with a stream: sizes are worked out when records are read.
    """
    sid, keep_new, keep_old, parts, opened = table.stream  # type: ignore[misc]
    if new is None:
        event, image, new_raw = REMOVE, old, None
    else:
        event, image = (INSERT if old is None else MODIFY), new
        if not keep_new:
            new_raw = None
        elif new_raw is None:
            new_raw = _SIZE.pack(new_size) + _packb(new)
    if old is None or not keep_old:
        old_raw = None
    elif old_raw is None:
        old_raw = _SIZE.pack(old_size) + _packb(old)
    # Keys are stored only when no image carries them (read back by record_keys).
    keys = None if (new_raw if new is not None else old_raw) is not None else {
        name: image[name] for name in table.key_names}  # type: ignore[index]
    seq = txn.next_serial()
    part = (_U32.unpack_from(key, 4)[0] * parts) >> 32  # partition_of, inlined
    if now - opened >= ROLL_SECONDS:
        _roll_shard(txn, table, sid, part, seq, now, opened)
    txn.put("stream", _RECORD_KEY.pack(b"r", sid, part, seq),
            _pack_record([event, now, keys, new_raw, old_raw, service]))


def _roll_shard(txn: WriteTxn, table: TableInfo, sid: int, part: int, seq: int, now: float,
                opened: float) -> None:
    """Open a child shard when the partition's open one is due to roll over."""
    due = int((now - opened) // ROLL_SECONDS)
    heads = table.stream_heads
    if heads.get(part, -1) >= due:  # heads only grow: a generation seen is never stale
        return
    raw = txn.get("stream", _part_key(b"h", sid, part))
    head = _U32.unpack(raw)[0] if raw is not None else 0
    # `due <= head`: a clock behind another process's never reopens an old generation.
    if due > head:
        # Not remembered: this transaction may still roll back.
        parent = get_shard(txn, sid, part, head)
        _open_shard(txn, sid, part, due, seq, now,
                    [head, parent[1]] if parent is not None else None)
    else:
        heads[part] = head


def _keys_size(keys: dict) -> int:
    size = 0
    for name, value in keys.items():
        size += len(name) if name.isascii() else len(name.encode())
        for tag, inner in value.items():
            if tag == "S":
                size += len(inner) if inner.isascii() else len(inner.encode())
            elif tag == "B":
                size += len(inner)
            else:
                size += attribute_value_size(value)
    return size


# ------------------------------------------------------------------ retention


def trim(txn: WriteTxn, now: float) -> int:
    """Delete records older than the retention period and streams disabled longer ago;
    returns how many records went."""
    horizon = now - RETENTION_SECONDS
    removed = 0
    for descriptor in all_streams(txn):
        sid = descriptor["id"]
        for part in range(descriptor["parts"]):
            doomed = []
            for seq, record in records(txn, sid, part, 0, None):
                if record[1] >= horizon:
                    break
                doomed.append(seq)
            for seq in doomed:
                txn.delete("stream", record_key(sid, part, seq))
            if doomed:
                txn.put("stream", _part_key(b"t", sid, part), _U64.pack(doomed[-1]))
                removed += len(doomed)
        _trim_shards(txn, sid, horizon)
        if descriptor["disabled"] is not None and descriptor["disabled"] < horizon:
            _drop_stream(txn, sid)
    return removed


def _trim_shards(txn: WriteTxn, sid: int, horizon: float) -> None:
    """Forget closed shards whose successor opened before the horizon: every record
    they held was written before that, so all of it is past retention."""
    listed = shards(txn, sid)
    for (part, gen, _), following in zip(listed, listed[1:], strict=False):
        if following[0] == part and following[2][1] < horizon:
            txn.delete("stream", shard_key(sid, part, gen))


def _drop_stream(txn: WriteTxn, sid: int) -> None:
    for tag in (b"h", b"s", b"t", b"r"):
        start = tag + sid_bytes(sid)
        for key in [key for key, _ in txn.range("stream", start, prefix_end(start))]:
            txn.delete("stream", key)
    txn.delete("stream", b"m" + sid_bytes(sid))


def record_images(record: list, key_schema: list[dict]) -> tuple[dict, dict | None, dict | None]:
    """(Keys, NewImage, OldImage) of a stored record; keys come from an image when the
    record stored none of its own."""
    new = _unpackb(memoryview(record[3])[4:]) if record[3] is not None else None
    old = _unpackb(memoryview(record[4])[4:]) if record[4] is not None else None
    keys = record[2]
    if keys is None:
        image = new if record[0] != REMOVE else old
        keys = {e["AttributeName"]: image[e["AttributeName"]] for e in key_schema}  # type: ignore[index]
    return keys, new, old


def record_size(record: list, keys: dict) -> int:
    """SizeBytes: the record's keys and the images it carries."""
    size = _keys_size(keys)
    for raw in (record[3], record[4]):
        if raw is not None:
            size += _SIZE.unpack_from(raw)[0]
    return size


def describe_record(descriptor: dict, region: str, seq: int, record: list) -> dict[str, Any]:
    """A stored record in the GetRecords shape."""
    from datetime import UTC, datetime

    event, created, _, _, _, service = record
    keys, new, old = record_images(record, descriptor["key_schema"])
    size = record_size(record, keys)
    body: dict[str, Any] = {
        "ApproximateCreationDateTime": datetime.fromtimestamp(int(created), UTC),
        "Keys": keys,
    }
    if new is not None:
        body["NewImage"] = new
    if old is not None:
        body["OldImage"] = old
    body["SequenceNumber"] = show_sequence(seq)
    body["SizeBytes"] = size
    body["StreamViewType"] = descriptor["view"]
    shown: dict[str, Any] = {
        "eventID": f"{descriptor['id']:08x}{seq:024x}",
        "eventName": EVENT_NAMES[event],
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": body,
    }
    if service:
        # The Streams API's Identity shape; Lambda events spell it type/principalId.
        shown["userIdentity"] = {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}
    return shown
