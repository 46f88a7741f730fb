"""The JavaScript of the library's widgets: each widget script with the shared kit in front.

An anywidget module is one piece of JavaScript: it cannot import a file that lies beside it. The
pieces every widget needs (building elements, listeners that are removed when the view goes,
object URLs, pointer dragging, messages with folded details) live once in ``widget_kit.js``;
:func:`widget_module` puts that kit in front of a widget's own script, and the widget class
uses the result as its ``_esm``.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["KIT", "widget_module"]

KIT = Path(__file__).with_name("widget_kit.js")
"""The shared kit's source file."""


def widget_module(script: str | Path) -> str:
    """The ES module for a widget: the shared kit, then the widget's own script.

    Parameters
    ----------
    script : str or Path
        The widget's ``widget.js``; it uses ``makeKit``, ``el`` and ``sniffType`` from the kit
        and ends with ``export default { render }``.

    Returns
    -------
    str
        The module source, for the widget's ``_esm``.

    Examples
    --------
    >>> source = widget_module(Path(__file__).parents[1] / "colorize" / "widget.js")
    >>> source.count("function makeKit(")
    1
    """
    return KIT.read_text("utf-8") + "\n" + Path(script).read_text("utf-8")
