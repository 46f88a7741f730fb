"""Colours for hints: read a colour however a learner writes it, keep it displayable, draw the gamut.

A screen can show only some Lab colours, and which ones depends on the lightness: a very light
spot cannot be deep red. The **gamut** at a lightness is the set of a, b values a screen can show
there. A hint's colour is moved ("snapped") into the gamut at the lightness of the pixel it sits
on, as the authors' ideepcolor program does.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Sequence
from typing import TypeAlias

import numpy as np
from PIL import Image, ImageDraw

from ..errors import WorkshopError
from .apply import _lab_to_rgb, lab_to_rgb, rgb_to_lab, to_uint8

Color: TypeAlias = "str | Sequence[float]"
"""A colour as :func:`parse_color` reads it: a name, hex code, CSS ``rgb(...)`` or RGB triple."""

__all__ = [
    "AB_RANGE",
    "ab_at",
    "color_ab",
    "gamut_image",
    "in_gamut",
    "parse_color",
    "snap_ab",
    "to_hex",
]

AB_RANGE = 110.0
"""The gamut picture shows a and b from -AB_RANGE to AB_RANGE, the networks' colour range."""
_TOLERANCE = 1e-3  # RGB slack when deciding whether a colour is displayable


def to_hex(rgb: Sequence[float] | np.ndarray) -> str:
    """RGB (uint8 0..255 or floats 0..1) -> ``"#rrggbb"``."""
    array = np.asarray(rgb)
    values = array if array.dtype.kind in "iu" else to_uint8(array)
    return "#{:02x}{:02x}{:02x}".format(*(int(v) for v in values))


def parse_color(color: Color) -> tuple[float, float, float]:
    """Read a colour written as a name, a hex code, CSS ``rgb(...)`` or an RGB triple.

    This is the one colour reader of the library: hints, widgets and the web app all use it.

    Parameters
    ----------
    color : str or sequence of numbers
        A name (``"red"``, ``"skyblue"``, any CSS or xkcd colour name such as
        ``"xkcd:dusty rose"``), a hex code (``"#ff0000"`` or ``"#f00"``), CSS notation as colour
        pickers give it (``"rgb(255, 136, 0)"`` or ``"rgba(255, 136, 0, 1)"``, alpha ignored), or
        an RGB triple: three whole numbers 0..255 such as ``(255, 136, 0)``, or three decimals
        0..1 such as ``(1.0, 0.5, 0.0)``.

    Returns
    -------
    tuple of float
        RGB in 0..1.

    Raises
    ------
    WorkshopError
        For a name or value that is not a colour; the message suggests close names.

    Examples
    --------
    >>> parse_color("red")
    (1.0, 0.0, 0.0)
    >>> parse_color((0, 128, 255))
    (0.0, 0.5019607843137255, 1.0)
    >>> parse_color("rgba(255, 127.5, 0, 1)")
    (1.0, 0.5, 0.0)
    """
    if isinstance(color, str):
        numbers = _CSS_RGB.fullmatch(color.strip().lower())
        return _parse_text(color) if numbers is None else _parse_css(numbers.group(1), color)
    try:
        values: list[float] = [float(v) for v in color]
    except (TypeError, ValueError):
        values = []
    whole = len(values) == 3 and all(isinstance(v, int | np.integer) for v in color)
    return _parse_numbers(values, color, whole=whole)


_CSS_RGB = re.compile(r"rgba?\((.*)\)")


def _parse_css(inside: str, color: str) -> tuple[float, float, float]:
    """The numbers inside CSS ``rgb(...)`` or ``rgba(...)``: red, green, blue 0..255 (alpha ignored)."""
    parts = [part.strip() for part in inside.split(",")]
    try:
        if len(parts) not in (3, 4):
            raise ValueError
        values = [float(part) for part in parts[:3]]
    except ValueError:
        raise WorkshopError(
            f"'{color}' should hold three numbers, as in rgb(255, 136, 0)."
        ) from None
    return _parse_numbers(values, color, whole=True)


def _parse_text(color: str) -> tuple[float, float, float]:
    """A colour name or hex code (with or without the #)."""
    from matplotlib import colors as mcolors

    text: str = color.strip()
    lowered = text.lower()
    if lowered in mcolors.CSS4_COLORS:
        text = str(mcolors.CSS4_COLORS[lowered])
    elif not lowered.startswith("#") and all(c in "0123456789abcdef" for c in lowered):
        if len(lowered) in (3, 6):
            text = "#" + lowered
    try:
        red, green, blue = mcolors.to_rgb(text)
    except ValueError:
        names = list(mcolors.CSS4_COLORS) + list(mcolors.XKCD_COLORS)
        close = difflib.get_close_matches(lowered, names, n=3, cutoff=0.6)
        hint = f" Did you mean {', '.join(repr(n) for n in close)}?" if close else ""
        raise WorkshopError(
            f"'{color}' is not a colour name or code we know.{hint} Use a name such as "
            "'red' or 'skyblue', a hex code such as '#ff8800', or three numbers such as "
            "(255, 136, 0)."
        ) from None
    return float(red), float(green), float(blue)


def _parse_numbers(values: list[float], color, *, whole: bool) -> tuple[float, float, float]:
    """Three numbers: 0..255 when ``whole`` or any is above 1, else 0..1."""
    if len(values) != 3 or not all(np.isfinite(values)):
        raise WorkshopError(
            f"{color!r} is not a colour. Give a name such as 'red', a hex code such as "
            "'#ff8800', or three numbers (red, green, blue) such as (255, 136, 0)."
        )
    red, green, blue = values
    if whole or max(values) > 1:
        if min(values) < 0 or max(values) > 255:
            raise WorkshopError(f"{color!r}: each of red, green and blue must be 0 to 255.")
        return red / 255.0, green / 255.0, blue / 255.0
    if min(values) < 0:
        raise WorkshopError(f"{color!r}: each of red, green and blue must be 0 to 1 (or 0 to 255).")
    return red, green, blue


def color_ab(color: Color) -> tuple[float, float]:
    """a and b (Lab units) of a colour written any way :func:`parse_color` reads.

    Examples
    --------
    >>> [round(v) for v in color_ab("red")]
    [80, 67]
    """
    lab = rgb_to_lab(np.asarray(parse_color(color)))
    return float(lab[1]), float(lab[2])


def in_gamut(
    lightness: float | np.ndarray, a: float | np.ndarray, b: float | np.ndarray
) -> np.ndarray:
    """True where the Lab colour can be shown on a screen (its RGB values are all within 0..1)."""
    lab = np.stack(np.broadcast_arrays(lightness, a, b), axis=-1).astype(np.float64)
    rgb = lab_to_rgb(lab, clip=False)
    return np.all((rgb >= -_TOLERANCE) & (rgb <= 1 + _TOLERANCE), axis=-1)


def snap_ab(lightness: float, ab: Sequence[float], *, steps: int = 24) -> tuple[float, float]:
    """Move a colour (a, b) into the displayable range at a lightness, keeping its hue.

    When the colour cannot be shown at that lightness, it is made less saturated (a and b
    shrink towards grey by the same factor, found by halving the interval ``steps`` times)
    until it can: deep red on a near-white pixel becomes pale pink, not some other hue.

    Parameters
    ----------
    lightness : float
        L of the pixel the hint sits on, 0..100.
    ab : pair of float
        The wanted a and b (Lab units).

    Returns
    -------
    tuple of float
        a and b, rounded to 0.1, that can be shown at that lightness.

    Examples
    --------
    >>> snap_ab(97.0, (80.0, 67.0))  # no deep red in near-white: it becomes a pale pink
    (3.2, 2.7)
    """
    a, b = float(ab[0]), float(ab[1])
    low, high = 1.0, 1.0
    if not in_gamut(lightness, a, b):
        low = 0.0
        for _ in range(steps):
            middle = (low + high) / 2
            if in_gamut(lightness, a * middle, b * middle):
                low = middle
            else:
                high = middle
    # Round to 0.1 towards grey, shrinking a little more if rounding left the displayable range.
    for shrink in (1.0, 0.98, 0.95, 0.9, 0.8, 0.6, 0.3, 0.0):
        rounded = (_towards_zero(a * low * shrink), _towards_zero(b * low * shrink))
        if in_gamut(lightness, *rounded):
            return rounded
    return 0.0, 0.0


def _towards_zero(value: float) -> float:
    """Round to one decimal, towards zero (so a colour never gets more saturated)."""
    return math.trunc(value * 10) / 10 + 0.0


def ab_at(u: float, v: float) -> tuple[float, float]:
    """The a, b value at a point of the gamut picture: u, v in 0..1 from the left and from the top."""
    u, v = min(max(float(u), 0.0), 1.0), min(max(float(v), 0.0), 1.0)
    return (2 * u - 1) * AB_RANGE, (1 - 2 * v) * AB_RANGE


def gamut_image(
    lightness: float, *, size: int = 256, mark: Sequence[float] | None = None
) -> Image.Image:
    """Draw the displayable colours at one lightness: a across (green to red), b up (blue to yellow).

    Colours a screen cannot show at that lightness are left light grey, as in ideepcolor's
    "ab Color Gamut" panel. The centre (a = b = 0) is grey.

    Parameters
    ----------
    lightness : float
        L, 0..100.
    size : int
        Width and height of the picture in pixels.
    mark : pair of float, optional
        An (a, b) colour to mark with a small circle, such as the selected hint's.

    Returns
    -------
    PIL.Image.Image
        RGB picture.

    Examples
    --------
    >>> gamut_image(50).size
    (256, 256)
    """
    import torch

    steps = (np.arange(size) + 0.5) / size
    a = (2 * steps - 1) * AB_RANGE
    b = (1 - 2 * steps) * AB_RANGE
    grid_b, grid_a = np.meshgrid(b, a, indexing="ij")
    lab = torch.from_numpy(
        np.stack([np.full_like(grid_a, float(lightness)), grid_a, grid_b], axis=-1)
    )
    raw = _lab_to_rgb(lab, clip=False).numpy()
    inside = np.all((raw >= -_TOLERANCE) & (raw <= 1 + _TOLERANCE), axis=-1)
    pixels = np.where(inside[..., None], to_uint8(np.clip(raw, 0, 1)), np.uint8(236))
    picture = Image.fromarray(pixels.astype(np.uint8))
    draw = ImageDraw.Draw(picture)
    middle = size // 2
    draw.line([(middle, 0), (middle, size)], fill=(150, 150, 150))
    draw.line([(0, middle), (size, middle)], fill=(150, 150, 150))
    if mark is not None:
        x = (float(mark[0]) / AB_RANGE + 1) / 2 * size
        y = (1 - float(mark[1]) / AB_RANGE) / 2 * size
        draw.ellipse([x - 6, y - 6, x + 6, y + 6], outline=(0, 0, 0), width=2)
        draw.ellipse([x - 4, y - 4, x + 4, y + 4], outline=(255, 255, 255), width=1)
    return picture
