"""Artificial intelligence, machine learning and deep learning as circles inside each other."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import WorkshopError
from ._plot import new_figure

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["nested_circles"]

_RINGS = (  # name, when, examples, colour
    (
        "Artificial intelligence",
        "named in 1956",
        "chess programs, route planners:\nrules written by people",
        "#cfe3ff",
    ),
    (
        "Machine learning",
        "named in 1959",
        "spam filters, recommendations:\nrules learned from examples",
        "#9cc8ff",
    ),
    (
        "Deep learning",
        "took off in 2012",
        "networks with many layers:\nimage recognition,\nvoices, colour",
        "#4f8fe8",
    ),
)


def nested_circles(*, highlight: str | None = None) -> Figure:
    """Draw AI, machine learning and deep learning as nested circles, with an example for each.

    Each circle lies inside the one before: all deep learning is machine learning, and all
    machine learning is artificial intelligence, but not the other way round.

    Parameters
    ----------
    highlight : {"ai", "ml", "dl"}, optional
        Draw one circle's border thicker, to point at it.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> figure = nested_circles(highlight="dl")
    """
    from matplotlib.patches import Circle

    keys = {"ai": 0, "ml": 1, "dl": 2}
    if highlight is not None and highlight not in keys:
        raise WorkshopError(f"highlight must be 'ai', 'ml', 'dl' or None, not {highlight!r}.")
    figure = new_figure(7.5, 6.2)
    ax = figure.add_subplot()
    radii, centres = (3.0, 2.05, 1.15), ((0, 0), (0, -0.9), (0, -1.8))
    for index, ((name, since, examples, colour), radius, centre) in enumerate(
        zip(_RINGS, radii, centres, strict=True)
    ):
        thick = highlight is not None and keys[highlight] == index
        ax.add_patch(
            Circle(
                centre, radius, facecolor=colour, edgecolor="#12355b", linewidth=4 if thick else 1.2
            )
        )
        top = centre[1] + radius
        ax.text(
            0,
            top - 0.38,
            name,
            ha="center",
            va="center",
            fontsize=14,
            weight="bold",
            color="#0b2545",
        )
        ax.text(0, top - 0.72, since, ha="center", va="center", fontsize=9, color="#0b2545")
        label_y = top - 1.25 if index < 2 else centre[1] - 0.15
        ax.text(
            0,
            label_y,
            examples,
            ha="center",
            va="center",
            fontsize=9.5 if index < 2 else 8.5,
            color="#0b2545" if index < 2 else "white",
        )
    ax.set_xlim(-3.2, 3.2)
    ax.set_ylim(-3.2, 3.2)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("Each circle lives inside the one before", fontsize=12)
    return figure
