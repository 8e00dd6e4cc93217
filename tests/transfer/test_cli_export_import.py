"""`ddblite export` and `ddblite import` between data directories."""

from __future__ import annotations

import ddblite
from ddblite.cli import main
from tests.api.test_export_import import _all, _items

GSI = {"IndexName": "by_v", "KeySchema": [{"AttributeName": "v", "KeyType": "HASH"}],
       "Projection": {"ProjectionType": "KEYS_ONLY"}}


def _fill(path: str) -> None:
    with ddblite.connect(path) as db:
        client = db.client()
        client.create_table(
            TableName="src",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                       {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "N"},
                                  {"AttributeName": "v", "AttributeType": "S"}],
            GlobalSecondaryIndexes=[GSI], BillingMode="PAY_PER_REQUEST",
        )
        for item in _items():
            if item.get("v") != {"S": ""}:  # an index key cannot be empty
                client.put_item(TableName="src", Item=item)


def test_export_then_import_between_directories(tmp_path, capsys):
    source, target = str(tmp_path / "a"), str(tmp_path / "b")
    _fill(source)
    out = tmp_path / "export"
    for output_format in ("dynamodb-json", "ion"):
        assert main(["export", "src", str(out / output_format), "--path", source,
                     "--format", output_format, "--quiet"]) == 0
        assert "exported 32 items from src" in capsys.readouterr().out
        assert main(["import", str(out / output_format), output_format.replace("-", ""),
                     "--path", target, "--quiet"]) == 0
        assert "imported 32 items into" in capsys.readouterr().out
    with ddblite.connect(source) as a, ddblite.connect(target) as b:
        expected = _all(a.client(), "src")
        for name in ("dynamodbjson", "ion"):
            assert _all(b.client(), name) == expected
            # The table was recreated from the export, index and all.
            table = b.client().describe_table(TableName=name)["Table"]
            assert table["GlobalSecondaryIndexes"][0]["IndexName"] == "by_v"
            assert table["GlobalSecondaryIndexes"][0]["ItemCount"] == 30


def test_import_csv_creates_the_table_from_key_options(tmp_path, capsys):
    (tmp_path / "rows").mkdir()
    (tmp_path / "rows" / "a.csv").write_text("id;name\n1;one\n2;two\nx;bad\n")
    target = str(tmp_path / "db")
    assert main(["import", str(tmp_path / "rows"), "numbers", "--path", target, "--key",
                 "id:N", "--delimiter", ";", "--quiet"]) == 0
    assert "imported 2 items into numbers (1 rejected)" in capsys.readouterr().out
    with ddblite.connect(target) as db:
        items = db.client().scan(TableName="numbers")["Items"]
    assert sorted(item["name"]["S"] for item in items) == ["one", "two"]


def test_import_without_a_schema_says_what_to_do(tmp_path, capsys):
    (tmp_path / "rows").mkdir()
    (tmp_path / "rows" / "a.csv").write_text("id\n1\n")
    assert main(["import", str(tmp_path / "rows"), "t1", "--path", str(tmp_path / "db"),
                 "--quiet"]) == 1
    assert "give --key" in capsys.readouterr().err


def test_every_command_has_help_with_an_example(capsys):
    import pytest

    for command in ("export", "import", "copy"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        assert "example:" in capsys.readouterr().out


def test_export_from_an_endpoint_and_import_into_a_directory(tmp_path, capsys):
    from ddblite.transfer.sides import endpoint_client
    from tests.clients.serve import ddblite_serve

    with ddblite_serve() as url:
        client = endpoint_client(url)
        client.create_table(
            TableName="remote",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                       {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "N"}],
            BillingMode="PAY_PER_REQUEST")
        for item in _items():
            client.put_item(TableName="remote", Item=item)
        assert main(["export", "remote", str(tmp_path / "out"), "--endpoint-url", url,
                     "--quiet"]) == 0
        expected = _all(client, "remote")
    assert "exported 33 items from remote" in capsys.readouterr().out
    assert main(["import", str(tmp_path / "out"), "remote", "--path", str(tmp_path / "db"),
                 "--quiet"]) == 0
    with ddblite.connect(str(tmp_path / "db")) as db:
        assert _all(db.client(), "remote") == expected
