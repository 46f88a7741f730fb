"""Recorded answers to fall back on: the instructor's fresh snapshot first, then the packaged ones.

When arXiv or GitHub cannot be asked (offline switch, no internet, a refusal, a used-up limit),
the helpers answer from a recording, and the learner's note says which one and when it was made:

1. **The instructor's snapshot**: one file of fresh answers made before the session with
   ``python -m workshop_lib snapshot`` (see :mod:`workshop_lib.research.snapshot`). It is used
   when it is named with :func:`use_snapshot` or the environment variable ``WORKSHOP_SNAPSHOT``,
   or when a file called ``workshop-snapshot.json`` lies in the notebook's folder.
2. **The packaged recordings** in ``workshop_lib/data/recorded/``, listed in ``recordings.json``
   with how, when and from which sources each was made: the last fallback.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from ..errors import WorkshopError
from ._common import normalise

__all__ = ["SNAPSHOT_FILE", "SNAPSHOT_VARIABLE", "Recording", "use_snapshot"]

SNAPSHOT_VARIABLE = "WORKSHOP_SNAPSHOT"
"""Environment variable naming the instructor's snapshot file."""

SNAPSHOT_FILE = "workshop-snapshot.json"
"""The snapshot's usual name: a file by this name in the notebook's folder is used by itself."""

SNAPSHOT_FORMAT = "workshop_lib research snapshot 1"
"""Written into every snapshot, so that any other JSON file is refused."""


@dataclass(frozen=True)
class Recording:
    """One recorded answer, and how and when it was made.

    ``origin`` is ``"snapshot"`` for the instructor's snapshot, ``"packaged"`` for a recording
    that ships with the library. A packaged recording's body lies in ``path``; a snapshot's is
    held in ``data``.
    """

    service: str
    kind: str
    key: str
    status: int
    headers: dict
    recorded: str
    method: str
    sources: tuple = ()
    caveat: str = ""
    origin: str = "packaged"
    path: Path | None = None
    data: bytes | None = None
    figures_of: str = ""  # the date its figures describe, when older than the recording

    def as_of(self) -> datetime | None:
        """The moment the recorded facts describe (their figures' date, else the recording's)."""
        text = (self.figures_of or self.recorded).removesuffix(" UTC").strip()
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    def body(self) -> bytes:
        """The recorded response body."""
        if self.data is not None:
            return self.data
        if self.path is None:
            raise WorkshopError(f"The recording for {self.key!r} has no body.")
        return self.path.read_bytes()

    def describe(self) -> str:
        """``recorded on 2026-11-28 (assembled by hand from public pages)``."""
        return f"recorded on {self.recorded} ({self.method})"


# --- the packaged recordings ---------------------------------------------------------------------


def recorded_folder() -> Path:
    """The folder of recorded responses inside the installed package."""
    return Path(str(resources.files("workshop_lib") / "data" / "recorded"))


def packaged() -> list[Recording]:
    """Every recorded response listed in the package's ``recordings.json``."""
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
            status=int(entry.get("status", 200)),
            headers=dict(entry.get("headers", {})),
            recorded=entry["recorded"],
            method=entry["method"],
            sources=tuple(entry.get("sources", ())),
            caveat=entry.get("caveat", ""),
            path=folder / entry["file"],
            figures_of=entry.get("figures_of", ""),
        )
        for entry in index["recordings"]
    ]


# --- the instructor's snapshot -------------------------------------------------------------------

_CHOSEN: list[Path] = []  # the file named with use_snapshot(), if any
_LOADED: dict[tuple[str, float], list[Recording]] = {}  # (path, mtime) -> its answers


def snapshot_path() -> Path | None:
    """The snapshot file in use: named by :func:`use_snapshot`, the variable, or found here."""
    if _CHOSEN:
        return _CHOSEN[-1]
    named = os.environ.get(SNAPSHOT_VARIABLE, "").strip()
    if named:
        return Path(named).expanduser()
    here = Path.cwd() / SNAPSHOT_FILE
    return here if here.is_file() else None


def read_snapshot(path: str | os.PathLike) -> list[Recording]:
    """The answers in one snapshot file; a clear WorkshopError when it is not one."""
    path = Path(path).expanduser()
    try:
        key = (str(path.resolve()), path.stat().st_mtime)
        if key in _LOADED:
            return _LOADED[key]
        data = json.loads(path.read_text("utf-8"))
        if data.get("format") != SNAPSHOT_FORMAT:
            raise ValueError("it is not a workshop snapshot")
        answers = [_from_snapshot(entry, data) for entry in data["answers"]]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
        raise WorkshopError(
            f"{path} could not be read as the instructor's snapshot ({err}). Ask for the file "
            "again, or remove it to use the recordings that ship with the workshop."
        ) from err
    _LOADED[key] = answers
    return answers


def _from_snapshot(entry: dict, snapshot: dict) -> Recording:
    return Recording(
        service=entry["service"],
        kind=entry["kind"],
        key=entry["key"],
        status=int(entry.get("status", 200)),
        headers=dict(entry.get("headers", {})),
        recorded=entry.get("recorded") or snapshot["made"],
        method=snapshot.get("method", "the instructor's snapshot"),
        sources=tuple(entry.get("sources", ())),
        origin="snapshot",
        data=entry["body"].encode("utf-8"),
    )


def use_snapshot(path: str | os.PathLike | None = None) -> str:
    """Use the instructor's snapshot file as the first fallback, and say what it holds.

    Parameters
    ----------
    path : str or path, optional
        The snapshot file; by default ``workshop-snapshot.json`` in this folder.

    Returns
    -------
    str
        One sentence: how many answers, and when they were recorded.

    Raises
    ------
    WorkshopError
        When the file is missing or is not a snapshot.
    """
    path = Path(path or SNAPSHOT_FILE).expanduser()
    if not path.is_file():
        raise WorkshopError(
            f"There is no snapshot file at {path}. Put the file your instructor gave you in this "
            "notebook's folder (on Colab: the folder icon in the left bar, then Upload)."
        )
    answers = read_snapshot(path)
    _CHOSEN.append(path)
    made = sorted({a.recorded for a in answers})
    when = made[0] if len(made) == 1 else f"{made[0]} to {made[-1]}"
    return f"Using the snapshot {path.name}: {len(answers)} answers recorded {when}."


def _snapshot_answers() -> list[Recording]:
    path = snapshot_path()
    if path is None:
        return []
    try:
        return read_snapshot(path)
    except WorkshopError:
        if _CHOSEN or os.environ.get(SNAPSHOT_VARIABLE, "").strip():
            raise  # a file the learner named must work, or say why not
        return []  # a stray file that happens to have the name: the packaged ones still answer


# --- finding one -----------------------------------------------------------------------------------


def find(service: str, kind: str, key: str) -> Recording | None:
    """The recording for one request (snapshot first), matched on normalised text; else None."""
    wanted = normalise(key)
    for recording in [*_snapshot_answers(), *packaged()]:
        if (recording.service, recording.kind) == (service, kind) and normalise(
            recording.key
        ) == wanted:
            return recording
    return None


def keys(service: str, kind: str) -> list[str]:
    """The requests of one kind that have a recording, for messages."""
    found = [
        r.key for r in [*_snapshot_answers(), *packaged()] if (r.service, r.kind) == (service, kind)
    ]
    return list(dict.fromkeys(found))


def why(reason: str, recording: Recording) -> str:
    """The learner's note for recorded results: why, and from when."""
    if recording.origin == "snapshot":
        note = f"{reason} These results are from the instructor's snapshot, {recording.describe()}."
    else:
        note = f"{reason} These results are a recording that ships with the workshop, {recording.describe()}."
    return f"{note} {recording.caveat}".strip()


def missing(what: str, reason: str, service: str, kind: str) -> WorkshopError:
    """The error when the network cannot answer and nothing was recorded for this request."""
    shown = ", ".join(repr(k) for k in keys(service, kind)) or "none"
    return WorkshopError(
        f"{reason} There is no recorded answer for {what} either. Recorded ones: {shown}. "
        "Try one of those, or run this cell again in a minute or two (or once you are online)."
    )
