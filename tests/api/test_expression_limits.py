"""Expression size, operator count and nesting limits (issue #12).

Deeply nested input of any kind gets a DynamoDB answer, never "Request nesting too deep":
the expression's own checks word it (redundant parentheses, function names, the 300
operator limit), or the 32-level limit of values does. Texts marked DynamoDB's come from
tests run against DynamoDB (ExtendDB's dual-target tests, Scylla's test_limits.py);
the rest are ddblite's answers for the same rules and are marked INFERRED.
"""

from __future__ import annotations

import pytest

from tests.conftest import create_table, error_of

KEY = {"pk": {"S": "k"}}
ONE = {":v": {"N": "1"}}
SIZE_PREFIX = "Expression size has exceeded the maximum allowed size;"
TOO_MANY = "The expression contains too many operators; operator count: 301"
ITEM_NESTING = ("Nesting Levels have exceeded supported limits: Attributes in the item have "
                "nested levels beyond supported limit")


@pytest.fixture
def table(client):
    create_table(client)
    client.put_item(TableName="things", Item={**KEY, "a": {"N": "1"}, "b": {"N": "2"}})
    return client


def _condition(table, condition: str) -> tuple[str, str]:
    with pytest.raises(Exception) as excinfo:
        table.update_item(TableName="things", Key=KEY, UpdateExpression="SET z = :v",
                          ConditionExpression=condition, ExpressionAttributeValues=ONE)
    return error_of(excinfo)


def _invalid(kind: str, message: str) -> tuple[str, str]:
    return ("ValidationException", f"Invalid {kind}: {message}")


# ---------------------------------------------------------------- 4 KB


def test_4096_bytes_pass_and_4097_fail_with_the_size_only_for_conditions_and_filters(table):
    table.update_item(TableName="things", Key=KEY, UpdateExpression="SET" + " " * 4087 + "a = :v",
                      ConditionExpression="a" + " " * 4090 + " = :v", ExpressionAttributeValues=ONE)
    condition = "a" + " " * 4091 + " = :v"  # 4097 bytes
    assert _condition(table, condition) == _invalid(
        "ConditionExpression", f"{SIZE_PREFIX} expression size: 4097")
    with pytest.raises(Exception) as excinfo:
        table.scan(TableName="things", FilterExpression=condition, ExpressionAttributeValues=ONE)
    assert error_of(excinfo) == _invalid(
        "FilterExpression", f"{SIZE_PREFIX} expression size: 4097")
    with pytest.raises(Exception) as excinfo:
        table.update_item(TableName="things", Key=KEY, UpdateExpression="SET" + " " * 4088
                          + "a = :v", ExpressionAttributeValues=ONE)
    assert error_of(excinfo) == _invalid("UpdateExpression", SIZE_PREFIX)
    with pytest.raises(Exception) as excinfo:
        table.get_item(TableName="things", Key=KEY, ProjectionExpression="a" * 4097)
    assert error_of(excinfo) == _invalid("ProjectionExpression", SIZE_PREFIX)
    with pytest.raises(Exception) as excinfo:
        table.query(TableName="things", KeyConditionExpression="pk" + " " * 4090 + " = :v",
                    ExpressionAttributeValues=ONE)
    assert error_of(excinfo) == _invalid("KeyConditionExpression", SIZE_PREFIX)


# ---------------------------------------------------------------- 300 operators


def test_299_operators_nested_149_levels_pass(table):
    table.update_item(TableName="things", Key=KEY, UpdateExpression="SET z = :v",
                      ConditionExpression="a<b " + "or (a<b " * 149 + ")" * 149,
                      ExpressionAttributeValues=ONE)
    assert table.get_item(TableName="things", Key=KEY)["Item"]["z"] == {"N": "1"}


@pytest.mark.parametrize("condition", [
    "a<b " + "or (a<b " * 454 + ")" * 454,  # 909 operators: DynamoDB says 301
    "a<b " + "or a<b " * 584,  # flat
    "not " * 1000 + "a<b",  # 1000 NOTs: a deep chain
    "NOT (" * 300 + "a<b" + ")" * 300,  # 301 operators, 300 groups deep
], ids=["nested", "flat", "not-chain", "not-groups"])
def test_past_300_operators_the_count_stops_at_301(table, condition):
    assert len(condition) <= 4096
    assert _condition(table, condition) == _invalid("ConditionExpression", TOO_MANY)
    assert "z" not in table.get_item(TableName="things", Key=KEY)["Item"]


def test_a_300_deep_not_chain_of_300_operators_is_evaluated(table):
    condition = "NOT (" * 299 + "a<b" + ")" * 299  # odd: the negation of a<b
    assert _condition(table, condition) == (
        "ConditionalCheckFailedException", "The conditional request failed")


def test_update_expressions_count_functions_and_arithmetic(table):
    # INFERRED for updates: the same limit and the same stop at 301.
    one = {":l": {"L": [{"N": "1"}]}}
    nested = "SET z = " + "list_append(" * 150 + ":l" + ",:l)" * 150  # 150 calls
    sums = ",".join(f"w{i}=b+b" for i in range(150))
    for text, values in (("SET " + ",".join(f"x{i}=b+b" for i in range(400)), None),
                         (f"{nested}, y = list_append(:l, :l), {sums}", one)):
        with pytest.raises(Exception) as excinfo:
            table.update_item(TableName="things", Key=KEY, UpdateExpression=text,
                              **({"ExpressionAttributeValues": values} if values else {}))
        assert error_of(excinfo) == _invalid("UpdateExpression", TOO_MANY)
    table.update_item(TableName="things", Key=KEY, UpdateExpression=nested,
                      ExpressionAttributeValues=one)
    assert len(table.get_item(TableName="things", Key=KEY)["Item"]["z"]["L"]) == 151


# ---------------------------------------------------------------- nesting


def test_deep_redundant_parentheses(table):
    assert _condition(table, "(" * 2046 + "a<b" + ")" * 2046) == _invalid(
        "ConditionExpression", "The expression has redundant parentheses;")
    assert _condition(table, "a < " + "(" * 2040 + "b" + ")" * 2040) == _invalid(
        "ConditionExpression", "The expression has redundant parentheses;")


def test_deep_function_calls(table):
    # DynamoDB's: the unknown function is named, however deep it nests.
    assert _condition(table, "a < " + "f(" * 1355 + "b" + ")" * 1355) == _invalid(
        "ConditionExpression", "Invalid function name; function: f")
    # INFERRED: size() of a number is an operand type error.
    assert _condition(table, "a < " + "size(" * 680 + "b" + ")" * 680) == _invalid(
        "ConditionExpression", "Incorrect operand type for operator or function; operator or "
        "function: size, operand type: N")


@pytest.mark.parametrize("condition", ["(" * 4096, "a<b and " + "(" * 4000,
                                       "(" * 2000 + "a" + ")" * 1999 + "< b"])
def test_unbalanced_parentheses_are_a_syntax_error(table, condition):
    code, message = _condition(table, condition)  # INFERRED: the syntax error's wording
    assert (code, message.split(";")[0]) == (
        "ValidationException", "Invalid ConditionExpression: Syntax error")


def test_document_paths_deeper_than_32_levels(table):
    for text, depth in (("a" + ".b" * 32, 33), ("a" + "[0]" * 40, 41)):
        with pytest.raises(Exception) as excinfo:
            table.get_item(TableName="things", Key=KEY, ProjectionExpression=text)
        assert error_of(excinfo) == _invalid(
            "ProjectionExpression",
            f"The document path has too many nesting levels; nesting levels: {depth}")
    with pytest.raises(Exception) as excinfo:
        table.update_item(TableName="things", Key=KEY, UpdateExpression="SET a" + ".b" * 32
                          + " = :v", ExpressionAttributeValues=ONE)
    assert error_of(excinfo) == _invalid(
        "UpdateExpression", "The document path has too many nesting levels; nesting levels: 33")


def _lists(levels: int) -> dict:
    value: dict = {"N": "1"}
    for _ in range(levels):
        value = {"L": [value]}
    return value


def test_values_nested_far_past_32_levels(table):
    # 100 levels: deep, yet within what botocore validates client-side without recursing out.
    with pytest.raises(Exception) as excinfo:
        table.put_item(TableName="things", Item={**KEY, "d": _lists(100)})
    assert error_of(excinfo) == ("ValidationException", ITEM_NESTING)
    with pytest.raises(Exception) as excinfo:
        table.update_item(TableName="things", Key=KEY, UpdateExpression="SET d = :d",
                          ExpressionAttributeValues={":d": _lists(100)})
    assert error_of(excinfo) == (
        "ValidationException",
        f"ExpressionAttributeValues contains invalid value: {ITEM_NESTING} for key :d")
    assert "d" not in table.get_item(TableName="things", Key=KEY)["Item"]


def test_partiql_statements_nested_thousands_of_levels(table):
    deep_list = "[" * 3000 + "1" + "]" * 3000
    with pytest.raises(Exception) as excinfo:
        table.execute_statement(
            Statement=f"INSERT INTO things VALUE {{'pk': 'x', 'd': {deep_list}}}")
    assert error_of(excinfo) == ("ValidationException", ITEM_NESTING)
    with pytest.raises(Exception) as excinfo:
        table.execute_statement(Statement=f"UPDATE things SET d = {deep_list} WHERE pk = 'k'")
    assert error_of(excinfo) == ("ValidationException", ITEM_NESTING)
    found = table.execute_statement(
        Statement="SELECT a FROM things WHERE " + "(" * 3000 + "pk = 'k'" + ")" * 3000)
    assert found["Items"] == [{"a": {"N": "1"}}]
    found = table.execute_statement(Statement="SELECT a FROM things WHERE pk = 'k' AND "
                                    + "NOT " * 1800 + "a = 1")
    assert found["Items"] == [{"a": {"N": "1"}}]
    with pytest.raises(Exception) as excinfo:  # INFERRED: the parser's wording
        table.execute_statement(Statement="SELECT * FROM things WHERE " + "(" * 8000)
    assert error_of(excinfo) == (
        "ValidationException", "Statement wasn't well formed, can't be processed: Unexpected term")


def test_native_values_nested_far_past_32_levels(db):
    db.create_table(TableName="things", BillingMode="PAY_PER_REQUEST",
                    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    value: object = 1
    for _ in range(100_000):
        value = [value]
    with pytest.raises(Exception) as excinfo:
        db.Table("things").put_item(Item={"pk": "k", "d": value})
    assert error_of(excinfo) == ("ValidationException", ITEM_NESTING)


def test_deep_condition_objects_of_the_table_api(db):
    from ddblite.conditions import Attr

    db.create_table(TableName="things", BillingMode="PAY_PER_REQUEST",
                    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    table = db.Table("things")
    for levels, message in ((600, TOO_MANY), (3000, f"{SIZE_PREFIX} expression size: 18009")):
        condition = Attr("a").eq(1)
        for _ in range(levels):
            condition = ~condition
        with pytest.raises(Exception) as excinfo:
            table.scan(FilterExpression=condition)
        assert error_of(excinfo) == _invalid("FilterExpression", message)
