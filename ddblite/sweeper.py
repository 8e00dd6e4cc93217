"""The background sweeper: expires TTL items and trims stream records on an interval,
and publishes the database's usage when due (engine.shared_usage) while no request does.

`ddblite serve` runs one; a long-lived Database can run one with
`db.start_sweeper()`. Tests call `db.expire_now()` / `db.publish_usage()` instead,
with a ManualClock.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ddblite.database import Database

DEFAULT_INTERVAL = 30.0
_log = logging.getLogger("ddblite.sweeper")


class Sweeper:
    """interval: seconds between TTL sweeps (0: none). publish_every: seconds between
    looks at whether the usage is due (None: none); the publisher decides on db.clock."""

    def __init__(self, db: Database, interval: float = DEFAULT_INTERVAL,
                 publish_every: float | None = None) -> None:
        self.db = db
        self.interval = interval
        self.publish_every = publish_every or None
        self._wait = min(filter(None, (interval, self.publish_every)), default=0.0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ddblite-sweeper", daemon=True)

    def start(self) -> Sweeper:
        if self._wait > 0:  # nothing to do otherwise
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join()

    def _run(self) -> None:
        next_sweep = time.monotonic() + self.interval
        while not self._stop.wait(self._wait):
            if self.db.closed:
                return
            if self.interval and time.monotonic() >= next_sweep:
                next_sweep = time.monotonic() + self.interval
                try:
                    self.db.expire_now()
                except Exception:  # keep sweeping: one bad pass must not end the thread
                    _log.exception("TTL sweep failed")
            if self.publish_every is not None and self.db.publishing is not None:
                self.db.publishing.tick()  # logs its own failures
