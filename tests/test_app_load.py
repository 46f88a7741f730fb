"""The load benchmark, small: 20 visitors for 15 seconds, with the same checks as the big run.

``benchmarks/app_load.py`` drives the real app over 127.0.0.1 with gradio_client (see there);
this runs it small enough for CI: nothing lost, no error, the per-visitor limit refusing the
impatient visitors' bursts, no upload left, and no file after ``close()``.
"""

import importlib.util
import sys
from pathlib import Path

import pytest

pytest.importorskip("gradio_client")

BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "app_load.py"


def load_benchmark():
    spec = importlib.util.spec_from_file_location("app_load", BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    sys.modules["app_load"] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_twenty_visitors_for_fifteen_seconds_lose_nothing_and_leave_nothing(monkeypatch):
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")
    benchmark = load_benchmark()

    figures = benchmark.run(visitors=20, seconds=15)

    print(figures.summary())
    assert figures.problems() == []
    assert figures.sent >= 20 and figures.completed >= 10
    assert figures.refused.get("over the per-visitor limit", 0) >= 1  # the bursts hit the limit
    assert figures.files_after_close == 0 and figures.uploads_left == 0
