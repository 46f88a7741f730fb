"""Pictures of how machines talk: a neural voice step by step, the SV2TTS cloning design, and
long texts spoken sentence by sentence (each sentence playable as soon as it is ready).
"""

from __future__ import annotations

import html
import time
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import WorkshopError
from ..media.audio import draw_waveform
from .engine import PipelineSteps

if TYPE_CHECKING:
    import torch
    from matplotlib.figure import Figure

    from .engine import Engine

__all__ = ["PipelineSteps", "plot_pipeline", "plot_sv2tts", "show_sentences"]


def plot_pipeline(steps: PipelineSteps) -> Figure:
    """Draw what a neural voice did with a sentence: text → symbols → timing → spectrogram → sound.

    Parameters
    ----------
    steps : PipelineSteps
        From the ``explain()`` method of a neural engine (Piper, or a coqui-tts VITS model).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    seconds = steps.samples.size / steps.sample_rate
    figure, axes = plt.subplots(
        4, 1, figsize=(11, 8.5), height_ratios=(0.9, 2.2, 2, 1), constrained_layout=True
    )
    text_ax, align_ax, spec_ax, wave_ax = axes
    _draw_text(text_ax, steps)
    _draw_timing(align_ax, steps, seconds)
    _draw_spectrogram(spec_ax, steps, seconds)
    draw_waveform(wave_ax, steps.samples, steps.sample_rate, linewidth=0.4)
    wave_ax.set_xlim(0, seconds)
    wave_ax.set_ylim(-1.05, 1.05)
    wave_ax.set_xlabel("time (s)")
    wave_ax.set_title("7. waveform: the sound itself", fontsize=10, loc="left")
    plt.close(figure)  # shown once, as the cell's result
    return figure


def _draw_text(axes, steps: PipelineSteps) -> None:
    """Steps 1-4 as lines of text: the sentence, normalised, as symbols, as numbers."""
    axes.axis("off")
    kind = "phonemes (from espeak-ng)" if steps.uses_phonemes else "letters"
    lines = [
        f"1. text:  {steps.text}",
        f"2. normalised:  {steps.cleaned}",
        f"3. {kind}:  {steps.symbols}",
        f"4. numbers the network reads ({len(steps.token_ids)}, blanks between symbols):  "
        + " ".join(map(str, steps.token_ids[:40]))
        + (" …" if len(steps.token_ids) > 40 else ""),
    ]
    for row, line in enumerate(lines):
        axes.text(0, 1 - row * 0.3, line, fontsize=9, va="top", family="monospace", wrap=True)


def _draw_timing(axes, steps: PipelineSteps, seconds: float) -> None:
    """Step 5: which symbol is said when (when the model reports it)."""
    alignment = np.asarray(steps.alignment, dtype=np.float32)
    axes.set_title(
        "5. how long each symbol lasts (the model's predicted timing)", fontsize=10, loc="left"
    )
    axes.set_xlim(0, seconds)
    axes.set_ylabel("symbol")
    if alignment.ndim != 2 or not alignment.size:
        axes.set_yticks([])
        axes.text(
            0.5,
            0.5,
            "This model decides the timing inside its network and does not report it.",
            ha="center",
            va="center",
            transform=axes.transAxes,
            fontsize=9,
        )
        return
    frames, rate = alignment.shape[1], steps.sample_rate
    axes.imshow(
        alignment,
        aspect="auto",
        origin="lower",
        cmap="Greys",
        interpolation="nearest",
        extent=(0, frames * steps.hop_length / rate, -0.5, alignment.shape[0] - 0.5),
    )
    labels = steps.tokens if len(steps.tokens) == alignment.shape[0] else []
    shown = [(i, t) for i, t in enumerate(labels) if t.strip() and t != "␣"]
    step = max(1, len(shown) // 45)
    axes.set_yticks([i for i, _ in shown[::step]], [t for _, t in shown[::step]], fontsize=7)
    axes.set_xlim(0, seconds)


def _draw_spectrogram(axes, steps: PipelineSteps, seconds: float) -> None:
    """Step 6: the spectrogram of the sound."""
    samples, rate = steps.samples, steps.sample_rate
    window = 1024 if rate >= 22050 else 512
    if samples.size >= window:
        with np.errstate(divide="ignore"):  # silent stretches have zero energy
            axes.specgram(
                samples, NFFT=window, Fs=rate, noverlap=window * 3 // 4, cmap="magma", vmin=-120
            )
    axes.set_ylim(0, min(8000, rate / 2))
    axes.set_ylabel("frequency (Hz)")
    axes.set_title("6. spectrogram: which frequencies sound when", fontsize=10, loc="left")
    axes.set_xlim(0, seconds)


def plot_sv2tts() -> Figure:
    """Draw the design of SV2TTS / Real-Time-Voice-Cloning: speaker encoder, synthesizer, vocoder."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    figure, axes = plt.subplots(figsize=(11, 3.6))
    axes.axis("off")
    axes.set_xlim(0, 11)
    axes.set_ylim(0, 3.6)

    def box(x, y, text, colour, width=2.1):
        axes.add_patch(
            FancyBboxPatch(
                (x, y), width, 0.9, boxstyle="round,pad=0.08", facecolor=colour, edgecolor="black"
            )
        )
        axes.text(x + width / 2, y + 0.45, text, ha="center", va="center", fontsize=9)

    def arrow(start, end):
        axes.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=14))

    box(0.1, 2.4, "your recording\n(a few seconds)", "#f4f4f4")
    box(2.8, 2.4, "1. speaker encoder\n(GE2E, 2017)", "#cfe2ff")
    box(5.5, 2.4, "voice fingerprint\n(256 numbers)", "#f4f4f4")
    box(0.1, 0.6, "text to say", "#f4f4f4")
    box(4.1, 0.6, "2. synthesizer\n(Tacotron)", "#d1e7dd")
    box(6.8, 0.6, "3. vocoder\n(WaveRNN)", "#fff3cd")
    box(9.3, 0.6, "new speech in\nthat voice", "#f4f4f4", width=1.6)
    arrow((2.2, 2.85), (2.8, 2.85))
    arrow((4.9, 2.85), (5.5, 2.85))
    arrow((6.5, 2.4), (5.4, 1.55))
    arrow((2.2, 1.05), (4.1, 1.05))
    arrow((6.2, 1.05), (6.8, 1.05))
    arrow((8.9, 1.05), (9.3, 1.05))
    axes.text(6.5, 0.25, "synthesizer → mel spectrogram → vocoder", fontsize=8, ha="center")
    axes.set_title(
        "Real-Time-Voice-Cloning (SV2TTS): three networks, each trained separately", fontsize=11
    )
    plt.close(figure)  # shown once, as the cell's result
    return figure


def show_sentences(
    engine: str | Engine,
    text: str,
    *,
    voice: Any = None,
    speed: float = 1.0,
    device: str | torch.device | None = None,
) -> tuple[np.ndarray, int]:
    """Speak a long text sentence by sentence, showing each player as soon as its sentence is ready.

    You can listen to the first sentence while the others are still being made. At the end the
    whole text is shown as one player.

    Parameters
    ----------
    engine : str or Engine
        The engine (see :func:`~workshop_lib.speech.get_engine`).
    text : str
        The text, any number of sentences.
    voice : str or ClonedVoice, optional
        The voice.
    speed : float
        0.5 to 2.0.
    device : str, torch.device or None
        Where a neural engine runs; None chooses (see :func:`workshop_lib.runtime.pick_device`).

    Returns
    -------
    samples : numpy.ndarray
        The whole text as one sound.
    sample_rate : int
    """
    from IPython.display import HTML, display

    from ..media.audio import play
    from .engine import join_sentences
    from .registry import get_engine

    engine = get_engine(engine, device=device)
    started = time.perf_counter()
    sentences = []
    for number, sentence in enumerate(
        engine.speak_sentences(text, voice=voice, speed=speed), start=1
    ):
        ready = time.perf_counter() - started
        sentences.append(sentence)
        display(
            HTML(
                f"<div><b>Sentence {number}</b> ready after {ready:.1f} s "
                f"({sentence.duration:.1f} s of sound): <i>{html.escape(sentence.text)}</i>"
                f"{play(sentence.samples, sentence.sample_rate)._repr_html_()}</div>"
            )
        )
    if not sentences:
        raise WorkshopError("There was nothing to say.")
    samples, rate = join_sentences(sentences)
    total = time.perf_counter() - started
    display(
        HTML(
            f"<div><b>All {len(sentences)} sentences</b> ({total:.1f} s to make, {samples.size / rate:.1f} s of sound):</div>"
        )
    )
    display(play(samples, rate))
    return samples, rate
