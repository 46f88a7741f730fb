"""The Colorizer: one photo, its colour hints, and everything a learner does with them.

A :class:`Colorizer` holds a black-and-white photo (or a colour photo turned grey, whose true
colours it keeps for comparison), the list of hints a learner places, and the loaded network.
It computes the automatic result, the result with hints, suggested colours and the gamut at a
point, saves and resumes work, and measures how close a result is to the true colours. The
widget (:mod:`workshop_lib.colorize.widget`) is only a view over this object.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw

from ..errors import WorkshopError
from ..media.images import MAX_SIDE, open_image, side_by_side
from . import apply, colors, weights
from .apply import NETWORK_SIZE, Runner

__all__ = ["PREVIEW_SIZE", "Colorizer", "Hint", "Suggestion", "colorize", "psnr"]

PREVIEW_SIZE = 128
"""Grid size of the quick preview shown while a hint is dragged (the full result uses 256)."""
_HINTS_FORMAT = "workshop_lib colorize hints"
_HISTORY_LIMIT = 200


@dataclass(frozen=True)
class Hint:
    """One colour hint: "this spot has this colour".

    Attributes
    ----------
    x, y : int
        Pixel position in the photo, from the left and from the top.
    color : str
        The colour asked for, as ``"#rrggbb"``.
    size : int
        Width of the square patch the hint fills, 1..9, in cells of the network's 256 x 256 grid.
    ab : tuple of float
        The colour the network gets: a and b (Lab units) of ``color``, made displayable at the
        lightness of the spot.
    """

    x: int
    y: int
    color: str
    size: int
    ab: tuple[float, float]


@dataclass(frozen=True)
class Suggestion:
    """A likely colour at a spot, from the automatic (ECCV 2016) network's colour distribution.

    Attributes
    ----------
    color : str
        ``"#rrggbb"``, as it looks at the spot's lightness.
    ab : tuple of float
        Its a and b in Lab units.
    share : float
        The part (0..1) of the network's belief that falls on colours like this one.
    """

    color: str
    ab: tuple[float, float]
    share: float


def psnr(result, truth) -> float:
    """Peak signal-to-noise ratio in decibels (dB) between two pictures: higher is closer.

    PSNR = 20 log10(255 / RMSE) over all pixels and RGB channels, as in the authors' evaluation.
    Identical pictures give infinity.

    Parameters
    ----------
    result, truth : PIL.Image.Image or numpy.ndarray
        Pictures of the same size (uint8 RGB).

    Examples
    --------
    >>> a = np.zeros((4, 4, 3), np.uint8)
    >>> round(psnr(a, a + 10), 2)
    28.13
    """
    first = np.asarray(result, dtype=np.float64)
    second = np.asarray(truth, dtype=np.float64)
    if first.shape != second.shape:
        raise WorkshopError(
            f"The two pictures differ in size ({first.shape} and {second.shape}); PSNR compares "
            "pictures of the same size."
        )
    mse = float(np.mean((first - second) ** 2))
    return float("inf") if mse == 0 else float(20 * np.log10(255.0 / np.sqrt(mse)))


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
    device : str or torch.device, optional
        Where the network runs; None picks the GPU when there is one.
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
        image,
        *,
        model: str = "siggraph17",
        device=None,
        max_side: int = MAX_SIDE,
        fast: bool = True,
    ):
        if model not in weights.MODELS:
            weights.from_pretrained(model)  # raises the friendly message
        loaded = open_image(image, max_side=max_side, min_side=16)
        self.name = loaded.name
        self.note = loaded.note
        rgb = np.asarray(loaded.image)
        self._lightness = apply.rgb_to_lab(rgb)[..., 0]
        self._network_l = apply.network_lightness(loaded.image)
        self.original = None if loaded.greyscale else loaded.image
        self.grey = apply.compose(self._lightness, torch.zeros(1, 2, 1, 1))
        self.model_name = model
        self._device = device
        self._fast = fast
        self._runner: Runner | None = None
        self._suggester: Runner | None = None
        self._distribution: tuple[np.ndarray, np.ndarray] | None = None
        self._hints: list[Hint] = []
        self._history: list[tuple[list[Hint], object]] = []
        self._listeners: list = []
        self._lock = threading.RLock()
        self._display_l: dict[int, np.ndarray] = {}
        self._automatic: dict[int, torch.Tensor] = {}
        self.seconds = 0.0
        self.fingerprint = _fingerprint(loaded.image)

    # --- what it holds ---------------------------------------------------------------------

    @property
    def size(self) -> tuple[int, int]:
        """The photo's (width, height) in pixels: the space hint positions live in."""
        return self.grey.size

    @property
    def hints(self) -> tuple[Hint, ...]:
        """The hints, oldest first (a later hint covers an earlier one where they overlap)."""
        return tuple(self._hints)

    @property
    def has_truth(self) -> bool:
        """True when the photo started in colour, so results can be compared with the truth."""
        return self.original is not None

    @property
    def can_undo(self) -> bool:
        """True when there is a change to undo."""
        return bool(self._history)

    def __repr__(self) -> str:
        width, height = self.size
        truth = ", true colours known" if self.has_truth else ""
        return (
            f"Colorizer('{self.name}', {width} × {height} pixels, {len(self._hints)} hint(s), "
            f"model {self.model_name}{truth})"
        )

    def on_change(self, callback) -> None:
        """Call ``callback(colorizer)`` after every change to the hints (the widget uses this)."""
        self._listeners.append(callback)

    def lightness_at(self, x, y) -> float:
        """Lightness L (0 black .. 100 white) at a pixel, as the network sees it there."""
        x, y = self._check_point(x, y)
        column, row = apply.grid_position(x, y, self.size, NETWORK_SIZE)
        return float(self._network_l[row, column])

    # --- hints -----------------------------------------------------------------------------

    def add_hint(self, x, y, color, *, size: int = 5) -> Hint:
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
        self._change(("add",), lambda hints: [*hints, hint])
        return hint

    def move_hint(self, index: int, x, y) -> Hint:
        """Move hint number ``index`` (0 = the first) to (x, y); its colour is re-fitted there.

        Several moves of the same hint in a row are undone together.
        """
        old = self._hint(index)
        hint = self._make_hint(x, y, old.color, old.size)
        self._change(("move", index), lambda hints: _replace(hints, index, hint))
        return hint

    def recolor_hint(self, index: int, color) -> Hint:
        """Give hint number ``index`` a new colour."""
        old = self._hint(index)
        hint = self._make_hint(old.x, old.y, color, old.size)
        self._change(("recolor", index), lambda hints: _replace(hints, index, hint))
        return hint

    def resize_hint(self, index: int, size: int) -> Hint:
        """Make hint number ``index`` cover a larger or smaller square (1..9)."""
        old = self._hint(index)
        hint = self._make_hint(old.x, old.y, old.color, size)
        self._change(("resize", index), lambda hints: _replace(hints, index, hint))
        return hint

    def remove_hint(self, index: int) -> Hint:
        """Remove hint number ``index``; returns it."""
        old = self._hint(index)
        self._change(("remove",), lambda hints: hints[:index] + hints[index + 1 :])
        return old

    def clear(self) -> None:
        """Remove every hint (one undo brings them all back)."""
        if self._hints:
            self._change(("clear",), lambda hints: [])

    def set_hints(self, hints) -> None:
        """Replace all hints at once (undoable). Each item is a :class:`Hint` or a dict with x, y,
        color and optionally size."""
        made = [
            self._make_hint(h["x"], h["y"], h["color"], h.get("size", 5))
            if isinstance(h, dict)
            else self._make_hint(h.x, h.y, h.color, h.size)
            for h in hints
        ]
        if made != self._hints:
            self._change(("set",), lambda old: made)

    def undo(self) -> bool:
        """Take back the last change to the hints. Returns False when there is nothing to undo."""
        with self._lock:
            if not self._history:
                return False
            self._hints, _ = self._history.pop()
        self._notify()
        return True

    def hint_at(self, x, y, *, margin: float = 3) -> int | None:
        """The number of the hint drawn at pixel (x, y) (the top one), or None.

        ``margin`` pixels around each hint's square count too, so small hints are easy to hit.
        """
        width, height = self.size
        for index in range(len(self._hints) - 1, -1, -1):
            hint = self._hints[index]
            half_x = max(hint.size * width / NETWORK_SIZE / 2, 1) + margin
            half_y = max(hint.size * height / NETWORK_SIZE / 2, 1) + margin
            if abs(x - hint.x) <= half_x and abs(y - hint.y) <= half_y:
                return index
        return None

    def snap(self, color, x, y) -> str:
        """How ``color`` looks as a hint at (x, y): the displayable colour at that lightness, as hex."""
        lightness = self.lightness_at(x, y)
        ab = colors.snap_ab(lightness, _color_ab(color))
        return colors.to_hex(apply.lab_to_rgb([lightness, *ab]))

    # --- results ---------------------------------------------------------------------------

    def result(
        self, *, max_side: int | None = None, automatic: bool = False, preview=False, hints=None
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

    def predict_ab(self, hints=None, *, preview: bool = False) -> torch.Tensor:
        """Run the network: the predicted a and b at the network's size, shape (1, 2, S, S).

        Parameters
        ----------
        hints : sequence of Hint, optional
            None uses the current hints; ``()`` gives the automatic result (cached).
        preview : bool
            Use the 128 x 128 grid.
        """
        hints = tuple(self._hints) if hints is None else tuple(hints)
        grid = PREVIEW_SIZE if preview else NETWORK_SIZE
        if not hints and grid in self._automatic:
            return self._automatic[grid]
        if hints and self.model_name != "siggraph17":
            raise WorkshopError(
                f"The '{self.model_name}' network colours automatically and cannot take hints. "
                "Use Colorizer(photo, model='siggraph17') to place hints."
            )
        lightness = self._network_l if grid == NETWORK_SIZE else _resize_l(self._network_l, grid)
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
        titles = ["Black and white", f"Coloured ({len(self._hints)} hints)"]
        if self.has_truth:
            pictures.append(self.original)
            score = self.psnr()
            titles[1] += f", PSNR {score:.1f} dB"
            titles.append("True colours")
        return side_by_side(*pictures, titles=titles, height=height)

    def psnr(self, *, automatic: bool = False) -> float:
        """How close the result is to the true colours, in decibels (higher is closer).

        Only for photos that started in colour. Typical values: about 24 dB with no hints, 28 dB
        with ten good hints (the paper's figures on 1000 ImageNet photos).

        Raises
        ------
        WorkshopError
            When the photo was black and white to begin with, so the truth is unknown.
        """
        if not self.has_truth:
            raise WorkshopError(
                f"'{self.name}' was black and white to begin with, so nobody knows its true "
                "colours and there is nothing to compare with. Try a colour photo: the "
                "Colorizer turns it grey and keeps the colours to compare."
            )
        return psnr(self.result(automatic=automatic), self.original)

    # --- suggestions and gamut ---------------------------------------------------------------

    def distribution(self, x, y) -> tuple[np.ndarray, np.ndarray]:
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

    def suggestions(self, x, y, *, count: int = 8) -> list[Suggestion]:
        """The most likely colours at (x, y), best first, as the ideepcolor program suggests them.

        Source: the automatic ECCV 2016 network ("Colorful Image Colorization"), whose job in
        training was exactly this: for every spot, a probability for each of 313 colour bins.
        We use it rather than the SIGGRAPH 2017 network's own colour-class head (``model_class``)
        because the published SIGGRAPH weights' forward pass never uses that head, and whether it
        was trained is not documented; the ECCV distribution is known to be trained. The
        distribution is grouped into ``count`` clusters of similar colours (k-means weighted by
        probability, as ideepcolor clusters samples from it), biggest first, each made
        displayable at the spot's lightness. It does not depend on your hints.

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
        lightness = self.lightness_at(x, y)
        clusters = _weighted_kmeans(centres, chances, count)
        result, seen = [], set()
        for centre, share in clusters:
            ab = colors.snap_ab(lightness, centre)
            hex_color = colors.to_hex(apply.lab_to_rgb([lightness, *ab]))
            if hex_color not in seen:
                seen.add(hex_color)
                result.append(Suggestion(hex_color, ab, round(float(share), 4)))
        return result

    def palette(self, x, y, *, count: int = 8, swatch: int = 56) -> Image.Image:
        """Show the suggested colours at (x, y) as a row of swatches, each with its share.

        Returns
        -------
        PIL.Image.Image
        """
        found = self.suggestions(x, y, count=count)
        picture = Image.new("RGB", (max(len(found), 1) * (swatch + 6) + 6, swatch + 24), "white")
        draw = ImageDraw.Draw(picture)
        for index, suggestion in enumerate(found):
            left = 6 + index * (swatch + 6)
            draw.rectangle(
                [left, 4, left + swatch, 4 + swatch], fill=suggestion.color, outline="gray"
            )
            draw.text((left + 2, swatch + 8), f"{suggestion.share:.0%}", fill=(40, 40, 40))
        return picture

    def gamut(self, x, y, *, size: int = 256) -> Image.Image:
        """The colours a screen can show at the lightness of (x, y), as ideepcolor's gamut panel.

        a runs left (green) to right (red), b bottom (blue) to top (yellow); grey parts cannot be
        shown at this lightness. The hint at that spot, if any, is marked.
        """
        lightness = self.lightness_at(x, y)
        index = self.hint_at(x, y, margin=0)
        mark = self._hints[index].ab if index is not None else None
        return colors.gamut_image(lightness, size=size, mark=mark)

    def plot_distribution(self, x, y, *, ax=None):
        """Plot the network's colour guess at (x, y): each dot a colour, bigger = more likely.

        Returns
        -------
        matplotlib.figure.Figure
        """
        import matplotlib.pyplot as plt

        centres, chances = self.distribution(x, y)
        lightness = self.lightness_at(x, y)
        shown = [colors.snap_ab(lightness, c) for c in centres]
        dots = apply.lab_to_rgb([[lightness, a, b] for a, b in shown])
        if ax is None:
            figure, ax = plt.subplots(figsize=(5, 5))
        else:
            figure = ax.figure
        ax.scatter(centres[:, 0], centres[:, 1], s=4 + 3000 * chances, c=dots, edgecolors="0.4")
        ax.axhline(0, color="0.8", lw=0.8)
        ax.axvline(0, color="0.8", lw=0.8)
        ax.set(
            xlim=(-115, 115),
            ylim=(-115, 115),
            aspect="equal",
            xlabel="a: green ← → red",
            ylabel="b: blue ← → yellow",
            title=f"The network's colour guess at ({int(x)}, {int(y)})",
        )
        plt.close(figure)
        return figure

    # --- saving and resuming -----------------------------------------------------------------

    def hints_record(self) -> dict:
        """The hints as a JSON-ready dict, tied to this photo by its fingerprint (a SHA-256 hash
        of the photo in grey)."""
        width, height = self.size
        return {
            "format": _HINTS_FORMAT,
            "version": 1,
            "photo": self.name,
            "fingerprint": self.fingerprint,
            "width": width,
            "height": height,
            "model": self.model_name,
            "saved": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "hints": [asdict(hint) for hint in self._hints],
        }

    def save(self, folder=".", *, name: str | None = None, label: bool = True) -> dict[str, Path]:
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
        folder = Path(folder).expanduser()
        stem = _safe_stem(name or Path(self.name).stem or "photo")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            image_path = folder / f"{stem}_colorized.png"
            hints_path = folder / f"{stem}_hints.json"
            picture = self.result()
            if label:
                picture = _label(picture, self.model_name)
            picture.save(image_path)
            hints_path.write_text(json.dumps(self.hints_record(), indent=1), "utf-8")
        except OSError as err:
            raise WorkshopError(
                f"Could not save into {folder} ({err.strerror or err}). Choose a folder you can "
                "write to. Your hints are still here; nothing was lost."
            ) from err
        return {"image": image_path, "hints": hints_path}

    def load_hints(self, path, *, force: bool = False) -> int:
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
        path = Path(path)
        try:
            record = json.loads(path.read_text("utf-8"))
        except FileNotFoundError as err:
            raise WorkshopError(f"There is no hints file '{path.as_posix()}'.") from err
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            raise WorkshopError(
                f"'{path.name}' is not a hints file saved by the workshop (it could not be read "
                "as JSON). Your current hints are unchanged."
            ) from err
        if not isinstance(record, dict) or record.get("format") != _HINTS_FORMAT:
            raise WorkshopError(
                f"'{path.name}' is not a hints file saved by the workshop. Your current hints "
                "are unchanged."
            )
        width, height = self.size
        same = record.get("fingerprint") == self.fingerprint
        if not same and not force:
            raise WorkshopError(
                f"The hints in '{path.name}' belong to another photo ('{record.get('photo')}', "
                f"{record.get('width')} × {record.get('height')} pixels), not to '{self.name}' "
                f"({width} × {height}). Open that photo, or use load_hints(..., force=True) to "
                "place them here anyway. Your current hints are unchanged."
            )
        scale_x = width / max(int(record.get("width") or width), 1)
        scale_y = height / max(int(record.get("height") or height), 1)
        try:
            hints = [
                {
                    "x": min(round(item["x"] * scale_x), width - 1),
                    "y": min(round(item["y"] * scale_y), height - 1),
                    "color": item["color"],
                    "size": item.get("size", 5),
                }
                for item in record.get("hints", [])
            ]
        except (KeyError, TypeError) as err:
            raise WorkshopError(
                f"'{path.name}' is damaged (a hint lacks {err}). Your current hints are unchanged."
            ) from err
        self.set_hints(hints)
        return len(hints)

    def widget(self, *, plain: bool = False):
        """The interactive colouring tool for this photo (see :class:`ColorizeWidget`).

        Parameters
        ----------
        plain : bool
            Use the simple version made of standard controls (sliders, a colour picker), for
            when the custom one does not show.
        """
        from .widget import colorize_widget

        return colorize_widget(self, plain=plain)

    # --- inside ------------------------------------------------------------------------------

    def _get_runner(self) -> Runner:
        if self._runner is None:
            model = weights.from_pretrained(self.model_name, device=self._device)
            device = next(model.parameters()).device
            self._runner = Runner(model, device, fast=self._fast)
        return self._runner

    def _distribution_map(self) -> tuple[np.ndarray, np.ndarray]:
        """ECCV16 bin centres (313, 2) and chances (64, 64, 313) for this photo, computed once."""
        if self._distribution is None:
            model = weights.from_pretrained("eccv16", device=self._device)
            device = next(model.parameters()).device
            l_tensor = torch.from_numpy(np.ascontiguousarray(self._network_l))[None, None]
            with torch.inference_mode():
                logits = model.logits(l_tensor.to(device)).float()
                chances = torch.softmax(logits, dim=1)[0].permute(1, 2, 0).cpu().numpy()
            centres = model.bin_centres().cpu().numpy()
            self._distribution = (centres.astype(np.float64), chances.astype(np.float64))
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
        width, height = self.size
        try:
            x, y = round(float(x)), round(float(y))
        except (TypeError, ValueError, OverflowError) as err:  # None, "a", NaN, infinity
            raise WorkshopError(f"A position needs two numbers (x, y), not {x!r}, {y!r}.") from err
        if not (0 <= x < width and 0 <= y < height):
            raise WorkshopError(
                f"The point ({x}, {y}) is outside the photo, which is {width} × {height} pixels: "
                f"x goes from 0 (left edge) to {width - 1}, y from 0 (top edge) to {height - 1}."
            )
        return x, y

    def _make_hint(self, x, y, color, size) -> Hint:
        x, y = self._check_point(x, y)
        if isinstance(size, bool) or not isinstance(size, int | np.integer) or not 1 <= size <= 9:
            raise WorkshopError(
                f"A hint's size is a whole number from 1 (a dot) to 9 (a big square), not {size!r}."
            )
        requested = colors.to_hex(np.asarray(colors.parse_color(color)))
        lightness = self._patch_lightness(x, y, int(size))
        ab = colors.snap_ab(lightness, _color_ab(requested))
        return Hint(x, y, requested, int(size), ab)

    def _patch_lightness(self, x: int, y: int, size: int) -> float:
        """Average lightness under a hint's patch on the network's grid."""
        column, row = apply.grid_position(x, y, self.size, NETWORK_SIZE)
        top, bottom, left, right = apply.patch_bounds(column, row, size, NETWORK_SIZE)
        return float(self._network_l[top:bottom, left:right].mean())

    def _hint(self, index: int) -> Hint:
        if isinstance(index, bool) or not isinstance(index, int | np.integer):
            raise WorkshopError(f"A hint is chosen by its number (0, 1, 2 ...), not {index!r}.")
        if not 0 <= index < len(self._hints):
            count = len(self._hints)
            have = f"numbers 0 to {count - 1}" if count else "none yet"
            raise WorkshopError(f"There is no hint number {index}: there are {count} ({have}).")
        return self._hints[index]

    def _change(self, tag, edit) -> None:
        """Apply an edit to the hint list, remembering the old list for undo."""
        with self._lock:
            before = list(self._hints)
            merged = tag[0] in ("move", "recolor", "resize") and (
                self._history and self._history[-1][1] == tag
            )
            if not merged:
                self._history.append((before, tag))
                del self._history[:-_HISTORY_LIMIT]
            self._hints = list(edit(before))
        self._notify()

    def _notify(self) -> None:
        for callback in list(self._listeners):
            callback(self)


def colorize(image, *, hints=(), model: str = "siggraph17", device=None) -> Image.Image:
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


# --- helpers -------------------------------------------------------------------------------------


def _fingerprint(image: Image.Image) -> str:
    """SHA-256 of the photo in 8-bit grey (Pillow's integer conversion, the same on every
    computer) and its size: ties saved hints to the photo."""
    digest = hashlib.sha256(f"{image.width}x{image.height}:".encode())
    digest.update(image.convert("L").tobytes())
    return digest.hexdigest()


def _replace(hints: list[Hint], index: int, hint: Hint) -> list[Hint]:
    return [*hints[:index], hint, *hints[index + 1 :]]


def _color_ab(color) -> tuple[float, float]:
    """a and b of a colour (any form parse_color reads)."""
    lab = apply.rgb_to_lab(np.asarray(colors.parse_color(color)))
    return float(lab[1]), float(lab[2])


def _resize_l(lightness: np.ndarray, size: int) -> np.ndarray:
    """Lightness grid resized (area average) to size x size."""
    tensor = torch.from_numpy(lightness)[None, None]
    small = torch.nn.functional.interpolate(tensor, size=(size, size), mode="area")
    return small[0, 0].numpy()


def _weighted_kmeans(points: np.ndarray, weights_: np.ndarray, count: int, rounds: int = 15):
    """Group weighted 2-D points into up to ``count`` clusters; (centre, share) biggest first.

    Deterministic: starts from the most likely point, then repeatedly the point with the most
    weight far from the chosen ones (k-means++ without chance).
    """
    weights_ = np.asarray(weights_, dtype=np.float64)
    total = weights_.sum()
    if total <= 0:
        return []
    weights_ = weights_ / total
    count = max(1, min(int(count), int((weights_ > 0).sum())))
    chosen = [int(np.argmax(weights_))]
    distance = ((points - points[chosen[0]]) ** 2).sum(axis=1)
    while len(chosen) < count:
        nxt = int(np.argmax(weights_ * distance))
        if weights_[nxt] * distance[nxt] <= 0:
            break
        chosen.append(nxt)
        distance = np.minimum(distance, ((points - points[nxt]) ** 2).sum(axis=1))
    centres = points[chosen].astype(np.float64)
    for _ in range(rounds):
        labels = np.argmin(((points[:, None, :] - centres[None]) ** 2).sum(axis=2), axis=1)
        for k in range(len(centres)):
            members = labels == k
            mass = weights_[members].sum()
            if mass > 0:
                centres[k] = (points[members] * weights_[members, None]).sum(axis=0) / mass
    labels = np.argmin(((points[:, None, :] - centres[None]) ** 2).sum(axis=2), axis=1)
    shares = np.array([weights_[labels == k].sum() for k in range(len(centres))])
    order = np.argsort(-shares)
    return [(tuple(float(v) for v in centres[k]), float(shares[k])) for k in order if shares[k] > 0]


def _safe_stem(name: str) -> str:
    """A file-name start that is safe on every system."""
    return re.sub(r"[^\w\-]+", "_", name).strip("_")[:80] or "photo"


def _label(picture: Image.Image, model: str) -> Image.Image:
    """Write a small "Colours added by AI" note in the bottom-left corner."""
    picture = picture.copy()
    draw = ImageDraw.Draw(picture, "RGBA")
    text = f"Colours added by AI ({model})"
    height = max(12, picture.height // 30)
    try:
        from PIL import ImageFont

        font = ImageFont.load_default(size=height)
    except (TypeError, OSError):  # an old Pillow without scalable default font
        font = None
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    pad = max(3, height // 4)
    box = (
        pad,
        picture.height - (bottom - top) - 3 * pad,
        right - left + 3 * pad,
        picture.height - pad,
    )
    draw.rectangle(box, fill=(0, 0, 0, 120))
    draw.text((box[0] + pad, box[1] + pad - top), text, fill=(255, 255, 255, 230), font=font)
    return picture
