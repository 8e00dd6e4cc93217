"""Loader for the native-value converter (Python values <-> AttributeValues).

Uses the compiled ``ddblite._typeconv`` when it imports and falls back to the
behaviour-identical ``ddblite._typeconv_pure``; ``DDBLITE_PUREPYTHON=1`` forces the
pure one, as for ddblite.native. ``COMPILED`` tells which was loaded and
``IMPORT_ERROR`` why a compiled import failed.
"""

from __future__ import annotations

from types import ModuleType

from ddblite import _typeconv_pure
from ddblite._typeconv_pure import DYNAMODB_CONTEXT, Binary
from ddblite.native import pure_requested

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

IMPORT_ERROR: ImportError | None = None
_impl: ModuleType = _typeconv_pure
if not pure_requested():
    try:
        from ddblite import _typeconv as _impl  # type: ignore[no-redef]
    except ImportError as exc:  # not built (e.g. a source checkout): stay pure
        IMPORT_ERROR = exc
        _impl = _typeconv_pure

COMPILED: bool = _impl is not _typeconv_pure
IMPLEMENTATION: str = "cython" if COMPILED else "pure"

serialize = _impl.serialize
serialize_item = _impl.serialize_item
deserialize = _impl.deserialize
deserialize_item = _impl.deserialize_item


def implementations() -> dict[str, ModuleType]:
    """Every importable implementation by name ("pure", "cython"), ignoring the env var."""
    found: dict[str, ModuleType] = {"pure": _typeconv_pure}
    try:
        from ddblite import _typeconv
    except ImportError:
        return found
    found["cython"] = _typeconv
    return found
