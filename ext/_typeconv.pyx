# cython: language_level=3, boundscheck=False, wraparound=False
# cython: embedsignature=True
"""Compiled twin of :mod:`ddblite._typeconv_pure` (native values <-> AttributeValues).

Every function returns exactly what its pure-Python counterpart returns and raises
the same exceptions with the same messages; ``ddblite._typeconv_pure`` documents the
rules. Binary, the Decimal context and the messages are imported from there, so
both twins hand out the same classes.
"""

from collections.abc import Mapping, Set
from decimal import Decimal

from cpython.dict cimport PyDict_Next
from cpython.long cimport PyLong_AsLongLongAndOverflow
from cpython.object cimport PyObject

from ddblite._typeconv_pure import (
    DYNAMODB_CONTEXT,
    EMPTY_VALUE_MESSAGE,
    FLOAT_MESSAGE,
    NON_FINITE_MESSAGE,
    STAND_IN_DEPTH,
    Binary,
    foreign_binary_type,
)

cdef object _create_decimal = DYNAMODB_CONTEXT.create_decimal
cdef object _Decimal = Decimal
cdef object _Binary = Binary
cdef object _Mapping = Mapping
cdef object _Set = Set


cdef bint _is_binary(object value) except -1:
    if isinstance(value, (bytes, bytearray)) or isinstance(value, _Binary):
        return True
    foreign = foreign_binary_type()
    return foreign is not None and isinstance(value, foreign)


cdef object _binary(object value):
    if isinstance(value, (bytes, bytearray)):
        return value
    return value.value


cdef str _number(object value):
    cdef int overflow = 0
    if type(value) is int:
        # Anything that fits 64 bits has at most 19 digits: its text is canonical.
        PyLong_AsLongLongAndOverflow(value, &overflow)
        if overflow == 0:
            return str(value)
    number = _create_decimal(value)
    if not number.is_finite():
        raise TypeError(NON_FINITE_MESSAGE)
    return str(number)


cdef str _set_tag(object value):
    for member in value:
        if isinstance(member, int) or isinstance(member, _Decimal):
            continue
        if isinstance(member, float):
            raise TypeError(FLOAT_MESSAGE)
        break
    else:
        return "NS"
    for member in value:
        if not isinstance(member, str):
            break
    else:
        return "SS"
    for member in value:
        if not _is_binary(member):
            break
    else:
        return "BS"
    return None


cdef dict _serialize_map(object mapping, int depth):
    cdef dict out = {}
    if type(mapping) is dict:
        for name, inner in (<dict>mapping).items():
            out[name] = _serialize(inner, depth)
    else:
        for name, inner in mapping.items():
            out[name] = _serialize(inner, depth)
    return out


cdef list _serialize_list(object values, int depth):
    return [_serialize(inner, depth) for inner in values]


cdef int _STAND_IN_DEPTH = STAND_IN_DEPTH


cdef dict _serialize(object value, int depth):
    # Past the stand-in depth the value is refused anyway (see the pure twin), and
    # C recursion must stay bounded.
    if depth > _STAND_IN_DEPTH:
        return {"NULL": True}
    kind = type(value)
    if kind is str:
        return {"S": value}
    if kind is int or kind is _Decimal:
        return {"N": _number(value)}
    if kind is dict:
        return {"M": _serialize_map(value, depth + 1)}
    if kind is list or kind is tuple:
        return {"L": _serialize_list(value, depth + 1)}
    if kind is bool:
        return {"BOOL": value}
    if value is None:
        return {"NULL": True}
    if kind is bytes:
        return {"B": value}
    # Everything else in boto3's order of tests.
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int) or isinstance(value, _Decimal):
        return {"N": _number(value)}
    if isinstance(value, float):
        raise TypeError(FLOAT_MESSAGE)
    if isinstance(value, str):
        return {"S": value}
    if _is_binary(value):
        return {"B": _binary(value)}
    if isinstance(value, _Set):
        tag = _set_tag(value)
        if tag == "NS":
            return {"NS": [_number(member) for member in value]}
        if tag == "SS":
            return {"SS": list(value)}
        if tag == "BS":
            return {"BS": [_binary(member) for member in value]}
    if isinstance(value, _Mapping):
        return {"M": _serialize_map(value, depth + 1)}
    if isinstance(value, (list, tuple)):
        return {"L": _serialize_list(value, depth + 1)}
    raise TypeError(f'Unsupported type "{type(value)}" for value "{value}"')


def serialize(value, int depth=1):
    """One native value as an AttributeValue."""
    return _serialize(value, depth)


def serialize_item(item):
    """An item (attribute name -> native value) as an AttributeValue map."""
    if not isinstance(item, _Mapping):
        return item
    return _serialize_map(item, 1)


cdef object _deserialize(object value):
    cdef Py_ssize_t pos = 0
    cdef PyObject *key_ptr
    cdef PyObject *inner_ptr
    if not isinstance(value, dict) or not value:
        raise TypeError(EMPTY_VALUE_MESSAGE)
    PyDict_Next(value, &pos, &key_ptr, &inner_ptr)
    tag = <object>key_ptr
    inner = <object>inner_ptr
    if isinstance(tag, str):
        native = _read(<str>tag, inner)
        if native is _UNKNOWN:  # boto3 also reads the tags in lower case
            native = _read(tag.upper(), inner)
        if native is not _UNKNOWN:
            return native
    raise TypeError(f"Dynamodb type {tag} is not supported")


cdef object _UNKNOWN = object()


cdef object _read(str tag, object inner):
    if tag == "S":
        return inner
    if tag == "N":  # exact, not through the context: see _typeconv_pure
        return _Decimal(inner)
    if tag == "M":
        return _deserialize_map(inner)
    if tag == "L":
        return [_deserialize(v) for v in inner]
    if tag == "BOOL":
        return inner
    if tag == "NULL":
        return None
    if tag == "B":
        return _Binary(inner)
    if tag == "SS":
        return set(inner)
    if tag == "NS":
        return {_Decimal(v) for v in inner}
    if tag == "BS":
        return {_Binary(v) for v in inner}
    return _UNKNOWN


cdef dict _deserialize_map(object mapping):
    cdef dict out = {}
    for name, inner in mapping.items():
        out[name] = _deserialize(inner)
    return out


def deserialize(value):
    """One AttributeValue as a native value."""
    return _deserialize(value)


def deserialize_item(item):
    """An AttributeValue map as a dict of native values (non-dicts pass untouched)."""
    if not isinstance(item, dict):
        return item
    return _deserialize_map(item)
