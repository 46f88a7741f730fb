"""How good is it? A small re-run of the paper's evaluation: PSNR against the number of hints.

The paper (Zhang et al. 2017, Figure 6) takes colour photos, turns them grey, reveals the true
colour at a few random spots as hints, and measures how close the result is to the truth (PSNR,
in dB). :func:`hint_sweep` does the same on your photos; :func:`plot_sweep` draws the result
next to the authors' published curve (1000 ImageNet photos). :func:`psnr` is the library's one
PSNR.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch
from PIL import Image

from .. import runtime
from ..errors import WorkshopError
from ..media.images import ImageSource, open_image
from . import apply
from .apply import NETWORK_SIZE, Runner
from .bundles import from_pretrained

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

__all__ = ["PAPER_CURVE", "SweepResult", "hint_sweep", "plot_sweep", "psnr"]

PAPER_CURVE = {
    0: 24.43,
    1: 25.37,
    2: 26.20,
    3: 26.69,
    5: 27.39,
    8: 28.10,
    10: 28.42,
    20: 29.34,
    50: 30.42,
    100: 31.13,
    200: 31.70,
    501: 32.14,
}
"""The authors' published mean PSNR (dB) for each number of random hints: SIGGRAPH 2017 network,
1000 ImageNet validation photos at 256 x 256, 6 x 6 hint patches (standard error about 0.14 dB)."""

_PATCH = 6  # hint patch width in the authors' sweep
_BATCH = 4  # network runs at a time (bounds memory)


@dataclass(frozen=True)
class SweepResult:
    """The outcome of :func:`hint_sweep`.

    Attributes
    ----------
    points : tuple of int
        Numbers of hints tried.
    psnr : tuple of float
        Mean PSNR (dB) for each number of hints, over photos and draws.
    stderr : tuple of float
        Standard error of each mean (dB).
    per_photo : dict
        Photo name -> mean PSNR for each number of hints.
    repeats : int
        Random draws of hint positions per photo and number.
    offline : bool
        True when the small random-weight stand-in network was used (offline mode): its numbers
        say nothing about the real network.
    """

    points: tuple[int, ...]
    psnr: tuple[float, ...]
    stderr: tuple[float, ...]
    per_photo: dict
    repeats: int
    offline: bool

    def table(self) -> str:
        """The result as a small text table, next to the paper's numbers where it has them."""
        lines = ["hints   ours (dB)   paper (dB)"]
        for count, value, error in zip(self.points, self.psnr, self.stderr, strict=True):
            paper = f"{PAPER_CURVE[count]:.2f}" if count in PAPER_CURVE else "  –"
            lines.append(f"{count:>5}   {value:6.2f} ± {error:4.2f}   {paper:>6}")
        return "\n".join(lines)


def psnr(result: Image.Image | np.ndarray, truth: Image.Image | np.ndarray) -> float:
    """Peak signal-to-noise ratio in decibels (dB) between two pictures: higher is closer.

    PSNR = 20 log10(255 / RMSE) over all pixels and RGB channels, as in the authors' evaluation.
    Identical pictures give infinity (``float("inf")``), the formula's own answer and
    scikit-image's: there is no noise at all. This is the only PSNR in the library; the
    Colorizer, the sweep and the app all use it.

    Parameters
    ----------
    result, truth : PIL.Image.Image or numpy.ndarray
        Pictures of the same size (uint8 RGB).

    Raises
    ------
    WorkshopError
        When the two pictures differ in size.

    Examples
    --------
    >>> a = np.zeros((4, 4, 3), np.uint8)
    >>> round(psnr(a, a + 10), 2)
    28.13
    >>> psnr(a, a)
    inf
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


def _random_hints(rng: np.random.Generator, ab: np.ndarray, count: int):
    """The paper's hints: ``count`` 6 x 6 patches, each at N(centre, size/4), filled with the
    patch's mean true colour; returns (hint ab (2, S, S), mask (1, S, S))."""
    size = ab.shape[-1]
    hint = np.zeros_like(ab)
    mask = np.zeros((1, size, size), dtype=ab.dtype)
    span = size - _PATCH + 1
    for _ in range(count):
        row = int(np.clip(rng.normal(span / 2, span / 4), 0, size - _PATCH))
        column = int(np.clip(rng.normal(span / 2, span / 4), 0, size - _PATCH))
        patch = (slice(row, row + _PATCH), slice(column, column + _PATCH))
        hint[:, patch[0], patch[1]] = ab[:, patch[0], patch[1]].mean(axis=(1, 2), keepdims=True)
        mask[:, patch[0], patch[1]] = 1
    return hint, mask


def _to_uint8_truncated(lab: np.ndarray) -> np.ndarray:
    """Lab (S, S, 3) -> uint8 RGB, truncating as the authors' evaluation does."""
    return (apply.lab_to_rgb(lab) * 255.0).astype(np.uint8)


def hint_sweep(
    photos: Iterable[ImageSource],
    *,
    points: Sequence[int] = (0, 1, 2, 5, 10),
    repeats: int = 3,
    seed: int = 0,
    device: str | torch.device | None = None,
    progress: bool = True,
) -> SweepResult:
    """Measure PSNR against the number of random hints, following the paper's protocol.

    Each colour photo is squeezed to 256 x 256 and turned grey. For each number of hints, that
    many 6 x 6 patches are placed at random (normally distributed around the centre, spread a
    quarter of the picture), each filled with its true mean colour, and the SIGGRAPH 2017
    network colours the photo. PSNR compares the result with the true colours (both as 8-bit
    RGB). This is repeated ``repeats`` times with new random spots.

    Parameters
    ----------
    photos : sequence
        Colour photos (anything :func:`workshop_lib.media.open_image` reads).
    points : sequence of int
        Numbers of hints to try; 0 is the automatic result.
    repeats : int
        Random draws per photo and number of hints.
    seed : int
        Seed of the random hint positions, so a run can be repeated exactly.
    device : str or torch.device, optional
        Where the network runs.
    progress : bool
        Show a progress bar.

    Returns
    -------
    SweepResult

    Raises
    ------
    WorkshopError
        For a black-and-white photo (its true colours are unknown) or an empty list.

    Examples
    --------
    >>> from workshop_lib.assets import bundled
    >>> result = hint_sweep([bundled("images/coffee.jpg")], points=(0, 2), repeats=1, progress=False)
    >>> result.points
    (0, 2)
    """
    photos = list(photos)
    points = tuple(int(p) for p in points)
    if not photos:
        raise WorkshopError("hint_sweep() needs at least one colour photo.")
    if not points or min(points) < 0 or repeats < 1:
        raise WorkshopError("Give numbers of hints of 0 or more, and repeats of at least 1.")
    from tqdm.auto import tqdm

    model = from_pretrained("siggraph17", device=device)
    runner = Runner(model, next(model.parameters()).device)
    rng = np.random.default_rng(seed)
    scores = {}
    bar = tqdm(total=len(photos) * len(points) * repeats, disable=not progress, desc="colouring")
    for photo in photos:
        name, lab = _truth_at_network_size(photo)
        scores[name] = _score_photo(lab, runner, rng, points, repeats, bar.update)
    bar.close()
    every = np.concatenate(list(scores.values()), axis=1)  # points x (photos * repeats)
    means = every.mean(axis=1)
    errors = every.std(axis=1) / np.sqrt(every.shape[1])
    return SweepResult(
        points=points,
        psnr=tuple(round(float(v), 3) for v in means),
        stderr=tuple(round(float(v), 3) for v in errors),
        per_photo={
            name: tuple(round(float(v), 3) for v in t.mean(axis=1)) for name, t in scores.items()
        },
        repeats=repeats,
        offline=runtime.is_offline(),
    )


def _truth_at_network_size(photo) -> tuple[str, np.ndarray]:
    """A colour photo's name and its Lab values at 256 x 256 (the sweep's truth)."""
    loaded = open_image(photo)
    if loaded.greyscale:
        raise WorkshopError(
            f"{loaded.name} is black and white, so its true colours are unknown and it "
            "cannot be scored. The sweep needs colour photos."
        )
    small = loaded.image.resize((NETWORK_SIZE, NETWORK_SIZE), Image.Resampling.BICUBIC)
    return loaded.name, apply.rgb_to_lab(np.asarray(small))


def _score_photo(lab, runner, rng, points, repeats, advance) -> np.ndarray:
    """PSNR of every draw on one photo: a (len(points), repeats) table."""
    truth = _to_uint8_truncated(lab)
    lightness = torch.from_numpy(np.ascontiguousarray(lab[..., 0]))[None]
    true_ab = np.ascontiguousarray(lab[..., 1:].transpose(2, 0, 1))
    jobs = [
        (count, *_random_hints(rng, true_ab, count)) for count in points for _ in range(repeats)
    ]
    table = np.zeros((len(points), repeats))
    filled = dict.fromkeys(points, 0)
    for start in range(0, len(jobs), _BATCH):
        chunk = jobs[start : start + _BATCH]
        hint = torch.from_numpy(np.stack([job[1] for job in chunk]))
        mask = torch.from_numpy(np.stack([job[2] for job in chunk]))
        light = lightness[None].expand(len(chunk), -1, -1, -1)
        ab = runner(light, hint, mask).numpy()
        for (count, _, _), predicted in zip(chunk, ab, strict=True):
            result = np.concatenate([lab[..., :1], predicted.transpose(1, 2, 0)], axis=-1)
            table[points.index(count), filled[count]] = psnr(_to_uint8_truncated(result), truth)
            filled[count] += 1
        advance(len(chunk))
    return table


def plot_sweep(result: SweepResult, *, ax: Axes | None = None) -> Figure | SubFigure:
    """Draw PSNR against the number of hints: your sweep next to the paper's published curve.

    Parameters
    ----------
    result : SweepResult
        From :func:`hint_sweep`.
    ax : matplotlib Axes, optional
        Where to draw; None makes a new figure.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    figure: Figure | SubFigure
    if ax is None:
        figure, ax = plt.subplots(figsize=(7, 4.5))
        plt.close(figure)  # shown once, as the cell's result
    else:
        figure = ax.figure  # the caller's figure: theirs to show or close

    def where(count):  # 0 hints ("automatic") sits left of 1 on the log axis, as in the paper
        return 0.5 if count == 0 else count

    shown = max(result.points)
    paper = [(c, v) for c, v in PAPER_CURVE.items() if c <= max(shown, 10)]
    ax.plot(
        [where(c) for c, _ in paper],
        [v for _, v in paper],
        "o-",
        color="tab:red",
        label="paper: 1000 ImageNet photos",
    )
    photos = len(result.per_photo)
    label = f"ours: {photos} photo(s) × {result.repeats} draw(s)"
    if result.offline:
        label += " — offline test model, not the real one"
    ax.errorbar(
        [where(c) for c in result.points],
        result.psnr,
        yerr=result.stderr,
        fmt="s-",
        color="tab:blue",
        capsize=3,
        label=label,
    )
    ticks = sorted({*result.points, *(c for c, _ in paper)})
    ax.set_xscale("log")
    ax.set_xticks([where(c) for c in ticks])
    ax.set_xticklabels(["auto" if c == 0 else str(c) for c in ticks])
    ax.minorticks_off()
    ax.set(
        xlabel="number of hints (random spots showing the true colour)",
        ylabel="PSNR in dB (higher = closer to the truth)",
        title="More hints, truer colours",
    )
    ax.grid(alpha=0.3)
    ax.legend(loc="best")  # where it hides the fewest points
    return figure
