"""pytest plugin: the `ddblite_mock` and `ddblite_capacity` fixtures.

    def test_orders(ddblite_mock):
        boto3.client("dynamodb").create_table(...)   # answered by ddblite
        ddblite_mock.db                               # the Database behind it

Each test gets a fresh in-memory database. AWS_DEFAULT_REGION is set to
us-east-1 for the test when the environment names no region, so clients can
be created without configuration; no credentials are needed inside the mock.

    def test_profile_page(ddblite_mock, ddblite_capacity):
        render_profile_page(user_id="42")
        ddblite_capacity.assert_within(read=2, write=0)   # RCU / WCU budgets

`ddblite_capacity` counts what every ddblite database of this process consumed during
the test (embedded, mock, or a server running in this process). With pytest-benchmark's
`benchmark` fixture in the same test, the units land in the benchmark's extra_info,
next to its timings.
"""

from __future__ import annotations

import os

import pytest

from ddblite.engine.usage import Recorder
from ddblite.mock import Mock


@pytest.fixture
def ddblite_mock(monkeypatch):
    if not os.environ.get("AWS_DEFAULT_REGION") and not os.environ.get("AWS_REGION"):
        monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with Mock() as active:
        yield active


@pytest.fixture
def ddblite_capacity(request):
    recorder = Recorder().start()
    yield recorder
    if "benchmark" in request.fixturenames:
        benchmark = request.getfixturevalue("benchmark")
        stats = getattr(getattr(benchmark, "stats", None), "stats", None)
        calls = (getattr(stats, "rounds", 0) or 0) * (getattr(stats, "iterations", 1) or 1)
        info = {"ReadCapacityUnits": recorder.read_units,
                "WriteCapacityUnits": recorder.write_units}
        if calls:
            info["ReadCapacityUnitsPerCall"] = recorder.read_units / calls
            info["WriteCapacityUnitsPerCall"] = recorder.write_units / calls
        benchmark.extra_info["consumed_capacity"] = info
