"""Colour hints: what one hint is, the square it covers, drawing hints, and the undo history.

A hint says "this spot has this colour". The network gets it as a square patch of its
256 x 256 grid (1 to 9 cells wide), so on the photo a hint covers ``size / 256`` of the width and
of the height around its spot. :func:`hint_box` is the one place that turns a hint into that
rectangle, for finding the hint under a click, for drawing hints on a picture
(:func:`draw_hints`: the widget's still picture, the plain widget, the web app) and for the
widget's canvas (which gets the rectangle's half sizes from Python).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from ..errors import WorkshopError
from .apply import NETWORK_SIZE

__all__ = [
    "MIN_HALF",
    "Hint",
    "HintHistory",
    "check_index",
    "check_point",
    "check_size",
    "draw_hints",
    "fields",
    "hint_at",
    "hint_box",
]

MIN_HALF = 3.0
"""A hint is drawn at least 2 x 3 + 1 pixels wide, so a one-cell hint still shows on a big photo."""
HISTORY_LIMIT = 200
"""How many changes to the hints can be undone."""
_MERGED = ("move", "recolor", "resize")  # repeated changes of one hint undo together


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


def check_size(size: object) -> int:
    """A hint's size as a whole number 1..9, or a WorkshopError saying what a size is."""
    if isinstance(size, bool) or not isinstance(size, int | np.integer) or not 1 <= size <= 9:
        raise WorkshopError(
            f"A hint's size is a whole number from 1 (a dot) to 9 (a big square), not {size!r}."
        )
    return int(size)


def check_point(x: Any, y: Any, image_size: tuple[int, int]) -> tuple[int, int]:
    """A position as whole pixels inside the photo, or a WorkshopError saying where the photo is."""
    width, height = image_size
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


def check_index(index: object, count: int) -> int:
    """A hint number 0..count-1, or a WorkshopError saying which numbers there are."""
    if isinstance(index, bool) or not isinstance(index, int | np.integer):
        raise WorkshopError(f"A hint is chosen by its number (0, 1, 2 ...), not {index!r}.")
    if not 0 <= index < count:
        have = f"numbers 0 to {count - 1}" if count else "none yet"
        raise WorkshopError(f"There is no hint number {index}: there are {count} ({have}).")
    return int(index)


def fields(item: Hint | tuple | dict) -> tuple:
    """(x, y, color, size) of a :class:`Hint` or of a dict with x, y, color and optionally size."""
    if isinstance(item, Hint):
        return item.x, item.y, item.color, item.size
    if not isinstance(item, dict) or not {"x", "y", "color"} <= item.keys():
        raise WorkshopError(
            f"A hint is written like {{'x': 100, 'y': 80, 'color': 'red'}} (x, y and color; "
            f"size is optional), not {item!r}. Your current hints are unchanged."
        )
    return item["x"], item["y"], item["color"], item.get("size", 5)


def hint_box(
    hint: Hint,
    image_size: tuple[int, int],
    *,
    scale: float = 1.0,
    margin: float = 0.0,
    minimum: float = MIN_HALF,
) -> tuple[float, float, float, float]:
    """The rectangle a hint covers, as (left, top, right, bottom) pixels of a picture.

    Parameters
    ----------
    hint : Hint
        Anything with ``x``, ``y`` (photo pixels) and ``size`` (grid cells, 1..9).
    image_size : tuple of int
        The photo's (width, height) in pixels.
    scale : float
        Size of the picture drawn on, relative to the photo (0.5: a picture half as wide).
    margin : float
        Extra pixels on every side (so small hints are easy to click).
    minimum : float
        Smallest half width and height, in pixels of the picture (so tiny hints show).

    Examples
    --------
    >>> hint_box(Hint(100, 50, "#ff0000", 5, (0.0, 0.0)), (512, 256))
    (95.0, 47.0, 105.0, 53.0)
    """
    width, height = image_size
    half_x = max(hint.size * width / NETWORK_SIZE / 2 * scale, minimum) + margin
    half_y = max(hint.size * height / NETWORK_SIZE / 2 * scale, minimum) + margin
    x, y = hint.x * scale, hint.y * scale
    return (x - half_x, y - half_y, x + half_x, y + half_y)


def hint_at(
    hints: Sequence[Hint], x: float, y: float, image_size: tuple[int, int], *, margin: float = 3
) -> int | None:
    """The number of the hint whose square holds pixel (x, y) (the top one, drawn last), or None.

    The square is the patch itself (at least one pixel each way) plus ``margin`` pixels.
    """
    for index in range(len(hints) - 1, -1, -1):
        left, top, right, bottom = hint_box(hints[index], image_size, margin=margin, minimum=1)
        if left <= x <= right and top <= y <= bottom:
            return index
    return None


def draw_hints(
    picture: Image.Image, hints: Iterable[Hint], image_size: tuple[int, int]
) -> Image.Image:
    """Draw hints as squares in their colours on a copy of a picture of the photo.

    The picture may be the photo at any size (a thumbnail); each square has a white and a black
    edge so it shows on light and dark spots alike.

    Parameters
    ----------
    picture : PIL.Image.Image
        The photo (usually its grey version), at any size.
    hints : sequence of Hint
    image_size : tuple of int
        The photo's own (width, height), the space hint positions live in.

    Returns
    -------
    PIL.Image.Image
        RGB copy with the hints drawn.
    """
    picture = picture.convert("RGB")
    scale = picture.width / image_size[0]
    draw = ImageDraw.Draw(picture)
    for hint in hints:
        box = hint_box(hint, image_size, scale=scale)
        draw.rectangle(box, fill=hint.color, outline="white", width=2)
        draw.rectangle([box[0] - 2, box[1] - 2, box[2] + 2, box[3] + 2], outline="black")
    return picture


class HintHistory:
    """The list of hints and the lists before each change, for undo.

    Changes are kept up to :data:`HISTORY_LIMIT` deep. Several moves (or recolourings, or
    resizings) of the same hint in a row count as one change.
    """

    def __init__(self) -> None:
        self.hints: list[Hint] = []
        self._past: list[tuple[list[Hint], tuple]] = []

    @property
    def can_undo(self) -> bool:
        """True when there is a change to undo."""
        return bool(self._past)

    def change(self, tag: tuple, edit: Callable[[list[Hint]], Iterable[Hint]]) -> None:
        """Replace the hints by ``edit(hints)``, remembering the old list under ``tag``."""
        before = list(self.hints)
        merged = tag[0] in _MERGED and bool(self._past) and self._past[-1][1] == tag
        if not merged:
            self._past.append((before, tag))
            del self._past[:-HISTORY_LIMIT]
        self.hints = list(edit(before))

    def undo(self) -> bool:
        """Go back to the hints before the last change; False when there is none."""
        if not self._past:
            return False
        self.hints, _ = self._past.pop()
        return True


def replace(hints: list[Hint], index: int, hint: Hint) -> list[Hint]:
    """A copy of ``hints`` with number ``index`` replaced by ``hint``."""
    return [*hints[:index], hint, *hints[index + 1 :]]
