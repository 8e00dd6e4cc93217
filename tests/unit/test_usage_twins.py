"""The usage counter's compiled and pure twins count the same."""

from __future__ import annotations

import pytest

from ddblite import _usage_pure, twins

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
