"""Pure-Python implementation of ddblite's native core.

This module is the reference twin of ``ext/_speedups.pyx``: every public function here
has a compiled counterpart with identical results and identical exceptions. Import these
functions through :mod:`ddblite.native`, which picks the compiled version when available.

Contents:

* DynamoDB number validation and canonicalisation (:func:`normalize_number`);
* an order-preserving, self-delimiting binary encoding of numbers;
* the storage key layout ``hash32(pk) + terminated(pk) + raw(sk)``;
* DynamoDB's item size accounting (:func:`item_size`).
"""

from __future__ import annotations

import re
import zlib
from typing import Any

__all__ = [
    "NumberError",
    "attribute_value_size",
    "decode_key",
    "decode_number_key",
    "encode_key",
    "encode_key_part",
    "encode_number_key",
    "encode_partition_prefix",
    "item_size",
    "normalize_number",
    "partition_hash",
    "segment_bounds",
]

# DynamoDB's Number limits: 38 significant digits, magnitude 1E-130 .. 9.99..9E+125.
# With at most 38 digits the magnitude limits reduce to bounds on the decimal
# exponent of the most significant digit ("adjusted exponent").
MAX_DIGITS = 38
MAX_ADJUSTED = 125
MIN_ADJUSTED = -130
# Biases the adjusted exponent (-130..125) into one unsigned byte (0..255).
EXPONENT_BIAS = 130
# Exponents are clamped to this magnitude while parsing, so absurd inputs such as
# "1e99999999999999999999" neither overflow C integers nor hit int() digit limits.
# Any clamped value is far outside the valid range, so results are unaffected.
EXPONENT_CLAMP = 10**12

_NUMBER_MESSAGES = {
    "invalid": "A value provided cannot be converted into a number",
    "precision": "Attempting to store more than 38 significant digits in a Number",
    "overflow": (
        "Number overflow. Attempting to store a number with magnitude larger than supported range"
    ),
    "underflow": (
        "Number underflow. Attempting to store a number with magnitude smaller than supported range"
    ),
}

MALFORMED_NUMBER_KEY = "malformed number key"
MALFORMED_KEY = "malformed key"


class NumberError(ValueError):
    """A string is not a valid DynamoDB number.

    ``kind`` is one of ``"invalid"``, ``"overflow"``, ``"underflow"``, ``"precision"``;
    the message is DynamoDB's own text for that case.
    """

    def __init__(self, kind: str, message: str | None = None) -> None:
        if kind not in _NUMBER_MESSAGES:
            raise ValueError(f"unknown NumberError kind {kind!r}")
        super().__init__(message if message is not None else _NUMBER_MESSAGES[kind])
        self.kind = kind

    def __reduce__(self) -> tuple[Any, ...]:
        # The default reduce would pass only the message back to __init__.
        return (type(self), (self.kind, str(self)))


# --------------------------------------------------------------------------- numbers

# [0-9] rather than \d: \d would also accept non-ASCII digits such as "٣".
_NUMBER_RE = re.compile(r"([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?")


def _parse_exponent(text: str) -> int:
    negative = text[0] == "-"
    body = text.lstrip("+-").lstrip("0")
    # Compare lengths first: int() of a huge digit string is slow or refused.
    value = EXPONENT_CLAMP if len(body) > 13 else min(int(body or "0"), EXPONENT_CLAMP)
    return -value if negative else value


def _format_number(negative: bool, sig: str, adjusted: int) -> str:
    """Plain decimal text for ``0.sig × 10^(adjusted+1)``; ``sig`` has no edge zeros."""
    n = len(sig)
    if adjusted >= 0:
        if n <= adjusted + 1:
            body = sig + "0" * (adjusted + 1 - n)
        else:
            body = sig[: adjusted + 1] + "." + sig[adjusted + 1 :]
    else:
        body = "0." + "0" * (-adjusted - 1) + sig
    return "-" + body if negative else body


def normalize_number(text: str) -> str:
    """Validate a DynamoDB number string and return its canonical plain-decimal text.

    Raises :class:`NumberError` whose ``kind`` says why the text was refused.
    """
    if not isinstance(text, str):
        raise TypeError(f"number must be str, not {type(text).__name__}")
    match = _NUMBER_RE.fullmatch(text)
    if match is None:
        raise NumberError("invalid")
    sign, int_part, frac_part, exponent = match.groups()
    if not int_part and not frac_part:
        raise NumberError("invalid")
    digits = int_part + frac_part if frac_part else int_part
    stripped = digits.lstrip("0")
    if not stripped:
        return "0"  # zero has no sign and ignores its exponent
    sig = stripped.rstrip("0")
    if len(sig) > MAX_DIGITS:
        raise NumberError("precision")
    leading_zeros = len(digits) - len(stripped)
    adjusted = len(int_part) - 1 - leading_zeros
    if exponent:
        adjusted += _parse_exponent(exponent)
    if adjusted > MAX_ADJUSTED:
        raise NumberError("overflow")
    if adjusted < MIN_ADJUSTED:
        raise NumberError("underflow")
    return _format_number(sign == "-", sig, adjusted)


def _split_plain(text: str) -> tuple[bool, str, int]:
    """Split a canonical number into (negative, significant digits, adjusted exponent).

    Zero gives an empty digit string. Accepts any plain decimal ``-?d+(.d+)?`` inside
    DynamoDB's limits (so "1.50" and "007" work too); anything else is a ValueError.
    """
    if not isinstance(text, str):
        raise TypeError(f"number must be str, not {type(text).__name__}")
    negative = text.startswith("-")
    body = text[1:] if negative else text
    int_part, dot, frac_part = body.partition(".")
    if not (int_part.isascii() and int_part.isdigit()) or (
        dot and not (frac_part.isascii() and frac_part.isdigit())
    ):
        raise ValueError(f"not a canonical number: {text!r}")
    digits = int_part + frac_part
    stripped = digits.lstrip("0")
    if not stripped:
        return negative, "", 0
    sig = stripped.rstrip("0")
    adjusted = len(int_part) - 1 - (len(digits) - len(stripped))
    if len(sig) > MAX_DIGITS or not MIN_ADJUSTED <= adjusted <= MAX_ADJUSTED:
        raise ValueError(f"not a canonical number: {text!r}")
    return negative, sig, adjusted


# Nibble packing: each digit d becomes nibble d+1 (1..10) so that nibble 0 can
# terminate the digit string and sort before every digit. Two digits per byte; an
# odd trailing digit shares its byte with the terminator.
_DIGIT_PAIRS: dict[str, int] = {}
for _a in range(10):
    _DIGIT_PAIRS[str(_a)] = (_a + 1) << 4
    for _b in range(10):
        _DIGIT_PAIRS[f"{_a}{_b}"] = ((_a + 1) << 4) | (_b + 1)
del _a, _b
# Complementing every byte reverses the order of prefix-free encodings.
_COMPLEMENT = bytes(255 - i for i in range(256))


def encode_number_key(canonical: str) -> bytes:
    """Order-preserving, self-delimiting bytes for a canonical number.

    Layout: sign byte (0x01 negative, 0x02 zero, 0x03 positive), then for nonzero
    values the biased adjusted exponent and the nibble-packed digits ending in a zero
    nibble; every byte after the sign is complemented for negative numbers.
    """
    negative, sig, adjusted = _split_plain(canonical)
    if not sig:
        return b"\x02"
    n = len(sig)
    pairs = [_DIGIT_PAIRS[sig[i : i + 2]] for i in range(0, n, 2)]
    packed = bytes([adjusted + EXPONENT_BIAS, *pairs])
    if n % 2 == 0:
        packed += b"\x00"  # the terminator nibble needs a byte of its own
    if negative:
        return b"\x01" + packed.translate(_COMPLEMENT)
    return b"\x03" + packed


def decode_number_key(data: bytes, pos: int) -> tuple[str, int]:
    """Decode the number key starting at ``data[pos]``: (canonical text, end position)."""
    if type(data) is not bytes:
        data = _as_bytes(data)
    size = len(data)
    if pos < 0 or pos >= size:
        raise ValueError(MALFORMED_NUMBER_KEY)
    sign = data[pos]
    if sign == 0x02:
        return "0", pos + 1
    if sign != 0x01 and sign != 0x03:
        raise ValueError(MALFORMED_NUMBER_KEY)
    mask = 0xFF if sign == 0x01 else 0x00
    if pos + 1 >= size:
        raise ValueError(MALFORMED_NUMBER_KEY)
    adjusted = (data[pos + 1] ^ mask) - EXPONENT_BIAS
    digits: list[str] = []
    i = pos + 2
    while True:
        if i >= size or len(digits) > MAX_DIGITS:
            raise ValueError(MALFORMED_NUMBER_KEY)
        byte = data[i] ^ mask
        i += 1
        high = byte >> 4
        low = byte & 0x0F
        if high == 0:
            if low != 0:
                raise ValueError(MALFORMED_NUMBER_KEY)
            break
        if high > 10:
            raise ValueError(MALFORMED_NUMBER_KEY)
        digits.append(chr(high + 47))  # nibble k encodes digit k-1, chr(48) == "0"
        if low == 0:
            break
        if low > 10:
            raise ValueError(MALFORMED_NUMBER_KEY)
        digits.append(chr(low + 47))
    # Canonical encodings have 1..38 digits without leading or trailing zeros.
    if not digits or len(digits) > MAX_DIGITS or digits[0] == "0" or digits[-1] == "0":
        raise ValueError(MALFORMED_NUMBER_KEY)
    return _format_number(sign == 0x01, "".join(digits), adjusted), i


def _number_size(canonical: str) -> int:
    """Stored size of a number, exactly as DynamoDB bills it.

    The documented rule is "1 byte per two significant digits + 1 byte" with leading
    and trailing zeros trimmed. Measured precisely (see dynalite's tests against live
    DynamoDB) digits are paired around the decimal point, like base-100 digits: the
    size is 1 + the number of base-100 digits spanned by the significant digits, plus
    1 for negative numbers. Zero is 1 byte.
    """
    negative, sig, adjusted = _split_plain(canonical)
    if not sig:
        return 1
    lowest = adjusted - len(sig) + 1  # decimal exponent of the last significant digit
    # >> 1 is floor division by 2, also for negative exponents.
    return 2 + (adjusted >> 1) - (lowest >> 1) + negative


# ----------------------------------------------------------------------------- keys


def _utf8(value: Any) -> bytes:
    if not isinstance(value, str):
        raise TypeError(f"S value must be str, not {type(value).__name__}")
    return value.encode("utf-8")


def _as_bytes(value: Any) -> bytes:
    if type(value) is bytes:
        return value
    # memoryview() refuses ints and str, which bytes() would silently accept.
    return bytes(memoryview(value))


def encode_key_part(type_tag: str, value: Any, terminated: bool) -> bytes:
    """Encode one key attribute ('S' str, 'N' canonical str, 'B' bytes).

    Terminated S/B encodings escape 0x00 as 0x00 0xFF and end with 0x00 0x00, which
    keeps them prefix-free and order-preserving; unterminated ones are the raw bytes
    (only valid as the last component). Number keys are self-delimiting either way.
    """
    if type_tag == "S":
        raw = _utf8(value)
    elif type_tag == "N":
        return encode_number_key(value)
    elif type_tag == "B":
        raw = _as_bytes(value)
    else:
        raise ValueError(f"unsupported key type {type_tag!r}")
    if terminated:
        return raw.replace(b"\x00", b"\x00\xff") + b"\x00\x00"
    return raw


def partition_hash(encoded_pk: bytes) -> int:
    """Stable 32-bit hash of a terminated partition key: crc32 then murmur3's fmix32.

    crc32 alone mixes its high bits poorly for short keys; the finalizer spreads them
    so that hash ranges (parallel scan segments) get even shares of partitions.
    """
    h = zlib.crc32(_as_bytes(encoded_pk))
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & 0xFFFFFFFF
    h ^= h >> 16
    return h


def encode_partition_prefix(pk_type: str, pk_value: Any) -> bytes:
    """The bytes every key of this partition starts with (and no other key does)."""
    pk = encode_key_part(pk_type, pk_value, True)
    return partition_hash(pk).to_bytes(4, "big") + pk


def encode_key(pk_type: str, pk_value: Any, sk_type: str | None, sk_value: Any) -> bytes:
    """Storage key: 4-byte big-endian partition hash + terminated pk + raw sk."""
    pk = encode_key_part(pk_type, pk_value, True)
    prefix = partition_hash(pk).to_bytes(4, "big") + pk
    if sk_type is None:
        return prefix
    return prefix + encode_key_part(sk_type, sk_value, False)


def _decode_tail(data: bytes, pos: int, type_tag: str) -> Any:
    """Decode an unterminated component that runs to the end of ``data``."""
    if type_tag == "S":
        return data[pos:].decode("utf-8")
    if type_tag == "N":
        value, end = decode_number_key(data, pos)
        if end != len(data):
            raise ValueError(MALFORMED_KEY)
        return value
    return data[pos:]


def decode_key(data: bytes, pk_type: str, sk_type: str | None) -> tuple[Any, Any]:
    """Inverse of :func:`encode_key`: (pk value, sk value or None)."""
    if type(data) is not bytes:
        data = _as_bytes(data)
    for tag in (pk_type, sk_type):
        if tag is not None and tag != "S" and tag != "N" and tag != "B":
            raise ValueError(f"unsupported key type {tag!r}")
    if len(data) < 4:
        raise ValueError(MALFORMED_KEY)
    if pk_type == "N":
        pk_value: Any
        pk_value, pos = decode_number_key(data, 4)
    else:
        # Inside an escaped segment every 0x00 is followed by 0xFF, so the first
        # 0x00 0x00 pair is the terminator.
        end = data.find(b"\x00\x00", 4)
        if end < 0:
            raise ValueError(MALFORMED_KEY)
        segment = data[4:end]
        if segment.count(b"\x00") != segment.count(b"\x00\xff"):
            raise ValueError(MALFORMED_KEY)
        raw = segment.replace(b"\x00\xff", b"\x00")
        pk_value = raw.decode("utf-8") if pk_type == "S" else raw
        pos = end + 2
    if sk_type is None:
        if pos != len(data):
            raise ValueError(MALFORMED_KEY)
        return pk_value, None
    return pk_value, _decode_tail(data, pos, sk_type)


def segment_bounds(segment: int, total_segments: int) -> tuple[bytes, bytes | None]:
    """Hash range [lower, upper) of parallel-scan segment ``segment`` of ``total_segments``.

    Bounds are 4-byte big-endian prefixes comparable with keys; the last segment has
    no upper bound.
    """
    if total_segments < 1 or not 0 <= segment < total_segments:
        raise ValueError(f"invalid segment {segment} of {total_segments}")
    lower = (segment << 32) // total_segments
    if segment == total_segments - 1:
        return lower.to_bytes(4, "big"), None
    upper = ((segment + 1) << 32) // total_segments
    return lower.to_bytes(4, "big"), upper.to_bytes(4, "big")


# ------------------------------------------------------------------------ item size
#
# Rules from the AWS Developer Guide, "DynamoDB item sizes and formats"
# (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html):
#   S: UTF-8 bytes; N: see _number_size; B: raw bytes; BOOL, NULL: 1 byte;
#   L, M: 3 bytes + per element (1 byte + element size; map keys count as names);
#   sets: the sum of their members' sizes; item: sum of (name UTF-8 bytes + value).


def _utf8_len(text: Any) -> int:
    if not isinstance(text, str):
        raise TypeError(f"expected str, not {type(text).__name__}")
    return len(text.encode("utf-8"))


def attribute_value_size(value: dict[str, Any]) -> int:
    """DynamoDB size in bytes of one attribute value (without its name)."""
    if not isinstance(value, dict):
        raise TypeError(f"attribute value must be a dict, not {type(value).__name__}")
    if len(value) != 1:
        raise ValueError("attribute value must have exactly one type key")
    tag, inner = next(iter(value.items()))
    if tag == "S":
        return _utf8_len(inner)
    if tag == "N":
        return _number_size(inner)
    if tag == "B":
        return len(inner)
    if tag == "BOOL" or tag == "NULL":
        return 1
    if tag == "M":
        if not isinstance(inner, dict):
            raise TypeError(f"M value must be a dict, not {type(inner).__name__}")
        size = 3
        for name, element in inner.items():
            size += _utf8_len(name) + 1 + attribute_value_size(element)
        return size
    if tag == "L":
        size = 3
        for element in inner:
            size += 1 + attribute_value_size(element)
        return size
    if tag == "SS":
        return sum(_utf8_len(member) for member in inner)
    if tag == "NS":
        return sum(_number_size(member) for member in inner)
    if tag == "BS":
        return sum(len(member) for member in inner)
    raise ValueError(f"unknown attribute type {tag!r}")


def item_size(item: dict[str, Any]) -> int:
    """DynamoDB size in bytes of an item in low-level shape ({"name": {"S": "x"}})."""
    if not isinstance(item, dict):
        raise TypeError(f"item must be a dict, not {type(item).__name__}")
    size = 0
    for name, value in item.items():
        size += _utf8_len(name) + attribute_value_size(value)
    return size


# ------------------------------------------------------------------ item fast path


def canonical_item_sized(item: Any) -> None:
    """Twin of the compiled fast path for well-formed items.

    The compiled version returns (stored item, size) for a well-formed item and
    None otherwise, meaning "take ddblite.attrvalue's general path". In pure
    Python the general path is as fast as any copy of it, so this twin always
    answers None.
    """
    return None
