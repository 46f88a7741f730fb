"""How engineers measure a voice: intelligibility (word error rate) and speed (real-time factor).

An offline speech recogniser (pocketsphinx, whose wheel ships an English model) writes down what
it hears; the **word error rate** compares that with the text that was spoken. The **real-time
factor** is the time spent making the sound divided by the sound's length: below 1 is faster than
real time. Also here: the same sentence through every engine, side by side.

pocketsphinx is a small recogniser from the 2000s. A high word error rate can mean the voice is
hard to understand, or only that this recogniser is bad at it: use it to compare engines on the
same sentence, not as a grade. Listening tests (people rating voices from 1 to 5, the "mean
opinion score") remain the real measure.
"""

from __future__ import annotations

import html
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..errors import WorkshopError

if TYPE_CHECKING:
    from collections.abc import Iterable

    import torch
    from IPython.display import HTML
    from matplotlib.figure import Figure

    from .engine import Engine

__all__ = [
    "Measurement",
    "measure",
    "measure_engines",
    "measurements_table",
    "play_all",
    "plot_side_by_side",
    "speak_with_every_engine",
    "transcribe",
    "word_error_rate",
]

_RECOGNISER_RATE = 16000
_decoder = None


def _words(text: str) -> list[str]:
    text = text.lower().replace("’", "'")
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text)


def word_error_rate(reference: str, hypothesis: str) -> float:
    """The share of words got wrong: (substitutions + deletions + insertions) / words said.

    Words are compared in lower case without punctuation. 0.0 is perfect; it can exceed 1.0
    when many words are inserted.

    Parameters
    ----------
    reference : str
        The text that was spoken.
    hypothesis : str
        What the recogniser heard.

    Examples
    --------
    >>> word_error_rate("Give me your answer, do!", "give me your answer to")
    0.2
    """
    said, heard = _words(reference), _words(hypothesis)
    if not said:
        raise WorkshopError(
            "The reference text has no words, so no word error rate can be computed."
        )
    previous = list(range(len(heard) + 1))
    for i, word in enumerate(said, start=1):
        current = [i] + [0] * len(heard)
        for j, other in enumerate(heard, start=1):
            current[j] = min(
                previous[j] + 1,  # a word left out
                current[j - 1] + 1,  # a word added
                previous[j - 1] + (word != other),  # a word swapped (or right)
            )
        previous = current
    return previous[-1] / len(said)


def transcribe(samples: np.ndarray, sample_rate: int) -> str:
    """Write down the English words a recogniser hears in a sound (pocketsphinx, offline).

    Raises
    ------
    WorkshopError
        When pocketsphinx is not installed.
    """
    global _decoder
    from ..media.audio import as_channels_first, resample

    try:
        from pocketsphinx import Decoder
    except ImportError as err:
        raise WorkshopError(
            "The speech recogniser pocketsphinx is not installed. Run: "
            'pip install "workshop_lib[speech]" (the notebook\'s setup cell does it on Colab).'
        ) from err
    mono = as_channels_first(samples).mean(axis=0)
    mono = resample(mono, int(sample_rate), _RECOGNISER_RATE)
    pcm = (np.clip(mono, -1.0, 1.0) * 32767).astype("<i2").tobytes()
    if _decoder is None:
        _decoder = Decoder(samprate=_RECOGNISER_RATE, loglevel="FATAL")
    _decoder.start_utt()
    _decoder.process_raw(pcm, full_utt=True)
    _decoder.end_utt()
    hypothesis = _decoder.hyp()
    return hypothesis.hypstr if hypothesis is not None else ""


@dataclass(frozen=True)
class Measurement:
    """How one engine did on one text.

    Attributes
    ----------
    engine, voice : str
        Which engine and voice spoke.
    audio_seconds : float
        Length of the sound made.
    compute_seconds : float
        Time spent making it.
    real_time_factor : float
        compute_seconds / audio_seconds (below 1: faster than real time).
    first_audio_seconds : float
        Time until the first sentence was ready to play.
    transcript : str
        What the recogniser heard ("" when not checked).
    word_error_rate : float or None
        Against the text spoken; None when not checked.
    """

    engine: str
    voice: str
    audio_seconds: float
    compute_seconds: float
    real_time_factor: float
    first_audio_seconds: float
    transcript: str = ""
    word_error_rate: float | None = None


def measure(
    engine: str | Engine,
    text: str,
    *,
    voice: str | None = None,
    recognise: bool = True,
    device: str | torch.device | None = None,
) -> Measurement:
    """Speak text with an engine, timing it, and (optionally) check what a recogniser hears.

    Parameters
    ----------
    engine : str or Engine
        The engine (see :func:`~workshop_lib.speech.get_engine`).
    text : str
        What to say (English for the word error rate).
    voice : str, optional
        The voice; None uses the engine's default.
    recognise : bool
        False skips the speech recogniser (timing only).
    device : str, torch.device or None
        Where a neural engine runs; None chooses (see :func:`workshop_lib.runtime.pick_device`).
    """
    from .engine import join_sentences
    from .registry import get_engine

    engine = get_engine(engine, device=device)
    engine.check(text, voice=voice)
    if hasattr(engine, "load"):
        engine.load()  # loading is not part of speaking
    started = time.perf_counter()
    sentences, first = [], None
    for sentence in engine.speak_sentences(text, voice=voice):
        if first is None:
            first = time.perf_counter() - started
        sentences.append(sentence)
    compute = time.perf_counter() - started
    samples, rate = join_sentences(sentences)
    audio_seconds = samples.size / rate
    transcript = transcribe(samples, rate) if recognise else ""
    return Measurement(
        engine=engine.name,
        voice=str(getattr(voice, "name", voice) or engine.default_voice or "default"),
        audio_seconds=audio_seconds,
        compute_seconds=compute,
        real_time_factor=compute / audio_seconds,
        first_audio_seconds=first or compute,
        transcript=transcript,
        word_error_rate=word_error_rate(text, transcript) if recognise else None,
    )


def measure_engines(
    text: str,
    engines: Iterable[str | Engine] | None = None,
    *,
    recognise: bool = True,
    device: str | torch.device | None = None,
) -> list[Measurement]:
    """Measure every available engine (or the ones named) on the same text."""
    from .registry import available_engines, get_engine

    if engines is None:
        chosen = available_engines("classic")
    else:
        chosen = [get_engine(e, device=device) for e in engines]
    return [measure(engine, text, recognise=recognise) for engine in chosen]


def measurements_table(measurements: Iterable[Measurement]) -> HTML:
    """Show measurements as a table, most intelligible first."""
    from IPython.display import HTML

    def order(m):
        return (m.word_error_rate if m.word_error_rate is not None else 9.0, m.real_time_factor)

    rows = "".join(
        f"<tr><td><b>{m.engine}</b></td><td>{html.escape(m.voice)}</td>"
        f"<td>{'' if m.word_error_rate is None else f'{m.word_error_rate:.2f}'}</td>"
        f"<td>{m.real_time_factor:.3f}</td><td>{m.first_audio_seconds:.2f} s</td>"
        f"<td>{m.audio_seconds:.1f} s</td><td><i>{html.escape(m.transcript)}</i></td></tr>"
        for m in sorted(measurements, key=order)
    )
    head = "".join(
        f"<th>{h}</th>"
        for h in (
            "engine",
            "voice",
            "word error rate",
            "real-time factor",
            "first audio after",
            "sound length",
            "what the recogniser heard",
        )
    )
    return HTML(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")


def speak_with_every_engine(
    text: str,
    engines: Iterable[str | Engine] | None = None,
    *,
    device: str | torch.device | None = None,
) -> dict[str, tuple[np.ndarray, int]]:
    """Say the same text with every available engine; returns ``{engine name: (samples, rate)}``.

    Engines that are missing or cannot say the text are left out, with a printed line saying why.
    """
    from .registry import available_engines, get_engine
    from .registry import engines as all_engines

    if engines is None:
        chosen = available_engines("classic")
    else:
        chosen = [get_engine(e, device=device) for e in engines]
    if engines is None:
        for engine in all_engines("classic"):
            if not engine.is_available():
                print(f"{engine.name}: not here. {engine.problem()}")
    results = {}
    for engine in chosen:
        try:
            results[engine.name] = engine.speak(text)
        except WorkshopError as err:
            print(f"{engine.name}: {err}")
    return results


def plot_side_by_side(results: dict, *, seconds: float | None = None) -> Figure:
    """Waveform and spectrogram of every result, one row per engine, on the same time scale."""
    import matplotlib.pyplot as plt

    from ..media.audio import plot_audio

    if not results:
        raise WorkshopError("There is nothing to plot: no engine spoke.")
    longest = seconds or max(s.size / r for s, r in results.values())
    figure, axes = plt.subplots(
        len(results),
        2,
        figsize=(12, 1.9 * len(results)),
        squeeze=False,
        gridspec_kw={"width_ratios": (1, 2)},
    )
    for row, (name, (samples, rate)) in enumerate(results.items()):
        # A whisper of noise (-120 dB) draws digital silence black instead of blank.
        shown = samples + 1e-6 * np.random.default_rng(0).standard_normal(samples.size)
        plot_audio(shown.astype(np.float32), rate, axes=(axes[row][0], axes[row][1]))
        axes[row][0].set_title(f"{name}: waveform ({rate} Hz)", fontsize=9, loc="left")
        axes[row][1].set_title(f"{name}: spectrogram", fontsize=9, loc="left")
        for ax in axes[row]:
            ax.set_xlim(0, longest)
            ax.set_xlabel("")
        axes[row][1].set_ylim(0, 8000)
    figure.tight_layout()
    plt.close(figure)  # shown once, as the cell's result
    return figure


def play_all(results: dict) -> HTML:
    """Audio players for every result, each with its engine's name (one block to show)."""
    from IPython.display import HTML

    from ..media.audio import play

    parts = [
        f"<div style='margin:4px 0'><b>{html.escape(name)}</b>{play(samples, rate)._repr_html_()}</div>"
        for name, (samples, rate) in results.items()
    ]
    return HTML("".join(parts))
