"""Notebook 04 in a real browser: the click-to-colour widget adds, drags and removes hints."""

import pytest

from .conftest import open_shared_notebook, save_screenshot
from .harness import assert_widget_rendered


@pytest.fixture(scope="module")
def colorization_notebook(lab, browser, request):
    yield from open_shared_notebook(lab, browser, "04_colorization.ipynb", request)


def canvas_point(canvas, x, y):
    """Page position of photo pixel (x, y) on the widget's canvas (the photo is 512 x 512)."""
    box = canvas.bounding_box()
    return box["x"] + x * box["width"] / 512, box["y"] + y * box["height"] / 512


def pixel(canvas, x, y):
    """The RGB colour the canvas shows at photo pixel (x, y)."""
    return canvas.evaluate(
        """(c, [x, y]) => Array.from(c.getContext('2d').getImageData(
            Math.round(x * c.width / 512), Math.round(y * c.height / 512), 1, 1).data).slice(0, 3)""",
        [x, y],
    )


def wait_for_pixel_change(canvas, x, y, old, timeout_ms=30_000):
    """Wait until the canvas shows another colour than ``old`` at photo pixel (x, y)."""
    canvas.page.wait_for_function(
        """([c, x, y, old]) => { const d = c.getContext('2d').getImageData(
            Math.round(x * c.width / 512), Math.round(y * c.height / 512), 1, 1).data;
            return d[0] !== old[0] || d[1] !== old[1] || d[2] !== old[2]; }""",
        arg=[canvas.element_handle(), x, y, list(old)],
        timeout=timeout_ms,
    )


def wait_for_new_result(notebook, widget, before):
    notebook.page.wait_for_function(
        "([img, old]) => img.src && img.src !== old",
        arg=[widget.locator("img.wl-result").element_handle(), before],
        timeout=60_000,
    )


def test_the_widget_shows_photo_and_result(colorization_notebook):
    widget = colorization_notebook.output("wedding.widget()")

    assert_widget_rendered(widget)

    assert widget.locator("canvas").count() == 1
    assert widget.locator("img.wl-result").get_attribute("src")
    assert "update:" in widget.locator(".wl-timing").inner_text()
    assert not colorization_notebook.errors()


def test_a_click_adds_a_hint_and_recolours(colorization_notebook):
    page = colorization_notebook.page
    widget = colorization_notebook.output("wedding.widget()")
    canvas = widget.locator("canvas")
    canvas.scroll_into_view_if_needed()
    grey = pixel(canvas, 300, 420)
    before = widget.locator("img.wl-result").get_attribute("src")

    page.mouse.click(*canvas_point(canvas, 300, 420))
    wait_for_new_result(colorization_notebook, widget, before)

    suggested = widget.locator(".wl-swatches").first.locator("button")
    suggested.first.wait_for(timeout=30_000)  # suggestions for the new hint come next

    assert pixel(canvas, 300, 420) != grey  # the hint's square is drawn there
    assert suggested.count() >= 1


def test_dragging_moves_the_hint_and_right_click_removes_it(colorization_notebook):
    page = colorization_notebook.page
    widget = colorization_notebook.output("wedding.widget()")
    canvas = widget.locator("canvas")
    canvas.scroll_into_view_if_needed()
    page.mouse.click(*canvas_point(canvas, 400, 460))
    page.wait_for_timeout(1000)
    grey_there = pixel(canvas, 460, 460)

    page.mouse.move(*canvas_point(canvas, 400, 460))
    page.mouse.down()
    for step in range(1, 7):
        page.mouse.move(*canvas_point(canvas, 400 + 10 * step, 460))
        page.wait_for_timeout(40)
    page.mouse.up()
    wait_for_pixel_change(canvas, 460, 460, grey_there)
    moved = pixel(canvas, 460, 460)
    page.mouse.click(*canvas_point(canvas, 460, 460), button="right")
    wait_for_pixel_change(canvas, 460, 460, moved)

    assert pixel(canvas, 460, 460) != moved


def test_compare_shows_the_true_colours_and_undo_works(colorization_notebook):
    widget = colorization_notebook.output("wedding.widget()")
    title = widget.locator(".wl-title").nth(1)

    widget.get_by_role("button", name="Compare").click()
    widget.get_by_text("True colours").wait_for(timeout=10_000)
    widget.get_by_role("button", name="Compare").click()
    widget.get_by_role("button", name="Undo").click()

    assert title.inner_text().startswith("Result")
    assert not colorization_notebook.errors()
    save_screenshot(widget, "04_colorization_widget.png")


def hint_colour_at(canvas, x, y):
    """The colour of the hint square drawn at photo pixel (x, y) (its centre)."""
    return tuple(pixel(canvas, x, y))


def test_palette_and_picker_recolour_the_selected_hint_and_the_result(colorization_notebook):
    page = colorization_notebook.page
    widget = colorization_notebook.output("wedding.widget()")
    canvas = widget.locator("canvas")
    canvas.scroll_into_view_if_needed()
    page.mouse.click(*canvas_point(canvas, 150, 300))
    swatch = widget.locator(".wl-swatches").first.locator("button").first
    swatch.wait_for(timeout=30_000)
    page.wait_for_timeout(500)
    suggested_colour = swatch.get_attribute("title")  # "#rrggbb"
    result_before = widget.locator("img.wl-result").get_attribute("src")

    swatch.click()  # a suggested colour
    wait_for_new_result(colorization_notebook, widget, result_before)
    page.wait_for_timeout(300)
    drawn_suggested = hint_colour_at(canvas, 150, 300)
    result_suggested = widget.locator("img.wl-result").get_attribute("src")
    widget.locator("input[type=color]").evaluate(
        "(input) => { input.value = '#1060e0'; input.dispatchEvent(new Event('change')); }"
    )  # the colour picker
    wait_for_new_result(colorization_notebook, widget, result_suggested)
    page.wait_for_timeout(500)

    wanted = tuple(int(suggested_colour[i : i + 2], 16) for i in (1, 3, 5))
    assert max(abs(a - b) for a, b in zip(drawn_suggested, wanted, strict=True)) <= 40
    drawn_picked = hint_colour_at(canvas, 150, 300)
    assert drawn_picked[2] > drawn_picked[0]  # blue now (snapped into the gamut at that spot)
    assert widget.locator(".wl-timing").inner_text().startswith("update:")


def test_clear_removes_every_hint(colorization_notebook):
    page = colorization_notebook.page
    widget = colorization_notebook.output("wedding.widget()")
    canvas = widget.locator("canvas")
    canvas.scroll_into_view_if_needed()
    page.mouse.click(*canvas_point(canvas, 250, 250))
    page.wait_for_timeout(800)
    with_hint = tuple(pixel(canvas, 250, 250))

    widget.get_by_role("button", name="Clear").click()
    wait_for_pixel_change(canvas, 250, 250, with_hint)

    r, g, b = pixel(canvas, 250, 250)
    assert r == g == b  # grey photo again: no hint square there


def test_save_downloads_the_result_and_the_hints(colorization_notebook):
    page = colorization_notebook.page
    widget = colorization_notebook.output("wedding.widget()")
    canvas = widget.locator("canvas")
    canvas.scroll_into_view_if_needed()
    page.mouse.click(*canvas_point(canvas, 200, 200))
    page.wait_for_timeout(800)

    with page.expect_download(timeout=60_000) as first:
        widget.get_by_role("button", name="Save").click()
    download = first.value
    path = download.path()

    assert download.suggested_filename.endswith((".png", ".json"))
    assert path.stat().st_size > 100
