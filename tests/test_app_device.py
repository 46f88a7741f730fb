"""The app takes ``device=`` as a name, a ``torch.device`` or None, and every model runs there."""

import pytest
import torch

from workshop_lib import app
from workshop_lib.app.service import Service
from workshop_lib.assets import bundled
from workshop_lib.errors import WorkshopError

FORMS = ["cpu", torch.device("cpu"), None]


@pytest.mark.parametrize("device", FORMS, ids=["name", "torch.device", "None"])
def test_every_model_of_the_app_runs_on_the_device_asked_for(device, tmp_path, monkeypatch):
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")
    monkeypatch.setenv("WORKSHOP_DEVICE", "cpu")  # None: the machine's best, here the CPU
    service = Service(tmp_path, device=device)

    colorizer = service.open_photo(str(bundled("images/cameraman.jpg")))
    separator = service._separator(2)
    engine = service._engine("vits")

    assert service.device == torch.device("cpu")
    assert colorizer.device == separator.device == engine.device == torch.device("cpu")


def test_create_app_passes_the_device_on(monkeypatch):
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")
    made = app.create_app(device=torch.device("cpu"))
    try:
        assert made.service.device == torch.device("cpu")
    finally:
        made.close()


def test_a_device_that_is_not_there_gets_a_plain_message(tmp_path):
    if torch.cuda.is_available():
        pytest.skip("this computer has a GPU")

    with pytest.raises(WorkshopError):
        Service(tmp_path, device="cuda")
