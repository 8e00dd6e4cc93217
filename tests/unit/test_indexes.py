"""Secondary-index upkeep in the engine: entries, checks, capacity, collections, backfill.

The property test writes random items through every write path and checks after each
step that every index holds exactly the projection of the table computed from scratch.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ddblite
from ddblite.engine import indexes
from ddblite.engine.items import record_size, unpack_record
from ddblite.errors import ItemCollectionSizeLimitExceededException, ValidationException
from ddblite.native import item_size
from ddblite.storage.interface import prefix_end

DEFINITIONS = [
    {"AttributeName": name, "AttributeType": kind}
    for name, kind in (("pk", "S"), ("sk", "N"), ("g", "S"), ("g2", "N"), ("ls", "S"),
                       ("m1", "S"), ("m2", "N"))
]
GSIS = [
    {"IndexName": "byG", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                       {"AttributeName": "g2", "KeyType": "RANGE"}],
     "Projection": {"ProjectionType": "KEYS_ONLY"}},
    {"IndexName": "byGall", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
     "Projection": {"ProjectionType": "ALL"}},
    {"IndexName": "multi", "KeySchema": [{"AttributeName": "m1", "KeyType": "HASH"},
                                         {"AttributeName": "m2", "KeyType": "HASH"},
                                         {"AttributeName": "g", "KeyType": "RANGE"},
                                         {"AttributeName": "g2", "KeyType": "RANGE"}],
     "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x"]}},
]
LSIS = [
    {"IndexName": "byLs", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                        {"AttributeName": "ls", "KeyType": "RANGE"}],
     "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x"]}},
]


def make_table(db, name="things"):
    client = db.client()
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=DEFINITIONS, BillingMode="PAY_PER_REQUEST",
        GlobalSecondaryIndexes=GSIS, LocalSecondaryIndexes=LSIS,
    )
    return client


def table_info(db, name="things"):
    return db.storage.read(lambda txn: db.catalog.get(txn, db.region, name))


def entries(db, index):
    """{entry key: projected item} of one index, read straight from storage."""
    def run(txn):
        return {
            key: (unpack_record(raw), record_size(raw))
            for key, raw in txn.range("index", index.prefix, prefix_end(index.prefix))
        }
    return db.storage.read(run)


def expected_entries(db, table, index):
    """The index computed from scratch: every table item with all index keys, projected."""
    def run(txn):
        items = list(txn.range("items", table.prefix, prefix_end(table.prefix)))
        expected = {}
        for key, raw in items:
            item = unpack_record(raw)
            entry = index.entry_key(item, key)
            if entry is not None:
                projected = index.project(item)
                expected[entry] = (projected, item_size(projected))
        return expected
    return db.storage.read(run)


def item(pk, sk, **attrs):
    result = {"pk": {"S": pk}, "sk": {"N": str(sk)}}
    for name, value in attrs.items():
        result[name] = {"N": str(value)} if isinstance(value, int) else {"S": value}
    return result


@pytest.fixture
def mem_db():
    with ddblite.connect(":memory:") as db:
        yield db


def test_table_info_lists_indexes_with_numbers(mem_db):
    make_table(mem_db)
    table = table_info(mem_db)
    assert [(i.name, i.number, i.is_global) for i in table.indexes] == [
        ("byLs", 0, False), ("byG", 1, True), ("byGall", 2, True), ("multi", 3, True)]
    assert table.index("multi").hash_attrs == [("m1", "S"), ("m2", "N")]
    assert table.index("nope") is None
    assert table.has_lsi


def test_sparse_entries_move_and_drop(mem_db):
    client = make_table(mem_db)
    by_g = table_info(mem_db).index("byG")
    client.put_item(TableName="things", Item=item("a", 1, g="x"))  # no g2: not in byG
    assert entries(mem_db, by_g) == {}
    client.put_item(TableName="things", Item=item("a", 1, g="x", g2=5, y="big"))
    (key, (projected, _)), = entries(mem_db, by_g).items()
    assert projected == item("a", 1, g="x", g2=5)  # KEYS_ONLY: index and table keys
    client.put_item(TableName="things", Item=item("a", 1, g="z", g2=5))
    (moved, _), = entries(mem_db, by_g).values()
    assert moved["g"] == {"S": "z"} and len(entries(mem_db, by_g)) == 1
    client.delete_item(TableName="things", Key=item("a", 1))
    assert entries(mem_db, by_g) == {}


def test_gsi_keys_need_not_be_unique(mem_db):
    client = make_table(mem_db)
    for sk in range(3):
        client.put_item(TableName="things", Item=item("a", sk, g="same", g2=1))
    assert len(entries(mem_db, table_info(mem_db).index("byG"))) == 3


def test_check_item_reports_type_mismatch_before_empty_values_by_index_name(mem_db):
    make_table(mem_db)
    checks = table_info(mem_db).index_checks
    with pytest.raises(ValidationException) as caught:
        indexes.check_item(checks, item("a", 1, g="", m2="not a number"))
    assert caught.value.message == (
        "One or more parameter values were invalid: Type mismatch for Index Key m2 "
        "Expected: N Actual: S IndexName: multi"
    )
    with pytest.raises(ValidationException) as caught:
        indexes.check_item(checks, item("a", 1, g=""))
    assert caught.value.message == (
        "One or more parameter values are not valid. A value specified for a secondary index "
        "key is not supported. The AttributeValue for a key attribute cannot contain an empty "
        "string value. IndexName: byG, IndexKey: g"
    )


def test_write_units_per_index(mem_db):
    make_table(mem_db)
    table = table_info(mem_db)
    by_g = table.index("byG")

    def put(new):
        from ddblite.engine import items
        return mem_db.storage.write(
            lambda txn: items.put(txn, mem_db.catalog, table, table.item_key(new), new,
                                  item_size(new)))

    first = put(item("a", 1, g="x", g2=1, ls="l"))
    assert {(w.index.name, w.units) for w in first.index_writes} == {
        ("byG", 1.0), ("byGall", 1.0), ("byLs", 1.0)}
    # A change outside the KEYS_ONLY projection costs byG nothing; byGall rewrites.
    second = put(item("a", 1, g="x", g2=1, ls="l", y="changed"))
    assert {w.index.name for w in second.index_writes} == {"byGall"}
    # A changed index key deletes and puts: two writes.
    third = put(item("a", 1, g="x", g2=2, ls="l", y="changed"))
    assert [w.units for w in third.index_writes if w.index is by_g] == [2.0]
    old, old_size = third  # still unpacks as (old item, old size)
    assert old["y"] == {"S": "changed"} and old_size > 0


def test_describe_stats_follow_writes(mem_db):
    client = make_table(mem_db)
    client.put_item(TableName="things", Item=item("a", 1, g="x", g2=1))
    client.put_item(TableName="things", Item=item("a", 2, g="x", g2=2))
    client.delete_item(TableName="things", Key=item("a", 1))
    table = table_info(mem_db)
    count, size = mem_db.storage.read(lambda txn: indexes.stats(txn, table.index("byG")))
    assert count == 1
    assert size == sum(s for _, s in entries(mem_db, table.index("byG")).values())


def test_item_collection_limit(mem_db, monkeypatch):
    client = make_table(mem_db)
    monkeypatch.setattr(indexes, "ITEM_COLLECTION_LIMIT", 200)
    client.put_item(TableName="things", Item=item("a", 1, ls="l", x="x" * 60))
    with pytest.raises(ItemCollectionSizeLimitExceededException) as caught:
        client.put_item(TableName="things", Item=item("a", 2, ls="l", x="x" * 60))
    assert caught.value.message == "Item collection size limit exceeded."
    # Another partition key value is another collection; shrinking is always allowed.
    client.put_item(TableName="things", Item=item("b", 2, ls="l", x="x" * 60))
    client.put_item(TableName="things", Item=item("a", 1))
    table = table_info(mem_db)
    size = mem_db.storage.read(
        lambda txn: indexes.collection_size(txn, table.partition_prefix("a")))
    assert size == item_size(item("a", 1))


def test_collection_metrics_shape():
    assert indexes.collection_metrics("pk", {"S": "a"}, 10) == {
        "ItemCollectionKey": {"pk": {"S": "a"}}, "SizeEstimateRangeGB": [0.0, 1.0]}


def test_backfill_in_chunks_equals_a_full_build(mem_db):
    client = make_table(mem_db)
    for sk in range(25):
        client.put_item(TableName="things", Item=item("p", sk, g=f"g{sk % 3}", g2=sk))
    table = table_info(mem_db)
    index = table.index("byG")
    expected = entries(mem_db, index)
    mem_db.storage.write(lambda txn: indexes.drop(txn, index))
    assert entries(mem_db, index) == {}
    after, rounds = None, 0
    while True:
        added, after = mem_db.storage.write(
            lambda txn, after=after: indexes.backfill(txn, index, table.prefix, after, 7))
        rounds += 1
        if after is None:
            break
    assert rounds == 4
    assert entries(mem_db, index) == expected
    assert mem_db.storage.read(lambda txn: indexes.stats(txn, index))[0] == 25


# ---------------------------------------------------------------- property test

_pks = st.sampled_from(["a", "b", "c"])
_sks = st.integers(0, 4)
_maybe_s = st.one_of(st.none(), st.sampled_from(["x", "y", "z"]))
_maybe_n = st.one_of(st.none(), st.integers(-2, 2))
_attrs = st.fixed_dictionaries({
    "g": _maybe_s, "g2": _maybe_n, "ls": _maybe_s, "m1": _maybe_s, "m2": _maybe_n,
    "x": _maybe_s, "y": _maybe_s,
})
_ops = st.lists(st.tuples(st.sampled_from(["put", "delete", "update", "batch"]), _pks, _sks,
                          _attrs), min_size=1, max_size=25)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_ops)
def test_indexes_equal_a_projection_of_the_table(ops):
    with ddblite.connect(":memory:") as db:
        client = make_table(db)
        table = table_info(db)
        for op, pk, sk, attrs in ops:
            values = {name: value for name, value in attrs.items() if value is not None}
            if op == "put":
                client.put_item(TableName="things", Item=item(pk, sk, **values))
            elif op == "batch":
                client.batch_write_item(RequestItems={"things": [
                    {"PutRequest": {"Item": item(pk, sk, **values)}},
                    {"DeleteRequest": {"Key": item(pk, (sk + 1) % 5)}},
                ]})
            elif op == "delete":
                client.delete_item(TableName="things", Key=item(pk, sk))
            else:
                sets = {name: value for name, value in values.items()}
                removes = [name for name, value in attrs.items() if value is None]
                parts = []
                names, vals = {}, {}
                if sets:
                    parts.append("SET " + ", ".join(f"#{n} = :{n}" for n in sets))
                    vals = {f":{n}": ({"N": str(v)} if isinstance(v, int) else {"S": v})
                            for n, v in sets.items()}
                if removes:
                    parts.append("REMOVE " + ", ".join(f"#{n}" for n in removes))
                names = {f"#{n}": n for n in list(sets) + removes}
                kwargs = {"ExpressionAttributeValues": vals} if vals else {}
                client.update_item(TableName="things", Key=item(pk, sk),
                                   UpdateExpression=" ".join(parts),
                                   ExpressionAttributeNames=names, **kwargs)
            for index in table.indexes:
                assert entries(db, index) == expected_entries(db, table, index), index.name
        for index in table.indexes:
            count, size = db.storage.read(lambda txn, index=index: indexes.stats(txn, index))
            current = entries(db, index)
            assert (count, size) == (len(current), sum(s for _, s in current.values()))
