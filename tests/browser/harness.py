"""Drive JupyterLab in a real browser, as a learner does: open a notebook, Run all, click, look.

JupyterLab runs headless on 127.0.0.1 with a throw-away configuration; Debian's Chromium is
driven by Playwright (no browser download) with the flags that keep it off the network.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # A fake microphone, so recorders can be tried without a person or a sound card.
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
]
# No "get notified about Jupyter news?" toast over the screenshots, and no update checks;
# every cell stays in the page (JupyterLab 4 otherwise drops cells scrolled out of view).
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


# JavaScript for `locator.evaluate`: an <audio> element's duration in seconds once it has loaded
# (-1 when the browser cannot play its source).
AUDIO_SECONDS = """audio => new Promise(resolve => {
    if (audio.readyState >= 1) { resolve(audio.duration); return; }
    audio.addEventListener('loadedmetadata', () => resolve(audio.duration), { once: true });
    audio.addEventListener('error', () => resolve(-1), { once: true });
    audio.load();
})"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Lab:
    """A JupyterLab server on 127.0.0.1 serving ``root``, started and stopped by the tests."""

    def __init__(self, root: Path, log: Path):
        self.root = root
        self.port = _free_port()
        config = root.parent / "lab-config"
        settings = config / "settings"
        for name, value in LAB_SETTINGS.items():
            path = settings / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(value))
        env = {
            **os.environ,
            "WORKSHOP_OFFLINE": "1",
            "WORKSHOP_CACHE": str(root.parent / "cache"),
            "JUPYTER_CONFIG_DIR": str(config / "config"),
            "JUPYTER_RUNTIME_DIR": str(config / "runtime"),
            "JUPYTERLAB_SETTINGS_DIR": str(settings),
            "JUPYTERLAB_WORKSPACES_DIR": str(config / "workspaces"),
            "MPLBACKEND": "module://matplotlib_inline.backend_inline",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        }
        command = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            f"--port={self.port}",
            "--ServerApp.ip=127.0.0.1",
            "--ServerApp.token=",
            "--ServerApp.password=",
            "--ServerApp.disable_check_xsrf=True",
            "--expose-app-in-browser",
            "--allow-root",
            "--LabApp.extension_manager=readonly",
            f"--notebook-dir={root}",
        ]
        self._log = log.open("w")
        self.process = subprocess.Popen(
            command, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )
        self._wait_until_up()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _wait_until_up(self, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("JupyterLab stopped while starting; see its log")
            try:
                with urllib.request.urlopen(f"{self.url}/api/status", timeout=2):
                    return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"JupyterLab did not start within {seconds} s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log.close()


@dataclass
class Notebook:
    """One notebook open in JupyterLab in a Playwright page."""

    page: object
    name: str
    console: list[str] = field(default_factory=list)

    def open(self, lab: Lab, timeout_ms: int = 120_000) -> Notebook:
        self.page.on(
            "console", lambda message: self.console.append(f"{message.type}: {message.text}")
        )
        self.page.on("pageerror", lambda error: self.console.append(f"pageerror: {error}"))
        # A workspace of its own, reset: JupyterLab would otherwise reopen the notebooks that
        # earlier pages left open, and "Run all" could run one of those instead.
        workspace = uuid.uuid4().hex
        self.page.goto(
            f"{lab.url}/lab/workspaces/{workspace}/tree/{self.name}?reset",
            wait_until="domcontentloaded",
        )
        self.page.wait_for_function(
            """name => {
                const app = window.jupyterapp;
                const panel = app && app.shell.currentWidget;
                return panel && panel.sessionContext && panel.context
                    && panel.context.path.endsWith(name);
            }""",
            arg=self.name,
            timeout=timeout_ms,
        )
        self.page.evaluate(
            "async () => { await window.jupyterapp.shell.currentWidget.sessionContext.ready; }"
        )
        return self

    def run_all(self, timeout_ms: int = 300_000) -> None:
        """Run every cell, then wait until none is still running or waiting to run."""
        self.page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        self.wait_until_idle(timeout_ms)

    def wait_until_idle(self, timeout_ms: int = 300_000) -> None:
        self.page.wait_for_timeout(300)
        self.page.wait_for_function(
            """() => {
                const panel = window.jupyterapp.shell.currentWidget;
                const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
                const prompts = [...document.querySelectorAll('.jp-InputPrompt')];
                const busy = prompts.some(p => p.textContent.includes('*'));
                return kernel && kernel.status === 'idle' && !busy;
            }""",
            timeout=timeout_ms,
        )

    def cell(self, containing: str):
        """The code cell whose source contains this text (the first one)."""
        cells = self.page.locator(".jp-CodeCell").filter(has_text=containing)
        if cells.count() == 0:
            raise AssertionError(f"no code cell contains {containing!r}")
        return cells.first

    def output(self, containing: str):
        """The output area of the code cell whose source contains this text."""
        return self.cell(containing).locator(".jp-Cell-outputArea")

    def errors(self) -> list[str]:
        """Text of every error output (tracebacks) in the notebook."""
        return self.page.locator(
            ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
        ).all_inner_texts()


def assert_widget_rendered(output, *, timeout_ms: int = 30_000) -> None:
    """Fail unless a widget in this output area shows something a person can see.

    A widget whose front end failed leaves an empty view (or JupyterLab's error box); both fail.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    view = output.locator(".jp-OutputArea-output .lm-Widget *:visible")
    try:
        view.first.wait_for(state="visible", timeout=timeout_ms)
    except PlaywrightTimeout:
        text = output.inner_text()
        raise AssertionError(
            f"no visible widget view in the output after {timeout_ms} ms (it shows {text[:200]!r})"
        ) from None
    if output.locator(".jupyter-widgets-error-widget, .widget-error").count():
        raise AssertionError("the widget shows an error box instead of its view")
