"""ListStreams, DescribeStream, GetShardIterator, GetRecords: validation and behaviour."""

from __future__ import annotations

import pytest

from tests.conftest import create_table, error_of
from tests.streams.conftest import all_shards, read_shard, read_stream

BAD_ARN = "arn:aws:dynamodb:us-east-1:000000000000:table/things/nostream/x"


def put(doors, key: str, n: int = 0, table: str = "things") -> None:
    doors.ddb.put_item(TableName=table, Item={"pk": {"S": key}, "n": {"N": str(n)}})


def first_shard(doors, arn):
    return doors.streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]


def shard_of(doors, arn, key):
    """The shard holding `key`'s records, and those records."""
    for shard in all_shards(doors.streams, arn):
        records, _ = read_shard(doors.streams, arn, shard["ShardId"])
        if any(r["dynamodb"]["Keys"]["pk"]["S"] == key for r in records):
            return shard, records
    raise AssertionError(key)


def raises(client, code: str, call, **kwargs) -> str:
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        call(**kwargs)
    found, message = error_of(excinfo)
    assert found == code
    return message


# ------------------------------------------------------------------ ListStreams


def test_list_streams_pages(doors):
    arns = sorted(doors.stream_table("KEYS_ONLY", name) for name in ("t-a", "t-b", "t-c"))
    create_table(doors.ddb, "plain")
    page = doors.streams.list_streams(Limit=2)
    assert [s["StreamArn"] for s in page["Streams"]] == arns[:2]
    assert page["LastEvaluatedStreamArn"] == arns[1]
    rest = doors.streams.list_streams(Limit=2, ExclusiveStartStreamArn=arns[1])
    assert [s["StreamArn"] for s in rest["Streams"]] == arns[2:]
    assert "LastEvaluatedStreamArn" not in rest
    assert doors.streams.list_streams(TableName="plain")["Streams"] == []
    assert doors.streams.list_streams(TableName="t-b")["Streams"][0]["StreamArn"] == arns[1]


def test_list_streams_validation(db):
    streams = db.streams_client()
    message = raises(streams, "ValidationException", streams.list_streams, Limit=0)
    assert message == ("1 validation error detected: Value '0' at 'limit' failed to satisfy "
                       "constraint: Member must have value greater than or equal to 1")
    raises(streams, "ValidationException", streams.list_streams,
           ExclusiveStartStreamArn="kossaapaaasdafsdaasdasdasdasasdasfadfadfasdasdas")


# ------------------------------------------------------------------ DescribeStream


def test_describe_stream(doors):
    arn = doors.stream_table("KEYS_ONLY")
    description = doors.streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert description["StreamArn"] == arn
    assert description["StreamStatus"] == "ENABLED"
    assert description["StreamViewType"] == "KEYS_ONLY"
    assert description["TableName"] == "things"
    assert description["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    assert description["CreationRequestDateTime"].timestamp() == doors.clock.now()
    shards = description["Shards"]
    assert shards and [s["ShardId"] for s in shards] == sorted(s["ShardId"] for s in shards)
    for shard in shards:
        assert 28 <= len(shard["ShardId"]) <= 65
        assert shard["SequenceNumberRange"]["StartingSequenceNumber"].isdecimal()
        assert "EndingSequenceNumber" not in shard["SequenceNumberRange"]
        assert "ParentShardId" not in shard


def test_describe_stream_pages_shards(doors):
    doors.db.stream_partitions = 3
    arn = doors.stream_table("KEYS_ONLY")
    every = [s["ShardId"] for s in all_shards(doors.streams, arn)]
    assert [s["ShardId"] for s in all_shards(doors.streams, arn, limit=1)] == every
    assert len(every) == 3
    after_last = doors.streams.describe_stream(StreamArn=arn, ExclusiveStartShardId=every[-1])
    assert after_last["StreamDescription"]["Shards"] == []


def test_describe_missing_streams(doors):
    doors.stream_table("KEYS_ONLY")
    raises(doors.streams, "ResourceNotFoundException", doors.streams.describe_stream,
           StreamArn="arn:aws:dynamodb:us-east-1:000000000000:table/things/stream/2000-01-01T"
           "00:00:00.000")
    raises(doors.streams, "ValidationException", doors.streams.describe_stream,
           StreamArn="sdfadfsdfnlfkajakfgjalksfgklasjklasdjfklasdfasdfgasf")


# ------------------------------------------------------------------ iterators


def test_iterator_types(doors):
    arn = doors.stream_table("KEYS_ONLY")
    put(doors, "a", 1)
    put(doors, "a", 2)
    shard, records = shard_of(doors, arn, "a")
    first, second = (r["dynamodb"]["SequenceNumber"] for r in records)
    sid = shard["ShardId"]
    at, _ = read_shard(doors.streams, arn, sid, "AT_SEQUENCE_NUMBER", SequenceNumber=first)
    assert [r["dynamodb"]["SequenceNumber"] for r in at] == [first, second]
    after, _ = read_shard(doors.streams, arn, sid, "AFTER_SEQUENCE_NUMBER", SequenceNumber=first)
    assert [r["dynamodb"]["SequenceNumber"] for r in after] == [second]
    latest = doors.streams.get_shard_iterator(StreamArn=arn, ShardId=sid,
                                              ShardIteratorType="LATEST")["ShardIterator"]
    empty = doors.streams.get_records(ShardIterator=latest)
    assert empty["Records"] == []
    put(doors, "a", 3)
    later = doors.streams.get_records(ShardIterator=empty["NextShardIterator"])
    assert [r["eventName"] for r in later["Records"]] == ["MODIFY"]
    again = doors.streams.get_records(ShardIterator=later["NextShardIterator"])
    assert again["Records"] == [] and "NextShardIterator" in again


def test_get_shard_iterator_validation(doors):
    arn = doors.stream_table("KEYS_ONLY")
    put(doors, "a")
    shard, records = shard_of(doors, arn, "a")
    sid, seq = shard["ShardId"], records[0]["dynamodb"]["SequenceNumber"]
    streams = doors.streams
    for kind in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"):
        raises(streams, "ValidationException", streams.get_shard_iterator, StreamArn=arn,
               ShardId=sid, ShardIteratorType=kind)
    for kind in ("TRIM_HORIZON", "LATEST"):
        raises(streams, "ValidationException", streams.get_shard_iterator, StreamArn=arn,
               ShardId=sid, ShardIteratorType=kind, SequenceNumber=seq)
    raises(streams, "ValidationException", streams.get_shard_iterator, StreamArn=BAD_ARN,
           ShardId=sid, ShardIteratorType="LATEST")
    raises(streams, "ResourceNotFoundException", streams.get_shard_iterator, StreamArn=arn,
           ShardId="semprinidfaasdasfsdvacsdcfsdsvsdvsdvsdvsdvsdv", ShardIteratorType="LATEST")
    raises(streams, "ValidationException", streams.get_shard_iterator, StreamArn=arn,
           ShardId=sid, ShardIteratorType="LATEST",
           SequenceNumber="sdfsafglldfngjdafnasdflgnaldklkafdsgklnasdlv")


def test_iterator_type_enum(db):
    streams = db.streams_client()
    message = raises(streams, "ValidationException", streams.get_shard_iterator,
                     StreamArn=BAD_ARN, ShardId="shardId-00000001700000000000-00000000",
                     ShardIteratorType="bulle")
    assert message == (
        "1 validation error detected: Value 'bulle' at 'shardIteratorType' failed to satisfy "
        "constraint: Member must satisfy enum value set: [TRIM_HORIZON, LATEST, "
        "AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER]")


def test_get_records_validation(doors):
    streams = doors.streams
    raises(streams, "ValidationException", streams.get_records,
           ShardIterator="sdfsdfsgagaddafgagasgasgasdfasdfasdfasdfasdgasdasdgasdg")


def test_get_records_limit_and_pages(doors):
    doors.db.stream_partitions = 1
    arn = doors.stream_table("KEYS_ONLY")
    for i in range(25):
        put(doors, f"k{i}")
    shard = first_shard(doors, arn)
    iterator = doors.streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON",
    )["ShardIterator"]
    sizes = []
    while True:
        response = doors.streams.get_records(ShardIterator=iterator, Limit=10)
        sizes.append(len(response["Records"]))
        if not response["Records"]:
            break
        iterator = response["NextShardIterator"]
    assert sizes == [10, 10, 5, 0]


def test_get_records_limit_bounds(db):
    streams = db.streams_client()
    message = raises(streams, "ValidationException", streams.get_records,
                     ShardIterator="x", Limit=1001)
    assert message.endswith("Member must have value less than or equal to 1000")


def test_closed_shard_ends_without_next_iterator(doors):
    arn = doors.stream_table("KEYS_ONLY")
    put(doors, "a")
    shard, _ = shard_of(doors, arn, "a")
    doors.ddb.update_table(TableName="things", StreamSpecification={"StreamEnabled": False})
    records, last = read_shard(doors.streams, arn, shard["ShardId"])
    assert len(records) == 1
    assert "NextShardIterator" not in last


def test_iterators_expire_after_15_minutes(doors):
    arn = doors.stream_table("KEYS_ONLY")
    iterator = doors.streams.get_shard_iterator(
        StreamArn=arn, ShardId=first_shard(doors, arn)["ShardId"],
        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    doors.clock.advance(15 * 60)
    response = doors.streams.get_records(ShardIterator=iterator)  # still valid
    doors.clock.advance(1)
    # Each answer hands out a fresh iterator; the first one has now expired.
    doors.streams.get_records(ShardIterator=response["NextShardIterator"])
    raises(doors.streams, "ExpiredIteratorException", doors.streams.get_records,
           ShardIterator=iterator)


def test_records_are_trimmed_after_24_hours(doors):
    doors.db.stream_partitions = 1
    arn = doors.stream_table("KEYS_ONLY")
    put(doors, "old")
    shard = first_shard(doors, arn)
    old_seq = read_shard(doors.streams, arn, shard["ShardId"])[0][0]["dynamodb"][
        "SequenceNumber"]
    doors.clock.advance(12 * 3600)
    put(doors, "young")
    doors.clock.advance(12 * 3600 + 1)
    # Past retention but not swept yet: TRIM_HORIZON skips it, asking for it fails.
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in read_stream(doors.streams, arn)] == [
        "young"]
    raises(doors.streams, "TrimmedDataAccessException", lambda: read_shard(
        doors.streams, arn, shard["ShardId"], "AT_SEQUENCE_NUMBER", SequenceNumber=old_seq))
    doors.db.expire_now()
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in read_stream(doors.streams, arn)] == [
        "young"]
    raises(doors.streams, "TrimmedDataAccessException", doors.streams.get_shard_iterator,
           StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="AT_SEQUENCE_NUMBER",
           SequenceNumber=old_seq)


# ------------------------------------------------------------------ shard lineage


def test_shards_roll_over_and_consumers_follow_lineage(doors):
    doors.db.stream_partitions = 2
    arn = doors.stream_table("NEW_IMAGE")
    written = []
    for hour in range(0, 10):
        for key in ("a", "b", "c"):
            put(doors, key, hour)
            written.append((key, hour))
        doors.clock.advance(3600)
    shards = all_shards(doors.streams, arn)
    assert len(shards) > 2
    ids = {s["ShardId"] for s in shards}
    children = [s for s in shards if "ParentShardId" in s]
    assert children and all(s["ParentShardId"] in ids for s in children)
    parents = {s["ParentShardId"] for s in children}
    for shard in shards:
        closed = "EndingSequenceNumber" in shard["SequenceNumberRange"]
        assert closed == (shard["ShardId"] in parents)
    seen = [(r["dynamodb"]["Keys"]["pk"]["S"], int(r["dynamodb"]["NewImage"]["n"]["N"]))
            for r in read_stream(doors.streams, arn)]
    assert sorted(seen) == sorted(written)  # every change exactly once
    for key in ("a", "b", "c"):  # and in order per key, across shard boundaries
        assert [n for k, n in seen if k == key] == list(range(10))


def test_shards_past_retention_are_forgotten(doors):
    doors.db.stream_partitions = 1
    arn = doors.stream_table("KEYS_ONLY")
    for hour in range(0, 40, 5):
        put(doors, "a", hour)
        doors.clock.advance(5 * 3600)
    before = all_shards(doors.streams, arn)
    doors.db.expire_now()
    after = all_shards(doors.streams, arn)
    assert 0 < len(after) < len(before)
    assert after == [s for s in before if s["ShardId"] in {a["ShardId"] for a in after}]
    gone = before[0]["ShardId"]
    raises(doors.streams, "ResourceNotFoundException", doors.streams.get_shard_iterator,
           StreamArn=arn, ShardId=gone, ShardIteratorType="TRIM_HORIZON")
    # The oldest shard left still names its trimmed parent, and what is left reads back.
    assert after[0]["ParentShardId"] not in {a["ShardId"] for a in after}
    assert read_stream(doors.streams, arn)


@pytest.mark.parametrize("iterator", [
    "arn:aws:dynamodb:us-east-1:000000000000:table/things/stream/x|1|" + "kqGhAQ==",
    "no separator at all",
    "|1|lgEAAAHLQdlU_SEAAADD",
])
def test_malformed_iterators(db, iterator):
    streams = db.streams_client()
    message = raises(streams, "ValidationException", streams.get_records, ShardIterator=iterator)
    assert message == "Invalid ShardIterator"
