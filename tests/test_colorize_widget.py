"""The widget's Python side, driven as the browser drives it: by setting traits."""

import threading
import time

import ipywidgets
import numpy as np
import pytest
from PIL import Image

from workshop_lib.assets import bundled
from workshop_lib.colorize import Colorizer, ColorizeWidget, PlainColorizeWidget
from workshop_lib.colorize.widget import colorize_widget
from workshop_lib.colorize.worker import LatestOnly


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")


@pytest.fixture
def widget(tmp_path):
    colorizer = Colorizer(bundled("images/astronaut.jpg"))
    made = ColorizeWidget(colorizer, display_side=256)
    made.save_folder = str(tmp_path / "saved")
    return made


serial = iter(range(1, 10_000))


def act(widget, name, **values):
    """Do what the browser does when the learner acts, then wait for the picture."""
    widget.action = {"name": name, "serial": next(serial), **values}
    assert widget.wait(30)


def picture(data: bytes) -> np.ndarray:
    import io

    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB")).astype(int)


def test_the_widget_starts_with_photo_result_and_truth(widget):
    assert widget.image_width == widget.image_height == 512
    assert picture(widget.grey_image).shape == (256, 256, 3)
    assert picture(widget.result_image).shape == (256, 256, 3)
    assert widget.has_truth and widget.original_image
    assert widget.timing.startswith("update:")


def test_a_click_adds_a_hint_with_the_current_colour_and_size(widget):
    widget.color = "#0000ff"
    widget.hint_size = 7

    act(widget, "press", x=300, y=150)

    assert widget.hints[0]["x"] == 300 and widget.hints[0]["y"] == 150
    assert widget.hints[0]["color"] == "#0000ff" and widget.hints[0]["size"] == 7
    assert widget.selected == 0
    assert widget.colorizer.hints[0].color == "#0000ff"


def test_the_result_changes_where_the_hint_is(widget):
    before = picture(widget.result_image)
    widget.color = "#0000ff"
    widget.hint_size = 9

    act(widget, "press", x=300, y=150)

    change = np.abs(picture(widget.result_image) - before).sum(axis=-1)
    assert change[70:80, 145:155].mean() > 1.0


def test_pressing_a_hint_selects_it_and_shows_its_colour_and_suggestions(widget):
    act(widget, "press", x=100, y=100)
    widget.selected = -1  # nothing selected: a new colour changes no hint
    widget.color = "#00ff00"
    act(widget, "press", x=400, y=400)

    act(widget, "press", x=101, y=99)

    assert widget.selected == 0
    assert [h["color"] for h in widget.hints] == ["#d62728", "#00ff00"]
    assert widget.color == "#d62728"
    assert 1 <= len(widget.suggestions) <= 8
    assert widget.gamut_image[:4] == b"\x89PNG"


def test_dragging_moves_the_hint_and_one_undo_brings_it_back(widget):
    act(widget, "press", x=100, y=100)
    for x in (110, 120, 130):
        widget.action = {"name": "drag", "x": x, "y": 100, "serial": next(serial)}
    act(widget, "release", x=140, y=100)

    assert widget.hints[0]["x"] == 140
    assert widget.timing.startswith("update:")  # the full result, not the preview
    act(widget, "undo")
    assert widget.hints[0]["x"] == 100


def test_right_click_and_delete_remove_hints(widget):
    act(widget, "press", x=100, y=100)
    act(widget, "press", x=300, y=300)

    act(widget, "remove_at", x=101, y=101)
    assert [h["x"] for h in widget.hints] == [300]
    act(widget, "press", x=300, y=300)
    act(widget, "remove_selected")

    assert widget.hints == []
    assert widget.selected == -1


def test_changing_colour_and_size_changes_the_selected_hint(widget):
    act(widget, "press", x=100, y=100)

    widget.color = "orange"
    widget.hint_size = 2
    widget.wait()

    hint = widget.colorizer.hints[0]
    assert (hint.color, hint.size) == ("#ffa500", 2)
    assert widget.recent_colors[0] == "#ffa500"


def test_a_gamut_click_picks_a_colour(widget):
    act(widget, "press", x=256, y=256)

    act(widget, "gamut", u=0.9, v=0.5)  # far right: red side, b = 0

    red, green, blue = (int(widget.color[i : i + 2], 16) for i in (1, 3, 5))
    assert red > green and red > blue


def test_clear_and_automatic_keep_the_hints_safe(widget):
    act(widget, "press", x=100, y=100)
    act(widget, "clear")
    assert widget.hints == []
    act(widget, "undo")
    assert len(widget.hints) == 1

    widget.automatic = True
    widget.wait()

    auto = picture(widget.result_image)
    assert np.array_equal(auto, picture(_jpeg(widget.colorizer.automatic(max_side=256))))
    assert len(widget.colorizer.hints) == 1


def _jpeg(image):
    import io

    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def test_mistakes_show_a_message_and_the_widget_stays_usable(widget):
    act(widget, "press", x=100, y=100)

    widget.color = "not a colour"
    assert "not a colour name" in widget.status
    act(widget, "press", x=5000, y=5)
    assert "outside the photo" in widget.status
    act(widget, "press", x=200, y=200)

    assert len(widget.hints) == 2


def test_save_writes_files_and_sends_them_to_the_browser(widget, monkeypatch):
    sent = []
    monkeypatch.setattr(
        widget, "send", lambda content, buffers=None: sent.append((content, buffers))
    )
    act(widget, "press", x=100, y=100)

    act(widget, "save")

    assert "Saved" in widget.status
    content, buffers = sent[0]
    assert content["names"] == ["astronaut_colorized.png", "astronaut_hints.json"]
    assert buffers[0][:4] == b"\x89PNG"


def test_hints_set_from_python_are_adopted(widget):
    widget.hints = [{"x": 50, "y": 60, "color": "#123456", "size": 3}]
    widget.wait()

    assert widget.colorizer.hints[0].color == "#123456"
    assert widget.hints[0]["shown"].startswith("#")


def test_hints_added_on_the_colorizer_show_in_the_widget(widget):
    widget.colorizer.add_hint(10, 20, "red")
    widget.wait()

    assert widget.hints[0]["x"] == 10


def test_the_text_shown_without_custom_widgets_says_what_to_do(widget):
    text = repr(widget)

    assert len(text) <= 110
    assert "plain=True" in text


def test_only_the_newest_request_is_computed():
    done, gate = [], threading.Event()

    def work(request):
        if request == 0:
            gate.wait(5)
        done.append(request)

    worker = LatestOnly(work)
    worker.submit(0)
    time.sleep(0.1)  # request 0 is now being computed
    for request in range(1, 6):
        worker.submit(request)
    gate.set()

    assert worker.wait(5)
    assert done == [0, 5]


def test_plain_fallback_adds_hints_with_sliders_and_buttons():
    colorizer = Colorizer(bundled("images/chelsea.jpg"))
    plain = colorize_widget(colorizer, plain=True)
    assert isinstance(plain, PlainColorizeWidget)
    assert "simple version" in plain.message.value
    before = plain.result.value

    plain.x.value, plain.y.value = 200, 150
    plain.color.value = "#ff8800"
    plain.buttons[0].click()  # Add hint

    assert colorizer.hints[0].x == 200
    assert plain.result.value != before
    plain.buttons[1].click()  # Undo
    assert colorizer.hints == ()


def test_without_anywidget_the_plain_widget_says_why(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "anywidget", None)

    made = colorize_widget(Colorizer(bundled("images/chelsea.jpg")))

    assert isinstance(made, PlainColorizeWidget)
    assert "anywidget" in made.message.value
    assert isinstance(made, ipywidgets.VBox)


def test_saved_notebooks_get_a_still_picture_of_photo_and_result(widget):
    import base64
    import io

    act(widget, "press", x=100, y=100)

    data, _ = widget._repr_mimebundle_()

    still = Image.open(io.BytesIO(base64.b64decode(data["image/png"])))
    assert "application/vnd.jupyter.widget-view+json" in data
    assert still.width > 1.5 * still.height  # two pictures side by side, a caption below


# --- the one widget guard: a learner's mistake, and a fault of ours --------------------------------


def test_a_mistake_shows_its_sentence_without_details_and_keeps_the_hints(widget):
    act(widget, "press", x=100, y=100)

    act(widget, "press", x=5000, y=5)

    assert "outside the photo" in widget.status
    assert widget.status_details == ""
    assert len(widget.hints) == 1


def test_a_fault_shows_one_sentence_with_details_logged_and_keeps_the_hints(
    widget, monkeypatch, caplog
):
    act(widget, "press", x=100, y=100)

    def broken(*args, **kwargs):
        raise RuntimeError("a fault inside the library")

    monkeypatch.setattr(widget.colorizer, "add_hint", broken)
    with caplog.at_level("ERROR", logger="workshop_lib"):
        act(widget, "press", x=300, y=300)

    assert widget.status.startswith("Something went wrong while placing the hint.")
    assert "RuntimeError: a fault inside the library" in widget.status_details
    assert "a fault inside the library" in caplog.text
    assert len(widget.hints) == 1 and widget.colorizer.hints[0].x == 100
    monkeypatch.undo()
    act(widget, "press", x=300, y=300)  # still usable, and the message goes
    assert len(widget.hints) == 2 and widget.status_details == ""


def test_a_fault_while_colouring_is_shown_and_the_widget_is_not_left_working(widget, monkeypatch):
    act(widget, "press", x=100, y=100)

    def broken(*args, **kwargs):
        raise ValueError("the network broke")

    monkeypatch.setattr(widget.colorizer, "result", broken)
    act(widget, "press", x=300, y=300)

    assert widget.status.startswith("Something went wrong while colouring the photo.")
    assert "ValueError: the network broke" in widget.status_details
    assert not widget.busy
    assert len(widget.colorizer.hints) == 2


def test_a_bad_colour_from_the_browser_is_refused_and_the_old_one_kept(widget):
    widget.color = "#00ff00"

    widget.color = "rgb(300, 0, 0)"

    assert "0 to 255" in widget.status
    assert widget.color == "#00ff00"


def _plain(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return colorize_widget(Colorizer(bundled("images/chelsea.jpg")), plain=True)


def test_the_plain_widget_shows_a_mistake_and_keeps_the_hints(tmp_path, monkeypatch):
    plain = _plain(tmp_path, monkeypatch)
    plain.buttons[0].click()  # a first hint

    (tmp_path / "colorized").write_text("a file where the folder should go")
    plain.buttons[3].click()  # Save

    assert "Could not save into colorized" in plain.status.value
    assert "<details>" not in plain.status.value
    assert len(plain.colorizer.hints) == 1


def test_the_plain_widget_shows_a_fault_with_folded_details(tmp_path, monkeypatch):
    plain = _plain(tmp_path, monkeypatch)
    plain.buttons[0].click()

    def broken(*args, **kwargs):
        raise OSError("disk on fire")

    monkeypatch.setattr(plain.colorizer, "save", broken)
    plain.buttons[3].click()  # Save

    assert "Something went wrong while doing &#x27;Save&#x27;" in plain.status.value
    assert "<details>" in plain.status.value and "disk on fire" in plain.status.value
    assert len(plain.colorizer.hints) == 1


def test_hints_are_sent_with_the_square_they_cover_on_the_canvas(widget):
    act(widget, "press", x=100, y=100)  # size 5 on a 512-pixel photo shown at 256: 2.5 -> 3
    widget.hint_size = 9
    widget.wait()

    assert widget.hints[0]["half"] == [4.5, 4.5]
