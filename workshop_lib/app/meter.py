"""The app's own meter: every model request, when it started and ended, and how many ran at once.

The queue lets only a few requests use the model at the same time (its concurrency limit). The
meter counts from inside the app, so a test or a notebook can check that the limit held, that
requests started in the order they were queued, and what they cost.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from IPython.display import HTML

    from .costs import Cost

import contextlib
import html
import threading
import time
from dataclasses import dataclass

from .costs import cost_of

__all__ = ["Meter", "Record"]

_KEEP = 1000  # records kept; older ones are dropped


@dataclass
class Record:
    """One request that used a model.

    Attributes
    ----------
    number : int
        1 for the first request the app started, 2 for the next, ...
    task : str
        ``"colorize"``, ``"speak"`` or ``"separate"``.
    label : str
        What it worked on (the file's name, or the first words of the text).
    started, finished : float
        Clock times (seconds since 1970, ``time.time()``); ``finished`` is None while running.
    seconds : float
        How long it ran.
    running_with : int
        How many requests were running when it started, itself included.
    ok : bool
        False when it ended with an error (``message`` says which).
    device : str
        ``"cpu"``, ``"cuda"`` or ``"mps"``.
    """

    number: int
    task: str
    label: str
    started: float
    device: str
    finished: float | None = None
    seconds: float = 0.0
    running_with: int = 1
    ok: bool = True
    message: str = ""

    @property
    def cost(self) -> Cost:
        """The :class:`~workshop_lib.app.costs.Cost` of this request at the assumed price."""
        return cost_of(self.seconds, self.device)


class Meter:
    """Counts the requests running now, the most that ever ran at once, and keeps their records.

    Examples
    --------
    >>> meter = Meter()
    >>> with meter.request("speak", "Hello", device="cpu"):
    ...     meter.running
    1
    >>> meter.most_at_once, len(meter.records)
    (1, 1)
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.running = 0
        self.most_at_once = 0
        self._records: list[Record] = []
        self._count = 0
        self.refused: list[tuple[str, str, str]] = []  # (task, label, message), last 1000

    @property
    def records(self) -> list[Record]:
        """The requests so far (the last 1000), in the order they started."""
        with self._lock:
            return list(self._records)

    @contextlib.contextmanager
    def request(self, task: str, label: str, *, device: str = "cpu") -> Iterator[Record]:
        """Count a request while the ``with`` block runs; yields its :class:`Record`."""
        with self._lock:
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
            self._count += 1
            record = Record(
                self._count, task, str(label)[:60], time.time(), device, running_with=self.running
            )
            self._records.append(record)
            del self._records[:-_KEEP]
        started = time.perf_counter()
        try:
            yield record
        except BaseException as err:
            record.ok = False
            record.message = str(err)
            raise
        finally:
            record.seconds = time.perf_counter() - started
            record.finished = time.time()
            with self._lock:
                self.running -= 1

    def refuse(self, task: str, label: str, message: str) -> None:
        """Note a request refused before any model ran (too large, not a picture, ...)."""
        with self._lock:
            self.refused.append((task, str(label)[:60], message))
            del self.refused[:-_KEEP]

    def average(self, task: str) -> float:
        """Average seconds of the finished, successful requests of one task (0 when none)."""
        seconds = [r.seconds for r in self.records if r.task == task and r.ok and r.finished]
        return sum(seconds) / len(seconds) if seconds else 0.0

    def _repr_markdown_(self) -> str:
        return self.summary()

    def summary(self) -> str:
        """The meter in a few Markdown lines, for the app's page."""
        records = self.records
        done = [r for r in records if r.finished is not None]
        seconds = sum(r.seconds for r in done)
        dollars = sum(r.cost.dollars for r in done)
        failed = sum(not r.ok for r in done)
        return "\n".join(
            (
                f"- Requests that ran a model: **{len(records)}** ({failed} failed); refused by "
                f"the limits before any model ran: **{len(self.refused)}**.",
                f"- Running now: **{self.running}**; most at the same time: **{self.most_at_once}**.",
                f"- Computer time used: **{seconds:.1f} s**, which costs about "
                f"**${dollars:.5f}** at the assumed prices.",
            )
        )

    def table(self, last: int = 20) -> HTML:
        """The last requests as a table (for a notebook).

        Returns
        -------
        IPython.display.HTML
        """
        from IPython.display import HTML

        rows = self.records[-last:]
        head = "".join(
            f"<th>{h}</th>"
            for h in ("#", "task", "on", "seconds", "running at once", "cost ($)", "result")
        )
        body = "".join(
            f"<tr><td>{r.number}</td><td>{r.task}</td><td>{html.escape(r.label)}</td>"
            f"<td>{r.seconds:.2f}</td><td>{r.running_with}</td>"
            f"<td>{r.cost.dollars:.6f}</td>"
            f"<td>{'ok' if r.ok else html.escape(r.message[:80])}</td></tr>"
            for r in rows
        )
        return HTML(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
