"""The single entry for every front door: operation name -> handler.

Operation modules register their handlers with `@operation("PutItem")`.
A handler takes (db, params, region) and returns the response dict in the
low-level shape; it raises ddblite.errors.DynamoDBError subclasses.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ddblite.errors import (
    DynamoDBError,
    InternalServerError,
    SerializationException,
    UnknownOperationException,
)
from ddblite.shapes import check_request

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
_load_lock = threading.Lock()


def _load_operations() -> None:
    # Importing the modules registers their handlers. A flag, not "HANDLERS is
    # empty": importing one ops module on its own registers only its handlers.
    # The flag is set only once every module is in, and under a lock, because
    # a server's first requests arrive on several threads at once.
    global _loaded
    with _load_lock:
        if _loaded:
            return
        from ddblite.ops import batch, items, misc, query, tables, tags, update  # noqa: F401

        _loaded = True


def known_operations() -> dict[str, Handler]:
    """Every operation this build answers (name -> handler; read it, don't change it)."""
    if not _loaded:
        _load_operations()
    return HANDLERS


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
        check_request(name, params)  # member types first, as DynamoDB's deserializer does
        return handler(db, params, region)
    except DynamoDBError:
        raise
    except RecursionError:
        raise SerializationException("Request nesting too deep") from None
    except UnicodeEncodeError:  # a lone surrogate: not UTF-8, so not a request DynamoDB parses
        raise SerializationException("") from None
    except Exception as exc:  # a bug of ours: never a bare Python traceback to the caller
        raise InternalServerError(f"Internal server error: {type(exc).__name__}: {exc}") from exc
