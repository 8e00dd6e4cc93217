"""NonKeyAttributes limits: at most 100 summed over a table's indexes, no name twice in
one projection, strings only."""

from __future__ import annotations

import pytest

from tests.conftest import error_of

TOO_MANY = ("ValidationException", "One or more parameter values were invalid: Number of "
            "projected attributes in all indexes exceeds limit of 100")


def _gsi(name: str, attribute: str, non_key: list) -> dict:
    return {"IndexName": name, "KeySchema": [{"AttributeName": attribute, "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": non_key}}


def _create(client, gsis):
    names = sorted({g["KeySchema"][0]["AttributeName"] for g in gsis})
    return client.create_table(
        TableName="things", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"}
                              for n in ["pk", *names]],
        GlobalSecondaryIndexes=gsis)


def _names(prefix: str, count: int) -> list[str]:
    return [f"{prefix}{i}" for i in range(count)]


def test_more_than_100_across_the_indexes_of_create_table(client):
    gsis = [_gsi(f"by{i}", f"k{i}", _names("a", 20)) for i in range(5)]
    _create(client, gsis)  # exactly 100: the same names in several indexes count each time
    client.delete_table(TableName="things")
    with pytest.raises(Exception) as excinfo:
        _create(client, [*gsis, _gsi("by5", "k5", ["one"])])
    assert error_of(excinfo) == TOO_MANY


def test_more_than_100_once_update_table_adds_an_index(client):
    _create(client, [_gsi(f"by{i}", f"k{i}", _names("a", 20)) for i in range(5)])
    with pytest.raises(Exception) as excinfo:
        client.update_table(
            TableName="things", AttributeDefinitions=[{"AttributeName": "k5",
                                                       "AttributeType": "S"}],
            GlobalSecondaryIndexUpdates=[{"Create": _gsi("by5", "k5", ["one"])}])
    assert error_of(excinfo) == TOO_MANY
    gsis = client.describe_table(TableName="things")["Table"]["GlobalSecondaryIndexes"]
    assert len(gsis) == 5


def test_a_name_twice_in_one_projection(client):
    with pytest.raises(Exception) as excinfo:
        _create(client, [_gsi("byK", "k", ["a", "b", "a"])])
    assert error_of(excinfo) == (
        "ValidationException",
        "One or more parameter values were invalid: Duplicate NonKeyAttributes in Projection: a",
    )


def test_non_string_non_key_attributes(db):
    # boto3 refuses a number before sending it; the wire deserializer refuses it as
    # DynamoDB's does.
    with pytest.raises(Exception) as excinfo:
        db.call("CreateTable", {
            "TableName": "things", "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                     {"AttributeName": "k", "AttributeType": "S"}],
            "GlobalSecondaryIndexes": [_gsi("byK", "k", ["a", 1])]})
    assert error_of(excinfo) == (
        "SerializationException", "NUMBER_VALUE cannot be converted to String")


# INFERRED wording: AWS's common form for a list whose elements break their shape's
# limits (NonKeyAttributeName: 1 to 255 characters), the whole list shown Java-style.
def _bad_names(path: str, shown: str) -> tuple[str, str]:
    return ("ValidationException",
            f"1 validation error detected: Value '{shown}' at '{path}' failed to satisfy "
            "constraint: Member must satisfy constraint: [Member must have length less "
            "than or equal to 255, Member must have length greater than or equal to 1]")


GSI_PATH = "globalSecondaryIndexes.1.member.projection.nonKeyAttributes"


def test_non_key_attribute_names_are_1_to_255_characters(client):
    _create(client, [_gsi("byK", "k", ["a", "x" * 255])])  # the longest name DynamoDB takes
    client.delete_table(TableName="things")
    with pytest.raises(Exception) as excinfo:
        _create(client, [_gsi("byK", "k", ["a", "x" * 256])])
    assert error_of(excinfo) == _bad_names(GSI_PATH, f"[a, {'x' * 256}]")


def test_an_empty_non_key_attribute_name(db):
    # boto3 refuses an empty name before sending it; DynamoDB refuses it too.
    with pytest.raises(Exception) as excinfo:
        _create(db.client(), [_gsi("byK", "k", ["a", ""])])
    assert error_of(excinfo) == _bad_names(GSI_PATH, "[a, ]")


def test_non_key_attribute_names_of_an_index_update_table_adds(client):
    _create(client, [_gsi("byK", "k", ["a"])])
    with pytest.raises(Exception) as excinfo:
        client.update_table(
            TableName="things",
            AttributeDefinitions=[{"AttributeName": "j", "AttributeType": "S"}],
            GlobalSecondaryIndexUpdates=[{"Create": _gsi("byJ", "j", ["y" * 256])}])
    assert error_of(excinfo) == _bad_names(
        "globalSecondaryIndexUpdates.1.member.create.projection.nonKeyAttributes",
        f"[{'y' * 256}]")


def test_non_key_attribute_names_of_a_local_index(db):
    with pytest.raises(Exception) as excinfo:
        db.client().create_table(
            TableName="things", BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                       {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"}
                                  for n in ("pk", "sk", "l")],
            LocalSecondaryIndexes=[{
                "IndexName": "byL",
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                              {"AttributeName": "l", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": [""]}}])
    assert error_of(excinfo) == _bad_names(
        "localSecondaryIndexes.1.member.projection.nonKeyAttributes", "[]")
