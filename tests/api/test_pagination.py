"""Pagination of Query and Scan: Limit, the 1 MB page, LastEvaluatedKey, resumption."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ddblite
from tests.conftest import create_table

BIG = "x" * 100_000  # an item of a little over 100 KB


def pages(call, **params):
    """Every page of a paged read, following LastEvaluatedKey to the end."""
    start = None
    while True:
        page = call(**params, **({"ExclusiveStartKey": start} if start else {}))
        yield page
        start = page.get("LastEvaluatedKey")
        if start is None:
            return


def query_pages(client, pk="p", **params):
    params.setdefault("ExpressionAttributeValues", {":p": {"S": pk}})
    return list(pages(client.query, TableName="things", KeyConditionExpression="pk = :p",
                      **params))


def put_many(client, items, table="things"):
    for start in range(0, len(items), 25):
        batch = [{"PutRequest": {"Item": item}} for item in items[start:start + 25]]
        client.batch_write_item(RequestItems={table: batch})


@pytest.fixture
def ranged(client):
    create_table(client, range_key=("sk", "N"))
    return client


# ------------------------------------------------------------------ page limits


def test_limit_counts_items_read_before_the_filter(ranged):
    put_many(ranged, [{"pk": {"S": "p"}, "sk": {"N": str(i)}, "even": {"BOOL": i % 2 == 0}}
                      for i in range(10)])
    got = query_pages(ranged, Limit=3, FilterExpression="even = :t",
                      ExpressionAttributeValues={":p": {"S": "p"}, ":t": {"BOOL": True}})
    assert [page["ScannedCount"] for page in got] == [3, 3, 3, 1]
    assert [page["Count"] for page in got] == [2, 1, 2, 0]
    assert [item["sk"]["N"] for page in got for item in page["Items"]] == ["0", "2", "4", "6", "8"]


def test_a_page_at_exactly_the_limit_still_has_a_last_evaluated_key(ranged):
    put_many(ranged, [{"pk": {"S": "p"}, "sk": {"N": str(i)}} for i in range(4)])
    got = query_pages(ranged, Limit=2)
    assert [page["Count"] for page in got] == [2, 2, 0]
    assert got[1]["LastEvaluatedKey"] == {"pk": {"S": "p"}, "sk": {"N": "3"}}


def test_a_page_stops_once_one_megabyte_was_read(ranged):
    put_many(ranged, [{"pk": {"S": "p"}, "sk": {"N": str(i)}, "x": {"S": BIG}}
                      for i in range(25)])
    got = query_pages(ranged, ProjectionExpression="sk")
    # Each item is a little over 100 KB: the 11th crosses 1 MB and ends the page.
    assert [page["Count"] for page in got] == [11, 11, 3]
    assert got[0]["LastEvaluatedKey"] == {"pk": {"S": "p"}, "sk": {"N": "10"}}
    limited = query_pages(ranged, Limit=5, ProjectionExpression="sk")
    assert [page["Count"] for page in limited] == [5, 5, 5, 5, 5, 0]


def test_a_big_page_is_billed_by_what_it_read(ranged):
    put_many(ranged, [{"pk": {"S": "p"}, "sk": {"N": str(i)}, "x": {"S": BIG}}
                      for i in range(12)])
    first = query_pages(ranged, Select="COUNT", ReturnConsumedCapacity="TOTAL",
                        ConsistentRead=True)[0]
    # 11 items of about 100,008 bytes = 1,100,087 bytes -> 269 units of 4 KB.
    assert first["ConsumedCapacity"]["CapacityUnits"] == 269.0


def test_scan_pages_also_stop_at_one_megabyte(client):
    create_table(client)
    put_many(client, [{"pk": {"S": f"k{i}"}, "x": {"S": BIG}} for i in range(25)])
    got = list(pages(client.scan, TableName="things", ProjectionExpression="pk"))
    assert [page["Count"] for page in got] == [11, 11, 3]
    assert all(set(page["LastEvaluatedKey"]) == {"pk"} for page in got[:2])


# ------------------------------------------------------------------ resumption


def test_a_start_key_of_a_deleted_item_still_works(ranged):
    put_many(ranged, [{"pk": {"S": "p"}, "sk": {"N": str(i)}} for i in range(6)])
    first = ranged.query(TableName="things", KeyConditionExpression="pk = :p",
                         ExpressionAttributeValues={":p": {"S": "p"}}, Limit=3)
    ranged.delete_item(TableName="things", Key=first["LastEvaluatedKey"])
    rest = ranged.query(TableName="things", KeyConditionExpression="pk = :p",
                        ExpressionAttributeValues={":p": {"S": "p"}},
                        ExclusiveStartKey=first["LastEvaluatedKey"])
    assert [item["sk"]["N"] for item in rest["Items"]] == ["3", "4", "5"]
    back = ranged.query(TableName="things", KeyConditionExpression="pk = :p",
                        ExpressionAttributeValues={":p": {"S": "p"}}, ScanIndexForward=False,
                        ExclusiveStartKey={"pk": {"S": "p"}, "sk": {"N": "2.5"}})
    assert [item["sk"]["N"] for item in back["Items"]] == ["1", "0"]
    scanned = ranged.scan(TableName="things", ExclusiveStartKey=first["LastEvaluatedKey"])
    assert "LastEvaluatedKey" not in scanned


def test_paging_while_writing_neither_repeats_nor_skips(client):
    create_table(client)
    survivors = [{"pk": {"S": f"keep{i}"}} for i in range(40)]
    put_many(client, survivors + [{"pk": {"S": f"gone{i}"}} for i in range(40)])
    seen: list[str] = []
    start = None
    for step in itertools.count():
        page = client.scan(TableName="things", Limit=7,
                           **({"ExclusiveStartKey": start} if start else {}))
        seen.extend(item["pk"]["S"] for item in page["Items"])
        # Between pages: delete some items, add new ones, rewrite survivors.
        client.delete_item(TableName="things", Key={"pk": {"S": f"gone{step}"}})
        client.put_item(TableName="things", Item={"pk": {"S": f"new{step}"}})
        client.put_item(TableName="things", Item={"pk": {"S": f"keep{step % 40}"},
                                                  "v": {"N": str(step)}})
        start = page.get("LastEvaluatedKey")
        if start is None:
            break
    assert len(seen) == len(set(seen))
    assert {f"keep{i}" for i in range(40)} <= set(seen)


# ------------------------------------------------------------------ properties

_counter = itertools.count()


@pytest.fixture(scope="module", params=["memory", "lmdb"])
def shared_db(request, tmp_path_factory):
    path = ":memory:" if request.param == "memory" else str(tmp_path_factory.mktemp("db"))
    with ddblite.connect(path, durability=None if path == ":memory:" else "lazy") as db:
        yield db


def _fresh_table(db, items) -> str:
    name = f"table{next(_counter)}"
    create_table(db.client(), name, range_key=("sk", "N"))
    put_many(db.client(), items, name)
    return name


_items = st.lists(
    st.tuples(st.sampled_from("abc"), st.integers(-50, 50), st.integers(0, 3)),
    max_size=40, unique_by=lambda t: (t[0], t[1]),
).map(lambda rows: [
    {"pk": {"S": pk}, "sk": {"N": str(sk)}, "tag": {"N": str(tag)}} for pk, sk, tag in rows
])


@settings(max_examples=40, deadline=None)
@given(items=_items, limit=st.integers(1, 12), forward=st.booleans(), pk=st.sampled_from("abc"),
       filtered=st.booleans())
def test_query_pages_concatenate_to_the_full_result(shared_db, items, limit, forward, pk,
                                                    filtered):
    client = shared_db.client()
    name = _fresh_table(shared_db, items)
    params = {"TableName": name, "KeyConditionExpression": "pk = :p AND sk >= :low",
              "ExpressionAttributeValues": {":p": {"S": pk}, ":low": {"N": "-20"}},
              "ScanIndexForward": forward}
    if filtered:
        params["FilterExpression"] = "tag <> :t"
        params["ExpressionAttributeValues"][":t"] = {"N": "0"}
    full = client.query(**params)
    assert "LastEvaluatedKey" not in full
    paged = [item for page in pages(client.query, Limit=limit, **params) for item in page["Items"]]
    assert paged == full["Items"]
    expected = sorted(
        (item for item in items
         if item["pk"]["S"] == pk and int(item["sk"]["N"]) >= -20
         and not (filtered and item["tag"]["N"] == "0")),
        key=lambda item: int(item["sk"]["N"]), reverse=not forward,
    )
    assert full["Items"] == expected


@settings(max_examples=30, deadline=None)
@given(items=_items, limit=st.integers(1, 12), total=st.integers(1, 9))
def test_parallel_scan_segments_partition_the_table(shared_db, items, limit, total):
    client = shared_db.client()
    name = _fresh_table(shared_db, items)
    full = client.scan(TableName=name)["Items"]
    union = []
    for segment in range(total):
        for page in pages(client.scan, TableName=name, Segment=segment, TotalSegments=total,
                          Limit=limit):
            union.extend(page["Items"])
    key = lambda item: (item["pk"]["S"], int(item["sk"]["N"]))  # noqa: E731
    assert sorted(union, key=key) == sorted(items, key=key)
    assert len(full) == len(items)
    # Segments are contiguous ranges of the scan order, in segment order.
    assert union == full
