"""`ddblite serve --trigger TABLE=module:function` delivers the served table's changes."""

from __future__ import annotations

import time

from tests.clients.serve import ddblite_serve
from tests.front_doors import NO_RETRIES

WAIT_SECONDS = 30


def test_serve_runs_a_trigger(tmp_path, monkeypatch):
    import boto3

    out = tmp_path / "delivered.txt"
    monkeypatch.setenv("DDBLITE_TEST_TRIGGER_OUT", str(out))
    with ddblite_serve("--trigger", "things=tests.streams.trigger_target:record") as url:
        client = boto3.session.Session().client(
            "dynamodb", region_name="us-east-1", endpoint_url=url, aws_access_key_id="x",
            aws_secret_access_key="x", config=NO_RETRIES)
        client.create_table(
            TableName="things", BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
        client.put_item(TableName="things", Item={"pk": {"S": "a"}})
        client.delete_item(TableName="things", Key={"pk": {"S": "a"}})
        # Bounded wait for the delivery the background thread makes (a condition, not time).
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            if out.exists() and len(out.read_text().splitlines()) >= 2:
                break
            time.sleep(0.02)
    assert out.read_text().splitlines() == ["INSERT a", "REMOVE a"]


def test_trigger_needs_one_worker(capsys):
    from ddblite.cli import main

    assert main(["serve", "--workers", "2", "--trigger", "t=m:f"]) == 2
    assert "--trigger needs a single worker" in capsys.readouterr().err


def test_the_served_database_sweeps_and_runs_triggers():
    from ddblite.server.app import open_served_database, serve_options

    options = serve_options(":memory:", None, None, None, 60.0,
                            [("things", "tests.streams.trigger_target:record")])
    db = open_served_database(options)
    try:
        assert db._sweeper is not None and db._sweeper.interval == 60.0
        assert [t.name for t in db._triggers] == ["tests.streams.trigger_target:record"]
    finally:
        db.close()
    quiet = open_served_database(serve_options(":memory:", None, None, None, 0))
    assert quiet._sweeper is None
    quiet.close()
