"""Colour black-and-white photos with the networks of Zhang et al. (SIGGRAPH 2017, ECCV 2016).

The learner-facing names: :func:`colorize` (one call), :class:`Colorizer` (one photo, its hints,
suggestions, gamut, saving, PSNR), :func:`hint_sweep` and :func:`plot_sweep` (the paper's
evaluation, small), and the widget (``Colorizer.widget()`` or :class:`ColorizeWidget`).

Examples
--------
>>> from workshop_lib.assets import bundled
>>> from workshop_lib.colorize import Colorizer
>>> colorizer = Colorizer(bundled("images/cameraman.jpg"))
>>> colorizer.automatic().size
(512, 512)
"""

from .colorizer import Colorizer, Hint, Suggestion, colorize, psnr
from .evaluate import PAPER_CURVE, SweepResult, hint_sweep, plot_sweep
from .weights import from_pretrained

__all__ = [
    "PAPER_CURVE",
    "ColorizeWidget",
    "Colorizer",
    "Hint",
    "Suggestion",
    "SweepResult",
    "colorize",
    "from_pretrained",
    "hint_sweep",
    "plot_sweep",
    "psnr",
]


def __getattr__(name):
    # The widget needs anywidget and ipywidgets; import it only when asked for.
    if name in ("ColorizeWidget", "PlainColorizeWidget"):
        from . import widget

        return getattr(widget, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
