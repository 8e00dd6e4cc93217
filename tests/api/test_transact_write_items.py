"""TransactWriteItems: validation (request-level and per action) -> behaviour -> capacity."""

from __future__ import annotations

import pytest

from tests.conftest import create_table, error_of

CANCELLED = "Transaction cancelled, please refer cancellation reasons for specific reasons "


def _put(pk: str, table: str = "things", **extra) -> dict:
    return {"Put": {"TableName": table, "Item": {"pk": {"S": pk}, **extra}}}


def _key(pk: str) -> dict:
    return {"pk": {"S": pk}}


def _get(client, pk: str, table: str = "things"):
    return client.get_item(TableName=table, Key=_key(pk), ConsistentRead=True).get("Item")


def _raises(client, code: str, **params):
    with pytest.raises(Exception) as excinfo:
        client.transact_write_items(**params)
    assert error_of(excinfo)[0] == code, error_of(excinfo)
    return excinfo.value.response


@pytest.fixture
def table(client):
    create_table(client)
    return client


# ---------------------------------------------------------------- request-level validation


def test_empty_transact_items(db):
    # boto3 refuses an empty list before sending it: the engine is asked directly.
    with pytest.raises(Exception) as excinfo:
        db.call("TransactWriteItems", {"TransactItems": []})
    assert error_of(excinfo)[1] == (
        "1 validation error detected: Value '[]' at 'transactItems' failed to satisfy "
        "constraint: Member must have length greater than or equal to 1"
    )


def test_more_than_100_actions(table):
    response = _raises(table, "ValidationException",
                       TransactItems=[_put(f"k{i}") for i in range(101)])
    message = response["Error"]["Message"]
    assert message.startswith("1 validation error detected: Value '[{Put={TableName=things")
    assert message.endswith(
        "]' at 'transactItems' failed to satisfy constraint: "
        "Member must have length less than or equal to 100"
    )


def test_exactly_100_actions(table):
    table.transact_write_items(TransactItems=[_put(f"k{i}") for i in range(100)])
    assert table.describe_table(TableName="things")["Table"]["ItemCount"] == 100


def test_action_without_a_kind_or_with_two(table):
    for entry in ({}, {**_put("a"), "Delete": {"TableName": "things", "Key": _key("a")}}):
        response = _raises(table, "ValidationException", TransactItems=[entry])
        assert response["Error"]["Message"] == (
            "TransactItems can only contain one of Check, Put, Update or Delete"
        )


def test_member_constraints_of_every_action_together(db):
    # boto3 refuses missing required members before sending: the engine is asked directly.
    with pytest.raises(Exception) as excinfo:
        db.call("TransactWriteItems", {"TransactItems": [
        {"ConditionCheck": {"TableName": "things", "Key": _key("a")}},
        {"Update": {"TableName": "x!", "Key": _key("b")}},
        {"Put": {"TableName": "things", "Item": _key("c"),
                 "ReturnValuesOnConditionCheckFailure": "SOME"}},
        ]})
    assert error_of(excinfo)[1] == (
        "4 validation errors detected: "
        "Value null at 'transactItems.1.member.conditionCheck.conditionExpression' failed to "
        "satisfy constraint: Member must not be null; "
        "Value 'x!' at 'transactItems.2.member.update.tableName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; "
        "Value null at 'transactItems.2.member.update.updateExpression' failed to satisfy "
        "constraint: Member must not be null; "
        "Value 'SOME' at 'transactItems.3.member.put.returnValuesOnConditionCheckFailure' "
        "failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]"
    )


def test_client_request_token_length(table):
    response = _raises(table, "ValidationException", TransactItems=[_put("a")],
                       ClientRequestToken="t" * 37)
    assert response["Error"]["Message"] == (
        f"1 validation error detected: Value '{'t' * 37}' at 'clientRequestToken' failed to "
        "satisfy constraint: Member must have length less than or equal to 36"
    )


def test_expression_syntax_error_is_request_level(table):
    response = _raises(table, "ValidationException", TransactItems=[
        {"Put": {"TableName": "things", "Item": _key("a"), "ConditionExpression": "a = = b"}},
    ])
    assert response["Error"]["Message"].startswith("Invalid ConditionExpression: Syntax error;")


def test_unused_expression_value_is_request_level(table):
    response = _raises(table, "ValidationException", TransactItems=[
        {"Delete": {"TableName": "things", "Key": _key("a"),
                    "ConditionExpression": "attribute_exists(pk)",
                    "ExpressionAttributeValues": {":unused": {"S": "x"}}}},
    ])
    assert response["Error"]["Message"] == (
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}"
    )


def test_put_item_too_large_is_request_level(table):
    response = _raises(table, "ValidationException", TransactItems=[
        _put("a", big={"S": "x" * 400 * 1024}),
    ])
    assert response["Error"]["Message"] == "Item size has exceeded the maximum allowed size"


def test_aggregate_size_over_4_mb(table):
    actions = [_put(f"big{i}", payload={"S": "x" * 350_000}) for i in range(12)]
    _raises(table, "ValidationException", TransactItems=actions)
    assert table.scan(TableName="things")["Count"] == 0


def test_aggregate_size_under_4_mb(table):
    table.transact_write_items(
        TransactItems=[_put(f"big{i}", payload={"S": "x" * 350_000}) for i in range(10)]
    )
    assert table.describe_table(TableName="things")["Table"]["ItemCount"] == 10


def test_two_actions_on_one_item(table):
    response = _raises(table, "ValidationException", TransactItems=[
        _put("a"), {"ConditionCheck": {"TableName": "things", "Key": _key("a"),
                                       "ConditionExpression": "attribute_exists(pk)"}},
    ])
    assert response["Error"]["Message"] == (
        "Transaction request cannot include multiple operations on one item"
    )


def test_same_key_in_two_tables_is_allowed(table):
    create_table(table, "others")
    table.transact_write_items(TransactItems=[_put("a"), _put("a", table="others")])
    assert _get(table, "a") and _get(table, "a", "others")


def test_missing_table(table):
    response = _raises(table, "ResourceNotFoundException",
                       TransactItems=[_put("a"), _put("b", table="missing")])
    assert response["Error"]["Message"] == "Requested resource not found"
    assert _get(table, "a") is None


# ---------------------------------------------------------------- per-action reasons


def test_key_schema_mismatch_is_a_validation_error_reason(table):
    response = _raises(table, "TransactionCanceledException", TransactItems=[
        _put("a"),
        {"Delete": {"TableName": "things", "Key": {"other": {"S": "x"}}}},
    ])
    assert response["Error"]["Message"] == CANCELLED + "[None, ValidationError]"
    assert response["CancellationReasons"] == [
        {"Code": "None"},
        {"Code": "ValidationError",
         "Message": "The provided key element does not match the schema"},
    ]
    assert _get(table, "a") is None


def test_update_that_fails_on_the_item_is_a_validation_error_reason(table):
    table.put_item(TableName="things", Item={"pk": {"S": "a"}, "s": {"S": "text"}})
    response = _raises(table, "TransactionCanceledException", TransactItems=[
        {"Update": {"TableName": "things", "Key": _key("a"), "UpdateExpression": "SET n = s + :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}}}},
    ])
    assert response["CancellationReasons"] == [{
        "Code": "ValidationError",
        "Message": "An operand in the update expression has an incorrect data type",
    }]


def test_update_growing_an_item_past_400_kb(table):
    table.put_item(TableName="things",
                   Item={"pk": {"S": "a"}, "s": {"S": "x" * (300 * 1024)}})
    response = _raises(table, "TransactionCanceledException", TransactItems=[
        _put("b"),
        {"Update": {"TableName": "things", "Key": _key("a"), "UpdateExpression": "SET t = :v",
                    "ExpressionAttributeValues": {":v": {"S": "y" * (200 * 1024)}}}},
    ])
    assert response["CancellationReasons"][1] == {
        "Code": "ValidationError",
        "Message": "Item size to update has exceeded the maximum allowed size",
    }
    assert _get(table, "b") is None


def test_conditions_fail_positionally(table):
    for pk in ("one", "two"):
        table.put_item(TableName="things", Item={"pk": {"S": pk}, "v": {"S": "old"}})
    response = _raises(table, "TransactionCanceledException", TransactItems=[
        {"Put": {"TableName": "things", "Item": {"pk": {"S": "one"}, "v": {"S": "new"}},
                 "ConditionExpression": "attribute_not_exists(pk)"}},
        _put("fresh"),
        {"Update": {"TableName": "things", "Key": _key("two"), "UpdateExpression": "SET v = :n",
                    "ConditionExpression": "v = :x", "ReturnValuesOnConditionCheckFailure":
                    "ALL_OLD", "ExpressionAttributeValues": {":n": {"S": "n"}, ":x": {"S": "x"}}}},
    ])
    assert response["Error"]["Message"] == (
        CANCELLED + "[ConditionalCheckFailed, None, ConditionalCheckFailed]"
    )
    assert response["CancellationReasons"] == [
        {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"},
        {"Code": "None"},
        {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed",
         "Item": {"pk": {"S": "two"}, "v": {"S": "old"}}},
    ]
    assert _get(table, "fresh") is None
    assert _get(table, "one")["v"] == {"S": "old"}


def test_all_old_on_a_missing_item_returns_no_item(table):
    response = _raises(table, "TransactionCanceledException", TransactItems=[
        {"ConditionCheck": {"TableName": "things", "Key": _key("ghost"),
                            "ConditionExpression": "attribute_exists(pk)",
                            "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
    ])
    assert response["CancellationReasons"] == [
        {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"},
    ]


def test_update_with_attribute_exists_does_not_create(table):
    _raises(table, "TransactionCanceledException", TransactItems=[
        {"Update": {"TableName": "things", "Key": _key("ghost"), "UpdateExpression": "ADD n :one",
                    "ConditionExpression": "attribute_exists(pk)",
                    "ExpressionAttributeValues": {":one": {"N": "1"}}}},
    ])
    assert _get(table, "ghost") is None


# ---------------------------------------------------------------- behaviour


def test_put_update_delete_and_check_apply_together(table):
    table.put_item(TableName="things", Item={"pk": {"S": "upd"}, "n": {"N": "1"}})
    table.put_item(TableName="things", Item={"pk": {"S": "del"}})
    table.put_item(TableName="things", Item={"pk": {"S": "chk"}, "ok": {"BOOL": True}})
    response = table.transact_write_items(TransactItems=[
        _put("new", v={"S": "created"}),
        {"Update": {"TableName": "things", "Key": _key("upd"), "UpdateExpression": "ADD n :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}}}},
        {"Delete": {"TableName": "things", "Key": _key("del"),
                    "ConditionExpression": "attribute_exists(pk)"}},
        {"ConditionCheck": {"TableName": "things", "Key": _key("chk"),
                            "ConditionExpression": "#o = :t",
                            "ExpressionAttributeNames": {"#o": "ok"},
                            "ExpressionAttributeValues": {":t": {"BOOL": True}}}},
    ])
    assert set(response) == {"ResponseMetadata"}
    assert _get(table, "new")["v"] == {"S": "created"}
    assert _get(table, "upd")["n"] == {"N": "2"}
    assert _get(table, "del") is None
    assert _get(table, "chk") == {"pk": {"S": "chk"}, "ok": {"BOOL": True}}
    assert table.describe_table(TableName="things")["Table"]["ItemCount"] == 3


def test_conditions_see_the_state_before_the_transaction(table):
    # The Put creates "b"; the check on "a" must not see it and the one on "a" passes.
    table.put_item(TableName="things", Item={"pk": {"S": "a"}})
    table.transact_write_items(TransactItems=[
        _put("b"),
        {"ConditionCheck": {"TableName": "things", "Key": _key("a"),
                            "ConditionExpression": "attribute_exists(pk)"}},
    ])
    assert _get(table, "b") is not None


def test_indexes_change_with_the_transaction_or_not_at_all(client):
    client.create_table(
        TableName="things",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                              {"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[{"IndexName": "byg",
                                 "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}],
        BillingMode="PAY_PER_REQUEST",
    )

    def in_index():
        return client.query(TableName="things", IndexName="byg",
                            KeyConditionExpression="g = :g",
                            ExpressionAttributeValues={":g": {"S": "x"}})["Count"]

    _raises(client, "TransactionCanceledException", TransactItems=[
        _put("a", g={"S": "x"}),
        {"ConditionCheck": {"TableName": "things", "Key": _key("none"),
                            "ConditionExpression": "attribute_exists(pk)"}},
    ])
    assert in_index() == 0
    # A wrongly typed index key is a ValidationError reason, and nothing is written.
    response = _raises(client, "TransactionCanceledException", TransactItems=[
        _put("a", g={"S": "x"}), _put("b", g={"N": "1"}),
    ])
    assert response["CancellationReasons"][0] == {"Code": "None"}
    assert response["CancellationReasons"][1]["Code"] == "ValidationError"
    assert response["CancellationReasons"][1]["Message"].startswith(
        "One or more parameter values were invalid: Type mismatch for Index Key g"
    )
    assert in_index() == 0
    client.transact_write_items(TransactItems=[_put("a", g={"S": "x"}), _put("b", g={"S": "x"})])
    assert in_index() == 2


# ---------------------------------------------------------------- capacity


def test_consumed_capacity_is_doubled_and_split(table):
    create_table(table, "others")
    response = table.transact_write_items(
        TransactItems=[_put("a"), _put("b", big={"S": "x" * 1500}), _put("c", table="others")],
        ReturnConsumedCapacity="TOTAL",
    )
    assert response["ConsumedCapacity"] == [
        {"TableName": "things", "CapacityUnits": 6.0, "WriteCapacityUnits": 6.0},
        {"TableName": "others", "CapacityUnits": 2.0, "WriteCapacityUnits": 2.0},
    ]


def test_consumed_capacity_with_indexes(table):
    response = table.transact_write_items(TransactItems=[_put("a")],
                                          ReturnConsumedCapacity="INDEXES")
    assert response["ConsumedCapacity"] == [{
        "TableName": "things", "CapacityUnits": 2.0, "WriteCapacityUnits": 2.0,
        "Table": {"CapacityUnits": 2.0, "WriteCapacityUnits": 2.0},
    }]


def test_no_consumed_capacity_unless_asked(table):
    response = table.transact_write_items(TransactItems=[_put("a")],
                                          ReturnConsumedCapacity="NONE")
    assert "ConsumedCapacity" not in response


# ---------------------------------------------------------------- idempotency


def test_retry_with_the_same_token_applies_once(table):
    request = {
        "ClientRequestToken": "token-1",
        "TransactItems": [{"Update": {"TableName": "things", "Key": _key("n"),
                                      "UpdateExpression": "ADD c :one",
                                      "ExpressionAttributeValues": {":one": {"N": "1"}}}}],
    }
    first = table.transact_write_items(ReturnConsumedCapacity="TOTAL", **request)
    again = table.transact_write_items(ReturnConsumedCapacity="TOTAL", **request)
    assert _get(table, "n")["c"] == {"N": "1"}
    assert first["ConsumedCapacity"] == [
        {"TableName": "things", "CapacityUnits": 2.0, "WriteCapacityUnits": 2.0}
    ]
    # A retry reports reading the item, not writing it.
    assert again["ConsumedCapacity"] == [
        {"TableName": "things", "CapacityUnits": 1.0, "ReadCapacityUnits": 1.0}
    ]


def test_same_token_other_request(table):
    table.transact_write_items(ClientRequestToken="token-2", TransactItems=[_put("a")])
    response = _raises(table, "IdempotentParameterMismatchException",
                       ClientRequestToken="token-2", TransactItems=[_put("b")])
    assert "idempotent token that was already used" in response["Error"]["Message"]
    assert _get(table, "b") is None


def test_token_expires_after_ten_minutes(table, clock):
    table.transact_write_items(ClientRequestToken="token-3", TransactItems=[_put("a")])
    clock.advance(599)
    _raises(table, "IdempotentParameterMismatchException",
            ClientRequestToken="token-3", TransactItems=[_put("b")])
    clock.advance(2)
    table.transact_write_items(ClientRequestToken="token-3", TransactItems=[_put("b")])
    assert _get(table, "b") is not None


def test_a_cancelled_transaction_records_no_token(table):
    table.put_item(TableName="things", Item={"pk": {"S": "a"}})
    failing = [{"Put": {"TableName": "things", "Item": _key("a"),
                        "ConditionExpression": "attribute_not_exists(pk)"}}]
    _raises(table, "TransactionCanceledException", ClientRequestToken="t4", TransactItems=failing)
    table.transact_write_items(ClientRequestToken="t4", TransactItems=[_put("b")])
    assert _get(table, "b") is not None


# ---------------------------------------------------------------- expression maps


@pytest.mark.parametrize("maps", [
    {"ExpressionAttributeNames": {"#n": "foo"}},
    {"ExpressionAttributeValues": {":v": {"N": "1"}}},
])
@pytest.mark.parametrize("kind", ["Put", "Delete"])
def test_maps_without_an_expression_are_accepted(table, maps, kind):
    body = {"TableName": "things", **maps}
    body["Item" if kind == "Put" else "Key"] = _key("a")
    table.transact_write_items(TransactItems=[{kind: body}])
    assert (_get(table, "a") is not None) == (kind == "Put")


def test_unused_name_with_a_condition_is_refused(table):
    response = _raises(table, "ValidationException", TransactItems=[{"Put": {
        "TableName": "things", "Item": _key("a"), "ConditionExpression": "attribute_not_exists(pk)",
        "ExpressionAttributeNames": {"#n": "foo"}}}])
    assert response["Error"]["Message"] == (
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#n}"
    )


@pytest.mark.parametrize("action, message", [
    ({"Update": {"TableName": "things", "Key": _key("a"), "UpdateExpression": "SET status = :v",
                 "ExpressionAttributeValues": {":v": {"N": "1"}}}},
     "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status"),
    ({"ConditionCheck": {"TableName": "things", "Key": _key("a"),
                         "ConditionExpression": "status > :v",
                         "ExpressionAttributeValues": {":v": {"N": "0"}}}},
     "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: "
     "status"),
])
def test_parse_errors_name_their_expression(table, action, message):
    response = _raises(table, "ValidationException", TransactItems=[action])
    assert response["Error"]["Message"] == message


def test_oversized_key_is_a_reason_but_an_empty_key_is_refused_outright(table):
    response = _raises(table, "TransactionCanceledException", TransactItems=[
        {"Delete": {"TableName": "things", "Key": _key("a" * 2049)}},
    ])
    assert response["CancellationReasons"][0]["Code"] == "ValidationError"
    response = _raises(table, "ValidationException", TransactItems=[_put("")])
    assert response["Error"]["Message"] == (
        "One or more parameter values are not valid. The AttributeValue for a key attribute "
        "cannot contain an empty string value. Key: pk"
    )
