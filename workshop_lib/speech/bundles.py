"""Every released speech model as a :class:`~workshop_lib.models.ModelBundle`: Piper and coqui voices.

Each bundle knows its files (names in :mod:`workshop_lib.assets`), sample rate, licences and how
to load it; the engines load through these bundles and nothing else. :mod:`workshop_lib.catalog`
gathers them for ``doctor``, ``prefetch`` and the app's licence table. Importing this module is
cheap: the heavy imports happen inside the loaders.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterable
from pathlib import Path

from .. import assets
from ..errors import WorkshopError
from ..models import ModelBundle
from .coqui_models import coqui_folder

__all__ = ["BUNDLES", "bundle", "piper_bundles"]

_PIPER_CODE = (
    "piper-tts: GPL-3.0-or-later (a separate program from the voice and from our MIT code)"
)
_COQUI_CODE = "coqui-tts: MPL-2.0"
# coqui model name -> sample rate of its sound (from each model's config).
_COQUI_RATES = {
    "tacotron2": 22050,
    "vits": 22050,
    "vits-vctk": 22050,
    "your_tts": 16000,
    "xtts_v2": 24000,
}

# Voice name -> (who speaks, sample rate). Licences and checksums live with the files in assets.
_PIPER_VOICES = {
    "en_US-joe-medium": ("American English, male (the offline default)", 22050),
    "en_GB-northern_english_male-medium": ("Northern English, male", 22050),
    "en_GB-alba-medium": ("Scottish English, female", 22050),
    "en_GB-cori-medium": ("Southern English, female", 22050),
    "en_US-ljspeech-medium": ("American English, female (the LJSpeech voice)", 22050),
}


def _load_piper(bundle: ModelBundle, device):
    from .piper_files import load_voice

    return load_voice(bundle, device)


def _joe_installed() -> bool:
    from .piper_files import joe_package_installed

    return joe_package_installed()


def _piper_bundle(key: str, title: str, sample_rate: int) -> ModelBundle:
    network, settings = assets.PIPER_VOICE_ASSETS[key]
    return ModelBundle(
        name=f"piper-{key}",
        task="speech",
        title=title,
        assets=(network.name, settings.name),
        licence=network.licence,
        loader=_load_piper,
        citation=network.citation,
        sample_rate=sample_rate,
        offline_real=_joe_installed if key == "en_US-joe-medium" else False,
        code_licence=_PIPER_CODE,
    )


def _load_coqui(bundle: ModelBundle, device):
    """The loader of every coqui-tts bundle: files (download or stand-in), then ``TTS`` on device."""
    from .coqui_files import load_tts, model_files
    from .coqui_models import MODELS

    if bundle.name == "xtts_v2":
        from .xtts_terms import require_terms

        require_terms()
    return load_tts(model_files(MODELS[bundle.name]), device)


def _coqui_bundle(name: str) -> ModelBundle:
    from .coqui_models import MODELS

    model = MODELS[name]
    return ModelBundle(
        name=name,
        task="speech",
        title=f"{model.title} (coqui-tts {model.coqui_name})",
        assets=(),  # coqui publishes no checksums, so coqui-tts downloads these itself
        licence=model.licence,
        loader=_load_coqui,
        citation=model.paper,
        sample_rate=_COQUI_RATES[name],
        code_licence=_COQUI_CODE,
        fetcher=_fetch_coqui,
        present=_coqui_present,
        stand_in=model.offline is not None,
    )


def _fetch_coqui(bundle: ModelBundle) -> None:
    """Download one coqui-tts model through coqui-tts (XTTS-v2 only once its terms are accepted)."""
    state = prefetch_coqui([bundle.name])[bundle.name]
    if state != "ready":
        raise WorkshopError(f"{bundle.name}: {state}")


def _coqui_present(bundle: ModelBundle) -> bool:
    return _coqui_state(bundle.name) == "downloaded"


_PIPER_BUNDLES = tuple(
    _piper_bundle(key, title, rate) for key, (title, rate) in _PIPER_VOICES.items()
)

BUNDLES: tuple[ModelBundle, ...] = _PIPER_BUNDLES + tuple(_coqui_bundle(n) for n in _COQUI_RATES)
"""Every speech model bundle: the Piper voices, then the coqui-tts models."""


def piper_bundles() -> tuple[ModelBundle, ...]:
    """The Piper voices' bundles, the offline default (joe) first."""
    return _PIPER_BUNDLES


def bundle(name: str) -> ModelBundle:
    """The speech bundle with this name.

    Examples
    --------
    >>> bundle("piper-en_US-joe-medium").sample_rate
    22050
    """
    for item in BUNDLES:
        if item.name == name:
            return item
    raise WorkshopError(
        f"There is no speech model called {name!r}. Known: {', '.join(b.name for b in BUNDLES)}."
    )


# --- for the command line: what is here, and downloading ahead of time ------------------------


def coqui_names() -> tuple[str, ...]:
    """The coqui-tts models' names (their files come through coqui-tts, not the asset registry)."""
    return tuple(_COQUI_RATES)


def hugging_face_repository(name: str) -> str | None:
    """The Hugging Face repository coqui-tts downloads this model from (XTTS-v2), or None.

    Such a model lands in Hugging Face's own cache, not in :func:`coqui_folder`. Read from
    coqui-tts's model list without importing coqui-tts.
    """
    from .coqui_models import MODELS

    spec = importlib.util.find_spec("TTS")
    if spec is None or not spec.submodule_search_locations:
        return None
    listing = Path(next(iter(spec.submodule_search_locations))) / ".models.json"
    try:
        known = json.loads(listing.read_text("utf-8"))
        kind, language, dataset, model = MODELS[name].coqui_name.split("/")
        repository = known[kind][language][dataset][model].get("repo_id")
    except (OSError, ValueError, KeyError, AttributeError):
        return None
    return repository if isinstance(repository, str) else None


def _coqui_downloaded(name: str) -> bool:
    folder = coqui_folder(name)
    if folder.is_dir() and any(folder.glob("*.pth")):
        return True
    repository = hugging_face_repository(name)
    if repository is None or importlib.util.find_spec("huggingface_hub") is None:
        return False
    from huggingface_hub import try_to_load_from_cache

    return isinstance(try_to_load_from_cache(repository, "model.pth"), str)


def _coqui_state(name: str) -> str:
    from .coqui_models import MODELS

    if _coqui_downloaded(name):
        return "downloaded"
    return f"not downloaded (about {MODELS[name].download_mb:,} MB)"


def _piper_state(item: ModelBundle) -> str:
    from .piper_files import DEFAULT_VOICE, joe_package_installed

    if item.name == f"piper-{DEFAULT_VOICE}" and joe_package_installed():
        return "here (Python package)"
    if item.cached():
        return "downloaded"
    return f"not downloaded (about {assets.format_size(item.size())})"


def voice_lines() -> list[tuple[str, str, str]]:
    """Every speech model with its state here and its licence: rows for ``doctor``.

    Offline, a coqui model that is not downloaded speaks with its random-weight stand-in.
    """
    from .coqui_models import MODELS

    rows = [(item.name, _piper_state(item), item.licence) for item in _PIPER_BUNDLES]
    for item in BUNDLES:
        if item.name in _COQUI_RATES:
            state = _coqui_state(item.name)
            if state != "downloaded" and item.stand_in_note():
                stand_in = MODELS[item.name].offline
                state += "; offline: " + ("random-weight stand-in" if stand_in else "none")
            rows.append((item.name, state, item.licence))
    return rows


def prefetch_coqui(names: Iterable[str] | None = None) -> dict[str, str]:
    """Download coqui-tts models into the cache now (all but XTTS-v2 unless its terms are accepted).

    Returns
    -------
    dict
        Model name -> "ready", "skipped: ..." or the failure message.
    """
    from .coqui_files import download
    from .xtts_terms import xtts_terms_accepted

    results = {}
    for name in names if names is not None else coqui_names():
        if name == "xtts_v2" and not xtts_terms_accepted():
            results[name] = (
                "skipped: accept its terms in notebook 05b first (1.9 GB, non-commercial)"
            )
            continue
        try:
            download(name)
        except WorkshopError as err:
            results[name] = str(err)
        else:
            results[name] = "ready"
    return results
