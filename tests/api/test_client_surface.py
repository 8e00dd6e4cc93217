"""The embedded client offers boto3's client helpers: paginators, waiters, meta."""

from __future__ import annotations

import pytest
from botocore.exceptions import OperationNotPageableError

from tests.conftest import create_table


@pytest.fixture
def client(db):
    made = db.client()
    create_table(made)
    for number in range(30):
        made.put_item(TableName="things", Item={"pk": {"S": f"k{number:02d}"}})
    return made


def test_paginator_walks_every_page(client):
    paginator = client.get_paginator("scan")
    pages = list(paginator.paginate(TableName="things", PaginationConfig={"PageSize": 7}))
    assert sum(page["Count"] for page in pages) == 30
    assert all(page["Count"] <= 7 for page in pages) and len(pages) >= 5
    keys = sorted(paginator.paginate(TableName="things").search("Items[].pk.S"))
    assert keys == [f"k{number:02d}" for number in range(30)]


def test_paginator_max_items_and_resume(client):
    paginator = client.get_paginator("scan")
    first = paginator.paginate(TableName="things",
                               PaginationConfig={"MaxItems": 10}).build_full_result()
    assert len(first["Items"]) == 10
    rest = paginator.paginate(TableName="things", PaginationConfig={
        "StartingToken": first["NextToken"]}).build_full_result()
    assert len(rest["Items"]) == 20


def test_can_paginate(client):
    assert client.can_paginate("query") and client.can_paginate("list_tables")
    assert not client.can_paginate("put_item")
    with pytest.raises(OperationNotPageableError):
        client.get_paginator("put_item")


def test_waiters(client):
    client.get_waiter("table_exists").wait(TableName="things")
    client.delete_table(TableName="things")
    client.get_waiter("table_not_exists").wait(TableName="things")
    assert "table_exists" in client.waiter_names
    with pytest.raises(ValueError):
        client.get_waiter("no_such_waiter")


def test_meta(client):
    assert client.meta.region_name == "us-east-1"
    assert client.meta.service_model.service_name == "dynamodb"
    assert client.meta.method_to_api_mapping["transact_write_items"] == "TransactWriteItems"
