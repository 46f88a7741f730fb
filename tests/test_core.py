"""The shared core: one device picker, one model-bundle convention, one widget error guard."""

import logging

import pytest
import torch

from workshop_lib import assets, runtime
from workshop_lib.errors import WorkshopError, explain, guard, guarded, message_html
from workshop_lib.models import ModelBundle


@pytest.mark.parametrize("form", ["cpu", " CPU ", torch.device("cpu"), None, "auto"])
def test_pick_device_takes_a_name_a_torch_device_or_nothing(form, monkeypatch):
    monkeypatch.delenv(runtime.DEVICE_VARIABLE, raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(runtime, "_mps_available", lambda torch: False)
    assert runtime.pick_device(form) == torch.device("cpu")


def test_pick_device_refuses_other_types_with_a_sentence():
    with pytest.raises(WorkshopError, match="device should be a name"):
        runtime.pick_device(3)


def test_pick_device_auto_honours_the_environment_variable(monkeypatch):
    monkeypatch.setenv(runtime.DEVICE_VARIABLE, "cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert runtime.pick_device("auto") == torch.device("cpu")
    assert runtime.pick_device(None) == torch.device("cpu")


def test_pick_device_refuses_a_missing_gpu_given_as_torch_device(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(WorkshopError, match="none is available"):
        runtime.pick_device(torch.device("cuda", 0))


def _bundle(**changes):
    fields = dict(
        name="tiny",
        task="colorize",
        title="a test bundle",
        assets=("siggraph17",),
        licence="MIT",
        loader=lambda bundle, device: (bundle.name, device),
    )
    fields.update(changes)
    return ModelBundle(**fields)


def test_bundle_load_passes_the_picked_device_to_its_loader():
    for form in ("cpu", torch.device("cpu")):
        assert _bundle().load(device=form) == ("tiny", torch.device("cpu"))


def test_bundle_checks_its_task_and_assets():
    with pytest.raises(ValueError, match="task"):
        _bundle(task="painting")
    with pytest.raises(ValueError, match="unknown assets"):
        _bundle(assets=("no-such-file",))


def test_bundle_offline_is_a_stand_in_unless_real_or_cached(monkeypatch, tmp_path):
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")
    monkeypatch.setenv(assets.CACHE_VARIABLE, str(tmp_path))
    stand_in = _bundle()
    assert not stand_in.is_real()
    assert "random weights" in stand_in.stand_in_note()
    assert "random weights" in stand_in.describe()
    packaged = _bundle(offline_real=lambda: True)
    assert packaged.is_real() and packaged.stand_in_note() == ""
    monkeypatch.delenv("WORKSHOP_OFFLINE")
    assert stand_in.is_real()


def test_guard_shows_a_workshop_error_as_its_sentence():
    shown = []
    with guard(lambda s, d: shown.append((s, d)), doing="colouring"):
        raise WorkshopError("That photo is empty.")
    assert shown == [("That photo is empty.", None)]


def test_guard_folds_other_errors_and_logs_them(caplog):
    shown = []
    with caplog.at_level(logging.ERROR, logger="workshop_lib"):
        with guard(lambda s, d: shown.append((s, d)), doing="separating the song"):
            raise ZeroDivisionError("boom")
    ((sentence, details),) = shown
    assert sentence.startswith("Something went wrong while separating the song")
    assert "ZeroDivisionError: boom" in details
    assert "ZeroDivisionError" in caplog.text


def test_guard_survives_a_broken_message_area(caplog):
    def broken(sentence, details):
        raise RuntimeError("no message area")

    with caplog.at_level(logging.ERROR, logger="workshop_lib"):
        with guard(broken):
            raise WorkshopError("first problem")
    assert "first problem" in caplog.text


def test_guard_lets_the_stop_button_through():
    with pytest.raises(KeyboardInterrupt), guard(lambda s, d: None):
        raise KeyboardInterrupt


def test_guarded_decorates_widget_methods():
    class Widget:
        def __init__(self):
            self.messages = []
            self.hints = [1, 2]

        def _show(self, sentence, details):
            self.messages.append(sentence)

        @guarded("_show", doing="adding a hint")
        def add(self, value):
            if value is None:
                raise WorkshopError("Pick a colour first.")
            self.hints.append(value)
            return len(self.hints)

    widget = Widget()
    assert widget.add(3) == 3
    assert widget.add(None) is None
    assert widget.messages == ["Pick a colour first."]
    assert widget.hints == [1, 2, 3]


def test_message_html_escapes_and_folds():
    page = message_html("<img src=x onerror=alert(1)>", "<script>x</script>")
    assert "<img" not in page and "<script>" not in page
    assert "&lt;img" in page and "<details>" in page
    assert explain(WorkshopError("x")) == ("x", None)
