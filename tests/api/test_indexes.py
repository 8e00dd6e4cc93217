"""Secondary indexes through every front door: CreateTable (multi-attribute GSI keys),
DescribeTable per-index fields, UpdateTable GlobalSecondaryIndexUpdates, and the
index-key checks of every write path."""

from __future__ import annotations

import pytest

from tests.conftest import error_of

KEYS_ONLY = {"ProjectionType": "KEYS_ONLY"}


def _schema(*elements):
    return [{"AttributeName": name, "KeyType": kind} for name, kind in elements]


def _defs(**types):
    return [{"AttributeName": name, "AttributeType": kind} for name, kind in types.items()]


def _create(client, gsis=None, lsis=None, name="things", **defs):
    extra = {}
    if gsis is not None:
        extra["GlobalSecondaryIndexes"] = gsis
    if lsis is not None:
        extra["LocalSecondaryIndexes"] = lsis
    return client.create_table(
        TableName=name, KeySchema=_schema(("pk", "HASH"), ("sk", "RANGE")),
        AttributeDefinitions=_defs(pk="S", sk="N", **defs), BillingMode="PAY_PER_REQUEST",
        **extra,
    )


def _gsi(name, *elements, projection=None):
    return {"IndexName": name, "KeySchema": _schema(*elements),
            "Projection": projection or {"ProjectionType": "ALL"}}


# ------------------------------------------------------------------ CreateTable


def test_multi_attribute_gsi_is_created_and_described(client):
    gsi = _gsi("multi", ("a", "HASH"), ("b", "HASH"), ("c", "RANGE"), ("d", "RANGE"))
    _create(client, [gsi], a="S", b="N", c="S", d="B")
    described = client.describe_table(TableName="things")["Table"]
    (index,) = described["GlobalSecondaryIndexes"]
    assert index["KeySchema"] == gsi["KeySchema"]
    assert index["IndexStatus"] == "ACTIVE"
    assert index["IndexArn"].endswith(":table/things/index/multi")
    assert "_number" not in index


@pytest.mark.parametrize("elements, message", [
    ([("a", "HASH"), ("b", "HASH"), ("c", "HASH"), ("d", "HASH"), ("e", "HASH")],
     "One or more parameter values were invalid: Index KeySchema can have at most 4 HASH and "
     "4 RANGE key elements for index: bad"),
    ([("a", "HASH"), ("b", "RANGE"), ("c", "HASH")],
     "Invalid KeySchema: HASH key elements must precede RANGE key elements"),
    ([("a", "RANGE"), ("b", "HASH")],
     "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"),
    ([("a", "HASH"), ("a", "HASH")],
     "One or more parameter values were invalid: Duplicate attribute names in KeySchema for "
     "index: bad"),
])
def test_multi_attribute_key_rules(client, elements, message):
    names = {name for name, _ in elements}
    with pytest.raises(Exception) as caught:
        _create(client, [_gsi("bad", *elements)], **dict.fromkeys(sorted(names), "S"))
    assert error_of(caught) == ("ValidationException", message)


def test_gsi_key_schema_longer_than_eight_is_a_constraint_error(client):
    elements = [(f"a{i}", "HASH") for i in range(9)]
    with pytest.raises(Exception) as caught:
        _create(client, [_gsi("bad", *elements)], **{f"a{i}": "S" for i in range(9)})
    code, message = error_of(caught)
    assert code == "ValidationException"
    assert message.endswith("Member must have length less than or equal to 8")
    assert "globalSecondaryIndexes.1.member.keySchema" in message


def test_lsi_keeps_two_key_elements(client):
    lsi = _gsi("loc", ("pk", "HASH"), ("a", "RANGE"), ("b", "RANGE"))
    with pytest.raises(Exception) as caught:
        _create(client, lsis=[lsi], a="S", b="S")
    assert error_of(caught)[1].endswith("Member must have length less than or equal to 2")


# ------------------------------------------------------------------ DescribeTable stats


def test_describe_table_counts_index_items_and_bytes(client):
    _create(client, [_gsi("byG", ("g", "HASH"), projection=KEYS_ONLY)],
            [_gsi("byL", ("pk", "HASH"), ("l", "RANGE"))], g="S", l="S")
    client.put_item(TableName="things", Item={"pk": {"S": "a"}, "sk": {"N": "1"},
                                              "g": {"S": "x"}, "big": {"S": "y" * 100}})
    client.put_item(TableName="things", Item={"pk": {"S": "a"}, "sk": {"N": "2"}})
    table = client.describe_table(TableName="things")["Table"]
    (gsi,) = table["GlobalSecondaryIndexes"]
    (lsi,) = table["LocalSecondaryIndexes"]
    # KEYS_ONLY entry: pk "a" (2 + 1) + sk 1 (2 + 2) + g "x" (1 + 1)
    assert (gsi["ItemCount"], gsi["IndexSizeBytes"]) == (1, 9)
    assert (lsi["ItemCount"], lsi["IndexSizeBytes"]) == (0, 0)  # sparse: no item has l


# ------------------------------------------------------------------ writes


def test_index_key_type_mismatch_on_put_and_batch_write(client):
    _create(client, [_gsi("byGsi", ("gsi_pk", "HASH"))], gsi_pk="S")
    bad = {"pk": {"S": "a"}, "sk": {"N": "1"}, "gsi_pk": {"N": "1"}}
    expected = ("ValidationException",
                "One or more parameter values were invalid: Type mismatch for Index Key gsi_pk "
                "Expected: S Actual: N IndexName: byGsi")
    with pytest.raises(Exception) as caught:
        client.put_item(TableName="things", Item=bad)
    assert error_of(caught) == expected
    with pytest.raises(Exception) as caught:
        client.batch_write_item(RequestItems={"things": [{"PutRequest": {"Item": bad}}]})
    assert error_of(caught) == expected
    assert client.scan(TableName="things")["Count"] == 0


def test_empty_index_key_value_is_refused(client):
    _create(client, [_gsi("byGsi", ("gsi_pk", "HASH"))], gsi_pk="S")
    with pytest.raises(Exception) as caught:
        client.put_item(TableName="things",
                        Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "gsi_pk": {"S": ""}})
    assert error_of(caught) == (
        "ValidationException",
        "One or more parameter values are not valid. A value specified for a secondary index "
        "key is not supported. The AttributeValue for a key attribute cannot contain an empty "
        "string value. IndexName: byGsi, IndexKey: gsi_pk",
    )


def test_update_item_moves_and_drops_entries(client):
    _create(client, [_gsi("byG", ("g", "HASH"))], g="S")
    key = {"pk": {"S": "a"}, "sk": {"N": "1"}}
    client.update_item(TableName="things", Key=key, UpdateExpression="SET g = :g",
                       ExpressionAttributeValues={":g": {"S": "x"}})
    assert _index(client, "byG")["ItemCount"] == 1
    client.update_item(TableName="things", Key=key, UpdateExpression="REMOVE g")
    assert _index(client, "byG")["ItemCount"] == 0


def _index(client, name):
    table = client.describe_table(TableName="things")["Table"]
    return next(i for i in table.get("GlobalSecondaryIndexes", []) if i["IndexName"] == name)


# ------------------------------------------------------------------ UpdateTable


def _add_gsi(client, name="byG", attribute="g", **extra):
    return client.update_table(
        TableName="things", AttributeDefinitions=_defs(**{attribute: "S"}),
        GlobalSecondaryIndexUpdates=[{"Create": dict(_gsi(name, (attribute, "HASH")), **extra)}],
    )["TableDescription"]


def test_create_gsi_backfills_existing_items(client):
    _create(client)
    for sk in range(5):
        item = {"pk": {"S": "a"}, "sk": {"N": str(sk)}}
        if sk % 2:
            item["g"] = {"S": f"v{sk}"}
        client.put_item(TableName="things", Item=item)
    description = _add_gsi(client)
    assert description["TableStatus"] == "UPDATING"
    (shown,) = description["GlobalSecondaryIndexes"]
    assert (shown["IndexStatus"], shown["Backfilling"]) == ("CREATING", False)
    assert {"AttributeName": "g", "AttributeType": "S"} in description["AttributeDefinitions"]
    index = _index(client, "byG")
    assert index["IndexStatus"] == "ACTIVE" and "Backfilling" not in index
    assert index["ItemCount"] == 2


def test_create_existing_index_is_refused(client):
    _create(client, [_gsi("byG", ("g", "HASH"))], g="S")
    with pytest.raises(Exception) as caught:
        _add_gsi(client)
    assert error_of(caught) == ("ValidationException",
                                "Attempting to create an index which already exists")


def test_create_needs_its_key_definitions(client):
    _create(client)
    with pytest.raises(Exception) as caught:
        client.update_table(
            TableName="things", AttributeDefinitions=_defs(other="S"),
            GlobalSecondaryIndexUpdates=[{"Create": _gsi("byG", ("g", "HASH"))}])
    assert error_of(caught) == (
        "ValidationException",
        "One or more parameter values were invalid: Some index key attributes are not defined "
        "in AttributeDefinitions. Keys: [g], AttributeDefinitions: [other]",
    )


def test_one_online_index_change_per_call(client):
    _create(client, [_gsi("byG", ("g", "HASH"))], g="S")
    with pytest.raises(Exception) as caught:
        client.update_table(
            TableName="things", AttributeDefinitions=_defs(h="S"),
            GlobalSecondaryIndexUpdates=[{"Create": _gsi("byH", ("h", "HASH"))},
                                         {"Delete": {"IndexName": "byG"}}])
    assert error_of(caught) == (
        "LimitExceededException",
        "Subscriber limit exceeded: Only 1 online index can be created or deleted "
        "simultaneously per table",
    )


def test_delete_gsi_drops_it_and_its_unused_definitions(client):
    _create(client, [_gsi("byG", ("g", "HASH"))], g="S")
    client.put_item(TableName="things",
                    Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "g": {"S": "x"}})
    description = client.update_table(
        TableName="things", GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "byG"}}],
    )["TableDescription"]
    assert [(i["IndexName"], i["IndexStatus"]) for i in
            description["GlobalSecondaryIndexes"]] == [("byG", "DELETING")]
    table = client.describe_table(TableName="things")["Table"]
    assert "GlobalSecondaryIndexes" not in table
    assert [d["AttributeName"] for d in table["AttributeDefinitions"]] == ["pk", "sk"]
    # The attribute is a plain attribute again: any type goes.
    client.put_item(TableName="things",
                    Item={"pk": {"S": "a"}, "sk": {"N": "2"}, "g": {"N": "1"}})


@pytest.mark.parametrize("action", ["Delete", "Update"])
def test_missing_index_is_not_found(client, action):
    _create(client)
    body = {"IndexName": "nope"}
    if action == "Update":
        body["ProvisionedThroughput"] = {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}
    with pytest.raises(Exception) as caught:
        client.update_table(TableName="things", GlobalSecondaryIndexUpdates=[{action: body}])
    assert error_of(caught) == ("ResourceNotFoundException",
                                "Requested resource not found: Index: nope not found")


def test_update_gsi_throughput_on_provisioned_table(client):
    throughput = {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}
    client.create_table(
        TableName="things", KeySchema=_schema(("pk", "HASH")),
        AttributeDefinitions=_defs(pk="S", g="S"), ProvisionedThroughput=throughput,
        GlobalSecondaryIndexes=[dict(_gsi("byG", ("g", "HASH")),
                                     ProvisionedThroughput=throughput)],
    )
    description = client.update_table(TableName="things", GlobalSecondaryIndexUpdates=[
        {"Update": {"IndexName": "byG", "ProvisionedThroughput": {
            "ReadCapacityUnits": 7, "WriteCapacityUnits": 3}}}])["TableDescription"]
    assert description["GlobalSecondaryIndexes"][0]["IndexStatus"] == "UPDATING"
    shown = _index(client, "byG")["ProvisionedThroughput"]
    assert (shown["ReadCapacityUnits"], shown["WriteCapacityUnits"]) == (7, 3)
    assert "LastIncreaseDateTime" in shown


def test_index_numbers_are_never_reused(client):
    _create(client, [_gsi("byG", ("g", "HASH"))], g="S")
    client.put_item(TableName="things",
                    Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "g": {"S": "x"}})
    client.update_table(TableName="things",
                        GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "byG"}}])
    _add_gsi(client, name="byG2")
    # Had the new index reused the old number, the old entry would count here.
    assert _index(client, "byG2")["ItemCount"] == 1
    client.put_item(TableName="things", Item={"pk": {"S": "a"}, "sk": {"N": "1"}})
    assert _index(client, "byG2")["ItemCount"] == 0


# ------------------------------------------------------------------ write responses


def _indexed_table(client):
    client.create_table(
        TableName="indexed",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": t}
                              for n, t in (("pk", "S"), ("sk", "S"), ("g", "S"), ("l", "N"))],
        BillingMode="PAY_PER_REQUEST",
        GlobalSecondaryIndexes=[{"IndexName": "byG", "Projection": {"ProjectionType": "ALL"},
                                 "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}]}],
        LocalSecondaryIndexes=[{"IndexName": "byL", "Projection": {"ProjectionType": "KEYS_ONLY"},
                                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                              {"AttributeName": "l", "KeyType": "RANGE"}]}],
    )


def test_put_reports_index_capacity_and_collection_metrics(client):
    _indexed_table(client)
    response = client.put_item(
        TableName="indexed",
        Item={"pk": {"S": "a"}, "sk": {"S": "1"}, "g": {"S": "x"}, "l": {"N": "5"}},
        ReturnConsumedCapacity="INDEXES", ReturnItemCollectionMetrics="SIZE",
    )
    assert response["ConsumedCapacity"] == {
        "TableName": "indexed", "CapacityUnits": 3.0, "Table": {"CapacityUnits": 1.0},
        "LocalSecondaryIndexes": {"byL": {"CapacityUnits": 1.0}},
        "GlobalSecondaryIndexes": {"byG": {"CapacityUnits": 1.0}},
    }
    assert response["ItemCollectionMetrics"] == {
        "ItemCollectionKey": {"pk": {"S": "a"}}, "SizeEstimateRangeGB": [0.0, 1.0],
    }


def test_update_moving_an_index_key_costs_two_index_writes(client):
    _indexed_table(client)
    key = {"pk": {"S": "a"}, "sk": {"S": "1"}}
    client.put_item(TableName="indexed", Item=dict(key, g={"S": "x"}))
    response = client.update_item(
        TableName="indexed", Key=key, UpdateExpression="SET g = :g",
        ExpressionAttributeValues={":g": {"S": "y"}}, ReturnConsumedCapacity="INDEXES",
    )
    assert response["ConsumedCapacity"]["GlobalSecondaryIndexes"] == {
        "byG": {"CapacityUnits": 2.0}
    }
    assert response["ConsumedCapacity"]["CapacityUnits"] == 3.0


def test_update_emptying_an_index_key_is_rejected(client):
    _indexed_table(client)
    key = {"pk": {"S": "a"}, "sk": {"S": "1"}}
    client.put_item(TableName="indexed", Item=dict(key, g={"S": "x"}))
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.update_item(
            TableName="indexed", Key=key, UpdateExpression="SET g = :g",
            ExpressionAttributeValues={":g": {"S": ""}},
        )
    assert excinfo.value.response["Error"]["Message"] == (
        "One or more parameter values are not valid. The update expression attempted to update "
        "a secondary index key to a value that is not supported. The AttributeValue for a key "
        "attribute cannot contain an empty string value."
    )


def test_batch_write_reports_metrics_per_table(client):
    _indexed_table(client)
    response = client.batch_write_item(
        RequestItems={"indexed": [{"PutRequest": {"Item": {
            "pk": {"S": "b"}, "sk": {"S": "1"}, "g": {"S": "x"}}}}]},
        ReturnConsumedCapacity="INDEXES", ReturnItemCollectionMetrics="SIZE",
    )
    assert response["ItemCollectionMetrics"] == {"indexed": [
        {"ItemCollectionKey": {"pk": {"S": "b"}}, "SizeEstimateRangeGB": [0.0, 1.0]}
    ]}
    assert response["ConsumedCapacity"] == [{
        "TableName": "indexed", "CapacityUnits": 2.0, "Table": {"CapacityUnits": 1.0},
        "GlobalSecondaryIndexes": {"byG": {"CapacityUnits": 1.0}},
    }]
