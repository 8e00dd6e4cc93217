"""Attribute names: 1..65535 bytes of UTF-8 wherever an item's names enter (issue #12).

The 65535 / 65536 boundary and the message are DynamoDB's as measured (the message says
65536 although 65535 bytes are accepted); the empty-name wording is INFERRED.
"""

from __future__ import annotations

import pytest

from tests.conftest import create_table, error_of

TOO_LARGE = ("ValidationException", "1 validation error detected: Attribute name is too "
             "large, must be less than 65536 bytes")
EMPTY = ("ValidationException", "1 validation error detected: Empty attribute name")
LONGEST = "n" * 65535
TOO_LONG = "n" * 65536
KEY = {"pk": {"S": "a"}}


@pytest.fixture
def table(client):
    create_table(client)
    return client


def _refused(call, **kwargs) -> tuple[str, str]:
    with pytest.raises(Exception) as excinfo:
        call(TableName="things", **kwargs)
    return error_of(excinfo)


def test_the_longest_name_is_stored_and_read_back(table):
    item = {**KEY, LONGEST: {"N": "1"}, "doc": {"M": {LONGEST: {"S": "x"}}}}
    table.put_item(TableName="things", Item=item)
    got = table.get_item(TableName="things", Key=KEY, ConsistentRead=True)["Item"]
    assert got[LONGEST] == {"N": "1"}
    assert got["doc"]["M"][LONGEST] == {"S": "x"}
    projected = table.get_item(TableName="things", Key=KEY, ProjectionExpression="#n",
                               ExpressionAttributeNames={"#n": LONGEST})["Item"]
    assert projected == {LONGEST: {"N": "1"}}


@pytest.mark.parametrize("item", [
    {**KEY, TOO_LONG: {"N": "1"}},
    {**KEY, "doc": {"M": {TOO_LONG: {"N": "1"}}}},
    {**KEY, "doc": {"L": [{"M": {"ok": {"M": {TOO_LONG: {"NULL": True}}}}}]}},
    {**KEY, "é" * 32768: {"N": "1"}},  # 32768 characters, 65536 bytes
], ids=["top", "nested", "deep", "utf8"])
def test_a_name_over_65535_bytes_is_refused_in_put_item(table, item):
    assert _refused(table.put_item, Item=item) == TOO_LARGE
    assert "Item" not in table.get_item(TableName="things", Key=KEY)


def test_bytes_not_characters_are_counted(table):
    name = "é" * 32767 + "a"  # 65535 bytes
    table.put_item(TableName="things", Item={**KEY, name: {"N": "1"}})
    assert name in table.get_item(TableName="things", Key=KEY)["Item"]


@pytest.mark.parametrize("item", [
    {**KEY, "": {"N": "1"}},
    {**KEY, "doc": {"M": {"": {"N": "1"}}}},
], ids=["top", "nested"])
def test_an_empty_name_is_refused_in_put_item(table, item):
    assert _refused(table.put_item, Item=item) == EMPTY


def test_batch_write_and_transactions_check_names(table):
    with pytest.raises(Exception) as excinfo:
        table.batch_write_item(RequestItems={"things": [
            {"PutRequest": {"Item": {**KEY, TOO_LONG: {"N": "1"}}}}]})
    assert error_of(excinfo) == TOO_LARGE
    with pytest.raises(Exception) as excinfo:
        table.transact_write_items(TransactItems=[
            {"Put": {"TableName": "things", "Item": {**KEY, "m": {"M": {"": {"N": "1"}}}}}}])
    assert error_of(excinfo) == EMPTY
    assert "Item" not in table.get_item(TableName="things", Key=KEY)


def test_partiql_insert_checks_names(table):
    with pytest.raises(Exception) as excinfo:
        table.execute_statement(Statement="INSERT INTO things VALUE {'pk': 'a', '': 1}")
    assert error_of(excinfo) == EMPTY
    insert = "INSERT INTO things VALUE {'pk': 'a', 'doc': ?}"
    with pytest.raises(Exception) as excinfo:  # names inside a parameter's map
        table.execute_statement(Statement=insert, Parameters=[{"M": {TOO_LONG: {"N": "1"}}}])
    assert error_of(excinfo) == TOO_LARGE
    assert "Item" not in table.get_item(TableName="things", Key=KEY)
    table.execute_statement(Statement=insert, Parameters=[{"M": {LONGEST: {"N": "1"}}}])
    assert LONGEST in table.get_item(TableName="things", Key=KEY)["Item"]["doc"]["M"]


def test_update_item_checks_names_behind_placeholders_and_in_values(table):
    table.update_item(TableName="things", Key=KEY, UpdateExpression="SET #n = :v",
                      ExpressionAttributeNames={"#n": LONGEST},
                      ExpressionAttributeValues={":v": {"N": "1"}})
    assert _refused(table.update_item, Key=KEY, UpdateExpression="SET #n = :v",
                    ExpressionAttributeNames={"#n": TOO_LONG},
                    ExpressionAttributeValues={":v": {"N": "1"}}) == TOO_LARGE
    # A long name inside a value is reported bare, not as an invalid ExpressionAttributeValue.
    assert _refused(table.update_item, Key=KEY, UpdateExpression="SET doc = :v",
                    ExpressionAttributeValues={":v": {"M": {TOO_LONG: {"N": "1"}}}}) == TOO_LARGE
    assert _refused(table.update_item, Key=KEY,
                    AttributeUpdates={TOO_LONG: {"Value": {"N": "2"}, "Action": "PUT"}}
                    ) == TOO_LARGE
    assert _refused(table.update_item, Key=KEY,
                    AttributeUpdates={"": {"Value": {"N": "2"}, "Action": "PUT"}}) == EMPTY
    item = table.get_item(TableName="things", Key=KEY, ConsistentRead=True)["Item"]
    assert item == {**KEY, LONGEST: {"N": "1"}}


def test_reads_check_names_behind_placeholders_and_in_attributes_to_get(table):
    assert _refused(table.get_item, Key=KEY, ProjectionExpression="#n",
                    ExpressionAttributeNames={"#n": TOO_LONG}) == TOO_LARGE
    assert _refused(table.get_item, Key=KEY, AttributesToGet=[TOO_LONG]) == TOO_LARGE
    assert _refused(table.get_item, Key=KEY, AttributesToGet=[""]) == EMPTY
    assert _refused(table.scan, FilterExpression="#n = :v", ExpressionAttributeNames={
        "#n": TOO_LONG}, ExpressionAttributeValues={":v": {"N": "1"}}) == TOO_LARGE
    assert _refused(table.put_item, Item=KEY, ConditionExpression="attribute_exists(#n)",
                    ExpressionAttributeNames={"#n": TOO_LONG}) == TOO_LARGE


@pytest.mark.parametrize("expression", ["#n", "a.#n"])
def test_an_empty_name_behind_a_placeholder(table, expression):
    assert _refused(table.get_item, Key=KEY, ProjectionExpression=expression,
                    ExpressionAttributeNames={"#n": ""}) == (
        "ValidationException",
        "ExpressionAttributeNames contains invalid value: Empty attribute name for key #n")


def test_placeholders_are_at_most_255_bytes_checked_before_their_syntax(table):
    longest, too_long = "#" + "a" * 254, "#" + "a" * 255
    table.get_item(TableName="things", Key=KEY, ProjectionExpression=longest,
                   ExpressionAttributeNames={longest: "a"})
    too_long_key = "ExpressionAttributeNames contains invalid key: The expression attribute " \
                   "map contains a key that is too long; size of key: "
    assert _refused(table.get_item, Key=KEY, ProjectionExpression="#a",
                    ExpressionAttributeNames={too_long: "a"}) == (
        "ValidationException", too_long_key + "256")
    assert _refused(table.get_item, Key=KEY, ProjectionExpression="#a",
                    ExpressionAttributeNames={too_long + "-x": "a"}) == (
        "ValidationException", too_long_key + "258")
    assert _refused(table.scan, FilterExpression="a = :v",
                    ExpressionAttributeValues={":" + "v" * 255: {"N": "1"}}) == (
        "ValidationException", "ExpressionAttributeValues contains invalid key: The expression "
        "attribute map contains a key that is too long;")


def test_legacy_condition_maps_check_their_names(table):
    # INFERRED: the item wording for names in Expected, QueryFilter/ScanFilter, KeyConditions.
    assert _refused(table.put_item, Item=KEY, Expected={"": {"Exists": False}}) == EMPTY
    assert _refused(table.put_item, Item=KEY, Expected={TOO_LONG: {"Exists": False}}) == (
        TOO_LARGE)
    assert _refused(table.scan, ScanFilter={"": {"ComparisonOperator": "NULL"}}) == EMPTY
    assert _refused(table.query, KeyConditions={
        "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]}},
        QueryFilter={TOO_LONG: {"ComparisonOperator": "NULL"}}) == TOO_LARGE
    assert _refused(table.query, KeyConditions={
        "": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]}}) == EMPTY
    assert "Item" not in table.get_item(TableName="things", Key=KEY)
