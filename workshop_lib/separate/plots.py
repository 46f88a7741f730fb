"""Pictures for the separation notebook: masks over the spectrogram, stems side by side, SDR bars."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..media.audio import as_channels_first, plot_audio

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plot_masks", "plot_research_progress", "plot_sdr", "plot_stems"]

# Published overall SDR on the MUSDB18 test set, in dB (Demucs README's comparison table).
RESEARCH_PROGRESS = {
    "Open-Unmix (2019)": 5.3,
    "Spleeter (2019)": 5.9,
    "Hybrid Demucs v3 (2021)": 7.7,
    "HT Demucs v4 (2022)": 9.0,
}


def _spectrogram_db(samples: np.ndarray, frame_length: int = 4096, hop: int = 1024) -> np.ndarray:
    """Magnitude in dB, (bins, frames), of the channel mean, framed as Spleeter frames it."""
    mono = as_channels_first(samples).mean(axis=0)
    mono = np.concatenate([np.zeros(frame_length, dtype=mono.dtype), mono])
    count = max(1, int(np.ceil(mono.size / hop)))
    mono = np.pad(mono, (0, (count - 1) * hop + frame_length - mono.size))
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(frame_length) / frame_length)
    frames = np.lib.stride_tricks.sliding_window_view(mono, frame_length)[::hop] * window
    magnitude = np.abs(np.fft.rfft(frames, axis=1)).T
    return 20 * np.log10(magnitude + 1e-6)


def plot_masks(
    masks: dict, samples: np.ndarray, sample_rate: int, *, max_hz: float = 16000
) -> Figure:
    """Draw the song's spectrogram, then each stem's mask over the same time and frequencies.

    Parameters
    ----------
    masks : dict of str to numpy.ndarray
        From :meth:`Separator.masks`: stem name to ``(2049 bins, 512 frames)`` values 0 to 1.
    samples : numpy.ndarray
        The song (the first 11.9 s are shown).
    sample_rate : int
        44100.
    max_hz : float
        Highest frequency drawn.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    frames = next(iter(masks.values())).shape[1]
    spectrum = _spectrogram_db(as_channels_first(samples)[:, : frames * 1024])[:, :frames]
    top = int(max_hz * 4096 / sample_rate)
    extent = (
        -4096 / sample_rate,
        (frames * 1024 - 4096) / sample_rate,
        0,
        top * sample_rate / 4096,
    )
    figure, axes = plt.subplots(
        1,
        len(masks) + 1,
        figsize=(3 * (len(masks) + 1) + 1, 3.2),
        sharey=True,
        layout="constrained",
    )
    axes[0].imshow(
        spectrum[:top],
        origin="lower",
        aspect="auto",
        extent=extent,
        cmap="magma",
        vmin=spectrum.max() - 90,
    )
    axes[0].set_title("the song (spectrogram)")
    axes[0].set_ylabel("frequency (Hz)")
    for ax, (name, mask) in zip(axes[1:], masks.items(), strict=True):
        ax.imshow(
            mask[:top], origin="lower", aspect="auto", extent=extent, cmap="viridis", vmin=0, vmax=1
        )
        ax.set_title(f"mask: {name}")
    for ax in axes:
        ax.set_xlabel("time (s)")
    figure.colorbar(axes[-1].images[0], ax=axes, label="share of each cell (0 to 1)")
    return figure


def plot_stems(stems: dict, sample_rate: int) -> Figure:
    """Waveform above spectrogram for every stem, side by side.

    Parameters
    ----------
    stems : dict of str to numpy.ndarray, or a Separation
        Stem name to samples.
    sample_rate : int
        Samples per second.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    stems = getattr(stems, "stems", stems)
    figure, axes = plt.subplots(
        2,
        len(stems),
        figsize=(3.4 * len(stems), 4),
        sharex=True,
        height_ratios=(1, 2),
        squeeze=False,
    )
    for column, (name, samples) in enumerate(stems.items()):
        with np.errstate(divide="ignore"):  # silent stretches have no level in dB
            plot_audio(samples, sample_rate, title=name, axes=(axes[0, column], axes[1, column]))
        if column:
            axes[0, column].set_ylabel("")
            axes[1, column].set_ylabel("")
    figure.tight_layout()
    return figure


def plot_sdr(scores: dict, *, title: str = "Separation quality on the sample song") -> Figure:
    """Bars of SDR per stem in dB, with Spleeter's published MUSDB18 average for comparison.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    figure, ax = plt.subplots(figsize=(7, 1.4 + 0.45 * len(scores)))
    names = list(scores)
    values = [scores[n] if np.isfinite(scores[n]) else 0.0 for n in names]
    ax.barh(names, values, color="tab:blue")
    ax.axvline(
        5.9, color="tab:orange", linestyle="--", label="Spleeter on MUSDB18\n(5.9 dB average)"
    )
    ax.axvline(0, color="black", linewidth=0.8)
    for y, value in enumerate(values):
        ax.text(value, y, f" {value:.1f} dB", va="center", ha="left" if value >= 0 else "right")
    low, high = min([*values, 0.0]), max([*values, 5.9])
    room = 0.2 * (high - low)  # for the labels at the ends of the bars
    ax.set_xlim(low - (room if low < 0 else 0), high + room)
    ax.set_xlabel("SDR (dB): higher is better")
    ax.set_title(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small", frameon=False)
    ax.invert_yaxis()
    figure.tight_layout()
    return figure


def plot_research_progress() -> Figure:
    """Bars of published MUSDB18 SDR: Open-Unmix, Spleeter, Hybrid Demucs and HT Demucs."""
    import matplotlib.pyplot as plt

    figure, ax = plt.subplots(figsize=(6, 2.2))
    names, values = list(RESEARCH_PROGRESS), list(RESEARCH_PROGRESS.values())
    colours = ["tab:gray", "tab:orange", "tab:gray", "tab:green"]
    ax.barh(names, values, color=colours)
    for y, value in enumerate(values):
        ax.text(value, y, f" {value} dB", va="center")
    ax.set_xlim(0, 10.5)
    ax.set_xlabel("overall SDR on the MUSDB18 test songs (dB)")
    ax.invert_yaxis()
    figure.tight_layout()
    return figure
