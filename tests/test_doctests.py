"""The examples in the library's docstrings are run, so they stay true.

Every module of ``workshop_lib`` is imported and its ``>>>`` examples run offline. A module that
cannot be imported here fails the test (it would fail a learner too).
"""

import doctest
import importlib
import pkgutil

import pytest

import workshop_lib


def _modules():
    names = ["workshop_lib"]
    for info in pkgutil.walk_packages(workshop_lib.__path__, prefix="workshop_lib."):
        if info.name.endswith("__main__"):
            continue
        names.append(info.name)
    return sorted(names)


def _with_examples():
    finder = doctest.DocTestFinder(exclude_empty=True)
    found = []
    for name in _modules():
        module = importlib.import_module(name)
        if any(test.examples for test in finder.find(module, name)):
            found.append(name)
    return found


@pytest.mark.parametrize("name", _with_examples())
def test_docstring_examples(name, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    module = importlib.import_module(name)
    result = doctest.testmod(
        module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False
    )
    assert result.failed == 0, f"{result.failed} docstring example(s) in {name} failed"
