"""Room for deep recursion while a bounded text is parsed and checked.

Expressions (at most 4 KB) and PartiQL statements (at most 8 KB) are parsed by
recursive descent, so a text of nested parentheses, NOTs or function calls can
need some thousands of Python frames before DynamoDB's own checks (redundant
parentheses, function names, operator counts) get to word the error. Since
Python 3.11 such frames take no C stack, so raising the interpreter's limit for
the duration is safe. The limit is process-wide: the first thread in raises it,
the last one out puts it back.
"""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

# Enough for an 8 KB text nested at every character, several frames a level.
ROOM = 100_000

_lock = threading.Lock()
_inside = 0
_saved = 0


@contextmanager
def recursion_room() -> Iterator[None]:
    global _inside, _saved
    with _lock:
        if _inside == 0:
            _saved = sys.getrecursionlimit()
            if _saved < ROOM:
                sys.setrecursionlimit(ROOM)
        _inside += 1
    try:
        yield
    finally:
        with _lock:
            _inside -= 1
            if _inside == 0:
                sys.setrecursionlimit(_saved)


F = TypeVar("F", bound=Callable[..., Any])


def with_recursion_room(handler: F) -> F:
    """An operation handler that parses, binds and evaluates a statement's tree."""

    @functools.wraps(handler)
    def run(*args: Any, **kwargs: Any) -> Any:
        with recursion_room():
            return handler(*args, **kwargs)

    return run  # type: ignore[return-value]
