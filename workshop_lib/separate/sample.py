"""The workshop's own sample song, with its true parts, for hearing and scoring a separation."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from .. import assets
from ..media.audio import load_audio

__all__ = ["SampleSong", "load_sample_song"]

PARTS = ("vocals", "drums", "bass", "piano")


@dataclass(frozen=True)
class SampleSong:
    """A short song and the four parts it is the sum of, float32 ``(2, samples)`` at 44.1 kHz."""

    mix: np.ndarray
    parts: dict[str, np.ndarray]
    sample_rate: int

    def references(self, stems: Iterable[str]) -> dict[str, np.ndarray]:
        """The true stems as a model names them: the parts, regrouped for its stems.

        ``accompaniment`` is everything but the vocals; ``other`` is the piano for 4 stems (the
        part no other stem takes). A 5-stem model's ``other`` has nothing to find in this song,
        so it is left out.
        """
        stems = list(stems)
        result = {name: self.parts[name] for name in stems if name in self.parts}
        if "accompaniment" in stems:
            result["accompaniment"] = self.mix - self.parts["vocals"]
        if "other" in stems and "piano" not in stems:
            result["other"] = self.parts["piano"]
        return result


def load_sample_song() -> SampleSong:
    """Load the sample song that ships with the workshop (19 s, made by tools/make_sample_music.py).

    Examples
    --------
    >>> song = load_sample_song()
    >>> sorted(song.parts), song.sample_rate
    (['bass', 'drums', 'piano', 'vocals'], 44100)
    """
    parts = {}
    for name in PARTS:
        parts[name], _ = load_audio(assets.bundled(f"music/sample_{name}.ogg"), sample_rate=44100)
    mix = np.sum(list(parts.values()), axis=0).astype(np.float32)
    return SampleSong(mix=mix, parts=parts, sample_rate=44100)
