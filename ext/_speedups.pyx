# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False, embedsignature=True
# Annotations below document the API only; enforcing them would change which
# exception bad input raises and break parity with the pure twin.
# cython: annotation_typing=False
"""Compiled twin of :mod:`ddblite._pure`.

Every function here returns exactly what its pure-Python counterpart returns and
raises the same exception types with the same messages; ``ddblite._pure`` documents
the formats and rules. The hot paths (number parsing, key building, item size) work
on C buffers and never build intermediate Python objects.
"""

cimport cython
from cpython.bytes cimport (
    PyBytes_AS_STRING,
    PyBytes_CheckExact,
    PyBytes_FromStringAndSize,
    PyBytes_GET_SIZE,
)
from cpython.dict cimport PyDict_Check, PyDict_CheckExact, PyDict_Next, PyDict_Size
from cpython.list cimport PyList_CheckExact
from cpython.object cimport PyObject
from cpython.unicode cimport (
    PyUnicode_AsUTF8AndSize,
    PyUnicode_Check,
    PyUnicode_CheckExact,
    PyUnicode_DATA,
    PyUnicode_DecodeASCII,
    PyUnicode_DecodeUTF8,
    PyUnicode_GET_LENGTH,
    PyUnicode_KIND,
    PyUnicode_READ,
    PyUnicode_READ_CHAR,
)
from libc.stdint cimport int64_t, uint32_t
from libc.string cimport memchr, memcmp, memcpy, memset

# One exception class for both implementations, so callers can catch either.
from ddblite._pure import MALFORMED_KEY, MALFORMED_NUMBER_KEY, NumberError

cdef extern from "Python.h":
    bint PyUnicode_IS_ASCII(object text)
    Py_UCS4 PyUnicode_MAX_CHAR_VALUE(object text)

__all__ = [
    "NumberError",
    "attribute_value_size",
    "canonical_item_sized",
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

# Same limits as ddblite._pure (see there for why they look like this).
cdef enum:
    MAX_DIGITS = 38
    MAX_ADJUSTED = 125
    MIN_ADJUSTED = -130
    EXPONENT_BIAS = 130
    # Longest canonical text: "-0." + 129 zeros + 38 digits = 170 characters.
    TEXT_BUFFER = 176
    # Longest number key: sign + exponent + 38 digits and terminator in 20 bytes.
    NUMBER_KEY_BUFFER = 24

cdef int64_t EXPONENT_CLAMP = 1000000000000

# Parse outcomes of _scan_number; indexes into _NUMBER_KINDS.
cdef enum:
    NUM_OK = 0
    NUM_INVALID = 1
    NUM_PRECISION = 2
    NUM_OVERFLOW = 3
    NUM_UNDERFLOW = 4

_NUMBER_KINDS = (None, "invalid", "precision", "overflow", "underflow")

# Key attribute types.
cdef enum:
    TAG_S = 0
    TAG_N = 1
    TAG_B = 2

# Attribute value types for item_size.
cdef enum:
    T_UNKNOWN = -1
    T_S = 0
    T_N
    T_B
    T_BOOL
    T_NULL
    T_M
    T_L
    T_SS
    T_NS
    T_BS


cdef struct Number:
    bint negative
    int ndigits      # number of significant digits; 0 means the value is zero
    int adjusted     # decimal exponent of the most significant digit
    char digits[40]  # ASCII significant digits (40: the decoder may overshoot by 2)


# ------------------------------------------------------------------------- numbers

cdef int _scan_number(const char* s, Py_ssize_t n, Number* num) noexcept nogil:
    """Parse any DynamoDB number syntax; returns a NUM_* status."""
    cdef Py_ssize_t i = 0, total = 0, int_digits = 0, first_nz = -1, last_nz = -1
    cdef bint seen_dot = False, exp_negative = False, has_exp_digit = False
    cdef int64_t exponent = 0, adjusted
    cdef char c
    num.negative = False
    num.ndigits = 0
    num.adjusted = 0
    if n > 0 and (s[0] == c'+' or s[0] == c'-'):
        num.negative = s[0] == c'-'
        i = 1
    while i < n:
        c = s[i]
        if c'0' <= c <= c'9':
            if c != c'0':
                if first_nz < 0:
                    first_nz = total
                last_nz = total
            # More than MAX_DIGITS significant digits is an error anyway, so only the
            # first MAX_DIGITS digits from the first nonzero one need storing.
            if first_nz >= 0 and total - first_nz < MAX_DIGITS:
                num.digits[total - first_nz] = c
            if not seen_dot:
                int_digits += 1
            total += 1
        elif c == c'.' and not seen_dot:
            seen_dot = True
        else:
            break
        i += 1
    if total == 0:
        return NUM_INVALID
    if i < n:
        if s[i] != c'e' and s[i] != c'E':
            return NUM_INVALID
        i += 1
        if i < n and (s[i] == c'+' or s[i] == c'-'):
            exp_negative = s[i] == c'-'
            i += 1
        while i < n and c'0' <= s[i] <= c'9':
            has_exp_digit = True
            if exponent < EXPONENT_CLAMP:
                exponent = exponent * 10 + (s[i] - c'0')
                if exponent > EXPONENT_CLAMP:
                    exponent = EXPONENT_CLAMP
            i += 1
        if not has_exp_digit or i != n:
            return NUM_INVALID
    if first_nz < 0:
        num.negative = False
        return NUM_OK
    if last_nz - first_nz + 1 > MAX_DIGITS:
        return NUM_PRECISION
    adjusted = int_digits - 1 - first_nz + (-exponent if exp_negative else exponent)
    if adjusted > MAX_ADJUSTED:
        return NUM_OVERFLOW
    if adjusted < MIN_ADJUSTED:
        return NUM_UNDERFLOW
    num.ndigits = <int>(last_nz - first_nz + 1)
    num.adjusted = <int>adjusted
    return NUM_OK


cdef Py_ssize_t _format_number(const Number* num, char* out) noexcept nogil:
    """Write the canonical text of ``num`` into ``out`` (TEXT_BUFFER bytes)."""
    cdef Py_ssize_t p = 0
    cdef int n = num.ndigits, adj = num.adjusted
    if n == 0:
        out[0] = c'0'
        return 1
    if num.negative:
        out[0] = c'-'
        p = 1
    if adj >= 0:
        if n <= adj + 1:
            memcpy(out + p, num.digits, n)
            p += n
            memset(out + p, c'0', adj + 1 - n)
            p += adj + 1 - n
        else:
            memcpy(out + p, num.digits, adj + 1)
            p += adj + 1
            out[p] = c'.'
            p += 1
            memcpy(out + p, num.digits + adj + 1, n - adj - 1)
            p += n - adj - 1
    else:
        out[p] = c'0'
        out[p + 1] = c'.'
        p += 2
        memset(out + p, c'0', -adj - 1)
        p += -adj - 1
        memcpy(out + p, num.digits, n)
        p += n
    return p


cdef inline str _number_text(const Number* num):
    cdef char out[TEXT_BUFFER]
    cdef Py_ssize_t size = _format_number(num, out)
    return PyUnicode_DecodeASCII(out, size, NULL)


def normalize_number(text: str) -> str:
    """Validate a DynamoDB number string and return its canonical plain-decimal text.

    Raises :class:`NumberError` whose ``kind`` says why the text was refused.
    """
    cdef Py_ssize_t n, size
    cdef const char* s
    cdef Number num
    cdef int status
    cdef char out[TEXT_BUFFER]
    if not PyUnicode_Check(text):
        raise TypeError(f"number must be str, not {type(text).__name__}")
    if not PyUnicode_IS_ASCII(text):
        raise NumberError("invalid")  # every valid number is ASCII
    s = PyUnicode_AsUTF8AndSize(text, &n)  # ASCII: borrows the str's own buffer
    status = _scan_number(s, n, &num)
    if status != NUM_OK:
        raise NumberError(_NUMBER_KINDS[status])
    size = _format_number(&num, out)
    # Most stored numbers are canonical already: hand back the same object.
    if size == n and PyUnicode_CheckExact(text) and memcmp(out, s, n) == 0:
        return text
    return PyUnicode_DecodeASCII(out, size, NULL)


cdef int _parse_plain(object text, Number* num) except -1:
    """Parse a canonical (plain decimal) number; mirrors ``_pure._split_plain``."""
    cdef Py_ssize_t n, i = 0, total = 0, int_digits = 0, frac_digits = 0
    cdef Py_ssize_t first_nz = -1, last_nz = -1, adjusted
    cdef const char* s
    cdef char c
    cdef bint in_fraction = False
    if not PyUnicode_Check(text):
        raise TypeError(f"number must be str, not {type(text).__name__}")
    if not PyUnicode_IS_ASCII(text):
        raise ValueError(f"not a canonical number: {text!r}")
    s = PyUnicode_AsUTF8AndSize(text, &n)
    num.negative = n > 0 and s[0] == c'-'
    num.ndigits = 0
    num.adjusted = 0
    if num.negative:
        i = 1
    while i < n:
        c = s[i]
        if c'0' <= c <= c'9':
            if c != c'0':
                if first_nz < 0:
                    first_nz = total
                last_nz = total
            if first_nz >= 0 and total - first_nz < MAX_DIGITS:
                num.digits[total - first_nz] = c
            if in_fraction:
                frac_digits += 1
            else:
                int_digits += 1
            total += 1
        elif c == c'.' and not in_fraction and int_digits > 0:
            in_fraction = True
        else:
            break
        i += 1
    # "-?d+(.d+)?" with nothing after it
    if i != n or int_digits == 0 or (in_fraction and frac_digits == 0):
        raise ValueError(f"not a canonical number: {text!r}")
    if first_nz < 0:
        return 0
    adjusted = int_digits - 1 - first_nz
    if last_nz - first_nz + 1 > MAX_DIGITS or not MIN_ADJUSTED <= adjusted <= MAX_ADJUSTED:
        raise ValueError(f"not a canonical number: {text!r}")
    num.ndigits = <int>(last_nz - first_nz + 1)
    num.adjusted = <int>adjusted
    return 0


cdef Py_ssize_t _write_number_key(const Number* num, unsigned char* out) noexcept nogil:
    """Write the number key of ``num`` into ``out`` (NUMBER_KEY_BUFFER bytes)."""
    cdef Py_ssize_t p = 2, j
    cdef int k = 0, n = num.ndigits
    if n == 0:
        out[0] = 0x02
        return 1
    out[1] = <unsigned char>(num.adjusted + EXPONENT_BIAS)
    # Digit character c becomes nibble c - '0' + 1, i.e. c - 47.
    while k + 1 < n:
        out[p] = <unsigned char>(((num.digits[k] - 47) << 4) | (num.digits[k + 1] - 47))
        p += 1
        k += 2
    if k < n:
        out[p] = <unsigned char>((num.digits[k] - 47) << 4)  # last digit + terminator
    else:
        out[p] = 0  # terminator nibble and padding
    p += 1
    if num.negative:
        out[0] = 0x01
        for j in range(1, p):
            out[j] = 0xFF - out[j]
    else:
        out[0] = 0x03
    return p


def encode_number_key(canonical: str) -> bytes:
    """Order-preserving, self-delimiting bytes for a canonical number."""
    cdef Number num
    cdef unsigned char out[NUMBER_KEY_BUFFER]
    _parse_plain(canonical, &num)
    return PyBytes_FromStringAndSize(<char*>out, _write_number_key(&num, out))


cdef int _read_number_key(const unsigned char* data, Py_ssize_t size, Py_ssize_t pos,
                          Number* num, Py_ssize_t* end) except -1:
    """Decode a number key at ``data[pos]``; mirrors ``_pure.decode_number_key``."""
    cdef unsigned char sign, mask, byte, high, low
    cdef Py_ssize_t i
    cdef int n = 0
    num.negative = False
    num.ndigits = 0
    num.adjusted = 0
    if pos < 0 or pos >= size:
        raise ValueError(MALFORMED_NUMBER_KEY)
    sign = data[pos]
    if sign == 0x02:
        end[0] = pos + 1
        return 0
    if sign != 0x01 and sign != 0x03:
        raise ValueError(MALFORMED_NUMBER_KEY)
    mask = 0xFF if sign == 0x01 else 0x00
    if pos + 1 >= size:
        raise ValueError(MALFORMED_NUMBER_KEY)
    num.negative = sign == 0x01
    num.adjusted = (data[pos + 1] ^ mask) - EXPONENT_BIAS
    i = pos + 2
    while True:
        if i >= size or n > MAX_DIGITS:
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
        num.digits[n] = <char>(high + 47)
        n += 1
        if low == 0:
            break
        if low > 10:
            raise ValueError(MALFORMED_NUMBER_KEY)
        num.digits[n] = <char>(low + 47)
        n += 1
    if n == 0 or n > MAX_DIGITS or num.digits[0] == c'0' or num.digits[n - 1] == c'0':
        raise ValueError(MALFORMED_NUMBER_KEY)
    num.ndigits = n
    end[0] = i
    return 0


def decode_number_key(data: bytes, Py_ssize_t pos) -> tuple:
    """Decode the number key starting at ``data[pos]``: (canonical text, end position)."""
    cdef Number num
    cdef Py_ssize_t end
    if not PyBytes_CheckExact(data):
        data = _as_bytes(data)
    _read_number_key(<const unsigned char*>PyBytes_AS_STRING(data), PyBytes_GET_SIZE(data),
                     pos, &num, &end)
    return _number_text(&num), end


@cython.cdivision(False)
cdef inline int _floor_half(int x) noexcept nogil:
    return x // 2  # Python semantics: floors for negative x too


cdef Py_ssize_t _number_size(object canonical) except -1:
    """DynamoDB's stored size of a number; see ``_pure._number_size`` for the rule."""
    cdef Number num
    _parse_plain(canonical, &num)
    if num.ndigits == 0:
        return 1
    return (2 + _floor_half(num.adjusted) - _floor_half(num.adjusted - num.ndigits + 1)
            + num.negative)


# ---------------------------------------------------------------------------- keys

cdef uint32_t _CRC_TABLE[256]


cdef void _init_crc_table() noexcept:
    # Reflected CRC-32 (IEEE 802.3), the same function as zlib.crc32; computed here
    # so the hot path needs neither a Python call nor linking against libz.
    cdef uint32_t c
    cdef int i, k
    for i in range(256):
        c = i
        for k in range(8):
            c = ((c >> 1) ^ 0xEDB88320) if c & 1 else (c >> 1)
        _CRC_TABLE[i] = c


_init_crc_table()


cdef inline uint32_t _partition_hash(const unsigned char* p, Py_ssize_t n) noexcept nogil:
    """crc32 followed by murmur3's fmix32 finalizer (see ``_pure.partition_hash``)."""
    cdef uint32_t h = 0xFFFFFFFF
    cdef Py_ssize_t i
    for i in range(n):
        h = _CRC_TABLE[(h ^ p[i]) & 0xFF] ^ (h >> 8)
    h = ~h
    h ^= h >> 16
    h *= <uint32_t>0x85EBCA6B
    h ^= h >> 13
    h *= <uint32_t>0xC2B2AE35
    h ^= h >> 16
    return h


cdef bytes _as_bytes(object value):
    if PyBytes_CheckExact(value):
        return <bytes>value
    # memoryview() refuses ints and str, which bytes() would silently accept.
    return bytes(memoryview(value))


cdef inline int _tag_code(object tag) except -1:
    cdef Py_UCS4 c
    if PyUnicode_Check(tag) and PyUnicode_GET_LENGTH(tag) == 1:
        c = PyUnicode_READ_CHAR(tag, 0)
        if c == u'S':
            return TAG_S
        if c == u'N':
            return TAG_N
        if c == u'B':
            return TAG_B
    raise ValueError(f"unsupported key type {tag!r}")


cdef inline object _key_source(int tag, object value):
    """The object whose bytes an S/B key component is: the str itself or exact bytes."""
    if tag == TAG_S:
        if not PyUnicode_Check(value):
            raise TypeError(f"S value must be str, not {type(value).__name__}")
        return value
    return _as_bytes(value)


cdef inline const unsigned char* _source_bytes(int tag, object source,
                                               Py_ssize_t* size) except NULL:
    # The UTF-8 of a str is cached in (or, for ASCII, is) the str object itself, so the
    # pointer stays valid as long as the caller keeps ``source``.
    if tag == TAG_S:
        return <const unsigned char*>PyUnicode_AsUTF8AndSize(source, size)
    size[0] = PyBytes_GET_SIZE(source)
    return <const unsigned char*>PyBytes_AS_STRING(source)


cdef inline Py_ssize_t _count_zeros(const unsigned char* p, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t count = 0
    cdef const unsigned char* end = p + n
    cdef const void* hit
    while p < end:
        hit = memchr(p, 0, end - p)
        if hit == NULL:
            break
        count += 1
        p = <const unsigned char*>hit + 1
    return count


cdef inline Py_ssize_t _write_terminated(unsigned char* out, const unsigned char* p,
                                         Py_ssize_t n, Py_ssize_t zeros) noexcept nogil:
    """Escape 0x00 as 0x00 0xFF and append 0x00 0x00; returns the bytes written."""
    cdef Py_ssize_t i, w = 0
    if zeros == 0:
        memcpy(out, p, n)
        w = n
    else:
        for i in range(n):
            out[w] = p[i]
            w += 1
            if p[i] == 0:
                out[w] = 0xFF
                w += 1
    out[w] = 0
    out[w + 1] = 0
    return w + 2


cdef bytes _encode_key(object pk_type, object pk_value, object sk_type, object sk_value):
    cdef int pk_tag = _tag_code(pk_type), sk_tag
    cdef Number num
    cdef unsigned char pk_number[NUMBER_KEY_BUFFER]
    cdef unsigned char sk_number[NUMBER_KEY_BUFFER]
    cdef const unsigned char* pk_ptr
    cdef const unsigned char* sk_ptr = NULL
    cdef Py_ssize_t pk_len, pk_encoded_len, sk_len = 0, zeros = 0
    cdef unsigned char* out
    cdef uint32_t h
    cdef bytes result
    # Sizes first, so the result is allocated once and written in place.
    if pk_tag == TAG_N:
        _parse_plain(pk_value, &num)
        pk_len = _write_number_key(&num, pk_number)
        pk_ptr = pk_number
        pk_encoded_len = pk_len
    else:
        pk_value = _key_source(pk_tag, pk_value)  # rebinding keeps the buffer alive
        pk_ptr = _source_bytes(pk_tag, pk_value, &pk_len)
        zeros = _count_zeros(pk_ptr, pk_len)
        pk_encoded_len = pk_len + zeros + 2
    if sk_type is not None:
        sk_tag = _tag_code(sk_type)
        if sk_tag == TAG_N:
            _parse_plain(sk_value, &num)
            sk_len = _write_number_key(&num, sk_number)
            sk_ptr = sk_number
        else:
            sk_value = _key_source(sk_tag, sk_value)
            sk_ptr = _source_bytes(sk_tag, sk_value, &sk_len)
    result = PyBytes_FromStringAndSize(NULL, 4 + pk_encoded_len + sk_len)
    out = <unsigned char*>PyBytes_AS_STRING(result)
    if pk_tag == TAG_N:
        memcpy(out + 4, pk_ptr, pk_len)
    else:
        _write_terminated(out + 4, pk_ptr, pk_len, zeros)
    h = _partition_hash(out + 4, pk_encoded_len)
    out[0] = (h >> 24) & 0xFF
    out[1] = (h >> 16) & 0xFF
    out[2] = (h >> 8) & 0xFF
    out[3] = h & 0xFF
    if sk_len:
        memcpy(out + 4 + pk_encoded_len, sk_ptr, sk_len)
    return result


def encode_key(pk_type: str, pk_value: object, sk_type: str | None, sk_value: object) -> bytes:
    """Storage key: 4-byte big-endian partition hash + terminated pk + raw sk."""
    return _encode_key(pk_type, pk_value, sk_type, sk_value)


def encode_partition_prefix(pk_type: str, pk_value: object) -> bytes:
    """The bytes every key of this partition starts with (and no other key does)."""
    return _encode_key(pk_type, pk_value, None, None)


def encode_key_part(type_tag: str, value: object, terminated: bool) -> bytes:
    """Encode one key attribute ('S' str, 'N' canonical str, 'B' bytes)."""
    cdef int tag = _tag_code(type_tag)
    cdef Number num
    cdef unsigned char number[NUMBER_KEY_BUFFER]
    cdef const unsigned char* p
    cdef Py_ssize_t n, zeros
    cdef bytes result
    if tag == TAG_N:
        _parse_plain(value, &num)
        return PyBytes_FromStringAndSize(<char*>number, _write_number_key(&num, number))
    value = _key_source(tag, value)
    if not terminated:
        return value.encode("utf-8") if tag == TAG_S else value
    p = _source_bytes(tag, value, &n)
    zeros = _count_zeros(p, n)
    result = PyBytes_FromStringAndSize(NULL, n + zeros + 2)
    _write_terminated(<unsigned char*>PyBytes_AS_STRING(result), p, n, zeros)
    return result


def partition_hash(encoded_pk: bytes) -> int:
    """Stable 32-bit hash of a terminated partition key: crc32 then murmur3's fmix32."""
    cdef bytes data = _as_bytes(encoded_pk)
    return _partition_hash(<const unsigned char*>PyBytes_AS_STRING(data), PyBytes_GET_SIZE(data))


cdef object _decode_tail(bytes data, Py_ssize_t pos, int tag):
    """Decode an unterminated component that runs to the end of ``data``."""
    cdef Number num
    cdef Py_ssize_t end, size = PyBytes_GET_SIZE(data)
    cdef const char* p = PyBytes_AS_STRING(data)
    if tag == TAG_S:
        return PyUnicode_DecodeUTF8(<char*>p + pos, size - pos, NULL)
    if tag == TAG_N:
        _read_number_key(<const unsigned char*>p, size, pos, &num, &end)
        if end != size:
            raise ValueError(MALFORMED_KEY)
        return _number_text(&num)
    return PyBytes_FromStringAndSize(<char*>p + pos, size - pos)


def decode_key(data: bytes, pk_type: str, sk_type: str | None) -> tuple:
    """Inverse of :func:`encode_key`: (pk value, sk value or None)."""
    cdef int pk_tag, sk_tag = -1
    cdef Number num
    cdef const unsigned char* p
    cdef const void* hit
    cdef Py_ssize_t size, i, j, end, pos, escapes = 0, w
    cdef bytes raw
    cdef unsigned char* out
    if not PyBytes_CheckExact(data):
        data = _as_bytes(data)
    pk_tag = _tag_code(pk_type)
    if sk_type is not None:
        sk_tag = _tag_code(sk_type)
    p = <const unsigned char*>PyBytes_AS_STRING(data)
    size = PyBytes_GET_SIZE(data)
    if size < 4:
        raise ValueError(MALFORMED_KEY)
    if pk_tag == TAG_N:
        _read_number_key(p, size, 4, &num, &pos)
        pk_value = _number_text(&num)
    else:
        # Every escaped 0x00 is followed by 0xFF; the first 0x00 0x00 terminates.
        i = 4
        while True:
            hit = memchr(p + i, 0, size - i)
            if hit == NULL:
                raise ValueError(MALFORMED_KEY)
            j = <const unsigned char*>hit - p
            if j + 1 >= size:
                raise ValueError(MALFORMED_KEY)
            if p[j + 1] == 0:
                end = j
                break
            if p[j + 1] != 0xFF:
                raise ValueError(MALFORMED_KEY)
            escapes += 1
            i = j + 2
        if escapes == 0:
            raw = PyBytes_FromStringAndSize(<char*>p + 4, end - 4)
        else:
            raw = PyBytes_FromStringAndSize(NULL, end - 4 - escapes)
            out = <unsigned char*>PyBytes_AS_STRING(raw)
            w = 0
            i = 4
            while i < end:
                out[w] = p[i]
                w += 1
                i += 2 if p[i] == 0 else 1
        if pk_tag == TAG_S:
            pk_value = PyUnicode_DecodeUTF8(PyBytes_AS_STRING(raw), PyBytes_GET_SIZE(raw), NULL)
        else:
            pk_value = raw
        pos = end + 2
    if sk_type is None:
        if pos != size:
            raise ValueError(MALFORMED_KEY)
        return pk_value, None
    return pk_value, _decode_tail(<bytes>data, pos, sk_tag)


def segment_bounds(segment: int, total_segments: int) -> tuple:
    """Hash range [lower, upper) of parallel-scan segment ``segment`` of ``total_segments``."""
    if total_segments < 1 or not 0 <= segment < total_segments:
        raise ValueError(f"invalid segment {segment} of {total_segments}")
    lower = (segment << 32) // total_segments
    if segment == total_segments - 1:
        return lower.to_bytes(4, "big"), None
    upper = ((segment + 1) << 32) // total_segments
    return lower.to_bytes(4, "big"), upper.to_bytes(4, "big")


# ------------------------------------------------------------------------ item size

cdef Py_ssize_t _utf8_len(object text) except -1:
    """UTF-8 length of a str computed from its code points, without encoding it."""
    cdef Py_ssize_t n, i, size
    cdef unsigned int kind
    cdef const void* data
    cdef Py_UCS4 ch
    if not PyUnicode_Check(text):
        raise TypeError(f"expected str, not {type(text).__name__}")
    n = PyUnicode_GET_LENGTH(text)
    if PyUnicode_IS_ASCII(text):
        return n
    kind = PyUnicode_KIND(text)
    data = PyUnicode_DATA(text)
    size = n
    if kind == 1:  # Latin-1: code points 0x80..0xFF take two bytes
        for i in range(n):
            if (<const unsigned char*>data)[i] >= 0x80:
                size += 1
        return size
    for i in range(n):
        ch = PyUnicode_READ(kind, <void*>data, i)
        if ch >= 0x80:
            if ch < 0x800:
                size += 1
            elif ch < 0x10000:
                if 0xD800 <= ch <= 0xDFFF:
                    text.encode("utf-8")  # lone surrogate: raise the codec's own error
                size += 2
            else:
                size += 3
    return size


cdef int _value_type(object tag) noexcept:
    cdef Py_ssize_t n
    cdef Py_UCS4 a, b
    if not PyUnicode_Check(tag):
        return T_UNKNOWN
    n = PyUnicode_GET_LENGTH(tag)
    if n == 0 or n > 4:
        return T_UNKNOWN
    a = PyUnicode_READ_CHAR(tag, 0)
    if n == 1:
        if a == u'S':
            return T_S
        if a == u'N':
            return T_N
        if a == u'B':
            return T_B
        if a == u'M':
            return T_M
        if a == u'L':
            return T_L
        return T_UNKNOWN
    if n == 2:
        if PyUnicode_READ_CHAR(tag, 1) != u'S':
            return T_UNKNOWN
        if a == u'S':
            return T_SS
        if a == u'N':
            return T_NS
        if a == u'B':
            return T_BS
        return T_UNKNOWN
    if tag == "BOOL":
        return T_BOOL
    if tag == "NULL":
        return T_NULL
    return T_UNKNOWN


cdef inline Py_ssize_t _binary_len(object value) except -1:
    if PyBytes_CheckExact(value):
        return PyBytes_GET_SIZE(value)
    return len(value)


cdef Py_ssize_t _value_size(object value) except -1:
    cdef Py_ssize_t pos = 0, size
    cdef PyObject* key_ptr
    cdef PyObject* inner_ptr
    cdef int kind
    if not PyDict_Check(value):
        raise TypeError(f"attribute value must be a dict, not {type(value).__name__}")
    if PyDict_Size(value) != 1:
        raise ValueError("attribute value must have exactly one type key")
    PyDict_Next(value, &pos, &key_ptr, &inner_ptr)
    tag = <object>key_ptr  # owned references from here on
    inner = <object>inner_ptr
    kind = _value_type(tag)
    if kind == T_S:
        return _utf8_len(inner)
    if kind == T_N:
        return _number_size(inner)
    if kind == T_B:
        return _binary_len(inner)
    if kind == T_BOOL or kind == T_NULL:
        return 1
    if kind == T_M:
        if not PyDict_Check(inner):
            raise TypeError(f"M value must be a dict, not {type(inner).__name__}")
        size = 3
        for name, element in (<dict>inner).items():
            size += _utf8_len(name) + 1 + _value_size(element)
        return size
    if kind == T_L:
        size = 3
        for element in inner:
            size += 1 + _value_size(element)
        return size
    size = 0
    if kind == T_SS:
        for member in inner:
            size += _utf8_len(member)
        return size
    if kind == T_NS:
        for member in inner:
            size += _number_size(member)
        return size
    if kind == T_BS:
        for member in inner:
            size += _binary_len(member)
        return size
    raise ValueError(f"unknown attribute type {tag!r}")


def attribute_value_size(value: dict) -> int:
    """DynamoDB size in bytes of one attribute value (without its name)."""
    return _value_size(value)


def item_size(item: dict) -> int:
    """DynamoDB size in bytes of an item in low-level shape ({"name": {"S": "x"}})."""
    cdef Py_ssize_t size = 0
    if not PyDict_Check(item):
        raise TypeError(f"item must be a dict, not {type(item).__name__}")
    for name, value in (<dict>item).items():
        size += _utf8_len(name) + _value_size(value)
    return size


# ------------------------------------------------------------------ item fast path
#
# canonical_item_sized validates and canonicalises an item in one pass and
# measures it, for the common case of a well-formed item. It never raises for
# bad input: on anything unusual it returns None and ddblite.attrvalue's
# general path runs, which owns every DynamoDB error message. So the two can
# never disagree on an error, and a valid item never takes the slow path.

cdef enum:
    MAX_NESTING = 32
    # Names of 1..16383 characters are 1..65532 bytes, always within DynamoDB's
    # 65535; anything else (empty, or possibly too long) takes the general path.
    NAME_CHARS_ALWAYS_FIT = 16383


cdef inline bint _plain_name(object name) noexcept:
    """A str name that surely satisfies the attribute-name limits."""
    cdef Py_ssize_t n
    if not PyUnicode_CheckExact(name):
        return False
    n = PyUnicode_GET_LENGTH(name)
    return 0 < n <= NAME_CHARS_ALWAYS_FIT


cdef object _NOT_FAST = object()


cdef object _fast_number(object text, Py_ssize_t* size):
    """Canonical text and size of a number, or _NOT_FAST."""
    cdef Py_ssize_t n, out_size
    cdef const char* s
    cdef Number num
    cdef char out[TEXT_BUFFER]
    if not PyUnicode_CheckExact(text) or not PyUnicode_IS_ASCII(text):
        return _NOT_FAST
    s = PyUnicode_AsUTF8AndSize(text, &n)
    if _scan_number(s, n, &num) != NUM_OK:
        return _NOT_FAST
    if num.ndigits == 0:
        if n != 1:  # "0e126" and friends: the general path range-checks them
            return _NOT_FAST
        size[0] += 1
        return text
    size[0] += (2 + _floor_half(num.adjusted) - _floor_half(num.adjusted - num.ndigits + 1)
                + num.negative)
    out_size = _format_number(&num, out)
    if out_size == n and memcmp(out, s, n) == 0:
        return text
    return PyUnicode_DecodeASCII(out, out_size, NULL)


cdef object _fast_number_set(list members, Py_ssize_t* size):
    cdef Number num
    cdef unsigned char key[NUMBER_KEY_BUFFER]
    cdef Py_ssize_t n
    cdef const char* s
    keyed = []
    for member in members:
        canonical = _fast_number(member, size)
        if canonical is _NOT_FAST:
            return _NOT_FAST
        s = PyUnicode_AsUTF8AndSize(canonical, &n)
        _scan_number(s, n, &num)
        keyed.append((PyBytes_FromStringAndSize(<char*>key, _write_number_key(&num, key)),
                      canonical))
    keyed.sort()
    ordered = []
    previous = None
    for sort_key, canonical in keyed:
        if sort_key == previous:
            return _NOT_FAST
        previous = sort_key
        ordered.append(canonical)
    return ordered


cdef object _fast_sorted_unique(list members):
    ordered = sorted(members)
    cdef Py_ssize_t i
    for i in range(1, len(ordered)):
        if ordered[i] == ordered[i - 1]:
            return _NOT_FAST
    return ordered


cdef object _fast_value(object value, int depth, Py_ssize_t* size):
    """Stored form of one AttributeValue (adding its size), or _NOT_FAST."""
    cdef Py_ssize_t pos = 0
    cdef PyObject* key_ptr
    cdef PyObject* inner_ptr
    cdef int kind
    if not PyDict_CheckExact(value) or PyDict_Size(value) != 1:
        return _NOT_FAST
    PyDict_Next(value, &pos, &key_ptr, &inner_ptr)
    tag = <object>key_ptr
    inner = <object>inner_ptr
    kind = _value_type(tag)
    if kind == T_S:
        if not PyUnicode_CheckExact(inner):
            return _NOT_FAST
        size[0] += _utf8_len(inner)
        return value
    if kind == T_N:
        canonical = _fast_number(inner, size)
        if canonical is _NOT_FAST:
            return _NOT_FAST
        return value if canonical is inner else {"N": canonical}
    if kind == T_B:
        if not PyBytes_CheckExact(inner):
            return _NOT_FAST
        size[0] += PyBytes_GET_SIZE(inner)
        return value
    if kind == T_BOOL:
        if inner is not True and inner is not False:
            return _NOT_FAST
        size[0] += 1
        return value
    if kind == T_NULL:
        if inner is not True:
            return _NOT_FAST
        size[0] += 1
        return value
    if kind == T_M:
        if not PyDict_CheckExact(inner):
            return _NOT_FAST
        if depth >= MAX_NESTING and PyDict_Size(inner):
            return _NOT_FAST
        size[0] += 3
        members = {}
        for name, element in (<dict>inner).items():
            if not _plain_name(name):
                return _NOT_FAST
            size[0] += _utf8_len(name) + 1
            stored = _fast_value(element, depth + 1, size)
            if stored is _NOT_FAST:
                return _NOT_FAST
            members[name] = stored
        return {"M": members}
    if kind == T_L:
        if not PyList_CheckExact(inner):
            return _NOT_FAST
        if depth >= MAX_NESTING and len(<list>inner):
            return _NOT_FAST
        size[0] += 3
        elements = []
        for element in <list>inner:
            size[0] += 1
            stored = _fast_value(element, depth + 1, size)
            if stored is _NOT_FAST:
                return _NOT_FAST
            elements.append(stored)
        return {"L": elements}
    if kind == T_SS or kind == T_NS or kind == T_BS:
        if not PyList_CheckExact(inner) or not len(<list>inner):
            return _NOT_FAST
        if kind == T_NS:
            ordered = _fast_number_set(<list>inner, size)
            return _NOT_FAST if ordered is _NOT_FAST else {"NS": ordered}
        for member in <list>inner:
            if kind == T_SS:
                # Code-point order equals UTF-8 byte order except for surrogates,
                # which cannot be stored anyway: leave those to the general path.
                if not PyUnicode_CheckExact(member) or PyUnicode_MAX_CHAR_VALUE(member) > 0xD7FF:
                    return _NOT_FAST
                size[0] += _utf8_len(member)
            else:
                if not PyBytes_CheckExact(member):
                    return _NOT_FAST
                size[0] += PyBytes_GET_SIZE(member)
        ordered = _fast_sorted_unique(<list>inner)
        if ordered is _NOT_FAST:
            return _NOT_FAST
        return {tag: ordered}
    return _NOT_FAST


def canonical_item_sized(item: object):
    """(stored item, DynamoDB size) of a well-formed item, or None to take the general path."""
    cdef Py_ssize_t size = 0
    if not PyDict_CheckExact(item):
        return None
    stored = {}
    for name, value in (<dict>item).items():
        if not _plain_name(name):
            return None
        size += _utf8_len(name)
        canonical = _fast_value(value, 1, &size)
        if canonical is _NOT_FAST:
            return None
        stored[name] = canonical
    return stored, size
