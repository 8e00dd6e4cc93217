"""The compiled well-formed-item fast path never disagrees with the general path.

`canonical_item_sized` returns (stored item, size) or None ("take the general
path"). Whenever it answers, the general validator must accept the same item
and produce the same stored form and size.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ddblite import _speedups, attrvalue
from ddblite.errors import DynamoDBError
from ddblite.native import item_size

NUMBER_TEXT = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, places=None).map(str),
    st.sampled_from(["0", "-0", "01.50", "1E2", "0e126", "1e-131", "abc", "", "1" * 39]),
)
SCALAR = st.one_of(
    st.text(max_size=6).map(lambda s: {"S": s}),
    NUMBER_TEXT.map(lambda n: {"N": n}),
    st.binary(max_size=6).map(lambda b: {"B": b}),
    st.booleans().map(lambda b: {"BOOL": b}),
    st.booleans().map(lambda b: {"NULL": b}),
    st.lists(st.text(max_size=3), max_size=4).map(lambda v: {"SS": v}),
    st.lists(NUMBER_TEXT, max_size=4).map(lambda v: {"NS": v}),
    st.lists(st.binary(max_size=3), max_size=4).map(lambda v: {"BS": v}),
    # Malformed shapes the fast path must hand over.
    st.sampled_from([{}, {"S": 1}, {"S": "a", "N": "1"}, {"X": "y"}, {"L": ("tuple",)}]),
)
VALUE = st.recursive(
    SCALAR,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda v: {"L": v}),
        st.dictionaries(st.text(max_size=3), inner, max_size=3).map(lambda v: {"M": v}),
    ),
    max_leaves=8,
)
ITEM = st.dictionaries(st.text(max_size=4), VALUE, max_size=5)


@settings(max_examples=400, deadline=None)
@given(item=ITEM)
def test_fast_path_agrees_with_general_path(item):
    fast = _speedups.canonical_item_sized(item)
    if fast is None:
        return
    stored, size = fast
    try:
        general = attrvalue._canonical_item_general(item)
    except DynamoDBError as exc:  # pragma: no cover - the failure this test exists for
        pytest.fail(f"fast path accepted an item the general path refuses: {exc}")
    assert stored == general
    assert size == item_size(general)


def test_fast_path_answers_for_well_formed_items():
    item = {
        "s": {"S": "x"},
        "n": {"N": "01.50"},
        "ns": {"NS": ["3", "1", "2.0"]},
        "m": {"M": {"l": {"L": [{"NULL": True}, {"BOOL": False}, {"B": b"\x00"}]}}},
        "ss": {"SS": ["b", "a"]},
    }
    stored, size = _speedups.canonical_item_sized(item)
    assert stored["n"] == {"N": "1.5"}
    assert stored["ns"] == {"NS": ["1", "2", "3"]}
    assert stored["ss"] == {"SS": ["a", "b"]}
    assert size == item_size(stored)


@pytest.mark.parametrize(
    "item",
    [
        {"n": {"NS": ["1", "1.0"]}},  # duplicates: the general path words the error
        {"z": {"N": "0e126"}},  # zero with an out-of-range exponent
        {"x": {"NULL": False}},
        {"e": {"SS": []}},
    ],
)
def test_fast_path_hands_over_problem_items(item):
    assert _speedups.canonical_item_sized(item) is None


# Names around the limits: 16383 characters (the fast path's own bound) and 65535 bytes.
NAME = st.builds(
    lambda char, count, tail: char * count + tail,
    st.sampled_from(["a", "é", "€", "😀"]),
    st.sampled_from([0, 1, 16382, 16383, 16384, 21845, 32767, 32768, 65534, 65535]),
    st.sampled_from(["", "a", "é"]),
)


@settings(max_examples=150, deadline=None)
@given(name=NAME, nested=st.booleans())
def test_name_limits_agree_with_the_general_path(name, nested):
    item = {"m": {"M": {name: {"N": "1"}}}} if nested else {name: {"N": "1"}}
    fits = 0 < len(name.encode("utf-8")) <= 65535
    fast = _speedups.canonical_item_sized(item)
    if fast is not None:
        assert fits and fast[0] == attrvalue._canonical_item_general(item)
        return
    if fits:
        assert attrvalue.canonical_item(item) == item
    else:
        with pytest.raises(attrvalue.AttributeNameError):
            attrvalue.canonical_item(item)


def test_fast_path_hands_over_empty_and_possibly_long_names():
    assert _speedups.canonical_item_sized({"": {"N": "1"}}) is None
    assert _speedups.canonical_item_sized({"m": {"M": {"a" * 16384: {"N": "1"}}}}) is None
    assert _speedups.canonical_item_sized({"a" * 16383: {"N": "1"}}) is not None
