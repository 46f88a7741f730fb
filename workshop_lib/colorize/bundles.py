"""The released colorization networks as model bundles, and :func:`from_pretrained`.

Each :class:`~workshop_lib.models.ModelBundle` knows its weights file (by its name in
:mod:`workshop_lib.assets`, which also holds the licence and citation), the input size (every
photo is squeezed to 256 x 256) and how to load it: :func:`workshop_lib.colorize.weights.load`
(download or offline stand-in, safe reading, strict loading, kept once loaded). This module is
cheap to import: torch and the networks are imported only when a bundle is loaded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import assets
from ..errors import WorkshopError
from ..models import ModelBundle

if TYPE_CHECKING:
    import torch
    from torch import nn

__all__ = ["BUNDLES", "bundle", "from_pretrained"]

NETWORK_SIZE = 256  # the side the networks see (the same number as apply.NETWORK_SIZE)


def _load(bundle: ModelBundle, device):
    from . import weights

    return weights.load(bundle.name, device)


def _bundle(name: str, title: str) -> ModelBundle:
    asset = assets.REGISTRY[name]
    return ModelBundle(
        name=name,
        task="colorize",
        title=title,
        assets=(name,),
        licence=asset.licence,
        citation=asset.citation,
        input_size=NETWORK_SIZE,
        loader=_load,
    )


BUNDLES: tuple[ModelBundle, ...] = (
    _bundle("siggraph17", "User-guided colorization: colours where you click, and automatic"),
    _bundle("eccv16", "Automatic colorization (ECCV 2016); also suggests colours"),
)
"""SIGGRAPH 2017 (hints) and ECCV 2016 (automatic, colour suggestions), by Zhang et al."""


def bundle(name: str) -> ModelBundle:
    """The bundle called ``name`` ("siggraph17" or "eccv16"), or a WorkshopError naming both.

    Examples
    --------
    >>> bundle("eccv16").input_size
    256
    """
    for found in BUNDLES:
        if found.name == name:
            return found
    raise WorkshopError(
        f"There is no colorization model called '{name}'. Use 'siggraph17' (colours where "
        "you click, and automatic) or 'eccv16' (automatic only)."
    )


def from_pretrained(
    name: str = "siggraph17", *, device: str | torch.device | None = None
) -> nn.Module:
    """Load a colorization network with its trained weights, ready to use.

    The weights file is downloaded once (about 130 MB) into the workshop's cache and checked;
    with the offline switch on (``WORKSHOP_OFFLINE=1``) a small random-weight stand-in that
    ships with the library is loaded the same way. A loaded network is kept, so asking again
    costs nothing. The same as ``bundle(name).load(device)``.

    Parameters
    ----------
    name : {"siggraph17", "eccv16"}
        The user-guided network (SIGGRAPH 2017) or the automatic one (ECCV 2016).
    device : str, torch.device or None
        Where it runs: ``"cpu"``, ``"cuda"``, a ``torch.device``, or None for the fastest
        available (see :func:`workshop_lib.runtime.pick_device`).

    Returns
    -------
    torch.nn.Module
        The network in eval mode on ``device``.

    Raises
    ------
    WorkshopError
        Unknown name, no internet, a damaged download, or weights that do not fit.

    Examples
    --------
    >>> net = from_pretrained("siggraph17", device="cpu")  # offline: the small stand-in
    >>> type(net).__name__
    'SIGGRAPHGenerator'
    """
    return bundle(name).load(device)
