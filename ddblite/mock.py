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
- before-call (the fast path, the default) answers with the response botocore
  would have parsed from the wire, built straight from the engine's result
  (ddblite.mock_fast): botocore skips signing, sending, retrying and parsing;
- choose-signer returns UNSIGNED: no credentials are needed and no HMAC is spent;
- before-sign notes the client's region in a request header;
- before-send (the wire path) answers the request: wire body ->
  ddblite.server.protocol -> Database.call -> protocol -> a real botocore
  AWSResponse, which botocore parses as it would DynamoDB's answer.
Either way paginators, waiters, resources, batch_writer, conditions and
PynamoDB work unchanged. Other services never reach these handlers.

What the fast path skips, and when the wire path answers instead:
- botocore's retries: an answer botocore would retry (throttling codes,
  5xx) is handed to the wire path, so boto3's retries and backoff run;
- handlers of the user's on request-created, before-sign, before-send,
  after-send, response-received, before-parse or needs-retry, or on a
  before-call event less specific than ours (before-call, before-call.*):
  that client's calls take the wire path (a botocore Stubber answers before
  us anyway);
- `ddblite.mock(fast=False)` always takes the wire path.
Handlers on before-call (more specific than ours run first) and after-call
still run. A custom timestamp parser set on botocore's parser factory is not
consulted (botocore's default one is).
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

from ddblite import mock_fast
from ddblite.errors import DynamoDBError, InternalServerError
from ddblite.server import encoding, protocol

if TYPE_CHECKING:
    from ddblite.clock import Clock
    from ddblite.database import Database

SERVICES = ("dynamodb", "dynamodb-streams")
_REGION_HEADER = "X-Ddblite-Region"
_JSON_HEADERS = {"Content-Type": "application/x-amz-json-1.0"}

# The databases of the mocks in force, innermost last, and how each answers
# (True: fast path, False: wire path, "verify": both, compared).
_ACTIVE: list[Database] = []
_MODES: list[bool | str] = []

# Request-context keys: an answer computed at before-call for before-send to send.
_PENDING = "ddblite_pending"
_EXPECTED = "ddblite_expected"


# ------------------------------------------------------------ botocore handlers


def _choose_signer(**kwargs: Any) -> Any:
    if _ACTIVE:
        import botocore

        return botocore.UNSIGNED
    return None


def _note_region(request: Any = None, region_name: str | None = None, **kwargs: Any) -> None:
    if _ACTIVE and region_name:
        request.headers[_REGION_HEADER] = region_name


def _fast_answer(
    model: Any = None,
    params: Any = None,
    request_signer: Any = None,
    context: Any = None,
    event_name: str = "",
    **kwargs: Any,
) -> Any:
    """before-call: (http_response, parsed) straight from the engine, or None for the wire."""
    if not _ACTIVE or not _MODES[-1]:
        return None
    operation = model.name
    service_id = event_name.split(".", 2)[1]
    if mock_fast.needs_wire(request_signer, service_id, operation):
        return None
    db = _ACTIVE[-1]
    region = getattr(request_signer, "region_name", None) or db.region
    return fast_answer(db, model, params, region, context, verify=_MODES[-1] == "verify")


def fast_answer(
    db: Database, model: Any, params: dict, region: str, context: dict, verify: bool = False
) -> Any:
    """(http_response, parsed) of one call from botocore's request dict, or None.

    None leaves the call to the wire path; the answer is then already in
    `context` for before-send to send (once: a retry runs the call again).
    """
    operation = model.name
    status, document, body = execute(db, operation, params.get("body") or b"", region)
    if status >= 300 and (
        status in mock_fast.RETRIED_STATUSES or _error_code(document) in mock_fast.RETRIED_CODES
    ):
        # botocore would retry: its first attempt gets this answer at before-send.
        context[_PENDING] = (status, body, protocol.request_id())
        return None
    request_id = protocol.request_id()
    headers = _headers(request_id, body)
    metadata = mock_fast.metadata(request_id, status, headers, context)
    try:
        if status < 300:
            parsed = mock_fast.parsed_success(model, document, metadata)
        else:
            parsed = mock_fast.parsed_error(model, document, metadata)
    except mock_fast.Unsupported:
        context[_PENDING] = (status, body, request_id)
        return None
    if verify:
        # The wire path sends the same bytes; after-call compares the two parses.
        context[_PENDING] = (status, body, request_id)
        context[_EXPECTED] = parsed
        return None
    return mock_fast.Answered(params.get("url", ""), status, headers, body), parsed


def _error_code(document: dict) -> str:
    return document.get("__type", "").rpartition("#")[2]


def _answer(request: Any = None, event_name: str = "", **kwargs: Any) -> Any:
    """before-send: the wire path."""
    if not _ACTIVE:
        return None
    pending = request.context.pop(_PENDING, None) if request.context else None
    if pending is not None:  # answered at before-call already
        status, body, request_id = pending
        return _response(request.url, status, body, request_id)
    db = _ACTIVE[-1]
    operation = event_name.rpartition(".")[2]
    region = request.headers.get(_REGION_HEADER)
    # Prepared requests hold header values as bytes.
    region = region.decode("ascii") if isinstance(region, bytes) else region or db.region
    try:
        body = _request_body(request)
    except encoding.BodyTooLarge:
        return _response(request.url, 413, b"")
    except DynamoDBError as exc:  # an unreadable coding: as the server answers it
        return _response(request.url, exc.http_status, protocol.error_body(exc))
    status, body = answer(db, operation, body, region)
    return _response(request.url, status, body)


def _request_body(request: Any) -> bytes:
    """The body as the server reads it: a compressing client's body inflated."""
    body = request.body or b""
    coding = request.headers.get("Content-Encoding")
    if not coding:
        return body
    coding = coding.decode("latin-1") if isinstance(coding, bytes) else coding
    body = body.encode("utf-8") if isinstance(body, str) else body
    return encoding.decode_body(body, coding, encoding.MAX_INFLATED_BYTES)


def _verify(parsed: Any = None, context: Any = None, **kwargs: Any) -> None:
    """after-call in verify mode: the fast answer must equal botocore's parse of the wire."""
    expected = context.pop(_EXPECTED, None) if context else None
    if expected is None:
        return
    found = mock_fast.differences(expected, parsed)
    if found:
        raise AssertionError("fast path != wire path:\n" + "\n".join(found))
    # Hand the caller the fast path's objects: they are what it would have got.
    parsed.clear()
    parsed.update(expected)


def answer(db: Database, operation: str, body: bytes, region: str) -> tuple[int, bytes]:
    """(HTTP status, wire body) of one DynamoDB call, as the server would answer it."""
    status, _, wire = execute(db, operation, body, region)
    return status, wire


def execute(db: Database, operation: str, body: bytes, region: str) -> tuple[int, dict, bytes]:
    """(HTTP status, response dict or error document, wire body) of one call."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    try:
        params = protocol.decode_request(operation, body)
        result = db.call(operation, params, region)
        return 200, result, protocol.encode_response(operation, result)
    except DynamoDBError as exc:
        error = exc
    except Exception as exc:  # a bug of ours: an error answer, never a botocore crash
        error = InternalServerError(f"{type(exc).__name__}: {exc}")
    document = error.wire_body()
    if not document.get("message"):  # as protocol.error_body: no empty message
        document.pop("message", None)
    return error.http_status, document, protocol.encode_response(operation, document)


class _Body:
    """The `raw` of an AWSResponse: what botocore reads the content from."""

    __slots__ = ("_content",)

    def __init__(self, content: bytes) -> None:
        self._content = content

    def stream(self, **kwargs: Any):
        yield self._content


def _headers(request_id: str, body: bytes) -> dict[str, str]:
    headers = dict(_JSON_HEADERS)
    headers["x-amzn-RequestId"] = request_id
    headers["Content-Length"] = str(len(body))
    headers["x-amz-crc32"] = protocol.crc32(body)
    return headers


def _response(url: str, status: int, body: bytes, request_id: str | None = None) -> Any:
    from botocore.awsrequest import AWSResponse

    headers = _headers(request_id or protocol.request_id(), body)
    return AWSResponse(url, status, headers, _Body(body))


_HANDLERS = tuple(
    (f"{event}.{service}", handler)
    for service in SERVICES
    for event, handler in (
        ("before-call", _fast_answer),
        ("choose-signer", _choose_signer),
        ("before-sign", _note_region),
        ("before-send", _answer),
        ("after-call", _verify),
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
    account_id: the account of a database the mock opens (ARNs carry it).
    throttle: a database the mock opens enforces throughput limits.
    fast: answer at botocore's before-call (the default); False: always through
    the wire path (before-send); "verify": both, each fast answer compared with
    botocore's parse of the wire answer (ddblite's differential tests).
    """

    def __init__(
        self,
        db: Database | None = None,
        path: str | None = None,
        clock: Clock | None = None,
        fast: bool | str = True,
        account_id: str | None = None,
        throttle: bool = False,
    ) -> None:
        if fast not in (True, False, "verify"):
            raise ValueError("fast is True, False or 'verify'")
        if db is not None and path is not None:
            raise ValueError("give ddblite.mock a db or a path, not both")
        self._given_db = db
        self._path = path
        self._clock = clock
        self._account = {"account_id": account_id} if account_id else {}
        self._fast = fast
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

            db = connect(self._path or ":memory:", clock=self._clock, throttle=self._throttle,
                         **self._account)
            opened = db
        self._opened.append(opened)
        _hook_botocore()
        _register_on_predating_session()
        _ACTIVE.append(db)
        _MODES.append(self._fast)
        return db

    def stop(self) -> None:
        opened = self._opened.pop()
        db = opened or self._given_db
        # Remove this use's entry (the innermost one for this database).
        for index in range(len(_ACTIVE) - 1, -1, -1):
            if _ACTIVE[index] is db:
                del _ACTIVE[index]
                del _MODES[index]
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
    fast: bool | str = True,
    account_id: str | None = None,
    throttle: bool = False,
) -> Any:
    """`with ddblite.mock():`, `@ddblite.mock`, `@ddblite.mock(db=...)`, `ddblite.mock("dir")`."""
    if isinstance(target, str):  # a directory: the database there, whatever db= says
        db, path, target = None, target, None
    made = Mock(db=db, path=path, clock=clock, fast=fast, account_id=account_id,
                throttle=throttle)
    return made if target is None else made(target)
