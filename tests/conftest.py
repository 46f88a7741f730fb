"""Shared test set-up: network tests run only when asked for; notebooks run once per session."""

import os
import time
from collections.abc import Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        # A test that needs the executed notebooks (directly or through the handout) runs
        # notebooks: it is a notebook test, left out of the quick loop.
        if "executed_notebooks" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.notebook)
    if os.environ.get("WORKSHOP_NETWORK_TESTS") == "1":
        return
    skip = pytest.mark.skip(reason="needs the internet; set WORKSHOP_NETWORK_TESTS=1 to run")
    for item in items:
        if "network" in item.keywords:
            item.add_marker(skip)


class _ExecutedNotebooks(Mapping):
    """File name -> executed notebook (or its NotebookFailed), each run on first access only.

    So ``pytest -k 04_colorization`` runs that one notebook, while the handout, which asks for
    all of them, still gets every notebook from the same single run.
    """

    def __init__(self, base: Path):
        self._base = base
        self._paths = {path.name: path for path in NOTEBOOKS}
        self._results = {}

    def __getitem__(self, name):
        if name not in self._results:
            self._results[name] = self._run(self._paths[name])
        return self._results[name]

    def ran(self, name):
        """The executed notebook; the calling test fails with the notebook's error when it failed."""
        run = self[name]
        if isinstance(run, Exception):
            pytest.fail(str(run), pytrace=False)
        return run

    def __iter__(self):
        return iter(self._paths)

    def __len__(self):
        return len(self._paths)

    def _run(self, path: Path):
        from workshop_lib.handout import execute_notebook
        from workshop_lib.handout.execute import NotebookFailed

        started = time.monotonic()
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("WORKSHOP_CACHE", str(self._base / "cache"))
            try:
                return execute_notebook(
                    path, self._base / path.stem, offline=True, rerun_exercises=True
                )
            except NotebookFailed as err:
                return err
            finally:
                print(f"{path.name}: {time.monotonic() - started:.0f} s")


@pytest.fixture(scope="session")
def executed_notebooks(tmp_path_factory):
    """Every notebook run top to bottom offline, once per session: file name -> notebook or error.

    Each runs in its own fresh folder outside the repository (as on Colab), through the same
    function that builds the handout, so the notebook tests and the handout see the same run.
    The "# Your turn" exercise cells run a second time at the end (re-run safety). A notebook
    runs when a test first asks for it.
    """
    base = tmp_path_factory.mktemp("executed")
    assert not base.is_relative_to(ROOT)
    return _ExecutedNotebooks(base)
