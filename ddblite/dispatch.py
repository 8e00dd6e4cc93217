"""The single entry for every front door: operation name -> handler.

Operation modules register their handlers with `@operation("PutItem")`.
A handler takes (db, params, region) and returns the response dict in the
low-level shape; it raises ddblite.errors.DynamoDBError subclasses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ddblite.errors import (
    DynamoDBError,
    InternalServerError,
    SerializationException,
    UnknownOperationException,
)

if TYPE_CHECKING:
    from ddblite.database import Database

Handler = Callable[["Database", dict, str], dict]
HANDLERS: dict[str, Handler] = {}


def operation(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[name] = fn
        return fn

    return register


_loaded = False


def _load_operations() -> None:
    # Importing the modules registers their handlers. A flag, not "HANDLERS is
    # empty": importing one ops module on its own registers only its handlers.
    global _loaded
    _loaded = True
    from ddblite.ops import batch, items, misc, query, tables, tags, update  # noqa: F401


def known_operations() -> frozenset[str]:
    """Every operation name this build answers."""
    if not _loaded:
        _load_operations()
    return frozenset(HANDLERS)


def dispatch(db: Database, name: str, params: Any, region: str) -> dict:
    if not _loaded:
        _load_operations()
    handler = HANDLERS.get(name)
    if handler is None:
        raise UnknownOperationException(f"Unknown operation: {name}")
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise SerializationException("Start of structure or map found where not expected.")
    try:
        return handler(db, params, region)
    except DynamoDBError:
        raise
    except RecursionError:
        raise SerializationException("Request nesting too deep") from None
    except Exception as exc:  # a bug of ours: never a bare Python traceback to the caller
        raise InternalServerError(f"Internal server error: {type(exc).__name__}: {exc}") from exc
