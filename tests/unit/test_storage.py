"""The storage interface, run against both backends."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ddblite.storage import open_storage
from ddblite.storage.interface import prefix_end


@pytest.fixture(params=["memory", "lmdb"])
def storage(request, tmp_path):
    path = ":memory:" if request.param == "memory" else str(tmp_path / "s")
    durability = "memory" if request.param == "memory" else "lazy"
    store = open_storage(path, durability)
    yield store
    store.close()


def _fill(storage, keys):
    def run(txn):
        for key in keys:
            txn.put("items", key, b"v" + key)

    storage.write(run)


def test_get_put_delete(storage):
    _fill(storage, [b"a", b"b"])
    assert storage.read(lambda t: t.get("items", b"a")) == b"va"
    assert storage.read(lambda t: t.get("items", b"zz")) is None
    assert storage.write(lambda t: t.delete("items", b"a")) is True
    assert storage.write(lambda t: t.delete("items", b"a")) is False
    assert storage.read(lambda t: t.get("items", b"a")) is None


def test_spaces_are_separate(storage):
    storage.write(lambda t: t.put("meta", b"k", b"meta"))
    assert storage.read(lambda t: t.get("items", b"k")) is None
    assert storage.read(lambda t: t.get("meta", b"k")) == b"meta"


def test_write_rolls_back_on_exception(storage):
    _fill(storage, [b"keep"])

    def failing(txn):
        txn.put("items", b"new", b"1")
        txn.put("items", b"keep", b"changed")
        txn.delete("items", b"keep")
        raise ValueError("boom")

    with pytest.raises(ValueError):
        storage.write(failing)
    assert storage.read(lambda t: t.get("items", b"new")) is None
    assert storage.read(lambda t: t.get("items", b"keep")) == b"vkeep"


KEYS = st.lists(st.binary(min_size=1, max_size=4), unique=True, max_size=30)


@settings(max_examples=40, deadline=None)
@given(keys=KEYS, start=st.binary(max_size=3), end=st.one_of(st.none(), st.binary(max_size=3)))
def test_range_matches_sorted_model(tmp_path_factory, keys, start, end):
    for kind in ("memory", "lmdb"):
        path = ":memory:" if kind == "memory" else str(tmp_path_factory.mktemp("r"))
        store = open_storage(path, "memory" if kind == "memory" else "lazy")
        try:
            _fill(store, keys)
            expected = sorted(k for k in keys if k >= start and (end is None or k < end))
            forward = store.read(lambda t: [k for k, _ in t.range("items", start, end)])
            backward = store.read(
                lambda t: [k for k, _ in t.range("items", start, end, reverse=True)]
            )
            assert forward == expected
            assert backward == expected[::-1]
        finally:
            store.close()


def test_prefix_end():
    assert prefix_end(b"ab") == b"ac"
    assert prefix_end(b"a\xff") == b"b"
    assert prefix_end(b"\xff\xff") is None


def test_lmdb_map_grows_when_full(tmp_path):
    store = open_storage(str(tmp_path / "small"), "lazy", map_size=64 * 1024)
    try:
        value = b"x" * 4000
        for i in range(200):  # ~800 KB: far past the initial 64 KB map
            store.write(lambda t, i=i: t.put("items", i.to_bytes(4, "big"), value))
        count = store.read(lambda t: sum(1 for _ in t.range("items", b"", None)))
        assert count == 200
    finally:
        store.close()


def test_lmdb_reopen_keeps_data(tmp_path):
    path = str(tmp_path / "reopen")
    store = open_storage(path, "full")
    store.write(lambda t: t.put("items", b"k", b"v"))
    store.close()
    store = open_storage(path, "full")
    try:
        assert store.read(lambda t: t.get("items", b"k")) == b"v"
    finally:
        store.close()


def test_unknown_durability_rejected(tmp_path):
    import ddblite

    with pytest.raises(ValueError, match="durability"):
        ddblite.connect(str(tmp_path / "x"), durability="sometimes")


LONG_KEYS = st.lists(
    st.one_of(
        st.binary(min_size=1, max_size=4),
        # Long keys sharing a long prefix exercise the LMDB overflow buckets.
        st.binary(min_size=0, max_size=4).map(lambda tail: b"p" * 499 + tail),
        st.binary(min_size=1, max_size=40).map(lambda tail: b"p" * 520 + tail),
        st.binary(min_size=0, max_size=3).map(lambda tail: b"p" * 500 + b"\x00" + tail),
    ),
    unique=True,
    max_size=25,
)
BOUNDS = st.one_of(
    st.binary(max_size=3),
    st.binary(max_size=3).map(lambda tail: b"p" * 500 + tail),
    st.binary(max_size=3).map(lambda tail: b"p" * 530 + tail),
)


@settings(max_examples=60, deadline=None)
@given(keys=LONG_KEYS, start=BOUNDS, end=st.one_of(st.none(), BOUNDS),
       removed=st.integers(min_value=0, max_value=3))
def test_long_keys_behave_like_short_ones(tmp_path_factory, keys, start, end, removed):
    store = open_storage(str(tmp_path_factory.mktemp("long")), "lazy")
    try:
        _fill(store, keys)
        gone = keys[:removed]
        for key in gone:
            assert store.write(lambda t, key=key: t.delete("items", key)) is True
            assert store.write(lambda t, key=key: t.delete("items", key)) is False
        kept = [k for k in keys if k not in gone]
        for key in kept:
            assert store.read(lambda t, key=key: t.get("items", key)) == b"v" + key
        for key in gone:
            assert store.read(lambda t, key=key: t.get("items", key)) is None
        expected = sorted(k for k in kept if k >= start and (end is None or k < end))
        forward = store.read(lambda t: [k for k, _ in t.range("items", start, end)])
        backward = store.read(lambda t: [k for k, _ in t.range("items", start, end, reverse=True)])
        assert forward == expected
        assert backward == expected[::-1]
    finally:
        store.close()


def test_long_ranges_cross_chunk_boundaries(storage):
    keys = [i.to_bytes(2, "big") for i in range(700)]
    _fill(storage, keys)
    lo, hi = keys[10], keys[650]
    forward = storage.read(lambda t: [k for k, _ in t.range("items", lo, hi)])
    backward = storage.read(lambda t: [k for k, _ in t.range("items", lo, hi, reverse=True)])
    assert forward == keys[10:650]
    assert backward == keys[10:650][::-1]


def test_writes_between_range_steps_are_allowed(storage):
    keys = [i.to_bytes(2, "big") for i in range(600)]
    _fill(storage, keys)

    def delete_while_walking(txn):
        seen = []
        for key, _ in txn.range("items", b"", None):
            seen.append(key)
            txn.delete("items", key)
        return seen

    assert storage.write(delete_while_walking) == keys
    assert storage.read(lambda t: list(t.range("items", b"", None))) == []
