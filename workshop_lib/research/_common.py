"""What the arXiv and GitHub helpers share: results with a source note, cache, recordings, pacing.

Every answer says where it came from: ``"live"`` (asked just now), ``"cache"`` (asked earlier
on this computer, kept for an hour) or ``"recorded"`` (a response that ships with the library,
used offline, when a service refuses, or when the network fails). Recorded responses live in
``workshop_lib/data/recorded/`` with an index, ``recordings.json``, that says for each file how
and when it was made and from which sources.
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
from importlib import resources
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


def when(moment: datetime) -> str:
    """A moment as the learner reads it: ``2026-11-28 10:15 UTC``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def normalise(text: str) -> str:
    """Lower case with single spaces: how queries are compared with the recordings."""
    return re.sub(r"\s+", " ", str(text)).strip().lower()


# --- pacing --------------------------------------------------------------------------------------


class Pacer:
    """Keep at least ``interval`` seconds between requests to one service (thread-safe)."""

    def __init__(self, interval: float):
        self.interval = interval
        self._last = None
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

    def __init__(self, seconds: float):
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


# --- recordings ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recording:
    """One recorded response that ships with the library, and how it was made."""

    service: str
    kind: str
    key: str
    path: Path
    status: int
    headers: dict
    recorded: str
    method: str
    sources: tuple = ()
    caveat: str = ""

    def body(self) -> bytes:
        return self.path.read_bytes()

    def describe(self) -> str:
        """``recorded on 2026-11-28 (assembled by hand from public pages)``."""
        return f"recorded on {self.recorded} ({self.method})"


def recorded_folder() -> Path:
    """The folder of recorded responses inside the installed package."""
    return Path(str(resources.files("workshop_lib") / "data" / "recorded"))


def recordings() -> list[Recording]:
    """Every recorded response listed in ``recordings.json``."""
    folder = recorded_folder()
    try:
        index = json.loads((folder / "recordings.json").read_text("utf-8"))
    except (OSError, ValueError) as err:
        raise WorkshopError(
            f"The recorded answers that ship with the workshop could not be read ({err}). "
            "Reinstall the workshop library (run the setup cell again)."
        ) from err
    return [
        Recording(
            service=entry["service"],
            kind=entry["kind"],
            key=entry["key"],
            path=folder / entry["file"],
            status=int(entry.get("status", 200)),
            headers=dict(entry.get("headers", {})),
            recorded=entry["recorded"],
            method=entry["method"],
            sources=tuple(entry.get("sources", ())),
            caveat=entry.get("caveat", ""),
        )
        for entry in index["recordings"]
    ]


def find_recording(service: str, kind: str, key: str) -> Recording | None:
    """The recording for one request, matched on normalised text; None when there is none."""
    wanted = normalise(key)
    for recording in recordings():
        if (recording.service, recording.kind) == (service, kind) and normalise(
            recording.key
        ) == wanted:
            return recording
    return None


def recorded_keys(service: str, kind: str) -> list[str]:
    """The requests of one kind that have a recording, for messages."""
    return [r.key for r in recordings() if (r.service, r.kind) == (service, kind)]


def why_recorded(reason: str, recording: Recording) -> str:
    """The learner's note for recorded results: why, and from when."""
    note = f"{reason} These results are a recording that ships with the workshop, {recording.describe()}."
    return f"{note} {recording.caveat}".strip()


def no_recording(what: str, reason: str, service: str, kind: str) -> WorkshopError:
    """The error when the network cannot answer and nothing was recorded for this request."""
    keys = recorded_keys(service, kind)
    shown = ", ".join(repr(k) for k in keys) or "none"
    return WorkshopError(
        f"{reason} There is no recorded answer for {what} either. Recorded ones: {shown}. "
        "Try one of those, or run this cell again in a minute or two (or once you are online)."
    )
