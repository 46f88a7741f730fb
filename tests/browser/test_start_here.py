"""Notebook 00 in a real browser: it runs, the upload button saves a file the next cells show."""

from .conftest import save_screenshot
from .harness import assert_widget_rendered


def test_start_here_runs_and_saves_an_upload(open_notebook, lab, tmp_path):
    photo = tmp_path / "my photo.png"
    from PIL import Image

    Image.new("RGB", (64, 48), (200, 30, 30)).save(photo)
    notebook = open_notebook("00_start_here.ipynb")

    notebook.run_all()
    upload = notebook.output("UploadBox()")
    assert_widget_rendered(upload)
    with notebook.page.expect_file_chooser() as chooser:
        upload.locator(".widget-upload").click()
    chooser.value.set_files(str(photo))
    upload.get_by_text("Saved 'my photo.png'").wait_for(timeout=30_000)
    notebook.cell("uploads.latest_or").click()
    notebook.page.keyboard.press("Shift+Enter")
    notebook.wait_until_idle()

    assert (lab.root / "uploads" / "my photo.png").exists()
    preview = notebook.output("uploads.latest_or")
    assert "Using your upload: uploads/my photo.png" in preview.inner_text()
    assert preview.locator("img").count() == 1
    assert not notebook.errors()
    save_screenshot(upload, "00_start_here_upload.png")
