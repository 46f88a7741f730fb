"""A still picture for interactive widgets, for places that cannot run them.

A saved or printed notebook (the handout, GitHub's preview, a notebook opened without a kernel)
cannot show a live widget. A widget class that mixes in :class:`StillPicture` and says what it
looks like in :meth:`StillPicture.still_picture` also offers a PNG picture of its current state;
live notebooks keep showing the interactive widget.
"""

from __future__ import annotations

import base64
import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from PIL import Image

__all__ = ["StillPicture", "png_bytes"]


def png_bytes(picture: Image.Image | Figure) -> bytes:
    """Encode a PIL image or a matplotlib figure as PNG bytes."""
    buffer = io.BytesIO()
    if hasattr(picture, "savefig"):
        picture.savefig(buffer, format="png", dpi=80, bbox_inches="tight")
    else:
        picture.save(buffer, format="PNG")
    return buffer.getvalue()


class StillPicture:
    """Mix into a widget class (before the widget base) to add a still picture to its output."""

    def still_picture(self) -> bytes | None:
        """PNG bytes of what the widget shows now, or None. Widgets override this."""
        return None

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
        try:
            picture = self.still_picture()
        except Exception:  # a still picture is a courtesy: never break the live widget for it
            picture = None
        if picture:
            data = {**data, "image/png": base64.b64encode(picture).decode("ascii")}
        return (data, metadata) if isinstance(bundle, tuple) else data
