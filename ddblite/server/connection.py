"""One HTTP/1.1 connection to a DynamoDBApp, parsed by httptools, served by uvicorn.

uvicorn still owns the sockets, the worker processes, signals, lifespan and
graceful shutdown; this class replaces only its per-connection protocol. Its
generic ASGI path (a task, receive/send messages, a head write and a body
write per request) costs more than the DynamoDB call itself: ~10,000
requests/s for an empty app on this machine's core. Here a request is parsed
by httptools, answered by the app's synchronous `handle()` and written back
in one `write()`.

Requests run on the event loop when they cannot block: reads, and writes to a
store that never flushes on commit (nosync). Other writes run on the
app's thread pool (LMDB releases the GIL while it syncs), and the connection
stops reading until the answer is written, so answers keep request order.

Limits (ddblite.server.limits): a connection waits at most `idle_timeout`
between requests or mid-body, and `header_timeout` for a request's headers;
the app's periodic sweep closes it after that. Header bytes, the request
target and the number of connections are capped. A request's buffers are
dropped as soon as it is answered, and everything the connection holds when
it closes: the parser refers back to the protocol, so without that a closed
connection's last body would live until the garbage collector's next cycle.
"""

from __future__ import annotations

import asyncio
import socket
from collections import deque
from typing import TYPE_CHECKING, Any

import httptools

from ddblite import dispatch
from ddblite.server.app import DYNAMODB_PREFIX, STREAMS_OPERATIONS, STREAMS_PREFIX, DynamoDBApp
from ddblite.server.limits import (
    HEADERS_TOO_LARGE,
    REQUEST_LINE_TOO_LONG,
    TOO_MANY_CONNECTIONS,
    ServerLimits,
)

if TYPE_CHECKING:
    from ddblite.server.app import Answer

# Operations that never write: they never wait for a disk sync.
READ_OPERATIONS = frozenset(
    f"{STREAMS_PREFIX if operation in STREAMS_OPERATIONS else DYNAMODB_PREFIX}.{operation}"
    for operation in dispatch.read_operations()
)

_REASONS = {
    200: b"OK",
    400: b"Bad Request",
    404: b"Not Found",
    413: b"Payload Too Large",
    500: b"Internal Server Error",
}
_BAD_REQUEST = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"

Request = tuple[str, str, str, dict[str, str], bytes]

# What a connection is doing, for the timeouts.
_IDLE, _HEADERS, _BODY, _BUSY = range(4)


class _Refused(Exception):
    """Raised from a parser callback to stop parsing a request over a limit."""


def _head(
    status: int, headers: list[tuple[str, str]], length: int | None, keep_alive: bool
) -> bytes:
    lines = [b"HTTP/1.1 %d %s\r\n" % (status, _REASONS.get(status, b""))]
    lines.extend(f"{name}: {value}\r\n".encode("latin-1") for name, value in headers)
    if length is not None:
        lines.append(b"content-length: %d\r\n" % length)
    if not keep_alive:
        lines.append(b"connection: close\r\n")
    lines.append(b"\r\n")
    return b"".join(lines)


class DynamoDBHTTPProtocol(asyncio.Protocol):
    """uvicorn's `http=` protocol class for serving a DynamoDBApp."""

    def __init__(
        self, config: Any, server_state: Any, app_state: Any = None, _loop: Any = None
    ) -> None:
        if not config.loaded:
            config.load()
        app = config.loaded_app
        while not isinstance(app, DynamoDBApp):  # under uvicorn's middleware wrappers
            app = app.app
        self.app: DynamoDBApp = app
        self.loop = _loop or asyncio.get_event_loop()
        self.connections = server_state.connections
        self.parser = httptools.HttpRequestParser(self)
        self.transport: asyncio.Transport | None = None
        self.pending: deque[tuple[Request, bool]] = deque()
        self.busy = False  # a request is on the thread pool
        self.closing = False
        # The request being parsed.
        self.url = b""
        self.headers: dict[str, str] = {}
        self.body: list[bytes] = []
        self.body_size = 0
        self.too_large = False
        self.header_bytes = 0
        self.max_header_bytes = self.app.limits.max_header_bytes
        # The timeouts: what the connection is doing, since when (app.timeout_clock).
        self.phase = _IDLE
        self.since = 0.0

    # ------------------------------------------------------------ asyncio

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        if not self.app.connection_opened(self, self.loop):
            self.closing = True
            self.transport.write(TOO_MANY_CONNECTIONS)  # type: ignore[union-attr]
            self.transport.close()  # type: ignore[union-attr]
            return
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            # Off with Nagle: a partly written answer must not wait for the client's ACK.
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.connections.add(self)
        self.since = self.app.timeout_clock.now()

    def connection_lost(self, exc: Exception | None) -> None:
        self.connections.discard(self)
        self.app.connection_closed(self)
        self.closing = True
        self.pending.clear()
        # Drop the request in progress and the parser (which refers back to us).
        self.url = b""
        self.headers = {}
        self.body = []
        self.parser = None  # type: ignore[assignment]
        self.transport = None

    def data_received(self, data: bytes) -> None:
        if self.closing:
            return
        if self.phase == _BODY:
            self.since = self.app.timeout_clock.now()  # a stalled body counts from its last byte
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail()
        except httptools.HttpParserCallbackError:
            if not self.closing:  # not one of our own refusals
                self._fail()
        except httptools.HttpParserError:
            self._fail()
        else:
            self._run_pending()

    # ------------------------------------------------------------- limits

    def expired(self, now: float, limits: ServerLimits) -> bool:
        if self.closing or self.phase == _BUSY:
            return False
        limit = limits.header_timeout if self.phase == _HEADERS else limits.idle_timeout
        return now - self.since > limit

    def time_out(self) -> None:
        """Past its time: close without an answer (the client was not sending one)."""
        self.closing = True
        self.pending.clear()
        if self.transport is not None:
            self.transport.close()

    def _close_with(self, answer: bytes) -> None:
        """Answer a request over a limit (after any answer in flight) and close."""
        self.closing = True
        self.pending.clear()
        self.url = b""
        self.headers = {}
        if self.transport is not None:
            if not self.busy:
                self.transport.write(answer)
            self.transport.close()

    def _refuse(self, answer: bytes) -> None:
        """_close_with from a parser callback: raises to stop the parser."""
        self._close_with(answer)
        raise _Refused

    def shutdown(self) -> None:
        """uvicorn's graceful shutdown: close once the answer in flight is written."""
        self.closing = True
        if not self.busy and self.transport is not None:
            self.transport.close()

    # ------------------------------------------------------ httptools hooks

    def on_message_begin(self) -> None:
        self.url = b""
        self.headers = {}
        self.body = []
        self.body_size = 0
        self.too_large = False
        self.header_bytes = 0
        if self.phase == _IDLE:
            self.phase = _HEADERS
            self.since = self.app.timeout_clock.now()

    def on_url(self, url: bytes) -> None:
        self.url += url
        if len(self.url) > self.app.limits.max_request_line:
            self._refuse(REQUEST_LINE_TOO_LONG)

    def on_header(self, name: bytes, value: bytes) -> None:
        # httptools may hand one header over in pieces; each counts.
        self.header_bytes += len(name) + len(value)
        if self.header_bytes > self.max_header_bytes:
            self._refuse(HEADERS_TOO_LARGE)
        self.headers[name.decode("latin-1").lower()] = value.decode("latin-1")

    def on_headers_complete(self) -> None:
        if self.phase == _HEADERS:
            self.phase = _BODY
            self.since = self.app.timeout_clock.now()
        declared = self.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.app.max_request_bytes:
            self._refuse_too_large()  # at once: the client may be waiting to send the body
        elif self.headers.get("expect", "").lower() == "100-continue":
            self.transport.write(_CONTINUE)  # type: ignore[union-attr]

    def on_body(self, chunk: bytes) -> None:
        if self.too_large:
            return
        self.body_size += len(chunk)
        if self.body_size > self.app.max_request_bytes:
            self.body = []
            self._refuse_too_large()
        else:
            self.body.append(chunk)

    def on_message_complete(self) -> None:
        if self.too_large:
            return
        path, _, query = self.url.decode("latin-1").partition("?")
        method = self.parser.get_method().decode("latin-1")
        body = self.body[0] if len(self.body) == 1 else b"".join(self.body)
        request = (method, path, query, self.headers, body)
        self.pending.append((request, self.parser.should_keep_alive()))
        # The request tuple owns them now: nothing here outlives its answer.
        self.url = b""
        self.headers = {}
        self.body = []
        self.phase = _BUSY

    # ----------------------------------------------------------- requests

    def _refuse_too_large(self) -> None:
        """413 after the answers before it, then close: the rest of the stream is unread."""
        self.too_large = True
        # The headers stay with it: the answer carries CORS headers like any other.
        self.pending.append((("", "", "", self.headers, b""), False))
        self._run_pending()

    def _run_pending(self) -> None:
        while self.pending and not self.busy and not self.closing:
            request, keep_alive = self.pending.popleft()
            if not request[0]:  # over the size cap
                self._write(self.app.too_large(request[3]), keep_alive=False)
                return
            if self._may_block(request):
                self.busy = True
                self.transport.pause_reading()  # type: ignore[union-attr]
                future = self.loop.run_in_executor(self.app.executor, self.app.handle, *request)
                future.add_done_callback(lambda done, k=keep_alive: self._finish(done, k))
                return
            answer = self.app.handle(*request)
            if request[0] == "HEAD":  # the headers GET would get, and no body (RFC 9110)
                status, headers, body = answer
                headers = [*headers, ("content-length", str(len(body)))]
                answer = (status, headers, b"")
                self._write(answer, keep_alive, length=False)
            else:
                self._write(answer, keep_alive)

    def _may_block(self, request: Request) -> bool:
        db = self.app.db
        return (
            request[0] == "POST"
            and db is not None
            and db.durability in ("full", "lazy")
            and request[3].get("x-amz-target") not in READ_OPERATIONS
        )

    def _finish(self, done: asyncio.Future, keep_alive: bool) -> None:
        self.busy = False
        if self.transport is None or self.transport.is_closing():
            return
        self._write(done.result(), keep_alive)
        if not self.transport.is_closing():
            self.transport.resume_reading()
            self._run_pending()

    def _write(self, answer: Answer, keep_alive: bool, length: bool = True) -> None:
        """length=False: the headers already hold the content-length (HEAD answers)."""
        status, headers, body = answer
        keep_alive = keep_alive and not self.closing
        transport = self.transport
        assert transport is not None
        transport.write(_head(status, headers, len(body) if length else None, keep_alive) + body)
        if not keep_alive:
            self.closing = True
            transport.close()
        elif not self.pending:
            self.phase = _IDLE  # the idle timeout runs from the last answer
            self.since = self.app.timeout_clock.now()

    def _fail(self) -> None:
        """Unparseable HTTP: DynamoDB's front end answers 400 and hangs up."""
        assert self.transport is not None
        self.closing = True
        self.pending.clear()
        if not self.busy:
            self.transport.write(_BAD_REQUEST)
        self.transport.close()
