"""Storage key layout: hash32(pk) + terminated(pk) + raw(sk), and scan segments."""

from __future__ import annotations

import zlib
from decimal import Decimal
from types import ModuleType
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ddblite import _pure, native

IMPLEMENTATIONS = native.implementations()
SPEEDUPS = IMPLEMENTATIONS.get("cython")
# Twin tests skip without a build; test_native.py fails in that case instead.
needs_speedups = pytest.mark.skipif(SPEEDUPS is None, reason="ddblite._speedups not built")


@pytest.fixture(params=sorted(IMPLEMENTATIONS))
def impl(request: pytest.FixtureRequest) -> ModuleType:
    return IMPLEMENTATIONS[request.param]


# ------------------------------------------------------------------------ strategies

# Default st.text() already excludes lone surrogates (they are not valid UTF-8); the
# explicit alphabets force NULs, 0xFF-adjacent code points and non-BMP characters.
strings = st.text(max_size=12) | st.text("\x00\x01aÿ\U0001f600\uffff", max_size=8)
binaries = st.binary(max_size=12) | st.lists(st.sampled_from([0, 1, 0xFF, 0xFE]), max_size=8).map(
    bytes
)


def numbers_strategy() -> st.SearchStrategy[str]:
    digits = st.integers(-(10**40), 10**40)
    exponents = st.integers(-140, 100)

    def build(pair: tuple[int, int]) -> str | None:
        mantissa, exponent = pair
        try:
            return _pure.normalize_number(f"{mantissa}e{exponent}")
        except _pure.NumberError:
            return None

    small = st.integers(-1000, 1000).map(str)
    wide = st.tuples(digits, exponents).map(build).filter(lambda x: x is not None)
    return small | wide  # type: ignore[return-value]


numbers = numbers_strategy()
VALUES: dict[str, st.SearchStrategy[Any]] = {"S": strings, "N": numbers, "B": binaries}
key_types = st.sampled_from(["S", "N", "B"])


def dynamodb_order(type_tag: str, value: Any) -> Any:
    """Sort key DynamoDB uses: S by UTF-8 bytes, B by unsigned bytes, N numerically."""
    if type_tag == "S":
        return value.encode("utf-8")
    if type_tag == "N":
        return Decimal(value)
    return value


def cmp(a: Any, b: Any) -> int:
    return (a > b) - (a < b)


@st.composite
def typed_value(draw: st.DrawFn) -> tuple[str, Any]:
    tag = draw(key_types)
    return tag, draw(VALUES[tag])


# --------------------------------------------------------------------- key parts


def test_key_part_examples(impl: ModuleType) -> None:
    assert impl.encode_key_part("S", "ab", False) == b"ab"
    assert impl.encode_key_part("S", "ab", True) == b"ab\x00\x00"
    assert impl.encode_key_part("S", "a\x00b", True) == b"a\x00\xffb\x00\x00"
    assert impl.encode_key_part("S", "é", False) == "é".encode()
    assert impl.encode_key_part("B", b"\x00", True) == b"\x00\xff\x00\x00"
    assert impl.encode_key_part("B", b"\x00", False) == b"\x00"
    assert impl.encode_key_part("B", bytearray(b"xy"), False) == b"xy"
    assert impl.encode_key_part("B", memoryview(b"xy"), True) == b"xy\x00\x00"
    assert impl.encode_key_part("N", "1", True) == impl.encode_number_key("1")
    assert impl.encode_key_part("N", "1", False) == impl.encode_number_key("1")
    assert impl.encode_key_part("S", "", True) == b"\x00\x00"


def test_key_part_errors(impl: ModuleType) -> None:
    with pytest.raises(ValueError, match="unsupported key type"):
        impl.encode_key_part("X", "a", True)
    with pytest.raises(ValueError, match="unsupported key type"):
        impl.encode_key_part("SS", "a", True)
    with pytest.raises(TypeError):
        impl.encode_key_part("S", b"a", True)
    with pytest.raises(TypeError):
        impl.encode_key_part("B", "a", True)
    with pytest.raises(TypeError):
        impl.encode_key_part("B", 3, True)  # bytes(3) would silently give b"\0\0\0"
    with pytest.raises(ValueError):
        impl.encode_key_part("N", "1e5", True)
    with pytest.raises(UnicodeEncodeError):
        impl.encode_key_part("S", "\ud800", True)


@given(st.data())
def test_terminated_parts_keep_order_and_are_prefix_free(data: st.DataObject) -> None:
    tag = data.draw(key_types)
    a, b = data.draw(VALUES[tag]), data.draw(VALUES[tag])
    for module in IMPLEMENTATIONS.values():
        ea = module.encode_key_part(tag, a, True)
        eb = module.encode_key_part(tag, b, True)
        assert cmp(ea, eb) == cmp(dynamodb_order(tag, a), dynamodb_order(tag, b))
        if a != b:
            assert not ea.startswith(eb) and not eb.startswith(ea)


# -------------------------------------------------------------------------- keys


def test_key_layout(impl: ModuleType) -> None:
    pk = b"user#1\x00\x00"
    expected_hash = impl.partition_hash(pk).to_bytes(4, "big")
    assert impl.encode_key("S", "user#1", None, None) == expected_hash + pk
    assert impl.encode_key("S", "user#1", "N", "-2.5") == (
        expected_hash + pk + impl.encode_number_key("-2.5")
    )
    assert impl.encode_key("S", "user#1", "S", "x\x00") == expected_hash + pk + b"x\x00"
    assert impl.encode_partition_prefix("S", "user#1") == expected_hash + pk
    number_pk = impl.encode_number_key("7")
    assert impl.encode_partition_prefix("N", "7") == (
        impl.partition_hash(number_pk).to_bytes(4, "big") + number_pk
    )


@given(typed_value(), key_types, st.data())
def test_sort_key_order_within_partition(
    pk: tuple[str, Any], sk_type: str, data: st.DataObject
) -> None:
    a, b = data.draw(VALUES[sk_type]), data.draw(VALUES[sk_type])
    expected = cmp(dynamodb_order(sk_type, a), dynamodb_order(sk_type, b))
    for module in IMPLEMENTATIONS.values():
        ka = module.encode_key(pk[0], pk[1], sk_type, a)
        kb = module.encode_key(pk[0], pk[1], sk_type, b)
        assert cmp(ka, kb) == expected, (a, b)


@given(typed_value(), st.data())
def test_partition_prefix_is_exact(pk: tuple[str, Any], data: st.DataObject) -> None:
    pk_type, pk_value = pk
    sk_type = data.draw(st.sampled_from(["S", "N", "B", None]))
    sk_value = data.draw(VALUES[sk_type]) if sk_type else None
    # Another partition of the same type, often a near miss (extension, truncation).
    if pk_type == "N":
        other = data.draw(numbers)
    else:
        other = data.draw(
            st.one_of(
                VALUES[pk_type],
                VALUES[pk_type].map(lambda extra: pk_value + extra),
                st.just(pk_value[:-1]),
            )
        )
    assume(other != pk_value)
    for module in IMPLEMENTATIONS.values():
        prefix = module.encode_partition_prefix(pk_type, pk_value)
        key = module.encode_key(pk_type, pk_value, sk_type, sk_value)
        assert key.startswith(prefix)
        assert len(key) == len(prefix) + (
            len(module.encode_key_part(sk_type, sk_value, False)) if sk_type else 0
        )
        other_key = module.encode_key(pk_type, other, sk_type, sk_value)
        assert not other_key.startswith(prefix)


@given(typed_value(), st.data())
def test_decode_key_round_trip(pk: tuple[str, Any], data: st.DataObject) -> None:
    sk_type = data.draw(st.sampled_from(["S", "N", "B", None]))
    sk_value = data.draw(VALUES[sk_type]) if sk_type else None
    for module in IMPLEMENTATIONS.values():
        key = module.encode_key(pk[0], pk[1], sk_type, sk_value)
        assert module.decode_key(key, pk[0], sk_type) == (pk[1], sk_value)
        assert module.decode_key(memoryview(key), pk[0], sk_type) == (pk[1], sk_value)


def test_decode_key_types(impl: ModuleType) -> None:
    key = impl.encode_key("B", b"\x00a", "B", b"")
    pk, sk = impl.decode_key(key, "B", "B")
    assert (pk, sk) == (b"\x00a", b"") and type(pk) is bytes and type(sk) is bytes
    key = impl.encode_key("N", "-0.5", "S", "é")
    assert impl.decode_key(key, "N", "S") == ("-0.5", "é")


@pytest.mark.parametrize(
    ("data", "pk_type", "sk_type"),
    [
        (b"", "S", None),
        (b"\x00\x00\x00", "S", None),
        (b"\x00\x00\x00\x00", "S", None),  # no terminator
        (b"\x00\x00\x00\x00a\x00", "S", None),
        (b"\x00\x00\x00\x00a\x00\x01\x00\x00", "S", None),  # bad escape
        (b"\x00\x00\x00\x00a\x00\x00b", "S", None),  # trailing bytes without a sort key
        (b"\x00\x00\x00\x00\x02\x02", "N", None),
        (b"\x00\x00\x00\x00\x02\x02\x02", "N", "N"),  # trailing bytes after number sk
        (b"\x00\x00\x00\x00\x05", "N", "S"),
    ],
)
def test_decode_key_rejects_malformed(
    impl: ModuleType, data: bytes, pk_type: str, sk_type: str | None
) -> None:
    with pytest.raises(ValueError, match="malformed"):
        impl.decode_key(data, pk_type, sk_type)


def test_decode_key_rejects_bad_type(impl: ModuleType) -> None:
    with pytest.raises(ValueError, match="unsupported key type"):
        impl.decode_key(b"\x00" * 8, "X", None)
    with pytest.raises(ValueError, match="unsupported key type"):
        impl.decode_key(b"\x00" * 8, "S", "BOOL")
    with pytest.raises(UnicodeDecodeError):
        impl.decode_key(b"\x00\x00\x00\x00\xff\x00\x00", "S", None)


# ------------------------------------------------------------------ partition hash


def reference_hash(data: bytes) -> int:
    """crc32 + murmur3 fmix32, written independently of the implementations."""
    h = zlib.crc32(data)
    for shift, multiplier in ((16, 0x85EBCA6B), (13, 0xC2B2AE35)):
        h = ((h ^ (h >> shift)) * multiplier) % 2**32
    return h ^ (h >> 16)


def test_partition_hash_known_values(impl: ModuleType) -> None:
    # Fixed values: the hash decides key placement on disk, so it must never change.
    assert impl.partition_hash(b"") == 0
    assert impl.partition_hash(b"user#1\x00\x00") == reference_hash(b"user#1\x00\x00")
    assert impl.partition_hash(b"abc\x00\x00") == 0x68BEAF24
    assert impl.partition_hash(b"\x03\x82\x20") == 0x0E009870


@given(st.binary(max_size=300))
def test_partition_hash_matches_reference(data: bytes) -> None:
    for module in IMPLEMENTATIONS.values():
        h = module.partition_hash(data)
        assert h == reference_hash(data) and 0 <= h < 2**32
        assert module.partition_hash(bytearray(data)) == h


# ------------------------------------------------------------------------- segments


def test_segment_bounds_examples(impl: ModuleType) -> None:
    assert impl.segment_bounds(0, 1) == (b"\x00\x00\x00\x00", None)
    assert impl.segment_bounds(0, 2) == (b"\x00\x00\x00\x00", b"\x80\x00\x00\x00")
    assert impl.segment_bounds(1, 2) == (b"\x80\x00\x00\x00", None)
    assert impl.segment_bounds(1, 3) == (b"\x55\x55\x55\x55", b"\xaa\xaa\xaa\xaa")
    for segment, total in ((-1, 2), (2, 2), (0, 0), (0, -1)):
        with pytest.raises(ValueError):
            impl.segment_bounds(segment, total)


@given(st.integers(1, 1_000_000), st.integers(0, 2**32 - 1), st.data())
def test_segments_partition_the_hash_space(total: int, h: int, data: st.DataObject) -> None:
    segment = data.draw(st.integers(0, total - 1))
    key = h.to_bytes(4, "big") + b"rest"
    for module in IMPLEMENTATIONS.values():
        lower, upper = module.segment_bounds(segment, total)
        assert lower == ((segment << 32) // total).to_bytes(4, "big")
        if segment == 0:
            assert lower == b"\x00\x00\x00\x00"
        if segment + 1 < total:
            assert upper == module.segment_bounds(segment + 1, total)[0]
        else:
            assert upper is None
        # The segment owning a hash is floor(h * total / 2**32)-ish: check membership.
        owner = (h * total) >> 32
        while owner + 1 < total and module.segment_bounds(owner + 1, total)[0] <= key:
            owner += 1
        lo, hi = module.segment_bounds(owner, total)
        assert lo <= key and (hi is None or key < hi)


# ----------------------------------------------------------------------------- twins


def run(func: Any, *args: Any) -> Any:
    try:
        return func(*args)
    except (ValueError, TypeError) as exc:
        return (type(exc), str(exc))


@needs_speedups
@given(typed_value(), st.one_of(st.none(), typed_value()))
def test_encode_key_twins(pk: tuple[str, Any], sk: tuple[str, Any] | None) -> None:
    sk_type, sk_value = sk if sk else (None, None)
    key = _pure.encode_key(pk[0], pk[1], sk_type, sk_value)
    assert SPEEDUPS.encode_key(pk[0], pk[1], sk_type, sk_value) == key
    assert SPEEDUPS.encode_partition_prefix(*pk) == _pure.encode_partition_prefix(*pk)
    for terminated in (True, False):
        assert SPEEDUPS.encode_key_part(*pk, terminated) == _pure.encode_key_part(*pk, terminated)
    assert SPEEDUPS.decode_key(key, pk[0], sk_type) == _pure.decode_key(key, pk[0], sk_type)


@needs_speedups
@given(
    st.sampled_from(["S", "N", "B", "X", "", "SS"]),
    st.one_of(strings, binaries, st.integers(), st.none(), st.text("0123456789.-e", max_size=6)),
    st.sampled_from(["S", "N", "B", None, "BOOL"]),
    st.one_of(strings, binaries, st.integers(), st.none()),
)
def test_encode_key_twins_on_bad_input(pk_type: str, pk: Any, sk_type: Any, sk: Any) -> None:
    assert run(SPEEDUPS.encode_key, pk_type, pk, sk_type, sk) == run(
        _pure.encode_key, pk_type, pk, sk_type, sk
    )


@needs_speedups
@given(
    st.binary(max_size=24).map(lambda tail: b"\x01\x02\x03\x04" + tail) | st.binary(max_size=6),
    st.sampled_from(["S", "N", "B"]),
    st.sampled_from(["S", "N", "B", None]),
)
def test_decode_key_twins_on_arbitrary_bytes(data: bytes, pk_type: str, sk_type: Any) -> None:
    def outcome(module: ModuleType) -> Any:
        try:
            return module.decode_key(data, pk_type, sk_type)
        except ValueError as exc:  # includes UnicodeDecodeError
            return (type(exc), str(exc))

    assert outcome(SPEEDUPS) == outcome(_pure)


@needs_speedups
@given(st.binary(max_size=100))
def test_partition_hash_twins(data: bytes) -> None:
    assert SPEEDUPS.partition_hash(data) == _pure.partition_hash(data)
