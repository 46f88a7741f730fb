"""What the arXiv and GitHub helpers share: results with a source note, the cache, pacing.

Every answer says where it came from: ``"live"`` (asked just now), ``"cache"`` (asked earlier
on this computer, kept for an hour) or ``"recorded"`` (the instructor's snapshot or a response
that ships with the library, used offline, when a service refuses, or when the network fails;
see :mod:`workshop_lib.research.recordings`).

Why not ``requests-cache``: it would replace about 50 lines here (fresh or stale answers on
disk), but the fallbacks around it (a stale answer, then the instructor's snapshot, then the
packaged recordings, each with a note that gives its date) and GitHub's rate-limit memory stay
ours, and its conditional requests save no quota for a room: GitHub counts a 304 against the
limit unless the request carries a token.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .. import assets
from ..errors import WorkshopError

__all__ = ["Results"]

CACHE_SECONDS = 3600
"""How long an answer from the internet is reused before asking again (seconds)."""

TIMEOUT = (10, 30)
"""Seconds to wait for a connection, and for the answer."""

USER_AGENT = (
    "workshop_lib (Machine Learning 02: From Paper to Product; a public library's workshop)"
)

_SOURCES = ("live", "cache", "recorded")


@dataclass(frozen=True)
class Results:
    """A list of search results (papers or repositories), with a note saying where they came from.

    It behaves like a tuple of records: ``len(results)``, ``results[0]``, ``for r in results``.
    In a notebook it shows as a table under its note.

    Parameters
    ----------
    query : str
        What was searched for.
    items : tuple
        The records, best first.
    source : {"live", "cache", "recorded"}
        Where they came from.
    note : str
        One or two sentences for the learner: the source and, for a recording, its date and why
        it was used.
    """

    query: str
    items: tuple = ()
    source: str = "live"
    note: str = ""
    total: int | None = None

    def __post_init__(self):
        if self.source not in _SOURCES:
            raise ValueError(f"source must be one of {_SOURCES}, not {self.source!r}")
        object.__setattr__(self, "items", tuple(self.items))

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self):
        return iter(self.items)

    def __getitem__(self, index):
        return self.items[index]

    def __str__(self) -> str:
        lines = [self.note] if self.note else []
        if not self.items:
            lines.append(f"No results for {self.query!r}.")
        for number, item in enumerate(self.items, start=1):
            lines.append(f"{number}. {item.one_line()}")
        return "\n".join(lines)

    def _repr_pretty_(self, printer, cycle):
        printer.text(str(self))

    def _repr_html_(self) -> str:
        body = (
            type(self.items[0])._table_html(self.items)
            if self.items
            else f"<p>No results for <b>{html.escape(self.query)}</b>.</p>"
        )
        return note_html(self.note, self.source) + body


def note_html(note: str, source: str) -> str:
    """The learner's note about where results came from, as a coloured box."""
    if not note:
        return ""
    colour = {"recorded": "#fff4ce", "cache": "#eef3fb", "live": "#eaf7ea"}.get(source, "#eee")
    return (
        f'<div style="background:{colour};color:#222;border-radius:6px;padding:6px 10px;'
        f'margin:4px 0 8px 0;font-size:90%">{html.escape(note)}</div>'
    )


def now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


def when(moment: datetime | None) -> str:
    """A moment as the learner reads it: ``2026-11-28 10:15 UTC`` ("an unknown time" for None)."""
    if moment is None:
        return "an unknown time"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def normalise(text: str) -> str:
    """Lower case with single spaces: how queries are compared with the recordings."""
    return re.sub(r"\s+", " ", str(text)).strip().lower()


# --- pacing --------------------------------------------------------------------------------------


class Pacer:
    """Keep at least ``interval`` seconds between requests to one service (thread-safe)."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._last: float | None = None
        self._lock = threading.Lock()

    def wait(self) -> float:
        """Sleep until the next request is allowed; return the seconds slept."""
        with self._lock:
            slept = 0.0
            if self._last is not None:
                slept = max(0.0, self._last + self.interval - time.monotonic())
                if slept:
                    time.sleep(slept)
            self._last = time.monotonic()
            return slept


class Window:
    """Count requests in a sliding window, such as GitHub's 10 searches a minute."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._times: list[float] = []
        self._lock = threading.Lock()

    def _trim(self) -> None:
        cutoff = time.monotonic() - self.seconds
        self._times = [t for t in self._times if t > cutoff]

    def wait_needed(self, limit: int) -> float:
        """Seconds until one more request fits under ``limit`` (0 when it fits now)."""
        with self._lock:
            self._trim()
            if len(self._times) < limit:
                return 0.0
            return max(0.0, self._times[-limit] + self.seconds - time.monotonic())

    def add(self) -> None:
        with self._lock:
            self._trim()
            self._times.append(time.monotonic())


# --- cache ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stored:
    """One response body with its status, a few headers and the time it was fetched."""

    url: str
    status: int
    body: bytes
    headers: dict = field(default_factory=dict)
    fetched: datetime | None = None

    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.body)


def _cache_file(url: str) -> Path:
    slug = re.sub(r"[^a-z0-9]+", "-", url.split("://", 1)[-1].lower())[:60].strip("-")
    digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]
    return assets.cache_dir() / "research" / f"{slug}-{digest}.json"


def cache_read(url: str) -> Stored | None:
    """The cached answer for ``url`` (any age), or None."""
    try:
        path = _cache_file(url)
        data = json.loads(path.read_text("utf-8"))
        return Stored(
            url=data["url"],
            status=int(data["status"]),
            body=data["body"].encode("utf-8"),
            headers=dict(data.get("headers", {})),
            fetched=datetime.fromisoformat(data["fetched"]),
        )
    except (OSError, ValueError, KeyError, TypeError, WorkshopError):
        return None


def is_fresh(stored: Stored | None, max_age: float = CACHE_SECONDS) -> bool:
    """True when a cached answer is younger than ``max_age`` seconds."""
    if stored is None or stored.fetched is None:
        return False
    return (now() - stored.fetched).total_seconds() < max_age


def cache_write(url: str, status: int, body: bytes, headers: dict | None = None) -> None:
    """Keep an answer for later. Only public response data is written, never request headers."""
    try:
        path = _cache_file(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        record = {
            "url": url,
            "status": status,
            "headers": dict(headers or {}),
            "fetched": now().isoformat(),
            "body": body.decode("utf-8"),
        }
        temporary = path.with_suffix(".part")
        temporary.write_text(json.dumps(record), "utf-8")
        temporary.replace(path)
    except (OSError, UnicodeDecodeError, WorkshopError):
        pass  # a cache that cannot be written only costs a later request
