"""Fixtures for the browser tests: one JupyterLab server and one Chromium for the whole run.

On a failure the page's screenshot and the browser console are saved under artifacts/browser/.
"""

import shutil
from pathlib import Path

import pytest

from .harness import CHROMIUM, CHROMIUM_FLAGS, Lab, Notebook

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts" / "browser"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(item.fspath).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="package")
def lab(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}; run 'bash workshop.sh test' to install it"
        )
    root = tmp_path_factory.mktemp("lab") / "content"
    root.mkdir()
    for notebook in (REPO / "notebooks").glob("*.ipynb"):
        shutil.copy(notebook, root)
    for fixture in FIXTURES.glob("*.ipynb"):
        shutil.copy(fixture, root)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    server = Lab(root, ARTIFACTS / "jupyterlab.log")
    yield server
    server.stop()


@pytest.fixture(scope="package")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.stash.setdefault("failed", False)
        if report.failed:
            item.stash["failed"] = True


@pytest.fixture
def open_notebook(lab, browser, request):
    """Open a notebook in a fresh browser page: ``open_notebook("00_start_here.ipynb")``."""
    opened = []

    def _open(name: str) -> Notebook:
        context = browser.new_context(
            viewport={"width": 1400, "height": 1000}, accept_downloads=True
        )
        notebook = Notebook(context.new_page(), name).open(lab)
        opened.append((context, notebook))
        return notebook

    yield _open
    failed = request.node.stash.get("failed", False) if hasattr(request.node, "stash") else False
    for index, (context, notebook) in enumerate(opened):
        if failed:
            keep_artifacts(notebook, f"{request.node.name}-{index}")
        # Shut the kernel down so sessions do not pile up.
        try:
            notebook.page.evaluate(
                "async () => { await window.jupyterapp.shell.currentWidget.sessionContext.shutdown(); }"
            )
        except Exception:  # the page may already be gone after a failure
            pass
        context.close()


def keep_artifacts(notebook, stem: str) -> None:
    """Save a page's screenshot and browser console under artifacts/browser/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        notebook.page.screenshot(path=ARTIFACTS / f"{stem}.png", full_page=True)
    finally:
        (ARTIFACTS / f"{stem}.console.log").write_text("\n".join(notebook.console))


def open_shared_notebook(lab, browser, name: str, request):
    """Open and run a notebook once for a whole test module; keep its artifacts if a test failed."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    notebook = Notebook(context.new_page(), name).open(lab)
    failures_before = request.session.testsfailed
    notebook.run_all(timeout_ms=600_000)
    yield notebook
    if request.session.testsfailed > failures_before:
        keep_artifacts(notebook, Path(name).stem)
    context.close()


def save_screenshot(locator, name: str) -> Path:
    """Save a widget's picture for the README (artifacts/screenshots/, and docs/screenshots/ on request)."""
    import os

    folder = REPO / "artifacts" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    locator.screenshot(path=path)
    if os.environ.get("WORKSHOP_UPDATE_SCREENSHOTS") == "1":
        docs = REPO / "docs" / "screenshots"
        docs.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, docs / name)
    return path
