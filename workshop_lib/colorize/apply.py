"""Getting pictures into and out of the networks: Lab colour, resizing, hint encoding, fast runs.

Lab is the colour space the networks use: L is lightness (0 black to 100 white), a runs from
green to red and b from blue to yellow (both about -110 to 110). A grey photo has only L; the
networks predict a and b. The conversions follow sRGB with the D65 white point, as
scikit-image's ``rgb2lab`` and ``lab2rgb`` do, written here in PyTorch so they are fast on large
photos and need no extra package.

:class:`Runner` runs a network the fast way: no gradient bookkeeping, channels-last memory
layout, and bfloat16 (on CPUs that support it) or float16 (on CUDA GPUs) for the heavy layers.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

if TYPE_CHECKING:
    from numpy.typing import ArrayLike


__all__ = [
    "NETWORK_SIZE",
    "Runner",
    "compose",
    "encode_hints",
    "grid_position",
    "lab_to_rgb",
    "network_lightness",
    "patch_bounds",
    "resize_grid",
    "rgb_to_lab",
    "to_uint8",
]

NETWORK_SIZE = 256
"""The networks see every photo squeezed to 256 x 256 pixels, as in the authors' code."""

# sRGB (linear) -> XYZ, and the D65 white point, as in scikit-image.
_RGB_TO_XYZ = torch.tensor(
    [
        [0.412453, 0.357580, 0.180423],
        [0.212671, 0.715160, 0.072169],
        [0.019334, 0.119193, 0.950227],
    ],
    dtype=torch.float64,
)
_XYZ_TO_RGB = torch.linalg.inv(_RGB_TO_XYZ)
_WHITE = torch.tensor([0.95047, 1.0, 1.08883], dtype=torch.float64)


def _channels_last(values: torch.Tensor, matrix: torch.Tensor) -> torch.Tensor:
    """Multiply the 3-channel last axis by a 3x3 matrix."""
    return values @ matrix.to(values.dtype).T


def rgb_to_lab(rgb: ArrayLike) -> np.ndarray:
    """Convert RGB colours to Lab.

    Parameters
    ----------
    rgb : array-like
        RGB values with the three channels on the last axis: integers (0..255) or floats in 0..1.

    Returns
    -------
    numpy.ndarray
        float32 Lab values, same shape: L in 0..100, a and b about -110..110.

    Examples
    --------
    >>> rgb_to_lab([255, 0, 0]).round(1)
    array([53.2, 80.1, 67.2], dtype=float32)
    """
    array = np.asarray(rgb)
    if array.dtype.kind in "iub":
        linear = torch.from_numpy(_SRGB_TO_LINEAR[np.clip(array, 0, 255).astype(np.uint8)])
    else:
        linear = _to_linear(torch.as_tensor(array, dtype=torch.float32))
    return _linear_to_lab(linear).numpy()


def lab_to_rgb(lab: ArrayLike, *, clip: bool = True) -> np.ndarray:
    """Convert Lab colours to RGB floats in 0..1 (colours outside what a screen shows are clipped).

    Parameters
    ----------
    lab : array-like
        Lab values with the three channels on the last axis.
    clip : bool
        Clip to 0..1. False returns the raw values, which tell whether a colour is displayable.

    Returns
    -------
    numpy.ndarray
        float32 RGB values, same shape.

    Examples
    --------
    >>> lab_to_rgb([53.24, 80.09, 67.20]).round(2)
    array([1., 0., 0.], dtype=float32)
    """
    values = torch.as_tensor(np.asarray(lab, dtype=np.float32))
    return _lab_to_rgb(values, clip=clip).numpy()


def _to_linear(rgb: torch.Tensor) -> torch.Tensor:
    """sRGB values in 0..1 -> linear light (undo the screen's gamma curve)."""
    return torch.where(rgb > 0.04045, ((rgb.clamp_min(0) + 0.055) / 1.055) ** 2.4, rgb / 12.92)


_SRGB_TO_LINEAR = _to_linear(torch.arange(256, dtype=torch.float64) / 255).float().numpy()


def _linear_to_lab(linear: torch.Tensor) -> torch.Tensor:
    """Linear RGB (channels last) -> Lab, in the tensor's own dtype."""
    xyz = _channels_last(linear, _RGB_TO_XYZ) / _WHITE.to(linear.dtype)
    f = torch.where(xyz > 0.008856, xyz.clamp_min(0) ** (1 / 3), 7.787 * xyz + 16 / 116)
    lightness = 116 * f[..., 1] - 16
    a = 500 * (f[..., 0] - f[..., 1])
    b = 200 * (f[..., 1] - f[..., 2])
    return torch.stack((lightness, a, b), dim=-1)


def _lab_to_rgb(lab: torch.Tensor, *, clip: bool = True) -> torch.Tensor:
    """Lab (channels last) -> RGB in 0..1, in the tensor's own dtype."""
    fy = (lab[..., 0] + 16) / 116
    fx = lab[..., 1] / 500 + fy
    fz = (fy - lab[..., 2] / 200).clamp_min(0)
    f = torch.stack((fx, fy, fz), dim=-1)
    xyz = torch.where(f > 0.2068966, f**3, (f - 16 / 116) / 7.787) * _WHITE.to(lab.dtype)
    linear = _channels_last(xyz, _XYZ_TO_RGB)
    rgb = torch.where(
        linear > 0.0031308, 1.055 * linear.clamp_min(0.0031308) ** (1 / 2.4) - 0.055, 12.92 * linear
    )
    return rgb.clamp(0, 1) if clip else rgb


def to_uint8(rgb: np.ndarray) -> np.ndarray:
    """RGB floats in 0..1 -> uint8 0..255, rounded."""
    return np.clip(np.rint(np.asarray(rgb) * 255.0), 0, 255).astype(np.uint8)


def network_lightness(image: Image.Image, size: int = NETWORK_SIZE) -> np.ndarray:
    """The lightness the network sees: the photo resized to size x size (bicubic), then L.

    As in the authors' code the aspect ratio is not kept: every photo becomes a square.

    Returns
    -------
    numpy.ndarray
        float32 L values in 0..100, shape (size, size).
    """
    small = image.convert("RGB").resize((size, size), Image.Resampling.BICUBIC)
    return rgb_to_lab(np.asarray(small))[..., 0]


def resize_grid(lightness: np.ndarray, size: int) -> np.ndarray:
    """A square lightness grid resized (area average) to size x size; the same grid if it is."""
    if lightness.shape == (size, size):
        return lightness
    tensor = torch.from_numpy(lightness)[None, None]
    small = F.interpolate(tensor, size=(size, size), mode="area")
    return small[0, 0].numpy()


def grid_position(x: float, y: float, image_size: tuple[int, int], size: int) -> tuple[int, int]:
    """Where pixel (x, y) of a photo of ``image_size`` (width, height) lands on the size x size grid."""
    width, height = image_size
    column = min(int(x * size / width), size - 1)
    row = min(int(y * size / height), size - 1)
    return column, row


def patch_bounds(column: int, row: int, patch: int, size: int) -> tuple[int, int, int, int]:
    """The square of ``patch`` x ``patch`` cells centred on (column, row), cut at the edges.

    Returns (top, bottom, left, right) as slice bounds.
    """
    start = (patch - 1) // 2
    top, left = max(row - start, 0), max(column - start, 0)
    return top, min(row - start + patch, size), left, min(column - start + patch, size)


class HintLike(Protocol):
    """What :func:`encode_hints` reads of a hint (a :class:`~workshop_lib.colorize.hints.Hint`)."""

    @property
    def x(self) -> int: ...

    @property
    def y(self) -> int: ...

    @property
    def size(self) -> int: ...

    @property
    def ab(self) -> tuple[float, float]: ...


def encode_hints(
    hints: Iterable[HintLike], image_size: tuple[int, int], size: int = NETWORK_SIZE
) -> tuple[torch.Tensor, torch.Tensor]:
    """Turn hints into the network's two hint inputs: colour (a, b in Lab units) and a 0/1 mask.

    Each hint fills a square patch of the size x size grid with its a and b values and sets the
    mask there to 1; everywhere else both are 0. This is the convention of the published
    (converted Caffe) weights: the mask is **not** centred (no minus 0.5), and a and b are not
    scaled (the network divides by 110 itself). A later hint covers an earlier one.

    Parameters
    ----------
    hints : iterable
        Objects with ``x``, ``y`` (pixel position in the photo), ``size`` (patch width 1..9, in
        grid cells at 256 x 256) and ``ab`` (a, b in Lab units).
    image_size : tuple of int
        The photo's (width, height) in pixels.
    size : int
        The grid the network sees; the patch shrinks with it (a preview at 128 halves it).

    Returns
    -------
    ab : torch.Tensor
        float32, shape (1, 2, size, size).
    mask : torch.Tensor
        float32 of 0s and 1s, shape (1, 1, size, size).
    """
    ab = torch.zeros(1, 2, size, size)
    mask = torch.zeros(1, 1, size, size)
    scale = size / NETWORK_SIZE
    for hint in hints:
        column, row = grid_position(hint.x, hint.y, image_size, size)
        patch = max(1, round(hint.size * scale))
        top, bottom, left, right = patch_bounds(column, row, patch, size)
        ab[0, 0, top:bottom, left:right] = float(hint.ab[0])
        ab[0, 1, top:bottom, left:right] = float(hint.ab[1])
        mask[0, 0, top:bottom, left:right] = 1.0
    return ab, mask


def compose(lightness: np.ndarray, ab: torch.Tensor) -> Image.Image:
    """Put colour on a photo: full-resolution lightness plus the network's a and b, upsampled.

    As in the authors' code only the colour comes from the network (at 256 x 256, bilinearly
    enlarged); the lightness, which carries the detail, is the photo's own.

    Parameters
    ----------
    lightness : numpy.ndarray
        L values (0..100) of the photo, shape (height, width).
    ab : torch.Tensor
        The network's output, shape (1, 2, h, w) in Lab units.

    Returns
    -------
    PIL.Image.Image
        RGB picture of the photo's size.
    """
    height, width = lightness.shape
    ab = ab.detach().float().cpu()
    if ab.shape[-2:] != (height, width):
        ab = F.interpolate(ab, size=(height, width), mode="bilinear", align_corners=False)
    planes = _lab_planes_to_rgb8(torch.from_numpy(np.ascontiguousarray(lightness)).float(), ab[0])
    return Image.fromarray(planes.permute(1, 2, 0).contiguous().numpy())


# Linear light (0..1 in _GAMMA_STEPS steps) -> 8-bit sRGB: a table instead of a power per pixel.
_GAMMA_STEPS = 16383
_LINEAR_TO_SRGB8 = torch.from_numpy(
    to_uint8(
        np.where(
            (_steps := np.linspace(0, 1, _GAMMA_STEPS + 1)) > 0.0031308,
            1.055 * np.maximum(_steps, 0.0031308) ** (1 / 2.4) - 0.055,
            12.92 * _steps,
        )
    )
)


def _lab_planes_to_rgb8(lightness: torch.Tensor, ab: torch.Tensor) -> torch.Tensor:
    """L (H, W) and ab (2, H, W) -> uint8 RGB planes (3, H, W), quickly (whole planes, a table)."""
    fy = (lightness + 16) / 116
    f = torch.stack((fy + ab[0] / 500, fy, (fy - ab[1] / 200).clamp_min(0)))
    xyz = torch.where(f > 0.2068966, f * f * f, (f - 16 / 116) / 7.787)
    xyz *= _WHITE.to(xyz.dtype)[:, None, None]
    linear = (_XYZ_TO_RGB.to(xyz.dtype) @ xyz.reshape(3, -1)).reshape(xyz.shape)
    index = (linear.clamp(0, 1) * _GAMMA_STEPS).round_().long()
    return _LINEAR_TO_SRGB8[index]


@functools.cache
def _cpu_has_bfloat16() -> bool:
    """True when this CPU has bfloat16 instructions (AVX-512 BF16 or AMX), so bfloat16 is fast.

    Without them PyTorch still runs bfloat16, emulated, and that is slower than float32 (three
    times slower on AVX-512 without BF16, ten times on AVX2, measured with this network), so
    only native support counts.
    """
    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    try:
        return any(getattr(torch.cpu, name, lambda: False)() for name in checks)
    except RuntimeError:
        return False


@dataclass
class Runner:
    """Runs a network the fast way and remembers how long the last run took.

    Parameters
    ----------
    model : torch.nn.Module
        A network in eval mode, on ``device``.
    device : torch.device
        Where it runs.
    fast : bool
        True (default): channels-last memory layout, plus bfloat16 on CPUs with bfloat16
        instructions or float16 on CUDA GPUs (float32 elsewhere); the result stays within about
        1 Lab unit of full precision. False: plain float32 in the default layout.
    reduced_precision : bool
        With ``fast``, allow bfloat16 or float16 (default). False keeps float32 with the
        channels-last layout, as on a CPU without bfloat16 instructions.
    """

    model: torch.nn.Module
    device: torch.device
    fast: bool = True
    reduced_precision: bool = True
    seconds: float = 0.0

    def __post_init__(self):
        if self.fast:
            self.model.to(memory_format=torch.channels_last)

    @property
    def precision(self) -> str:
        """The number format the heavy layers use: ``"bfloat16"``, ``"float16"`` or ``"float32"``."""
        if not (self.fast and self.reduced_precision):
            return "float32"
        if self.device.type == "cuda":
            return "float16"
        if self.device.type == "cpu" and _cpu_has_bfloat16():
            return "bfloat16"
        return "float32"

    def __call__(self, *inputs: torch.Tensor) -> torch.Tensor:
        """Run the network on the inputs (moved to its device); return float32 output on the CPU."""
        started = time.perf_counter()
        layout = torch.channels_last if self.fast else torch.contiguous_format
        moved = [t.to(self.device).contiguous(memory_format=layout) for t in inputs]
        precision = self.precision
        with torch.inference_mode():
            if precision == "float32":
                out = self.model(*moved)
            else:
                dtype = torch.bfloat16 if precision == "bfloat16" else torch.float16
                with torch.autocast(self.device.type, dtype=dtype):
                    out = self.model(*moved)
            out = out.float().cpu()
        self.seconds = time.perf_counter() - started
        return out
