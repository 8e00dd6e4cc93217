"""`ddblite.mock`: answer every boto3/botocore DynamoDB call in-process.

    with ddblite.mock():                 # a fresh in-memory database
        boto3.client("dynamodb").create_table(...)

    @ddblite.mock                        # functions, async functions, methods, classes
    def test_orders(): ...

How it hooks in. botocore builds every Session's event handlers from the list
`botocore.handlers.BUILTIN_HANDLERS`, and every client copies its session's
handlers when it is created. ddblite appends three handlers to that list the
moment `botocore.handlers` is imported (an import hook, so `import ddblite`
stays cheap and does not import botocore), or at once if it already was.
So every client of every session created after `import ddblite` carries the
handlers, whether it was made before the mock started or inside it. Outside a
mock they return None: botocore goes on as if they were not there.

Inside a mock, for the dynamodb and dynamodb-streams services only:
- choose-signer returns UNSIGNED: no credentials are needed and no HMAC is spent;
- before-sign notes the client's region in a request header;
- before-send answers the request: wire body -> ddblite.server.protocol ->
  Database.call -> protocol -> a real botocore AWSResponse. botocore then
  parses it as it would DynamoDB's answer, so paginators, waiters, resources,
  batch_writer, conditions, retries and PynamoDB all work unchanged.
Other services never reach these handlers.
"""

from __future__ import annotations

import functools
import importlib.abc
import importlib.machinery
import inspect
import sys
import unittest
import weakref
from typing import TYPE_CHECKING, Any

from ddblite.errors import DynamoDBError, InternalServerError
from ddblite.server import protocol

if TYPE_CHECKING:
    from ddblite.clock import Clock
    from ddblite.database import Database

SERVICES = ("dynamodb", "dynamodb-streams")
_REGION_HEADER = "X-Ddblite-Region"
_JSON_HEADERS = {"Content-Type": "application/x-amz-json-1.0"}

# The databases of the mocks in force, innermost last.
_ACTIVE: list[Database] = []


# ------------------------------------------------------------ botocore handlers


def _choose_signer(**kwargs: Any) -> Any:
    if _ACTIVE:
        import botocore

        return botocore.UNSIGNED
    return None


def _note_region(request: Any = None, region_name: str | None = None, **kwargs: Any) -> None:
    if _ACTIVE and region_name:
        request.headers[_REGION_HEADER] = region_name


def _answer(request: Any = None, event_name: str = "", **kwargs: Any) -> Any:
    if not _ACTIVE:
        return None
    db = _ACTIVE[-1]
    operation = event_name.rpartition(".")[2]
    region = request.headers.get(_REGION_HEADER)
    # Prepared requests hold header values as bytes.
    region = region.decode("ascii") if isinstance(region, bytes) else region or db.region
    status, body = answer(db, operation, request.body or b"", region)
    return _response(request.url, status, body)


def answer(db: Database, operation: str, body: bytes, region: str) -> tuple[int, bytes]:
    """(HTTP status, wire body) of one DynamoDB call, as the server would answer it."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    try:
        params = protocol.decode_request(operation, body)
        return 200, protocol.encode_response(operation, db.call(operation, params, region))
    except DynamoDBError as exc:
        return exc.http_status, protocol.error_body(exc)
    except Exception as exc:  # a bug of ours: an error answer, never a botocore crash
        return 500, protocol.error_body(InternalServerError(f"{type(exc).__name__}: {exc}"))


class _Body:
    """The `raw` of an AWSResponse: what botocore reads the content from."""

    __slots__ = ("_content",)

    def __init__(self, content: bytes) -> None:
        self._content = content

    def stream(self, **kwargs: Any):
        yield self._content


def _response(url: str, status: int, body: bytes) -> Any:
    from botocore.awsrequest import AWSResponse

    headers = dict(_JSON_HEADERS)
    headers["x-amzn-RequestId"] = protocol.request_id()
    headers["Content-Length"] = str(len(body))
    return AWSResponse(url, status, headers, _Body(body))


_HANDLERS = tuple(
    (f"{event}.{service}", handler)
    for service in SERVICES
    for event, handler in (
        ("choose-signer", _choose_signer),
        ("before-sign", _note_region),
        ("before-send", _answer),
    )
)


def _install(handlers_module: Any) -> None:
    """Add our handlers to botocore's built-in list (once)."""
    builtin = handlers_module.BUILTIN_HANDLERS
    if _HANDLERS[0] not in builtin:
        builtin.extend(_HANDLERS)


def _default_session() -> Any:
    boto3 = sys.modules.get("boto3")
    return getattr(boto3, "DEFAULT_SESSION", None) if boto3 else None


# boto3's default session when the handlers were installed, if one existed then:
# it lacks them (sessions created later have them from BUILTIN_HANDLERS).
_predating_session: list[weakref.ref] = []


def _register_on_predating_session() -> None:
    """Give boto3's default session our handlers if it predates `import ddblite`."""
    session = _default_session()
    if session is None or not _predating_session or _predating_session[0]() is not session:
        return
    events = session._session.get_component("event_emitter")
    for event, handler in _HANDLERS:
        # unique_id: registering again on the next mock is a no-op.
        events.register(event, handler, unique_id=f"ddblite-{event}")


class _AfterBotocoreHandlers(importlib.abc.MetaPathFinder):
    """Installs the handlers right after `botocore.handlers` is first imported.

    Every botocore Session imports that module before it reads the list, so no
    session can miss them, and ddblite never imports botocore itself.
    """

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name != "botocore.handlers":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        run_module = spec.loader.exec_module

        def exec_module(module: Any) -> None:
            run_module(module)
            _install(module)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def _hook_botocore() -> None:
    module = sys.modules.get("botocore.handlers")
    if module is not None:
        if _HANDLERS[0] not in module.BUILTIN_HANDLERS:
            session = _default_session()
            if session is not None:
                _predating_session[:] = [weakref.ref(session)]
        _install(module)
    elif not any(isinstance(finder, _AfterBotocoreHandlers) for finder in sys.meta_path):
        sys.meta_path.insert(0, _AfterBotocoreHandlers())


_hook_botocore()


# -------------------------------------------------------------------- the mock


class Mock:
    """A context manager and decorator that routes DynamoDB calls to ddblite.

    db: serve this Database (left open afterwards). path: open a durable
    database there. Neither: a fresh in-memory database per use.
    clock: the clock of a database the mock opens (ddblite.ManualClock in tests).
    throttle: a database the mock opens enforces throughput limits.
    """

    def __init__(
        self, db: Database | None = None, path: str | None = None, clock: Clock | None = None,
        throttle: bool = False,
    ) -> None:
        if db is not None and path is not None:
            raise ValueError("give ddblite.mock a db or a path, not both")
        self._given_db = db
        self._path = path
        self._clock = clock
        self._throttle = throttle
        self._opened: list[Database | None] = []

    @property
    def db(self) -> Database:
        """The Database of the innermost use of this mock that is in force."""
        for db in reversed(_ACTIVE):
            if db is self._given_db or db in self._opened:
                return db
        raise RuntimeError("this ddblite.mock is not active")

    def start(self) -> Database:
        if self._given_db is not None:
            db, opened = self._given_db, None
        else:
            from ddblite.database import connect

            db = connect(self._path or ":memory:", clock=self._clock, throttle=self._throttle)
            opened = db
        self._opened.append(opened)
        _hook_botocore()
        _register_on_predating_session()
        _ACTIVE.append(db)
        return db

    def stop(self) -> None:
        opened = self._opened.pop()
        db = opened or self._given_db
        # Remove this use's entry (the innermost one for this database).
        for index in range(len(_ACTIVE) - 1, -1, -1):
            if _ACTIVE[index] is db:
                del _ACTIVE[index]
                break
        if opened is not None:
            opened.close()

    def __enter__(self) -> Mock:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __call__(self, target: Any) -> Any:
        """Decorate a function, coroutine function, method or class."""
        if isinstance(target, type):
            return self._decorate_class(target)
        if inspect.iscoroutinefunction(target):

            @functools.wraps(target)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                with self:
                    return await target(*args, **kwargs)

            return run_async

        @functools.wraps(target)
        def run(*args: Any, **kwargs: Any) -> Any:
            with self:
                return target(*args, **kwargs)

        return run

    def _decorate_class(self, cls: type) -> type:
        if issubclass(cls, unittest.TestCase):
            # One database spans setUp, the test and tearDown.
            cls.run = self(cls.run)  # type: ignore[method-assign]
            return cls
        for name, member in list(vars(cls).items()):
            if name.startswith("test") and inspect.isfunction(member):
                setattr(cls, name, self(member))
        return cls


def mock(
    target: Any = None,
    *,
    db: Database | None = None,
    path: str | None = None,
    clock: Clock | None = None,
    throttle: bool = False,
) -> Any:
    """`with ddblite.mock():`, `@ddblite.mock`, `@ddblite.mock(db=...)`, `ddblite.mock("dir")`."""
    if isinstance(target, str):
        return Mock(path=target, clock=clock, throttle=throttle)
    made = Mock(db=db, path=path, clock=clock, throttle=throttle)
    return made if target is None else made(target)
