"""SECURITY.md, "Escaping": in the web app, a file name with markup in it is shown as text.

The app runs on 127.0.0.1 with the offline models; Chromium uploads a photo whose name is an
``<img onerror>`` tag, first one over the app's size limit (the name comes back in the error
box), then a small one (the name comes back in the result's note). The script in the name must
never run, and the name must be on the page as the visitor typed it.
"""

import io

import numpy as np
import pytest
from PIL import Image
from ports import free_port

from workshop_lib import app
from workshop_lib.assets import bundled

EVIL = "<img src=x onerror=window.__escaped_badly=1;alert(1)>.png"


@pytest.fixture
def running(monkeypatch):
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")
    made = app.create_app(limits=app.Limits(photo_megabytes=0.05))
    made.launch(port=free_port(), inline=False)
    yield made
    made.close()


def png_bytes(side: int = 96, noise: bool = False) -> bytes:
    buffer = io.BytesIO()
    if noise:  # does not compress: over the limit
        picture = Image.fromarray(
            np.random.default_rng(0).integers(0, 256, (side, side, 3), np.uint8)
        )
    else:
        picture = Image.open(bundled("images/astronaut.jpg")).convert("L").resize((side, side))
    picture.save(buffer, "PNG")
    return buffer.getvalue()


def test_a_file_name_with_markup_is_shown_as_text_and_never_runs(running, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        page.goto(running.url, wait_until="load", timeout=120_000)
        photo = page.locator("input[type=file]").first
        photo.wait_for(state="attached", timeout=120_000)

        photo.set_input_files(
            files=[{"name": EVIL, "mimeType": "image/png", "buffer": png_bytes(200, noise=True)}]
        )
        toast = page.locator("[data-testid='toast-text']").first
        toast.wait_for(timeout=120_000)
        assert "up to 0.05 MB" in toast.inner_text()
        assert EVIL in toast.inner_text()  # the name, as typed, as text

        page.reload(wait_until="load")
        photo = page.locator("input[type=file]").first
        photo.wait_for(state="attached", timeout=120_000)
        photo.set_input_files(
            files=[{"name": EVIL, "mimeType": "image/png", "buffer": png_bytes()}]
        )
        note = page.get_by_text("Coloured '<img src=x", exact=False).first
        note.wait_for(timeout=180_000)
        assert EVIL in note.inner_text()

        assert page.evaluate("() => window.__escaped_badly") is None
        assert page.locator("img[src='x']").count() == 0
        assert dialogs == []
    finally:
        context.close()
