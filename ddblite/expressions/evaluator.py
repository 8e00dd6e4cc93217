"""Loader for the condition evaluator: the compiled ``ddblite._evaluate`` or its pure twin.

The same rule as :mod:`ddblite.native`: the Cython module is used when it imports,
unless ``DDBLITE_PUREPYTHON=1`` forces :mod:`ddblite.expressions.evaluate`. Both
compile a resolved condition tree into a callable with identical results.

``COMPILED`` tells which one was loaded; ``IMPORT_ERROR`` keeps the reason a compiled
import failed, so a silently broken build can be diagnosed.
"""

from __future__ import annotations

from types import ModuleType

from ddblite import twins
from ddblite.expressions import evaluate as _pure

__all__ = ["COMPILED", "IMPLEMENTATION", "IMPORT_ERROR", "compile_condition", "implementations"]

_COMPILED_NAME = "ddblite._evaluate"
_impl, IMPORT_ERROR = twins.load(_COMPILED_NAME, _pure)

COMPILED: bool = _impl is not _pure
IMPLEMENTATION: str = "cython" if COMPILED else "pure"

compile_condition = _impl.compile_condition


def implementations() -> dict[str, ModuleType]:
    """Every importable implementation by name ("pure", "cython"), ignoring the env var."""
    return twins.implementations(_COMPILED_NAME, _pure)
