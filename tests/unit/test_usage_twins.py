"""The usage counter's compiled and pure twins count the same."""

from __future__ import annotations

import pytest

from ddblite import _usage_pure, twins
from ddblite.engine.capacity import read_units

IMPLEMENTATIONS = twins.implementations("ddblite._usage", _usage_pure)


@pytest.mark.parametrize("name", sorted(IMPLEMENTATIONS))
def test_charge_and_throttled(name, monkeypatch):
    core = IMPLEMENTATIONS[name].UsageCore()
    core.charge("t", False, 0.5, None, "a")
    core.charge("t", True, 2.0, {"g": 1.0, "l": 2.0}, "a")
    core.charge("t", True, 1.0, None, None, 25)
    core.throttled("t", True)
    core.throttled("t", False)
    usage = core.tables["t"]
    assert (usage.read_units, usage.write_units, usage.reads, usage.writes) == (0.5, 6.0, 1, 26)
    assert usage.indexes == {"g": [0.0, 1.0], "l": [0.0, 2.0]}
    assert (usage.throttled_reads, usage.throttled_writes) == (1, 1)
    assert usage.read_keys == {"a": 0.5} and usage.write_keys == {"a": 5.0}


@pytest.mark.parametrize("name", sorted(IMPLEMENTATIONS))
def test_cold_keys_are_dropped_past_the_cap(name):
    core = IMPLEMENTATIONS[name].UsageCore()
    for number in range(_usage_pure.MAX_TRACKED_KEYS + 1):
        core.charge("t", False, 1.0 if number else 5.0, None, number)
    keys = core.tables["t"].read_keys
    assert len(keys) == (_usage_pure.MAX_TRACKED_KEYS + 1) - (_usage_pure.MAX_TRACKED_KEYS + 1) // 2
    assert keys[0] == 5.0  # the hot one stays


@pytest.mark.parametrize("name", sorted(IMPLEMENTATIONS))
def test_charge_read_is_read_units(name):
    core = IMPLEMENTATIONS[name].UsageCore()
    total = 0.0
    for size in (0, 1, 4095, 4096, 4097, 8192, 400 * 1024):
        for consistent in (True, False):
            units = core.charge_read("t", size, consistent, {"S": "k"})
            assert units == read_units(size, consistent)
            total += units
    assert core.tables["t"].read_units == total == core.tables["t"].read_keys["k"]
    assert core.tables["t"].reads == 14


@pytest.mark.parametrize("name", sorted(IMPLEMENTATIONS))
def test_charge_item(name):
    core = IMPLEMENTATIONS[name].UsageCore()
    core.charge_item("t", True, 3.0, {"N": "12"})
    core.charge_item("t", True, 1.0, {"N": "12"})
    assert core.tables["t"].write_keys == {"12": 4.0} and core.tables["t"].writes == 2
