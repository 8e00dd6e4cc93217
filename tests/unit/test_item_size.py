"""DynamoDB item size accounting.

Rules: AWS Developer Guide, "DynamoDB item sizes and formats"
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
  - S: UTF-8 bytes; B: raw bytes; BOOL and NULL: 1 byte; name: UTF-8 bytes.
  - N: "(1 byte per two significant digits) + (1 byte)", leading/trailing zeros
    trimmed. The exact count (measured against DynamoDB, as encoded in dynalite)
    pairs digits around the decimal point like base-100 digits and adds 1 byte for a
    negative sign; zero is 1 byte.
  - L and M: 3 bytes + 1 byte per element + the elements' sizes (map keys count
    like attribute names); empty L/M: 3 bytes.
  - sets: the sum of their members' sizes.
"""

from __future__ import annotations

from decimal import Decimal
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ddblite import _pure, native

IMPLEMENTATIONS = native.implementations()
SPEEDUPS = IMPLEMENTATIONS.get("cython")
# Twin tests skip without a build; test_native.py fails in that case instead.
needs_speedups = pytest.mark.skipif(SPEEDUPS is None, reason="ddblite._speedups not built")


@pytest.fixture(params=sorted(IMPLEMENTATIONS))
def impl(request: pytest.FixtureRequest) -> ModuleType:
    return IMPLEMENTATIONS[request.param]


NUMBER_SIZES = [
    ("0", 1),
    ("1", 2),
    ("9", 2),
    ("10", 2),  # one significant digit
    ("12", 2),  # "12" is one base-100 digit
    ("100", 2),  # trailing zeros trimmed
    ("123", 3),  # 1|23
    ("1234", 3),  # 12|34
    ("12345", 4),
    ("0.5", 2),
    ("0.12", 2),  # .12
    ("1.2", 3),  # 1|.20: the pair boundary sits at the decimal point
    ("0.012", 3),  # .01|20
    ("0.0012", 2),  # .00|12
    ("-1", 3),  # negative numbers take one extra byte
    ("-12", 3),
    ("-1.2", 4),
    ("1" * 38, 20),  # 38 digits, even count, aligned: 19 pairs
    ("1." + "1" * 37, 21),  # 38 digits straddling pairs: 20 pairs
    ("-1." + "1" * 37, 22),  # the largest possible number size
    ("1" + "0" * 125, 2),
    ("0." + "0" * 129 + "1", 2),
]


@pytest.mark.parametrize(("number", "size"), NUMBER_SIZES)
def test_number_sizes(impl: ModuleType, number: str, size: int) -> None:
    assert impl.attribute_value_size({"N": number}) == size


def reference_number_size(canonical: str) -> int:
    """Independent count: distinct base-100 positions holding significant digits."""
    value = Decimal(canonical)
    if value.is_zero():
        return 1
    _, digits, exponent = value.as_tuple()
    positions = {(exponent + len(digits) - 1 - i) // 2 for i, digit in enumerate(digits) if digit}
    # Zeros between significant digits still occupy their pair.
    span = max(positions) - min(positions) + 1
    return 1 + span + (value < 0)


@given(st.integers(-(10**38) + 1, 10**38 - 1), st.integers(-130, 88))
def test_number_size_matches_reference(mantissa: int, exponent: int) -> None:
    canonical = _pure.normalize_number(f"{mantissa}e{exponent}")
    for module in IMPLEMENTATIONS.values():
        assert module.attribute_value_size({"N": canonical}) == reference_number_size(canonical)


def test_scalar_examples(impl: ModuleType) -> None:
    assert impl.item_size({"a": {"S": "abc"}}) == 1 + 3
    assert impl.item_size({"é": {"S": "€"}}) == 2 + 3  # UTF-8 bytes, not characters
    assert impl.item_size({"k": {"S": "\U0001f600"}}) == 1 + 4
    assert impl.item_size({"k": {"S": "ÿ"}}) == 1 + 2
    assert impl.item_size({"k": {"S": ""}}) == 1
    assert impl.item_size({"bin": {"B": b"\x00\x01\x02"}}) == 3 + 3
    assert impl.item_size({"flag": {"BOOL": True}}) == 4 + 1
    assert impl.item_size({"nothing": {"NULL": True}}) == 7 + 1
    assert impl.item_size({"n": {"N": "123"}}) == 1 + 3
    assert impl.item_size({}) == 0


def test_collection_examples(impl: ModuleType) -> None:
    assert impl.item_size({"l": {"L": []}}) == 1 + 3
    assert impl.item_size({"m": {"M": {}}}) == 1 + 3
    # 3 overhead + per element (1 + size)
    assert impl.item_size({"l": {"L": [{"S": "a"}, {"N": "1"}]}}) == 1 + 3 + (1 + 1) + (1 + 2)
    # map keys count like names: 3 + (key 1 + 1 + value 1)
    assert impl.item_size({"m": {"M": {"k": {"S": "v"}}}}) == 1 + 3 + (1 + 1 + 1)
    nested = {"M": {"inner": {"L": [{"NULL": True}, {"M": {}}]}}}
    assert impl.attribute_value_size(nested) == 3 + (5 + 1 + (3 + (1 + 1) + (1 + 3)))
    assert impl.item_size({"s": {"SS": ["a", "bb"]}}) == 1 + 3
    assert impl.item_size({"s": {"NS": ["1", "-1", "0"]}}) == 1 + 2 + 3 + 1
    assert impl.item_size({"s": {"BS": [b"ab", b"c"]}}) == 1 + 3
    assert impl.item_size({"s": {"SS": {"a", "bb"}}}) == 1 + 3  # any iterable works


def test_item_is_sum_of_attributes(impl: ModuleType) -> None:
    item = {"id": {"S": "x"}, "n": {"N": "-1.5"}, "tags": {"SS": ["a"]}}
    assert impl.item_size(item) == sum(
        len(name.encode()) + impl.attribute_value_size(value) for name, value in item.items()
    )


def test_errors(impl: ModuleType) -> None:
    with pytest.raises(ValueError, match="unknown attribute type"):
        impl.attribute_value_size({"X": "a"})
    with pytest.raises(ValueError, match="unknown attribute type"):
        impl.attribute_value_size({"BOOLEAN": True})
    with pytest.raises(ValueError, match="exactly one"):
        impl.attribute_value_size({"S": "a", "N": "1"})
    with pytest.raises(ValueError, match="exactly one"):
        impl.attribute_value_size({})
    with pytest.raises(TypeError):
        impl.attribute_value_size(["S", "a"])
    with pytest.raises(TypeError):
        impl.attribute_value_size({"S": 5})
    with pytest.raises(TypeError):
        impl.item_size([("a", {"S": "x"})])
    with pytest.raises(TypeError):
        impl.item_size({1: {"S": "x"}})
    with pytest.raises(TypeError):
        impl.attribute_value_size({"M": [1]})
    with pytest.raises(ValueError):
        impl.attribute_value_size({"N": "1e5"})  # sizes need canonical numbers
    with pytest.raises(UnicodeEncodeError):
        impl.attribute_value_size({"S": "a\ud800"})


# ------------------------------------------------------------------------- hypothesis

canonical_numbers = st.builds(
    lambda m, e: _pure.normalize_number(f"{m}e{e}"),
    st.integers(-(10**20), 10**20),
    st.integers(-100, 80),
)
names = st.text(max_size=6)
scalars = st.one_of(
    st.builds(lambda s: {"S": s}, st.text(max_size=10)),
    st.builds(lambda n: {"N": n}, canonical_numbers),
    st.builds(lambda b: {"B": b}, st.binary(max_size=10)),
    st.builds(lambda b: {"BOOL": b}, st.booleans()),
    st.just({"NULL": True}),
    st.builds(lambda s: {"SS": s}, st.lists(st.text(max_size=5), max_size=4, unique=True)),
    st.builds(lambda s: {"NS": s}, st.lists(canonical_numbers, max_size=4, unique=True)),
    st.builds(lambda s: {"BS": s}, st.lists(st.binary(max_size=5), max_size=4, unique=True)),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.builds(lambda items: {"L": items}, st.lists(children, max_size=4)),
        st.builds(lambda m: {"M": m}, st.dictionaries(names, children, max_size=4)),
    ),
    max_leaves=12,
)
items = st.dictionaries(names, values, max_size=6)


def reference_value_size(value: dict[str, Any]) -> int:
    ((tag, inner),) = value.items()
    if tag == "S":
        return len(inner.encode())
    if tag == "N":
        return reference_number_size(inner)
    if tag == "B":
        return len(inner)
    if tag in ("BOOL", "NULL"):
        return 1
    if tag == "L":
        return 3 + sum(1 + reference_value_size(v) for v in inner)
    if tag == "M":
        return 3 + sum(len(k.encode()) + 1 + reference_value_size(v) for k, v in inner.items())
    member = {"SS": "S", "NS": "N", "BS": "B"}[tag]
    return sum(reference_value_size({member: m}) for m in inner)


@given(items)
def test_item_size_matches_reference(item: dict[str, Any]) -> None:
    expected = sum(len(k.encode()) + reference_value_size(v) for k, v in item.items())
    for module in IMPLEMENTATIONS.values():
        assert module.item_size(item) == expected


@needs_speedups
@given(items)
def test_item_size_twins(item: dict[str, Any]) -> None:
    assert SPEEDUPS.item_size(item) == _pure.item_size(item)
    for value in item.values():
        assert SPEEDUPS.attribute_value_size(value) == _pure.attribute_value_size(value)


@needs_speedups
@given(st.text())
def test_utf8_length_twins(text: str) -> None:
    # Exercises every str storage kind (Latin-1, UCS-2, UCS-4) of the compiled counter.
    assert SPEEDUPS.item_size({text: {"S": text}}) == 2 * len(text.encode())
