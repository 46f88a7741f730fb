"""Tests for the command line, ``python -m workshop_lib``: prefetch, doctor and list, offline."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from workshop_lib import catalog, runtime
from workshop_lib.__main__ import main
from workshop_lib.assets import REGISTRY


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty, not yet created cache folder, with the offline switch on."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("WORKSHOP_CACHE", str(folder))
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")
    return folder


def test_prefetch_offline_says_what_it_would_download_and_creates_nothing(cache, capsys):
    code = main(["prefetch"])

    output = capsys.readouterr().out
    assert code == 0
    assert "WORKSHOP_OFFLINE" in output
    for asset in REGISTRY.values():
        assert asset.name in output
        assert asset.urls[0] in output
    assert str(cache) in output
    assert not cache.exists()


def test_prefetch_offline_of_one_name_mentions_only_that_one(cache, capsys):
    code = main(["prefetch", "eccv16"])

    output = capsys.readouterr().out
    assert code == 0
    assert REGISTRY["eccv16"].urls[0] in output
    assert REGISTRY["siggraph17"].urls[0] not in output


def test_prefetch_of_an_unknown_name_exits_2_with_the_known_names(cache, capsys):
    code = main(["prefetch", "nonexistent"])

    captured = capsys.readouterr()
    assert code == 2
    assert "nonexistent" in captured.err
    assert "siggraph17" in captured.err
    assert not cache.exists()


def test_an_unknown_command_exits_2(capsys):
    code = main(["fly"])

    assert code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_doctor_reports_device_programs_cache_and_every_model(cache, capsys):
    code = main(["doctor"])

    output = capsys.readouterr().out
    assert code == 0
    assert runtime.device_summary() in output
    assert "ffmpeg" in output
    assert str(cache) in output
    assert "Offline switch" in output
    for name, bundle in catalog.bundles().items():
        assert name in output
        assert bundle.state() in output
    assert "spleeter-2stems" in output and "here (from a Python package)" in output
    assert not cache.exists()


def test_every_registry_file_belongs_to_a_model():
    """doctor, prefetch and list read the catalog: no downloadable file may be left out of it."""
    files = {name for bundle in catalog.bundles().values() for name in bundle.assets}
    assert set(REGISTRY) <= files


def test_list_shows_every_model_with_its_licences(capsys):
    code = main(["list"])

    output = capsys.readouterr().out
    assert code == 0
    for bundle in catalog.bundles().values():
        assert bundle.name in output
        assert bundle.licence in output
        assert bundle.code_licence in output


def test_doctor_runs_as_a_program(cache):
    environment = {**os.environ, "WORKSHOP_CACHE": str(cache), "WORKSHOP_OFFLINE": "1"}

    result = subprocess.run(
        [sys.executable, "-m", "workshop_lib", "doctor"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "Models" in result.stdout
