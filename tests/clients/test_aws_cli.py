"""The AWS CLI (`awscli` from PyPI) against `ddblite serve`.

awscli pins its own botocore, which would fight boto3's in the test
environment, so it lives in a virtual environment of its own: the one
DDBLITE_AWS_CLI names (CI makes it), else one this test makes once under
the user's cache directory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.clients.serve import ddblite_serve

INSTALL_SECONDS = 300
COMMAND_SECONDS = 60


def _cached_cli() -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    venv = cache / "ddblite" / "awscli-venv"
    aws = venv / "bin" / "aws"
    if not aws.exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        subprocess.run(
            [
                str(venv / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "awscli",
            ],
            check=True,
            timeout=INSTALL_SECONDS,
        )
    return aws


def _aws_cli() -> str:
    return os.environ.get("DDBLITE_AWS_CLI") or str(_cached_cli())


def _cli_env() -> dict[str, str]:
    """Fixed credentials and region; no user config file can change the answers."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("AWS_") and name != "PYTHONPATH"
    }
    env.update(
        AWS_ACCESS_KEY_ID="AKIDEXAMPLE",
        AWS_SECRET_ACCESS_KEY="not-a-secret",
        AWS_DEFAULT_REGION="eu-west-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_MAX_ATTEMPTS="1",
        AWS_PAGER="",
    )
    return env


def _aws(endpoint: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [_aws_cli(), "dynamodb", *args, "--endpoint-url", endpoint, "--output", "json"],
        env=_cli_env(),
        capture_output=True,
        text=True,
        timeout=COMMAND_SECONDS,
    )


def _ok(run: subprocess.CompletedProcess) -> dict:
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout) if run.stdout.strip() else {}


def test_aws_cli_lists_tables_and_gets_an_item():
    with ddblite_serve() as endpoint:
        assert _ok(_aws(endpoint, "list-tables")) == {"TableNames": []}
        _ok(
            _aws(
                endpoint,
                "create-table",
                "--table-name",
                "Music",
                "--attribute-definitions",
                "AttributeName=Artist,AttributeType=S",
                "--key-schema",
                "AttributeName=Artist,KeyType=HASH",
                "--billing-mode",
                "PAY_PER_REQUEST",
            )
        )
        item = {"Artist": {"S": "No One You Know"}, "Year": {"N": "2015"}, "Tags": {"SS": ["pop"]}}
        _ok(_aws(endpoint, "put-item", "--table-name", "Music", "--item", json.dumps(item)))

        assert _ok(_aws(endpoint, "list-tables")) == {"TableNames": ["Music"]}
        key = json.dumps({"Artist": {"S": "No One You Know"}})
        got = _ok(_aws(endpoint, "get-item", "--table-name", "Music", "--key", key))
        assert got == {"Item": item}

        missing = _aws(endpoint, "get-item", "--table-name", "Nope", "--key", key)
    assert missing.returncode == 255  # AWS CLI v1: a service error
    assert missing.stderr.strip() == (
        "An error occurred (ResourceNotFoundException) when calling the GetItem operation: "
        "Requested resource not found"
    )


def test_aws_cli_runs_partiql():
    with ddblite_serve() as endpoint:
        _ok(_aws(endpoint, "create-table", "--table-name", "Music",
                 "--attribute-definitions", "AttributeName=Artist,AttributeType=S",
                 "--key-schema", "AttributeName=Artist,KeyType=HASH",
                 "--billing-mode", "PAY_PER_REQUEST"))
        insert = "INSERT INTO Music VALUE {'Artist': 'Acme Band', 'Awards': 1}"
        assert _ok(_aws(endpoint, "execute-statement", "--statement", insert)) == {"Items": []}
        duplicate = _aws(endpoint, "execute-statement", "--statement", insert)
        select = _ok(_aws(endpoint, "execute-statement", "--statement",
                          'SELECT Awards FROM "Music" WHERE Artist = ?',
                          "--parameters", json.dumps([{"S": "Acme Band"}])))
    assert select == {"Items": [{"Awards": {"N": "1"}}]}
    assert duplicate.returncode == 255
    assert duplicate.stderr.strip() == (
        "An error occurred (DuplicateItemException) when calling the ExecuteStatement "
        "operation: Duplicate primary key exists in table"
    )
