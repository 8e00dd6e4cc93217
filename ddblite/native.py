"""Loader for ddblite's native core.

Uses the compiled ``ddblite._speedups`` extension when it can be imported and falls
back to the behaviour-identical ``ddblite._pure``. Setting the environment variable
``DDBLITE_PUREPYTHON=1`` forces the pure-Python implementation (useful for debugging
and for checking that both implementations agree).

``COMPILED`` tells which one was loaded; ``IMPORT_ERROR`` keeps the reason a compiled
import failed, so a silently broken build can be diagnosed.
"""

from __future__ import annotations

from types import ModuleType

from ddblite import _pure, twins
from ddblite.twins import pure_requested

__all__ = [
    "COMPILED",
    "IMPLEMENTATION",
    "IMPORT_ERROR",
    "NumberError",
    "attribute_value_size",
    "canonical_item_sized",
    "decode_key",
    "decode_number_key",
    "encode_key",
    "encode_key_part",
    "encode_number_key",
    "encode_partition_prefix",
    "implementations",
    "item_size",
    "normalize_number",
    "partition_hash",
    "pure_requested",
    "segment_bounds",
]


_COMPILED_NAME = "ddblite._speedups"
_impl, IMPORT_ERROR = twins.load(_COMPILED_NAME, _pure)

COMPILED: bool = _impl is not _pure
IMPLEMENTATION: str = "cython" if COMPILED else "pure"

# NumberError lives in _pure only, so both implementations raise the same class.
NumberError = _pure.NumberError
normalize_number = _impl.normalize_number
encode_number_key = _impl.encode_number_key
decode_number_key = _impl.decode_number_key
encode_key_part = _impl.encode_key_part
partition_hash = _impl.partition_hash
encode_key = _impl.encode_key
encode_partition_prefix = _impl.encode_partition_prefix
decode_key = _impl.decode_key
segment_bounds = _impl.segment_bounds
item_size = _impl.item_size
attribute_value_size = _impl.attribute_value_size
canonical_item_sized = _impl.canonical_item_sized


def implementations() -> dict[str, ModuleType]:
    """Every importable implementation by name ("pure", "cython"), ignoring the env var."""
    return twins.implementations(_COMPILED_NAME, _pure)
