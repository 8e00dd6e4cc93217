"""db.execute(statement, *params): PartiQL with native values in and out."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ddblite.errors import ConditionalCheckFailedException, DuplicateItemException


@pytest.fixture
def things(db):
    db.create_table(
        TableName="things",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return db


def test_native_parameters_and_results(things):
    assert things.execute("INSERT INTO things VALUE {'pk': ?, 'n': ?, 'tags': ?, 'raw': ?}",
                          "a", 3, {"x", "y"}, b"\x01") == []
    assert things.execute("SELECT * FROM things WHERE pk = ?", "a") == [
        {"pk": "a", "n": Decimal(3), "tags": {"x", "y"}, "raw": b"\x01"}]
    assert things.execute("UPDATE things SET n = n + ? WHERE pk = ? RETURNING MODIFIED NEW *",
                          2, "a") == [{"n": Decimal(5)}]
    assert things.execute("SELECT n FROM things WHERE pk = 'a'", consistent_read=True) == [
        {"n": Decimal(5)}]


def test_select_follows_every_page(things):
    for n in range(30):
        things.execute("INSERT INTO things VALUE {'pk': ?, 'pad': ?}", f"k{n}", "x" * 40_000)
    found = things.execute("SELECT pk FROM things")
    assert sorted(item["pk"] for item in found) == sorted(f"k{n}" for n in range(30))


def test_errors_are_dynamodb_errors(things):
    things.execute("INSERT INTO things VALUE {'pk': 'a'}")
    with pytest.raises(DuplicateItemException):
        things.execute("INSERT INTO things VALUE {'pk': 'a'}")
    with pytest.raises(ConditionalCheckFailedException):
        things.execute("UPDATE things SET v = 1 WHERE pk = 'missing'")
