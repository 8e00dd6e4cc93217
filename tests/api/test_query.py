"""Query: serialization -> validation (and its order) -> behaviour."""

from __future__ import annotations

import pytest

from ddblite.errors import SerializationException
from tests.conftest import create_table, error_of

SCHEMA_MISMATCH = "The provided key element does not match the schema"
START_KEY_INVALID = "The provided starting key is invalid"
FILTER_ON_KEY = (
    "Filter Expression can only contain non-primary key attributes: Primary key attribute: "
)


def query(client, **params):
    params.setdefault("TableName", "things")
    return client.query(**params)


def message_of(client, **params) -> tuple[str, str]:
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        query(client, **params)
    return error_of(excinfo)


def by_pk(pk="a", **extra):
    values = {":p": {"S": pk}, **extra.pop("values", {})}
    return {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": values, **extra}


@pytest.fixture
def ranged(client):
    """pk S + sk S, partition 'a' holding sk a..e with a small payload."""
    create_table(client, range_key=("sk", "S"))
    for sk in "abcde":
        client.put_item(
            TableName="things",
            Item={"pk": {"S": "a"}, "sk": {"S": sk}, "n": {"N": str(ord(sk))}, "x": {"S": sk * 3}},
        )
    client.put_item(TableName="things", Item={"pk": {"S": "b"}, "sk": {"S": "a"}})
    return client


def sort_keys(response, kind="S"):
    return [item["sk"][kind] for item in response["Items"]]


# ------------------------------------------------------------------ serialization


def test_wrong_member_types_are_serialization_errors(db):
    for params, message in [
        ({"ScanIndexForward": "no"}, "VALUE_STRING cannot be converted to Boolean"),
        ({"Limit": "1"}, "VALUE_STRING cannot be converted to Long"),
        ({"ExclusiveStartKey": []},
         "Unexpected value type in payload: START_ARRAY for structure/map"),
    ]:
        with pytest.raises(SerializationException) as excinfo:
            db.call("Query", {"TableName": "a;", **params})
        assert error_of(excinfo)[1] == message


# ------------------------------------------------------------------ request shape


def test_limit_zero_has_querys_own_wording(db):
    # (boto3 refuses Limit 0 itself, so this goes straight to the engine.)
    with pytest.raises(Exception) as excinfo:
        db.call("Query", {"TableName": "things", "Limit": 0, **by_pk()})
    assert error_of(excinfo) == (
        "ValidationException",
        "1 validation error detected: Value at 'Limit' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1",
    )


def test_constraint_errors_are_collected_in_order(db):
    with pytest.raises(Exception) as excinfo:
        db.call("Query", {
            "TableName": "things", "Select": "hi", "IndexName": "a;", "ReturnConsumedCapacity": "x",
            "ConditionalOperator": "AN", "AttributesToGet": [], "Limit": -1,
            "QueryFilter": {"a": {}}, "KeyConditions": {"b": {"ComparisonOperator": "XX"}},
        })
    assert error_of(excinfo)[1] == (
        "9 validation errors detected: "
        "Value 'hi' at 'select' failed to satisfy constraint: Member must satisfy enum value set: "
        "[SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]; "
        "Value 'a;' at 'indexName' failed to satisfy constraint: Member must satisfy regular "
        "expression pattern: [a-zA-Z0-9_.-]+; "
        "Value 'a;' at 'indexName' failed to satisfy constraint: Member must have length greater "
        "than or equal to 3; "
        "Value 'x' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy "
        "enum value set: [INDEXES, TOTAL, NONE]; "
        "Value null at 'queryFilter.a.member.comparisonOperator' failed to satisfy constraint: "
        "Member must not be null; "
        "Value 'AN' at 'conditionalOperator' failed to satisfy constraint: Member must satisfy "
        "enum value set: [OR, AND]; "
        "Value '[]' at 'attributesToGet' failed to satisfy constraint: Member must have length "
        "greater than or equal to 1; "
        "Value at 'Limit' failed to satisfy constraint: Member must have value greater than or "
        "equal to 1; "
        "Value 'XX' at 'keyConditions.b.member.comparisonOperator' failed to satisfy constraint: "
        "Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, "
        "NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]"
    )


def test_table_name_is_reported_alone(client):
    assert message_of(client, TableName="abc!", Select="INVALID", **by_pk()) == (
        "ValidationException",
        "1 validation error detected: Value 'abc!' at 'tableName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
    )


def test_invalid_select(client):
    assert message_of(client, Select="INVALID_VALUE", **by_pk())[1] == (
        "1 validation error detected: Value 'INVALID_VALUE' at 'select' failed to satisfy "
        "constraint: Member must satisfy enum value set: "
        "[SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]"
    )


# ------------------------------------------------------------------ before the table


@pytest.mark.parametrize(
    "params, message",
    [
        (
            {"KeyConditionExpression": "pk = :p", "KeyConditions": {}, "QueryFilter": {},
             "ProjectionExpression": "a", "AttributesToGet": ["a"]},
            "Can not use both expression and non-expression parameters in the same request: "
            "Non-expression parameters: {AttributesToGet, QueryFilter, KeyConditions} "
            "Expression parameters: {ProjectionExpression, KeyConditionExpression}",
        ),
        (
            {"KeyConditions": {}, "ExpressionAttributeNames": {"#a": "a"}},
            "ExpressionAttributeNames can only be specified when using expressions",
        ),
        (
            {"KeyConditions": {}, "ExpressionAttributeValues": {":a": {"S": "a"}}},
            "ExpressionAttributeValues can only be specified when using expressions: "
            "FilterExpression and KeyConditionExpression are null",
        ),
        ({}, "Either the KeyConditions or KeyConditionExpression parameter must be specified "
             "in the request."),
        (
            {"KeyConditionExpression": "", "ExpressionAttributeValues": {":v": {"S": "v"}}},
            "Invalid KeyConditionExpression: The expression can not be empty;",
        ),
        (
            {"KeyConditionExpression": "pk = :v", "ExpressionAttributeValues": {":v": {"S": "v"}},
             "ExpressionAttributeNames": {"#unused": "x"}},
            "Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}",
        ),
        (
            {"KeyConditionExpression": "pk = :pk", "FilterExpression": "#missing = :fv",
             "ExpressionAttributeValues": {":pk": {"S": "v"}, ":fv": {"S": "x"}}},
            "Invalid FilterExpression: An expression attribute name used in the document path "
            "is not defined; attribute name: #missing",
        ),
        (
            {"KeyConditionExpression": "pk = :v OR pk = :v",
             "ExpressionAttributeValues": {":v": {"S": "v"}}},
            "Invalid operator used in KeyConditionExpression: OR",
        ),
        (
            {"KeyConditionExpression": "a = :v and b = :v and c = :v",
             "ExpressionAttributeValues": {":v": {"S": "v"}}},
            "Conditions can be of length 1 or 2 only",
        ),
        (
            {"KeyConditions": {"pk": {"ComparisonOperator": "EQ"}}},
            "One or more parameter values were invalid: Invalid number of argument(s) for the EQ "
            "ComparisonOperator",
        ),
        (
            {"QueryFilter": {"x": {"ComparisonOperator": "EQ", "AttributeValueList": [{}]}}},
            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes",
        ),
        (
            {"AttributesToGet": ["a", "a"], "KeyConditions": {}},
            "One or more parameter values were invalid: Duplicate value in attribute name: a",
        ),
        (
            {"ExclusiveStartKey": {"pk": {}}, "KeyConditions": {}},
            "The provided starting key is invalid: Supplied AttributeValue is empty, must contain "
            "exactly one of the supported datatypes",
        ),
        (
            {"ExclusiveStartKey": {"pk": {"SS": []}}, "KeyConditions": {}},
            "The provided starting key is invalid: One or more parameter values were invalid: "
            "An string set  may not be empty",
        ),
        (
            {"ExclusiveStartKey": {"pk": {"N": "x"}}, "KeyConditions": {}},
            "The parameter cannot be converted to a numeric value: x",
        ),
        (
            {"KeyConditions": {}},
            "Conditions can be of length 1 or 2 only",
        ),
    ],
)
def test_request_errors_come_before_the_table(client, params, message):
    assert message_of(client, TableName="missing", **params) == ("ValidationException", message)


@pytest.mark.parametrize(
    "select, projection, message",
    [
        ("SPECIFIC_ATTRIBUTES", {}, "1 validation error detected: Must specify the "
         "AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES"),
        ("COUNT", {"ProjectionExpression": "x"}, "1 validation error detected: Cannot specify "
         "the ProjectionExpression when choosing to get only the Count"),
        ("ALL_ATTRIBUTES", {"ProjectionExpression": "x"}, "1 validation error detected: Cannot "
         "specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES"),
        ("ALL_PROJECTED_ATTRIBUTES", {"ProjectionExpression": "x"}, "1 validation error "
         "detected: Cannot specify the ProjectionExpression when choosing to get "
         "ALL_PROJECTED_ATTRIBUTES"),
        ("ALL_PROJECTED_ATTRIBUTES", {}, "ALL_PROJECTED_ATTRIBUTES can be used only when "
         "Querying using an IndexName"),
    ],
)
def test_select_against_the_projection(client, select, projection, message):
    assert message_of(client, TableName="missing", Select=select, **projection, **by_pk()) == (
        "ValidationException", message,
    )


def test_select_against_attributes_to_get(client):
    params = {"KeyConditions": {"pk": {"ComparisonOperator": "EQ",
                                       "AttributeValueList": [{"S": "a"}]}}}
    assert message_of(client, Select="COUNT", AttributesToGet=["a"], **params)[1] == (
        "1 validation error detected: Cannot specify the AttributesToGet when choosing to get "
        "only the Count"
    )


def test_missing_table(client):
    assert message_of(client, TableName="missing", **by_pk()) == (
        "ResourceNotFoundException", "Requested resource not found",
    )


def test_table_comes_before_key_schema_checks(client):
    params = {"KeyConditionExpression": "z = :v", "ExpressionAttributeValues": {":v": {"N": "1"}},
              "ExclusiveStartKey": {"b": {"S": "a"}}}
    assert message_of(client, TableName="missing", **params)[0] == "ResourceNotFoundException"


def test_unknown_index_is_rejected(ranged):
    assert message_of(ranged, IndexName="byX", **by_pk()) == (
        "ValidationException", "The table does not have the specified index: byX",
    )


# ------------------------------------------------------------------ key schema


@pytest.mark.parametrize(
    "condition, values, message",
    [
        ("sk = :v", {":v": {"S": "x"}}, "Query condition missed key schema element: pk"),
        ("attr1 = :v", {":v": {"S": "x"}}, "Query condition missed key schema element: pk"),
        ("pk = :v AND x = :v", {":v": {"S": "x"}}, "Query condition missed key schema element: sk"),
        ("pk > :v", {":v": {"S": "x"}}, "Query key condition not supported"),
        ("begins_with(pk, :v)", {":v": {"S": "x"}}, "Query key condition not supported"),
        ("pk = :v", {":v": {"N": "1"}}, "One or more parameter values were invalid: "
         "Condition parameter type does not match schema type"),
        ("pk = :p AND sk > :v", {":p": {"S": "a"}, ":v": {"N": "1"}}, "One or more parameter "
         "values were invalid: Condition parameter type does not match schema type"),
        ("pk = :p AND pk = :p", {":p": {"S": "a"}},
         "KeyConditionExpressions must only contain one condition per key"),
        ("pk = :p AND size(sk) > :p", {":p": {"S": "a"}},
         "KeyConditionExpressions cannot contain nested operations"),
        ("pk = :p AND sk.x > :p", {":p": {"S": "a"}},
         "KeyConditionExpressions cannot have conditions on nested attributes"),
    ],
)
def test_key_condition_against_the_schema(ranged, condition, values, message):
    params = {"KeyConditionExpression": condition, "ExpressionAttributeValues": values}
    assert message_of(ranged, **params) == ("ValidationException", message)


def test_hash_only_table_refuses_a_second_condition(client):
    create_table(client)
    params = {"KeyConditionExpression": "pk = :v AND sk = :v",
              "ExpressionAttributeValues": {":v": {"S": "x"}}}
    assert message_of(client, **params)[1] == "Query key condition not supported"


def test_legacy_key_conditions_against_the_schema(ranged):
    eq_a = {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]}
    for conditions, message in [
        ({"pk": eq_a, "sk": {"ComparisonOperator": "NE", "AttributeValueList": [{"S": "a"}]}},
         "Attempted conditional constraint is not an indexable operation"),
        ({"pk": {"ComparisonOperator": "NULL"}},
         "Attempted conditional constraint is not an indexable operation"),
        ({"pk": eq_a, "sk": {"ComparisonOperator": "BEGINS_WITH",
                             "AttributeValueList": [{"N": "1"}]}},
         "One or more parameter values were invalid: ComparisonOperator BEGINS_WITH is not "
         "valid for N AttributeValue type"),
    ]:
        assert message_of(ranged, KeyConditions=conditions)[1] == message


def test_begins_with_is_refused_on_a_number_sort_key(client):
    create_table(client, range_key=("sk", "N"))
    for value, message in [
        ({"N": "1"}, "Invalid KeyConditionExpression: Incorrect operand type for operator or "
         "function; operator or function: begins_with, operand type: N"),
        ({"S": "1"}, "One or more parameter values were invalid: Condition parameter type does "
         "not match schema type"),
    ]:
        params = {"KeyConditionExpression": "pk = :p AND begins_with(sk, :v)",
                  "ExpressionAttributeValues": {":p": {"S": "a"}, ":v": value}}
        assert message_of(client, **params)[1] == message


@pytest.mark.parametrize(
    "start, message",
    [
        ({}, START_KEY_INVALID),
        ({"pk": {"S": "a"}}, START_KEY_INVALID),
        ({"pk": {"S": "a"}, "x": {"S": "a"}}, START_KEY_INVALID),
        ({"pk": {"S": "a"}, "sk": {"S": "a"}, "x": {"S": "a"}}, START_KEY_INVALID),
        ({"pk": {"N": "1"}, "sk": {"S": "a"}}, SCHEMA_MISMATCH),
        ({"pk": {"S": "a"}, "sk": {"B": b"a"}}, SCHEMA_MISMATCH),
        ({"pk": {"S": "b"}, "sk": {"S": "a"}},
         "The provided starting key is outside query boundaries based on provided conditions"),
        ({"pk": {"S": "a"}, "sk": {"S": ""}},
         "One or more parameter values are not valid. The AttributeValue for a key attribute "
         "cannot contain an empty string value. Key: sk"),
    ],
)
def test_exclusive_start_key_against_the_schema(ranged, start, message):
    assert message_of(ranged, ExclusiveStartKey=start, **by_pk()) == (
        "ValidationException", message,
    )


def test_start_key_errors_interleave_with_key_condition_errors(ranged):
    # The partition key's condition is checked before the sort key of the start key.
    params = {"KeyConditionExpression": "z = :v", "ExpressionAttributeValues": {":v": {"S": "a"}},
              "ExclusiveStartKey": {"pk": {"S": "a"}, "sk": {"N": "1"}}}
    assert message_of(ranged, **params)[1] == "Query condition missed key schema element: pk"


def test_start_key_against_the_sort_condition(ranged):
    values = {":p": {"S": "a"}, ":v": {"S": "b"}}
    condition = "pk = :p AND sk > :v"
    outside = {"pk": {"S": "a"}, "sk": {"S": "a"}}
    other_partition = {"pk": {"S": "b"}, "sk": {"S": "c"}}
    assert message_of(ranged, KeyConditionExpression=condition, ExpressionAttributeValues=values,
                      ExclusiveStartKey=outside)[1] == (
        "The provided starting key does not match the range key predicate"
    )
    assert message_of(ranged, KeyConditionExpression=condition, ExpressionAttributeValues=values,
                      ExclusiveStartKey=other_partition)[1] == (
        "The query can return at most one row and cannot be restarted"
    )


@pytest.mark.parametrize(
    "params, message",
    [
        ({"FilterExpression": "sk = :p"},
         f"{FILTER_ON_KEY}sk"),
        ({"FilterExpression": "attribute_exists(pk.x)"},
         f"{FILTER_ON_KEY}pk"),
        ({"ProjectionExpression": "sk[0]"},
         "Key attributes must be scalars; list random access '[]' and map lookup '.' are not "
         "allowed: Key: sk"),
    ],
)
def test_filter_and_projection_on_key_attributes(ranged, params, message):
    assert message_of(ranged, **by_pk(**params)) == ("ValidationException", message)


def test_query_filter_on_a_key_attribute(ranged):
    conditions = {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]}}
    query_filter = {"sk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]}}
    assert message_of(ranged, KeyConditions=conditions, QueryFilter=query_filter)[1] == (
        "QueryFilter can only contain non-primary key attributes: Primary key attribute: sk"
    )


# ------------------------------------------------------------------ behaviour


@pytest.mark.parametrize(
    "condition, values, expected",
    [
        ("sk = :v", {":v": {"S": "c"}}, "c"),
        ("sk < :v", {":v": {"S": "c"}}, "ab"),
        ("sk <= :v", {":v": {"S": "c"}}, "abc"),
        ("sk > :v", {":v": {"S": "c"}}, "de"),
        ("sk >= :v", {":v": {"S": "c"}}, "cde"),
        (":v < sk", {":v": {"S": "c"}}, "de"),
        ("sk BETWEEN :v AND :w", {":v": {"S": "b"}, ":w": {"S": "d"}}, "bcd"),
        ("sk BETWEEN :v AND :w", {":v": {"S": "bb"}, ":w": {"S": "c"}}, "c"),
        ("begins_with(sk, :v)", {":v": {"S": "d"}}, "d"),
        ("sk = :v", {":v": {"S": "zz"}}, ""),
    ],
)
def test_sort_key_conditions(ranged, condition, values, expected):
    response = query(ranged, **by_pk(KeyConditionExpression=f"pk = :p AND {condition}",
                                     values=values))
    assert "".join(sort_keys(response)) == expected
    reverse = query(ranged, ScanIndexForward=False,
                    **by_pk(KeyConditionExpression=f"pk = :p AND {condition}", values=values))
    assert "".join(sort_keys(reverse)) == expected[::-1]


def test_string_sort_keys_in_utf8_byte_order(client):
    create_table(client, range_key=("sk", "S"))
    keys = ["a", "B", "ab", "\u00e9", "\U0001f600", "\uffff", "a\x00"]
    for sk in keys:
        client.put_item(TableName="things", Item={"pk": {"S": "p"}, "sk": {"S": sk}})
    response = query(client, **by_pk("p"))
    assert sort_keys(response) == sorted(keys, key=lambda k: k.encode())
    prefix = query(client, **by_pk("p", KeyConditionExpression="pk = :p AND begins_with(sk, :v)",
                                    values={":v": {"S": "a"}}))
    assert sort_keys(prefix) == ["a", "a\x00", "ab"]


def test_number_sort_keys_in_numeric_order(client):
    create_table(client, range_key=("sk", "N"))
    numbers = ["-1E+10", "-2.5", "-1", "0", "1E-130", "0.5", "1", "2", "10", "99999999999999999999"]
    for number in reversed(numbers):
        client.put_item(TableName="things", Item={"pk": {"S": "p"}, "sk": {"N": number}})
    response = query(client, **by_pk("p"))
    assert sort_keys(response, "N") == [
        "-10000000000", "-2.5", "-1", "0", "0." + "0" * 129 + "1", "0.5", "1", "2", "10",
        "99999999999999999999",
    ]
    between = query(client, **by_pk("p", KeyConditionExpression="pk = :p AND sk BETWEEN :a AND :b",
                                     values={":a": {"N": "-1"}, ":b": {"N": "1.0"}}))
    assert sort_keys(between, "N")[0] == "-1" and sort_keys(between, "N")[-1] == "1"
    assert len(between["Items"]) == 5


def test_binary_sort_keys_in_unsigned_byte_order(client):
    create_table(client, range_key=("sk", "B"))
    blobs = [b"\x00", b"\x00\x00", b"\x01", b"\x7f", b"\x80", b"\xff", b"\xff\x00"]
    for blob in reversed(blobs):
        client.put_item(TableName="things", Item={"pk": {"S": "p"}, "sk": {"B": blob}})
    response = query(client, **by_pk("p"))
    assert sort_keys(response, "B") == blobs
    prefix = query(client, **by_pk("p", KeyConditionExpression="pk = :p AND begins_with(sk, :v)",
                                    values={":v": {"B": b"\xff"}}))
    assert sort_keys(prefix, "B") == [b"\xff", b"\xff\x00"]


def test_number_and_binary_partition_keys(client):
    create_table(client, hash_key=("pk", "N"), range_key=("sk", "B"))
    client.put_item(TableName="things", Item={"pk": {"N": "1.50"}, "sk": {"B": b"x"}})
    response = query(client, KeyConditionExpression="pk = :p",
                     ExpressionAttributeValues={":p": {"N": "1.5"}})
    assert response["Items"] == [{"pk": {"N": "1.5"}, "sk": {"B": b"x"}}]


def test_hash_only_table(client):
    create_table(client)
    client.put_item(TableName="things", Item={"pk": {"S": "a"}, "v": {"S": "1"}})
    assert query(client, **by_pk())["Items"] == [{"pk": {"S": "a"}, "v": {"S": "1"}}]
    empty = query(client, **by_pk("zz"))
    assert (empty["Items"], empty["Count"], empty["ScannedCount"]) == ([], 0, 0)
    assert "LastEvaluatedKey" not in empty


def test_limit_and_last_evaluated_key(ranged):
    first = query(ranged, Limit=2, **by_pk())
    assert sort_keys(first) == ["a", "b"]
    assert first["LastEvaluatedKey"] == {"pk": {"S": "a"}, "sk": {"S": "b"}}
    rest = query(ranged, ExclusiveStartKey=first["LastEvaluatedKey"], **by_pk())
    assert sort_keys(rest) == ["c", "d", "e"]
    assert "LastEvaluatedKey" not in rest
    backwards = query(ranged, ScanIndexForward=False, Limit=2,
                      ExclusiveStartKey={"pk": {"S": "a"}, "sk": {"S": "d"}}, **by_pk())
    assert sort_keys(backwards) == ["c", "b"]


def test_filter_counts_before_and_after(ranged):
    response = query(ranged, Limit=3, **by_pk(FilterExpression="n > :n",
                                              values={":n": {"N": "97"}}))
    assert sort_keys(response) == ["b", "c"]
    assert (response["Count"], response["ScannedCount"]) == (2, 3)
    assert response["LastEvaluatedKey"] == {"pk": {"S": "a"}, "sk": {"S": "c"}}


def test_projection_and_select(ranged):
    projected = query(ranged, Limit=1, **by_pk(ProjectionExpression="#x",
                                               ExpressionAttributeNames={"#x": "x"}))
    assert projected["Items"] == [{"x": {"S": "aaa"}}]
    assert projected["LastEvaluatedKey"] == {"pk": {"S": "a"}, "sk": {"S": "a"}}
    specific = query(ranged, Select="SPECIFIC_ATTRIBUTES", Limit=1,
                     **by_pk(ProjectionExpression="sk, nope"))
    assert specific["Items"] == [{"sk": {"S": "a"}}]
    counted = query(ranged, Select="COUNT", **by_pk(FilterExpression="n >= :n",
                                                     values={":n": {"N": "99"}}))
    assert "Items" not in counted
    assert (counted["Count"], counted["ScannedCount"]) == (3, 5)
    everything = query(ranged, Select="ALL_ATTRIBUTES", Limit=1, ConsistentRead=True, **by_pk())
    assert everything["Items"][0]["x"] == {"S": "aaa"}


def test_legacy_parameters(ranged):
    response = query(
        ranged,
        KeyConditions={
            "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]},
            "sk": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"S": "b"}, {"S": "e"}]},
        },
        QueryFilter={
            "n": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "98"}]},
            "x": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "e"}]},
        },
        ConditionalOperator="OR",
        AttributesToGet=["sk", "n"],
    )
    assert response["Items"] == [{"sk": {"S": s}, "n": {"N": str(ord(s))}} for s in "cde"]
    assert (response["Count"], response["ScannedCount"]) == (3, 4)


def test_key_conditions_with_filter_expression(ranged):
    response = query(
        ranged,
        KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]}},
        FilterExpression="n = :n",
        ExpressionAttributeValues={":n": {"N": "99"}},
    )
    assert sort_keys(response) == ["c"]


def test_consumed_capacity_counts_items_read_not_returned(client):
    create_table(client, range_key=("sk", "N"))
    for i in range(3):  # three items of a little over 3 KB: 9.x KB read in all
        client.put_item(TableName="things", Item={"pk": {"S": "p"}, "sk": {"N": str(i)},
                                                  "x": {"S": "x" * 3000}})
    filtered = {"FilterExpression": "attribute_not_exists(x)", "ReturnConsumedCapacity": "TOTAL"}
    strong = query(client, ConsistentRead=True, **by_pk("p", **filtered))
    assert strong["Count"] == 0
    assert strong["ConsumedCapacity"] == {"TableName": "things", "CapacityUnits": 3.0}
    weak = query(client, **by_pk("p", **filtered))
    assert weak["ConsumedCapacity"] == {"TableName": "things", "CapacityUnits": 1.5}
    indexes = query(client, ReturnConsumedCapacity="INDEXES", Limit=1, **by_pk("p"))
    assert indexes["ConsumedCapacity"] == {
        "TableName": "things", "CapacityUnits": 0.5, "Table": {"CapacityUnits": 0.5},
    }
    assert "ConsumedCapacity" not in query(client, ReturnConsumedCapacity="NONE", **by_pk("p"))
    empty = query(client, ReturnConsumedCapacity="TOTAL", **by_pk("nothing"))
    assert empty["ConsumedCapacity"] == {"TableName": "things", "CapacityUnits": 0.5}
