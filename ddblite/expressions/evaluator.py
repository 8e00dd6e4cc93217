"""Loader for the condition evaluator: the compiled ``ddblite._evaluate`` or its pure twin.

The same rule as :mod:`ddblite.native`: the Cython module is used when it imports,
unless ``DDBLITE_PUREPYTHON=1`` forces :mod:`ddblite.expressions.evaluate`. Both
compile a resolved condition tree into a callable with identical results.

``COMPILED`` tells which one was loaded; ``IMPORT_ERROR`` keeps the reason a compiled
import failed, so a silently broken build can be diagnosed.
"""

from __future__ import annotations

from types import ModuleType

from ddblite.expressions import evaluate as _pure
from ddblite.native import pure_requested

__all__ = ["COMPILED", "IMPLEMENTATION", "IMPORT_ERROR", "compile_condition", "implementations"]

IMPORT_ERROR: ImportError | None = None
_impl: ModuleType = _pure
if not pure_requested():
    try:
        from ddblite import _evaluate as _impl  # type: ignore[no-redef]
    except ImportError as exc:  # not built (e.g. a source checkout): stay pure
        IMPORT_ERROR = exc
        _impl = _pure

COMPILED: bool = _impl is not _pure
IMPLEMENTATION: str = "cython" if COMPILED else "pure"

compile_condition = _impl.compile_condition


def implementations() -> dict[str, ModuleType]:
    """Every importable evaluator by name ("pure", "cython"), ignoring the env var."""
    found: dict[str, ModuleType] = {"pure": _pure}
    try:
        from ddblite import _evaluate
    except ImportError:
        return found
    found["cython"] = _evaluate
    return found
