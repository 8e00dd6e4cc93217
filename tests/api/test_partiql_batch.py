"""BatchExecuteStatement and ExecuteTransaction through every front door."""

from __future__ import annotations

import pytest

from tests.conftest import create_table, error_of

CANCELLED = "Transaction cancelled, please refer cancellation reasons for specific reasons "


@pytest.fixture
def tables(client):
    create_table(client, "things")
    create_table(client, "sorted", range_key=("sk", "N"))
    for pk in ("a", "b"):
        client.put_item(TableName="things", Item={"pk": {"S": pk}, "v": {"S": pk * 3}})
    return client


def get(client, pk: str) -> dict | None:
    return client.get_item(TableName="things", Key={"pk": {"S": pk}},
                           ConsistentRead=True).get("Item")


def batch(client, *statements, **extra) -> list[dict]:
    members = [s if isinstance(s, dict) else {"Statement": s} for s in statements]
    return client.batch_execute_statement(Statements=members, **extra)["Responses"]


# ---------------------------------------------------------------- BatchExecuteStatement


def test_batch_reads(tables):
    responses = batch(tables, "SELECT * FROM things WHERE pk = 'a'",
                      {"Statement": "SELECT v FROM things WHERE pk = ?",
                       "Parameters": [{"S": "b"}]},
                      "SELECT * FROM things WHERE pk = 'none'")
    assert responses == [
        {"TableName": "things", "Item": {"pk": {"S": "a"}, "v": {"S": "aaa"}}},
        {"TableName": "things", "Item": {"v": {"S": "bbb"}}},
        {"TableName": "things"},
    ]


def test_batch_read_errors_are_per_statement(tables):
    responses = batch(tables, "SLECT * FROM things", "SELECT * FROM nothere WHERE pk = 'x'",
                      "SELECT * FROM things WHERE v = 'aaa'", "SELECT * FROM things WHERE pk = 'a'")
    assert responses[0] == {"Error": {
        "Code": "ValidationError",
        "Message": "Statement wasn't well formed, can't be processed: Expected data manipulation"}}
    assert responses[1] == {"TableName": "nothere", "Error": {
        "Code": "ResourceNotFound", "Message": "Requested resource not found"}}
    assert responses[2]["Error"]["Code"] == "ValidationError"
    assert "must specify the primary key in the where clause" in responses[2]["Error"]["Message"]
    assert "TableName" not in responses[2]
    assert responses[3]["Item"]["pk"] == {"S": "a"}


def test_batch_writes(tables):
    responses = batch(tables, "INSERT INTO things VALUE {'pk': 'new'}",
                      "UPDATE things SET v = 'changed' WHERE pk = 'a'",
                      "DELETE FROM things WHERE pk = 'b' RETURNING ALL OLD *",
                      "INSERT INTO things VALUE {'pk': 'a'}",
                      "UPDATE things SET v = 'x' WHERE pk = 'new' AND v = 'wrong'")
    assert responses[:3] == [
        {"TableName": "things"}, {"TableName": "things"},
        {"TableName": "things", "Item": {"pk": {"S": "b"}, "v": {"S": "bbb"}}},
    ]
    assert responses[3] == {"TableName": "things", "Error": {
        "Code": "DuplicateItem", "Message": "Duplicate primary key exists in table"}}
    assert responses[4] == {"TableName": "things", "Error": {
        "Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}}
    assert get(tables, "new") == {"pk": {"S": "new"}}
    assert get(tables, "a")["v"] == {"S": "changed"}
    assert get(tables, "b") is None


def test_batch_capacity_per_member_consistency(tables):
    response = tables.batch_execute_statement(Statements=[
        {"Statement": "SELECT * FROM things WHERE pk = 'a'", "ConsistentRead": True},
        {"Statement": "SELECT * FROM things WHERE pk = 'b'"},
    ], ReturnConsumedCapacity="TOTAL")
    assert response["ConsumedCapacity"] == [{"TableName": "things", "CapacityUnits": 1.5}]


def test_batch_refusals(tables):
    with pytest.raises(Exception) as excinfo:
        batch(tables, "SELECT * FROM things WHERE pk = 'a'", "DELETE FROM things WHERE pk = 'a'")
    assert error_of(excinfo)[0] == "ValidationException"
    with pytest.raises(Exception) as excinfo:
        batch(tables, *["SELECT * FROM things WHERE pk = 'a'"] * 26)
    code, message = error_of(excinfo)
    assert code == "ValidationException"
    assert message.endswith("at 'statements' failed to satisfy constraint: "
                            "Member must have length less than or equal to 25")


def test_batch_empty(db):
    with pytest.raises(Exception) as excinfo:
        db.call("BatchExecuteStatement", {"Statements": []})
    assert error_of(excinfo)[1] == (
        "1 validation error detected: Value '[]' at 'statements' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1")


# ---------------------------------------------------------------- ExecuteTransaction


def transact(client, *statements, **extra) -> dict:
    members = [s if isinstance(s, dict) else {"Statement": s} for s in statements]
    return client.execute_transaction(TransactStatements=members, **extra)


def test_transaction_writes_all_or_nothing(tables):
    response = transact(tables, "INSERT INTO things VALUE {'pk': 'c'}",
                        "UPDATE things SET v = 'new' WHERE pk = 'a'",
                        "DELETE FROM things WHERE pk = 'b'", ReturnConsumedCapacity="TOTAL")
    assert response["ConsumedCapacity"] == [
        {"TableName": "things", "CapacityUnits": 6.0, "WriteCapacityUnits": 6.0}]
    assert get(tables, "c") is not None
    assert get(tables, "a")["v"] == {"S": "new"}
    assert get(tables, "b") is None


def test_transaction_cancelled_by_a_duplicate_and_a_failed_condition(tables):
    with pytest.raises(Exception) as excinfo:
        transact(tables, "INSERT INTO things VALUE {'pk': 'new'}",
                 "INSERT INTO things VALUE {'pk': 'a'}",
                 "UPDATE things SET v = 'x' WHERE pk = 'b' AND v = 'wrong'")
    code, message = error_of(excinfo)
    assert (code, message) == ("TransactionCanceledException",
                               CANCELLED + "[None, DuplicateItem, ConditionalCheckFailed]")
    assert excinfo.value.response["CancellationReasons"] == [
        {"Code": "None"},
        {"Code": "DuplicateItem", "Message": "Duplicate primary key exists in table"},
        {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"},
    ]
    assert get(tables, "new") is None


def test_transaction_reads(tables):
    response = transact(tables, "SELECT * FROM things WHERE pk = 'a'",
                        {"Statement": "SELECT v FROM things WHERE pk = ?",
                         "Parameters": [{"S": "none"}]}, ReturnConsumedCapacity="TOTAL")
    assert response["Responses"] == [{"Item": {"pk": {"S": "a"}, "v": {"S": "aaa"}}}, {}]
    assert response["ConsumedCapacity"] == [
        {"TableName": "things", "CapacityUnits": 4.0, "ReadCapacityUnits": 4.0}]


def test_transaction_refusals(tables):
    def refused(*statements) -> tuple[str, str]:
        with pytest.raises(Exception) as excinfo:
            transact(tables, *statements)
        return error_of(excinfo)

    assert refused("SELECT * FROM things WHERE v = 'a'") == (
        "ValidationException",
        "Select statements within ExecuteTransaction must specify the primary key in the where "
        "clause.")
    assert refused("SELECT * FROM things WHERE pk = 'a'", "DELETE FROM things WHERE pk = 'b'")[0] \
        == "ValidationException"
    assert refused("UPDATE things SET v = 1 WHERE pk = 'a'",
                   "DELETE FROM things WHERE pk = 'a'") == (
        "ValidationException",
        "Transaction request cannot include multiple operations on one item")
    assert refused("DELETE FROM nothere WHERE pk = 'a'")[0] == "ResourceNotFoundException"


def test_transaction_client_request_token(tables, clock):
    statement = "UPDATE things SET n = 1 WHERE pk = 'a'"
    transact(tables, statement, ClientRequestToken="token-1")
    transact(tables, statement, ClientRequestToken="token-1")  # a retry: applied once
    with pytest.raises(Exception) as excinfo:
        transact(tables, "UPDATE things SET n = 2 WHERE pk = 'a'", ClientRequestToken="token-1")
    assert error_of(excinfo)[0] == "IdempotentParameterMismatchException"
    assert get(tables, "a")["n"] == {"N": "1"}


def test_transaction_empty(db):
    with pytest.raises(Exception) as excinfo:
        db.call("ExecuteTransaction", {"TransactStatements": []})
    assert error_of(excinfo)[1] == (
        "1 validation error detected: Value '[]' at 'transactStatements' failed to satisfy "
        "constraint: Member must have length greater than or equal to 1")


def test_transaction_exists_is_a_condition_check(tables):
    exists = "EXISTS(SELECT * FROM things WHERE pk = 'a' AND v = 'aaa')"
    transact(tables, exists, "UPDATE things SET n = 1 WHERE pk = 'b'")
    assert get(tables, "b")["n"] == {"N": "1"}
    with pytest.raises(Exception) as excinfo:
        transact(tables, "EXISTS(SELECT * FROM things WHERE pk = 'missing')",
                 "UPDATE things SET n = 2 WHERE pk = 'b'")
    assert error_of(excinfo) == ("TransactionCanceledException",
                                 CANCELLED + "[ConditionalCheckFailed, None]")
    assert get(tables, "b")["n"] == {"N": "1"}
    with pytest.raises(Exception) as excinfo:
        transact(tables, "EXISTS(SELECT * FROM things WHERE v = 'aaa')")
    assert error_of(excinfo)[1] == (
        "EXISTS() must contain a single item read with additional condition")


def test_exists_outside_a_transaction(tables):
    message = "EXISTS can only be used in ExecuteTransaction write requests."
    with pytest.raises(Exception) as excinfo:
        tables.execute_statement(Statement="EXISTS(SELECT * FROM things WHERE pk = 'a')")
    assert error_of(excinfo) == ("ValidationException", message)
    assert batch(tables, "EXISTS(SELECT * FROM things WHERE pk = 'a')") == [
        {"Error": {"Code": "ValidationError", "Message": message}}]
