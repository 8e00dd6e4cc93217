"""Query and Scan with IndexName, through every front door."""

from __future__ import annotations

import pytest

from tests.conftest import error_of


def _schema(*elements):
    return [{"AttributeName": name, "KeyType": kind} for name, kind in elements]


@pytest.fixture
def table(client):
    definitions = [{"AttributeName": name, "AttributeType": kind} for name, kind in (
        ("pk", "S"), ("sk", "N"), ("g", "S"), ("g2", "N"), ("l", "S"), ("t", "S"), ("r", "S"))]
    client.create_table(
        TableName="things", KeySchema=_schema(("pk", "HASH"), ("sk", "RANGE")),
        AttributeDefinitions=definitions, BillingMode="PAY_PER_REQUEST",
        GlobalSecondaryIndexes=[
            {"IndexName": "byG", "KeySchema": _schema(("g", "HASH"), ("g2", "RANGE")),
             "Projection": {"ProjectionType": "KEYS_ONLY"}},
            {"IndexName": "multi",
             "KeySchema": _schema(("t", "HASH"), ("r", "HASH"), ("g", "RANGE"), ("g2", "RANGE")),
             "Projection": {"ProjectionType": "ALL"}},
        ],
        LocalSecondaryIndexes=[
            {"IndexName": "byL", "KeySchema": _schema(("pk", "HASH"), ("l", "RANGE")),
             "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["inc"]}},
        ],
    )
    rows = [  # (pk, sk, g, g2)
        ("a", 1, "x", 30), ("a", 2, "x", 10), ("a", 3, "y", 20),
        ("b", 1, "x", 20), ("b", 2, "x", 20), ("b", 3, None, None),
    ]
    for pk, sk, g, g2 in rows:
        item = {"pk": {"S": pk}, "sk": {"N": str(sk)}, "l": {"S": f"l{4 - sk}"},
                "inc": {"S": "i"}, "big": {"S": "b" * 5000}, "t": {"S": "T"}, "r": {"S": pk}}
        if g is not None:
            item.update(g={"S": g}, g2={"N": str(g2)})
        client.put_item(TableName="things", Item=item)
    return client


def _keys(items):
    return [(i["pk"]["S"], int(i["sk"]["N"])) for i in items]


def _query(client, index, expression, values, **extra):
    return client.query(TableName="things", IndexName=index, KeyConditionExpression=expression,
                        ExpressionAttributeValues=values, **extra)


def test_gsi_query_is_sorted_by_index_key_then_table_key(table):
    found = _query(table, "byG", "g = :g", {":g": {"S": "x"}})
    assert _keys(found["Items"]) == [("a", 2), ("b", 1), ("b", 2), ("a", 1)]
    # KEYS_ONLY: the index key and table key attributes, nothing else.
    assert set(found["Items"][0]) == {"pk", "sk", "g", "g2"}
    backwards = _query(table, "byG", "g = :g", {":g": {"S": "x"}}, ScanIndexForward=False)
    assert _keys(backwards["Items"]) == [("a", 1), ("b", 2), ("b", 1), ("a", 2)]


@pytest.mark.parametrize("condition, values, expected", [
    ("g2 = :v", {":v": {"N": "20"}}, [("b", 1), ("b", 2)]),
    ("g2 < :v", {":v": {"N": "20"}}, [("a", 2)]),
    ("g2 <= :v", {":v": {"N": "20"}}, [("a", 2), ("b", 1), ("b", 2)]),
    ("g2 > :v", {":v": {"N": "20"}}, [("a", 1)]),
    ("g2 >= :v", {":v": {"N": "20"}}, [("b", 1), ("b", 2), ("a", 1)]),
    ("g2 BETWEEN :v AND :w", {":v": {"N": "15"}, ":w": {"N": "30"}},
     [("b", 1), ("b", 2), ("a", 1)]),
])
def test_gsi_sort_conditions(table, condition, values, expected):
    found = _query(table, "byG", f"g = :g AND {condition}", {":g": {"S": "x"}, **values})
    assert _keys(found["Items"]) == expected


def test_sparse_gsi_leaves_out_items_without_the_key(table):
    assert table.scan(TableName="things", IndexName="byG")["Count"] == 5


def test_pagination_carries_index_and_table_key(table):
    seen, start = [], None
    while True:
        extra = {"ExclusiveStartKey": start} if start else {}
        page = _query(table, "byG", "g = :g", {":g": {"S": "x"}}, Limit=3, **extra)
        seen += _keys(page["Items"])
        start = page.get("LastEvaluatedKey")
        if start is None:
            break
        assert set(start) == {"g", "g2", "pk", "sk"}
    assert seen == [("a", 2), ("b", 1), ("b", 2), ("a", 1)]


def test_parallel_scan_of_an_index_covers_it_once(table):
    keys = []
    for segment in range(3):
        page = table.scan(TableName="things", IndexName="byG", Segment=segment, TotalSegments=3)
        keys += _keys(page["Items"])
    assert sorted(keys) == sorted(_keys(table.scan(TableName="things", IndexName="byG")["Items"]))


def test_multi_attribute_key_query(table):
    values = {":t": {"S": "T"}, ":r": {"S": "b"}, ":g": {"S": "x"}, ":n": {"N": "20"}}
    found = _query(table, "multi", "t = :t AND r = :r AND g = :g AND g2 >= :n", values)
    assert _keys(found["Items"]) == [("b", 1), ("b", 2)]
    everything = _query(table, "multi", "t = :t AND r = :r", {":t": {"S": "T"}, ":r": {"S": "a"}})
    assert _keys(everything["Items"]) == [("a", 2), ("a", 1), ("a", 3)]  # by g, then g2


@pytest.mark.parametrize("expression, message", [
    ("t = :t", "Query condition missed key schema element: r"),
    ("t = :t AND r = :r AND g2 = :n", "Query condition missed key schema element: g"),
    ("t = :t AND r = :r AND g > :g AND g2 = :n", "Query key condition not supported"),
    ("t = :t AND r > :r", "Query key condition not supported"),
])
def test_multi_attribute_key_rules(table, expression, message):
    values = {":t": {"S": "T"}, ":r": {"S": "a"}, ":g": {"S": "x"}, ":n": {"N": "1"}}
    used = {name: value for name, value in values.items() if name in expression}
    with pytest.raises(Exception) as caught:
        _query(table, "multi", expression, used)
    assert error_of(caught) == ("ValidationException", message)


def test_consistent_read_on_gsi_is_refused(table):
    with pytest.raises(Exception) as caught:
        _query(table, "byG", "g = :g", {":g": {"S": "x"}}, ConsistentRead=True)
    assert error_of(caught) == ("ValidationException",
                                "Consistent reads are not supported on global secondary indexes")


def test_unknown_index(table):
    with pytest.raises(Exception) as caught:
        _query(table, "nope", "g = :g", {":g": {"S": "x"}})
    assert error_of(caught) == ("ValidationException",
                                "The table does not have the specified index: nope")


def test_all_attributes_on_a_keys_only_gsi_is_refused(table):
    with pytest.raises(Exception) as caught:
        _query(table, "byG", "g = :g", {":g": {"S": "x"}}, Select="ALL_ATTRIBUTES")
    assert error_of(caught) == (
        "ValidationException",
        "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported "
        "for global secondary index byG because its projection type is not ALL",
    )


def test_lsi_query_fetches_unprojected_attributes_at_extra_cost(table):
    projected = _query(table, "byL", "pk = :p", {":p": {"S": "a"}},
                       ReturnConsumedCapacity="INDEXES")
    assert _keys(projected["Items"]) == [("a", 3), ("a", 2), ("a", 1)]  # by l: l1, l2, l3
    assert "big" not in projected["Items"][0] and projected["Items"][0]["inc"] == {"S": "i"}
    assert projected["ConsumedCapacity"] == {
        "TableName": "things", "CapacityUnits": 0.5, "Table": {"CapacityUnits": 0.0},
        "LocalSecondaryIndexes": {"byL": {"CapacityUnits": 0.5}},
    }
    fetched = _query(table, "byL", "pk = :p", {":p": {"S": "a"}}, Select="ALL_ATTRIBUTES",
                     ReturnConsumedCapacity="INDEXES")
    assert fetched["Items"][0]["big"] == {"S": "b" * 5000}
    # Each ~5 KB item fetched from the table: 2 units each, halved (eventually consistent).
    assert fetched["ConsumedCapacity"]["Table"] == {"CapacityUnits": 3.0}
    assert fetched["ConsumedCapacity"]["CapacityUnits"] == 3.5


def test_gsi_query_capacity_is_charged_to_the_index(table):
    found = _query(table, "byG", "g = :g", {":g": {"S": "x"}}, ReturnConsumedCapacity="INDEXES")
    assert found["ConsumedCapacity"] == {
        "TableName": "things", "CapacityUnits": 0.5, "Table": {"CapacityUnits": 0.0},
        "GlobalSecondaryIndexes": {"byG": {"CapacityUnits": 0.5}},
    }


def test_filter_on_an_index_key_is_refused(table):
    with pytest.raises(Exception) as caught:
        _query(table, "byG", "g = :g", {":g": {"S": "x"}, ":n": {"N": "1"}},
               FilterExpression="g2 > :n")
    assert error_of(caught) == (
        "ValidationException",
        "Filter Expression can only contain non-primary key attributes: "
        "Primary key attribute: g2",
    )


def test_start_key_outside_the_query(table):
    start = {"g": {"S": "y"}, "g2": {"N": "20"}, "pk": {"S": "a"}, "sk": {"N": "3"}}
    with pytest.raises(Exception) as caught:
        _query(table, "byG", "g = :g", {":g": {"S": "x"}}, ExclusiveStartKey=start)
    assert error_of(caught) == (
        "ValidationException",
        "The provided starting key is outside query boundaries based on provided conditions",
    )
    with pytest.raises(Exception) as caught:
        _query(table, "byG", "g = :g", {":g": {"S": "x"}},
               ExclusiveStartKey={"g": {"S": "x"}, "pk": {"S": "a"}, "sk": {"N": "3"}})
    assert error_of(caught) == ("ValidationException", "The provided starting key is invalid")


def test_updates_move_entries_between_query_results(table):
    key = {"pk": {"S": "a"}, "sk": {"N": "3"}}
    table.update_item(TableName="things", Key=key, UpdateExpression="SET g = :g",
                      ExpressionAttributeValues={":g": {"S": "x"}})
    assert ("a", 3) in _keys(_query(table, "byG", "g = :g", {":g": {"S": "x"}})["Items"])
    table.delete_item(TableName="things", Key=key)
    assert ("a", 3) not in _keys(_query(table, "byG", "g = :g", {":g": {"S": "x"}})["Items"])
