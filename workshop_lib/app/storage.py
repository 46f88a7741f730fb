"""The app's private folder: made with a lock, swept of old files, removed however the app stops.

Every running app holds an open, locked file in its folder (``owner.lock``, with the process
number written in it). The lock goes away with the process, whether it closed properly or
crashed, so the next app that starts can tell a folder left by a crash from one still in use, and
removes the left-over ones (:func:`remove_stale`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

__all__ = ["PREFIX", "PrivateFolder", "remove_stale"]

PREFIX = "workshop-app-"
_LOCK = "owner.lock"

try:  # POSIX: the kernel drops the lock when the process ends, however it ends
    import fcntl
except ImportError:  # Windows: the process number is checked instead
    fcntl = None  # type: ignore[assignment]


def _lock(handle) -> bool:
    """Take the lock on an open file without waiting; True when taken."""
    if fcntl is None:
        return True
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _alive(pid: int) -> bool:
    try:
        import psutil
    except ImportError:  # cannot tell: keep the folder
        return True
    return psutil.pid_exists(pid)


def _left_over(folder: Path) -> bool:
    """True when no running app owns this folder (its owner crashed or was killed)."""
    lock = folder / _LOCK
    if not lock.exists():  # being made right now, or made by another program: leave it
        return False
    if fcntl is None:
        try:
            return not _alive(int(lock.read_text().strip() or 0))
        except (OSError, ValueError):
            return False
    try:
        with lock.open("a+") as handle:
            return _lock(handle)  # closing the file releases the lock again
    except OSError:
        return False


def remove_stale(parent: str | Path | None = None) -> list[Path]:
    """Remove app folders left behind by an app that crashed or was killed; returns them.

    Parameters
    ----------
    parent : str or Path, optional
        Where the app folders are made; None: the computer's temporary folder.
    """
    parent = Path(parent or tempfile.gettempdir())
    removed = []
    for folder in sorted(parent.glob(PREFIX + "*")):
        if folder.is_dir() and not folder.is_symlink() and _left_over(folder):
            shutil.rmtree(folder, ignore_errors=True)
            if not folder.exists():
                removed.append(folder)
    return removed


class PrivateFolder:
    """A fresh private folder for one app, locked while the app runs.

    Parameters
    ----------
    parent : str or Path, optional
        Where to make it; None: the computer's temporary folder.

    Attributes
    ----------
    path : Path
        The folder (resolved).
    """

    def __init__(self, parent: str | Path | None = None) -> None:
        self.path = Path(tempfile.mkdtemp(prefix=PREFIX, dir=parent)).resolve()
        self._handle = None
        self._sweeper: threading.Thread | None = None
        self._stop = threading.Event()
        try:
            self._handle = (self.path / _LOCK).open("w")  # held open while the app runs
            _lock(self._handle)
            self._handle.write(f"{os.getpid()}\n")
            self._handle.flush()
        except BaseException:
            self.remove()
            raise

    @property
    def results(self) -> Path:
        """Where the results are written, one fresh sub-folder per request."""
        return self.path / "results"

    def files(self) -> list[Path]:
        """Every file in the folder now, except the lock."""
        if not self.path.is_dir():
            return []
        return sorted(p for p in self.path.rglob("*") if p.is_file() and p.name != _LOCK)

    def sweep(self, age_seconds: float, keep: Callable[[Path, float], bool] | None = None) -> int:
        """Delete every file older than ``age_seconds`` (results, Gradio's copies, uploads).

        ``keep(path, age)`` may spare a file (an upload that a waiting request still needs).
        Returns how many files were deleted.
        """
        deleted = 0
        now = time.time()
        for path in self.files():
            with contextlib.suppress(OSError):
                age = now - max(path.lstat().st_ctime, path.lstat().st_mtime)
                if age > age_seconds and not (keep and keep(path, age)):
                    path.unlink()
                    deleted += 1
        for folder in sorted(self.path.rglob("*"), key=lambda p: len(p.parts), reverse=True):
            with contextlib.suppress(OSError):  # only old, empty ones go (not one being filled)
                if folder.is_dir() and not folder.is_symlink():
                    if now - folder.stat().st_mtime > age_seconds:
                        folder.rmdir()
        return deleted

    def start_sweeping(
        self, age_seconds: float, keep: Callable[[Path, float], bool] | None = None
    ) -> None:
        """Sweep in the background (every ``age_seconds / 4``, at least every minute)."""
        if self._sweeper is not None:
            return
        every = min(max(age_seconds / 4, 0.5), 60)

        def run() -> None:
            while not self._stop.wait(every):
                self.sweep(age_seconds, keep)

        self._sweeper = threading.Thread(target=run, name="workshop-app-sweeper", daemon=True)
        self._sweeper.start()

    def remove(self) -> None:
        """Stop sweeping, release the lock and delete the folder with everything in it."""
        self._stop.set()
        if self._handle is not None:
            with contextlib.suppress(OSError):
                self._handle.close()
            self._handle = None
        shutil.rmtree(self.path, ignore_errors=True)
