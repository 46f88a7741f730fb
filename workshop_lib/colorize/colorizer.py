"""The Colorizer: one photo, its colour hints, and everything a learner does with them.

A :class:`Colorizer` holds a black-and-white photo (or a colour photo turned grey, whose true
colours it keeps for comparison), the list of hints a learner places, and the loaded network.
It computes the automatic result, the result with hints, suggested colours and the gamut at a
point, saves and resumes work, and measures how close a result is to the true colours. The
widget (:mod:`workshop_lib.colorize.widget`) is only a view over this object. The file is a
little over 600 lines because it is the one public object learners use, every method typed and
explained; the work itself already lives in apply, colors, hints, saving and suggest.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, cast

import numpy as np
import torch
from PIL import Image

from .. import runtime
from ..errors import WorkshopError
from ..media.images import MAX_SIDE, ImageSource, open_image, side_by_side
from . import apply, colors, hints, saving, suggest
from .apply import NETWORK_SIZE, Runner
from .bundles import bundle, from_pretrained
from .colors import Color
from .evaluate import psnr
from .hints import Hint
from .suggest import Suggestion

if TYPE_CHECKING:
    import ipywidgets
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

    from .model import ECCVGenerator


__all__ = [
    "PREVIEW_SIZE",
    "Colorizer",
    "Hint",
    "Suggestion",
    "colorize",
    "psnr",
    "set_widget_maker",
]

PREVIEW_SIZE = 128
"""Grid size of the quick preview shown while a hint is dragged (the full result uses 256)."""

_widget_maker: list[Callable] = []  # set by the package (workshop_lib.colorize), see widget()


def set_widget_maker(maker: Callable) -> None:
    """Say which function makes :meth:`Colorizer.widget`'s tool: ``maker(colorizer, plain=...)``.

    The package (:mod:`workshop_lib.colorize`) sets it to
    :func:`workshop_lib.colorize.widget.colorize_widget`, so this module (the model) never
    imports the widget (its view).
    """
    _widget_maker[:] = [maker]


class Colorizer:
    """Colour one black-and-white photo, automatically and with your hints.

    The photo can be anything :func:`workshop_lib.media.open_image` reads. A colour photo is
    turned grey first; its true colours are kept (``original``) so results can be compared
    with them. The network sees the photo squeezed to 256 x 256 and predicts the colour (a and
    b of Lab); the result puts that colour, enlarged, on the photo's own full-resolution
    lightness, as in the authors' code.

    Hints are kept in order; each change (add, move, recolour, resize, remove, clear, load) can be
    undone. Positions are pixels of the photo (``x`` from the left, ``y`` from the top).

    Parameters
    ----------
    image : str, Path, bytes, PIL.Image.Image or numpy.ndarray
        The photo: a file, web address, file bytes, Pillow picture or array.
    model : {"siggraph17", "eccv16"}
        The user-guided network (default) or the automatic-only one.
    device : str, torch.device or None
        Where the network runs: ``"cpu"``, ``"cuda"``, a ``torch.device``, or None for the
        fastest available (see :func:`workshop_lib.runtime.pick_device`).
    max_side : int
        Larger photos are shrunk to this many pixels a side (with a note).
    fast : bool
        Run the network in reduced precision where the hardware is fast at it (see
        :class:`workshop_lib.colorize.apply.Runner`); False runs plain float32.

    Attributes
    ----------
    grey : PIL.Image.Image
        The photo in black and white, as the network sees it (at full size).
    original : PIL.Image.Image or None
        The true colours, when the photo started in colour.
    name : str
        The photo's name, for messages and file names.
    note : str or None
        What happened when loading (such as shrinking), or None.
    seconds : float
        How long the last colouring took, in seconds.

    References
    ----------
    Zhang, Zhu, Isola, Geng, Lin, Yu, Efros, "Real-Time User-Guided Image Colorization with
    Learned Deep Priors", SIGGRAPH 2017. https://richzhang.github.io/ideepcolor/

    Examples
    --------
    >>> from workshop_lib.assets import bundled
    >>> colorizer = Colorizer(bundled("images/coffee.jpg"))
    >>> hint = colorizer.add_hint(300, 200, "red")
    >>> colorizer.result().size
    (600, 400)
    """

    def __init__(
        self,
        image: ImageSource,
        *,
        model: str = "siggraph17",
        device: str | torch.device | None = None,
        max_side: int = MAX_SIDE,
        fast: bool = True,
    ) -> None:
        bundle(model)  # an unknown name raises the friendly message
        self._device = runtime.pick_device(device)
        loaded = open_image(image, max_side=max_side, min_side=16)
        self.name = loaded.name
        self.note = loaded.note
        rgb = np.asarray(loaded.image)
        self._lightness = apply.rgb_to_lab(rgb)[..., 0]
        self._network_l = apply.network_lightness(loaded.image)
        self.original = None if loaded.greyscale else loaded.image
        self.grey = apply.compose(self._lightness, torch.zeros(1, 2, 1, 1))
        self.model_name = model
        self._fast = fast
        self._runner: Runner | None = None
        self._distribution: tuple[np.ndarray, np.ndarray] | None = None
        self._history = hints.HintHistory()
        self._listeners: list = []
        self._lock = threading.RLock()
        self._display_l: dict[int, np.ndarray] = {}
        self._automatic: dict[int, torch.Tensor] = {}
        self.seconds = 0.0
        self.fingerprint = saving.fingerprint(loaded.image)

    # --- what it holds ---------------------------------------------------------------------

    @property
    def size(self) -> tuple[int, int]:
        """The photo's (width, height) in pixels: the space hint positions live in."""
        return self.grey.size

    @property
    def device(self) -> torch.device:
        """Where the networks run."""
        return self._device

    @property
    def hints(self) -> tuple[Hint, ...]:
        """The hints, oldest first (a later hint covers an earlier one where they overlap)."""
        return tuple(self._history.hints)

    @property
    def has_truth(self) -> bool:
        """True when the photo started in colour, so results can be compared with the truth."""
        return self.original is not None

    @property
    def can_undo(self) -> bool:
        """True when there is a change to undo."""
        return self._history.can_undo

    def __repr__(self) -> str:
        width, height = self.size
        truth = ", true colours known" if self.has_truth else ""
        return (
            f"Colorizer('{self.name}', {width} × {height} pixels, {len(self.hints)} hint(s), "
            f"model {self.model_name}{truth})"
        )

    def on_change(self, callback: Callable[[Colorizer], object]) -> None:
        """Call ``callback(colorizer)`` after every change to the hints (the widget uses this)."""
        self._listeners.append(callback)

    def lightness_at(self, x: float, y: float) -> float:
        """Lightness L (0 black .. 100 white) at a pixel, as the network sees it there."""
        x, y = self._check_point(x, y)
        column, row = apply.grid_position(x, y, self.size, NETWORK_SIZE)
        return float(self._network_l[row, column])

    # --- hints -----------------------------------------------------------------------------

    def add_hint(self, x: float, y: float, color: Color, *, size: int = 5) -> Hint:
        """Say "the spot at (x, y) has this colour"; the result follows.

        Parameters
        ----------
        x, y : int
            Pixel position in the photo: x from the left edge, y from the top edge.
        color : str or sequence
            A name (``"red"``), hex code (``"#ff0000"``) or RGB triple (``(255, 0, 0)``). It is
            made displayable at the spot's lightness (a white spot cannot be deep red).
        size : int
            Width of the square patch, 1 (a dot) to 9, in cells of the 256 x 256 grid.

        Returns
        -------
        Hint

        Raises
        ------
        WorkshopError
            A position outside the photo, an unknown colour or a size outside 1..9.
        """
        hint = self._make_hint(x, y, color, size)
        self._change(("add",), lambda old: [*old, hint])
        return hint

    def move_hint(self, index: int, x: float, y: float) -> Hint:
        """Move hint number ``index`` (0 = the first) to (x, y); its colour is re-fitted there.

        Several moves of the same hint in a row are undone together.
        """
        old = self._hint(index)
        hint = self._make_hint(x, y, old.color, old.size)
        self._change(("move", index), lambda old: hints.replace(old, index, hint))
        return hint

    def recolor_hint(self, index: int, color: Color) -> Hint:
        """Give hint number ``index`` a new colour."""
        old = self._hint(index)
        hint = self._make_hint(old.x, old.y, color, old.size)
        self._change(("recolor", index), lambda old: hints.replace(old, index, hint))
        return hint

    def resize_hint(self, index: int, size: int) -> Hint:
        """Make hint number ``index`` cover a larger or smaller square (1..9)."""
        old = self._hint(index)
        hint = self._make_hint(old.x, old.y, old.color, size)
        self._change(("resize", index), lambda old: hints.replace(old, index, hint))
        return hint

    def remove_hint(self, index: int) -> Hint:
        """Remove hint number ``index``; returns it."""
        old = self._hint(index)
        self._change(("remove",), lambda old: old[:index] + old[index + 1 :])
        return old

    def clear(self) -> None:
        """Remove every hint (one undo brings them all back)."""
        if self.hints:
            self._change(("clear",), lambda old: [])

    def set_hints(self, new_hints: Iterable[Hint | tuple | dict]) -> None:
        """Replace all hints at once (undoable): safe to run again, it never adds twice.

        Each item is a :class:`Hint` or a dict with x, y, color and optionally size. When one
        item is wrong, a WorkshopError says which and the current hints stay as they were.
        """
        made = [self._hint_from(item) for item in new_hints]
        if made != list(self.hints):
            self._change(("set",), lambda old: made)

    def undo(self) -> bool:
        """Take back the last change to the hints. Returns False when there is nothing to undo."""
        with self._lock:
            if not self._history.undo():
                return False
        self._notify()
        return True

    def hint_at(self, x: float, y: float, *, margin: float = 3) -> int | None:
        """The number of the hint drawn at pixel (x, y) (the top one), or None.

        ``margin`` pixels around each hint's square count too, so small hints are easy to hit.
        """
        return hints.hint_at(self.hints, x, y, self.size, margin=margin)

    def hint_picture(self, *, max_side: int | None = None) -> Image.Image:
        """The grey photo with every hint drawn as a square in its colour.

        Parameters
        ----------
        max_side : int, optional
            Make the picture at most this many pixels a side; None keeps the photo's size.
        """
        picture = self.grey.copy()
        if max_side is not None:
            picture.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        return hints.draw_hints(picture, self.hints, self.size)

    def snap(self, color: Color, x: float, y: float) -> str:
        """How ``color`` looks as a hint at (x, y): the displayable colour at that lightness, as hex."""
        lightness = self.lightness_at(x, y)
        ab = colors.snap_ab(lightness, colors.color_ab(color))
        return colors.to_hex(apply.lab_to_rgb([lightness, *ab]))

    # --- results ---------------------------------------------------------------------------

    def result(
        self,
        *,
        max_side: int | None = None,
        automatic: bool = False,
        preview: bool = False,
        hints: Sequence[Hint] | None = None,
    ) -> Image.Image:
        """The coloured photo: automatic, or following the hints.

        Parameters
        ----------
        max_side : int, optional
            Make the picture at most this many pixels a side (quicker, for showing on screen).
            None gives the photo's full size.
        automatic : bool
            Ignore the hints: the network's own guess.
        preview : bool
            Run the network at 128 x 128 instead of 256 x 256: about four times quicker, a
            little blurrier. The widget shows this while a hint is being dragged.
        hints : sequence of Hint, optional
            Use these hints instead of the current ones (the widget passes a snapshot).

        Returns
        -------
        PIL.Image.Image
            RGB picture.
        """
        ab = self.predict_ab(hints=() if automatic else hints, preview=preview)
        return apply.compose(self._lightness_for(max_side), ab)

    def automatic(self, *, max_side: int | None = None) -> Image.Image:
        """The network's own colours, with no hints."""
        return self.result(max_side=max_side, automatic=True)

    def predict_ab(
        self, hints: Sequence[Hint] | None = None, *, preview: bool = False
    ) -> torch.Tensor:
        """Run the network: the predicted a and b at the network's size, shape (1, 2, S, S).

        Parameters
        ----------
        hints : sequence of Hint, optional
            None uses the current hints; ``()`` gives the automatic result (cached).
        preview : bool
            Use the 128 x 128 grid.
        """
        hints = self.hints if hints is None else tuple(hints)
        grid = PREVIEW_SIZE if preview else NETWORK_SIZE
        if not hints and grid in self._automatic:
            return self._automatic[grid]
        if hints and self.model_name != "siggraph17":
            raise WorkshopError(
                f"The '{self.model_name}' network colours automatically and cannot take hints. "
                "Use Colorizer(photo, model='siggraph17') to place hints."
            )
        lightness = apply.resize_grid(self._network_l, grid)
        l_tensor = torch.from_numpy(np.ascontiguousarray(lightness))[None, None]
        runner = self._get_runner()
        with self._lock:
            if self.model_name == "siggraph17":
                hint_ab, mask = apply.encode_hints(hints, self.size, grid)
                ab = runner(l_tensor, hint_ab, mask)
            else:
                ab = runner(l_tensor)
            self.seconds = runner.seconds
        if not hints:
            self._automatic[grid] = ab
        return ab

    def compare(self, *, height: int = 320) -> Image.Image:
        """Show the grey photo, the current result and (when known) the true colours side by side."""
        pictures = [self.grey, self.result(max_side=max(height * 3, 512))]
        titles = ["Black and white", f"Coloured ({len(self.hints)} hints)"]
        if self.original is not None:
            pictures.append(self.original)
            score = self.psnr()
            titles[1] += f", PSNR {score:.1f} dB"
            titles.append("True colours")
        return side_by_side(*pictures, titles=titles, height=height)

    def psnr(self, *, automatic: bool = False) -> float:
        """How close the result is to the true colours, in decibels (higher is closer).

        Only for photos that started in colour (else a WorkshopError: the truth is unknown).
        Typical values: about 24 dB with no hints, 28 dB with ten good hints (the paper's
        figures on 1000 ImageNet photos). See :func:`workshop_lib.colorize.psnr`.
        """
        if not self.has_truth:
            raise WorkshopError(
                f"'{self.name}' was black and white to begin with, so nobody knows its true "
                "colours and there is nothing to compare with. Try a colour photo: the "
                "Colorizer turns it grey and keeps the colours to compare."
            )
        assert self.original is not None  # has_truth says so
        return psnr(self.result(automatic=automatic), self.original)

    # --- suggestions and gamut ---------------------------------------------------------------

    def distribution(self, x: float, y: float) -> tuple[np.ndarray, np.ndarray]:
        """The automatic network's belief about the colour at (x, y).

        Returns
        -------
        centres : numpy.ndarray
            a and b (Lab units) of each of the 313 colour bins, shape (313, 2).
        chances : numpy.ndarray
            How likely the network thinks each bin is there, shape (313,), summing to 1.
        """
        x, y = self._check_point(x, y)
        centres, chances = self._distribution_map()
        size = chances.shape[0]
        column, row = apply.grid_position(x, y, self.size, size)
        return centres, chances[row, column]

    def suggestions(self, x: float, y: float, *, count: int = 8) -> list[Suggestion]:
        """The most likely colours at (x, y), best first, as the ideepcolor program suggests them.

        They come from the automatic ECCV 2016 network's belief at that spot, grouped into
        ``count`` clusters of similar colours (see :mod:`workshop_lib.colorize.suggest` for why
        that network). They do not depend on your hints.

        Parameters
        ----------
        x, y : int
            Pixel position.
        count : int
            How many colours at most (fewer when several look the same at this lightness).

        Returns
        -------
        list of Suggestion
        """
        centres, chances = self.distribution(x, y)
        return suggest.suggest(centres, chances, self.lightness_at(x, y), count)

    def palette(self, x: float, y: float, *, count: int = 8, swatch: int = 56) -> Image.Image:
        """The suggested colours at (x, y) as a picture: a row of swatches, each with its share."""
        return suggest.palette_image(self.suggestions(x, y, count=count), swatch=swatch)

    def gamut(self, x: float, y: float, *, size: int = 256) -> Image.Image:
        """The colours a screen can show at the lightness of (x, y), as ideepcolor's gamut panel.

        a runs left (green) to right (red), b bottom (blue) to top (yellow); grey parts cannot be
        shown at this lightness. The hint at that spot, if any, is marked.
        """
        lightness = self.lightness_at(x, y)
        index = self.hint_at(x, y, margin=0)
        mark = self.hints[index].ab if index is not None else None
        return colors.gamut_image(lightness, size=size, mark=mark)

    def plot_distribution(
        self, x: float, y: float, *, ax: Axes | None = None
    ) -> Figure | SubFigure:
        """Plot the network's colour guess at (x, y) (a matplotlib figure): each dot a colour,
        bigger = more likely."""
        centres, chances = self.distribution(x, y)
        title = f"The network's colour guess at ({int(x)}, {int(y)})"
        return suggest.plot_belief(centres, chances, self.lightness_at(x, y), title=title, ax=ax)

    # --- saving and resuming -----------------------------------------------------------------

    def hints_record(self) -> dict:
        """The hints as a JSON-ready dict, tied to this photo by its fingerprint (a SHA-256 hash
        of the photo in grey)."""
        return saving.hints_record(self)

    def save(
        self, folder: str | os.PathLike = ".", *, name: str | None = None, label: bool = True
    ) -> dict[str, Path]:
        """Save the coloured photo (PNG, full size) and the hints (JSON) side by side.

        Keep the two files together (on Colab, a folder on your Google Drive survives a runtime
        reset); :meth:`load_hints` puts the hints back on the same photo later.

        Parameters
        ----------
        folder : str or Path
            Where to save; created when missing.
        name : str, optional
            File name start; None uses the photo's name.
        label : bool
            Write "Colours added by AI" in a corner of the picture, so nobody takes the colours
            for the real ones.

        Returns
        -------
        dict
            ``{"image": Path, "hints": Path}``.
        """
        return saving.save_files(self, folder, name=name, with_label=label)

    def load_hints(self, path: str | os.PathLike, *, force: bool = False) -> int:
        """Put saved hints back on this photo (undoable); returns how many.

        Parameters
        ----------
        path : str or Path
            A ``..._hints.json`` file written by :meth:`save`.
        force : bool
            Place them even if they were saved for another photo (positions are scaled to this
            photo's size).

        Raises
        ------
        WorkshopError
            Not a hints file, or hints for another photo (unless ``force``). The current hints
            are kept either way.
        """
        found = saving.read_hints(path, self, force=force)
        self.set_hints(found)
        return len(found)

    def widget(self, *, plain: bool = False) -> ipywidgets.DOMWidget:
        """The interactive colouring tool for this photo (see :class:`ColorizeWidget`).

        Parameters
        ----------
        plain : bool
            Use the simple version made of standard controls (sliders, a colour picker), for
            when the custom one does not show.
        """
        if not _widget_maker:  # only when this module is used without its package
            raise WorkshopError("The colouring widget is not available here.")
        return _widget_maker[0](self, plain=plain)

    # --- inside ------------------------------------------------------------------------------

    def _get_runner(self) -> Runner:
        if self._runner is None:
            model = from_pretrained(self.model_name, device=self._device)
            device = next(model.parameters()).device
            self._runner = Runner(model, device, fast=self._fast)
        return self._runner

    def _distribution_map(self) -> tuple[np.ndarray, np.ndarray]:
        """ECCV16 bin centres (313, 2) and chances (64, 64, 313) for this photo, computed once."""
        if self._distribution is None:
            model = cast("ECCVGenerator", from_pretrained("eccv16", device=self._device))
            self._distribution = suggest.belief_map(model, self._network_l)
        return self._distribution

    def _lightness_for(self, max_side: int | None) -> np.ndarray:
        """The photo's lightness at full size, or shrunk to at most ``max_side`` a side."""
        width, height = self.size
        if max_side is None or max(width, height) <= max_side:
            return self._lightness
        if max_side not in self._display_l:
            scale = max_side / max(width, height)
            size = (max(1, round(width * scale)), max(1, round(height * scale)))
            small = self.grey.resize(size, Image.Resampling.LANCZOS)
            self._display_l[max_side] = apply.rgb_to_lab(np.asarray(small))[..., 0]
        return self._display_l[max_side]

    def _check_point(self, x, y) -> tuple[int, int]:
        return hints.check_point(x, y, self.size)

    def _make_hint(self, x, y, color, size) -> Hint:
        x, y = self._check_point(x, y)
        size = hints.check_size(size)
        requested = colors.to_hex(np.asarray(colors.parse_color(color)))
        lightness = self._patch_lightness(x, y, size)
        ab = colors.snap_ab(lightness, colors.color_ab(requested))
        return Hint(x, y, requested, size, ab)

    def _hint_from(self, item) -> Hint:
        """A hint from a :class:`Hint` or a dict with x, y, color and optionally size."""
        return self._make_hint(*hints.fields(item))

    def _patch_lightness(self, x: int, y: int, size: int) -> float:
        """Average lightness under a hint's patch on the network's grid."""
        column, row = apply.grid_position(x, y, self.size, NETWORK_SIZE)
        top, bottom, left, right = apply.patch_bounds(column, row, size, NETWORK_SIZE)
        return float(self._network_l[top:bottom, left:right].mean())

    def _hint(self, index: int) -> Hint:
        return self.hints[hints.check_index(index, len(self.hints))]

    def _change(self, tag, edit) -> None:
        """Apply an edit to the hint list, remembering the old list for undo."""
        with self._lock:
            self._history.change(tag, edit)
        self._notify()

    def _notify(self) -> None:
        for callback in list(self._listeners):
            callback(self)


def colorize(
    image: ImageSource,
    *,
    hints: Iterable[Hint | tuple | dict] = (),
    model: str = "siggraph17",
    device: str | torch.device | None = None,
) -> Image.Image:
    """Colour a black-and-white photo in one call; returns the coloured photo at full size.

    Parameters
    ----------
    image : str, Path, bytes, PIL.Image.Image or numpy.ndarray
        The photo (a colour photo is turned grey first).
    hints : sequence
        Optional hints: dicts with ``x``, ``y``, ``color`` and optionally ``size``, such as
        ``[{"x": 120, "y": 80, "color": "red"}]``.
    model : {"siggraph17", "eccv16"}
        The user-guided network (default) or the automatic-only ECCV 2016 one.
    device : str or torch.device, optional
        Where the network runs; None picks the GPU when there is one.

    Returns
    -------
    PIL.Image.Image

    Examples
    --------
    >>> from workshop_lib.assets import bundled
    >>> colorize(bundled("images/coffee.jpg")).size
    (600, 400)
    """
    colorizer = Colorizer(image, model=model, device=device)
    if hints:
        colorizer.set_hints(hints)
    return colorizer.result()
