"""The setup cell's library side: extras, installs that keep Colab's packages, the one-line report."""

import sys
import types
from importlib import metadata

import pytest

from workshop_lib import WorkshopError, runtime


@pytest.fixture
def fake_colab(monkeypatch):
    """A stand-in `google.colab` module, so the library believes it runs on Colab."""
    google = types.ModuleType("google")
    colab = types.ModuleType("google.colab")
    output = types.ModuleType("google.colab.output")
    output.enable_custom_widget_manager = lambda: None
    colab.output = output
    google.colab = colab
    monkeypatch.setitem(sys.modules, "google", google)
    monkeypatch.setitem(sys.modules, "google.colab", colab)
    monkeypatch.setitem(sys.modules, "google.colab.output", output)


@pytest.fixture
def absent_requirement(monkeypatch):
    """Make the 'app' extra ask for one package that is surely not installed."""
    real = metadata.requires

    def requires(name):
        found = real(name) or []
        if name == "workshop_lib":
            found = [*found, 'surely-absent-package>=1; extra == "app"']
        return found

    monkeypatch.setattr(metadata, "requires", requires)
    return "surely-absent-package>=1"


@pytest.fixture
def fake_pip(tmp_path, monkeypatch):
    """A stand-in Python whose `-m pip install` records its arguments and the constraints file."""
    script = tmp_path / "python"
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$@" > {tmp_path}/args\n'
        'while [ "$1" != "--constraint" ]; do shift; done\n'
        f'cp "$2" {tmp_path}/constraints\n'
        'echo "Collecting surely-absent-package>=1"\n'
    )
    script.chmod(0o755)
    monkeypatch.setattr(runtime.sys, "executable", str(script))
    return tmp_path


def test_every_extra_names_known_programs():
    for extra in runtime.EXTRAS.values():
        for program in extra.system:
            runtime.find_program(program)


def test_unknown_extra_is_refused_in_one_sentence():
    with pytest.raises(WorkshopError, match="Unknown extra 'sound'"):
        runtime.setup("sound")


def test_installed_extras_are_not_installed_again():
    # The test environment installs every extra (workshop.sh), so nothing is missing.
    assert runtime.missing_packages("speech") == []
    assert runtime.missing_packages("voices") == []


def test_missing_package_elsewhere_gives_the_pip_command(absent_requirement, monkeypatch):
    monkeypatch.setattr(runtime, "missing_programs", lambda names: [])

    report = runtime.setup("app")

    assert runtime.missing_packages("app") == [absent_requirement]
    assert report.installed == ()
    assert f'pip install "{absent_requirement}"' in str(report)


def test_colab_install_keeps_colab_packages_at_their_versions(
    fake_colab, absent_requirement, fake_pip, monkeypatch, capsys
):
    monkeypatch.setattr(runtime, "install_system_programs", lambda names: [])

    report = runtime.setup("app")

    args = (fake_pip / "args").read_text().split()
    pins = (fake_pip / "constraints").read_text().split()
    assert args[:2] == ["-m", "pip"]
    assert absent_requirement in args
    assert f"numpy=={metadata.version('numpy')}" in pins
    assert f"torch=={metadata.version('torch')}" in pins
    assert report.installed == (absent_requirement,)
    assert "getting surely-absent-package" in capsys.readouterr().out
    assert str(report).startswith("Ready: ") and "on Google Colab" in str(report)


def test_report_is_one_line_when_nothing_is_missing(monkeypatch):
    monkeypatch.setenv(runtime.OFFLINE_VARIABLE, "1")

    report = runtime.setup(system=["gcc"])

    assert str(report).splitlines() == [report.line]
    assert report.line.startswith("Ready: ")
    assert "offline sample models" in report.line
