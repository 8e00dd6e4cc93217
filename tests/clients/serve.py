"""`ddblite serve --in-memory` as a subprocess on a free loopback port, for client tests."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_serving(port: int, process: subprocess.Popen) -> None:
    """Poll GET / until the endpoint answers (bounded; it starts in about a second)."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"ddblite serve exited: {process.communicate()[1]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/")
            healthy = connection.getresponse().status == 200
            connection.close()
            if healthy:
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"ddblite serve did not answer within {STARTUP_SECONDS} s")


@contextmanager
def ddblite_serve(*args: str) -> Iterator[str]:
    """Run `python -m ddblite serve --in-memory` and yield its endpoint URL."""
    with ddblite_serve_process(*args) as (url, _):
        yield url


@contextmanager
def ddblite_serve_process(*args: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """`ddblite_serve`, yielding (URL, the server's process)."""
    port = free_port()
    python_path = [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(python_path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "ddblite", "serve", "--in-memory", "--port", str(port), *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until_serving(port, process)
        yield f"http://127.0.0.1:{port}", process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
