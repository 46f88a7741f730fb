"""Load the colorization networks' weights: registry -> cache -> torch.load -> strict load.

Every network comes from one path, :func:`load` (behind the bundles of
:mod:`workshop_lib.colorize.bundles` and ``from_pretrained``): :func:`workshop_lib.assets.fetch`
finds the file (downloading the authors' file once, or, with the offline switch on, returning
the small test file that ships with the library), :func:`read_state_dict` reads it with
``torch.load(weights_only=True)``, and :func:`build` makes the module of the right width and
loads every tensor with ``strict=True``. The real files and the test files take the same path.
"""

from __future__ import annotations

import pickle
import threading
from pathlib import Path

import torch

from .. import assets
from ..errors import WorkshopError
from .model import ECCVGenerator, SIGGRAPHGenerator

__all__ = ["MODELS", "build", "load", "read_state_dict"]

MODELS: dict[str, type[torch.nn.Module]] = {
    "siggraph17": SIGGRAPHGenerator,
    "eccv16": ECCVGenerator,
}
"""Network name (the authors' name, also the asset registry's) -> class."""

_CACHE: dict[tuple, torch.nn.Module] = {}
_LOCK = threading.Lock()


def _check_name(name: str) -> type[torch.nn.Module]:
    if name not in MODELS:
        raise WorkshopError(
            f"There is no colorization network '{name}'; the networks are {', '.join(MODELS)}."
        )
    return MODELS[name]


def read_state_dict(path: str | Path) -> dict[str, torch.Tensor]:
    """Read a weights file into a state dict (name -> tensor), safely.

    ``torch.load(..., weights_only=True)`` reads only tensors and plain containers, so a
    weights file cannot run code on this computer.

    Parameters
    ----------
    path : str or Path
        A ``.pth`` file holding a state dict.

    Returns
    -------
    dict of str to torch.Tensor

    Raises
    ------
    WorkshopError
        When the file is missing, damaged or holds something other than a state dict.
    """
    path = Path(path)
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError as err:
        raise WorkshopError(f"The weights file {path} is not there.") from err
    except pickle.UnpicklingError as err:
        raise WorkshopError(
            f"The file {path} holds more than plain weights (Python objects that could run code), "
            "so it was not opened. Use the weights file from the workshop's registry."
        ) from err
    except Exception as err:  # torch raises many types for a damaged file
        raise WorkshopError(
            f"The weights file {path} could not be read ({type(err).__name__}: {err}). It is "
            "probably incomplete: delete it and run this again to download it afresh."
        ) from err
    if isinstance(state, dict) and isinstance(state.get("state_dict"), dict):
        state = state["state_dict"]
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise WorkshopError(f"The file {path} does not hold network weights (a state dict).")
    return state


def build(name: str, state: dict[str, torch.Tensor]) -> torch.nn.Module:
    """Make the network ``name`` at the width the weights have, and load them strictly.

    The width is read from the first layer (64 in the published files). Every tensor of the
    module must be in the file with the same shape, and nothing else may be (``strict=True``).
    Only the BatchNorm batch counters (``num_batches_tracked``), which older PyTorch versions did
    not save and which play no part in colouring, are filled in with 0 when a file lacks them.

    Returns
    -------
    torch.nn.Module
        The network in eval mode, on the CPU.

    Raises
    ------
    WorkshopError
        When the weights do not fit the network.
    """
    cls = _check_name(name)
    first = state.get("model1.0.weight")
    if first is None or first.ndim != 4:
        raise WorkshopError(
            f"These weights are not for '{name}': they have no first layer 'model1.0.weight'."
        )
    model = cls(width=int(first.shape[0]))
    state = dict(state)
    for key, value in model.state_dict().items():
        if key.endswith("num_batches_tracked") and key not in state:
            state[key] = torch.zeros_like(value)
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as err:
        raise WorkshopError(
            f"The weights file does not fit the '{name}' network, so it was not used. "
            f"PyTorch said: {err}"
        ) from err
    return model.eval()


def load(name: str, device: torch.device) -> torch.nn.Module:
    """Fetch, read and strictly load network ``name`` onto ``device``; kept once loaded.

    The loader behind the bundles of :mod:`workshop_lib.colorize.bundles`; learners call
    :func:`workshop_lib.colorize.from_pretrained`. ``device`` is a ``torch.device`` already
    chosen by :func:`workshop_lib.runtime.pick_device`.
    """
    _check_name(name)
    path = assets.fetch(name)
    key = (name, str(device), str(path))
    with _LOCK:
        if key not in _CACHE:
            _CACHE[key] = build(name, read_state_dict(path)).to(device)
        return _CACHE[key]
