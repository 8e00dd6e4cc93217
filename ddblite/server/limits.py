"""What one `ddblite serve` process lets a client hold: time, header bytes, connections.

A slow or hostile client must not keep a connection, or the server's memory,
forever. Defaults suit a local server; each is configurable (DynamoDBApp's
`limits=`, `ddblite serve --idle-timeout ...`).
"""

from __future__ import annotations

import dataclasses
import resource

# Answers to requests over a limit, then the connection closes. DynamoDB's front
# end documents no text for these: a bare 400 as for other unparseable HTTP. INFERRED
HEADERS_TOO_LARGE = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
REQUEST_LINE_TOO_LONG = HEADERS_TOO_LARGE
_BUSY = b"ddblite: too many open connections, try again in a moment\n"
TOO_MANY_CONNECTIONS = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain\r\n"
    b"content-length: %d\r\nconnection: close\r\n\r\n%s" % (len(_BUSY), _BUSY)
)


@dataclasses.dataclass(frozen=True)
class ServerLimits:
    """idle_timeout: seconds a connection may wait between requests, or stall mid-body.
    header_timeout: seconds from a request's first byte until its headers are complete.
    max_header_bytes: the header names and values together.
    max_request_line: the request target (path and query string).
    max_connections: open connections per process; more are answered 503 and closed
      (1024, or 64 below the process's open-file limit if that is lower).
    """

    idle_timeout: float = 60.0
    header_timeout: float = 20.0
    max_header_bytes: int = 64 * 1024
    max_request_line: int = 16 * 1024
    max_connections: int = dataclasses.field(default_factory=lambda: _default_max_connections())

    def sweep_interval(self) -> float:
        """How often to look for connections past their time (a fraction of the shortest)."""
        return min(max(min(self.idle_timeout, self.header_timeout) / 4, 0.05), 1.0)


def _default_max_connections() -> int:
    # Below the process's file limit (1024 on many systems), so that the cap, not
    # a failing accept(), is what a client over it meets; some descriptors are the
    # store's, the listening socket's and the thread pool's.
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return 1024
    return max(16, min(1024, soft - 64))


def limits_from_options(options: dict) -> ServerLimits:
    given = options.get("limits") or {}
    return ServerLimits(**{name: value for name, value in given.items() if value is not None})
