"""pytest plugin: the `ddblite_mock` fixture.

    def test_orders(ddblite_mock):
        boto3.client("dynamodb").create_table(...)   # answered by ddblite
        ddblite_mock.db                               # the Database behind it

Each test gets a fresh in-memory database. AWS_DEFAULT_REGION is set to
us-east-1 for the test when the environment names no region, so clients can
be created without configuration; no credentials are needed inside the mock.
"""

from __future__ import annotations

import os

import pytest

from ddblite.mock import Mock


@pytest.fixture
def ddblite_mock(monkeypatch):
    if not os.environ.get("AWS_DEFAULT_REGION") and not os.environ.get("AWS_REGION"):
        monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with Mock() as active:
        yield active
