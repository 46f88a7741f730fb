"""Deezer's real released models: download, check, read with our reader, separate.

These need the internet (about 75 to 190 MB each) and are skipped unless
WORKSHOP_NETWORK_TESTS=1. The facts checked are those of the v1.4.0 release files.
"""

import numpy as np
import pytest

from workshop_lib import assets
from workshop_lib.separate import Separator, load_sample_song, sdr
from workshop_lib.separate.tf_checkpoint import find_checkpoint, list_tensors

pytestmark = [pytest.mark.network, pytest.mark.slow]

RELEASE = {"2stems": (149, 78_614_080), "4stems": (297, 157_228_152), "5stems": (371, 196_535_188)}


@pytest.fixture(autouse=True)
def online(monkeypatch):
    monkeypatch.delenv("WORKSHOP_OFFLINE", raising=False)


@pytest.mark.parametrize("model", list(RELEASE))
def test_release_checkpoint_has_deezers_tensors(model):
    folder = assets.fetch(f"spleeter-{model}")
    count, data_bytes = RELEASE[model]

    tensors = list_tensors(folder)
    prefix = find_checkpoint(folder)

    assert len(tensors) == count
    assert tensors["conv2d/kernel"].shape == (5, 5, 2, 16)
    assert tensors["conv2d_5/kernel"].shape == (5, 5, 256, 512)
    assert tensors["conv2d_transpose/kernel"].shape == (5, 5, 256, 512)
    assert tensors["conv2d_6/kernel"].shape == (4, 4, 1, 2)
    assert prefix.with_name(prefix.name + ".data-00000-of-00001").stat().st_size == data_bytes


@pytest.mark.parametrize("stems", [2, 4, 5])
def test_real_models_separate_the_sample_song(stems):
    song = load_sample_song()

    parts = Separator(stems).separate(song.mix, song.sample_rate, progress=False)
    scores = sdr(song.references(parts.names), parts.stems, song.sample_rate)

    print(f"{stems} stems, SDR on the sample song: {scores}")
    assert all(np.isfinite(parts[name]).all() for name in parts.names)
    assert scores["vocals"] > 0  # trained models find the voice; random weights would not
