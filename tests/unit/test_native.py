"""The native-core loader picks the compiled extension and honours DDBLITE_PUREPYTHON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ddblite import _pure, native

PUBLIC_NAMES = [
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

REPO_ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json
from ddblite import _pure, native
print(json.dumps({
    "compiled": native.COMPILED,
    "implementation": native.IMPLEMENTATION,
    "pure_functions": native.encode_key is _pure.encode_key,
}))
"""


def probe(env_value: str | None) -> dict[str, object]:
    """Import ddblite.native in a fresh interpreter with the env var set or unset."""
    env = dict(os.environ)
    env.pop("DDBLITE_PUREPYTHON", None)
    if env_value is not None:
        env["DDBLITE_PUREPYTHON"] = env_value
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    completed = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    result: dict[str, object] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def test_compiled_unless_pure_requested() -> None:
    # A build that silently failed must fail here rather than quietly run slow.
    if native.pure_requested():
        assert native.COMPILED is False
        assert native.IMPLEMENTATION == "pure"
    else:
        assert native.COMPILED is True, f"ddblite._speedups not importable: {native.IMPORT_ERROR}"
        assert native.IMPLEMENTATION == "cython"
        assert native.IMPORT_ERROR is None


def test_env_var_forces_pure() -> None:
    assert probe("1") == {"compiled": False, "implementation": "pure", "pure_functions": True}


def test_default_is_compiled() -> None:
    # The probe clears DDBLITE_PUREPYTHON, so this holds in a forced-pure run too.
    assert probe(None) == {"compiled": True, "implementation": "cython", "pure_functions": False}
    assert probe("0")["compiled"] is True


def test_exports_every_name() -> None:
    for module in native.implementations().values():
        for name in PUBLIC_NAMES:
            assert callable(getattr(module, name)), (module.__name__, name)
    for name in [*PUBLIC_NAMES, "COMPILED", "IMPLEMENTATION"]:
        assert hasattr(native, name), name
        assert name in native.__all__


def test_single_number_error_class() -> None:
    # Callers catch native.NumberError whichever implementation raised it.
    assert native.NumberError is _pure.NumberError
    for module in native.implementations().values():
        assert module.NumberError is _pure.NumberError
        with pytest.raises(native.NumberError):
            module.normalize_number("x")


def test_loaded_functions_come_from_selected_module() -> None:
    selected = native.implementations()[native.IMPLEMENTATION]
    for name in PUBLIC_NAMES:
        assert getattr(native, name) is getattr(selected, name), name
