"""The fuzz suite's rules: generated and mutated inputs, and the promise each input must keep.

The promise, for every entry point that takes outside data:
- it returns, or raises a :class:`WorkshopError` with a plain sentence, never another exception;
- it never hangs: each input finishes within a time limit;
- it never blows up memory: a bomb is refused by its declared size before it is decoded;
- it writes no file outside the cache and the app's folder.

Budgets: CI (and ``bash workshop.sh test``) gives each entry point a short fixed time budget.
``bash workshop.sh test -m fuzz`` runs the long budget: at least 1,000 inputs per entry point.
An input that breaks the promise is saved under ``tests/fuzz/cases/<entry point>/`` and the
test fails; once the library is fixed, the saved input stays as a regression case
(``test_regressions.py`` replays every one of them).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fuzzing import Fuzzer, configure, is_long, peak_memory_bytes


def pytest_configure(config):
    markexpr = config.getoption("markexpr") or ""
    configure(long="fuzz" in markexpr and "not fuzz" not in markexpr)


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.fuzz)


@pytest.fixture
def fuzzer(request, tmp_path, monkeypatch) -> Fuzzer:
    """A fuzzer for the test's entry point, run in an empty folder that must stay empty."""
    long = is_long()
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("WORKSHOP_CACHE", str(tmp_path / "cache"))
    entry = request.node.name.removeprefix("test_").split("[")[0]
    seed = int(os.environ.get("WORKSHOP_FUZZ_SEED", "20261202"))
    fuzz = Fuzzer(entry=entry, long=long, seed=seed)
    before = peak_memory_bytes()
    yield fuzz
    left = sorted(p.name for p in work.rglob("*"))
    assert not left, f"{entry} wrote files in the working folder: {left[:10]}"
    grown = peak_memory_bytes() - before
    assert grown < 2 * 1024**3, f"{entry}: peak memory grew by {grown / 1e9:.1f} GB"
    assert fuzz.ran > 0
