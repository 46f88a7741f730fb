"""The app's one queue for model work: fair across visitors, with a limit per visitor.

Behind a public link, one visitor could press the button 100 times and make everyone else wait
behind those 100 requests. :class:`FairQueue` takes turns instead: when the model is free, the
next request comes from the next visitor in the round, not from whoever sent the most. And no
visitor may have more than ``per_visitor`` requests in the queue at once; one more gets a plain
message at once. A visitor is one open page (Gradio's session): two tabs are two visitors.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from collections.abc import Callable
from typing import TypeVar

from ..errors import WorkshopError

__all__ = ["FairQueue"]

T = TypeVar("T")


class FairQueue:
    """Requests from many visitors, ``workers`` at a time, visitors taking turns.

    Parameters
    ----------
    workers : int
        Requests that run at the same time.
    per_visitor : int
        Requests one visitor may have waiting or running at once.
    size : int
        Requests that may wait at once, all visitors together.

    Examples
    --------
    >>> queue = FairQueue(workers=1, per_visitor=3, size=40)
    >>> asyncio.run(queue.run("visitor-1", lambda: 6 * 7))
    42
    """

    def __init__(self, *, workers: int = 1, per_visitor: int = 3, size: int = 40) -> None:
        self.workers = int(workers)
        self.per_visitor = int(per_visitor)
        self.size = int(size)
        self.running = 0
        self.refused = 0
        self.most_per_visitor = 0  # the most one visitor ever had in the queue at once
        self._waiting: dict[str, deque[asyncio.Future]] = {}
        self._round: deque[str] = deque()  # visitors with a request waiting, in turn order
        self._held: dict[str, int] = {}  # visitor -> requests waiting or running
        self._granted: set[asyncio.Future] = set()  # given a place, not yet awake
        self._lock = threading.Lock()

    @property
    def waiting(self) -> int:
        """Requests waiting for their turn now."""
        with self._lock:
            return sum(len(line) for line in self._waiting.values())

    def _admit(self, visitor: str, loop) -> asyncio.Future | None:
        """Count a new request in, or refuse it; returns a future to wait on, or None to run."""
        with self._lock:
            held = self._held.get(visitor, 0)
            if held >= self.per_visitor:
                self.refused += 1
                raise WorkshopError(
                    f"You already have {held} request(s) in the queue; this app takes up to "
                    f"{self.per_visitor} from one visitor at a time, so that everyone gets a "
                    "turn. Wait for an answer, then send the next."
                )
            waiting = sum(len(line) for line in self._waiting.values())
            if self.running >= self.workers and waiting >= self.size:
                self.refused += 1
                raise WorkshopError(
                    f"The app is busy: {waiting} requests are waiting already. Try again in a "
                    "minute."
                )
            self._held[visitor] = held + 1
            self.most_per_visitor = max(self.most_per_visitor, held + 1)
            if self.running < self.workers and not waiting:
                self.running += 1
                return None
            future = loop.create_future()
            if visitor not in self._waiting or not self._waiting[visitor]:
                self._waiting[visitor] = deque()
                self._round.append(visitor)
            self._waiting[visitor].append(future)
            return future

    def _hand_out(self) -> None:
        """Give free places to waiting requests, one visitor after the other (lock held)."""
        while self.running < self.workers and self._round:
            visitor = self._round.popleft()
            line = self._waiting[visitor]
            future = line.popleft()
            if line:
                self._round.append(visitor)
            else:
                del self._waiting[visitor]
            self.running += 1
            self._granted.add(future)
            future.get_loop().call_soon_threadsafe(_grant, future)

    def _leave(self, visitor: str, future: asyncio.Future | None) -> None:
        """A request is done (or its visitor left): free its place and hand out the next."""
        with self._lock:
            self._held[visitor] -= 1
            if not self._held[visitor]:
                del self._held[visitor]
            if future is None or future in self._granted:
                self._granted.discard(future)
                self.running -= 1
            elif visitor in self._waiting:
                line = self._waiting[visitor]
                if future in line:
                    line.remove(future)
                    if not line:
                        del self._waiting[visitor]
                        self._round.remove(visitor)
            self._hand_out()

    async def run(self, visitor: str, work: Callable[[], T]) -> T:
        """Wait for this visitor's turn, then run ``work`` in a worker thread; returns its result.

        Raises
        ------
        WorkshopError
            The visitor has too many requests in the queue, or the queue is full.
        """
        import anyio

        future = self._admit(visitor, asyncio.get_running_loop())
        try:
            if future is not None:
                await future
            return await anyio.to_thread.run_sync(work)
        finally:
            self._leave(visitor, future)


def _grant(future: asyncio.Future) -> None:
    if not future.done():
        future.set_result(True)
