"""Running the endpoint: in the foreground (`ddblite serve`) or on a background thread."""

from __future__ import annotations

import json
import os
import socket
import threading

import uvicorn

from ddblite.server.app import ENVIRONMENT_OPTIONS, DynamoDBApp, app_from_options
from ddblite.server.connection import DynamoDBHTTPProtocol

_UVICORN_DEFAULTS = {
    # Our own per-connection protocol (httptools parsing, one write per answer);
    # uvicorn keeps the sockets, workers, signals, lifespan and graceful shutdown.
    "http": DynamoDBHTTPProtocol,
    "lifespan": "on",
    "log_level": "warning",
    "access_log": False,
    "server_header": False,
    # Finish in-flight requests on SIGINT/SIGTERM, but do not wait forever.
    "timeout_graceful_shutdown": 30,
}


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def serve(sock: socket.socket, options: dict, workers: int = 1) -> None:
    """Serve until SIGINT/SIGTERM. N workers share the socket and the LMDB directory."""
    if workers <= 1:
        config = uvicorn.Config(app_from_options(options), **_UVICORN_DEFAULTS)
        uvicorn.Server(config).run(sockets=[sock])
        return
    # Workers are separate processes: they rebuild the app from the environment.
    os.environ[ENVIRONMENT_OPTIONS] = json.dumps(options)
    # The workers share one listening socket. libuv (uvloop) accepts every pending
    # connection at once, so a burst of clients lands on one worker; with this set
    # it accepts one and yields, and the connections spread over the workers.
    os.environ.setdefault("UV_TCP_SINGLE_ACCEPT", "1")
    host, port = sock.getsockname()[:2]
    sock.close()  # uvicorn binds its own shared socket for its workers
    uvicorn.run(
        "ddblite.server.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        **_UVICORN_DEFAULTS,
    )


class BackgroundServer:
    """A DynamoDBApp served by uvicorn on a daemon thread (tests, notebooks).

    with BackgroundServer(DynamoDBApp(db)) as server:
        boto3.client("dynamodb", endpoint_url=server.url, ...)
    """

    def __init__(self, app: DynamoDBApp, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self._socket = bind(host, port)
        self.url = url_of(self._socket)
        config = uvicorn.Config(app, **_UVICORN_DEFAULTS)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    def start(self) -> BackgroundServer:
        self._thread.start()
        while not self._server.started:  # startup takes milliseconds
            if not self._thread.is_alive():
                raise RuntimeError("the ddblite server failed to start")
            self._thread.join(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join()
        self._socket.close()

    def __enter__(self) -> BackgroundServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
