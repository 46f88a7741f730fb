"""Every engine by name, made once and kept, and the one-line :func:`speak`.

Engines are kept after first use, so a neural model is loaded once per notebook, however often
a cell speaks.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, cast

from ..errors import WorkshopError
from .classic import (
    EspeakEngine,
    FestivalEngine,
    FestivalHtsEngine,
    FliteEngine,
    MbrolaEngine,
    PicoEngine,
)
from .coqui import CoquiEngine
from .coqui_models import MODELS
from .engine import Engine
from .piper import PiperEngine
from .recorder import on_delete
from .xtts import XttsEngine

if TYPE_CHECKING:
    import numpy as np
    import torch

__all__ = [
    "CLASSIC",
    "NEURAL",
    "available_engines",
    "cloning_engine",
    "default_engine",
    "engines",
    "forget_recording",
    "get_engine",
    "speak",
]

_CLASSIC_CLASSES = (
    EspeakEngine,
    MbrolaEngine,
    FestivalEngine,
    FestivalHtsEngine,
    FliteEngine,
    PicoEngine,
)
CLASSIC = tuple(cls.name for cls in _CLASSIC_CLASSES)
"""The classic engines' names, oldest technique first."""
NEURAL = (PiperEngine.name, *MODELS)
"""The neural engines' names: Piper first (real offline too), then the coqui-tts models."""

_ENGINES: dict[tuple[str, str], Engine] = {}


def _make(name: str, device) -> Engine:
    for cls in _CLASSIC_CLASSES:
        if cls.name == name:
            return cls(device=device)
    if name == PiperEngine.name:
        return PiperEngine(device=device)
    if name == "xtts_v2":
        return XttsEngine(device=device)
    if name in MODELS:
        return CoquiEngine(name, device=device)
    raise WorkshopError(
        f"There is no speech engine called {name!r}. Choose one of: {', '.join(CLASSIC + NEURAL)}."
    )


def _device_key(device) -> str:
    """The engines kept per device: "auto" for None, else the device :func:`pick_device` gives."""
    if device is None:
        return "auto"
    from .. import runtime

    return str(runtime.pick_device(device))


def get_engine(name: str | Engine, *, device: str | torch.device | None = None) -> Engine:
    """Return the engine with this name, made once (per device) and then reused.

    Parameters
    ----------
    name : str
        One of :data:`CLASSIC` (``"espeak-ng"``, ``"mbrola"``, ``"festival"``,
        ``"festival-hts"``, ``"flite"``, ``"pico"``) or :data:`NEURAL` (``"piper"``,
        ``"tacotron2"``, ``"vits"``, ``"vits-vctk"``, ``"your_tts"``, ``"xtts_v2"``).
    device : str, torch.device or None
        Where a neural engine runs (``"cpu"``, ``"cuda"``, a ``torch.device``); None chooses
        (see :func:`workshop_lib.runtime.pick_device`). Classic engines are programs that run on
        the CPU whatever is asked.

    Examples
    --------
    >>> get_engine("espeak-ng").technique
    'formant synthesis'
    >>> get_engine("piper", device="cpu").device
    device(type='cpu')
    """
    if isinstance(name, Engine):
        return name
    key = (name, _device_key(device))
    if key not in _ENGINES:
        _ENGINES[key] = _make(name, device)
    return _ENGINES[key]


def engines(kind: str = "all") -> list[Engine]:
    """All engines the workshop knows, installed or not: ``kind`` is "all", "classic" or "neural"."""
    names = {"all": CLASSIC + NEURAL, "classic": CLASSIC, "neural": NEURAL}.get(kind)
    if names is None:
        raise WorkshopError(f"kind must be 'all', 'classic' or 'neural', not {kind!r}.")
    return [get_engine(name) for name in names]


def forget_recording(path: str | os.PathLike) -> None:
    """Make every engine of this notebook forget the voices cloned from the recording at ``path``."""
    for engine in _ENGINES.values():
        forget = getattr(engine, "forget", None)
        if forget is not None:
            forget(path)


on_delete(forget_recording)


def default_engine() -> str:
    """The engine a widget starts with: Piper (a real neural voice, offline too) where it can
    speak here, else espeak-ng.

    Examples
    --------
    >>> default_engine() in ("piper", "espeak-ng")
    True
    """
    return PiperEngine.name if get_engine(PiperEngine.name).is_available() else "espeak-ng"


def available_engines(kind: str = "all") -> list[Engine]:
    """The engines that can speak on this computer now."""
    return [engine for engine in engines(kind) if engine.is_available()]


def speak(
    text: str,
    *,
    engine: str = "espeak-ng",
    voice: str | None = None,
    speed: float = 1.0,
    device: str | torch.device | None = None,
) -> tuple[np.ndarray, int]:
    """Say text with an engine and return ``(samples, sample_rate)``.

    Parameters
    ----------
    text : str
        What to say.
    engine : str
        The engine's name (see :func:`get_engine`).
    voice : str, optional
        One of the engine's voices; None uses its default.
    speed : float
        0.5 (slow) to 2.0 (fast); 1.0 is normal.
    device : str, torch.device or None
        Where a neural engine runs; None chooses (see :func:`get_engine`).

    Returns
    -------
    samples : numpy.ndarray
        float32 mono samples in [-1, 1].
    sample_rate : int
        Samples per second.

    Raises
    ------
    WorkshopError
        When the engine is not installed, or the text, voice or speed cannot be used.

    Examples
    --------
    >>> samples, sample_rate = speak("Hello, library!", engine="espeak-ng")  # doctest: +SKIP
    >>> samples, sample_rate = speak("Hello, library!", engine="piper")  # doctest: +SKIP
    """
    return get_engine(engine, device=device).speak(text, voice=voice, speed=speed)


def cloning_engine(
    *, accept_xtts_terms: bool = False, device: str | torch.device | None = None
) -> CoquiEngine:
    """Choose the voice-cloning model: XTTS-v2 when its terms are accepted, otherwise YourTTS.

    XTTS-v2 sounds best but its licence is non-commercial and it wants a GPU; YourTTS is lighter
    and runs on a CPU (its licence is non-commercial too). In offline mode XTTS-v2 has no small
    stand-in, so the YourTTS-shaped test model is used.

    Parameters
    ----------
    accept_xtts_terms : bool
        True only after reading :data:`~workshop_lib.speech.xtts.XTTS_TERMS`: records your
        acceptance. False leaves any earlier acceptance as it is and picks YourTTS.
    device : str, torch.device or None
        Where the model runs; None chooses (see :func:`workshop_lib.runtime.pick_device`).
    """
    from .. import runtime
    from .xtts import accept_xtts_terms as accept

    if accept_xtts_terms is True:
        accept(True)
        if runtime.is_offline():
            print(
                "Offline mode: XTTS-v2 has no small stand-in model, so the YourTTS-shaped test "
                "model is used instead."
            )
        else:
            engine = cast(CoquiEngine, get_engine("xtts_v2", device=device))
            if engine.device.type == "cpu":
                print("XTTS-v2 on a CPU takes many seconds per sentence. " + runtime.gpu_help())
            return engine
    engine = cast(CoquiEngine, get_engine("your_tts", device=device))
    print(f"Using {engine.title}. Licence: {engine.licence}.")
    return engine
