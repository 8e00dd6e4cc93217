"""ListTables: validation -> behaviour (order, Limit, paging)."""

from __future__ import annotations

import pytest

from ddblite.errors import SerializationException, ValidationException
from tests.conftest import create_table, error_of


def test_wrong_types(db):
    with pytest.raises(SerializationException):
        db.call("ListTables", {"Limit": "5"})


def test_constraints(db):
    with pytest.raises(ValidationException) as excinfo:
        db.call("ListTables", {"Limit": 0})
    assert error_of(excinfo)[1] == (
        "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1"
    )
    with pytest.raises(ValidationException) as excinfo:
        db.call("ListTables", {"Limit": 101})
    assert error_of(excinfo)[1].endswith("Member must have value less than or equal to 100")
    with pytest.raises(ValidationException) as excinfo:
        db.call("ListTables", {"ExclusiveStartTableName": "a;", "Limit": 500})
    assert error_of(excinfo)[1] == (
        "3 validation errors detected: Value 'a;' at 'exclusiveStartTableName' failed to "
        "satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; "
        "Value 'a;' at 'exclusiveStartTableName' failed to satisfy constraint: Member must have "
        "length greater than or equal to 3; Value '500' at 'limit' failed to satisfy "
        "constraint: Member must have value less than or equal to 100"
    )


def test_empty_account(client):
    response = client.list_tables()
    assert response["TableNames"] == [] and "LastEvaluatedTableName" not in response


def test_sorted_and_paged(client):
    names = ["bbb", "Abc", "aaa", "a.b", "zzz"]
    for name in names:
        create_table(client, name=name)
    assert client.list_tables()["TableNames"] == sorted(names)
    first = client.list_tables(Limit=2)
    assert first["TableNames"] == ["Abc", "a.b"]
    assert first["LastEvaluatedTableName"] == "a.b"
    rest = client.list_tables(ExclusiveStartTableName="a.b", Limit=3)
    assert rest["TableNames"] == ["aaa", "bbb", "zzz"]
    assert "LastEvaluatedTableName" not in rest  # the limit exactly covered what was left
    after = client.list_tables(ExclusiveStartTableName="abc")  # need not exist
    assert after["TableNames"] == ["bbb", "zzz"]


def test_default_page_is_100(client):
    for i in range(101):
        create_table(client, name=f"t{i:03}")
    page = client.list_tables()
    assert len(page["TableNames"]) == 100 and page["LastEvaluatedTableName"] == "t099"
    assert client.list_tables(ExclusiveStartTableName="t099")["TableNames"] == ["t100"]
