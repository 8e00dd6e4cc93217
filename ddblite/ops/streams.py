"""The DynamoDB Streams API: ListStreams, DescribeStream, GetShardIterator, GetRecords.

Records are written by the item write path (engine.streamlog); this module only reads
them. Messages marked INFERRED could not be confirmed against DynamoDB's own texts.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import msgpack

from ddblite import constraints
from ddblite.dispatch import operation
from ddblite.engine import streamlog
from ddblite.errors import (
    ExpiredIteratorException,
    ResourceNotFoundException,
    TrimmedDataAccessException,
    ValidationException,
)

if TYPE_CHECKING:
    from ddblite.database import Database

ITERATOR_LIFETIME = 15 * 60
MAX_RECORDS = 1000
MAX_PAGE_BYTES = 1024 * 1024
_ARN = re.compile(r"arn:aws:dynamodb:([^:]+):([^:]*):table/([^/]+)/stream/(.+)")
_SHARD_ID = re.compile(r"shardId-(\d{20})-([0-9a-f]{4})([0-9a-f]{4})")


def stream_arn(db: Database, descriptor: dict) -> str:
    return (f"arn:aws:dynamodb:{descriptor['region']}:{db.account_id}:table/"
            f"{descriptor['table']}/stream/{descriptor['label']}")


def shard_id(part: int, gen: int, created: float) -> str:
    return f"shardId-{int(created * 1000):020d}-{part:04x}{gen:04x}"


def _visible(descriptor: dict, now: float) -> bool:
    disabled = descriptor["disabled"]
    return disabled is None or disabled >= now - streamlog.RETENTION_SECONDS


def _find_stream(db: Database, txn, arn: str) -> dict:
    match = _ARN.fullmatch(arn)
    if match is None:
        raise ValidationException(f"Invalid StreamArn: {arn}")  # INFERRED
    region, _, table, label = match.groups()
    now = db.clock.now()
    for descriptor in streamlog.all_streams(txn):
        if (descriptor["region"], descriptor["table"], descriptor["label"]) == (
                region, table, label) and _visible(descriptor, now):
            return descriptor
    raise ResourceNotFoundException(
        f"Requested resource not found: Stream: {arn} not found")  # INFERRED


def _page(entries: list[dict], key: str, start: str | None,
          limit: int | None) -> tuple[list[dict], str | None]:
    """Entries sorted by `key`: those after `start`, at most `limit` (100), and the key to
    resume from when more follow."""
    if start is not None:
        entries = [e for e in entries if e[key] > start]
    limit = limit or 100
    last = entries[limit - 1][key] if len(entries) > limit else None
    return entries[:limit], last


# ------------------------------------------------------------------ ListStreams


@operation("ListStreams", reads=True)
def list_streams(db: Database, params: dict, region: str) -> dict:
    constraints.check("ListStreams", params)
    table = params.get("TableName")
    start = params.get("ExclusiveStartStreamArn")
    limit = params.get("Limit")
    if start is not None and _ARN.fullmatch(start) is None:
        raise ValidationException(f"Invalid StreamArn: {start}")  # INFERRED
    now = db.clock.now()
    found = db.storage.read(streamlog.all_streams)
    streams = sorted(
        ({"StreamArn": stream_arn(db, d), "TableName": d["table"], "StreamLabel": d["label"]}
         for d in found
         if d["region"] == region and _visible(d, now) and (table is None or d["table"] == table)),
        key=lambda s: s["StreamArn"],
    )
    page, last = _page(streams, "StreamArn", start, limit)
    response: dict[str, Any] = {"Streams": page}
    if last is not None:
        response["LastEvaluatedStreamArn"] = last
    return response


# ------------------------------------------------------------------ DescribeStream


def _shard_views(txn, descriptor: dict) -> list[dict[str, Any]]:
    sid = descriptor["id"]
    listed = streamlog.shards(txn, sid)
    views = []
    for i, (part, gen, (first, created, parent)) in enumerate(listed):
        following = listed[i + 1] if i + 1 < len(listed) else None
        end = following[2][0] if following is not None and following[0] == part else None
        closed = end is not None or descriptor["disabled"] is not None
        numbers: dict[str, str] = {"StartingSequenceNumber": streamlog.show_sequence(first)}
        if closed:
            last = streamlog.last_record_before(txn, sid, part, end)
            numbers["EndingSequenceNumber"] = streamlog.show_sequence(
                last if last is not None and last >= first else first)
        view: dict[str, Any] = {"ShardId": shard_id(part, gen, created)}
        if parent is not None:  # named even once trimmed away, as DynamoDB does
            view["ParentShardId"] = shard_id(part, parent[0], parent[1])
        view["SequenceNumberRange"] = numbers
        views.append(view)
    views.sort(key=lambda v: v["ShardId"])
    return views


@operation("DescribeStream", reads=True)
def describe_stream(db: Database, params: dict, region: str) -> dict:
    constraints.check("DescribeStream", params)
    arn = params["StreamArn"]
    limit = params.get("Limit")
    start = params.get("ExclusiveStartShardId")

    def run(txn):
        descriptor = _find_stream(db, txn, arn)  # type: ignore[arg-type]
        return descriptor, _shard_views(txn, descriptor)

    descriptor, shards = db.storage.read(run)
    page, last = _page(shards, "ShardId", start, limit)
    description: dict[str, Any] = {
        "StreamArn": arn,
        "StreamLabel": descriptor["label"],
        "StreamStatus": "ENABLED" if descriptor["disabled"] is None else "DISABLED",
        "StreamViewType": descriptor["view"],
        "CreationRequestDateTime": datetime.fromtimestamp(descriptor["created"], UTC),
        "TableName": descriptor["table"],
        "KeySchema": descriptor["key_schema"],
        "Shards": page,
    }
    if last is not None:
        description["LastEvaluatedShardId"] = last
    return {"StreamDescription": description}


# ------------------------------------------------------------------ iterators


def _iterator(arn: str, sid: int, part: int, gen: int, position: int, issued: float,
              horizon: bool) -> str:
    token = msgpack.packb([sid, part, gen, position, issued, horizon])
    return f"{arn}|1|{base64.urlsafe_b64encode(token).decode()}"


def _read_iterator(text: str) -> tuple[str, int, int, int, int, float, bool]:
    arn, _, token = text.rpartition("|1|")
    try:
        sid, part, gen, position, issued, horizon = msgpack.unpackb(
            base64.urlsafe_b64decode(token.encode()))
        numbers_ok = all(type(n) is int for n in (sid, part, gen, position))
        if not (arn and numbers_ok and isinstance(issued, float) and isinstance(horizon, bool)):
            raise ValueError(text)
    except (ValueError, TypeError, binascii.Error, msgpack.UnpackException):
        raise ValidationException("Invalid ShardIterator") from None  # INFERRED
    return arn, sid, part, gen, position, issued, horizon


def _find_shard(txn, descriptor: dict, shard: str) -> tuple[int, int, list]:
    match = _SHARD_ID.fullmatch(shard)
    found = None
    if match is not None:
        part, gen = int(match.group(2), 16), int(match.group(3), 16)
        found = streamlog.get_shard(txn, descriptor["id"], part, gen)
        if found is not None and shard_id(part, gen, found[1]) != shard:
            found = None
    if found is None:
        raise ResourceNotFoundException(
            "Requested resource not found: Shard does not exist")  # INFERRED
    return part, gen, found


@operation("GetShardIterator", reads=True)
def get_shard_iterator(db: Database, params: dict, region: str) -> dict:
    constraints.check("GetShardIterator", params)
    arn = params["StreamArn"]
    shard = params["ShardId"]
    kind = params["ShardIteratorType"]
    sequence = params.get("SequenceNumber")
    at_sequence = kind in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER")
    if at_sequence and sequence is None:
        raise ValidationException(
            f"Must specify SequenceNumber for ShardIteratorType {kind}")  # INFERRED
    if not at_sequence and sequence is not None:
        raise ValidationException(
            f"Must not specify SequenceNumber for ShardIteratorType {kind}")  # INFERRED
    now = db.clock.now()

    def run(txn):
        descriptor = _find_stream(db, txn, arn)  # type: ignore[arg-type]
        sid = descriptor["id"]
        part, gen, (first, _, _) = _find_shard(txn, descriptor, shard)  # type: ignore[arg-type]
        end = streamlog.next_shard_start(txn, sid, part, gen)
        horizon = False
        if kind == "TRIM_HORIZON":
            position, horizon = first, True
        elif kind == "LATEST":
            position = end if end is not None else streamlog.last_sequence(txn) + 1
        else:
            number = streamlog.parse_sequence(sequence)  # type: ignore[arg-type]
            if number is None or number < first or (end is not None and number >= end):
                raise ValidationException(
                    f"Invalid SequenceNumber {sequence} for shard {shard}")  # INFERRED
            if number <= streamlog.trimmed_through(txn, sid, part):
                raise TrimmedDataAccessException(
                    "The data you are trying to access has been trimmed")  # INFERRED
            position = number if kind == "AT_SEQUENCE_NUMBER" else number + 1
        return _iterator(arn, sid, part, gen, position, now, horizon)  # type: ignore[arg-type]

    return {"ShardIterator": db.storage.read(run)}


# ------------------------------------------------------------------ GetRecords


@operation("GetRecords", reads=True)
def get_records(db: Database, params: dict, region: str) -> dict:
    constraints.check("GetRecords", params)
    text = params["ShardIterator"]
    limit = params.get("Limit")
    arn, sid, part, gen, position, issued, horizon = _read_iterator(text)  # type: ignore[arg-type]
    now = db.clock.now()
    if now - issued > ITERATOR_LIFETIME:
        raise ExpiredIteratorException(  # INFERRED
            f"Iterator expired. The iterator was created at time {_stamp(issued)} while right "
            f"now it is {_stamp(now)} which is further in the future than the tolerated delay "
            f"of {ITERATOR_LIFETIME * 1000} milliseconds.")
    limit = limit or MAX_RECORDS
    oldest = now - streamlog.RETENTION_SECONDS

    def run(txn):
        descriptor = _find_stream(db, txn, arn)
        if descriptor["id"] != sid:
            raise ValidationException("Invalid ShardIterator")  # INFERRED
        if streamlog.get_shard(txn, sid, part, gen) is None:
            raise TrimmedDataAccessException(
                "The data you are trying to access has been trimmed")  # INFERRED
        start = position
        trimmed = streamlog.trimmed_through(txn, sid, part)
        if start <= trimmed:
            if not horizon:
                raise TrimmedDataAccessException(
                    "The data you are trying to access has been trimmed")  # INFERRED
            start = trimmed + 1
        end = streamlog.next_shard_start(txn, sid, part, gen)
        closed = end is not None or descriptor["disabled"] is not None
        shown, size, last, exhausted = [], 0, None, True
        for seq, record in streamlog.records(txn, sid, part, start, end):
            if len(shown) >= limit or size >= MAX_PAGE_BYTES:
                exhausted = False
                break
            if record[1] < oldest:  # past retention, not yet swept away
                if not horizon and not shown:
                    raise TrimmedDataAccessException(
                        "The data you are trying to access has been trimmed")  # INFERRED
                last = seq
                continue
            shown.append(streamlog.describe_record(descriptor, descriptor["region"], seq, record))
            size += shown[-1]["dynamodb"]["SizeBytes"]
            last = seq
        response: dict[str, Any] = {"Records": shown}
        if not (closed and exhausted):
            following = last + 1 if last is not None else start
            response["NextShardIterator"] = _iterator(arn, sid, part, gen, following, now,
                                                      horizon and last is None)
        return response

    return db.storage.read(run)


def _stamp(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%a %b %d %H:%M:%S UTC %Y")
