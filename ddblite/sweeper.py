"""The background sweeper: expires TTL items and trims stream records on an interval.

`ddblite serve` runs one; a long-lived Database can run one with
`db.start_sweeper()`. Tests call `db.expire_now()` instead, with a ManualClock.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ddblite.database import Database

DEFAULT_INTERVAL = 30.0
_log = logging.getLogger("ddblite.sweeper")


class Sweeper:
    def __init__(self, db: Database, interval: float = DEFAULT_INTERVAL) -> None:
        self.db = db
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ddblite-sweeper", daemon=True)

    def start(self) -> Sweeper:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            if self.db.closed:
                return
            try:
                self.db.expire_now()
            except Exception:  # keep sweeping: one bad pass must not end the thread
                _log.exception("TTL sweep failed")
