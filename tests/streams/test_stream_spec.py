"""StreamSpecification on CreateTable / UpdateTable / DescribeTable / DeleteTable."""

from __future__ import annotations

import pytest

from tests.conftest import create_table, error_of

INVALID = "One or more parameter values were invalid: "


def test_create_table_shows_the_stream(doors):
    arn = doors.stream_table("KEYS_ONLY")
    table = doors.ddb.describe_table(TableName="things")["Table"]
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    assert table["LatestStreamArn"] == arn
    assert arn == f"{table['TableArn']}/stream/{table['LatestStreamLabel']}"
    listed = doors.streams.list_streams(TableName="things")["Streams"]
    assert listed == [{"StreamArn": arn, "TableName": "things",
                       "StreamLabel": table["LatestStreamLabel"]}]


def test_enable_on_update_table(doors):
    create_table(doors.ddb)
    assert doors.streams.list_streams()["Streams"] == []
    described = doors.ddb.update_table(
        TableName="things",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )["TableDescription"]
    assert described["StreamSpecification"] == {"StreamEnabled": True,
                                                "StreamViewType": "NEW_IMAGE"}
    stream = doors.streams.describe_stream(StreamArn=described["LatestStreamArn"])
    assert stream["StreamDescription"]["StreamStatus"] == "ENABLED"
    assert stream["StreamDescription"]["StreamViewType"] == "NEW_IMAGE"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
         "Table already has an enabled stream: TableName: things"),
        ({"StreamEnabled": True, "StreamViewType": "OLD_IMAGE"},
         "Table already has an enabled stream: TableName: things"),
        ({"StreamEnabled": True}, INVALID + "If stream is being enabled then UpdateViewType is "
         "required"),
        ({"StreamEnabled": False, "StreamViewType": "KEYS_ONLY"},
         INVALID + "If stream is being disabled, then UpdateViewType must not be specified"),
    ],
)
def test_invalid_changes_of_an_enabled_stream(doors, spec, message):
    doors.stream_table("KEYS_ONLY")
    with pytest.raises(doors.ddb.exceptions.ClientError) as excinfo:
        doors.ddb.update_table(TableName="things", StreamSpecification=spec)
    assert error_of(excinfo) == ("ValidationException", message)


def test_disabling_a_table_without_a_stream(doors):
    create_table(doors.ddb)
    with pytest.raises(doors.ddb.exceptions.ClientError) as excinfo:
        doors.ddb.update_table(TableName="things", StreamSpecification={"StreamEnabled": False})
    assert error_of(excinfo) == ("ValidationException",
                                 "Table has no stream to disable: TableName: things")


def test_stream_specification_shape(db):
    create_table(db.client())
    with pytest.raises(db.client().exceptions.ClientError) as excinfo:
        db.call("UpdateTable", {"TableName": "things",
                                "StreamSpecification": {"StreamViewType": "new_image"}})
    assert error_of(excinfo)[1] == (
        "2 validation errors detected: Value null at 'streamSpecification.streamEnabled' "
        "failed to satisfy constraint: Member must not be null; Value 'new_image' at "
        "'streamSpecification.streamViewType' failed to satisfy constraint: Member must "
        "satisfy enum value set: [NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES, KEYS_ONLY]"
    )


def test_disable_then_enable_makes_a_new_stream_and_keeps_the_old(doors):
    first = doors.stream_table("KEYS_ONLY")
    doors.ddb.put_item(TableName="things", Item={"pk": {"S": "a"}})
    doors.ddb.update_table(TableName="things", StreamSpecification={"StreamEnabled": False})
    table = doors.ddb.describe_table(TableName="things")["Table"]
    # DynamoDB drops StreamSpecification but keeps showing the latest stream.
    assert "StreamSpecification" not in table
    assert table["LatestStreamArn"] == first
    old = doors.streams.describe_stream(StreamArn=first)["StreamDescription"]
    assert old["StreamStatus"] == "DISABLED"
    assert all("EndingSequenceNumber" in s["SequenceNumberRange"] for s in old["Shards"])
    doors.ddb.put_item(TableName="things", Item={"pk": {"S": "b"}})  # no stream: no record

    second = doors.ddb.update_table(
        TableName="things",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )["TableDescription"]["LatestStreamArn"]
    assert second != first
    listed = {s["StreamArn"] for s in doors.streams.list_streams(TableName="things")["Streams"]}
    assert listed == {first, second}
    doors.ddb.put_item(TableName="things", Item={"pk": {"S": "c"}})
    from tests.streams.conftest import read_stream

    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in read_stream(doors.streams, first)] == ["a"]
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in read_stream(doors.streams, second)] == [
        "c"]


def test_old_stream_is_gone_24_hours_after_disabling(doors):
    arn = doors.stream_table("KEYS_ONLY")
    doors.ddb.update_table(TableName="things", StreamSpecification={"StreamEnabled": False})
    doors.clock.advance(24 * 3600 - 1)
    assert doors.streams.describe_stream(StreamArn=arn)["StreamDescription"]["StreamStatus"] \
        == "DISABLED"
    doors.clock.advance(2)
    doors.db.expire_now()
    assert doors.streams.list_streams()["Streams"] == []
    with pytest.raises(doors.streams.exceptions.ClientError) as excinfo:
        doors.streams.describe_stream(StreamArn=arn)
    assert error_of(excinfo)[0] == "ResourceNotFoundException"


def test_delete_table_leaves_the_stream_readable(doors):
    arn = doors.stream_table("NEW_IMAGE")
    doors.ddb.put_item(TableName="things", Item={"pk": {"S": "a"}})
    doors.ddb.delete_table(TableName="things")
    stream = doors.streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert stream["StreamStatus"] == "DISABLED"
    assert stream["TableName"] == "things"
    from tests.streams.conftest import read_stream

    records = read_stream(doors.streams, arn)
    assert [r["dynamodb"]["NewImage"] for r in records] == [{"pk": {"S": "a"}}]
    # A new table of the same name gets a stream of its own.
    again = doors.stream_table("NEW_IMAGE")
    assert again != arn
    assert len(doors.streams.list_streams(TableName="things")["Streams"]) == 2
