"""One background thread that always works on the newest request (the widget's network runs).

A learner who drags a hint makes many requests a second; a slow computer must not work through
stale ones. :class:`LatestOnly` keeps at most one request waiting: a newer one replaces it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

__all__ = ["LatestOnly"]

_IDLE_SECONDS = 30  # the thread stops after this long without requests


class LatestOnly:
    """Runs ``work(request)`` in one background thread, always on the newest request.

    A request that arrives while another is computed replaces any request still waiting, so at
    most one is ever queued: stale work is skipped, never computed.
    """

    def __init__(self, work: Callable[[Any], object]) -> None:
        self._work = work
        self._pending = None
        self._running = False
        self._thread: threading.Thread | None = None
        self._condition = threading.Condition()

    def submit(self, request: Any) -> None:
        with self._condition:
            self._pending = request
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, daemon=True)
                self._thread.start()
            self._condition.notify_all()

    @property
    def waiting(self) -> bool:
        """True when a request waits to be computed."""
        return self._pending is not None

    def wait(self, timeout: float | None = 60) -> bool:
        """Block until nothing is waiting or running; False when ``timeout`` seconds passed first."""
        with self._condition:
            return self._condition.wait_for(
                lambda: self._pending is None and not self._running, timeout
            )

    def _loop(self) -> None:
        while True:
            with self._condition:
                if self._pending is None:
                    self._condition.wait(_IDLE_SECONDS)
                if self._pending is None:
                    self._thread = None
                    self._condition.notify_all()
                    return
                request, self._pending, self._running = self._pending, None, True
            try:
                self._work(request)
            finally:
                with self._condition:
                    self._running = False
                    self._condition.notify_all()
