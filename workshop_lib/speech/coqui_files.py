"""Finding, downloading and loading coqui-tts model files: what every coqui bundle's loader does.

Online, coqui-tts's own ``ModelManager`` downloads a model into the workshop's cache folder
(``<cache>/coqui/tts/...``; Hugging Face models such as XTTS-v2 go to Hugging Face's cache).
coqui publishes no checksums for its model archives, so they are not in the asset registry.
Offline (``WORKSHOP_OFFLINE=1``), a tiny random-weight model of the same architecture that ships
with the package is copied into the same cache layout instead. Then coqui's path fix-up,
``TTS(model_path=..., config_path=...)`` and ``.to(device)``, the same for every model.
"""

from __future__ import annotations

import importlib.util
import logging
import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import runtime
from ..errors import WorkshopError
from .coqui_models import MODELS, NeuralModel

if TYPE_CHECKING:
    import torch

__all__ = ["INSTALL", "download", "folder_files", "load_tts", "model_files"]

INSTALL = (
    "Neural voices need the coqui-tts package. On Colab the notebook's setup cell installs it; "
    'on your own computer run: pip install "workshop_lib[speech]" (or bash workshop.sh install).'
)


@dataclass(frozen=True)
class _Files:
    model: Path
    config: Path
    folder: Path
    vocoder: Path | None = None
    vocoder_config: Path | None = None


def _manager():
    from TTS.utils.manage import ModelManager

    from ..assets import cache_dir

    return ModelManager(output_prefix=cache_dir() / "coqui", progress_bar=True)


def _offline_source(name: str) -> Path:
    return Path(str(resources.files("workshop_lib") / "speech" / "offline" / name))


def _prepare_folder(manager, folder: Path) -> _Files:
    """coqui's own post-download step: find the files, point the config at them."""
    try:
        model, config = manager._find_files(folder)
    except ValueError as err:
        raise WorkshopError(
            f"{folder} does not look like a coqui-tts model folder (it needs a model .pth file "
            "and config.json)."
        ) from err
    manager._update_paths(folder, config)
    return _Files(model=model, config=config, folder=folder)


def _install_offline(manager, stand_in: str) -> _Files:
    """Copy the packaged tiny model into the cache, laid out like a coqui download."""
    source = _offline_source(stand_in)
    target = manager.output_prefix / f"offline--{stand_in}"
    stale = not (target / "model.pth").is_file() or (
        (target / "model.pth").stat().st_size != (source / "model.pth").stat().st_size
    )
    if stale:
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target)
    return _prepare_folder(manager, target)


def _download(manager, model: NeuralModel) -> _Files:
    """Download (once) through coqui-tts's ModelManager; a vocoder too when the model uses one."""
    quiet = logging.getLogger("TTS.utils.manage")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)  # coqui logs a traceback on failure; we say it in words
    try:
        model_path, config_path, _item = manager.download_model(model.coqui_name)
        vocoder = vocoder_config = None
        if model.vocoder:
            vocoder, vocoder_config, _ = manager.download_model(model.vocoder)
    except Exception as err:  # requests, Hugging Face and zip errors all mean the same here
        raise WorkshopError(
            f"The model {model.coqui_name} (about {model.download_mb:,} MB) could not be "
            f"downloaded ({type(err).__name__}: {err}). Check the internet connection and run "
            "the cell again; a half-finished download is started afresh."
        ) from err
    finally:
        quiet.setLevel(level)
    folder = Path(model_path).parent if Path(model_path).is_file() else Path(model_path)
    return _Files(Path(model_path), Path(config_path), folder, vocoder, vocoder_config)


def _quiet_coqui() -> None:
    for name in ("TTS", "trainer"):
        logging.getLogger(name).setLevel(logging.WARNING)


def _import_tts():
    if importlib.util.find_spec("TTS") is None:
        raise WorkshopError(INSTALL)
    try:
        from TTS.api import TTS
    except ImportError as err:
        raise WorkshopError(
            f"coqui-tts is installed but could not start ({err}). Usually torch, torchaudio "
            "and torchcodec come from different releases: install the matching set, for "
            "example torch 2.11 with torchaudio 2.11 and torchcodec 0.11 (see requirements.txt)."
        ) from err
    _quiet_coqui()
    return TTS


def model_files(model: NeuralModel) -> _Files:
    """A model's files: the packaged stand-in offline, else downloaded once through coqui-tts.

    Raises
    ------
    WorkshopError
        Offline for a model without a stand-in, or when the download fails.
    """
    if importlib.util.find_spec("TTS") is None:
        raise WorkshopError(INSTALL)
    manager = _manager()
    if runtime.is_offline():
        if not model.offline:
            raise WorkshopError(
                f"{model.name} has no small stand-in model for offline mode "
                f"({runtime.OFFLINE_VARIABLE}=1). It needs the internet for its "
                f"{model.download_mb:,} MB download."
            )
        return _install_offline(manager, model.offline)
    return _download(manager, model)


def download(name: str) -> Path:
    """Download a model (and its vocoder) into the cache now, without loading it; return its folder."""
    if importlib.util.find_spec("TTS") is None:
        raise WorkshopError(INSTALL)
    return _download(_manager(), MODELS[name]).folder


def load_tts(files: _Files, device: torch.device) -> Any:
    """coqui-tts's ``TTS`` object for a model's files, on ``device``.

    Raises
    ------
    WorkshopError
        When coqui-tts is missing or broken, or the files are not a model.
    """
    TTS = _import_tts()
    try:
        tts = TTS(
            model_path=str(files.model),
            config_path=str(files.config),
            vocoder_path=str(files.vocoder) if files.vocoder else None,
            vocoder_config_path=str(files.vocoder_config) if files.vocoder_config else None,
            progress_bar=False,
        )
        tts.to(device)
    except (OSError, RuntimeError, KeyError, ValueError) as err:
        raise WorkshopError(
            f"The model in {files.folder} could not be loaded ({type(err).__name__}: {err}). "
            "If a download was interrupted, delete that folder and run the cell again."
        ) from err
    return tts


def folder_files(folder: Path) -> _Files:
    """The files of a coqui-tts model folder you have (a fine-tuned model, a test model)."""
    if not folder.is_dir():
        raise WorkshopError(f"There is no model folder {folder}. Check the path.")
    return _prepare_folder(_manager(), folder)


# --- cloned voices and the pipeline picture ---------------------------------------------------
