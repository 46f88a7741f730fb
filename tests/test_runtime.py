"""Where we run, which device, Colab set-up and the offline switch."""

import sys
import types

import pytest
import torch

from workshop_lib import WorkshopError, runtime


@pytest.fixture
def fake_colab(monkeypatch):
    """A stand-in for Colab's own `google.colab` module that records what the library asks of it."""
    calls = []
    google = types.ModuleType("google")
    colab = types.ModuleType("google.colab")
    output = types.ModuleType("google.colab.output")
    output.enable_custom_widget_manager = lambda: calls.append("enable_custom_widget_manager")
    colab.output = output
    google.colab = colab
    monkeypatch.setitem(sys.modules, "google", google)
    monkeypatch.setitem(sys.modules, "google.colab", colab)
    monkeypatch.setitem(sys.modules, "google.colab.output", output)
    return calls


@pytest.mark.parametrize(
    ("value", "expected"), [("1", True), ("yes", True), ("0", False), ("", False)]
)
def test_offline_switch_reads_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv(runtime.OFFLINE_VARIABLE, value)

    assert runtime.is_offline() is expected


def test_plain_python_is_recognised():
    assert runtime.where() == "python"


def test_colab_is_recognised(fake_colab):
    assert runtime.where() == "colab"


def test_cpu_summary_says_there_is_no_gpu():
    summary = runtime.device_summary("cpu")

    assert summary == "No GPU: the demos run on the CPU, a little slower."


def test_gpu_summary_names_the_card_and_its_memory(monkeypatch):
    # Stand in for the graphics card this machine does not have.
    card = types.SimpleNamespace(name="Tesla T4", total_memory=15 * 1024**3 + 360 * 1024**2)
    monkeypatch.setattr(torch.cuda, "get_device_properties", lambda index: card)
    monkeypatch.setattr(torch.cuda, "current_device", lambda: 0)

    summary = runtime.device_summary(torch.device("cuda", 0))

    assert summary == "GPU: Tesla T4 (15 GB)"


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_the_best_device_without_a_gpu_is_the_cpu(monkeypatch):
    monkeypatch.delenv(runtime.DEVICE_VARIABLE, raising=False)

    assert runtime.pick_device() == torch.device("cpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_gpu_help_on_colab_without_a_gpu_gives_the_menu_steps(fake_colab):
    assert "Runtime → Change runtime type" in runtime.gpu_help()


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_asking_for_a_missing_gpu_explains_how_to_get_one(fake_colab):
    with pytest.raises(WorkshopError, match="Change runtime type"):
        runtime.pick_device("cuda")


def test_device_can_be_chosen_by_environment_variable(monkeypatch):
    monkeypatch.setenv(runtime.DEVICE_VARIABLE, "cpu")

    assert runtime.pick_device() == torch.device("cpu")


def test_unknown_device_name_is_refused():
    with pytest.raises(WorkshopError, match="Unknown device 'tpu'"):
        runtime.pick_device("tpu")


def test_system_programs_list_has_what_notebooks_need():
    programs = runtime.system_programs()

    assert {"ffmpeg", "gcc", "espeak-ng"} <= set(programs)
    assert all(p.package and p.purpose for p in programs.values())


def test_unknown_system_program_is_refused():
    with pytest.raises(WorkshopError, match="Unknown system program"):
        runtime.missing_programs(["not-a-program"])


def test_programs_are_found_by_package_name_too():
    assert runtime.find_program("festival").program == "text2wave"


def test_a_voice_is_checked_by_its_file(tmp_path, monkeypatch):
    voice = runtime.SystemProgram(str(tmp_path / "voice.scm"), "festvox-test", "a test voice")
    monkeypatch.setitem(runtime.system_programs(), voice.program, voice)

    before = runtime.missing_programs(["festvox-test"])
    (tmp_path / "voice.scm").write_text("voice")
    after = runtime.missing_programs(["festvox-test"])

    assert before == [voice]
    assert after == []
    assert voice.name == "festvox-test"


def test_installed_program_is_not_installed_again():
    # gcc is on every machine that runs these tests (CI installs it), so nothing is missing.
    assert runtime.install_system_programs(["gcc"]) == []


def test_missing_program_without_apt_rights_gives_the_command(monkeypatch):
    absent = runtime.SystemProgram("surely-absent-program", "surely-absent-package", "a test")
    monkeypatch.setitem(runtime.system_programs(), absent.program, absent)
    monkeypatch.setattr(runtime.os, "geteuid", lambda: 1000)

    with pytest.raises(WorkshopError, match="sudo apt-get install surely-absent-package"):
        runtime.install_system_programs([absent.program])


def test_setup_on_colab_enables_custom_widgets(fake_colab):
    report = runtime.setup(system=["gcc"])

    assert report.place == "colab"
    assert report.installed == ()
    assert fake_colab == ["enable_custom_widget_manager"]
    assert str(report).startswith("Ready: ")
    assert "on Google Colab" in str(report)


def test_setup_elsewhere_names_missing_programs(monkeypatch):
    absent = runtime.SystemProgram("surely-absent-program", "surely-absent-package", "a test")
    monkeypatch.setitem(runtime.system_programs(), absent.program, absent)

    report = runtime.setup(system=[absent.program])

    out = str(report)
    assert report.place == "python"
    assert "surely-absent-program is not installed" in out
    assert "sudo apt-get install surely-absent-package" in out


def test_setup_report_warns_that_offline_results_are_not_real(monkeypatch):
    monkeypatch.setenv(runtime.OFFLINE_VARIABLE, "1")

    report = runtime.setup()

    assert report.offline
    assert "not the real models' results" in str(report)
    assert len(str(report).splitlines()) == 1


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_real_gpu_is_picked_and_described():
    assert runtime.pick_device().type == "cuda"
    assert runtime.device_summary().startswith("GPU: ")
    assert "nothing to change" in runtime.gpu_help()


def test_colab_setup_goes_on_when_apt_cannot_install_a_package(fake_colab, monkeypatch, tmp_path):
    absent = runtime.SystemProgram("surely-absent-program", "surely-absent-package", "a test")
    monkeypatch.setitem(runtime.system_programs(), absent.program, absent)
    apt = tmp_path / "apt-get"
    apt.write_text('#!/bin/sh\necho "$@" >> "$(dirname "$0")/calls"\nexit 100\n')
    apt.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:{runtime.os.environ['PATH']}")
    monkeypatch.setattr(runtime.os, "geteuid", lambda: 0)

    report = runtime.setup(system=[absent.program, "gcc"])

    calls = (tmp_path / "calls").read_text().splitlines()
    assert calls[0] == "update -qq"
    assert calls[-1].endswith("surely-absent-package")
    assert "apt could not install surely-absent-program" in str(report)
    assert "sudo apt-get install surely-absent-package" in str(report)
    assert fake_colab == ["enable_custom_widget_manager"]
