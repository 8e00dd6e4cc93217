"""UpdateItem: serialization -> validation (and its order) -> behaviour."""

from __future__ import annotations

import pytest

from ddblite.errors import SerializationException, ValidationException
from tests.conftest import create_table, error_of

INVALID = "One or more parameter values were invalid: "
KEY = {"pk": {"S": "a"}}
ONLY_DELETE = "Only DELETE action is allowed when no attribute value is specified"
CONDITION_FAILED = ("ConditionalCheckFailedException", "The conditional request failed")


def fails(call, **params) -> tuple[str, str]:
    """(code, message) of the error a call raises."""
    with pytest.raises(Exception) as excinfo:
        call(**params)
    return error_of(excinfo)


def db_update(db, **params):
    return db.call("UpdateItem", params)


def get(client, key=KEY, table="things"):
    return client.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")


def update(client, **params):
    params.setdefault("TableName", "things")
    params.setdefault("Key", KEY)
    response = client.update_item(**params)
    response.pop("ResponseMetadata", None)
    return response


# ------------------------------------------------------------------ serialization


@pytest.mark.parametrize(("params", "message"), [
    ({"TableName": 5, "Key": KEY}, "NUMBER_VALUE cannot be converted to String"),
    ({"TableName": "things", "Key": KEY, "UpdateExpression": 1},
     "NUMBER_VALUE cannot be converted to String"),
    ({"TableName": "things", "Key": KEY, "ReturnValues": True},
     "TRUE_VALUE cannot be converted to String"),
    ({"TableName": "things", "Key": {"pk": {"S": 5}}},
     "NUMBER_VALUE cannot be converted to String"),
    ({"TableName": "things", "Key": KEY, "AttributeUpdates": {"a": {"Action": 1}}},
     "NUMBER_VALUE cannot be converted to String"),
    ({"TableName": "things", "Key": KEY, "AttributeUpdates": {"a": {"Value": {"BOOL": "x"}}}},
     "Unexpected token received from parser"),
    ({"TableName": "things", "Key": KEY, "ConditionExpression": "a = :v",
      "ExpressionAttributeValues": {":v": {"N": 1}}}, "NUMBER_VALUE cannot be converted to String"),
    ({"TableName": "things", "Key": KEY, "Expected": {"a": {"Exists": "no"}}},
     "VALUE_STRING cannot be converted to Boolean"),
    ({"TableName": "things", "Key": KEY, "ReturnValuesOnConditionCheckFailure": 1},
     "NUMBER_VALUE cannot be converted to String"),
])
def test_json_types(db, params, message):
    with pytest.raises(SerializationException) as excinfo:
        db.call("UpdateItem", params)
    assert error_of(excinfo) == ("SerializationException", message)


def test_a_type_error_in_any_value_wins_over_every_validation_error(db):
    with pytest.raises(SerializationException):
        db_update(db, TableName="", Key={"pk": {"SS": []}}, UpdateExpression="",
                  ExpressionAttributeValues={":v": {"L": [{"S": 1}]}})
    with pytest.raises(SerializationException):
        db_update(db, TableName="things", ReturnValues="hi",
                  AttributeUpdates={"a": {"Value": {"N": 1}}})


# ------------------------------------------------------------------ request shape


def test_a_bad_table_name_is_reported_alone(db):
    with pytest.raises(ValidationException) as excinfo:
        db_update(db, TableName="x!", ReturnValues="INVALID")
    assert error_of(excinfo)[1] == (
        "1 validation error detected: Value 'x!' at 'tableName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
    )
    with pytest.raises(ValidationException) as excinfo:
        db_update(db, Key={})
    assert error_of(excinfo)[1] == (
        "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: "
        "Member must not be null"
    )


def test_member_constraints_are_reported_together_in_order(db):
    with pytest.raises(ValidationException) as excinfo:
        db_update(
            db, TableName="things", ReturnConsumedCapacity="hi", ReturnItemCollectionMetrics="hi",
            ReturnValues="hi", ConditionalOperator="AN",
            Expected={"a": {"ComparisonOperator": "X"}},
            AttributeUpdates={"b": {"Action": "SET", "Value": {"S": "x"}}},
            ReturnValuesOnConditionCheckFailure="ALL_NEW",
        )
    assert error_of(excinfo)[1] == (
        "8 validation errors detected: "
        "Value 'hi' at 'returnConsumedCapacity' failed to satisfy constraint: Member must "
        "satisfy enum value set: [INDEXES, TOTAL, NONE]; "
        "Value 'hi' at 'returnItemCollectionMetrics' failed to satisfy constraint: Member must "
        "satisfy enum value set: [SIZE, NONE]; "
        "Value 'hi' at 'returnValues' failed to satisfy constraint: Member must satisfy enum "
        "value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]; "
        "Value null at 'key' failed to satisfy constraint: Member must not be null; "
        "Value 'AN' at 'conditionalOperator' failed to satisfy constraint: Member must satisfy "
        "enum value set: [OR, AND]; "
        "Value 'X' at 'expected.a.member.comparisonOperator' failed to satisfy constraint: "
        "Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, "
        "NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]; "
        "Value 'ALL_NEW' at 'returnValuesOnConditionCheckFailure' failed to satisfy constraint: "
        "Member must satisfy enum value set: [ALL_OLD, NONE]; "
        "Value 'SET' at 'attributeUpdates.b.member.action' failed to satisfy constraint: "
        "Member must satisfy enum value set: [ADD, PUT, DELETE]"
    )


def test_invalid_return_values_and_capacity_are_reported_together(client):
    code, message = fails(client.update_item, TableName="things", Key=KEY,
                          ReturnValues="INVALID", ReturnConsumedCapacity="INVALID")
    assert code == "ValidationException"
    assert message.startswith("2 validation errors detected: ")
    assert "'returnValues'" in message and "'returnConsumedCapacity'" in message


# ------------------------------------------------------------------ expression / legacy mixing


def test_mixing_lists_every_parameter_and_wins_over_bad_values(db):
    with pytest.raises(ValidationException) as excinfo:
        db_update(db, TableName="things", Key={"a": {}}, Expected={"a": {}}, AttributeUpdates={},
                  ExpressionAttributeNames={}, ExpressionAttributeValues={},
                  ConditionExpression="", UpdateExpression="")
    assert error_of(excinfo)[1] == (
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {AttributeUpdates, Expected} "
        "Expression parameters: {UpdateExpression, ConditionExpression}"
    )


def test_update_expression_with_attribute_updates(client):
    assert fails(client.update_item, TableName="things", Key=KEY,
                 UpdateExpression="SET attr1 = :v",
                 ExpressionAttributeValues={":v": {"S": "val"}},
                 AttributeUpdates={"attr1": {"Value": {"S": "val"}, "Action": "PUT"}}) == (
        "ValidationException",
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {AttributeUpdates} Expression parameters: {UpdateExpression}",
    )


def test_condition_expression_with_expected(client):
    assert fails(client.update_item, TableName="things", Key=KEY,
                 ConditionExpression="attribute_exists(pk)",
                 Expected={"pk": {"Exists": True, "Value": {"S": "a"}}})[1] == (
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}"
    )


def test_attribute_maps_need_an_expression(db):
    with pytest.raises(ValidationException) as excinfo:
        db_update(db, TableName="things", Key={"a": {}}, Expected={"a": {}},
                  ExpressionAttributeNames={}, ExpressionAttributeValues={})
    assert error_of(excinfo)[1] == (
        "ExpressionAttributeNames can only be specified when using expressions"
    )
    with pytest.raises(ValidationException) as excinfo:
        db_update(db, TableName="things", Key={"a": {}}, Expected={"a": {}},
                  ExpressionAttributeValues={})
    assert error_of(excinfo)[1] == (
        "ExpressionAttributeValues can only be specified when using expressions: "
        "UpdateExpression and ConditionExpression are null"
    )


# ------------------------------------------------------------------ values, before the table


def test_key_values_are_checked_before_attribute_updates(client):
    assert fails(client.update_item, TableName="missing", Key={"a": {"SS": []}},
                 Expected={"a": {}}, AttributeUpdates={"a": {"Action": "PUT"}})[1] == (
        INVALID + "An string set  may not be empty"
    )
    assert fails(client.update_item, TableName="missing", Key={"a": {"N": "1e126"}})[1] == (
        "Number overflow. Attempting to store a number with magnitude larger than supported range"
    )


@pytest.mark.parametrize(("updates", "message"), [
    ({"a": {"Action": "PUT"}}, ONLY_DELETE),
    ({"a": {}}, ONLY_DELETE),
    ({"a": {"Action": "ADD"}}, ONLY_DELETE),
    ({"a": {"Action": "DELETE", "Value": {"S": "1"}}},
     "DELETE action with value is not supported for the type S"),
    ({"a": {"Action": "DELETE", "Value": {"N": "1"}}},
     "DELETE action with value is not supported for the type N"),
    ({"a": {"Action": "DELETE", "Value": {"L": []}}},
     "DELETE action with value is not supported for the type L"),
    ({"a": {"Action": "ADD", "Value": {"B": b"b"}}}, "ADD action is not supported for the type B"),
    ({"a": {"Action": "ADD", "Value": {"S": "1"}}}, "ADD action is not supported for the type S"),
    ({"a": {"Action": "ADD", "Value": {"M": {}}}}, "ADD action is not supported for the type M"),
    ({"a": {"Action": "ADD", "Value": {"BOOL": True}}},
     "ADD action is not supported for the type BOOL"),
    ({"a": {"Action": "ADD", "Value": {"NULL": True}}},
     "ADD action is not supported for the type NULL"),
    ({"a": {"Value": {"SS": []}}}, "An string set  may not be empty"),
    ({"a": {"Action": "PUT", "Value": {"S": "x"}}, "b": {"Value": {"NULL": False}}},
     "Null attribute value types must have the value of true"),
])
def test_attribute_updates_rules(client, updates, message):
    assert fails(client.update_item, TableName="missing", Key=KEY,
                 AttributeUpdates=updates) == ("ValidationException", INVALID + message)


def test_attribute_updates_are_checked_before_expected(client):
    assert fails(client.update_item, TableName="missing", Key=KEY, Expected={"a": {}},
                 AttributeUpdates={"a": {"Action": "PUT"}})[1] == (
        INVALID + "Only DELETE action is allowed when no attribute value is specified"
    )


@pytest.mark.parametrize(("expected", "message"), [
    ({"a": {}}, "Value must be provided when Exists is null for Attribute: a"),
    ({"a": {"Exists": True}}, "Value must be provided when Exists is true for Attribute: a"),
    ({"a": {"Exists": False, "Value": {"S": "a"}}},
     "Value cannot be used when Exists is false for Attribute: a"),
])
def test_expected_rules(client, expected, message):
    assert fails(client.update_item, TableName="missing", Key=KEY, Expected=expected) == (
        "ValidationException", INVALID + message
    )


def test_attribute_map_checks_in_order(db):
    base = {"TableName": "missing", "Key": KEY, "ConditionExpression": "",
            "UpdateExpression": ""}
    cases = [
        ({"ExpressionAttributeNames": {}, "ExpressionAttributeValues": {}},
         "ExpressionAttributeNames must not be empty"),
        ({"ExpressionAttributeNames": {"a": "a"}, "ExpressionAttributeValues": {}},
         'ExpressionAttributeNames contains invalid key: Syntax error; key: "a"'),
        ({"ExpressionAttributeValues": {}}, "ExpressionAttributeValues must not be empty"),
        ({"ExpressionAttributeValues": {":b": {"a": ""}, "b": {"S": "a"}}},
         'ExpressionAttributeValues contains invalid key: Syntax error; key: "b"'),
        ({"ExpressionAttributeValues": {":b": {}}},
         "ExpressionAttributeValues contains invalid value: Supplied AttributeValue is empty, "
         "must contain exactly one of the supported datatypes for key :b"),
        ({"ExpressionAttributeValues": {":b": {"S": "a", "N": "1"}}},
         "ExpressionAttributeValues contains invalid value: Supplied AttributeValue has more "
         "than one datatypes set, must contain exactly one of the supported datatypes for key :b"),
        ({"ExpressionAttributeValues": {":b": {"NULL": False}}},
         "ExpressionAttributeValues contains invalid value: " + INVALID
         + "Null attribute value types must have the value of true for key :b"),
        ({"ExpressionAttributeValues": {":b": {"SS": ["a", "a"]}}},
         "ExpressionAttributeValues contains invalid value: " + INVALID
         + "Input collection [a, a] contains duplicates. for key :b"),
        ({"ExpressionAttributeValues": {":b": {"N": "b"}}},
         "ExpressionAttributeValues contains invalid value: The parameter cannot be converted "
         "to a numeric value: b for key :b"),
        ({}, "Invalid UpdateExpression: The expression can not be empty;"),
    ]
    for extra, message in cases:
        with pytest.raises(ValidationException) as excinfo:
            db.call("UpdateItem", {**base, **extra})
        assert error_of(excinfo)[1] == message
    with pytest.raises(ValidationException) as excinfo:
        db_update(db, TableName="missing", Key=KEY, ConditionExpression="")
    assert error_of(excinfo)[1] == "Invalid ConditionExpression: The expression can not be empty;"


@pytest.mark.parametrize(("params", "message"), [
    ({"UpdateExpression": "INVALID SYNTAX HERE", "ExpressionAttributeValues": {":v": {"S": "v"}}},
     'Invalid UpdateExpression: Syntax error; token: "INVALID", near: "INVALID SYNTAX"'),
    ({"UpdateExpression": "SET attr1 = :v"},
     "Invalid UpdateExpression: An expression attribute value used in expression is not "
     "defined; attribute value: :v"),
    ({"UpdateExpression": "SET attr1 = :v", "ExpressionAttributeValues": {":v": {"S": "v"}},
      "ExpressionAttributeNames": {"#unused": "someattr"}},
     "Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}"),
    ({"UpdateExpression": "SET attr1 = :v",
      "ExpressionAttributeValues": {":v": {"S": "v"}, ":unused": {"S": "extra"}}},
     "Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}"),
    ({"UpdateExpression": "remove a", "ConditionExpression": "a = :b",
      "ExpressionAttributeValues": {":a": {"S": "a"}, ":b": {"S": "a"}, ":c": {"S": "a"}}},
     "Value provided in ExpressionAttributeValues unused in expressions: keys: {:a, :c}"),
    ({"UpdateExpression": "SET a = :v", "ConditionExpression": "b = :w",
      "ExpressionAttributeValues": {":v": {"S": "a"}}},
     "Invalid ConditionExpression: An expression attribute value used in expression is not "
     "defined; attribute value: :w"),
    ({"UpdateExpression": " remove Absolute "},
     "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: "
     "Absolute"),
    ({"UpdateExpression": "add a.b :a", "ExpressionAttributeValues": {":a": {"S": "a"}}},
     "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: "
     "ADD, operand type: STRING"),
    ({"UpdateExpression": "SET #v = :a, #v = :b", "ExpressionAttributeNames": {"#v": "val"},
      "ExpressionAttributeValues": {":a": {"S": "1"}, ":b": {"S": "2"}}},
     "Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
     "rewrite one of these paths; path one: [val], path two: [val]"),
])
def test_expression_errors_come_before_the_table_lookup(client, params, message):
    assert fails(client.update_item, TableName="missing", Key=KEY, **params) == (
        "ValidationException", message
    )


# ------------------------------------------------------------------ table and key


def test_missing_table(client):
    assert fails(client.update_item, TableName="missing", Key={}) == (
        "ResourceNotFoundException", "Requested resource not found"
    )
    assert fails(client.update_item, TableName="missing", Key=KEY, UpdateExpression="SET x = :v",
                 ExpressionAttributeValues={":v": {"S": "x"}})[0] == "ResourceNotFoundException"


@pytest.mark.parametrize("key", [
    {}, {"b": {"S": "a"}}, {"pk": {"S": "a"}, "b": {"S": "a"}}, {"pk": {"B": b"ab"}},
    {"pk": {"N": "1"}}, {"pk": {"BOOL": True}}, {"pk": {"NULL": True}}, {"pk": {"SS": ["a"]}},
    {"pk": {"M": {}}}, {"pk": {"L": []}},
])
def test_key_must_match_the_schema(client, key):
    create_table(client)
    assert fails(client.update_item, TableName="things", Key=key) == (
        "ValidationException", "The provided key element does not match the schema"
    )


def test_key_must_name_the_range_key_too(client):
    create_table(client, range_key=("sk", "S"))
    assert fails(client.update_item, TableName="things", Key=KEY)[1] == (
        "The provided key element does not match the schema"
    )


def test_empty_key_values(client):
    create_table(client)
    assert fails(client.update_item, TableName="things", Key={"pk": {"S": ""}})[1] == (
        "One or more parameter values are not valid. The AttributeValue for a key attribute "
        "cannot contain an empty string value. Key: pk"
    )


@pytest.mark.parametrize("params", [
    {"AttributeUpdates": {"pk": {"Value": {"S": "b"}}}},
    {"AttributeUpdates": {"pk": {"Action": "DELETE"}}},
    {"UpdateExpression": "SET pk = :v", "ExpressionAttributeValues": {":v": {"S": "new"}}},
    {"UpdateExpression": "add pk.b :a", "ExpressionAttributeValues": {":a": {"N": "1"}}},
    {"UpdateExpression": "delete pk :a", "ExpressionAttributeValues": {":a": {"NS": ["1"]}}},
    {"UpdateExpression": "remove d set b = :a, pk = :a",
     "ExpressionAttributeValues": {":a": {"N": "1"}}},
    {"UpdateExpression": "delete b :a remove pk",
     "ExpressionAttributeValues": {":a": {"NS": ["1"]}}},
    {"UpdateExpression": "set pk = pk.b + pk[1]"},
])
def test_key_attributes_cannot_be_updated(client, params):
    create_table(client)
    assert fails(client.update_item, TableName="things", Key=KEY, **params) == (
        "ValidationException",
        INVALID + "Cannot update attribute pk. This attribute is part of the key",
    )
    assert get(client) is None


@pytest.mark.parametrize("params", [
    {"AttributeUpdates": {"d": {"Value": {"N": "1"}}, "sk": {"Value": {"S": "x"}}}},
    {"UpdateExpression": "set d[1] = :a add sk.b :a",
     "ExpressionAttributeValues": {":a": {"N": "1"}}},
    {"UpdateExpression": "SET sk = :v", "ExpressionAttributeValues": {":v": {"S": "new-sk"}}},
])
def test_range_key_attributes_cannot_be_updated(client, params):
    create_table(client, range_key=("sk", "S"))
    key = {"pk": {"S": "a"}, "sk": {"S": "s"}}
    assert fails(client.update_item, TableName="things", Key=key, **params)[1] == (
        INVALID + "Cannot update attribute sk. This attribute is part of the key"
    )


# ------------------------------------------------------------------ errors while applying


@pytest.mark.parametrize("expression", ["set c = b", "set e = list_append(b, c)",
                                        "set e = b + :one"])
def test_reference_to_a_missing_attribute(client, expression):
    create_table(client)
    values = {":one": {"N": "1"}} if ":one" in expression else None
    params = {"ExpressionAttributeValues": values} if values else {}
    assert fails(client.update_item, TableName="things", Key=KEY, UpdateExpression=expression,
                 **params) == (
        "ValidationException",
        "The provided expression refers to an attribute that does not exist in the item",
    )
    assert get(client) is None


@pytest.mark.parametrize("expression", ["set b.a = pk", "set b[1] = pk"])
def test_nested_path_in_a_missing_item(client, expression):
    create_table(client)
    message = fails(client.update_item, TableName="things", Key=KEY, UpdateExpression=expression)
    assert message[1] == (
        "The document path provided in the update expression is invalid for update"
    )


@pytest.mark.parametrize("expression", [
    "set b.a = :a, #1 = :a", "set b[1] = :a, #1 = :a", "set y.a = :a, #1 = :a",
    "set c[1] = :a, #1 = :a", "set d.#1 = :a", "remove b.a set #1 = :a", "remove c[1] set #1 = :a",
    "remove d.#1 set #1 = :a", "delete y.a :a set #1 = :a", "delete c[1] :a set #1 = :a",
    "delete d.#1 :a", "add b.a :a set #1 = :a", "add y[1] :a set #1 = :a", "add d.#1 :a",
])
def test_nested_path_invalid_for_update_in_an_existing_item(client, expression):
    create_table(client)
    update(client, UpdateExpression="set b = pk, c = :c, d = :d", ExpressionAttributeValues={
        ":c": {"M": {"1": {"S": "a"}}}, ":d": {"L": [{"S": "a"}, {"S": "b"}]}})
    before = get(client)
    assert fails(client.update_item, TableName="things", Key=KEY, UpdateExpression=expression,
                 ExpressionAttributeNames={"#1": "1"},
                 ExpressionAttributeValues={":a": {"SS": ["a"]}})[1] == (
        "The document path provided in the update expression is invalid for update"
    )
    assert get(client) == before


@pytest.mark.parametrize(("expression", "value"), [
    ("delete d :a", {"SS": ["1"]}), ("delete b :a", {"NS": ["1"]}),
    ("delete b.a :a", {"NS": ["1"]}), ("delete b.a :a", {"BS": [b"a"]}),
    ("delete c :a", {"NS": ["1"]}), ("add b :a", {"NS": ["1"]}), ("add d :a", {"N": "1"}),
    ("set e = pk + :a", {"N": "1"}), ("set e = b - :a", {"N": "1"}),
    ("set e = list_append(d, if_not_exists(f, :a))", {"L": []}),
])
def test_operand_of_the_wrong_type_in_the_item(client, expression, value):
    create_table(client)
    update(client, UpdateExpression="set b = :b, c = :c, d = :d", ExpressionAttributeValues={
        ":b": {"M": {"a": {"SS": ["1"]}}}, ":c": {"N": "1"}, ":d": {"NS": ["1"]}})
    assert fails(client.update_item, TableName="things", Key=KEY, UpdateExpression=expression,
                 ExpressionAttributeValues={":a": value})[1] == (
        "An operand in the update expression has an incorrect data type"
    )


@pytest.mark.parametrize("updates", [
    {"b": {"Action": "DELETE", "Value": {"NS": ["1"]}}},
    {"b": {"Action": "DELETE", "Value": {"BS": [b"a"]}}},
    {"c": {"Action": "DELETE", "Value": {"NS": ["1"]}}},
    {"b": {"Action": "ADD", "Value": {"NS": ["1"]}}},
    {"d": {"Action": "ADD", "Value": {"N": "1"}}},
    {"c": {"Action": "ADD", "Value": {"L": [{"N": "1"}]}}},
])
def test_legacy_type_mismatch(client, updates):
    create_table(client)
    update(client, AttributeUpdates={"b": {"Value": {"SS": ["1"]}}, "c": {"Value": {"N": "1"}},
                                     "d": {"Value": {"NS": ["1"]}}})
    assert fails(client.update_item, TableName="things", Key=KEY, AttributeUpdates=updates)[1] == (
        "Type mismatch for attribute to update"
    )


def test_number_limits_after_arithmetic(client):
    create_table(client)
    update(client, UpdateExpression="SET n = :n", ExpressionAttributeValues={":n": {"N": "9e125"}})
    assert fails(client.update_item, TableName="things", Key=KEY, UpdateExpression="ADD n :n",
                 ExpressionAttributeValues={":n": {"N": "9e125"}})[1] == (
        "Number overflow. Attempting to store a number with magnitude larger than supported range"
    )


def test_item_size_after_the_update(client):
    create_table(client)
    # pk "a" (2 + 1 bytes) + "b" (1) + value: exactly 400 KB is allowed.
    exact = 400 * 1024 - 3 - 1
    update(client, AttributeUpdates={"b": {"Value": {"S": "x" * exact}}})
    assert fails(client.update_item, TableName="things", Key=KEY,
                 AttributeUpdates={"c": {"Value": {"S": "y"}}}) == (
        "ValidationException", "Item size to update has exceeded the maximum allowed size"
    )
    assert fails(client.update_item, TableName="things", Key={"pk": {"S": "b"}},
                 AttributeUpdates={"b": {"Value": {"S": "x" * (400 * 1024)}},
                                   "c": {"Value": {"N": "1" * 38 + "0" * 88}}})[1] == (
        "Item size to update has exceeded the maximum allowed size"
    )
    assert set(get(client)) == {"pk", "b"}


# ------------------------------------------------------------------ behaviour


def test_upsert_creates_the_item(client):
    create_table(client)
    assert update(client, UpdateExpression="SET #d = :v", ExpressionAttributeNames={"#d": "data"},
                  ExpressionAttributeValues={":v": {"S": "created"}}) == {}
    assert get(client) == {"pk": {"S": "a"}, "data": {"S": "created"}}


def test_no_action_creates_an_item_with_just_the_key(client):
    create_table(client, range_key=("sk", "N"))
    key = {"pk": {"S": "a"}, "sk": {"N": "01.50"}}
    assert update(client, Key=key) == {}
    assert get(client, {"pk": {"S": "a"}, "sk": {"N": "1.5"}}) == {
        "pk": {"S": "a"}, "sk": {"N": "1.5"}
    }
    assert update(client, Key={"pk": {"S": "b"}, "sk": {"N": "1"}}, AttributeUpdates={}) == {}
    assert get(client, {"pk": {"S": "b"}, "sk": {"N": "1"}}) is not None


@pytest.mark.parametrize("params", [
    {"UpdateExpression": "REMOVE a"},
    {"UpdateExpression": "REMOVE a.b[2], c"},
    {"UpdateExpression": "DELETE tags :t", "ExpressionAttributeValues": {":t": {"SS": ["x"]}}},
    {"AttributeUpdates": {"a": {"Action": "DELETE"}}},
])
@pytest.mark.parametrize("return_values", ["ALL_NEW", "UPDATED_NEW", "ALL_OLD", "UPDATED_OLD"])
def test_remove_or_delete_only_on_a_missing_item_creates_nothing(client, params, return_values):
    create_table(client)
    response = update(client, ReturnValues=return_values, ReturnConsumedCapacity="TOTAL",
                      **params)
    assert response == {"ConsumedCapacity": {"TableName": "things", "CapacityUnits": 1.0}}
    assert get(client) is None
    assert client.describe_table(TableName="things")["Table"]["ItemCount"] == 0


def test_set_with_remove_on_a_missing_item_creates_it(client):
    create_table(client)
    update(client, UpdateExpression="SET b = :b REMOVE a", ExpressionAttributeValues={
        ":b": {"S": "x"}})
    assert get(client) == {**KEY, "b": {"S": "x"}}


def test_set_remove_add_delete(client):
    create_table(client)
    client.put_item(TableName="things", Item={
        **KEY, "keep": {"S": "yes"}, "drop": {"S": "no"}, "count": {"N": "10"},
        "tags": {"SS": ["a", "b", "c"]}, "vals": {"L": [{"S": "a"}, {"S": "b"}]},
        "gone": {"SS": ["a", "b"]},
    })
    update(client, UpdateExpression=(
        "SET vals = list_append(vals, :more), fresh = if_not_exists(fresh, :def), "
        "keep = if_not_exists(keep, :def) REMOVE #d ADD #c :three, tags :t DELETE gone :b"
    ), ExpressionAttributeNames={"#d": "drop", "#c": "count"}, ExpressionAttributeValues={
        ":more": {"L": [{"S": "c"}]}, ":def": {"S": "default"}, ":three": {"N": "3"},
        ":t": {"SS": ["d"]}, ":b": {"SS": ["b"]},
    })
    assert get(client) == {
        **KEY, "keep": {"S": "yes"}, "count": {"N": "13"}, "tags": {"SS": ["a", "b", "c", "d"]},
        "gone": {"SS": ["a"]},
        "vals": {"L": [{"S": "a"}, {"S": "b"}, {"S": "c"}]}, "fresh": {"S": "default"},
    }


def test_delete_of_every_member_removes_the_attribute(client):
    create_table(client)
    client.put_item(TableName="things", Item={**KEY, "tags": {"NS": ["1", "2"]}})
    update(client, UpdateExpression="DELETE tags :v",
           ExpressionAttributeValues={":v": {"NS": ["2", "1.0"]}})
    assert get(client) == KEY


def test_list_elements(client):
    create_table(client)
    client.put_item(TableName="things", Item={
        **KEY, "l": {"L": [{"S": "a"}, {"S": "b"}, {"S": "c"}, {"S": "d"}]}})
    update(client, UpdateExpression="REMOVE l[1], l[2]")
    assert get(client)["l"] == {"L": [{"S": "a"}, {"S": "d"}]}
    update(client, UpdateExpression="SET l[9] = :x", ExpressionAttributeValues={":x": {"S": "x"}})
    assert get(client)["l"] == {"L": [{"S": "a"}, {"S": "d"}, {"S": "x"}]}


def test_nested_updates_apply_in_path_order_and_return_updated_new(client):
    # DynamoDB's own example (dynalite's suite, run against AWS).
    create_table(client)
    update(client, UpdateExpression="set b = :b, c = :c", ExpressionAttributeValues={
        ":b": {"M": {"a": {"N": "1"}, "b": {"N": "2"}, "c": {"N": "3"}}},
        ":c": {"L": [{"N": "1"}, {"N": "3"}]}})
    response = update(
        client,
        UpdateExpression=("set b.c=((c[1])+(b.a)),b.a = pk,c[1] = pk, c[4] = b.a - b.b, "
                          "c[2] = b.c add c[8] :b, c[6] :a"),
        ExpressionAttributeValues={":a": {"N": "2"}, ":b": {"SS": ["a"]}},
        ReturnValues="UPDATED_NEW",
    )
    a = KEY["pk"]
    assert response == {"Attributes": {
        "b": {"M": {"a": a, "c": {"N": "4"}}}, "c": {"L": [a, {"N": "3"}, {"N": "2"}]}}}
    assert get(client) == {
        **KEY, "b": {"M": {"a": a, "b": {"N": "2"}, "c": {"N": "4"}}},
        "c": {"L": [{"N": "1"}, a, {"N": "3"}, {"N": "-1"}, {"N": "2"}, {"SS": ["a"]}]},
    }


@pytest.mark.parametrize("spec", [
    {"AttributeUpdates": {
        "b": {"Action": "DELETE"}, "c": {"Action": "DELETE", "Value": {"SS": ["a", "b"]}},
        "d": {"Action": "ADD", "Value": {"N": "5"}},
        "e": {"Action": "ADD", "Value": {"SS": ["a", "b"]}},
        "f": {"Action": "ADD", "Value": {"L": [{"S": "a"}, {"N": "1"}]}}}},
    {"UpdateExpression": "REMOVE b DELETE c :c ADD d :d, e :e SET f = :f"},
    {"UpdateExpression": "ADD #e :e,#d :d DELETE #c :c REMOVE #b SET #f = :f",
     "ExpressionAttributeNames": {f"#{n}": n for n in "bcdef"}},
])
def test_add_and_delete_on_a_missing_item(client, spec):
    create_table(client)
    if "UpdateExpression" in spec:
        spec = {**spec, "ExpressionAttributeValues": {
            ":c": {"SS": ["a", "b"]}, ":d": {"N": "5"}, ":e": {"SS": ["a", "b"]},
            ":f": {"L": [{"S": "a"}, {"N": "1"}]}}}
    expected = {"d": {"N": "5"}, "e": {"SS": ["a", "b"]}, "f": {"L": [{"S": "a"}, {"N": "1"}]}}
    assert update(client, ReturnValues="UPDATED_NEW", **spec) == {"Attributes": expected}
    assert get(client) == {**KEY, **expected}


def test_legacy_attribute_updates(client):
    create_table(client)
    client.put_item(TableName="things", Item={
        **KEY, "name": {"S": "old"}, "count": {"N": "1"}, "extra": {"S": "x"},
        "tags": {"SS": ["a", "b"]}, "nums": {"NS": ["1", "2"]},
        "bin": {"BS": [b"\x01\x02", b"\x02"]},
        "list": {"L": [{"S": "a"}]}})
    update(client, AttributeUpdates={
        "name": {"Action": "PUT", "Value": {"S": "new"}},
        "count": {"Action": "ADD", "Value": {"N": "9"}},
        "extra": {"Action": "DELETE"}, "tags": {"Action": "ADD", "Value": {"SS": ["b", "c"]}},
        "nums": {"Action": "DELETE", "Value": {"NS": ["1", "4"]}},
        "bin": {"Action": "ADD", "Value": {"BS": [b"\x02", b"\x01"]}},
        "list": {"Action": "ADD", "Value": {"L": [{"N": "1"}]}},
        "absent": {"Action": "DELETE", "Value": {"SS": ["z"]}},
    })
    assert get(client) == {
        **KEY, "name": {"S": "new"}, "count": {"N": "10"}, "tags": {"SS": ["a", "b", "c"]},
        "nums": {"NS": ["2"]}, "bin": {"BS": [b"\x01", b"\x01\x02", b"\x02"]},
        "list": {"L": [{"S": "a"}, {"N": "1"}]},
    }


# ------------------------------------------------------------------ ReturnValues


def test_return_values_on_a_missing_item(client):
    create_table(client)
    for return_values in ("NONE", "ALL_OLD", "UPDATED_OLD"):
        assert update(client, Key={"pk": {"S": return_values}}, ReturnValues=return_values,
                      AttributeUpdates={"b": {"Value": {"S": "x"}}}) == {}
    assert update(client, Key={"pk": {"S": "n"}}, ReturnValues="ALL_NEW") == {
        "Attributes": {"pk": {"S": "n"}}}
    assert update(client, Key={"pk": {"S": "u"}}, ReturnValues="UPDATED_NEW") == {}


def test_return_values_on_an_existing_item(client):
    create_table(client)
    client.put_item(TableName="things", Item={**KEY, "b": {"S": "a"}, "c": {"S": "a"},
                                              "m": {"M": {"x": {"N": "1"}, "y": {"N": "2"}}}})

    def run(return_values, value):
        return update(client, UpdateExpression="SET b = :b, m.x = :x REMOVE c",
                      ExpressionAttributeValues={":b": {"S": value}, ":x": {"N": value}},
                      ReturnValues=return_values)

    assert run("UPDATED_OLD", "1") == {"Attributes": {
        "b": {"S": "a"}, "c": {"S": "a"}, "m": {"M": {"x": {"N": "1"}}}}}
    assert run("UPDATED_NEW", "2") == {"Attributes": {
        "b": {"S": "2"}, "m": {"M": {"x": {"N": "2"}}}}}
    assert run("ALL_OLD", "3") == {"Attributes": {
        **KEY, "b": {"S": "2"}, "m": {"M": {"x": {"N": "2"}, "y": {"N": "2"}}}}}
    assert run("ALL_NEW", "4") == {"Attributes": {
        **KEY, "b": {"S": "4"}, "m": {"M": {"x": {"N": "4"}, "y": {"N": "2"}}}}}
    assert run("NONE", "5") == {}


def test_updated_new_leaves_out_removed_attributes(client):
    create_table(client)
    update(client, AttributeUpdates={"b": {"Value": {"S": "a"}}, "c": {"Value": {"S": "a"}}})
    assert update(client, AttributeUpdates={"b": {"Action": "DELETE"}, "c": {"Value": {"S": "a"}}},
                  ReturnValues="UPDATED_NEW") == {"Attributes": {"c": {"S": "a"}}}
    assert update(client, UpdateExpression="REMOVE c", ReturnValues="UPDATED_NEW") == {}


def test_if_not_exists_reads_the_key_of_a_new_item(client):
    create_table(client)
    assert update(client, UpdateExpression="set b = if_not_exists(b, pk)",
                  ReturnValues="UPDATED_NEW") == {"Attributes": {"b": KEY["pk"]}}


# ------------------------------------------------------------------ conditions


def test_condition_passes_and_fails(client):
    create_table(client)
    client.put_item(TableName="things", Item={**KEY, "status": {"S": "active"}})
    params = dict(UpdateExpression="SET #d = :v", ConditionExpression="#s = :expected",
                  ExpressionAttributeNames={"#d": "data", "#s": "status"})
    update(client, ExpressionAttributeValues={":v": {"S": "new"}, ":expected": {"S": "active"}},
           **params)
    assert get(client)["data"] == {"S": "new"}
    with pytest.raises(client.exceptions.ConditionalCheckFailedException) as excinfo:
        update(client, ExpressionAttributeValues={":v": {"S": "no"}, ":expected": {"S": "x"}},
               **params)
    assert error_of(excinfo) == CONDITION_FAILED
    assert "Item" not in excinfo.value.response
    assert get(client)["data"] == {"S": "new"}


@pytest.mark.parametrize("params", [
    {"ConditionExpression": "attribute_exists(pk)", "UpdateExpression": "ADD hits :one",
     "ExpressionAttributeValues": {":one": {"N": "1"}}},
    {"ConditionExpression": "#sc > :min", "ExpressionAttributeNames": {"#sc": "score"},
     "ExpressionAttributeValues": {":min": {"N": "0"}}},
    {"ConditionExpression": "attribute_exists(pk) AND #s = :e", "UpdateExpression": "SET #s = :n",
     "ExpressionAttributeNames": {"#s": "status"},
     "ExpressionAttributeValues": {":e": {"S": "a"}, ":n": {"S": "b"}}},
    {"Expected": {"pk": {"Value": {"S": "a"}}}},
    {"Expected": {"pk": {"ComparisonOperator": "NOT_NULL"}}},
    {"Expected": {"pk": {"Exists": True, "Value": {"S": "a"}}}},
])
def test_a_failed_condition_on_a_missing_item_creates_nothing(client, params):
    create_table(client)
    with pytest.raises(client.exceptions.ConditionalCheckFailedException) as excinfo:
        update(client, ReturnValuesOnConditionCheckFailure="ALL_OLD", **params)
    assert "Item" not in excinfo.value.response
    assert get(client) is None


def test_attribute_not_exists_upserts(client):
    create_table(client)
    assert update(client, UpdateExpression="SET #s = :new, #sc = :score",
                  ConditionExpression="attribute_not_exists(pk)",
                  ExpressionAttributeNames={"#s": "status", "#sc": "score"},
                  ExpressionAttributeValues={":new": {"S": "fresh"}, ":score": {"N": "42"}},
                  ReturnValues="ALL_NEW") == {"Attributes": {
        **KEY, "status": {"S": "fresh"}, "score": {"N": "42"}}}
    with pytest.raises(client.exceptions.ConditionalCheckFailedException):
        update(client, UpdateExpression="SET #s = :new",
               ConditionExpression="attribute_not_exists(pk)",
               ExpressionAttributeNames={"#s": "status"},
               ExpressionAttributeValues={":new": {"S": "again"}})


def test_return_values_on_condition_check_failure(client):
    create_table(client, hash_key=("pk", "B"))
    key = {"pk": {"B": b"\x00\xff"}}
    item = {**key, "status": {"S": "locked"}, "blob": {"B": b"\x01"}, "n": {"N": "1.50"}}
    client.put_item(TableName="things", Item=item)
    params = dict(Key=key, UpdateExpression="SET #s = :v", ConditionExpression="#s = :expected",
                  ExpressionAttributeNames={"#s": "status"},
                  ExpressionAttributeValues={":v": {"S": "x"}, ":expected": {"S": "active"}})
    with pytest.raises(client.exceptions.ConditionalCheckFailedException) as excinfo:
        update(client, ReturnValuesOnConditionCheckFailure="ALL_OLD", **params)
    assert error_of(excinfo) == CONDITION_FAILED
    assert excinfo.value.response["Item"] == {**item, "n": {"N": "1.5"}}
    with pytest.raises(client.exceptions.ConditionalCheckFailedException) as excinfo:
        update(client, ReturnValuesOnConditionCheckFailure="NONE", **params)
    assert "Item" not in excinfo.value.response


def test_expected_with_boolean_value(client):
    create_table(client)
    client.put_item(TableName="things", Item={**KEY, "active": {"BOOL": False}})
    assert update(client, Expected={"active": {"Value": {"BOOL": False}, "Exists": True}},
                  AttributeUpdates={"active": {"Action": "PUT", "Value": {"BOOL": True}}},
                  ReturnValues="UPDATED_NEW") == {"Attributes": {"active": {"BOOL": True}}}
    assert update(client, ConditionExpression="#a = :a", UpdateExpression="SET #b = :b",
                  ExpressionAttributeNames={"#a": "active", "#b": "active"},
                  ExpressionAttributeValues={":a": {"BOOL": True}, ":b": {"BOOL": False}},
                  ReturnValues="UPDATED_NEW") == {"Attributes": {"active": {"BOOL": False}}}


def test_the_condition_is_checked_before_the_update_is_applied(client):
    create_table(client)
    with pytest.raises(client.exceptions.ConditionalCheckFailedException):
        update(client, UpdateExpression="SET a = nothing",
               ConditionExpression="attribute_exists(x)")


# ------------------------------------------------------------------ capacity


def test_consumed_capacity_uses_the_larger_item(client):
    create_table(client)
    big = "x" * 1500
    assert update(client, AttributeUpdates={"b": {"Value": {"S": big}}},
                  ReturnConsumedCapacity="TOTAL") == {
        "ConsumedCapacity": {"TableName": "things", "CapacityUnits": 2.0}}
    assert update(client, AttributeUpdates={"b": {"Action": "DELETE"}},
                  ReturnConsumedCapacity="INDEXES") == {"ConsumedCapacity": {
        "TableName": "things", "CapacityUnits": 2.0, "Table": {"CapacityUnits": 2.0}}}
    assert update(client, UpdateExpression="SET c = :c", ExpressionAttributeValues={
        ":c": {"N": "1"}}, ReturnConsumedCapacity="TOTAL") == {
        "ConsumedCapacity": {"TableName": "things", "CapacityUnits": 1.0}}
    assert update(client, ReturnConsumedCapacity="NONE", ReturnItemCollectionMetrics="SIZE") == {}


def test_table_arn_is_accepted_as_table_name(client):
    arn = create_table(client)["TableDescription"]["TableArn"]
    update(client, TableName=arn, AttributeUpdates={"b": {"Value": {"S": "x"}}})
    assert get(client) == {**KEY, "b": {"S": "x"}}
