"""Every released speech model as a :class:`~workshop_lib.models.ModelBundle`: the Piper voices.

Each bundle knows its files (names in :mod:`workshop_lib.assets`), sample rate, licences and how
to load it; the engines load through these bundles and nothing else. :mod:`workshop_lib.catalog`
gathers them for ``doctor``, ``prefetch`` and the app's licence table. Importing this module is
cheap: the heavy imports happen inside the loaders.
"""

from __future__ import annotations

from .. import assets
from ..errors import WorkshopError
from ..models import ModelBundle

__all__ = ["BUNDLES", "bundle", "piper_bundles"]

_PIPER_CODE = (
    "piper-tts: GPL-3.0-or-later (a separate program from the voice and from our MIT code)"
)

# Voice name -> (who speaks, sample rate). Licences and checksums live with the files in assets.
_PIPER_VOICES = {
    "en_US-joe-medium": ("American English, male (the offline default)", 22050),
    "en_GB-northern_english_male-medium": ("Northern English, male", 22050),
    "en_GB-alba-medium": ("Scottish English, female", 22050),
    "en_GB-cori-medium": ("Southern English, female", 22050),
    "en_US-ljspeech-medium": ("American English, female (the LJSpeech voice)", 22050),
}


def _load_piper(bundle: ModelBundle, device):
    from .piper import load_voice

    return load_voice(bundle, device)


def _joe_installed() -> bool:
    from .piper import joe_package_installed

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


_PIPER_BUNDLES = tuple(
    _piper_bundle(key, title, rate) for key, (title, rate) in _PIPER_VOICES.items()
)

BUNDLES: tuple[ModelBundle, ...] = _PIPER_BUNDLES
"""Every speech model bundle: the Piper voices."""


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
