"""The one shape every speech engine has: text in, (samples, sample_rate) out, plus what it is.

An :class:`Engine` knows its name, technique, year and licence, lists its voices, says plainly
when it is not installed (and how to install it), and speaks text whole (:meth:`Engine.speak`) or
one sentence at a time (:meth:`Engine.speak_sentences`), so the first sentence of a long text
can play while the rest is made.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import WorkshopError
from .text import check_text, split_sentences

if TYPE_CHECKING:
    import torch

__all__ = ["Engine", "PipelineSteps", "Sentence", "Voice"]

SLOWEST, FASTEST = 0.5, 2.0  # the speed range every engine accepts
PAUSE_SECONDS = 0.3  # silence put between sentences spoken one at a time


@dataclass(frozen=True)
class Voice:
    """One voice of an engine: its upstream name (what you pass as ``voice=``) and a description."""

    name: str
    description: str = ""
    language: str = "en"


@dataclass(frozen=True)
class Sentence:
    """One spoken sentence: the text, its samples and sample rate, and how long it took to make."""

    text: str
    samples: np.ndarray
    sample_rate: int
    seconds: float

    @property
    def duration(self) -> float:
        """Length of the sound in seconds."""
        return self.samples.shape[-1] / self.sample_rate


@dataclass(frozen=True)
class PipelineSteps:
    """What a neural voice does with a sentence, step by step (for :func:`plot_pipeline`).

    Attributes
    ----------
    text : str
        The sentence.
    cleaned : str
        After text normalisation (numbers, symbols and abbreviations written out).
    symbols : str
        What the network reads: phonemes (from espeak-ng) or letters.
    uses_phonemes : bool
        True when ``symbols`` are phonemes.
    token_ids : list of int
        The symbols as numbers, the network's real input (with blanks between symbols).
    tokens : list of str
        The symbol each number stands for (``"␣"`` for the blank put between symbols).
    alignment : numpy.ndarray
        Shape ``(tokens, frames)``: 1 where a token is being said in a spectrogram frame.
    samples : numpy.ndarray
        The sound.
    sample_rate : int
        Samples per second.
    hop_length : int
        Samples per spectrogram frame.
    """

    text: str
    cleaned: str
    symbols: str
    uses_phonemes: bool
    token_ids: list
    tokens: list
    alignment: np.ndarray
    samples: np.ndarray
    sample_rate: int
    hop_length: int


class Engine:
    """A speech synthesizer with the workshop's one interface.

    Subclasses set the class attributes and write :meth:`_synthesize` (and usually
    :meth:`voices` and :meth:`problem`); everything a learner calls is here, so every engine
    checks text, voice and speed the same way and answers with the same plain messages.

    Attributes
    ----------
    name : str
        Short name used to pick the engine, such as ``"espeak-ng"``.
    title : str
        The engine's full name.
    technique : str
        How it makes sound, in a few words ("formant synthesis").
    year : int
        The year the engine (or the program it continues) first appeared.
    licence : str
        The licence of the program and, where different, of its voices or model.
    summary : str
        One or two sentences on how it works, for learners.
    max_characters : int
        The longest text it takes in one call.
    latin_only : bool
        True when it reads only the Latin alphabet.
    supports_speed : bool
        True when ``speed=`` changes how fast it talks.
    """

    name: str = ""
    title: str = ""
    technique: str = ""
    year: int = 0
    licence: str = ""
    summary: str = ""
    max_characters: int = 3000
    latin_only: bool = True
    supports_speed: bool = True
    other_language_hint: str = ""

    def __init__(self, *, device: str | torch.device | None = None) -> None:
        if device is not None and not isinstance(device, str) and type(device).__name__ != "device":
            raise WorkshopError(
                f"device should be a name such as 'cpu' or 'cuda', or left out, not {device!r}."
            )
        self._device_choice = device

    @property
    def device(self) -> torch.device:
        """Where the engine runs, from :func:`workshop_lib.runtime.pick_device` (the CPU for programs)."""
        from .. import runtime

        return runtime.pick_device(self._device_choice)

    def stand_in_note(self) -> str:
        """One plain sentence when this engine makes noise with a random-weight stand-in, else ``""``."""
        return ""

    # --- what subclasses provide ---------------------------------------------------------------

    def voices(self) -> list[Voice]:
        """List the voices this engine can use here (installed ones only)."""
        return []

    @property
    def default_voice(self) -> str | None:
        """The voice used when none is chosen."""
        voices = self.voices()
        return voices[0].name if voices else None

    def problem(self) -> str | None:
        """Say why the engine cannot speak here (not installed, ...) and how to fix it; None when ready."""
        return None

    def _synthesize(self, text: str, voice: str | None, speed: float) -> tuple[np.ndarray, int]:
        raise NotImplementedError

    # --- the learner-facing calls ---------------------------------------------------------------

    def is_available(self) -> bool:
        """True when the engine can speak on this computer."""
        return self.problem() is None

    def require(self) -> None:
        """Raise a WorkshopError saying how to install the engine when it cannot speak here."""
        problem = self.problem()
        if problem:
            raise WorkshopError(problem)

    def check(self, text: str, *, voice: Any = None, speed: float = 1.0) -> tuple[str, Any, float]:
        """Check everything before speaking; return the tidied text, the voice name and the speed.

        Raises
        ------
        WorkshopError
            When the engine is missing, or the text, voice or speed cannot be used.
        """
        self.require()
        text = check_text(
            text,
            engine=self.name,
            max_characters=self.max_characters,
            latin_only=self.latin_only,
            other_language_hint=self.other_language_hint,
        )
        return text, self._check_voice(voice), self._check_speed(speed)

    def speak(self, text: str, *, voice: Any = None, speed: float = 1.0) -> tuple[np.ndarray, int]:
        """Speak text and return the sound.

        Parameters
        ----------
        text : str
            What to say.
        voice : str, optional
            One of :meth:`voices` by name; None uses the engine's default voice.
        speed : float
            1.0 is the engine's normal pace, 2.0 twice as fast, 0.5 half as fast.

        Returns
        -------
        samples : numpy.ndarray
            float32 mono samples in [-1, 1], shape ``(samples,)``.
        sample_rate : int
            Samples per second.

        Raises
        ------
        WorkshopError
            For empty or too long text, characters the engine cannot say, an unknown voice, a
            speed out of range, or an engine that is not installed (the message says how to
            install it).

        Examples
        --------
        >>> from workshop_lib.speech import get_engine
        >>> samples, sample_rate = get_engine("espeak-ng").speak("Hello!")  # doctest: +SKIP
        """
        text, voice, speed = self.check(text, voice=voice, speed=speed)
        return self._finish(*self._synthesize(text, voice, speed))

    def speak_sentences(
        self, text: str, *, voice: Any = None, speed: float = 1.0
    ) -> Iterator[Sentence]:
        """Speak text one sentence at a time, handing over each sentence as soon as it is made.

        The whole text is checked first, so a mistake is reported before any sound is made.

        Yields
        ------
        Sentence
            The sentence's text, samples, sample rate and the seconds it took.
        """
        text, voice, speed = self.check(text, voice=voice, speed=speed)
        for sentence in split_sentences(text, longest=self._longest_sentence()):
            started = time.perf_counter()
            samples, sample_rate = self._finish(*self._synthesize(sentence, voice, speed))
            yield Sentence(sentence, samples, sample_rate, time.perf_counter() - started)

    def info(self) -> dict:
        """The engine's facts as a small dict (name, technique, year, licence, available, voices)."""
        return {
            "name": self.name,
            "title": self.title,
            "technique": self.technique,
            "year": self.year,
            "licence": self.licence,
            "available": self.is_available(),
            "voices": [voice.name for voice in self.voices()] if self.is_available() else [],
        }

    def __repr__(self) -> str:
        state = "ready" if self.is_available() else "not available"
        return f"<{type(self).__name__} {self.name!r}: {self.technique}, {self.year}, {state}>"

    # --- helpers --------------------------------------------------------------------------------

    def _longest_sentence(self) -> int:
        """Sentences longer than this many characters are cut at commas or spaces."""
        return 250

    def _check_voice(self, voice: Any) -> Any:
        if voice is None:
            return self.default_voice
        names = [v.name for v in self.voices()]
        if voice not in names:
            shown = ", ".join(names[:20]) + (", …" if len(names) > 20 else "")
            raise WorkshopError(
                f"{self.name} has no voice called {voice!r}. Its voices here: {shown or 'none'}."
            )
        return voice

    def _check_speed(self, speed) -> float:
        try:
            speed = float(speed)
        except (TypeError, ValueError) as err:
            raise WorkshopError(
                f"The speed must be a number such as 1.0; it was {speed!r}."
            ) from err
        if not SLOWEST <= speed <= FASTEST:
            raise WorkshopError(
                f"The speed must be between {SLOWEST} (half as fast) and {FASTEST} (twice as "
                f"fast); it was {speed}."
            )
        if speed != 1.0 and not self.supports_speed:
            raise WorkshopError(
                f"{self.name} cannot change how fast it talks. Leave the speed at 1.0, or pick "
                "another engine."
            )
        return speed

    def _finish(self, samples, sample_rate: int) -> tuple[np.ndarray, int]:
        samples = np.asarray(samples, dtype=np.float32)
        if samples.ndim > 1:
            samples = (
                samples.mean(axis=0)
                if samples.shape[0] < samples.shape[-1]
                else samples.mean(axis=1)
            )
        if samples.size == 0 or not np.any(samples):
            raise WorkshopError(
                f"{self.name} made no sound for this text. Try a longer sentence with ordinary words."
            )
        samples = np.nan_to_num(samples, nan=0.0, posinf=1.0, neginf=-1.0)
        return np.clip(samples, -1.0, 1.0), int(sample_rate)


def join_sentences(
    sentences: Iterable[Sentence], *, pause: float = PAUSE_SECONDS
) -> tuple[np.ndarray, int]:
    """Join spoken sentences into one sound with a short pause between them.

    Sentences at another sample rate than the first are resampled to it.
    """
    from ..media.audio import resample

    parts: list[np.ndarray] = []
    sample_rate = None
    for sentence in sentences:
        if sample_rate is None:
            sample_rate = sentence.sample_rate
        samples = sentence.samples
        if sentence.sample_rate != sample_rate:
            samples = resample(samples, sentence.sample_rate, sample_rate)
        if parts:
            parts.append(np.zeros(int(pause * sample_rate), dtype=np.float32))
        parts.append(samples)
    if sample_rate is None:
        raise WorkshopError("There was nothing to join: no sentence was spoken.")
    return np.concatenate(parts), sample_rate
