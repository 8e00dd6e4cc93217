"""PartiQL against the operations it stands for, on random items and statements.

A SELECT and the equivalent Query (or Scan) return the same items and capacity; an
UPDATE and the equivalent UpdateItem leave the same item (or fail the same way).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ddblite
from ddblite.errors import DynamoDBError

PARTITIONS = ["p", "q"]
numbers = st.integers(-3, 3).map(lambda n: {"N": str(n)})
strings = st.sampled_from(["", "a", "ab", "b"]).map(lambda s: {"S": s})
values = st.one_of(numbers, strings)
rows = st.lists(
    st.tuples(st.sampled_from(PARTITIONS), st.integers(0, 6),
              st.dictionaries(st.sampled_from(["a", "b"]), values, max_size=2)),
    max_size=12,
)
SORT_OPS = ["=", "<", "<=", ">", ">=", "BETWEEN", "begins"]
FILTER_OPS = ["=", "<>", "<", ">=", "missing", "present"]


def _database(found_rows):
    db = ddblite.connect(":memory:")
    db.create_table(
        TableName="sorted", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                   {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "sk", "AttributeType": "N"}],
    )
    client = db.client()
    for pk, sk, extra in found_rows:
        client.put_item(TableName="sorted",
                        Item={"pk": {"S": pk}, "sk": {"N": str(sk)}, **extra})
    return db, client


def _sort_clause(op, low, high):
    """(PartiQL text, its parameters, key condition text, its values) on sk."""
    if op == "BETWEEN":
        low, high = min(low, high), max(low, high)
        return ("sk BETWEEN ? AND ?", [{"N": str(low)}, {"N": str(high)}],
                "sk BETWEEN :lo AND :hi", {":lo": {"N": str(low)}, ":hi": {"N": str(high)}})
    if op == "begins":  # a number sort key cannot take begins_with; use equality instead
        op = "="
    return (f"sk {op} ?", [{"N": str(low)}], f"sk {op} :lo", {":lo": {"N": str(low)}})


def _filter_clause(op, value):
    if op == "missing":
        return "a IS MISSING", [], "attribute_not_exists(a)", {}
    if op == "present":
        return "a IS NOT MISSING", [], "attribute_exists(a)", {}
    return f"a {op} ?", [value], f"a {op} :f", {":f": value}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows, st.sampled_from(PARTITIONS), st.none() | st.sampled_from(SORT_OPS),
       st.integers(0, 6), st.integers(0, 6), st.none() | st.sampled_from(FILTER_OPS), values,
       st.booleans())
def test_select_matches_query(found_rows, pk, sort_op, low, high, filter_op, value, consistent):
    db, client = _database(found_rows)
    where = ["pk = ?"]
    params = [{"S": pk}]
    key_text = "pk = :pk"
    query_values = {":pk": {"S": pk}}
    filter_text = None
    if sort_op is not None:
        text, extra, key_extra, key_values = _sort_clause(sort_op, low, high)
        where.append(text)
        params += extra
        key_text += " AND " + key_extra
        query_values.update(key_values)
    if filter_op is not None:
        text, extra, filter_text, filter_values = _filter_clause(filter_op, value)
        where.append(text)
        params += extra
        query_values.update(filter_values)
    request = {"TableName": "sorted", "KeyConditionExpression": key_text,
               "ExpressionAttributeValues": query_values, "ConsistentRead": consistent,
               "ReturnConsumedCapacity": "TOTAL"}
    if filter_text is not None:
        request["FilterExpression"] = filter_text
    expected = client.query(**request)
    got = client.execute_statement(
        Statement="SELECT * FROM sorted WHERE " + " AND ".join(where), Parameters=params,
        ConsistentRead=consistent, ReturnConsumedCapacity="TOTAL")
    assert got["Items"] == expected["Items"]
    assert got["ConsumedCapacity"] == expected["ConsumedCapacity"]
    db.close()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows, st.sampled_from(FILTER_OPS), values)
def test_unkeyed_select_matches_scan(found_rows, filter_op, value):
    db, client = _database(found_rows)
    text, params, filter_text, filter_values = _filter_clause(filter_op, value)
    request = {"TableName": "sorted", "FilterExpression": filter_text,
               "ReturnConsumedCapacity": "TOTAL"}
    if filter_values:
        request["ExpressionAttributeValues"] = filter_values
    expected = client.scan(**request)
    statement = {"Statement": "SELECT * FROM sorted WHERE " + text}
    if params:
        statement["Parameters"] = params
    got = client.execute_statement(**statement, ReturnConsumedCapacity="TOTAL")
    assert got["Items"] == expected["Items"]
    assert got["ConsumedCapacity"] == expected["ConsumedCapacity"]
    db.close()


# ---------------------------------------------------------------- UPDATE vs UpdateItem

actions = st.lists(st.one_of(
    st.tuples(st.just("set"), st.sampled_from(["a", "b", "c"]), values),
    st.tuples(st.just("add"), st.sampled_from(["a", "b"]), st.integers(-2, 2)),
    st.tuples(st.just("append"), st.just("l"), st.integers(0, 2)),
    st.tuples(st.just("remove"), st.sampled_from(["a", "b", "c", "l"]), st.none()),
), min_size=1, max_size=3, unique_by=lambda action: action[1])


def _update_texts(chosen):
    """(PartiQL SET/REMOVE clauses, params, UpdateExpression, values)."""
    partiql, params, sets, removes, expression_values = [], [], [], [], {}
    for number, (kind, name, operand) in enumerate(chosen):
        ref = f":v{number}"
        if kind == "set":
            partiql.append(f"SET {name} = ?")
            params.append(operand)
            sets.append(f"{name} = {ref}")
            expression_values[ref] = operand
        elif kind == "add":
            partiql.append(f"SET {name} = {name} + ?")
            params.append({"N": str(operand)})
            sets.append(f"{name} = {name} + {ref}")
            expression_values[ref] = {"N": str(operand)}
        elif kind == "append":
            partiql.append(f"SET {name} = list_append({name}, ?)")
            params.append({"L": [{"N": str(operand)}]})
            sets.append(f"{name} = list_append({name}, {ref})")
            expression_values[ref] = {"L": [{"N": str(operand)}]}
        else:
            partiql.append(f"REMOVE {name}")
            removes.append(name)
    expression = []
    if sets:
        expression.append("SET " + ", ".join(sets))
    if removes:
        expression.append("REMOVE " + ", ".join(removes))
    return " ".join(partiql), params, " ".join(expression), expression_values


def _outcome(call):
    try:
        call()
        return None
    except DynamoDBError as exc:
        return exc.code


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["a", "b", "c"]), values, max_size=3),
       st.booleans(), actions, st.none() | st.sampled_from(FILTER_OPS), values)
def test_update_matches_update_item(start, with_list, chosen, filter_op, value):
    db, client = _database([])
    item = {"sk": {"N": "1"}, **start}
    if with_list:
        item["l"] = {"L": [{"S": "x"}]}
    for pk in ("via-partiql", "via-update-item"):
        client.put_item(TableName="sorted", Item={"pk": {"S": pk}, **item})
    clauses, params, expression, expression_values = _update_texts(chosen)
    statement = f"UPDATE sorted {clauses} WHERE pk = ? AND sk = 1"
    params = params + [{"S": "via-partiql"}]
    request = {"TableName": "sorted", "UpdateExpression": expression,
               "Key": {"pk": {"S": "via-update-item"}, "sk": {"N": "1"}}}
    if filter_op is not None:
        text, extra, condition, condition_values = _filter_clause(filter_op, value)
        statement += " AND " + text
        params += extra
        request["ConditionExpression"] = condition
        expression_values = {**expression_values, **condition_values}
    if expression_values:
        request["ExpressionAttributeValues"] = expression_values
    got = _outcome(lambda: client.execute_statement(Statement=statement, Parameters=params))
    expected = _outcome(lambda: client.update_item(**request))
    assert got == expected
    via_partiql = client.get_item(TableName="sorted",
                                  Key={"pk": {"S": "via-partiql"}, "sk": {"N": "1"}})["Item"]
    via_update = client.get_item(TableName="sorted",
                                 Key={"pk": {"S": "via-update-item"}, "sk": {"N": "1"}})["Item"]
    assert {k: v for k, v in via_partiql.items() if k != "pk"} == {
        k: v for k, v in via_update.items() if k != "pk"}
    db.close()


@pytest.mark.parametrize("statement", [
    "SELECT * FROM sorted WHERE pk = 'p' AND sk = 1",
    "SELECT * FROM sorted WHERE pk = 'p'",
])
def test_select_capacity_matches_get_and_query_on_an_empty_table(statement):
    db, client = _database([])
    got = client.execute_statement(Statement=statement, ReturnConsumedCapacity="TOTAL")
    assert got["ConsumedCapacity"] == {"TableName": "sorted", "CapacityUnits": 0.5}
    db.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["a", "b", "c"]), values, max_size=3),
       st.none() | st.sampled_from(FILTER_OPS), values, st.booleans())
def test_insert_and_delete_match_put_and_delete_item(extra, filter_op, value, present):
    db, client = _database([])
    item = {"sk": {"N": "1"}, **extra}
    # INSERT with the item's values as parameters, PutItem with the item itself.
    names = list(item)
    tuple_text = ", ".join(f"'{name}': ?" for name in names)
    client.execute_statement(Statement=f"INSERT INTO sorted VALUE {{'pk': 'via-partiql', "
                                       f"{tuple_text}}}", Parameters=[item[n] for n in names])
    client.put_item(TableName="sorted", Item={"pk": {"S": "via-put-item"}, **item})
    keys = {pk: {"pk": {"S": pk}, "sk": {"N": "1"}} for pk in ("via-partiql", "via-put-item")}
    stored = {pk: client.get_item(TableName="sorted", Key=key)["Item"] for pk, key in keys.items()}
    assert {k: v for k, v in stored["via-partiql"].items() if k != "pk"} == {
        k: v for k, v in stored["via-put-item"].items() if k != "pk"}
    if not present:
        for key in keys.values():
            client.delete_item(TableName="sorted", Key=key)
    # DELETE ... AND condition vs DeleteItem with the same condition on a present item;
    # on a missing item DELETE is a no-op whatever the condition.
    statement = "DELETE FROM sorted WHERE pk = 'via-partiql' AND sk = 1"
    request = {"TableName": "sorted", "Key": keys["via-put-item"]}
    params = []
    if filter_op is not None:
        text, params, condition, condition_values = _filter_clause(filter_op, value)
        statement += " AND " + text
        request["ConditionExpression"] = condition
        if condition_values:
            request["ExpressionAttributeValues"] = condition_values
    got = _outcome(lambda: client.execute_statement(
        Statement=statement, **({"Parameters": params} if params else {})))
    expected = _outcome(lambda: client.delete_item(**request)) if present else None
    assert got == expected
    after = {pk: "Item" in client.get_item(TableName="sorted", Key=key)
             for pk, key in keys.items()}
    assert after["via-partiql"] == after["via-put-item"]
    db.close()
