"""Shared test set-up: network tests run only when asked for; notebooks run once per session."""

import os
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def pytest_collection_modifyitems(config, items):
    if os.environ.get("WORKSHOP_NETWORK_TESTS") == "1":
        return
    skip = pytest.mark.skip(reason="needs the internet; set WORKSHOP_NETWORK_TESTS=1 to run")
    for item in items:
        if "network" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def executed_notebooks(tmp_path_factory):
    """Every notebook run top to bottom offline, once per session: file name -> notebook or error.

    Each runs in its own fresh folder outside the repository (as on Colab), through the same
    function that builds the handout, so the notebook tests and the handout see the same run.
    The "# Your turn" exercise cells run a second time at the end (re-run safety).
    """
    from workshop_lib.handout import execute_notebook
    from workshop_lib.handout.execute import NotebookFailed

    results = {}
    base = tmp_path_factory.mktemp("executed")
    assert not base.is_relative_to(ROOT)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WORKSHOP_CACHE", str(base / "cache"))
        for path in NOTEBOOKS:
            started = time.monotonic()
            try:
                results[path.name] = execute_notebook(
                    path, base / path.stem, offline=True, rerun_exercises=True
                )
            except NotebookFailed as err:
                results[path.name] = err
            print(f"{path.name}: {time.monotonic() - started:.0f} s")
    return results
