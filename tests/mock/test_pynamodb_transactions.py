"""PynamoDB's TransactWrite / TransactGet against ddblite, through the mock and the server."""

from __future__ import annotations

import contextlib

import pytest
from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactGet, TransactWrite

import ddblite
from ddblite.mock import mock
from tests.front_doors import session_server


def _account_model(host: str | None):
    class Account(Model):
        class Meta:
            table_name = "accounts"
            region = "us-east-1"
            billing_mode = "PAY_PER_REQUEST"
            aws_access_key_id = "testing"
            aws_secret_access_key = "testing"

        id = UnicodeAttribute(hash_key=True)
        balance = NumberAttribute(default=0)

    if host is not None:
        Account.Meta.host = host
    return Account


@contextlib.contextmanager
def _mocked():
    with mock():
        yield None


@contextlib.contextmanager
def _served():
    server = session_server()
    with ddblite.connect(":memory:") as db:
        server.app.db = db
        try:
            yield server.url
        finally:
            server.app.db = None


@pytest.fixture(params=["mock", "server"])
def account_model(request):
    with (_mocked() if request.param == "mock" else _served()) as host:
        model = _account_model(host)
        model.create_table(wait=True)
        yield model, Connection(region="us-east-1", host=host, aws_access_key_id="testing",
                                aws_secret_access_key="testing")


def test_transfer_commits_and_reads_back(account_model):
    Account, connection = account_model
    Account("a", balance=100).save()
    Account("b", balance=0).save()
    with TransactWrite(connection=connection, client_request_token="t-1") as transaction:
        transaction.update(Account("a"), actions=[Account.balance.add(-30)],
                           condition=Account.balance >= 30)
        transaction.update(Account("b"), actions=[Account.balance.add(30)])
        transaction.save(Account("c", balance=1))
    with TransactGet(connection=connection) as get:
        a, b, c = get.get(Account, "a"), get.get(Account, "b"), get.get(Account, "c")
    assert (a.get().balance, b.get().balance, c.get().balance) == (70, 30, 1)


def test_failed_condition_cancels_everything(account_model):
    Account, connection = account_model
    Account("a", balance=10).save()
    with pytest.raises(TransactWriteError) as excinfo:
        with TransactWrite(connection=connection) as transaction:
            transaction.update(Account("a"), actions=[Account.balance.add(-30)],
                               condition=Account.balance >= 30)
            transaction.save(Account("new", balance=30))
    assert excinfo.value.cause_response_code == "TransactionCanceledException"
    # PynamoDB sends puts before updates, and maps a "None" reason to None.
    reasons = excinfo.value.cancellation_reasons
    assert reasons[0] is None
    assert (reasons[1].code, reasons[1].message) == (
        "ConditionalCheckFailed", "The conditional request failed"
    )
    assert Account.count("new") == 0
    assert Account.get("a").balance == 10
