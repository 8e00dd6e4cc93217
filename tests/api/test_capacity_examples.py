"""Capacity against the worked examples of DynamoDB's Developer Guide (read/write
consumption), through every front door."""

from __future__ import annotations

from tests.conftest import create_table


def sized(key: str, sort: int, size: int) -> dict:
    # names "pk" "sk" "v" (5 bytes) + the key's string + the number's bytes + the value
    base = {"pk": {"S": key}, "sk": {"N": str(sort)}, "v": {"S": ""}}
    fixed = 5 + len(key) + 2  # a number of up to two digits takes 2 bytes
    base["v"]["S"] = "x" * (size - fixed)
    return base


def test_batch_get_rounds_each_item_up(client):
    # "if BatchGetItem reads a 1.5 KB item and a 6.5 KB item, DynamoDB calculates the
    # size as 12 KB (4 KB + 8 KB), not 8 KB": 3 units strongly consistent.
    create_table(client, range_key=("sk", "N"))
    client.put_item(TableName="things", Item=sized("a", 1, 1536))
    client.put_item(TableName="things", Item=sized("a", 2, 6656))
    answer = client.batch_get_item(RequestItems={"things": {
        "Keys": [{"pk": {"S": "a"}, "sk": {"N": "1"}}, {"pk": {"S": "a"}, "sk": {"N": "2"}}],
        "ConsistentRead": True}}, ReturnConsumedCapacity="TOTAL")
    assert answer["ConsumedCapacity"] == [{"TableName": "things", "CapacityUnits": 3.0}]


def test_query_rounds_the_total_up_once(client):
    # "suppose your Query returns 10 items whose combined size is 40.8 KB. DynamoDB
    # rounds the item size for the operation to 44 KB": 11 units strongly consistent,
    # 5.5 eventually consistent.
    create_table(client, range_key=("sk", "N"))
    for number in range(10):
        client.put_item(TableName="things", Item=sized("a", number + 10, 4178))  # 41,780 B
    query = {"TableName": "things", "KeyConditionExpression": "pk = :a",
             "ExpressionAttributeValues": {":a": {"S": "a"}}, "ReturnConsumedCapacity": "TOTAL"}
    strong = client.query(ConsistentRead=True, **query)
    assert strong["Count"] == 10
    assert strong["ConsumedCapacity"]["CapacityUnits"] == 11.0
    assert client.query(**query)["ConsumedCapacity"]["CapacityUnits"] == 5.5
    # A filter does not lower the bill: the items read are charged, returned or not.
    filtered = client.query(FilterExpression="begins_with(v, :y)", ConsistentRead=True,
                            **{**query, "ExpressionAttributeValues": {
                                ":a": {"S": "a"}, ":y": {"S": "y"}}})
    assert filtered["Count"] == 0 and filtered["ScannedCount"] == 10
    assert filtered["ConsumedCapacity"]["CapacityUnits"] == 11.0


def test_writes_and_transactions(client):
    # A write is charged on the larger of the item before and after, per 1 KB; a
    # transactional write twice that.
    create_table(client, range_key=("sk", "N"))
    put = client.put_item(TableName="things", Item=sized("a", 10, 3500),
                          ReturnConsumedCapacity="TOTAL")
    assert put["ConsumedCapacity"]["CapacityUnits"] == 4.0
    update = client.update_item(
        TableName="things", Key={"pk": {"S": "a"}, "sk": {"N": "10"}},
        UpdateExpression="REMOVE v", ReturnConsumedCapacity="TOTAL")
    assert update["ConsumedCapacity"]["CapacityUnits"] == 4.0
    transaction = client.transact_write_items(
        TransactItems=[{"Put": {"TableName": "things", "Item": sized("b", 10, 1500)}}],
        ReturnConsumedCapacity="TOTAL")
    assert transaction["ConsumedCapacity"] == [
        {"TableName": "things", "CapacityUnits": 4.0, "WriteCapacityUnits": 4.0}]
