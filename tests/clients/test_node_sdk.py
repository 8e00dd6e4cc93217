"""The AWS SDK for JavaScript v3 (@aws-sdk/client-dynamodb) against `ddblite serve`.

tests/clients/node/script.mjs creates a table, writes items (binary included),
queries with a KeyConditionExpression and a FilterExpression, checks the
error names of a failed conditional write and of a missing table, and runs PartiQL
(a paged SELECT, a duplicate INSERT, a batch and a transaction). Its
dependencies come from the committed package-lock.json (`npm ci`, once).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.clients.serve import ddblite_serve

NODE_PROJECT = Path(__file__).resolve().parent / "node"
INSTALL_SECONDS = 300  # a first `npm ci` downloads ~30 packages; later runs skip it
SCRIPT_SECONDS = 60


def _tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is not installed (on Debian: apt-get install -y nodejs npm)"
    return path


def _install_sdk() -> None:
    if (NODE_PROJECT / "node_modules" / "@aws-sdk" / "client-dynamodb").is_dir():
        return
    subprocess.run(
        [_tool("npm"), "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=NODE_PROJECT,
        check=True,
        timeout=INSTALL_SECONDS,
    )


def test_node_sdk_creates_writes_queries_and_sees_dynamodb_error_names():
    _install_sdk()
    with ddblite_serve() as endpoint:
        run = subprocess.run(
            [_tool("node"), "script.mjs"],
            cwd=NODE_PROJECT,
            env={**os.environ, "DYNAMODB_ENDPOINT": endpoint},
            capture_output=True,
            text=True,
            timeout=SCRIPT_SECONDS,
        )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.splitlines() == [
        "passed: CreateTable + waitUntilTableExists",
        "passed: PutItem + GetItem (binary round trip)",
        "passed: Query with KeyConditionExpression + FilterExpression",
        "passed: ConditionalCheckFailedException",
        "passed: ResourceNotFoundException",
        "passed: PartiQL: ExecuteStatement pages, DuplicateItemException, batch, transaction",
        "ok",
    ]
