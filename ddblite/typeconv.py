"""Loader for the native-value converter (Python values <-> AttributeValues).

Uses the compiled ``ddblite._typeconv`` when it imports and falls back to the
behaviour-identical ``ddblite._typeconv_pure``; ``DDBLITE_PUREPYTHON=1`` forces the
pure one, as for ddblite.native. ``COMPILED`` tells which was loaded and
``IMPORT_ERROR`` why a compiled import failed.
"""

from __future__ import annotations

from types import ModuleType

from ddblite import _typeconv_pure, twins
from ddblite._typeconv_pure import DYNAMODB_CONTEXT, Binary

__all__ = [
    "COMPILED",
    "DYNAMODB_CONTEXT",
    "IMPLEMENTATION",
    "IMPORT_ERROR",
    "Binary",
    "deserialize",
    "deserialize_item",
    "implementations",
    "serialize",
    "serialize_item",
]

_COMPILED_NAME = "ddblite._typeconv"
_impl, IMPORT_ERROR = twins.load(_COMPILED_NAME, _typeconv_pure)

COMPILED: bool = _impl is not _typeconv_pure
IMPLEMENTATION: str = "cython" if COMPILED else "pure"

serialize = _impl.serialize
serialize_item = _impl.serialize_item
deserialize = _impl.deserialize
deserialize_item = _impl.deserialize_item


def implementations() -> dict[str, ModuleType]:
    """Every importable implementation by name ("pure", "cython"), ignoring the env var."""
    return twins.implementations(_COMPILED_NAME, _typeconv_pure)
