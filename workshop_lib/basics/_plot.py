"""Figures for the basics helpers: made without pyplot's global state, shown once when returned."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def new_figure(width: float, height: float) -> Figure:
    """A matplotlib Figure that a notebook shows when it is a cell's last value (and only then).

    pyplot is not used, so the figure is not also drawn at the end of the cell; the figure
    draws itself as a PNG picture when the notebook displays it.
    """
    from matplotlib.figure import Figure

    class ShownFigure(Figure):
        def _repr_png_(self) -> bytes:
            buffer = io.BytesIO()
            self.savefig(buffer, format="png", dpi=100)
            return buffer.getvalue()

    return ShownFigure(figsize=(width, height), layout="constrained")
