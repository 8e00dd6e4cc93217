"""ExecuteStatement (PartiQL) through every front door: SELECT, INSERT, UPDATE, DELETE,
parameters, paging, capacity and DynamoDB's error texts."""

from __future__ import annotations

import pytest

from tests.conftest import create_table, error_of

MALFORMED = "Statement wasn't well formed, can't be processed: "
INCOMPLETE_KEY = "Where clause does not contain a mandatory equality on all key attributes"


@pytest.fixture
def tables(client):
    create_table(client, "things")
    create_table(client, "sorted", range_key=("sk", "N"))
    return client


def run(client, statement: str, *params, **extra) -> dict:
    if params:
        extra["Parameters"] = list(params)
    return client.execute_statement(Statement=statement, **extra)


def items(client, statement: str, *params, **extra) -> list[dict]:
    return run(client, statement, *params, **extra)["Items"]


def failure(client, statement: str, *params, **extra) -> tuple[str, str]:
    with pytest.raises(Exception) as excinfo:
        run(client, statement, *params, **extra)
    return error_of(excinfo)


def get(client, pk: str, table: str = "things", **key) -> dict | None:
    full = {"pk": {"S": pk}, **key}
    return client.get_item(TableName=table, Key=full, ConsistentRead=True).get("Item")


def fill_sorted(client, count: int = 5) -> None:
    for n in range(count):
        run(client, "INSERT INTO sorted VALUE {'pk': 'p', 'sk': ?, 'v': ?}",
            {"N": str(n)}, {"S": f"v{n}"})


# ---------------------------------------------------------------- INSERT


def test_insert_literals_of_every_type(tables):
    assert items(tables, """INSERT INTO "things" VALUE {'pk': 'a', 's': 'x', 'n': 1.50,
        'neg': -2, 'b': true, 'z': null, 'l': [1, 'two', [3]], 'm': {'in': {'deep': 'y'}},
        'ss': <<'q', 'p'>>, 'ns': <<3, 1>>}""") == []
    assert get(tables, "a") == {
        "pk": {"S": "a"}, "s": {"S": "x"}, "n": {"N": "1.5"}, "neg": {"N": "-2"},
        "b": {"BOOL": True}, "z": {"NULL": True},
        "l": {"L": [{"N": "1"}, {"S": "two"}, {"L": [{"N": "3"}]}]},
        "m": {"M": {"in": {"M": {"deep": {"S": "y"}}}}},
        "ss": {"SS": ["p", "q"]}, "ns": {"NS": ["1", "3"]},
    }


def test_insert_with_parameters_including_binary(tables):
    run(tables, "INSERT INTO things VALUE {'pk': ?, 'blob': ?, 'bs': ?}",
        {"S": "a"}, {"B": b"\x00\x01"}, {"BS": [b"\x02", b"\x01"]})
    item = get(tables, "a")
    assert item["blob"] == {"B": b"\x00\x01"}
    assert item["bs"] == {"BS": [b"\x01", b"\x02"]}
    assert items(tables, "SELECT blob FROM things WHERE pk = 'a' AND blob = ?",
                 {"B": b"\x00\x01"}) == [{"blob": {"B": b"\x00\x01"}}]


def test_insert_of_an_existing_key_is_a_duplicate(tables):
    run(tables, "INSERT INTO things VALUE {'pk': 'a', 'v': 1}")
    assert failure(tables, "INSERT INTO things VALUE {'pk': 'a', 'v': 2}") == (
        "DuplicateItemException", "Duplicate primary key exists in table")
    assert get(tables, "a")["v"] == {"N": "1"}


def test_insert_after_delete_succeeds(tables):
    run(tables, "INSERT INTO things VALUE {'pk': 'a', 'v': 1}")
    run(tables, "DELETE FROM things WHERE pk = 'a'")
    run(tables, "INSERT INTO things VALUE {'pk': 'a', 'v': 2}")
    assert get(tables, "a")["v"] == {"N": "2"}


def test_insert_refusals(tables):
    assert failure(tables, "INSERT INTO things VALUES ('a')")[1] == (
        'Unsupported operation: Inserting multiple items in a single statement is not '
        'supported, use "INSERT INTO tableName VALUE item" instead')
    assert failure(tables, "INSERT INTO things VALUE 'a'")[1] == (
        "Unsupported format in item expression. Please use struct format {...} to express "
        "item values for insert statement.")
    assert failure(tables, "INSERT INTO things VALUE {'pk': 'a'} RETURNING ALL OLD *")[1] == (
        "RETURNING is not supported in INSERT")
    assert failure(tables, "INSERT INTO things VALUE {'pk': 'a', 's': <<>>}")[1] == (
        "Empty bags are not supported")
    assert failure(tables, "INSERT INTO things VALUE {'pk': 'a', 's': <<1, 'x'>>}")[1] == (
        "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags")
    code, _ = failure(tables, "INSERT INTO things VALUE {'other': 'a'}")
    assert code == "ValidationException"


# ---------------------------------------------------------------- SELECT


def test_select_by_key_and_with_a_filter(tables):
    run(tables, "INSERT INTO things VALUE {'pk': 'a', 'age': 30}")
    assert items(tables, "SELECT * FROM things WHERE pk = 'a'") == [
        {"pk": {"S": "a"}, "age": {"N": "30"}}]
    assert items(tables, "SELECT * FROM things WHERE pk = ?", {"S": "a"}) == [
        {"pk": {"S": "a"}, "age": {"N": "30"}}]
    assert len(items(tables, "SELECT * FROM things WHERE pk = 'a' AND age > 20")) == 1
    assert items(tables, "SELECT * FROM things WHERE pk = 'a' AND age > 40") == []
    assert items(tables, "SELECT * FROM things WHERE pk = 'missing'") == []


def test_select_projection_names_nested_paths_by_their_last_name(tables):
    run(tables, "INSERT INTO things VALUE {'pk': 'a', 'm': {'nested': 'deep'}, 'x': 1, "
                "'l': [{'k': 'first'}, 2]}")
    assert items(tables, "SELECT m.nested FROM things WHERE pk = 'a'") == [
        {"nested": {"S": "deep"}}]
    assert items(tables, 'SELECT "pk", m FROM things WHERE pk = \'a\'') == [
        {"pk": {"S": "a"}, "m": {"M": {"nested": {"S": "deep"}}}}]
    assert items(tables, "SELECT l[0].k FROM things WHERE pk = 'a'") == [{"k": {"S": "first"}}]
    assert items(tables, "SELECT nothing FROM things WHERE pk = 'a'") == [{}]


def test_select_sort_key_conditions_and_order(tables):
    fill_sorted(tables)
    keys = [item["sk"]["N"] for item in items(
        tables, "SELECT sk FROM sorted WHERE pk = 'p' AND sk >= 2 ORDER BY sk DESC")]
    assert keys == ["4", "3", "2"]
    keys = [item["sk"]["N"] for item in items(
        tables, "SELECT sk FROM sorted WHERE pk = 'p' AND sk BETWEEN 1 AND 3 AND v <> 'v2'")]
    assert keys == ["1", "3"]
    keys = [item["sk"]["N"] for item in items(
        tables, "SELECT sk FROM sorted WHERE 3 > sk AND pk = 'p'")]
    assert keys == ["0", "1", "2"]


def test_select_functions_and_predicates(tables):
    run(tables, "INSERT INTO things VALUE {'pk': 'a', 's': 'prefix-x', 'l': [1, 2], 'n': 5}")
    run(tables, "INSERT INTO things VALUE {'pk': 'b', 's': 'other', 'n': 7}")

    def pks(where: str) -> list[str]:
        return sorted(i["pk"]["S"] for i in items(tables, f"SELECT pk FROM things WHERE {where}"))

    assert pks("begins_with(s, 'prefix')") == ["a"]
    assert pks("contains(l, 2)") == ["a"]
    assert pks("l IS MISSING") == ["b"]
    assert pks("l IS NOT MISSING") == ["a"]
    assert pks("attribute_type(n, 'N')") == ["a", "b"]
    assert pks("n IN [5, 6]") == ["a"]
    assert pks("n BETWEEN 6 AND 7") == ["b"]
    assert pks("NOT n = 5") == ["b"]
    assert pks("n = 5 OR s = 'other'") == ["a", "b"]
    assert pks("size(s) > 5") == ["a"]
    assert pks("pk IN ['a', 'b', 'c']") == ["a", "b"]
    assert pks("pk = 'a' OR pk = 'b'") == ["a", "b"]
    assert pks("n <> 5") == ["b"]


def test_select_comparisons_of_sets_and_maps_ignore_order(tables):
    run(tables, "INSERT INTO things VALUE {'pk': 'a', 'ss': <<'a', 'b'>>, 'm': {'x': 1, 'y': 2}}")
    assert len(items(tables, "SELECT pk FROM things WHERE pk = 'a' AND ss = ?",
                     {"SS": ["b", "a"]})) == 1
    assert len(items(tables, "SELECT pk FROM things WHERE pk = 'a' AND m = {'y': 2, 'x': 1}")) == 1


def test_select_scan_paging_with_limit_and_next_token(tables):
    for n in range(5):
        run(tables, "INSERT INTO things VALUE {'pk': ?}", {"S": f"k{n}"})
    seen = []
    token = None
    while True:
        extra = {"Limit": 2}
        if token:
            extra["NextToken"] = token
        response = run(tables, "SELECT pk FROM things", **extra)
        seen.extend(item["pk"]["S"] for item in response["Items"])
        token = response.get("NextToken")
        if token is None:
            break
    assert sorted(seen) == [f"k{n}" for n in range(5)]


def test_select_in_on_the_partition_key_pages_across_partitions(tables):
    fill_sorted(tables, 3)
    run(tables, "INSERT INTO sorted VALUE {'pk': 'q', 'sk': 9}")
    first = run(tables, "SELECT sk FROM sorted WHERE pk IN ['p', 'q']", Limit=2)
    assert [i["sk"]["N"] for i in first["Items"]] == ["0", "1"]
    second = run(tables, "SELECT sk FROM sorted WHERE pk IN ['p', 'q']", Limit=2,
                 NextToken=first["NextToken"])
    assert [i["sk"]["N"] for i in second["Items"]] == ["2", "9"]


def test_order_by_across_partitions(tables):
    fill_sorted(tables, 2)
    run(tables, "INSERT INTO sorted VALUE {'pk': 'q', 'sk': 9}")
    statement = "SELECT pk, sk FROM sorted WHERE pk IN ['p', 'q'] ORDER BY pk DESC, sk DESC"
    assert [(i["pk"]["S"], i["sk"]["N"]) for i in items(tables, statement)] == [
        ("q", "9"), ("p", "1"), ("p", "0")]
    assert failure(tables, "SELECT * FROM sorted WHERE pk IN ['p', 'q'] ORDER BY sk")[1] == (
        "Must have hash key in ORDER BY clause when more than one hash key condition specified "
        "in WHERE clause.")


def test_next_token_of_another_statement_is_refused(tables):
    fill_sorted(tables, 3)
    token = run(tables, "SELECT sk FROM sorted", Limit=1)["NextToken"]
    assert failure(tables, "SELECT v FROM sorted", Limit=1, NextToken=token) == (
        "ValidationException", "NextToken does not match request")
    assert failure(tables, "SELECT v FROM sorted", NextToken="not-a-token") == (
        "ValidationException", "Invalid NextToken")


def test_select_capacity(tables):
    run(tables, "INSERT INTO things VALUE {'pk': 'a', 'v': 1}")
    response = run(tables, "SELECT * FROM things WHERE pk = 'a'", ReturnConsumedCapacity="TOTAL")
    assert response["ConsumedCapacity"] == {"TableName": "things", "CapacityUnits": 0.5}
    response = run(tables, "SELECT * FROM things WHERE pk = 'a'", ConsistentRead=True,
                   ReturnConsumedCapacity="TOTAL")
    assert response["ConsumedCapacity"]["CapacityUnits"] == 1.0


def test_select_on_an_index(tables):
    tables.create_table(
        TableName="indexed", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[{"IndexName": "by-g", "KeySchema": [
            {"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"}}],
    )
    run(tables, "INSERT INTO indexed VALUE {'pk': 'a', 'g': 'x', 'other': 1}")
    run(tables, "INSERT INTO indexed VALUE {'pk': 'b', 'g': 'y'}")
    run(tables, "INSERT INTO indexed VALUE {'pk': 'c'}")
    assert items(tables, 'SELECT * FROM "indexed"."by-g" WHERE g = \'x\'') == [
        {"pk": {"S": "a"}, "g": {"S": "x"}}]
    assert sorted(i["pk"]["S"] for i in items(tables, 'SELECT pk FROM "indexed"."by-g"')) == [
        "a", "b"]
    assert failure(tables, 'SELECT * FROM "indexed"."nope" WHERE g = \'x\'') == (
        "ValidationException", "The table does not have the specified index: nope")
    assert failure(tables, 'SELECT * FROM "indexed"."by-g" WHERE g = \'x\'',
                   ConsistentRead=True) == (
        "ValidationException",
        "Strongly consistent read is not supported on Global Secondary Indexes")


def test_select_errors(tables):
    assert failure(tables, 'SELECTT * FROMM "things"') == (
        "ValidationException", MALFORMED + "Expected data manipulation")
    assert failure(tables, "SELECT * FROM nothere WHERE pk = 'x'") == (
        "ResourceNotFoundException", "Requested resource not found")
    assert failure(tables, "SELECT * FROM things t")[1] == "Aliasing is not supported"
    assert failure(tables, "SELECT *, a FROM things")[1] == (
        "Other attributes should not be present in the projection when '*' is used.")
    assert failure(tables, "SELECT * FROM things WHERE pk = ?")[1] == (
        "Number of parameters in request and statement don't match.")
    assert failure(tables, "SELECT * FROM things WHERE pk = 'a' AND v < true")[1] == (
        "Incorrect operand type for operator or function; operator or function: <, "
        "operand type: BOOL")
    assert failure(tables, "SELECT * FROM things WHERE v BETWEEN ? AND ?",
                   {"BOOL": True}, {"BOOL": False})[1].startswith(
        "Incorrect operand type for operator or function; operator or function: BETWEEN")
    assert failure(tables, "SELECT * FROM things ORDER BY pk")[1] == (
        "Must have WHERE clause in the statement when using ORDER BY clause.")
    assert failure(tables, "SELECT * FROM things WHERE v = 1 ORDER BY pk")[1] == (
        "Must have at least one non-optional hash key condition in WHERE clause when using "
        "ORDER BY clause.")
    assert failure(tables, "SELECT * FROM things WHERE pk = 'a' ORDER BY v")[1] == (
        "Variable reference v in ORDER BY clause must be part of the primary key")
    assert failure(tables, "SELECT * FROM ab")[1] == (
        "Table name should be within the length [3, 255] and only contain 'a-z', 'A-Z', "
        "'0-9', '-', '_', '.'.")
    assert failure(tables, "SELECT * FROM things WHERE v = MISSING")[1] == (
        "MISSING must be compared using IS operator")
    assert failure(tables, "SELECT * FROM things WHERE upper(v) = 'A'")[1] == (
        "Unrecognized function: upper")
    assert failure(tables, "SELECT * FROM things WHERE v")[1] == (
        "WHERE clause must contain an expression that resolves to a boolean")


# ---------------------------------------------------------------- UPDATE


def test_update_set_remove_and_functions(tables):
    run(tables, "INSERT INTO things VALUE {'pk': 'a', 'n': 1, 'l': [1], 's': <<'x'>>, "
                "'gone': 1, 'm': {'k': 1}}")
    run(tables, "UPDATE things SET n = n + 2, l = list_append(l, [2]) "
                "SET s = set_add(s, <<'y'>>), m.k = 'new' REMOVE gone WHERE pk = 'a'")
    assert get(tables, "a") == {
        "pk": {"S": "a"}, "n": {"N": "3"}, "l": {"L": [{"N": "1"}, {"N": "2"}]},
        "s": {"SS": ["x", "y"]}, "m": {"M": {"k": {"S": "new"}}},
    }
    run(tables, "UPDATE things SET s = set_delete(s, <<'x', 'y'>>) WHERE pk = 'a'")
    assert "s" not in get(tables, "a")


def test_update_conditions(tables):
    run(tables, "INSERT INTO things VALUE {'pk': 'a', 'n': 1}")
    run(tables, "UPDATE things SET t = 'yes' WHERE pk = 'a' AND n = 1")
    assert get(tables, "a")["t"] == {"S": "yes"}
    assert failure(tables, "UPDATE things SET t = 'no' WHERE pk = 'a' AND n = 2") == (
        "ConditionalCheckFailedException", "The conditional request failed")
    assert failure(tables, "UPDATE things SET t = 'no' WHERE pk = 'absent'") == (
        "ConditionalCheckFailedException", "The conditional request failed")
    assert get(tables, "absent") is None
    assert get(tables, "a")["t"] == {"S": "yes"}


def test_update_failure_returns_the_item_when_asked(tables):
    run(tables, "INSERT INTO things VALUE {'pk': 'a', 'n': 1}")
    with pytest.raises(Exception) as excinfo:
        run(tables, "UPDATE things SET t = 1 WHERE pk = 'a' AND n = 2",
            ReturnValuesOnConditionCheckFailure="ALL_OLD")
    assert excinfo.value.response["Item"] == {"pk": {"S": "a"}, "n": {"N": "1"}}


def test_update_returning(tables):
    run(tables, "INSERT INTO things VALUE {'pk': 'a', 'n': 1, 'k': 'keep'}")
    statement = "UPDATE things SET n = 2 WHERE pk = 'a' RETURNING "
    assert items(tables, statement + "ALL OLD *") == [
        {"pk": {"S": "a"}, "n": {"N": "1"}, "k": {"S": "keep"}}]
    assert items(tables, statement + "MODIFIED OLD *") == [{"n": {"N": "2"}}]
    assert items(tables, statement + "ALL NEW *") == [
        {"pk": {"S": "a"}, "n": {"N": "2"}, "k": {"S": "keep"}}]
    assert items(tables, statement + "MODIFIED NEW *") == [{"n": {"N": "2"}}]
    assert items(tables, "UPDATE things REMOVE n WHERE pk = 'a' RETURNING MODIFIED NEW *") == []


def test_update_errors(tables):
    assert failure(tables, "UPDATE things SET n = 1")[1] == INCOMPLETE_KEY
    assert failure(tables, "UPDATE things SET n = 1 WHERE n = 2")[1] == INCOMPLETE_KEY
    assert failure(tables, "UPDATE sorted SET n = 1 WHERE pk = 'p'")[1] == INCOMPLETE_KEY
    assert failure(tables, "UPDATE things SET pk = 'b' WHERE pk = 'a'")[1] == (
        "One or more parameter values were invalid: Cannot update attribute pk. "
        "This attribute is part of the key")
    assert failure(tables, "UPDATE things SET s = set_add(t, <<'x'>>) WHERE pk = 'a'")[1] == (
        "The first argument to SET_ADD must equal the assignment value")
    assert failure(tables, "UPDATE things SET n = 1 WHERE pk = 'a' RETURNING ALL NEW")[1] == (
        "Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING clause")


# ---------------------------------------------------------------- DELETE


def test_delete(tables):
    run(tables, "INSERT INTO things VALUE {'pk': 'a', 'n': 1}")
    assert items(tables, "DELETE FROM things WHERE pk = 'a' AND n = 1 RETURNING ALL OLD *") == [
        {"pk": {"S": "a"}, "n": {"N": "1"}}]
    assert get(tables, "a") is None
    # A missing item is not an error, with or without a condition.
    assert items(tables, "DELETE FROM things WHERE pk = 'a' AND n = 1") == []
    assert items(tables, "DELETE FROM things WHERE pk = 'a'") == []


def test_delete_condition_failure(tables):
    run(tables, "INSERT INTO things VALUE {'pk': 'a', 'n': 1}")
    assert failure(tables, "DELETE FROM things WHERE pk = 'a' AND n = 2") == (
        "ConditionalCheckFailedException", "The conditional request failed")
    assert get(tables, "a") is not None


def test_delete_errors(tables):
    assert failure(tables, "DELETE FROM sorted WHERE pk = 'p'")[1] == INCOMPLETE_KEY
    assert failure(tables, "DELETE FROM things")[1] == INCOMPLETE_KEY
    assert failure(tables, "DELETE FROM things WHERE pk = 'a' RETURNING MODIFIED OLD *")[1] == (
        "Invalid returning clause: RETURNING MODIFIED OLD *. Only RETURNING ALL OLD * is "
        "allowed in DELETE statements.")


def test_write_capacity(tables):
    response = run(tables, "INSERT INTO things VALUE {'pk': 'a'}", ReturnConsumedCapacity="TOTAL")
    assert response["ConsumedCapacity"] == {"TableName": "things", "CapacityUnits": 1.0}


# ---------------------------------------------------------------- request shape


def test_request_shape(db):
    with pytest.raises(Exception) as excinfo:
        db.call("ExecuteStatement", {})
    assert error_of(excinfo)[1] == (
        "1 validation error detected: Value null at 'statement' failed to satisfy constraint: "
        "Member must not be null")
    with pytest.raises(Exception) as excinfo:
        db.call("ExecuteStatement", {"Statement": "SELECT * FROM things", "Parameters": [],
                                     "Limit": 0})
    assert error_of(excinfo)[1] == (
        "2 validation errors detected: Value '[]' at 'parameters' failed to satisfy "
        "constraint: Member must have length greater than or equal to 1; Value '0' at 'limit' "
        "failed to satisfy constraint: Member must have value greater than or equal to 1")


def test_parameters_that_are_not_attribute_values(db):
    db.call("CreateTable", {
        "TableName": "things", "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]})
    for params in (["x"], [{}], [{"S": "a", "N": "1"}]):
        with pytest.raises(Exception) as excinfo:
            db.call("ExecuteStatement", {"Statement": "SELECT * FROM things WHERE pk = ?",
                                         "Parameters": params})
        assert error_of(excinfo)[0] in ("ValidationException", "SerializationException")
        with pytest.raises(Exception) as excinfo:
            db.call("ExecuteStatement", {"Statement": "INSERT INTO things VALUE {'pk': 'a', "
                                         "'s': <<?>>}", "Parameters": params})
        assert error_of(excinfo)[0] in ("ValidationException", "SerializationException")


@pytest.mark.parametrize(("action", "returning", "expected"), [
    ("SET m.sub = 'new'", "MODIFIED NEW", [{"m": {"M": {"sub": {"S": "new"}}}}]),
    ("SET m.sub = 'new'", "MODIFIED OLD", [{"m": {"M": {"sub": {"S": "old"}}}}]),
    ("SET l[2] = 'y', l[0] = 'x'", "MODIFIED NEW", [{"l": {"L": [{"S": "x"}, {"S": "y"}]}}]),
    ("SET l[2] = 'y', l[0] = 'x'", "MODIFIED OLD", [{"l": {"L": [{"S": "a"}, {"S": "c"}]}}]),
    ("SET l[5] = 'd'", "MODIFIED NEW", []),
    ("SET l[3] = 'd'", "MODIFIED NEW", [{"l": {"L": [{"S": "d"}]}}]),
    ("SET l[3] = 'd'", "MODIFIED OLD", []),
    ("REMOVE l[1]", "MODIFIED OLD", [{"l": {"L": [{"S": "b"}]}}]),
    ("SET fresh = 1", "MODIFIED OLD", []),
])
def test_update_returning_modified_projections(tables, action, returning, expected):
    run(tables, "INSERT INTO things VALUE {'pk': 'a', 'm': {'sub': 'old', 'sib': 'keep'}, "
                "'l': ['a', 'b', 'c']}")
    assert items(tables, f"UPDATE things {action} WHERE pk = 'a' RETURNING {returning} *") == (
        expected)


@pytest.fixture
def indexed(client):
    client.create_table(
        TableName="indexed", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": name, "AttributeType": "S"}
                              for name in ("pk", "sk", "g", "l")],
        GlobalSecondaryIndexes=[
            {"IndexName": "gsi-keys", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
             "Projection": {"ProjectionType": "KEYS_ONLY"}},
            {"IndexName": "gsi-inc", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
             "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["proj"]}},
        ],
        LocalSecondaryIndexes=[
            {"IndexName": "lsi-keys", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                    {"AttributeName": "l", "KeyType": "RANGE"}],
             "Projection": {"ProjectionType": "KEYS_ONLY"}},
        ],
    )
    for sk, g, local in (("s1", "x", "l1"), ("s2", "x", "l2"), ("s3", None, None)):
        item = {"pk": {"S": "p"}, "sk": {"S": sk}, "proj": {"S": f"p-{sk}"},
                "np": {"S": f"np-{sk}"}}
        if g:
            item["g"] = {"S": g}
            item["l"] = {"S": local}
        client.put_item(TableName="indexed", Item=item)
    return client


def test_index_reads_answer_with_what_the_index_holds(indexed):
    assert items(indexed, 'SELECT * FROM "indexed"."gsi-keys" WHERE g = \'x\'') == [
        {"pk": {"S": "p"}, "sk": {"S": "s1"}, "g": {"S": "x"}},
        {"pk": {"S": "p"}, "sk": {"S": "s2"}, "g": {"S": "x"}}]
    # An LSI fetches an attribute it does not hold from the table, and charges for it.
    response = run(indexed, 'SELECT np FROM "indexed"."lsi-keys" WHERE pk = \'p\'',
                   ReturnConsumedCapacity="INDEXES")
    assert response["Items"] == [{"np": {"S": "np-s1"}}, {"np": {"S": "np-s2"}}]
    assert response["ConsumedCapacity"]["Table"]["CapacityUnits"] > 0


def test_index_attribute_rules(indexed):
    code, _ = failure(indexed, 'SELECT np FROM "indexed"."gsi-inc" WHERE g = \'x\'')
    assert code == "ValidationException"
    code, _ = failure(indexed, 'SELECT pk FROM "indexed"."gsi-inc" WHERE g = \'x\' AND np = \'a\'')
    assert code == "ValidationException"
    code, _ = failure(indexed, 'SELECT pk FROM "indexed"."lsi-keys" WHERE pk = \'p\' '
                               "AND np IS MISSING")
    assert code == "ValidationException"
    # Unkeyed, the filter sees index entries as they are: the attribute is absent.
    assert items(indexed, 'SELECT pk FROM "indexed"."gsi-inc" WHERE np = \'np-s1\'') == []
    assert items(indexed, 'SELECT pk FROM "indexed"."lsi-keys" WHERE np = \'np-s1\'') == []
    assert len(items(indexed, 'SELECT sk FROM "indexed"."gsi-keys" WHERE NOT np = \'np-s1\'')) \
        == 2
    assert items(indexed, 'SELECT sk FROM "indexed"."gsi-inc" WHERE g = \'x\' AND proj = '
                          "'p-s1'") == [{"sk": {"S": "s1"}}]


def test_writes_refuse_an_index(indexed):
    assert failure(indexed, 'INSERT INTO "indexed"."gsi-keys" VALUE {\'pk\': \'w\'}')[1] == (
        "FROM clause may only contain a single table name in data manipulation statements")
    assert failure(indexed, 'UPDATE "indexed"."gsi-keys" SET a = 1 WHERE pk = \'p\' '
                            "AND sk = 's1'")[1] == "This operation is not supported on an index"
    assert failure(indexed, 'DELETE FROM "indexed"."gsi-keys" WHERE pk = \'p\' '
                            "AND sk = 's1'")[1] == "This operation is not supported on an index"
    assert len(items(indexed, "SELECT sk FROM indexed WHERE pk = 'p'")) == 3


def test_a_next_token_belongs_to_its_index(indexed):
    token = run(indexed, 'SELECT sk FROM "indexed"."gsi-inc" WHERE g = \'x\'',
                Limit=1)["NextToken"]
    assert failure(indexed, 'SELECT sk FROM "indexed"."gsi-keys" WHERE g = \'x\'',
                   NextToken=token)[0] == "ValidationException"
    rest = run(indexed, 'SELECT sk FROM "indexed"."gsi-inc" WHERE g = \'x\'', NextToken=token)
    assert rest["Items"] == [{"sk": {"S": "s2"}}]
