"""Scan: validation (and its order) -> behaviour, including parallel scan."""

from __future__ import annotations

import pytest

import ddblite
from tests.conftest import create_table, error_of

START_KEY_INVALID = "The provided starting key is invalid"


def message_of(client, **params) -> tuple[str, str]:
    params.setdefault("TableName", "things")
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.scan(**params)
    return error_of(excinfo)


def put_items(client, count: int, table: str = "things") -> None:
    for start in range(0, count, 25):
        requests = [
            {"PutRequest": {"Item": {"pk": {"S": f"k{i}"}, "n": {"N": str(i)}}}}
            for i in range(start, min(count, start + 25))
        ]
        client.batch_write_item(RequestItems={table: requests})


def scan_all(client, **params) -> list[dict]:
    items, start = [], None
    while True:
        page = client.scan(TableName="things", **params,
                           **({"ExclusiveStartKey": start} if start else {}))
        items.extend(page["Items"])
        start = page.get("LastEvaluatedKey")
        if start is None:
            return items


@pytest.fixture
def hashed(client):
    create_table(client)
    put_items(client, 30)
    return client


# ------------------------------------------------------------------ validation


def test_limit_zero_keeps_the_value_and_lower_case(db):
    with pytest.raises(Exception) as excinfo:
        db.call("Scan", {"TableName": "things", "Limit": 0})
    assert error_of(excinfo)[1] == (
        "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1"
    )


def test_constraint_errors_are_collected_in_order(db):
    with pytest.raises(Exception) as excinfo:
        db.call("Scan", {"TableName": "things", "Select": "hi", "TotalSegments": 0,
                         "ReturnConsumedCapacity": "x", "Segment": -1, "Limit": -1,
                         "ScanFilter": {"a": {"ComparisonOperator": ""}}})
    assert error_of(excinfo)[1] == (
        "6 validation errors detected: "
        "Value 'hi' at 'select' failed to satisfy constraint: Member must satisfy enum value set: "
        "[SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]; "
        "Value '0' at 'totalSegments' failed to satisfy constraint: Member must have value "
        "greater than or equal to 1; "
        "Value 'x' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy "
        "enum value set: [INDEXES, TOTAL, NONE]; "
        "Value '' at 'scanFilter.a.member.comparisonOperator' failed to satisfy constraint: "
        "Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, "
        "NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]; "
        "Value '-1' at 'segment' failed to satisfy constraint: Member must have value greater "
        "than or equal to 0; "
        "Value '-1' at 'limit' failed to satisfy constraint: Member must have value greater than "
        "or equal to 1"
    )


def test_segment_upper_bounds(db):
    with pytest.raises(Exception) as excinfo:
        db.call("Scan", {"TableName": "things", "Segment": 1_000_000, "TotalSegments": 1_000_001})
    assert error_of(excinfo)[1] == (
        "2 validation errors detected: Value '1000001' at 'totalSegments' failed to satisfy "
        "constraint: Member must have value less than or equal to 1000000; Value '1000000' at "
        "'segment' failed to satisfy constraint: Member must have value less than or equal to "
        "999999"
    )


@pytest.mark.parametrize(
    "params, message",
    [
        ({"Segment": 0}, "The TotalSegments parameter is required but was not present in the "
         "request when Segment parameter is present"),
        ({"TotalSegments": 4}, "The Segment parameter is required but was not present in the "
         "request when parameter TotalSegments is present"),
        ({"Segment": 5, "TotalSegments": 5}, "The Segment parameter is zero-based and must be "
         "less than parameter TotalSegments: Segment: 5 is not less than TotalSegments: 5"),
        ({"FilterExpression": "a = :a", "ScanFilter": {}, "AttributesToGet": ["a"]},
         "Can not use both expression and non-expression parameters in the same request: "
         "Non-expression parameters: {AttributesToGet, ScanFilter} "
         "Expression parameters: {FilterExpression}"),
        ({"ExpressionAttributeValues": {":a": {"S": "a"}}, "ProjectionExpression": "a"},
         "ExpressionAttributeValues can only be specified when using expressions: "
         "FilterExpression is null"),
        ({"Select": "SPECIFIC_ATTRIBUTES"}, "Must specify the AttributesToGet or "
         "ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES"),
        ({"Select": "COUNT", "ProjectionExpression": "pk"}, "Cannot specify the "
         "ProjectionExpression when choosing to get only the Count"),
        ({"Select": "ALL_ATTRIBUTES", "AttributesToGet": ["pk"]}, "Cannot specify the "
         "AttributesToGet when choosing to get ALL_ATTRIBUTES"),
        ({"Select": "ALL_PROJECTED_ATTRIBUTES"}, "ALL_PROJECTED_ATTRIBUTES can be used only when "
         "Querying using an IndexName"),
        ({"FilterExpression": ""}, "Invalid FilterExpression: The expression can not be empty;"),
        ({"ProjectionExpression": "a, a"}, "Invalid ProjectionExpression: Two document paths "
         "overlap with each other; must remove or rewrite one of these paths; path one: [a], "
         "path two: [a]"),
        ({"ExclusiveStartKey": {"pk": {"S": "a", "N": "1"}}}, "The provided starting key is "
         "invalid: Supplied AttributeValue has more than one datatypes set, must contain exactly "
         "one of the supported datatypes"),
        ({"ExclusiveStartKey": {"pk": {"NS": ["1", "1.0"]}}},
         "Input collection contains duplicates"),
        ({"ScanFilter": {"a": {"ComparisonOperator": "IN", "AttributeValueList": [{"S": "b"},
                                                                                  {"N": "1"}]}}},
         "One or more parameter values were invalid: AttributeValues inside AttributeValueList "
         "must be of same type"),
    ],
)
def test_request_errors_come_before_the_table(client, params, message):
    assert message_of(client, TableName="missing", **params) == ("ValidationException", message)


def test_missing_table(client):
    assert message_of(client, TableName="missing") == (
        "ResourceNotFoundException", "Requested resource not found",
    )


@pytest.mark.parametrize(
    "start, message",
    [
        ({}, f"{START_KEY_INVALID}: The provided key element does not match the schema"),
        ({"x": {"S": "a"}}, f"{START_KEY_INVALID}: The provided key element does not match "
         "the schema"),
        ({"pk": {"N": "1"}}, f"{START_KEY_INVALID}: The provided key element does not match "
         "the schema"),
        ({"pk": {"S": ""}}, f"{START_KEY_INVALID}: One or more parameter values are not valid. "
         "The AttributeValue for a key attribute cannot contain an empty string value. Key: pk"),
    ],
)
def test_exclusive_start_key_against_the_schema(hashed, start, message):
    assert message_of(hashed, ExclusiveStartKey=start) == ("ValidationException", message)


def test_exclusive_start_key_from_another_segment(hashed):
    first = hashed.scan(TableName="things", Segment=1, TotalSegments=2, Limit=1)
    start = first["LastEvaluatedKey"]
    assert message_of(hashed, Segment=0, TotalSegments=2, ExclusiveStartKey=start,
                      FilterExpression="attribute_exists(pk.b)") == (
        "ValidationException",
        f"{START_KEY_INVALID}: Invalid ExclusiveStartKey. Please use ExclusiveStartKey with "
        "correct Segment. TotalSegments: 2 Segment: 0",
    )


@pytest.mark.parametrize(
    "params",
    [
        {"FilterExpression": "attribute_exists(#a.b.c)", "ExpressionAttributeNames": {"#a": "pk"}},
        {"FilterExpression": "attribute_exists(pk[0])"},
        {"ProjectionExpression": "pk.x"},
    ],
)
def test_paths_inside_key_attributes(hashed, params):
    assert message_of(hashed, **params)[1] == (
        "Key attributes must be scalars; list random access '[]' and map lookup '.' are not "
        "allowed: Key: pk"
    )


def test_filter_may_name_key_attributes(hashed):
    page = hashed.scan(TableName="things", FilterExpression="pk = :k",
                       ExpressionAttributeValues={":k": {"S": "k7"}})
    assert page["Items"] == [{"pk": {"S": "k7"}, "n": {"N": "7"}}]
    assert page["ScannedCount"] == 30


# ------------------------------------------------------------------ behaviour


def test_full_scan_returns_every_item_in_a_stable_order(hashed):
    first = hashed.scan(TableName="things")
    assert sorted(int(item["n"]["N"]) for item in first["Items"]) == list(range(30))
    assert (first["Count"], first["ScannedCount"]) == (30, 30)
    assert "LastEvaluatedKey" not in first
    assert hashed.scan(TableName="things")["Items"] == first["Items"]
    assert scan_all(hashed, Limit=7) == first["Items"]


def test_scan_order_survives_reopening(tmp_path):
    path = str(tmp_path / "db")
    with ddblite.connect(path) as db:
        client = db.client()
        create_table(client)
        put_items(client, 40)
        before = client.scan(TableName="things")["Items"]
    with ddblite.connect(path) as db:
        assert db.client().scan(TableName="things")["Items"] == before


def test_parallel_segments_cover_every_item_once(hashed):
    for total in (1, 2, 3, 7, 64):
        seen = []
        for segment in range(total):
            seen.extend(scan_all(hashed, Segment=segment, TotalSegments=total, Limit=4))
        assert sorted(int(item["n"]["N"]) for item in seen) == list(range(30))


def test_filter_projection_and_select(hashed):
    filtered = hashed.scan(TableName="things", FilterExpression="n < :n",
                           ExpressionAttributeValues={":n": {"N": "5"}},
                           ProjectionExpression="n")
    assert sorted(int(item["n"]["N"]) for item in filtered["Items"]) == list(range(5))
    assert all(set(item) == {"n"} for item in filtered["Items"])
    counted = hashed.scan(TableName="things", Select="COUNT", FilterExpression="n >= :n",
                          ExpressionAttributeValues={":n": {"N": "10"}})
    assert "Items" not in counted
    assert (counted["Count"], counted["ScannedCount"]) == (20, 30)


def test_legacy_scan_filter_and_attributes_to_get(hashed):
    page = hashed.scan(
        TableName="things",
        ScanFilter={"n": {"ComparisonOperator": "BETWEEN",
                          "AttributeValueList": [{"N": "3"}, {"N": "5"}]}},
        AttributesToGet=["pk"],
        Select="SPECIFIC_ATTRIBUTES",
    )
    assert sorted(item["pk"]["S"] for item in page["Items"]) == ["k3", "k4", "k5"]


def test_consumed_capacity(hashed):
    total = hashed.scan(TableName="things", ReturnConsumedCapacity="TOTAL", ConsistentRead=True)
    # 30 items of 6-8 bytes each: well under one 4 KB unit.
    assert total["ConsumedCapacity"] == {"TableName": "things", "CapacityUnits": 1.0}
    indexes = hashed.scan(TableName="things", ReturnConsumedCapacity="INDEXES")
    assert indexes["ConsumedCapacity"] == {
        "TableName": "things", "CapacityUnits": 0.5, "Table": {"CapacityUnits": 0.5},
    }
    assert "ConsumedCapacity" not in hashed.scan(TableName="things")


def test_unknown_index_is_rejected(hashed):
    assert message_of(hashed, IndexName="byN") == (
        "ValidationException", "The table does not have the specified index: byN",
    )
