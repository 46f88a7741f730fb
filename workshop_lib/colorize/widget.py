"""The click-to-colour widget: the grey photo with your hints on the left, the result on the right.

:class:`ColorizeWidget` is an anywidget (one Python class plus ``widget.js`` and ``widget.css``
beside it, with the shared kit of :mod:`workshop_lib.media.esm` in front of the script) that
works in Colab (ipywidgets 7) and JupyterLab (ipywidgets 8). The JavaScript only
draws what the Python side holds and reports what the learner did (a press at pixel x, y, a
drag, a colour picked); every decision is made here, on a :class:`Colorizer`. The network runs in
a background thread that always takes the newest request, so a slow computer never works
through stale ones; while a hint is dragged it computes a quicker, blurrier preview.

:class:`PlainColorizeWidget` is the fallback made of standard controls (sliders, a colour picker,
buttons), for when custom widgets cannot be shown.

Every callback runs inside :func:`workshop_lib.errors.guard`: a WorkshopError shows its sentence
in the widget's message line; anything else shows one plain sentence with the details folded
underneath (and logged). The hints are kept either way.
"""

from __future__ import annotations

import html
import io
import time
from pathlib import Path
from typing import Any

import ipywidgets
import traitlets
from PIL import Image, ImageDraw

from ..errors import WorkshopError, guard, message_html
from ..media.esm import widget_module
from ..media.images import side_by_side
from ..media.still import StillPicture, png_bytes
from . import colors
from .apply import lab_to_rgb
from .colorizer import Colorizer
from .hints import hint_box
from .worker import LatestOnly

__all__ = ["ColorizeWidget", "PlainColorizeWidget", "colorize_widget"]

DISPLAY_SIDE = 480
"""Pictures in the widget are at most this many pixels a side (the saved result is full size)."""
_RECENT = 10  # recently used colours kept
_SUGGESTIONS = 8
_DOING = {  # what the learner was doing, for the message when something breaks
    "press": "placing the hint",
    "drag": "moving the hint",
    "release": "moving the hint",
    "remove_at": "removing the hint",
    "remove_selected": "removing the hint",
    "undo": "undoing",
    "clear": "clearing the hints",
    "gamut": "picking a colour",
    "save": "saving",
}


def colorize_widget(
    colorizer: Colorizer, *, plain: bool = False, display_side: int = DISPLAY_SIDE
) -> ColorizeWidget | PlainColorizeWidget:
    """Make the interactive widget for a Colorizer, or the plain one when custom widgets can't work.

    Parameters
    ----------
    colorizer : Colorizer
        The photo and its hints; the widget is a view over it.
    plain : bool
        Ask for the plain version (sliders and buttons) even when the custom one would work.
    display_side : int
        Longest side of the pictures shown, in pixels.

    Returns
    -------
    ColorizeWidget or PlainColorizeWidget

    Examples
    --------
    >>> from workshop_lib.assets import bundled
    >>> tool = colorize_widget(Colorizer(bundled("images/chelsea.jpg")), plain=True)
    >>> type(tool).__name__
    'PlainColorizeWidget'
    """
    if plain:
        return PlainColorizeWidget(
            colorizer, reason="This is the simple version, as you asked.", display_side=display_side
        )
    try:
        import anywidget  # noqa: F401
    except ImportError:
        return PlainColorizeWidget(
            colorizer,
            reason=(
                "The interactive widget needs the anywidget package, which is not installed "
                "(pip install anywidget, then restart). Meanwhile, here is the simple version."
            ),
            display_side=display_side,
        )
    return ColorizeWidget(colorizer, display_side=display_side)


def _encode(picture: Image.Image, *, kind: str = "JPEG") -> bytes:
    """A picture as JPEG (photos: small and quick) or PNG bytes, for sending to the browser."""
    buffer = io.BytesIO()
    if kind == "JPEG":
        picture.convert("RGB").save(buffer, "JPEG", quality=90)
    else:
        picture.save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()


_Base: type
try:
    import anywidget

    _Base = anywidget.AnyWidget
except ImportError:  # pragma: no cover - colorize_widget() falls back to the plain widget
    _Base = ipywidgets.DOMWidget


class ColorizeWidget(StillPicture, _Base):
    """Colour a photo by clicking: the grey photo with hints on the left, the result on the right.

    Click the left picture to put the current colour there; click a hint to select it, drag to
    move it, right-click it (or press Delete) to remove it. Pick colours with the colour box, the
    suggested colours for the selected spot, the gamut square, or the recently used colours. The
    size slider sets the hint's square (1..9). Buttons: Undo, Clear, Automatic (the network's own
    guess, hints kept), Compare (the true colours, when known) and Save (PNG + hints JSON into
    ``save_folder``, and a download in the browser).

    Everything can be driven from Python too, which is how the tests use it: set ``action`` to
    ``{"name": "press", "x": 10, "y": 20}`` (or ``drag``, ``release``, ``remove_at``,
    ``remove_selected``, ``undo``, ``clear``, ``save``, ``gamut``), or set ``color``,
    ``hint_size``, ``selected``, ``automatic`` or ``hints``; call :meth:`wait` for the result.

    Parameters
    ----------
    colorizer : Colorizer
        The photo and its hints.
    display_side : int
        Longest side of the pictures shown, in pixels.

    Examples
    --------
    >>> from workshop_lib.assets import bundled
    >>> tool = ColorizeWidget(Colorizer(bundled("images/chelsea.jpg")))
    >>> tool.action = {"name": "press", "x": 200, "y": 150, "serial": 1}  # as a click does
    >>> tool.wait()
    True
    >>> tool.hints[0]["x"], tool.hints[0]["y"]
    (200, 150)
    """

    _esm = widget_module(Path(__file__).parent / "widget.js")
    _css = Path(__file__).parent / "widget.css"

    grey_image = traitlets.Bytes(b"").tag(sync=True)
    result_image = traitlets.Bytes(b"").tag(sync=True)
    original_image = traitlets.Bytes(b"").tag(sync=True)
    gamut_image = traitlets.Bytes(b"").tag(sync=True)
    image_width = traitlets.Int(0).tag(sync=True)
    image_height = traitlets.Int(0).tag(sync=True)
    hints: traitlets.List = traitlets.List([]).tag(sync=True)
    selected = traitlets.Int(-1).tag(sync=True)
    color = traitlets.Unicode("#d62728").tag(sync=True)
    hint_size = traitlets.Int(5).tag(sync=True)
    suggestions: traitlets.List = traitlets.List([]).tag(sync=True)
    recent_colors: traitlets.List = traitlets.List([]).tag(sync=True)
    automatic = traitlets.Bool(False).tag(sync=True)
    show_original = traitlets.Bool(False).tag(sync=True)
    has_truth = traitlets.Bool(False).tag(sync=True)
    busy = traitlets.Bool(False).tag(sync=True)
    status = traitlets.Unicode("").tag(sync=True)
    status_details = traitlets.Unicode("").tag(sync=True)
    timing = traitlets.Unicode("").tag(sync=True)
    action = traitlets.Dict({}).tag(sync=True)
    save_folder = traitlets.Unicode("colorized").tag(sync=True)

    def __init__(
        self, colorizer: Colorizer, *, display_side: int = DISPLAY_SIDE, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.colorizer = colorizer
        self.display_side = int(display_side)
        self._scheduler = LatestOnly(self._compute)
        self._dragging = False
        self._focus: tuple | None = None  # the last spot pressed: suggestions, gamut are for it
        self.has_truth = colorizer.has_truth
        self.image_width, self.image_height = colorizer.size
        shown = self._shrink(colorizer.grey)
        self._scale = shown.width / colorizer.size[0]  # canvas pixels per photo pixel
        self.grey_image = _encode(shown)
        if colorizer.original is not None:
            self.original_image = _encode(self._shrink(colorizer.original))
        self.gamut_image = _encode(colors.gamut_image(50, size=160), kind="PNG")
        self._sync_hints()
        colorizer.on_change(self._on_colorizer_change)
        self.observe(self._on_action, names="action")
        self.observe(self._on_color, names="color")
        self.observe(self._on_size, names="hint_size")
        self.observe(self._on_selected, names="selected")
        self.observe(self._on_hints, names="hints")
        self.observe(self._on_automatic, names="automatic")
        if colorizer.note:
            self.status = colorizer.note
        self._compute(self._snapshot(preview=False))  # the first picture, now

    def __repr__(self) -> str:
        # Shown instead of the widget where custom widgets cannot be displayed (kept short:
        # ipywidgets cuts this text at 110 characters).
        return (
            "Colour widget: if you read this, run colorizer.widget(plain=True) for the simple one."
        )

    def still_picture(self) -> bytes | None:
        """PNG of the widget's state for saved notebooks: the photo with its hints, and the result."""
        if not self.result_image:
            return None
        result = Image.open(io.BytesIO(self.result_image)).convert("RGB")
        photo = self.colorizer.hint_picture(max_side=self.display_side)
        still = side_by_side(
            photo,
            result,
            titles=[f"Your photo: {len(self.colorizer.hints)} hint(s)", "Result"],
            height=min(result.height, 360),
        )
        framed = Image.new("RGB", (still.width, still.height + 18), "white")
        framed.paste(still, (0, 0))
        ImageDraw.Draw(framed).text(
            (4, still.height + 4),
            "A still picture of the tool. If clicks on the live tool do nothing, "
            "use widget(plain=True).",
            fill=(110, 110, 110),
        )
        return png_bytes(framed)

    # --- for tests and notebooks ---------------------------------------------------------------

    def wait(self, timeout: float | None = 60) -> bool:
        """Wait until the newest result is shown; False when ``timeout`` seconds passed first."""
        return self._scheduler.wait(timeout)

    # --- events from the browser (or from Python) ------------------------------------------------

    def _on_action(self, change) -> None:
        action = dict(change["new"] or {})
        handler = getattr(self, f"_do_{action.get('name', '')}", None)
        if handler is None:
            return
        self._say("")  # the last message was about the last action
        with guard(self._show_error, doing=_DOING.get(action["name"], "doing that")):
            handler(action)

    def _do_press(self, action) -> None:
        x, y = action["x"], action["y"]
        index = self.colorizer.hint_at(x, y)
        if index is None:
            self.colorizer.add_hint(x, y, self.color, size=self.hint_size)
            index = len(self.colorizer.hints) - 1
            self._remember_color(self.color)
        self._focus = (x, y)
        self._dragging = False
        self._select(index)

    def _do_drag(self, action) -> None:
        if self.selected < 0:
            return
        self._dragging = True
        self._focus = (action["x"], action["y"])
        self.colorizer.move_hint(self.selected, action["x"], action["y"])

    def _do_release(self, action) -> None:
        if self._dragging and self.selected >= 0:
            self._dragging = False
            self._focus = (action["x"], action["y"])
            self.colorizer.move_hint(self.selected, action["x"], action["y"])
        self._dragging = False
        self._request(details=True)

    def _do_remove_at(self, action) -> None:
        index = self.colorizer.hint_at(action["x"], action["y"])
        if index is not None:
            self.colorizer.remove_hint(index)
            self.selected = -1

    def _do_remove_selected(self, _action) -> None:
        if 0 <= self.selected < len(self.colorizer.hints):
            self.colorizer.remove_hint(self.selected)
            self.selected = -1

    def _do_undo(self, _action) -> None:
        if not self.colorizer.undo():
            self._say("Nothing to undo.")
        self.selected = -1 if self.selected >= len(self.colorizer.hints) else self.selected

    def _do_clear(self, _action) -> None:
        self.colorizer.clear()
        self.selected = -1

    def _do_gamut(self, action) -> None:
        a, b = colors.ab_at(action["u"], action["v"])
        if self._focus is not None:
            lightness = self.colorizer.lightness_at(*self._focus)
        else:
            lightness = 50.0
        ab = colors.snap_ab(lightness, (a, b))
        self.color = colors.to_hex(lab_to_rgb([lightness, *ab]))

    def _do_save(self, _action) -> None:
        paths = self.colorizer.save(self.save_folder)
        self._say(
            f"Saved {paths['image'].as_posix()} and {paths['hints'].name} (keep them together)."
        )
        self.send(
            {"type": "download", "names": [paths["image"].name, paths["hints"].name]},
            buffers=[paths["image"].read_bytes(), paths["hints"].read_bytes()],
        )

    def _on_color(self, change) -> None:
        with guard(self._show_error, doing="changing the colour"):
            try:
                wanted = colors.to_hex(colors.parse_color(change["new"]))
            except WorkshopError:
                self.color = change["old"]  # keep a colour that works for the next click
                raise
            if 0 <= self.selected < len(self.colorizer.hints):
                if wanted != self.colorizer.hints[self.selected].color:
                    self.colorizer.recolor_hint(self.selected, wanted)
            self._remember_color(wanted)

    def _on_size(self, change) -> None:
        with guard(self._show_error, doing="changing the hint's size"):
            if 0 <= self.selected < len(self.colorizer.hints):
                if self.colorizer.hints[self.selected].size != change["new"]:
                    self.colorizer.resize_hint(self.selected, change["new"])

    def _on_selected(self, change) -> None:
        with guard(self._show_error, doing="selecting a hint"):
            index = change["new"]
            if 0 <= index < len(self.colorizer.hints):
                hint = self.colorizer.hints[index]
                self._focus = (hint.x, hint.y)
                self._request(details=True)
            else:
                self.suggestions = []

    def _on_automatic(self, _change) -> None:
        with guard(self._show_error, doing="switching the automatic result"):
            self._request()

    def _on_hints(self, change) -> None:
        """``hints`` set from outside (a test, a notebook): the Colorizer adopts them."""
        wanted = [
            {"x": h["x"], "y": h["y"], "color": h["color"], "size": h.get("size", 5)}
            for h in change["new"]
        ]
        current = [
            {"x": h.x, "y": h.y, "color": h.color, "size": h.size} for h in self.colorizer.hints
        ]
        if wanted != current:
            with guard(self._show_error, doing="placing the hints"):
                self.colorizer.set_hints(wanted)

    def _on_colorizer_change(self, _colorizer) -> None:
        with guard(self._show_error, doing="showing the hints"):
            self._sync_hints()
            self._request(preview=self._dragging)

    # --- computing ---------------------------------------------------------------------------------

    def _select(self, index: int) -> None:
        hint = self.colorizer.hints[index]
        self.selected = index
        # Show the hint's own colour and size in the controls (no change to the hint itself).
        self.color, self.hint_size = hint.color, hint.size

    def _snapshot(self, *, preview: bool, details: bool = False) -> dict:
        return {
            "hints": () if self.automatic else self.colorizer.hints,
            "preview": preview,
            "focus": self._focus if details else None,
        }

    def _request(self, *, preview: bool = False, details: bool = False) -> None:
        self.busy = True
        self._scheduler.submit(self._snapshot(preview=preview, details=details))

    def _compute(self, request) -> None:
        """The worker's job: the result picture, then suggestions and gamut for the focus spot."""
        try:
            with guard(self._show_error, doing="colouring the photo"):
                self._compute_now(request)
        finally:
            self.busy = self._scheduler.waiting

    def _compute_now(self, request) -> None:
        started = time.perf_counter()
        picture = self.colorizer.result(
            hints=request["hints"], preview=request["preview"], max_side=self.display_side
        )
        network = self.colorizer.seconds
        self.result_image = _encode(picture)
        total = time.perf_counter() - started
        kind = "preview" if request["preview"] else "update"
        self.timing = f"{kind}: {total:.2f} s (network {network:.2f} s)"
        if request["focus"] is not None:
            x, y = request["focus"]
            found = self.colorizer.suggestions(x, y, count=_SUGGESTIONS)
            self.suggestions = [s.color for s in found]
            self.gamut_image = _encode(self.colorizer.gamut(x, y, size=160), kind="PNG")
        if self.status_details:  # a fault in an earlier run: this one went well
            self._say("")

    def _show_error(self, sentence: str, details: str | None) -> None:
        """The guard's way to show a problem: the message line, with details folded under it."""
        self.status = sentence
        self.status_details = details or ""

    def _say(self, text: str) -> None:
        """Show a plain message (not a problem) in the message line."""
        self.status, self.status_details = text, ""

    def _sync_hints(self) -> None:
        shown = []
        for hint in self.colorizer.hints:
            lightness = self.colorizer.lightness_at(hint.x, hint.y)
            left, top, right, bottom = hint_box(hint, self.colorizer.size, scale=self._scale)
            shown.append(
                {
                    "x": hint.x,
                    "y": hint.y,
                    "color": hint.color,
                    "size": hint.size,
                    "shown": colors.to_hex(lab_to_rgb([lightness, *hint.ab])),
                    "half": [round((right - left) / 2, 2), round((bottom - top) / 2, 2)],
                }
            )
        if shown != self.hints:
            self.hints = shown

    def _remember_color(self, color: str) -> None:
        try:
            value = colors.to_hex(colors.parse_color(color))
        except WorkshopError:
            return
        recent = [value, *(c for c in self.recent_colors if c != value)][:_RECENT]
        if recent != self.recent_colors:
            self.recent_colors = recent

    def _shrink(self, picture: Image.Image) -> Image.Image:
        picture = picture.copy()
        picture.thumbnail((self.display_side, self.display_side), Image.Resampling.LANCZOS)
        return picture


class PlainColorizeWidget(ipywidgets.VBox):
    """The simple colouring tool made of standard controls, for when the custom widget can't show.

    Choose a spot with the two sliders (a cross shows it on the photo), a colour and a size,
    then press "Add hint". Undo, Clear and Save work as in the full widget.

    Parameters
    ----------
    colorizer : Colorizer
        The photo and its hints.
    reason : str
        Why the simple version is shown (the first line of the widget).
    display_side : int
        Longest side of the pictures shown, in pixels.

    Examples
    --------
    >>> from workshop_lib.assets import bundled
    >>> tool = PlainColorizeWidget(Colorizer(bundled("images/chelsea.jpg")))
    >>> tool.x.value, tool.y.value = 200, 150
    >>> tool.buttons[0].click()  # "Add hint"
    >>> len(tool.colorizer.hints)
    1
    """

    def __init__(
        self, colorizer: Colorizer, *, reason: str = "", display_side: int = DISPLAY_SIDE
    ) -> None:
        self.colorizer = colorizer
        self.display_side = int(display_side)
        width, height = colorizer.size
        self.message = ipywidgets.HTML(html.escape(reason))
        self.x = ipywidgets.IntSlider(width // 2, min=0, max=width - 1, description="x (across)")
        self.y = ipywidgets.IntSlider(height // 2, min=0, max=height - 1, description="y (down)")
        self.color = ipywidgets.ColorPicker(value="#d62728", description="colour")
        self.size = ipywidgets.IntSlider(5, min=1, max=9, description="size")
        buttons = {
            "Add hint": self._add,
            "Undo": self._undo,
            "Clear": self._clear,
            "Save": self._save,
        }
        self.buttons = []
        for label, handler in buttons.items():
            button = ipywidgets.Button(description=label)
            button.on_click(lambda _b, label=label, handler=handler: self._guarded(label, handler))
            self.buttons.append(button)
        self.photo = ipywidgets.Image(format="jpeg")
        self.result = ipywidgets.Image(format="jpeg")
        self.status = ipywidgets.HTML("")
        for slider in (self.x, self.y):
            slider.observe(
                lambda _change: self._guarded("Move the cross", self._draw_photo), names="value"
            )
        super().__init__(
            children=[
                self.message,
                ipywidgets.HBox([self.photo, self.result]),
                ipywidgets.HBox([self.x, self.y]),
                ipywidgets.HBox([self.color, self.size]),
                ipywidgets.HBox(self.buttons),
                self.status,
            ]
        )
        self._guarded("Start", self._draw_photo)
        self._guarded("Start", self._update)

    def _guarded(self, label: str, step) -> None:
        """Run a button's or slider's step inside the one widget guard."""
        with guard(self._show_error, doing=f"doing '{label}'"):
            step()

    def _show_error(self, sentence: str, details: str | None) -> None:
        self.status.value = message_html(sentence, details)

    def _add(self) -> None:
        self.colorizer.add_hint(self.x.value, self.y.value, self.color.value, size=self.size.value)
        self._update()

    def _undo(self) -> None:
        self.colorizer.undo()
        self._update()

    def _clear(self) -> None:
        self.colorizer.clear()
        self._update()

    def _save(self) -> None:
        paths = self.colorizer.save("colorized")
        self.status.value = html.escape(
            f"Saved {paths['image'].as_posix()} and {paths['hints'].name}."
        )

    def _update(self) -> None:
        started = time.perf_counter()
        picture = self.colorizer.result(max_side=self.display_side)
        self.result.value = _encode(picture)
        self._draw_photo()
        self.status.value = html.escape(
            f"{len(self.colorizer.hints)} hint(s); update took {time.perf_counter() - started:.2f} s."
        )

    def _draw_photo(self) -> None:
        picture = self.colorizer.hint_picture(max_side=self.display_side)
        scale = picture.width / self.colorizer.size[0]
        draw = ImageDraw.Draw(picture)
        x, y = self.x.value * scale, self.y.value * scale
        draw.line([(x - 8, y), (x + 8, y)], fill="red", width=2)
        draw.line([(x, y - 8), (x, y + 8)], fill="red", width=2)
        self.photo.value = _encode(picture)
