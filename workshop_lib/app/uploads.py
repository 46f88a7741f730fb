"""Uploads, counted: each is deleted once the last request that sent it has read it.

Gradio stores an upload under a hash of its content, so two visitors who send the same file (the
handout's sample song, say) share one copy on the server. Deleting that copy as soon as the
first request has read it would make the second visitor's request fail. So the server counts:
:class:`UploadCounter` (a small layer in front of Gradio's web server) adds one for every upload
it answers, before the visitor learns where the file lies, and :meth:`Uploads.release` takes one
off after a request has read the file; the file is deleted when the count reaches zero. While an
upload is still arriving, deletions wait, so a copy being written again is never deleted under
a visitor's feet. No visitor's request depends on another's.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

__all__ = ["LONGEST_WAIT", "UploadCounter", "Uploads"]

LONGEST_WAIT = 3600
"""Seconds an upload is kept for a request that has not read it yet (then it is deleted)."""


class Uploads:
    """The uploads in the app's folder, with how many requests still need each.

    Parameters
    ----------
    folder : Path
        The app's private folder; files outside it are never deleted.

    Attributes
    ----------
    received : list of Path
        The last 1,000 uploads read by a request (to check that none is left).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder).resolve()
        self.received: list[Path] = []
        self._counts: Counter[Path] = Counter()
        self._arriving = 0
        self._waiting: set[Path] = set()
        self._lock = threading.Lock()

    def _inside(self, path) -> Path | None:
        path = Path(path).absolute()
        if not path.is_relative_to(self.folder) or path == self.folder:
            return None
        return path

    # --- called by UploadCounter, in the web server ---------------------------------------------

    def arriving(self) -> None:
        """An upload has started: deletions wait until it has been answered."""
        with self._lock:
            self._arriving += 1

    def arrived(self, paths: Iterable[str | Path]) -> None:
        """The server stored these uploads (one count each, even for a shared copy)."""
        with self._lock:
            for path in paths:
                inside = self._inside(path)
                if inside is not None:
                    self._counts[inside] += 1
                    self._waiting.discard(inside)

    def answered(self) -> None:
        """An upload has been answered: delete what waited for it and nobody needs now."""
        with self._lock:
            self._arriving = max(self._arriving - 1, 0)
            if self._arriving:
                return
            waiting, self._waiting = self._waiting, set()
            for path in waiting:
                if not self._counts[path]:
                    self._delete(path)

    # --- called by the app's requests -----------------------------------------------------------

    def release(self, path: str | Path) -> bool:
        """A request has read this upload: take one count off; delete it at zero.

        Files outside the app's folder (bundled samples) are never deleted. Returns True when
        the file was deleted now.
        """
        inside = self._inside(path)
        if inside is None:
            return False
        with self._lock:
            self.received.append(inside)
            del self.received[:-1000]
            if self._counts[inside] > 1:
                self._counts[inside] -= 1
                return False
            self._counts.pop(inside, None)
            if self._arriving:  # the same content may be being stored again right now
                self._waiting.add(inside)
                return False
            return self._delete(inside)

    def needed(self, path: str | Path) -> int:
        """How many requests that sent this file have not read it yet."""
        inside = self._inside(path)
        with self._lock:
            return self._counts.get(inside, 0) if inside else 0

    def kept(self, path: str | Path, age: float) -> bool:
        """Should the sweep spare this file? Yes for an upload a request still needs (for up
        to :data:`LONGEST_WAIT` seconds: a visitor who uploaded and left does not keep it)."""
        return age < LONGEST_WAIT and self.needed(path) > 0

    def left(self) -> list[Path]:
        """Uploads read by a request that are still on the server (should be none)."""
        with self._lock:
            return [path for path in dict.fromkeys(self.received) if path.exists()]

    def _delete(self, path: Path) -> bool:
        existed = path.is_file()
        path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # not empty: another upload in the same folder
            if path.parent != self.folder:
                path.parent.rmdir()
        return existed


class UploadCounter:
    """A layer in front of the web server that counts every upload it answers (ASGI middleware).

    Parameters
    ----------
    app
        The web application behind it.
    uploads : Uploads
        Where the counts are kept.
    """

    def __init__(self, app: Callable, uploads: Uploads) -> None:
        self.app = app
        self.uploads = uploads

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        """Pass a request on; for an upload, count the stored files before answering."""
        if not (
            scope.get("type") == "http"
            and scope.get("method") == "POST"
            and str(scope.get("path", "")).rstrip("/").endswith("/upload")
        ):
            await self.app(scope, receive, send)
            return
        status, body = [0], []

        async def counted(message):
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            elif message["type"] == "http.response.body":
                body.append(message.get("body", b""))
                if not message.get("more_body") and status[0] == 200:
                    with contextlib.suppress(ValueError, TypeError):
                        paths = json.loads(b"".join(body))
                        if isinstance(paths, list):
                            self.uploads.arrived(str(p) for p in paths)
            await send(message)

        self.uploads.arriving()
        try:
            await self.app(scope, receive, counted)
        finally:
            self.uploads.answered()
