"""Transactions through the native Table API: db.transaction() and db.transact_get()."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ddblite.conditions import Attr
from ddblite.errors import TransactionCanceledException


@pytest.fixture
def accounts(db):
    table = db.create_table(
        TableName="accounts",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    table.put_item(Item={"id": "a", "balance": 100, "tags": {"x"}})
    return table


def test_transaction_commits_native_values_with_condition_objects(db, accounts):
    with db.transaction() as tx:
        tx.update(accounts, Key={"id": "a"}, UpdateExpression="SET balance = balance - :v",
                  ConditionExpression=Attr("balance").gte(30), ExpressionAttributeValues={":v": 30})
        tx.put("accounts", Item={"id": "b", "balance": 30, "blob": b"\x00"},
               ConditionExpression=Attr("id").not_exists())
    assert tx.response is not None
    items = db.transact_get([(accounts, {"id": "a"}), ("accounts", {"id": "b"}),
                             (accounts, {"id": "zz"})])
    assert items[0]["balance"] == Decimal(70)
    assert items[1]["blob"] == b"\x00"
    assert items[2] is None


def test_cancelled_transaction_changes_nothing(db, accounts):
    with pytest.raises(TransactionCanceledException) as excinfo:
        with db.transaction() as tx:
            tx.put(accounts, Item={"id": "c", "balance": 1})
            tx.condition_check(accounts, Key={"id": "a"},
                               ConditionExpression=Attr("balance").lt(0))
    assert [r["Code"] for r in excinfo.value.response["CancellationReasons"]] == [
        "None", "ConditionalCheckFailed"
    ]
    assert accounts.get_item(Key={"id": "c"}).get("Item") is None


def test_an_exception_in_the_block_sends_nothing(db, accounts):
    with pytest.raises(RuntimeError):
        with db.transaction() as tx:
            tx.delete(accounts, Key={"id": "a"})
            raise RuntimeError("changed my mind")
    assert accounts.get_item(Key={"id": "a"})["Item"]["balance"] == Decimal(100)


def test_client_request_token_and_projection(db, accounts):
    for _ in range(2):
        with db.transaction(client_request_token="once") as tx:
            tx.update(accounts, Key={"id": "a"}, UpdateExpression="ADD balance :one",
                      ExpressionAttributeValues={":one": 1})
    (projected,) = db.transact_get([(accounts, {"id": "a"}, {"ProjectionExpression": "balance"})])
    assert projected == {"balance": Decimal(101)}
