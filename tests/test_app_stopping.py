"""SECURITY.md, "Uploads and results": however the app stops, no file stays behind.

Ctrl+C at any moment (start-up included, while Gradio still checks its own address), SIGTERM,
the end of the program, and a hard crash (cleaned when the next app starts); results are deleted
after ``results_minutes``.
"""

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from PIL import Image

from workshop_lib import app
from workshop_lib.app import storage
from workshop_lib.assets import bundled

gradio_client = pytest.importorskip("gradio_client")
from gradio_client import handle_file  # noqa: E402
from ports import free_port  # noqa: E402


class CommandLineApp:
    """``python -m workshop_lib app`` in its own process, its output read as it comes."""

    def __init__(self, tmp_path: Path):
        self.port = free_port()
        env = {**os.environ, "WORKSHOP_OFFLINE": "1", "GRADIO_TEMP_DIR": str(tmp_path / "before")}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "workshop_lib", "app", "--port", str(self.port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def folder(self, timeout: float = 120) -> Path:
        """The app's private folder, as soon as the app has said where it is."""
        deadline = time.monotonic() + timeout
        while "kept in " not in self.output:
            if time.monotonic() > deadline or self.process.poll() is not None:
                pytest.fail(f"the app never named its folder:\n{self.output}")
            time.sleep(0.01)
        return Path(self.output.split("kept in ", 1)[1].split(" while", 1)[0])

    def wait_until_serving(self, timeout: float = 120) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        pytest.fail(f"the app did not answer within {timeout} s:\n{self.output}")

    def stop(self, number: int, timeout: float = 60) -> int:
        self.process.send_signal(number)
        try:
            return self.process.wait(timeout=timeout)
        finally:
            if self.process.poll() is None:
                self.process.kill()
            self._reader.join(timeout=5)


def test_ctrl_c_while_gradio_checks_its_address_cleans_up(monkeypatch):
    import gradio.networking

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")
    before = os.environ.get("GRADIO_TEMP_DIR")
    made = app.create_app()
    monkeypatch.setattr(gradio.networking, "url_ok", interrupted)

    with pytest.raises(KeyboardInterrupt):
        made.launch(port=free_port(), inline=False)

    assert not made.folder.exists()
    assert os.environ.get("GRADIO_TEMP_DIR") == before
    assert made.url is None


@pytest.mark.slow
def test_ctrl_c_during_start_up_leaves_no_folder(tmp_path):
    started = CommandLineApp(tmp_path)
    folder = started.folder()  # printed before Gradio starts: the interrupt comes mid-start

    code = started.stop(signal.SIGINT)

    assert code == 0, started.output
    assert folder.name.startswith("workshop-app-") and not folder.exists()


@pytest.mark.slow
def test_sigterm_closes_the_app_and_deletes_its_folder(tmp_path):
    started = CommandLineApp(tmp_path)
    folder = started.folder()
    started.wait_until_serving()
    assert folder.is_dir()

    code = started.stop(signal.SIGTERM)

    assert code in (0, 128 + signal.SIGTERM), started.output
    assert not folder.exists(), started.output


CRASHING = textwrap.dedent(
    """
    import sys, time
    from workshop_lib.app.storage import PrivateFolder
    folder = PrivateFolder(sys.argv[1])
    (folder.path / "results").mkdir()
    (folder.path / "results" / "a visitor's photo.png").write_bytes(b"not deleted by a crash")
    print(folder.path, flush=True)
    time.sleep(600)
    """
)


def crashed_app_folder(parent: Path) -> Path:
    """The folder of an app process killed with SIGKILL (no clean-up could run)."""
    process = subprocess.Popen(
        [sys.executable, "-c", CRASHING, str(parent)], stdout=subprocess.PIPE, text=True
    )
    folder = Path(process.stdout.readline().strip())
    process.kill()
    process.wait(timeout=30)
    process.stdout.close()
    assert folder.is_dir() and any(folder.rglob("*.png"))
    return folder


def test_a_crashed_apps_folder_is_removed_at_the_next_start(tmp_path):
    crashed = crashed_app_folder(tmp_path)
    alive = storage.PrivateFolder(tmp_path)  # a running app's folder must stay
    try:
        removed = storage.remove_stale(tmp_path)

        assert removed == [crashed] and not crashed.exists()
        assert alive.path.is_dir()
    finally:
        alive.remove()


def test_create_app_removes_a_crashed_apps_folder(monkeypatch):
    import tempfile

    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")
    crashed = crashed_app_folder(Path(tempfile.gettempdir()))

    made = app.create_app()
    try:
        assert not crashed.exists()
        assert made.folder.is_dir()
    finally:
        made.close()


def test_results_are_deleted_after_results_minutes(monkeypatch, tmp_path):
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")
    made = app.create_app(limits=app.Limits(results_minutes=0.05))  # 3 seconds
    made.launch(port=free_port(), inline=False)
    try:
        photo = tmp_path / "photo.png"
        Image.open(bundled("images/astronaut.jpg")).convert("L").resize((64, 64)).save(photo)
        client = made.client(download_folder=tmp_path / "down")
        client.predict(handle_file(photo), "[]", True, api_name="/colorize")
        assert [p for p in made.files_left() if p.suffix == ".png"]

        deadline = time.monotonic() + 30
        while made.files_left() and time.monotonic() < deadline:
            time.sleep(0.5)

        assert made.files_left() == []
    finally:
        made.close()
    assert not made.folder.exists()
