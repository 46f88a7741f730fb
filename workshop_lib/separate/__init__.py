"""Music source separation with Deezer's Spleeter, in PyTorch, loading Deezer's own model files.

The names a notebook needs: :func:`separate` (one line), :class:`Separator` (a loaded model),
:class:`SeparateWidget` (buttons, players and a mixer), :func:`load_sample_song` (the workshop's
own song with its true parts), :func:`sdr` (separation quality) and the plots.

Examples
--------
>>> from workshop_lib.separate import load_sample_song, separate
>>> song = load_sample_song()
>>> parts = separate(song.mix, song.sample_rate, stems=4)  # doctest: +SKIP
>>> parts.names  # doctest: +SKIP
['vocals', 'drums', 'bass', 'other']
"""

from .apply import Cancelled
from .evaluation import framewise_sdr, sdr
from .plots import plot_masks, plot_research_progress, plot_sdr, plot_stems
from .sample import SampleSong, load_sample_song
from .separator import Separation, Separator, separate
from .widget import SeparateWidget

__all__ = [
    "Cancelled",
    "SampleSong",
    "SeparateWidget",
    "Separation",
    "Separator",
    "framewise_sdr",
    "load_sample_song",
    "plot_masks",
    "plot_research_progress",
    "plot_sdr",
    "plot_stems",
    "sdr",
    "separate",
]
