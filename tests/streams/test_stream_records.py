"""Stream records: one per changed item from every write path, DynamoDB's shape."""

from __future__ import annotations

import pytest

from tests.conftest import create_table
from tests.streams.conftest import read_stream

KEY = {"pk": {"S": "a"}}


def events(doors, arn):
    return [(r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"]) for r in read_stream(
        doors.streams, arn)]


def test_record_shape(doors):
    arn = doors.stream_table("NEW_AND_OLD_IMAGES")
    doors.ddb.put_item(TableName="things", Item={"pk": {"S": "a"}, "n": {"N": "1"}})
    doors.ddb.put_item(TableName="things", Item={"pk": {"S": "a"}, "n": {"N": "2"}})
    first, second = read_stream(doors.streams, arn)
    assert set(first) == {"eventID", "eventName", "eventVersion", "eventSource", "awsRegion",
                          "dynamodb"}
    assert first["eventName"] == "INSERT"
    assert first["eventSource"] == "aws:dynamodb"
    assert first["awsRegion"] == "us-east-1"
    body = first["dynamodb"]
    assert body["Keys"] == KEY
    assert body["NewImage"] == {"pk": {"S": "a"}, "n": {"N": "1"}}
    assert "OldImage" not in body
    assert body["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert body["SizeBytes"] > 0
    assert body["ApproximateCreationDateTime"].timestamp() == int(doors.clock.now())
    assert len(body["SequenceNumber"]) >= 21 and body["SequenceNumber"].isdecimal()
    assert second["eventName"] == "MODIFY"
    assert second["dynamodb"]["OldImage"] == {"pk": {"S": "a"}, "n": {"N": "1"}}
    assert int(second["dynamodb"]["SequenceNumber"]) > int(body["SequenceNumber"])
    assert first["eventID"] != second["eventID"]


@pytest.mark.parametrize(
    ("view", "new", "old"),
    [("KEYS_ONLY", False, False), ("NEW_IMAGE", True, False), ("OLD_IMAGE", False, True),
     ("NEW_AND_OLD_IMAGES", True, True)],
)
def test_view_types(doors, view, new, old):
    arn = doors.stream_table(view)
    doors.ddb.put_item(TableName="things", Item={"pk": {"S": "a"}, "x": {"S": "1"}})
    doors.ddb.update_item(TableName="things", Key=KEY, UpdateExpression="SET x = :x",
                          ExpressionAttributeValues={":x": {"S": "2"}})
    doors.ddb.delete_item(TableName="things", Key=KEY)
    insert, modify, remove = read_stream(doors.streams, arn)
    for record in (insert, modify, remove):
        assert record["dynamodb"]["Keys"] == KEY
        assert record["dynamodb"]["StreamViewType"] == view
    assert ("NewImage" in insert["dynamodb"]) == new
    assert ("NewImage" in modify["dynamodb"]) == new
    assert "NewImage" not in remove["dynamodb"]
    assert "OldImage" not in insert["dynamodb"]
    assert ("OldImage" in modify["dynamodb"]) == old
    assert ("OldImage" in remove["dynamodb"]) == old
    if old:
        assert remove["dynamodb"]["OldImage"] == {"pk": {"S": "a"}, "x": {"S": "2"}}


def test_every_write_path_and_no_record_for_no_change(doors):
    arn = doors.stream_table("KEYS_ONLY")
    ddb = doors.ddb
    ddb.put_item(TableName="things", Item={"pk": {"S": "a"}, "x": {"N": "1"}})
    ddb.put_item(TableName="things", Item={"pk": {"S": "a"}, "x": {"N": "1"}})  # same: none
    ddb.update_item(TableName="things", Key=KEY, UpdateExpression="SET x = :x",
                    ExpressionAttributeValues={":x": {"N": "1"}})  # same: none
    ddb.update_item(TableName="things", Key={"pk": {"S": "b"}}, UpdateExpression="SET x = :x",
                    ExpressionAttributeValues={":x": {"N": "1"}})  # creates: INSERT
    ddb.delete_item(TableName="things", Key={"pk": {"S": "missing"}})  # nothing: none
    with pytest.raises(ddb.exceptions.ClientError):  # refused: none
        ddb.put_item(TableName="things", Item={"pk": {"S": "a"}},
                     ConditionExpression="attribute_not_exists(pk)")
    ddb.batch_write_item(RequestItems={"things": [
        {"PutRequest": {"Item": {"pk": {"S": "c"}}}},
        {"PutRequest": {"Item": {"pk": {"S": "a"}, "x": {"N": "2"}}}},
        {"DeleteRequest": {"Key": {"pk": {"S": "b"}}}},
    ]})
    assert sorted(events(doors, arn)) == sorted([
        ("INSERT", "a"), ("INSERT", "b"), ("INSERT", "c"), ("MODIFY", "a"), ("REMOVE", "b"),
    ])


def test_one_key_keeps_its_order_in_one_shard(doors):
    arn = doors.stream_table("NEW_IMAGE")
    for i in range(30):
        for key in ("a", "b", "c", "d"):
            doors.ddb.put_item(TableName="things", Item={"pk": {"S": key}, "n": {"N": str(i)}})
    shards = doors.streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    from tests.streams.conftest import read_shard

    holders: dict[str, set] = {}
    for shard in shards:
        records, _ = read_shard(doors.streams, arn, shard["ShardId"])
        by_key: dict[str, list] = {}
        for record in records:
            key = record["dynamodb"]["Keys"]["pk"]["S"]
            by_key.setdefault(key, []).append(int(record["dynamodb"]["NewImage"]["n"]["N"]))
            holders.setdefault(key, set()).add(shard["ShardId"])
        for numbers in by_key.values():
            assert numbers == list(range(30))
    assert all(len(ids) == 1 for ids in holders.values())
    assert set(holders) == {"a", "b", "c", "d"}


def test_tables_without_streams_write_none(doors):
    create_table(doors.ddb, "plain")
    doors.ddb.put_item(TableName="plain", Item={"pk": {"S": "a"}})
    arn = doors.stream_table("NEW_IMAGE")
    doors.ddb.put_item(TableName="things", Item={"pk": {"S": "z"}})
    assert events(doors, arn) == [("INSERT", "z")]
    assert [s["TableName"] for s in doors.streams.list_streams()["Streams"]] == ["things"]


def test_binary_values_travel_in_records(doors):
    arn = create_table(doors.ddb, "bin", hash_key=("pk", "B"), StreamSpecification={
        "StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})["TableDescription"][
        "LatestStreamArn"]
    doors.ddb.put_item(TableName="bin", Item={"pk": {"B": b"\x00\xff"}, "v": {"BS": [b"x"]}})
    (record,) = read_stream(doors.streams, arn)
    assert record["dynamodb"]["Keys"] == {"pk": {"B": b"\x00\xff"}}
    assert record["dynamodb"]["NewImage"]["v"] == {"BS": [b"x"]}
