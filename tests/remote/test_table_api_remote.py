"""The Table API's own tests, run through remote mode: `db` here is
ddblite.connect("http://...") against a ddblite server (see conftest.py)."""

from tests.table.test_table import *  # noqa: F403 - re-run those tests on a remote db
from tests.table.test_transactions import *  # noqa: F403


def test_these_tests_run_against_a_remote_database(db, served):
    from ddblite.remote import RemoteDatabase

    assert isinstance(db, RemoteDatabase)
    url, local = served
    db.create_table(
        TableName="seen",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    assert local.client().list_tables()["TableNames"] == ["seen"]
