"""BatchGetItem: serialization -> validation (and its order) -> behaviour."""

from __future__ import annotations

import pytest

from ddblite.errors import SerializationException, ValidationException
from tests.conftest import create_table, error_of


def keys(*values):
    return [{"pk": {"S": v}} for v in values]


# ------------------------------------------------------------------ serialization


def test_request_items_of_the_wrong_type(db):
    with pytest.raises(SerializationException):
        db.call("BatchGetItem", {"RequestItems": ["things"]})
    with pytest.raises(SerializationException):
        db.call("BatchGetItem", {"RequestItems": {"things": {"Keys": "a"}}})


# ------------------------------------------------------------------ validation


def test_missing_and_empty_request_items(db):
    with pytest.raises(ValidationException) as excinfo:
        db.call("BatchGetItem", {"ReturnConsumedCapacity": "hi"})
    assert error_of(excinfo)[1] == (
        "2 validation errors detected: Value 'hi' at 'returnConsumedCapacity' failed to "
        "satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]; "
        "Value null at 'requestItems' failed to satisfy constraint: Member must not be null"
    )
    with pytest.raises(ValidationException) as excinfo:
        db.call("BatchGetItem", {"RequestItems": {}})
    assert error_of(excinfo)[1] == "The requestItems parameter is required for BatchGetItem"


def test_more_than_100_keys_for_one_table(client):
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.batch_get_item(
            RequestItems={"things": {"Keys": keys(*(str(i) for i in range(101)))}}
        )
    assert error_of(excinfo)[1] == (
        "1 validation error detected: Value at 'RequestItems.things.member.Keys' failed to "
        "satisfy constraint: Member must have length less than or equal to 100"
    )


def test_more_than_100_keys_across_tables(client):
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.batch_get_item(RequestItems={
            "things": {"Keys": keys(*(str(i) for i in range(60)))},
            "others": {"Keys": keys(*(str(i) for i in range(41)))},
        })
    assert error_of(excinfo)[1] == "Too many items requested for the BatchGetItem call"


def test_empty_keys_and_bad_table_names(db):
    with pytest.raises(ValidationException) as excinfo:
        db.call("BatchGetItem", {"RequestItems": {"things": {"Keys": []}}})
    assert error_of(excinfo)[1] == (
        "1 validation error detected: Value at 'RequestItems.things.member.Keys' failed to "
        "satisfy constraint: Member must have length greater than or equal to 1"
    )
    with pytest.raises(ValidationException) as excinfo:
        db.call("BatchGetItem", {"RequestItems": {"a;": {"Keys": keys("x")}}})
    message = error_of(excinfo)[1]
    assert message.startswith("1 validation error detected: Value '{a;=")
    assert message.endswith(
        "' at 'requestItems' failed to satisfy constraint: Map keys must satisfy constraint: "
        "[Member must have length less than or equal to 255, Member must have length greater "
        "than or equal to 3, Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+]"
    )


def test_duplicate_keys_are_rejected_before_the_table_lookup(client):
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.batch_get_item(RequestItems={"missing": {"Keys": keys("a", "a")}})
    assert error_of(excinfo) == (
        "ValidationException", "Provided list of item keys contains duplicates"
    )
    create_table(client, hash_key=("pk", "N"))
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.batch_get_item(
            RequestItems={"things": {"Keys": [{"pk": {"N": "1"}}, {"pk": {"N": "1.0"}}]}}
        )
    assert error_of(excinfo)[1] == "Provided list of item keys contains duplicates"


def test_missing_table_fails_the_whole_request(client):
    create_table(client)
    with pytest.raises(client.exceptions.ResourceNotFoundException) as excinfo:
        client.batch_get_item(
            RequestItems={"things": {"Keys": keys("a")}, "missing": {"Keys": keys("a")}}
        )
    assert error_of(excinfo) == ("ResourceNotFoundException", "Requested resource not found")


def test_key_schema_mismatch(client):
    create_table(client)
    with pytest.raises(client.exceptions.ClientError) as excinfo:
        client.batch_get_item(RequestItems={"things": {"Keys": [{"pk": {"N": "1"}}]}})
    assert error_of(excinfo)[1] == "The provided key element does not match the schema"


# ------------------------------------------------------------------ behaviour


def test_gets_from_several_tables(client):
    create_table(client)
    create_table(client, name="others", hash_key=("id", "N"))
    client.put_item(TableName="things", Item={"pk": {"S": "a"}, "v": {"S": "1"}})
    client.put_item(TableName="things", Item={"pk": {"S": "b"}})
    client.put_item(TableName="others", Item={"id": {"N": "7"}})
    response = client.batch_get_item(RequestItems={
        "things": {"Keys": keys("a", "b", "zzz"), "ConsistentRead": True},
        "others": {"Keys": [{"id": {"N": "7.0"}}, {"id": {"N": "8"}}]},
    })
    found = sorted(response["Responses"]["things"], key=lambda item: item["pk"]["S"])
    assert found == [{"pk": {"S": "a"}, "v": {"S": "1"}}, {"pk": {"S": "b"}}]
    assert response["Responses"]["others"] == [{"id": {"N": "7"}}]
    assert response["UnprocessedKeys"] == {}
    assert "ConsumedCapacity" not in response


def test_responses_list_tables_with_no_matches(client):
    create_table(client)
    response = client.batch_get_item(RequestItems={"things": {"Keys": keys("none")}})
    assert response["Responses"] == {"things": []}


def test_response_over_16_mb_leaves_unprocessed_keys(client):
    create_table(client)
    big = "x" * (400 * 1024 - 100)
    names = [f"k{i:02}" for i in range(45)]
    for name in names:
        client.put_item(TableName="things", Item={"pk": {"S": name}, "v": {"S": big}})
    response = client.batch_get_item(
        RequestItems={"things": {"Keys": keys(*names), "ConsistentRead": True}}
    )
    returned = {item["pk"]["S"] for item in response["Responses"]["things"]}
    unprocessed = response["UnprocessedKeys"]["things"]
    assert unprocessed["ConsistentRead"] is True
    left = {key["pk"]["S"] for key in unprocessed["Keys"]}
    assert returned | left == set(names) and not returned & left
    item_size = 2 + 3 + 1 + len(big)
    assert len(returned) == (16 * 1024 * 1024) // item_size == 40


def test_projection_per_table(client):
    create_table(client)
    client.put_item(TableName="things", Item={"pk": {"S": "p"}, "a": {"S": "1"}, "b": {"S": "2"}})
    got = client.batch_get_item(
        RequestItems={"things": {"Keys": [{"pk": {"S": "p"}}], "ProjectionExpression": "#b",
                                 "ExpressionAttributeNames": {"#b": "b"}}}
    )
    assert got["Responses"] == {"things": [{"b": {"S": "2"}}]}
