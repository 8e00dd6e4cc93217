"""The DynamoDB JSON 1.0 endpoint.

`DynamoDBApp.handle()` answers one HTTP request synchronously (routing,
authentication, protocol, dispatch); the connection protocol
(ddblite.server.connection) parses requests and calls it, on the event loop
or on the app's thread pool (a slow storage commit never blocks the loop;
LMDB releases the GIL while it works). uvicorn calls the app as ASGI only for
its lifespan (opening and closing the database).

Request checks run in DynamoDB's order: method, size, content type, content
coding, JSON, X-Amz-Target, authentication, empty body, then the operation itself.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from email.utils import formatdate
from typing import TYPE_CHECKING, Any

from ddblite import dispatch
from ddblite.clock import Clock
from ddblite.errors import (
    DynamoDBError,
    InternalServerError,
    SerializationException,
    UnknownOperationException,
)
from ddblite.server import encoding, protocol
from ddblite.server.limits import ServerLimits, limits_from_options
from ddblite.server.sigv4 import SigV4Verifier, credential_region

if TYPE_CHECKING:
    from ddblite.database import Database

MAX_REQUEST_BYTES = encoding.MAX_INFLATED_BYTES
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
# DynamoDB's Server header.
SERVER = "Server"
# Operations whose success DynamoDB answers with an empty body (API Reference,
# Response Elements: "an HTTP 200 response with an empty HTTP body").
EMPTY_ANSWERS = frozenset({"TagResource", "UntagResource"})


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
        """uvicorn calls the app only for its lifespan: HTTP requests reach `handle()`
        through DynamoDBHTTPProtocol (ddblite.server.connection), never through ASGI."""
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        else:
            raise RuntimeError(
                "DynamoDBApp serves HTTP through ddblite.server.connection.DynamoDBHTTPProtocol"
                " (ddblite.server.runner), not as a generic ASGI app"
            )

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
            # `ddblite stats URL`: the served directory's consumed capacity, every
            # worker's (unsigned: only offered when the server does not require
            # signatures).
            status, content_type, payload = 200, "application/json", self._usage()
        elif method in ("GET", "HEAD") and path == "/":  # HEAD: the connection drops the body
            status, content_type, payload = 200, "text/plain", self._health(headers)
        elif method != "POST":
            status, content_type, payload = 404, "", NOT_FOUND_BODY
        else:
            status, content_type, payload = self._call(method, path, query, headers, body)
        return self._answer(status, content_type, payload, headers, cors)

    def too_large(self, headers: dict[str, str]) -> Answer:
        """The answer to a body over the size cap (the connection closes after it)."""
        origin = headers.get("origin")
        cors = self._cors_headers(origin) if origin and self.cors is not None else []
        return self._answer(413, "", b"", {}, cors)

    def _answer(
        self,
        status: int,
        content_type: str,
        payload: bytes,
        headers: dict[str, str],
        cors: Headers,
    ) -> Answer:
        """The headers DynamoDB sends with every answer; the body compressed when
        the client accepts it and it is large enough (ddblite.server.encoding)."""
        answer_headers = [
            ("x-amzn-requestid", protocol.request_id()),
            ("date", self._date()),
            ("server", SERVER),
        ]
        if content_type:
            answer_headers.append(("content-type", content_type))
        if len(payload) >= encoding.COMPRESS_MIN_BYTES:
            coding = encoding.accepted_coding(headers.get("accept-encoding"))
            if coding is not None:
                payload = encoding.compress(payload, coding)
                answer_headers.append(("content-encoding", coding))
        # Over the bytes sent: DynamoDB's CRC32 covers the compressed body.
        answer_headers.append(("x-amz-crc32", protocol.crc32(payload)))
        return status, answer_headers + cors, payload

    def _date(self) -> str:
        """The Date header, on the served database's (injectable) clock."""
        now = int(self.db.clock.now() if self.db is not None else time.time())
        return _http_date(now)

    def _usage(self) -> bytes:
        db = self.db
        if db is None:
            return b'{"Tables": {}}'
        usage = db.directory_usage(top=100)
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
            signed_body = body
            coding = headers.get("content-encoding")
            if coding and body:
                body = encoding.decode_body(body, coding, self.max_request_bytes)
            document = protocol.parse_json(body) if body else None
            operation = operation_of(headers.get("x-amz-target"))
            if operation is None:
                raise UnknownOperationException("")
            if self.verifier is not None:
                # Signatures are timed against the served database's (injectable) clock,
                # and cover the body as sent (compressed, when it was).
                now = self.db.clock.now() if self.db is not None else None
                self.verifier.verify(method, path, query, headers, signed_body, now)
            if not body:
                raise SerializationException("")
            db = self.db
            if db is None:
                raise InternalServerError("ddblite has no database open")
            params = protocol.decode_params(operation, document, body)
            region = credential_region(headers.get("authorization")) or db.region
            response = db.call(operation, params, region)
            if operation in EMPTY_ANSWERS:
                return 200, content_type, b""
            if operation == "DescribeEndpoints" and headers.get("host"):
                response = _endpoint_reached(response, headers["host"])
            return 200, content_type, protocol.encode_response(operation, response)
        except encoding.BodyTooLarge:
            return 413, "", b""
        except DynamoDBError as exc:
            return exc.http_status, content_type, protocol.error_body(exc)
        except Exception as exc:  # never a traceback on the wire, never a dead server
            error = InternalServerError(f"Internal server error: {type(exc).__name__}")
            return 500, content_type, protocol.error_body(error)

    def _health(self, headers: dict[str, str]) -> bytes:
        # DynamoDB's health answer names the host the client asked for, trailing
        # space included; without a Host header, the region's public endpoint.
        host = headers.get("host")
        if not host:
            region = self.db.region if self.db is not None else "us-east-1"
            host = f"dynamodb.{region}.amazonaws.com"
        return f"healthy: {host} ".encode("latin-1", "replace")

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
            ("date", self._date()),
            ("server", SERVER),
            ("access-control-max-age", CORS_MAX_AGE),
        ]
        requested_headers = headers.get("access-control-request-headers")
        if requested_headers:
            answer.append(("access-control-allow-headers", requested_headers))
        requested_method = headers.get("access-control-request-method")
        if requested_method:
            answer.append(("access-control-allow-methods", requested_method))
        return 200, answer + cors, b""


@functools.lru_cache(maxsize=4)
def _http_date(second: int) -> str:
    # Formatted once per second, not once per answer.
    return formatdate(second, usegmt=True)


def _endpoint_reached(response: dict, host: str) -> dict:
    """DescribeEndpoints names the address this client reached (its Host header),
    where DynamoDB names its regional endpoint: that is the address that works."""
    endpoints = [dict(endpoint, Address=host) for endpoint in response.get("Endpoints", [])]
    return {**response, "Endpoints": endpoints}


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
    usage_interval: float | None = None,
) -> dict[str, Any]:
    return {"path": path, "durability": durability, "require_auth": require_auth, "cors": cors,
            "sweep_interval": sweep_interval, "triggers": triggers or [],
            "account_id": account_id, "limits": limits or {},
            "throttle": throttle, "usage_interval": usage_interval}


def open_served_database(options: dict[str, Any]) -> Database:
    """The served store, with its sweeper (TTL, and publishing the usage of an idle
    worker) and any --trigger TABLE=module:function."""
    import importlib

    from ddblite.database import connect
    from ddblite.sweeper import DEFAULT_INTERVAL

    account = {"account_id": options["account_id"]} if options.get("account_id") else {}
    db = connect(options["path"], options.get("durability"),
                 throttle=bool(options.get("throttle")),
                 usage_interval=options.get("usage_interval"), **account)
    interval = options.get("sweep_interval")
    publishing = db.publishing.every if db.publishing is not None else None
    if interval != 0 or publishing:
        db.start_sweeper(DEFAULT_INTERVAL if interval is None else interval, publishing)
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
