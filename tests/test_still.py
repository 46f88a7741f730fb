"""Widgets offer a still picture next to their live view (workshop_lib.media.still)."""

import base64
import io

import anywidget
from PIL import Image

from workshop_lib.media.still import StillPicture, png_bytes

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


class Swatch(StillPicture, anywidget.AnyWidget):
    _esm = "export default { render({ el }) { el.textContent = 'swatch'; } };"

    def still_picture(self):
        return png_bytes(Image.new("RGB", (8, 4), (200, 30, 30)))


class Failing(StillPicture, anywidget.AnyWidget):
    _esm = "export default { render({ el }) { el.textContent = 'x'; } };"

    def still_picture(self):
        raise RuntimeError("no picture today")


def test_widget_output_carries_its_still_picture():
    data, _ = Swatch()._repr_mimebundle_()

    picture = Image.open(io.BytesIO(base64.b64decode(data["image/png"])))
    assert WIDGET_VIEW in data
    assert picture.size == (8, 4)


def test_a_failing_still_picture_leaves_the_live_widget_alone():
    data, _ = Failing()._repr_mimebundle_()

    assert WIDGET_VIEW in data
    assert "image/png" not in data
