"""Property: replaying a table's stream rebuilds the table exactly.

Random puts, updates, conditional writes, deletes, batch writes and TTL expiry on a few
keys; then the records, applied per key in order (NEW_AND_OLD_IMAGES), must give the
table's contents, each record's OldImage must be the image the previous record left,
and no record may change nothing.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import ddblite
from tests.conftest import create_table
from tests.streams.conftest import read_stream

KEYS = st.sampled_from(["a", "b", "c", "d"])
VALUES = st.integers(min_value=0, max_value=3).map(str)
OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("put"), KEYS, VALUES),
        st.tuples(st.just("update"), KEYS, VALUES),
        st.tuples(st.just("put_if_absent"), KEYS, VALUES),
        st.tuples(st.just("delete"), KEYS, VALUES),
        st.tuples(st.just("batch"), KEYS, VALUES),
        st.tuples(st.just("expire"), KEYS, VALUES),
        st.tuples(st.just("sweep"), KEYS, VALUES),
    ),
    max_size=40,
)


def _apply(db, clock, operation) -> None:
    client = db.client()
    kind, key, value = operation
    pk = {"pk": {"S": key}}
    if kind == "put":
        client.put_item(TableName="things", Item={**pk, "v": {"N": value}})
    elif kind == "update":
        client.update_item(TableName="things", Key=pk, UpdateExpression="SET v = :v",
                           ExpressionAttributeValues={":v": {"N": value}})
    elif kind == "put_if_absent":
        try:
            client.put_item(TableName="things", Item={**pk, "w": {"N": value}},
                            ConditionExpression="attribute_not_exists(pk)")
        except client.exceptions.ConditionalCheckFailedException:
            pass
    elif kind == "delete":
        client.delete_item(TableName="things", Key=pk)
    elif kind == "batch":
        client.batch_write_item(RequestItems={"things": [
            {"PutRequest": {"Item": {**pk, "b": {"N": value}}}}]})
    elif kind == "expire":
        client.update_item(TableName="things", Key=pk, UpdateExpression="SET e = :e",
                           ExpressionAttributeValues={":e": {"N": str(int(clock.now()) - 1)}})
    else:
        db.expire_now()


@settings(max_examples=40, deadline=None)
@given(OPERATIONS)
def test_replaying_the_stream_rebuilds_the_table(operations):
    clock = ddblite.ManualClock()
    with ddblite.connect(":memory:", clock=clock) as db:
        client = db.client()
        arn = create_table(client, StreamSpecification={
            "StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )["TableDescription"]["LatestStreamArn"]
        client.update_time_to_live(
            TableName="things", TimeToLiveSpecification={"Enabled": True, "AttributeName": "e"})
        for operation in operations:
            _apply(db, clock, operation)
            clock.advance(1)
        replayed: dict[str, dict] = {}
        for record in read_stream(db.streams_client(), arn):
            body = record["dynamodb"]
            key = body["Keys"]["pk"]["S"]
            assert body.get("OldImage") == replayed.get(key)
            assert body.get("OldImage") != body.get("NewImage")
            if "NewImage" not in body:
                expected = "REMOVE"
            else:
                expected = "MODIFY" if "OldImage" in body else "INSERT"
            assert record["eventName"] == expected
            if "NewImage" in body:
                replayed[key] = body["NewImage"]
            else:
                replayed.pop(key)
        items = client.scan(TableName="things")["Items"]
        assert replayed == {item["pk"]["S"]: item for item in items}
