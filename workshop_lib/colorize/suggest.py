"""Suggested colours at a spot: the automatic network's colour belief, grouped into a few colours.

The ECCV 2016 network gives, for every spot of its 64 x 64 grid, a probability for each of 313
colour bins. :func:`suggest` groups those bins into a few clusters of similar colours (k-means
weighted by probability, as the authors' ideepcolor program clusters samples from the same
belief), biggest first, each made displayable at the spot's lightness.

Why the ECCV 2016 network: its job in training was exactly this belief, a probability for each of
313 colour bins at every spot. The SIGGRAPH 2017 network has a colour-class head too
(``model_class``), but the published weights' forward pass never uses it and whether it was
trained is not documented; the ECCV belief is known to be trained.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, ImageDraw

from . import colors
from .apply import lab_to_rgb

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

    from .model import ECCVGenerator

__all__ = [
    "Suggestion",
    "belief_map",
    "cluster_colours",
    "palette_image",
    "plot_belief",
    "suggest",
]


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


def belief_map(model: ECCVGenerator, network_l: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ECCV 2016 network's belief over a photo: bin centres (313, 2) and chances (64, 64, 313).

    Parameters
    ----------
    model : ECCVGenerator
        The loaded automatic network.
    network_l : numpy.ndarray
        The photo's lightness at 256 x 256.
    """
    import torch

    device = next(model.parameters()).device
    l_tensor = torch.from_numpy(np.ascontiguousarray(network_l))[None, None]
    with torch.inference_mode():
        logits = model.logits(l_tensor.to(device)).float()
        chances = torch.softmax(logits, dim=1)[0].permute(1, 2, 0).cpu().numpy()
    centres = model.bin_centres().cpu().numpy()
    return centres.astype(np.float64), chances.astype(np.float64)


def cluster_colours(
    points: np.ndarray, weights: np.ndarray, count: int
) -> list[tuple[tuple[float, float], float]]:
    """Group weighted (a, b) points into up to ``count`` clusters: (centre, share), biggest first.

    scikit-learn's k-means with ``sample_weight``; a fixed ``random_state`` makes the answer the
    same on every run. Points of weight 0 take no part; shares sum to 1; centres are rounded to
    0.001 Lab units.

    Examples
    --------
    >>> cluster_colours([[0, 0], [1, 0], [50, 50]], [1, 1, 3], 2)
    [((50.0, 50.0), 0.6), ((0.5, 0.0), 0.4)]
    """
    from sklearn.cluster import KMeans

    points = np.asarray(points, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.float64)
    used = weights > 0
    total = weights[used].sum()
    if total <= 0:
        return []
    points, weights = points[used], weights[used] / total
    count = max(1, min(int(count), len(points)))
    kmeans = KMeans(n_clusters=count, n_init=4, random_state=0)
    labels = kmeans.fit_predict(points, sample_weight=weights)
    shares = np.bincount(labels, weights=weights, minlength=count)
    order = sorted(range(count), key=lambda k: (-round(float(shares[k]), 12), k))
    found = []
    for k in order:
        if shares[k] > 0:
            a, b = (round(float(v), 3) + 0.0 for v in kmeans.cluster_centers_[k])
            found.append(((a, b), float(shares[k])))
    return found


def suggest(
    centres: np.ndarray, chances: np.ndarray, lightness: float, count: int
) -> list[Suggestion]:
    """The belief at one spot (bin centres and their chances) as up to ``count`` distinct colours."""
    found, seen = [], set()
    for centre, share in cluster_colours(centres, chances, count):
        ab = colors.snap_ab(lightness, centre)
        hex_color = colors.to_hex(lab_to_rgb([lightness, *ab]))
        if hex_color not in seen:
            seen.add(hex_color)
            found.append(Suggestion(hex_color, ab, round(float(share), 4)))
    return found


def palette_image(found: Sequence[Suggestion], *, swatch: int = 56) -> Image.Image:
    """Suggestions as a row of swatches, each with its share under it."""
    picture = Image.new("RGB", (max(len(found), 1) * (swatch + 6) + 6, swatch + 24), "white")
    draw = ImageDraw.Draw(picture)
    for index, suggestion in enumerate(found):
        left = 6 + index * (swatch + 6)
        draw.rectangle([left, 4, left + swatch, 4 + swatch], fill=suggestion.color, outline="gray")
        draw.text((left + 2, swatch + 8), f"{suggestion.share:.0%}", fill=(40, 40, 40))
    return picture


def plot_belief(
    centres: np.ndarray,
    chances: np.ndarray,
    lightness: float,
    *,
    title: str,
    ax: Axes | None = None,
) -> Figure | SubFigure:
    """Scatter the colour bins on the a-b plane: each dot a colour, bigger = more likely.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    shown = [colors.snap_ab(lightness, c) for c in centres]
    dots = lab_to_rgb([[lightness, a, b] for a, b in shown])
    figure: Figure | SubFigure
    if ax is None:
        figure, ax = plt.subplots(figsize=(5, 5))
        plt.close(figure)  # shown once, as the cell's result
    else:
        figure = ax.figure  # the caller's figure: theirs to show or close
    ax.scatter(centres[:, 0], centres[:, 1], s=4 + 3000 * chances, c=dots, edgecolors="0.4")
    ax.axhline(0, color="0.8", lw=0.8)
    ax.axvline(0, color="0.8", lw=0.8)
    ax.set(
        xlim=(-115, 115),
        ylim=(-115, 115),
        aspect="equal",
        xlabel="a: green ← → red",
        ylabel="b: blue ← → yellow",
        title=title,
    )
    return figure
