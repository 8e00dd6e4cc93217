"""Choosing between a compiled module and its pure-Python twin.

Every compiled module (ext/*.pyx) has a behaviour-identical pure twin. The
compiled one is used when it imports, unless DDBLITE_PUREPYTHON=1 forces the
twins; the loaders (ddblite.native, ddblite.typeconv,
ddblite.expressions.evaluator) all decide the same way through this module.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType


def pure_requested() -> bool:
    """Whether the environment forces the pure-Python implementation."""
    return os.environ.get("DDBLITE_PUREPYTHON", "").strip() == "1"


def load(compiled: str, pure: ModuleType) -> tuple[ModuleType, ImportError | None]:
    """The module to use and, when the compiled one failed to import, why."""
    if pure_requested():
        return pure, None
    try:
        return importlib.import_module(compiled), None
    except ImportError as exc:  # not built (e.g. a source checkout): stay pure
        return pure, exc


def implementations(compiled: str, pure: ModuleType) -> dict[str, ModuleType]:
    """Every importable implementation by name ("pure", "cython"), ignoring the env var.

    Tests use this to run the same checks against both twins.
    """
    found: dict[str, ModuleType] = {"pure": pure}
    try:
        found["cython"] = importlib.import_module(compiled)
    except ImportError:
        pass
    return found
