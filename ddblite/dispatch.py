"""The single entry for every front door: operation name -> handler.

Operation modules register their handlers with `@operation("PutItem")`
(`reads=True` for operations that never write). This registry is the one list of
operations: every module in ddblite.ops is loaded, the embedded client's methods,
the server's routing and its "never waits for a disk sync" set derive from it.
A handler takes (db, params, region) and returns the response dict in the
low-level shape; it raises ddblite.errors.DynamoDBError subclasses.
"""

from __future__ import annotations

import importlib
import pkgutil
import threading
from collections.abc import Callable
from contextvars import ContextVar
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
_READS: set[str] = set()
# The operation being answered, for messages that name it (AccessDenied).
current_operation: ContextVar[str] = ContextVar("current_operation", default="")


def operation(name: str, *, reads: bool = False) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[name] = fn
        if reads:
            _READS.add(name)
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
        import ddblite.ops

        for module in pkgutil.iter_modules(ddblite.ops.__path__):
            importlib.import_module(f"ddblite.ops.{module.name}")
        _loaded = True


def known_operations() -> dict[str, Handler]:
    """Every operation this build answers (name -> handler; read it, don't change it)."""
    if not _loaded:
        _load_operations()
    return HANDLERS


def read_operations() -> frozenset[str]:
    """The operations registered with reads=True: they never write."""
    if not _loaded:
        _load_operations()
    return frozenset(_READS)


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
    token = current_operation.set(name)
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
    finally:
        current_operation.reset(token)
        if db.publishing is not None:  # this Database's usage, for the directory's
            db.publishing.tick()
