"""benchmarks/gpu_check.py keeps working: its tiny CPU mode runs every row's code path."""

import importlib.util
from pathlib import Path

import pytest

from workshop_lib.speech import get_engine

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")
    monkeypatch.setenv("WORKSHOP_CACHE", str(tmp_path / "cache"))


def _script():
    spec = importlib.util.spec_from_file_location("gpu_check", ROOT / "benchmarks" / "gpu_check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_tiny_mode_prints_one_table_with_every_row(capsys):
    assert _script().main(["--tiny", "--repeats", "1"]) == 0

    lines = capsys.readouterr().out.splitlines()
    rows = [line for line in lines if line.startswith("| ") and not line.startswith("| check")]
    checks = [row.split(" | ")[0].removeprefix("| ") for row in rows]

    assert checks == [
        "colorization update",
        "colorization update (fast path)",
        "Spleeter 4stems, 1 s",
        "Spleeter 4stems, 3 s",
        "speech RTF, Piper voice",
        "speech RTF, coqui VITS",
    ]
    assert not any("failed" in row for row in rows), rows
    assert all("ms per update" in row for row in rows[:2])
    assert all("x real time" in row for row in rows[2:4])
    for name, row in zip(("piper", "vits"), rows[4:], strict=True):
        installed = get_engine(name).is_available()
        assert ("RTF " in row) if installed else ("not installed" in row), row
