"""Remote mode fixtures: `db` is a ddblite.connect(URL) against a `ddblite serve`-style
server (the session's in-process server, on a fresh database per test)."""

from __future__ import annotations

import pytest

import ddblite
from tests.front_doors import session_server


@pytest.fixture
def served(clock):
    server = session_server()
    with ddblite.connect(":memory:", clock=clock) as local:
        server.app.db = local
        try:
            yield server.url, local
        finally:
            server.app.db = None


@pytest.fixture
def db(served):
    url, _ = served
    keys = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    with ddblite.connect(url, **keys) as remote:
        yield remote
