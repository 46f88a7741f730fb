"""Colour black-and-white photos with the networks of Zhang et al. (SIGGRAPH 2017, ECCV 2016).

The learner-facing names: :func:`colorize` (one call), :class:`Colorizer` (one photo, its hints,
suggestions, gamut, saving, PSNR), :func:`hint_sweep` and :func:`plot_sweep` (the paper's
evaluation, small), and the widget (``Colorizer.widget()`` or :class:`ColorizeWidget`).

Inside, each module has one job: ``colorizer`` (the Colorizer), ``hints`` (a hint, its square,
drawing, undo), ``suggest`` (suggested colours), ``saving`` (files), ``colors`` (reading colours,
the gamut), ``apply`` (Lab and running the network), ``model`` and ``weights`` (the networks and
their files), ``bundles`` (the released networks, ``from_pretrained``), ``evaluate`` (PSNR and
the sweep) and ``widget`` (the view). The model side never imports the widget: this package
tells the Colorizer which function makes its widget.

Examples
--------
>>> from workshop_lib.assets import bundled
>>> from workshop_lib.colorize import Colorizer
>>> colorizer = Colorizer(bundled("images/cameraman.jpg"))
>>> colorizer.automatic().size
(512, 512)
"""

from .bundles import BUNDLES, from_pretrained
from .colorizer import Colorizer, Hint, Suggestion, colorize, set_widget_maker
from .evaluate import PAPER_CURVE, SweepResult, hint_sweep, plot_sweep, psnr

__all__ = [
    "BUNDLES",
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


def _make_widget(colorizer, *, plain: bool = False):
    # The widget needs anywidget and ipywidgets; import it only when one is asked for.
    from .widget import colorize_widget

    return colorize_widget(colorizer, plain=plain)


set_widget_maker(_make_widget)


def __getattr__(name):
    if name in ("ColorizeWidget", "PlainColorizeWidget"):
        from . import widget

        return getattr(widget, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
