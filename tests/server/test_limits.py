"""Server limits under hostile clients: timeouts, header caps, a connection cap, memory.

Timeouts are measured on the app's injectable `timeout_clock`: tests move it
and ask for a sweep, then count the connections the server closed. Nothing
here depends on how long anything takes.
"""

from __future__ import annotations

import json
import socket
import threading
from contextlib import ExitStack, contextmanager
from urllib.parse import urlparse

import ddblite
from ddblite.clock import ManualClock
from ddblite.server.app import DynamoDBApp
from ddblite.server.limits import ServerLimits
from ddblite.server.runner import BackgroundServer
from tests.clients.serve import ddblite_serve_process

HEALTH = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
LIST_TABLES = (
    b"POST / HTTP/1.1\r\nHost: x\r\ncontent-type: application/x-amz-json-1.0\r\n"
    b"x-amz-target: DynamoDB_20120810.ListTables\r\ncontent-length: 2\r\n\r\n{}"
)


@contextmanager
def limited_server(**limits):
    clock = ManualClock()
    app = DynamoDBApp(timeout_clock=clock, limits=ServerLimits(**limits))
    with ddblite.connect(":memory:") as db, BackgroundServer(app) as server:
        app.db = db
        yield server, clock


def connect(server) -> socket.socket:
    url = urlparse(server.url)
    sock = socket.create_connection((url.hostname, url.port), timeout=30)
    return sock


def read_answer(sock: socket.socket) -> bytes:
    """One whole answer (head and content-length body), or b"" once the server closed."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        body += sock.recv(65536)
    return head + b"\r\n\r\n" + body


def closed_by_server(sock: socket.socket) -> bool:
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def answered(sock: socket.socket, request: bytes = HEALTH) -> int:
    sock.sendall(request)
    return status_of(read_answer(sock))


def until(predicate, attempts: int = 2000) -> bool:
    """Wait for the server's loop thread to get somewhere (bounded, not timed)."""
    event = threading.Event()
    for _ in range(attempts):
        if predicate():
            return True
        event.wait(0.005)
    return predicate()


# ----------------------------------------------------------------- timeouts


def test_idle_connections_are_closed_after_the_idle_timeout():
    with limited_server(idle_timeout=60, header_timeout=20) as (server, clock), ExitStack() as s:
        sockets = [s.enter_context(connect(server)) for _ in range(50)]
        assert all(answered(sock) == 200 for sock in sockets)  # registered and now idle
        clock.advance(59)
        assert server.app.sweep_now() == 0
        clock.advance(2)
        assert server.app.sweep_now() == 50
        assert sum(closed_by_server(sock) for sock in sockets) == 50
        assert until(lambda: not server.app.connections)


def test_a_slow_request_head_is_closed_after_the_header_timeout():
    with limited_server(idle_timeout=60, header_timeout=20) as (server, clock), ExitStack() as s:
        keep = s.enter_context(connect(server))
        assert answered(keep) == 200
        slow = [s.enter_context(connect(server)) for _ in range(10)]
        for sock in slow:
            sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nx-amz-target: Dynamo")  # and stalls
        assert until(lambda: sum(c.phase == 1 for c in list(server.app.connections)) == 10)
        clock.advance(21)
        assert server.app.sweep_now() == 10
        assert sum(closed_by_server(sock) for sock in slow) == 10
        assert answered(keep) == 200  # an idle keep-alive connection has 60 s


def test_a_stalled_body_is_closed_after_the_idle_timeout():
    with limited_server(idle_timeout=60, header_timeout=20) as (server, clock), ExitStack() as s:
        sock = s.enter_context(connect(server))
        sock.sendall(LIST_TABLES.replace(b"content-length: 2", b"content-length: 9")[:-1])
        assert until(lambda: [c.phase for c in list(server.app.connections)] == [2])
        clock.advance(59)
        assert server.app.sweep_now() == 0
        clock.advance(2)
        assert server.app.sweep_now() == 1
        assert closed_by_server(sock)


# -------------------------------------------------------------------- caps


def test_header_and_request_line_caps():
    with limited_server(max_header_bytes=64 * 1024, max_request_line=16 * 1024) as (server, _):
        with connect(server) as sock:  # under the cap: answered
            big = b"x-big: " + b"a" * 60_000 + b"\r\n"
            assert answered(sock, LIST_TABLES.replace(b"Host: x\r\n", b"Host: x\r\n" + big)) == 200
        with connect(server) as sock:  # an 8 MB header: refused, not read to the end
            huge = b"x-big: " + b"a" * 8_000_000 + b"\r\n"
            try:
                sock.sendall(LIST_TABLES.replace(b"Host: x\r\n", b"Host: x\r\n" + huge))
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server stopped reading and closed
            answer = read_answer(sock)
            assert status_of(answer) == 400
            assert b"connection: close" in answer
        with connect(server) as sock:
            sock.sendall(b"GET /" + b"a" * 20_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
            assert status_of(read_answer(sock)) == 400
            assert closed_by_server(sock)


def test_connections_over_the_cap_are_answered_503():
    with limited_server(max_connections=5) as (server, _), ExitStack() as s:
        sockets = [s.enter_context(connect(server)) for _ in range(5)]
        assert all(answered(sock) == 200 for sock in sockets)
        with connect(server) as extra:
            answer = read_answer(extra)
            assert status_of(answer) == 503
            assert answer.endswith(b"ddblite: too many open connections, try again in a moment\n")
            assert closed_by_server(extra)
        sockets.pop().close()
        assert until(lambda: len(server.app.connections) == 4)
        with connect(server) as again:
            assert answered(again) == 200


# ------------------------------------------------------------------ memory


def _rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_large_requests_do_not_pile_up_in_memory():
    # 40 requests of ~15 MB, each on its own connection: before, every closed
    # connection kept its body until a garbage collection (~590 MiB).
    body = json.dumps(
        {"TableName": "things", "Item": {"pk": {"S": "a" * (15 * 1024 * 1024)}}}
    ).encode()
    request = (
        b"POST / HTTP/1.1\r\nHost: x\r\ncontent-type: application/x-amz-json-1.0\r\n"
        b"x-amz-target: DynamoDB_20120810.PutItem\r\nconnection: close\r\n"
        b"content-length: %d\r\n\r\n" % len(body)
    ) + body
    with ddblite_serve_process() as (url, process):
        parsed = urlparse(url)
        before = _rss_kib(process.pid)
        peaks = []
        for _ in range(40):
            with socket.create_connection((parsed.hostname, parsed.port), timeout=60) as sock:
                sock.sendall(request)
                assert status_of(read_answer(sock)) == 400  # ValidationException: too large
            peaks.append(_rss_kib(process.pid))
        grown_mib = (max(peaks) - before) / 1024
        # A few bodies in flight at most (the body, its parse, a join): not 40 of them.
        assert grown_mib < 160, (before, peaks)


def test_serve_flags_set_the_limits():
    with ddblite_serve_process("--max-connections", "2", "--max-header-bytes", "4096") as (
        url, _
    ):
        parsed = urlparse(url)
        address = (parsed.hostname, parsed.port)
        def admitted() -> socket.socket:
            # The start-up probe's connection may still be closing: ask again then.
            for _ in range(100):
                sock = socket.create_connection(address, timeout=30)
                if answered(sock) == 200:
                    return sock
                sock.close()
                threading.Event().wait(0.01)
            raise AssertionError("never admitted")

        with admitted(), admitted():
            with socket.create_connection(address, timeout=30) as third:
                assert status_of(read_answer(third)) == 503
        big = b"x-big: " + b"a" * 5000 + b"\r\n"
        statuses = []
        while not statuses or statuses[-1] == 503 and len(statuses) < 100:
            with socket.create_connection(address, timeout=30) as sock:  # once the others close
                sock.sendall(HEALTH.replace(b"Host: x\r\n", b"Host: x\r\n" + big))
                statuses.append(status_of(read_answer(sock)))
        assert statuses[-1] == 400
