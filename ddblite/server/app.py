"""The DynamoDB JSON 1.0 endpoint as a raw ASGI application.

`DynamoDBApp.handle()` answers one HTTP request synchronously (routing,
authentication, protocol, dispatch) and runs on a thread pool, so a slow
storage commit never blocks the event loop; LMDB releases the GIL while it
works. The ASGI layer only reads the body and writes the answer.

Request checks run in DynamoDB's order: method, size, content type, JSON,
X-Amz-Target, authentication, empty body, then the operation itself.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from ddblite import dispatch
from ddblite.clock import Clock
from ddblite.errors import (
    DynamoDBError,
    InternalServerError,
    SerializationException,
    UnknownOperationException,
)
from ddblite.server import protocol
from ddblite.server.limits import ServerLimits, limits_from_options
from ddblite.server.sigv4 import SigV4Verifier, credential_region

if TYPE_CHECKING:
    from ddblite.database import Database

MAX_REQUEST_BYTES = 16 * 1024 * 1024
DYNAMODB_PREFIX = "DynamoDB_20120810"
STREAMS_PREFIX = "DynamoDBStreams_20120810"
STREAMS_OPERATIONS = frozenset({"ListStreams", "DescribeStream", "GetShardIterator", "GetRecords"})
AMZ_JSON = "application/x-amz-json-1.0"
PLAIN_JSON = "application/json"
# DynamoDB's answer to anything that is not a DynamoDB call (wrong method or content type).
NOT_FOUND_BODY = b"<UnknownOperationException/>\n"
CORS_MAX_AGE = "172800"
CORS_EXPOSED = "x-amzn-RequestId,x-amz-crc32,x-amz-id-2"
ENVIRONMENT_OPTIONS = "DDBLITE_SERVE_OPTIONS"

_DISCONNECTED = object()


class _Monotonic(Clock):
    """Seconds that never jump with the wall clock (for connection timeouts)."""

    def now(self) -> float:
        return time.monotonic()


_MONOTONIC = _Monotonic()

Headers = list[tuple[str, str]]
Answer = tuple[int, Headers, bytes]


# X-Amz-Target -> operation, filled as targets are seen (only valid ones: bounded).
_OPERATION_OF_TARGET: dict[str, str] = {}


def operation_of(target: str | None) -> str | None:
    """The operation an X-Amz-Target names, or None for an unknown one."""
    if not target:
        return None
    operation = _OPERATION_OF_TARGET.get(target)
    if operation is not None:
        return operation
    prefix, _, operation = target.partition(".")
    if operation not in dispatch.known_operations():
        return None
    if (prefix == DYNAMODB_PREFIX and operation not in STREAMS_OPERATIONS) or (
        prefix == STREAMS_PREFIX and operation in STREAMS_OPERATIONS
    ):
        _OPERATION_OF_TARGET[target] = operation
        return operation
    return None


@functools.lru_cache(maxsize=64)
def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


class DynamoDBApp:
    """ASGI app serving one ddblite Database over DynamoDB's wire protocol.

    db: the Database to serve; it may be swapped between requests (tests do).
    open_database: alternatively, a callable that opens it at ASGI startup
      (the app then closes it at shutdown).
    require_auth: (access key, secret key) to demand SigV4 signatures with.
    cors: allowed browser origins ("*" for any); None answers no CORS at all.
    limits: timeouts and size/connection caps of the HTTP connections (ServerLimits).
    timeout_clock: the time those timeouts are measured on. Not the database's
      clock: tests move that by days (TTL, backups) without meaning to drop the
      connections of their clients.
    """

    def __init__(
        self,
        db: Database | None = None,
        *,
        open_database: Callable[[], Database] | None = None,
        require_auth: tuple[str, str] | None = None,
        cors: list[str] | None = None,
        max_request_bytes: int = MAX_REQUEST_BYTES,
        threads: int | None = None,
        limits: ServerLimits | None = None,
        timeout_clock: Clock | None = None,
    ) -> None:
        self.db = db
        self._open_database = open_database
        self._owns_db = False
        self.verifier = SigV4Verifier(*require_auth) if require_auth else None
        self.cors = None if cors is None else frozenset(cors)
        self.max_request_bytes = max_request_bytes
        self._threads = threads
        self._executor: ThreadPoolExecutor | None = None
        self.limits = limits or ServerLimits()
        self.timeout_clock = timeout_clock or _MONOTONIC
        # The open connections of this process (DynamoDBHTTPProtocol), for the caps
        # and the timeout sweeps; they are all on the one event loop that serves them.
        self.connections: set[Any] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sweeping = False

    # ----------------------------------------------------------- connections

    def connection_opened(self, connection: Any, loop: asyncio.AbstractEventLoop) -> bool:
        """Register a new connection; False when it is over the cap."""
        if len(self.connections) >= self.limits.max_connections:
            return False
        self.connections.add(connection)
        if not self._sweeping:
            self._sweeping = True
            self._loop = loop
            loop.call_later(self.limits.sweep_interval(), self._sweep_periodically)
        return True

    def connection_closed(self, connection: Any) -> None:
        self.connections.discard(connection)

    def sweep(self) -> int:
        """Close the connections past their timeout (on the loop's thread); how many."""
        now = self.timeout_clock.now()
        expired = [c for c in self.connections if c.expired(now, self.limits)]
        for connection in expired:
            connection.time_out()
        return len(expired)

    def sweep_now(self, timeout: float = 10.0) -> int:
        """sweep() from another thread (tests), waiting for it."""
        if self._loop is None:
            return 0
        done = asyncio.run_coroutine_threadsafe(self._sweep_once(), self._loop)
        return done.result(timeout)

    async def _sweep_once(self) -> int:
        return self.sweep()

    def _sweep_periodically(self) -> None:
        if self._loop is None or self._loop.is_closed():
            return
        self.sweep()
        self._loop.call_later(self.limits.sweep_interval(), self._sweep_periodically)

    # ------------------------------------------------------------ lifecycle

    def startup(self) -> None:
        if self.db is None and self._open_database is not None:
            self.db = self._open_database()
            self._owns_db = True

    def shutdown(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
        if self._owns_db and self.db is not None:
            self.db.close()
            self._owns_db = False

    @property
    def executor(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(self._threads, thread_name_prefix="ddblite")
        return self._executor

    # ----------------------------------------------------------------- ASGI

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)

    async def _lifespan(self, receive: Callable, send: Callable) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    self.startup()
                except Exception as exc:
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: dict, receive: Callable, send: Callable) -> None:
        headers = {
            name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]
        }
        body = await self._read_body(headers, receive)
        if body is _DISCONNECTED:  # the client went away mid-request: nobody to answer
            return
        if body is None:
            answer: Answer = (413, [("connection", "close")], b"")
        else:
            method = scope["method"]
            query = scope.get("query_string", b"").decode("latin-1")
            args = (method, scope.get("path", "/"), query, headers, body)
            if method == "POST":
                loop = asyncio.get_running_loop()
                answer = await loop.run_in_executor(self.executor, self.handle, *args)
            else:
                answer = self.handle(*args)
        status, response_headers, response_body = answer
        response_headers.append(("content-length", str(len(response_body))))
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (n.encode("latin-1"), v.encode("latin-1")) for n, v in response_headers
                ],
            }
        )
        await send({"type": "http.response.body", "body": response_body})

    async def _read_body(self, headers: dict[str, str], receive: Callable) -> Any:
        """The request body; None when it is over the size cap; _DISCONNECTED."""
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_request_bytes:
            return None
        chunks = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return _DISCONNECTED
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_request_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body"):
                return b"".join(chunks)

    # ------------------------------------------------------------- requests

    def handle(
        self, method: str, path: str, query: str, headers: dict[str, str], body: bytes
    ) -> Answer:
        """Answer one request: (status, headers, body)."""
        origin = headers.get("origin")
        cors = self._cors_headers(origin) if origin and self.cors is not None else []
        if method == "OPTIONS" and cors:
            return self._preflight(headers, cors)
        if method == "GET" and path == "/ddblite/usage" and self.verifier is None:
            # `ddblite stats URL`: this server's consumed capacity (unsigned: only
            # offered when the server does not require signatures).
            status, content_type, payload = 200, "application/json", self._usage()
        elif method == "GET":
            status, content_type, payload = 200, "text/plain", self._health()
        elif method != "POST":
            status, content_type, payload = 404, "", NOT_FOUND_BODY
        else:
            status, content_type, payload = self._call(method, path, query, headers, body)
        answer_headers = [
            ("x-amzn-requestid", protocol.request_id()),
            ("x-amz-crc32", protocol.crc32(payload)),
        ]
        if content_type:
            answer_headers.append(("content-type", content_type))
        return status, answer_headers + cors, payload

    def _usage(self) -> bytes:
        db = self.db
        if db is None:
            return b'{"Tables": {}}'
        usage = db.usage(top=100)
        usage["Sizes"] = db.table_sizes()
        return json.dumps(usage).encode()

    def _call(
        self, method: str, path: str, query: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, str, bytes]:
        raw_type = headers.get("content-type", "")
        media_type = _media_type(raw_type)
        if media_type not in (AMZ_JSON, PLAIN_JSON) and (body or raw_type):
            return 404, "", NOT_FOUND_BODY
        content_type = AMZ_JSON if media_type == AMZ_JSON else PLAIN_JSON
        try:
            document = protocol.parse_json(body) if body else None
            operation = operation_of(headers.get("x-amz-target"))
            if operation is None:
                raise UnknownOperationException("")
            if self.verifier is not None:
                # Signatures are timed against the served database's (injectable) clock.
                now = self.db.clock.now() if self.db is not None else None
                self.verifier.verify(method, path, query, headers, body, now)
            if not body:
                raise SerializationException("")
            db = self.db
            if db is None:
                raise InternalServerError("ddblite has no database open")
            params = protocol.decode_params(operation, document, body)
            region = credential_region(headers.get("authorization")) or db.region
            response = db.call(operation, params, region)
            return 200, content_type, protocol.encode_response(operation, response)
        except DynamoDBError as exc:
            return exc.http_status, content_type, protocol.error_body(exc)
        except Exception as exc:  # never a traceback on the wire, never a dead server
            error = InternalServerError(f"Internal server error: {type(exc).__name__}")
            return 500, content_type, protocol.error_body(error)

    def _health(self) -> bytes:
        region = self.db.region if self.db is not None else "us-east-1"
        # DynamoDB's health answer, trailing space included.
        return f"healthy: dynamodb.{region}.amazonaws.com ".encode()

    def _cors_headers(self, origin: str) -> Headers:
        assert self.cors is not None
        if "*" in self.cors:
            return [
                ("access-control-allow-origin", "*"),
                ("access-control-expose-headers", CORS_EXPOSED),
            ]
        if origin in self.cors:
            return [
                ("access-control-allow-origin", origin),
                ("access-control-expose-headers", CORS_EXPOSED),
                ("vary", "Origin"),
            ]
        return []

    def _preflight(self, headers: dict[str, str], cors: Headers) -> Answer:
        answer = [
            ("x-amzn-requestid", protocol.request_id()),
            ("access-control-max-age", CORS_MAX_AGE),
        ]
        requested_headers = headers.get("access-control-request-headers")
        if requested_headers:
            answer.append(("access-control-allow-headers", requested_headers))
        requested_method = headers.get("access-control-request-method")
        if requested_method:
            answer.append(("access-control-allow-methods", requested_method))
        return 200, answer + cors, b""


# ------------------------------------------------------------ configuration


def serve_options(
    path: str,
    durability: str | None,
    require_auth: tuple[str, str] | None,
    cors: list[str] | None,
    sweep_interval: float | None = None,
    triggers: list[tuple[str, str]] | None = None,
    account_id: str | None = None,
    limits: dict[str, Any] | None = None,
    throttle: bool = False,
) -> dict[str, Any]:
    return {"path": path, "durability": durability, "require_auth": require_auth, "cors": cors,
            "sweep_interval": sweep_interval, "triggers": triggers or [],
            "account_id": account_id, "limits": limits or {},
            "throttle": throttle}


def open_served_database(options: dict[str, Any]) -> Database:
    """The served store, with its TTL sweeper and any --trigger TABLE=module:function."""
    import importlib

    from ddblite.database import connect
    from ddblite.sweeper import DEFAULT_INTERVAL

    account = {"account_id": options["account_id"]} if options.get("account_id") else {}
    db = connect(options["path"], options.get("durability"),
                 throttle=bool(options.get("throttle")), **account)
    interval = options.get("sweep_interval")
    if interval != 0:
        db.start_sweeper(interval or DEFAULT_INTERVAL)
    for table, target in options.get("triggers") or []:
        module, _, name = target.partition(":")
        db.on_change(table, getattr(importlib.import_module(module), name), name=target)
    return db


def app_from_options(options: dict[str, Any]) -> DynamoDBApp:
    """The app `ddblite serve` runs; it opens its database at ASGI startup."""
    require_auth = options.get("require_auth")
    return DynamoDBApp(
        open_database=lambda: open_served_database(options),
        require_auth=tuple(require_auth) if require_auth else None,
        cors=options.get("cors"),
        limits=limits_from_options(options),
    )


def app_from_environment() -> DynamoDBApp:
    """ASGI factory for worker processes: options come in an environment variable."""
    return app_from_options(json.loads(os.environ[ENVIRONMENT_OPTIONS]))
