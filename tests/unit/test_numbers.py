"""DynamoDB number validation, canonical text and the order-preserving number key."""

from __future__ import annotations

from decimal import Context, Decimal, InvalidOperation
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ddblite import _pure, native

IMPLEMENTATIONS = native.implementations()


@pytest.fixture(params=sorted(IMPLEMENTATIONS))
def impl(request: pytest.FixtureRequest) -> ModuleType:
    return IMPLEMENTATIONS[request.param]


# Twin tests compare the compiled module with the pure one; without a build they skip
# (and test_native.py fails instead).
SPEEDUPS = IMPLEMENTATIONS.get("cython")
needs_speedups = pytest.mark.skipif(SPEEDUPS is None, reason="ddblite._speedups not built")


# ------------------------------------------------------------------------ strategies


@st.composite
def number_parts(draw: st.DrawFn) -> tuple[bool, str, int]:
    """(negative, significant digits without edge zeros, adjusted exponent) in range."""
    n = draw(st.integers(1, 38))
    if n == 1:
        sig = draw(st.sampled_from("123456789"))
    else:
        middle = draw(st.text("0123456789", min_size=n - 2, max_size=n - 2))
        sig = draw(st.sampled_from("123456789")) + middle + draw(st.sampled_from("123456789"))
    return draw(st.booleans()), sig, draw(st.integers(-130, 125))


def parts_to_decimal(parts: tuple[bool, str, int]) -> Decimal:
    negative, sig, adjusted = parts
    return Decimal(f"{'-' if negative else ''}{sig}E{adjusted - len(sig) + 1}")


@st.composite
def number_texts(draw: st.DrawFn) -> str:
    """Valid DynamoDB number texts in assorted spellings (exponents, padding, signs)."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.sampled_from(["0", "-0", "+0.000", "0e99", "000.0E-400", ".0", "0."]))
    negative, sig, adjusted = draw(number_parts())
    value = parts_to_decimal((negative, sig, adjusted))
    form = draw(st.integers(0, 3))
    if form == 0:  # plain, padded with zeros on both sides
        text = format(abs(value), "f")
        if "." not in text:
            text += "."
        text = "0" * draw(st.integers(0, 3)) + text + "0" * draw(st.integers(0, 3))
    elif form == 1:  # d.dddE±x
        mantissa = sig[0] + ("." + sig[1:] if len(sig) > 1 else "")
        text = f"{mantissa}{draw(st.sampled_from('eE'))}{adjusted:+d}"
    elif form == 2:  # integer mantissa, unsigned exponent when >= 0
        exponent = adjusted - len(sig) + 1
        text = f"{sig}e{exponent}"
    else:
        text = str(abs(value))  # Decimal's own spelling
    sign = "-" if negative else draw(st.sampled_from(["", "+"]))
    return sign + text


def oracle(text: str) -> str:
    """Expected normalize_number result or NumberError kind, computed with Decimal."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        return "!invalid"
    if not value.is_finite():
        return "!invalid"
    if value.is_zero():
        return "0"
    sign, digits, exponent = value.as_tuple()
    sig = "".join(map(str, digits)).strip("0")
    if len(sig) > 38:
        return "!precision"
    if value.adjusted() > 125:
        return "!overflow"
    if value.adjusted() < -130:
        return "!underflow"
    # normalize() rounds to the context precision, which must hold 38 digits.
    return format(value.normalize(Context(prec=100)), "f")


def outcome(module: ModuleType, text: str) -> str:
    try:
        return module.normalize_number(text)
    except _pure.NumberError as exc:
        return "!" + exc.kind


# --------------------------------------------------------------------- normalize


CANONICAL_EXAMPLES = [
    ("01.50", "1.5"),
    ("1E2", "100"),
    ("1e2", "100"),
    ("-0", "0"),
    ("+0", "0"),
    ("0.000", "0"),
    ("0e-999999", "0"),
    ("-0.0E+5", "0"),
    ("+5", "5"),
    ("5", "5"),
    ("-5", "-5"),
    ("1.2e-3", "0.0012"),
    ("-1E+5", "-100000"),
    ("1.", "1"),
    (".5", "0.5"),
    ("-.5e1", "-5"),
    ("123.456", "123.456"),
    ("123.456e2", "12345.6"),
    ("123.456e3", "123456"),
    ("123.456e-3", "0.123456"),
    ("100", "100"),
    ("100.00", "100"),
    ("0.10", "0.1"),
    ("1E125", "1" + "0" * 125),
    ("-1E125", "-1" + "0" * 125),
    ("1E-130", "0." + "0" * 129 + "1"),
    ("-1E-130", "-0." + "0" * 129 + "1"),
    ("9.9999999999999999999999999999999999999E+125", "9" * 38 + "0" * 88),
    ("1" * 38, "1" * 38),
    ("0." + "1" * 38, "0." + "1" * 38),
    ("0" * 500 + "1", "1"),
    ("1." + "0" * 500, "1"),
    ("0." + "0" * 100 + "1", "0." + "0" * 100 + "1"),
    ("1" + "0" * 125, "1" + "0" * 125),
    ("0.00001E+5", "1"),
    ("1" * 38 + "0" * 50, "1" * 38 + "0" * 50),
    ("1e00000000000000000000000000000000000000002", "100"),
]


@pytest.mark.parametrize(("text", "expected"), CANONICAL_EXAMPLES)
def test_normalize_examples(impl: ModuleType, text: str, expected: str) -> None:
    assert impl.normalize_number(text) == expected


ERROR_EXAMPLES = [
    ("", "invalid"),
    (".", "invalid"),
    ("-", "invalid"),
    ("+", "invalid"),
    ("1e", "invalid"),
    ("1e+", "invalid"),
    ("e5", "invalid"),
    (".e5", "invalid"),
    ("inf", "invalid"),
    ("-Infinity", "invalid"),
    ("NaN", "invalid"),
    ("0x10", "invalid"),
    (" 1", "invalid"),
    ("1 ", "invalid"),
    ("1\n", "invalid"),
    ("--1", "invalid"),
    ("+-1", "invalid"),
    ("1.2.3", "invalid"),
    ("1e2.5", "invalid"),
    ("1e2e3", "invalid"),
    ("1_000", "invalid"),
    ("١", "invalid"),  # Arabic-Indic digit: Python's int() would take it, DynamoDB not
    ("1\x00", "invalid"),
    ("\ud800", "invalid"),
    ("1E126", "overflow"),
    ("10E125", "overflow"),
    ("-1E126", "overflow"),
    ("1e99999999999999999999999999", "overflow"),
    ("1E-131", "underflow"),
    ("0.1E-130", "underflow"),
    ("-1E-131", "underflow"),
    ("1e-99999999999999999999999999", "underflow"),
    ("1" * 39, "precision"),
    ("1" + "0" * 37 + "1", "precision"),
    ("0.1" + "0" * 37 + "1", "precision"),
    ("-1.00000000000000000000000000000000000001", "precision"),
    ("1" * 39 + "E300", "precision"),  # precision is reported before range
]


@pytest.mark.parametrize(("text", "kind"), ERROR_EXAMPLES)
def test_normalize_errors(impl: ModuleType, text: str, kind: str) -> None:
    with pytest.raises(_pure.NumberError) as info:
        impl.normalize_number(text)
    assert info.value.kind == kind
    assert isinstance(info.value, ValueError)


def test_number_error_messages() -> None:
    assert str(_pure.NumberError("precision")) == (
        "Attempting to store more than 38 significant digits in a Number"
    )
    assert str(_pure.NumberError("overflow")).startswith("Number overflow.")
    assert str(_pure.NumberError("underflow")).startswith("Number underflow.")
    with pytest.raises(ValueError):
        _pure.NumberError("bogus")


def test_number_error_pickles() -> None:
    import pickle

    error = pickle.loads(pickle.dumps(_pure.NumberError("overflow")))
    assert error.kind == "overflow"
    assert str(error) == str(_pure.NumberError("overflow"))


def test_normalize_rejects_non_str(impl: ModuleType) -> None:
    for value in (5, b"5", None):
        with pytest.raises(TypeError):
            impl.normalize_number(value)


@given(number_texts())
def test_normalize_preserves_value(text: str) -> None:
    for module in IMPLEMENTATIONS.values():
        canonical = module.normalize_number(text)
        assert Decimal(canonical) == Decimal(text)
        assert "e" not in canonical and "E" not in canonical and "+" not in canonical
        assert module.normalize_number(canonical) == canonical  # idempotent
        assert canonical == oracle(text)


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_normalize_matches_decimal_oracle(value: Decimal) -> None:
    text = str(value)
    for module in IMPLEMENTATIONS.values():
        assert outcome(module, text) == oracle(text)


@given(st.text("0123456789+-.eE", max_size=12))
def test_normalize_fuzz_matches_oracle(text: str) -> None:
    # With this alphabet Python's Decimal grammar is exactly DynamoDB's.
    for module in IMPLEMENTATIONS.values():
        assert outcome(module, text) == oracle(text)


@needs_speedups
@given(st.text(max_size=20) | st.text("0123456789+-.eE \x00é", max_size=60))
def test_normalize_twins(text: str) -> None:
    results = {name: outcome(module, text) for name, module in IMPLEMENTATIONS.items()}
    assert len(set(results.values())) == 1, results


def test_normalize_returns_exact_str_for_subclass(impl: ModuleType) -> None:
    class Text(str):
        pass

    result = impl.normalize_number(Text("12"))
    assert result == "12" and type(result) is str


# -------------------------------------------------------------------- number keys


def canonical_of(parts: tuple[bool, str, int]) -> str:
    return _pure.normalize_number(str(parts_to_decimal(parts)))


canonical_numbers = st.one_of(st.just("0"), number_parts().map(canonical_of))


@st.composite
def close_pairs(draw: st.DrawFn) -> tuple[str, str]:
    """Pairs that share digit prefixes or exponents: the hard cases for the encoding."""
    negative, sig, adjusted = draw(number_parts())
    other_sig = sig
    choice = draw(st.integers(0, 3))
    if choice == 0 and len(sig) < 38:
        other_sig = sig + draw(st.sampled_from("123456789"))
    elif choice == 1 and len(sig) > 1:
        other_sig = sig[:-1].rstrip("0")
    elif choice == 2:
        other_sig = sig[:-1] + draw(st.sampled_from("123456789"))
    other_adjusted = adjusted + draw(st.integers(-1, 1)) if choice == 3 else adjusted
    other_adjusted = max(-130, min(125, other_adjusted))
    other_negative = draw(st.booleans()) if draw(st.integers(0, 4)) == 0 else negative
    a = canonical_of((negative, sig, adjusted))
    b = canonical_of((other_negative, other_sig, other_adjusted))
    return a, b


def sign(x: int | Decimal) -> int:
    return (x > 0) - (x < 0)


def check_number_pair(module: ModuleType, a: str, b: str) -> None:
    ka = module.encode_number_key(a)
    kb = module.encode_number_key(b)
    assert sign(Decimal(a) - Decimal(b)) == sign((ka > kb) - (ka < kb)), (a, b, ka, kb)
    if a != b:  # prefix-free: neither encoding starts another
        assert not kb.startswith(ka) and not ka.startswith(kb)


@given(canonical_numbers, canonical_numbers)
def test_number_key_order(a: str, b: str) -> None:
    for module in IMPLEMENTATIONS.values():
        check_number_pair(module, a, b)


@given(close_pairs())
def test_number_key_order_close(pair: tuple[str, str]) -> None:
    for module in IMPLEMENTATIONS.values():
        check_number_pair(module, *pair)


@given(st.lists(canonical_numbers, min_size=2, max_size=30))
def test_number_key_sorts_like_decimal(values: list[str]) -> None:
    for module in IMPLEMENTATIONS.values():
        by_key = sorted(values, key=module.encode_number_key)
        assert [Decimal(v) for v in by_key] == sorted(Decimal(v) for v in values)


@given(canonical_numbers, st.binary(max_size=8), st.binary(max_size=4))
def test_number_key_round_trip(canonical: str, before: bytes, after: bytes) -> None:
    for module in IMPLEMENTATIONS.values():
        key = module.encode_number_key(canonical)
        assert len(key) <= 22
        decoded, end = module.decode_number_key(before + key + after, len(before))
        assert decoded == canonical
        assert end == len(before) + len(key)


def test_number_key_layout(impl: ModuleType) -> None:
    assert impl.encode_number_key("0") == b"\x02"
    # 1 = sign 0x03, exponent 0 + 130, digit 1 -> nibble 2, terminator nibble 0
    assert impl.encode_number_key("1") == b"\x03\x82\x20"
    # 12 (exponent 1): two digit nibbles fill a byte, the terminator needs a padding byte
    assert impl.encode_number_key("12") == b"\x03\x83\x23\x00"
    assert impl.encode_number_key("-1") == b"\x01" + bytes([0xFF - 0x82, 0xFF - 0x20])
    assert impl.encode_number_key("1" + "0" * 125)[1] == 255
    assert impl.encode_number_key("0." + "0" * 129 + "1")[1] == 0


def test_number_key_accepts_plain_non_canonical(impl: ModuleType) -> None:
    # Equal numbers give equal keys even if the caller forgot to normalize.
    assert impl.encode_number_key("001.500") == impl.encode_number_key("1.5")
    assert impl.encode_number_key("-0.0") == b"\x02"


@pytest.mark.parametrize(
    "text", ["", "-", "1e5", "+1", ".5", "1.", "1.2.3", " 1", "abc", "1" * 39, "1" + "0" * 126]
)
def test_number_key_rejects_non_canonical(impl: ModuleType, text: str) -> None:
    with pytest.raises(ValueError):
        impl.encode_number_key(text)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00",
        b"\x04",
        b"\x03",
        b"\x03\x82",
        b"\x03\x82\x2b",
        b"\x03\x82\x02",
        b"\x03\x82\x10",
        b"\x03\x82\xb0",
        b"\x03\x82\x21\x00",
        b"\x01",
        b"\x01\x7d",
    ],
)
def test_decode_number_key_rejects_malformed(impl: ModuleType, data: bytes) -> None:
    with pytest.raises(ValueError, match="malformed number key"):
        impl.decode_number_key(data, 0)


def test_decode_number_key_rejects_bad_position(impl: ModuleType) -> None:
    with pytest.raises(ValueError):
        impl.decode_number_key(b"\x02", 1)
    with pytest.raises(ValueError):
        impl.decode_number_key(b"\x02", -1)


def decode_outcome(module: ModuleType, data: bytes, pos: int) -> object:
    try:
        return module.decode_number_key(data, pos)
    except ValueError as exc:
        return (type(exc), str(exc))


@needs_speedups
@given(st.binary(max_size=30), st.integers(0, 3))
def test_decode_number_key_twins(data: bytes, pos: int) -> None:
    assert decode_outcome(SPEEDUPS, data, pos) == decode_outcome(_pure, data, pos)


@needs_speedups
@given(st.text(st.sampled_from("0123456789.-+e"), max_size=45))
def test_encode_number_key_twins(text: str) -> None:
    def run(module: ModuleType) -> object:
        try:
            return module.encode_number_key(text)
        except ValueError as exc:
            return (type(exc), str(exc))

    assert run(SPEEDUPS) == run(_pure)
