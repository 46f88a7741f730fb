"""The app's limits on what visitors send, with plain messages, and deleting uploads after use.

A notebook trusts its one learner; a web app gets files from anyone. Every upload is checked
before a model sees it (size in megabytes, the photo's pixels, the song's length; the text's
length with the speech engines' own check), and deleted from the server once it has been read
(see :mod:`workshop_lib.app.uploads`). One visitor may have only a few requests in the queue at
once (see :mod:`workshop_lib.app.fairqueue`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import WorkshopError

__all__ = ["Limits", "check_size", "check_song"]


@dataclass(frozen=True)
class Limits:
    """What the app accepts from one request.

    Attributes
    ----------
    photo_megabytes : float
        Largest photo file.
    photo_side : int
        Longer photos are shrunk to this many pixels a side before colouring.
    song_megabytes : float
        Largest song file.
    song_seconds : float
        Longest song.
    text_characters : int
        Longest text to speak.
    session_minutes : float
        A visitor's photo and hints are forgotten this long after their last click.
    results_minutes : float
        Results (pictures, sounds) stay downloadable this long, then they are deleted.
    requests_per_visitor : int
        Requests one visitor (one open page) may have in the queue at once, running included.
    """

    photo_megabytes: float = 10
    photo_side: int = 2048
    song_megabytes: float = 40
    song_seconds: float = 360
    text_characters: int = 500
    session_minutes: float = 15
    results_minutes: float = 10
    requests_per_visitor: int = 3

    @property
    def largest_upload(self) -> int:
        """Bytes of the largest file any tab accepts (the server refuses larger uploads outright)."""
        return int(max(self.photo_megabytes, self.song_megabytes) * 1_000_000)

    def describe(self) -> str:
        """The limits as one Markdown list, for the app's page."""
        return "\n".join(
            (
                f"- Photos: up to {self.photo_megabytes:g} MB; larger than "
                f"{self.photo_side} pixels a side are shrunk.",
                f"- Songs: up to {self.song_megabytes:g} MB and {self.song_seconds / 60:g} minutes.",
                f"- Text to speak: up to {self.text_characters} characters.",
                f"- Requests: up to {self.requests_per_visitor} from one visitor in the queue at "
                "once; visitors take turns.",
            )
        )


def check_size(path: Path, *, limit_megabytes: float, what: str, name: str, advice: str) -> None:
    """Refuse a file larger than the limit, naming its size, the limit, and what to do."""
    size = path.stat().st_size
    if size > limit_megabytes * 1_000_000:
        raise WorkshopError(
            f"'{name}' is {size / 1_000_000:.1f} MB; this app takes {what} of up to "
            f"{limit_megabytes:g} MB. {advice}"
        )


def check_song(path: Path, *, limits: Limits, name: str) -> float:
    """Check a song file's size and length before it is decoded; returns its length in seconds."""
    from ..media import audio

    check_size(
        path,
        limit_megabytes=limits.song_megabytes,
        what="songs",
        name=name,
        advice="Cut it shorter or save it as MP3, then upload it again.",
    )
    rate, _channels, frames = audio.audio_info(path)
    seconds = frames / max(rate, 1)
    if seconds > limits.song_seconds:
        raise WorkshopError(
            f"'{name}' lasts {seconds / 60:.1f} minutes; this app separates songs of up to "
            f"{limits.song_seconds / 60:g} minutes, so that everyone in the queue gets a turn. "
            "Cut out the part you want (for example with Audacity) and upload that."
        )
    if frames <= 0:
        raise WorkshopError(f"'{name}' holds no sound at all (zero length).")
    return seconds
