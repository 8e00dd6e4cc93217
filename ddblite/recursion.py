"""Room for deep recursion while a bounded text is parsed and checked.

Expressions (at most 4 KB) and PartiQL statements (at most 8 KB) are parsed by
recursive descent, so a text of nested parentheses, NOTs or function calls can
need some thousands of Python frames before DynamoDB's own checks (redundant
parentheses, function names, operator counts) get to word the error. Since
Python 3.11 calls between Python functions take no C stack, so raising the
interpreter's limit for the duration is safe for these parsers. The limit is
process-wide: the first thread in raises it, the last one out puts it back.
"""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar

# Enough for an 8 KB text nested at every character, several frames a level.
ROOM = 100_000


class _Room:
    """The context manager: a plain class, as it sits on every PartiQL statement's path."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._inside = 0
        self._saved = 0

    def __enter__(self) -> None:
        with self._lock:
            if self._inside == 0:
                self._saved = sys.getrecursionlimit()
                if self._saved < ROOM:
                    sys.setrecursionlimit(ROOM)
            self._inside += 1

    def __exit__(self, *exc_info: object) -> None:
        with self._lock:
            self._inside -= 1
            if self._inside == 0:
                sys.setrecursionlimit(self._saved)


_ROOM = _Room()


def recursion_room() -> _Room:
    """``with recursion_room(): ...`` runs its body with room for deep recursion."""
    return _ROOM


F = TypeVar("F", bound=Callable[..., Any])


def with_recursion_room(handler: F) -> F:
    """An operation handler that parses, binds and evaluates a statement's tree."""

    @functools.wraps(handler)
    def run(*args: Any, **kwargs: Any) -> Any:
        with recursion_room():
            return handler(*args, **kwargs)

    return run  # type: ignore[return-value]
